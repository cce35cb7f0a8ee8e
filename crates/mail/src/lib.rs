//! Outgoing e-mail. Owns the table `mail_outbox`.
//!
//! A capability that has something to tell (an escalation, an answer to a customer) adds a
//! [`message::Mail`] with [`store::enqueue`] inside its own transaction, so the mail exists
//! exactly when the change does. [`sender::Sender`] delivers due mail over SMTP, counts failed
//! attempts and tries again later ([`message::retry_after`]). No other crate talks SMTP.
//! [`message`] is pure; [`store`] reads and writes the outbox; [`sender`] is the SMTP edge;
//! [`pages`] shows the outbox to administrators.

pub mod message;
pub mod pages;
pub mod sender;
pub mod store;

use sqlx::migrate::Migrator;
use tandem_storage::MigrationSet;

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The outbox's schema, for both engines.
pub const MIGRATIONS: MigrationSet = MigrationSet {
    capability: "mail",
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};
