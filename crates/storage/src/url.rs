//! The database URL, which may carry a password: it is shown and logged only with the password
//! masked.

use std::fmt;

use crate::Engine;

/// A validated database URL: `sqlite:` or `postgres:` / `postgresql:`.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.starts_with("sqlite:")
            || raw.starts_with("postgres://")
            || raw.starts_with("postgresql://")
        {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!(
                "unsupported database URL `{}`: expected `sqlite://PATH` or `postgres://USER@HOST/DB`",
                Self(raw.to_owned())
            ))
        }
    }

    /// The URL of an SQLite file at `path`.
    pub fn sqlite_file(path: &std::path::Path) -> Self {
        Self(format!("sqlite://{}", path.display()))
    }

    pub fn engine(&self) -> Engine {
        if self.0.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            Engine::Postgres
        }
    }

    /// The path of the SQLite file, for backup and restore.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        let rest = self.0.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| path.into())
    }

    /// The full URL, password included: only for handing to the driver.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Masks the password between `user:` and `@`.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = &self.0;
        if let Some(scheme_end) = url.find("://") {
            let after = &url[scheme_end + 3..];
            let authority_end = after.find('/').unwrap_or(after.len());
            if let Some(at) = after[..authority_end].rfind('@')
                && let Some(colon) = after[..at].find(':')
            {
                let start = scheme_end + 3;
                return write!(f, "{}:***{}", &url[..start + colon], &url[start + at..]);
            }
        }
        f.write_str(url)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let url = DatabaseUrl::parse("postgres://tandem:s3cret@db.local:5432/tandem").unwrap();
        assert_eq!(
            url.to_string(),
            "postgres://tandem:***@db.local:5432/tandem"
        );
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.engine(), Engine::Postgres);
    }

    #[test]
    fn urls_without_password_show_as_they_are() {
        let url = DatabaseUrl::parse("postgresql://tandem@localhost/tandem").unwrap();
        assert_eq!(url.to_string(), "postgresql://tandem@localhost/tandem");
    }

    #[test]
    fn sqlite_paths_are_extracted() {
        let url = DatabaseUrl::parse("sqlite://data/tandem.sqlite3?mode=rwc").unwrap();
        assert_eq!(
            url.sqlite_path().unwrap(),
            std::path::PathBuf::from("data/tandem.sqlite3")
        );
        assert_eq!(url.engine(), Engine::Sqlite);
        assert_eq!(
            DatabaseUrl::parse("sqlite::memory:").unwrap().sqlite_path(),
            None
        );
    }

    #[test]
    fn other_schemes_are_refused_without_leaking_the_password() {
        let err = DatabaseUrl::parse("mysql://root:hunter2@localhost/x").unwrap_err();
        assert!(err.contains("unsupported database URL"));
        assert!(!err.contains("hunter2"), "{err}");
    }
}
