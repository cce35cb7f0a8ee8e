//! Configuration: built-in defaults, then a TOML file, then `TANDEM_*` environment variables,
//! each overriding the one before.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use tandem_kernel::Roles;
use tandem_storage::DatabaseUrl;

/// The settings of one Tandem installation.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where Tandem keeps its files: the SQLite database (unless `database_url` says otherwise).
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST:PORT/DATABASE`; empty means the SQLite
    /// file `tandem.sqlite3` in `data_dir`.
    pub database_url: Option<String>,
    /// Address and port the HTTP server listens on.
    pub bind: SocketAddr,
    /// The URL people reach Tandem at (for links in e-mails), e.g. `https://tandem.example.com`.
    pub public_url: Option<String>,
    /// Log filter: `error`, `warn`, `info`, `debug`, `trace`, or per-module directives.
    pub log_level: String,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// Roles whose holders must set up two-factor authentication before using Tandem.
    pub mfa_required_roles: Vec<String>,
    /// PEM certificate chain: with `tls_key`, `serve` speaks HTTPS itself.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// Reverse proxies whose `X-Forwarded-For` header is believed for the client's address.
    pub trusted_proxies: Vec<IpAddr>,
    /// The SMTP server mail is sent through (`smtp://HOST:PORT`, `smtps://USER:PASSWORD@HOST`,
    /// `?tls=required` for STARTTLS); unset, mail waits in the outbox. Never logged.
    pub smtp_url: Option<String>,
    /// The sender of Tandem's mail, `Name <address>`.
    pub mail_from: String,
    /// The secret `tandem audit checkpoint` signs its statements with (HMAC-SHA256), at least
    /// 32 characters; unset, no checkpoint can be made or checked. Never logged or shown.
    pub audit_checkpoint_key: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("tandem-data"),
            database_url: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            log_level: "info".into(),
            log_format: LogFormat::Text,
            mfa_required_roles: vec!["administrator".into(), "ciso".into()],
            tls_cert: None,
            tls_key: None,
            trusted_proxies: Vec::new(),
            smtp_url: None,
            mail_from: "Tandem <tandem@localhost>".into(),
            audit_checkpoint_key: None,
        }
    }
}

/// The environment variables read, each `TANDEM_` followed by the upper-cased key.
const ENV_KEYS: [&str; 13] = [
    "data_dir",
    "database_url",
    "bind",
    "public_url",
    "log_level",
    "log_format",
    "mfa_required_roles",
    "tls_cert",
    "tls_key",
    "trusted_proxies",
    "smtp_url",
    "mail_from",
    "audit_checkpoint_key",
];

/// The file read when no `--config` is given, if it exists.
pub const DEFAULT_FILE: &str = "tandem.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the configuration file `{0}` does not exist")]
    Missing(PathBuf),
    #[error("the configuration is invalid: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads the configuration from `file` (or `tandem.toml` if present) and the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        match file {
            Some(path) if !path.exists() => return Err(ConfigError::Missing(path.to_owned())),
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new(DEFAULT_FILE).exists() => {
                figment = figment.merge(Toml::file_exact(DEFAULT_FILE))
            }
            None => {}
        }
        figment = figment.merge(Env::prefixed("TANDEM_").only(&ENV_KEYS));
        let config: Self = figment.extract().map_err(|e| {
            // A key that is not text would be quoted in the message: name the setting only.
            if e.clone()
                .into_iter()
                .any(|e| e.path.iter().any(|p| p == "audit_checkpoint_key"))
            {
                ConfigError::Invalid(
                    "audit_checkpoint_key must be text (in quotes in the file); its value is not shown"
                        .into(),
                )
            } else {
                ConfigError::Invalid(redact(&e.to_string()))
            }
        })?;
        config.database_url()?;
        config.mfa_required()?;
        config.mail_sender()?;
        config.checkpoint_key()?;
        if config.tls_cert.is_some() != config.tls_key.is_some() {
            return Err(ConfigError::Invalid(
                "tls_cert and tls_key go together: give both files, or neither".into(),
            ));
        }
        Ok(config)
    }

    /// The roles of `mfa_required_roles`; an unknown name is an error naming the known ones.
    pub fn mfa_required(&self) -> Result<Roles, ConfigError> {
        Roles::parse_list("mfa_required_roles", &self.mfa_required_roles.join(","))
            .map_err(|e| ConfigError::Invalid(e.to_string()))
    }

    /// The sender of the outbox, if `smtp_url` is set.
    pub fn mail_sender(&self) -> Result<Option<tandem_mail::sender::Sender>, ConfigError> {
        match self
            .smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            None => Ok(None),
            Some(url) => {
                tandem_mail::sender::Sender::new(url, &self.mail_from, self.public_url.clone())
                    .map(Some)
                    .map_err(|e| ConfigError::Invalid(e.to_string()))
            }
        }
    }

    /// The key of audit trail checkpoints, if `audit_checkpoint_key` is set.
    pub fn checkpoint_key(&self) -> Result<Option<tandem_audit::checkpoint::Key>, ConfigError> {
        self.audit_checkpoint_key
            .as_deref()
            .filter(|k| !k.is_empty())
            .map(|k| {
                tandem_audit::checkpoint::Key::new(k)
                    .map_err(|e| ConfigError::Invalid(format!("audit_checkpoint_key {e}")))
            })
            .transpose()
    }

    /// Whether `serve` speaks HTTPS itself.
    pub fn serves_tls(&self) -> bool {
        self.tls_cert.is_some() && self.tls_key.is_some()
    }

    /// The database to use: `database_url`, or the SQLite file in `data_dir`.
    pub fn database_url(&self) -> Result<DatabaseUrl, ConfigError> {
        match self
            .database_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(url) => DatabaseUrl::parse(url).map_err(ConfigError::Invalid),
            None => Ok(DatabaseUrl::sqlite_file(
                &self.data_dir.join("tandem.sqlite3"),
            )),
        }
    }
}

/// Masks anything that looks like a password in a URL inside `text`.
fn redact(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let trimmed = word.trim_matches(|c| c == '"' || c == '`' || c == '\'');
            match DatabaseUrl::parse(trimmed) {
                Ok(url) => word.replace(trimmed, &url.to_string()),
                Err(_) => word.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url().map(|u| u.to_string()).ok(),
            )
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("log_level", &self.log_level)
            .field("log_format", &self.log_format)
            .field("mfa_required_roles", &self.mfa_required_roles)
            .field("tls_cert", &self.tls_cert)
            .field("tls_key", &self.tls_key)
            .field("trusted_proxies", &self.trusted_proxies)
            .field(
                "smtp_url",
                &self.smtp_url.as_ref().map(|_| "(set, not shown)"),
            )
            .field("mail_from", &self.mail_from)
            .field(
                "audit_checkpoint_key",
                &self
                    .audit_checkpoint_key
                    .as_ref()
                    .map(|_| "(set, not shown)"),
            )
            .finish()
    }
}

/// The commented configuration printed by `tandem default-config`.
pub const COMMENTED_DEFAULT: &str = r#"# Tandem configuration. Every setting can also be given as an environment variable:
# TANDEM_ followed by the key in capitals (TANDEM_DATABASE_URL, TANDEM_BIND, ...), which wins
# over this file. Tandem reads ./tandem.toml when it exists, or the file given with --config.

# Where Tandem keeps its files. The embedded SQLite database lives here unless database_url
# points elsewhere.
data_dir = "tandem-data"

# The database. Leave unset for the embedded SQLite file in data_dir. For PostgreSQL:
# database_url = "postgres://tandem:PASSWORD@localhost:5432/tandem"
# For SQLite elsewhere:
# database_url = "sqlite:///var/lib/tandem/tandem.sqlite3"

# The address and port the web server listens on. Use 0.0.0.0:8080 to listen on every interface.
bind = "127.0.0.1:8080"

# The address people reach Tandem at, used in links Tandem sends out.
# public_url = "https://tandem.example.com"

# Log filter: error, warn, info, debug or trace, or per-module directives such as
# "info,tandem_storage=debug".
log_level = "info"

# Log format: "text" for people, "json" for log collectors.
log_format = "text"

# Roles whose holders must set up two-factor authentication (TOTP) before they can use anything
# but their own account pages. The roles: administrator, service-desk-agent, engineer,
# service-manager, change-manager, cab-member, ciso, auditor, customer-user.
mfa_required_roles = ["administrator", "ciso"]

# HTTPS without a reverse proxy: a PEM certificate chain and its private key. Cookies are then
# marked Secure. Leave unset behind a proxy that terminates TLS (and set public_url to https://).
# tls_cert = "/etc/tandem/cert.pem"
# tls_key = "/etc/tandem/key.pem"

# Reverse proxies in front of Tandem whose X-Forwarded-For header names the client's address
# (for the audit trail and sign-in throttling). Requests from other addresses are taken as the
# client's own.
trusted_proxies = []

# Outgoing mail (escalation notices, answers to customers). Unset, mail waits in the outbox
# (Access > Outbox) and is sent once a server is configured. The URL may carry a user and
# password; Tandem never logs or shows it. smtp:// is plain (port 25 on a local relay),
# ?tls=required asks for STARTTLS, smtps:// is TLS from the start (port 465).
# smtp_url = "smtp://relay.example.com:587?tls=required"
mail_from = "Tandem <tandem@localhost>"

# The secret that signs audit trail checkpoints (`tandem audit checkpoint`, checked by
# `tandem audit verify --checkpoint FILE`): at least 32 characters, for example the output of
# `openssl rand -hex 32`. Keep a copy where the database's administrators cannot reach it;
# Tandem never logs or shows it. Unset, no checkpoint can be made or checked.
# audit_checkpoint_key = "…"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commented_default_is_the_default() {
        let parsed: Config = toml::from_str(COMMENTED_DEFAULT).unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn without_a_database_url_the_sqlite_file_lives_in_the_data_dir() {
        let config = Config {
            data_dir: "/srv/tandem".into(),
            ..Config::default()
        };
        assert_eq!(
            config.database_url().unwrap().expose(),
            "sqlite:///srv/tandem/tandem.sqlite3"
        );
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let config = Config {
            database_url: Some("postgres://tandem:topsecret@db/tandem".into()),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert!(shown.contains("postgres://tandem:***@db/tandem"), "{shown}");
    }

    #[test]
    fn debug_output_hides_the_smtp_url_and_bad_mail_settings_are_refused() {
        let config = Config {
            smtp_url: Some("smtps://desk:hunter2@mail.example.com".into()),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("(set, not shown)"),
            "{shown}"
        );
        assert!(config.mail_sender().unwrap().is_some());
        let bad = Config {
            smtp_url: Some("mailto:desk:hunter2@mail".into()),
            ..Config::default()
        };
        let error = bad.mail_sender().unwrap_err().to_string();
        assert!(
            error.contains("smtp_url") && !error.contains("hunter2"),
            "{error}"
        );
        let from = Config {
            smtp_url: Some("smtp://localhost:25".into()),
            mail_from: "not an address".into(),
            ..Config::default()
        };
        assert!(
            from.mail_sender()
                .unwrap_err()
                .to_string()
                .contains("mail_from")
        );
    }

    #[test]
    fn the_checkpoint_key_is_never_shown_and_must_be_long_enough() {
        let config = Config {
            audit_checkpoint_key: Some("a checkpoint key that is long enough".into()),
            ..Config::default()
        };
        let shown = format!("{config:?} {:?}", config.checkpoint_key());
        assert!(
            !shown.contains("long enough") && shown.contains("(set, not shown)"),
            "{shown}"
        );
        assert!(config.checkpoint_key().unwrap().is_some());
        assert!(Config::default().checkpoint_key().unwrap().is_none());
        let short = Config {
            audit_checkpoint_key: Some("hunter2".into()),
            ..Config::default()
        };
        let error = short.checkpoint_key().unwrap_err().to_string();
        assert!(
            error.contains("audit_checkpoint_key is too short") && !error.contains("hunter2"),
            "{error}"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tandem.toml");
        std::fs::write(&file, "audit_checkpoint_key = 123456789\n").unwrap();
        let error = Config::load(Some(&file)).unwrap_err().to_string();
        assert!(
            error.contains("audit_checkpoint_key must be text") && !error.contains("123456789"),
            "{error}"
        );
    }

    #[test]
    fn unknown_roles_are_refused() {
        let config = Config {
            mfa_required_roles: vec!["root".into()],
            ..Config::default()
        };
        let error = config.mfa_required().unwrap_err().to_string();
        assert!(error.contains("`root` is not a role"), "{error}");
        assert_eq!(
            Config::default().mfa_required().unwrap().to_string(),
            "administrator, ciso"
        );
    }

    #[test]
    fn figment_errors_are_redacted() {
        assert_eq!(
            redact("invalid value `postgres://u:pw@h/db` for key"),
            "invalid value `postgres://u:***@h/db` for key"
        );
    }
}
