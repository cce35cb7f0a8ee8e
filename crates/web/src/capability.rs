//! What a capability brings to the application, declared once in its crate: its name, the
//! capabilities it builds on, its migrations and its routes. The binary assembles the routes and
//! the migrations from one ordered list of these, and refuses an order in which a capability
//! comes before one it builds on ([`check_order`]).

use tandem_storage::MigrationSet;

use crate::Routes;

/// A capability's declaration.
#[derive(Debug, Clone, Copy)]
pub struct Capability {
    /// Its name: the crate is `tandem-<name>`, and its migrations carry the same name.
    pub name: &'static str,
    /// The capabilities it builds on (its crate's dependencies among the capability crates).
    pub builds_on: &'static [&'static str],
    pub migrations: MigrationSet,
    /// Its API routes, to be nested under `/api/v1`.
    pub api: Option<fn() -> Routes>,
    /// Its pages.
    pub pages: Option<fn() -> Routes>,
}

/// Checks that each capability comes after every capability it builds on, and that names are
/// unique and agree with the migrations'.
pub fn check_order(capabilities: &[Capability]) -> Result<(), String> {
    for (at, capability) in capabilities.iter().enumerate() {
        if capability.migrations.capability != capability.name {
            return Err(format!(
                "the capability `{}` declares the migrations of `{}`",
                capability.name, capability.migrations.capability
            ));
        }
        if capabilities[..at].iter().any(|c| c.name == capability.name) {
            return Err(format!(
                "the capability `{}` is listed twice",
                capability.name
            ));
        }
        for needed in capability.builds_on {
            if !capabilities[..at].iter().any(|c| c.name == *needed) {
                return Err(format!(
                    "the capability `{}` builds on `{needed}`, which does not come before it",
                    capability.name
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    static NONE: sqlx::migrate::Migrator = sqlx::migrate::Migrator::DEFAULT;

    const fn capability(name: &'static str, builds_on: &'static [&'static str]) -> Capability {
        Capability {
            name,
            builds_on,
            migrations: MigrationSet {
                capability: name,
                sqlite: &NONE,
                postgres: &NONE,
            },
            api: None,
            pages: None,
        }
    }

    #[test]
    fn a_capability_comes_after_what_it_builds_on() {
        let directory = capability("directory", &[]);
        let desk = capability("service-desk", &["directory"]);
        assert_eq!(check_order(&[directory, desk]), Ok(()));
        assert_eq!(
            check_order(&[desk, directory]).unwrap_err(),
            "the capability `service-desk` builds on `directory`, which does not come before it"
        );
        assert!(
            check_order(&[directory, directory])
                .unwrap_err()
                .contains("twice")
        );
    }
}
