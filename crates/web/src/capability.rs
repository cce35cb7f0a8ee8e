//! What a capability brings to the application, declared once in its crate: its name, the
//! capabilities it builds on, its migrations, its routes, its entries in the main navigation,
//! its section of the API document, its background jobs and the permissions it owns. The binary
//! assembles all of these from one ordered list, and refuses a list in which a capability comes
//! before one it builds on, or a route needs a permission of a capability it does not build on
//! ([`check_order`]).

use tandem_kernel::{Need, Permission};
use tandem_storage::MigrationSet;

use crate::{Job, Kept, Routes};

/// The groups of the main navigation, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NavGroup {
    /// Organisations, people, teams.
    Directory,
    /// The daily work: the desk, reports, the CMDB, changes.
    Operations,
    /// Calendars, the service catalogue, agreements.
    ServiceLevels,
    /// Frameworks, audits, the trail.
    Compliance,
    /// Accounts and roles.
    Administration,
}

/// One link of the main navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavEntry {
    pub group: NavGroup,
    /// The section its pages name in [`crate::Chrome::new`], which the link highlights.
    pub section: &'static str,
    pub label: &'static str,
    pub href: &'static str,
    /// Shown only to those who hold it.
    pub needs: Permission,
}

/// A capability's section of the API document.
#[derive(Debug, Clone, Copy)]
pub struct ApiTag {
    /// The tag its operations carry (`tag = "…"` of their `utoipa::path`).
    pub name: &'static str,
    pub description: &'static str,
}

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
    /// Its links in the main navigation.
    pub navigation: &'static [NavEntry],
    /// The section of the API document its operations are listed under.
    pub api_tag: Option<ApiTag>,
    /// Its background jobs, made from what the application keeps (a mail sender, say).
    pub jobs: Option<fn(&Kept) -> Vec<Job>>,
    /// The permissions it owns: its routes may need these and those of what it builds on.
    pub permissions: &'static [Permission],
}

/// The navigation of `capabilities`: by group, and within a group in the capabilities' order.
pub fn navigation(capabilities: &[Capability]) -> Vec<NavEntry> {
    let mut entries: Vec<NavEntry> = capabilities
        .iter()
        .flat_map(|c| c.navigation.iter().copied())
        .collect();
    entries.sort_by_key(|e| e.group);
    entries
}

/// The background jobs of `capabilities`.
pub fn jobs(capabilities: &[Capability], kept: &Kept) -> Vec<Job> {
    capabilities
        .iter()
        .filter_map(|c| c.jobs)
        .flat_map(|jobs| jobs(kept))
        .collect()
}

/// Checks that each capability comes after every capability it builds on, that names are
/// unique and agree with the migrations', that no permission is owned twice, and that each
/// capability's routes and navigation need only permissions of its own, of the capabilities
/// below it, or of the platform (`platform`: those the binary's own routes need).
pub fn check_order(capabilities: &[Capability], platform: &[Permission]) -> Result<(), String> {
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
        for permission in capability.permissions {
            let owners = capabilities
                .iter()
                .filter(|c| c.permissions.contains(permission))
                .count();
            if owners > 1 || platform.contains(permission) {
                return Err(format!(
                    "the permission `{}` is owned more than once",
                    permission.as_str()
                ));
            }
        }
        let reach = reach(capabilities, capability);
        let may = |p: &Permission| {
            platform.contains(p) || reach.iter().any(|c| c.permissions.contains(p))
        };
        let routes = [capability.api, capability.pages]
            .into_iter()
            .flatten()
            .flat_map(|routes| routes().declared().to_vec());
        for route in routes {
            if let Need::Permission(p) = route.need
                && !may(&p)
            {
                return Err(format!(
                    "{} {} of `{}` needs `{}`, which neither it nor what it builds on owns",
                    route.method,
                    route.path,
                    capability.name,
                    p.as_str()
                ));
            }
        }
        if let Some(entry) = capability.navigation.iter().find(|e| !may(&e.needs)) {
            return Err(format!(
                "the navigation entry `{}` of `{}` needs `{}`, which neither it nor what it builds on owns",
                entry.label,
                capability.name,
                entry.needs.as_str()
            ));
        }
    }
    Ok(())
}

/// `capability` and every capability it builds on, directly or through others.
pub fn reach<'a>(
    capabilities: &'a [Capability],
    capability: &'a Capability,
) -> Vec<&'a Capability> {
    let mut reach = vec![capability];
    let mut at = 0;
    while let Some(next) = reach.get(at) {
        for needed in next.builds_on {
            if let Some(found) = capabilities.iter().find(|c| c.name == *needed)
                && !reach.iter().any(|c| c.name == found.name)
            {
                reach.push(found);
            }
        }
        at += 1;
    }
    reach
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
            navigation: &[],
            api_tag: None,
            jobs: None,
            permissions: &[],
        }
    }

    #[test]
    fn a_capability_comes_after_what_it_builds_on() {
        let directory = capability("directory", &[]);
        let desk = capability("service-desk", &["directory"]);
        assert_eq!(check_order(&[directory, desk], &[]), Ok(()));
        assert_eq!(
            check_order(&[desk, directory], &[]).unwrap_err(),
            "the capability `service-desk` builds on `directory`, which does not come before it"
        );
        assert!(
            check_order(&[directory, directory], &[])
                .unwrap_err()
                .contains("twice")
        );
    }

    fn read_tickets() -> Routes {
        Routes::new().get(
            "/tickets",
            Need::Permission(Permission::TicketsRead),
            || async { "" },
        )
    }

    #[test]
    fn routes_and_links_need_only_permissions_of_what_a_capability_builds_on() {
        let mut directory = capability("directory", &[]);
        directory.permissions = &[Permission::DirectoryRead];
        let mut desk = capability("service-desk", &["directory"]);
        desk.permissions = &[Permission::TicketsRead];
        desk.api = Some(read_tickets);
        assert_eq!(check_order(&[directory, desk], &[]), Ok(()));

        // The directory may not need the desk's permission, in a route or in a link.
        let mut reaching_up = directory;
        reaching_up.pages = Some(read_tickets);
        assert_eq!(
            check_order(&[reaching_up, desk], &[]).unwrap_err(),
            "GET /tickets of `directory` needs `tickets.read`, which neither it nor what it builds on owns"
        );
        let mut linking_up = directory;
        linking_up.navigation = &[NavEntry {
            group: NavGroup::Operations,
            section: "desk",
            label: "Desk",
            href: "/desk",
            needs: Permission::TicketsRead,
        }];
        assert!(
            check_order(&[linking_up, desk], &[])
                .unwrap_err()
                .contains("navigation entry `Desk`")
        );
        // Unless the platform holds it; and a permission has one owner.
        assert_eq!(
            check_order(
                &[reaching_up, capability("service-desk", &["directory"])],
                &[Permission::TicketsRead]
            ),
            Ok(())
        );
        let mut twice = desk;
        twice.permissions = &[Permission::DirectoryRead];
        assert!(
            check_order(&[directory, twice], &[])
                .unwrap_err()
                .contains("`directory.read` is owned more than once")
        );
    }

    #[test]
    fn the_navigation_shows_groups_in_order_and_capabilities_in_theirs() {
        const fn entry(group: NavGroup, label: &'static str) -> NavEntry {
            NavEntry {
                group,
                section: label,
                label,
                href: "/",
                needs: Permission::DirectoryRead,
            }
        }
        const PEOPLE: &[NavEntry] = &[
            entry(NavGroup::Directory, "People"),
            entry(NavGroup::Directory, "Teams"),
        ];
        let mut admin = capability("identity", &[]);
        admin.navigation = &[NavEntry {
            group: NavGroup::Administration,
            section: "admin",
            label: "Access",
            href: "/admin/accounts",
            needs: Permission::AccessManage,
        }];
        let mut directory = capability("directory", &[]);
        directory.navigation = PEOPLE;
        let labels: Vec<&str> = navigation(&[admin, directory])
            .iter()
            .map(|e| e.label)
            .collect();
        assert_eq!(labels, ["People", "Teams", "Access"]);
    }
}
