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

/// The mail capability, as the binary assembles it.
pub const CAPABILITY: tandem_web::Capability = tandem_web::Capability {
    name: "mail",
    builds_on: &[],
    migrations: MIGRATIONS,
    api: None,
    pages: Some(pages::routes),
    navigation: &[],
    api_tag: None,
    jobs: Some(jobs),
    permissions: &[],
};

/// How often the outbox is looked at for mail to send.
pub const MAIL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(15);

/// The mail sender's background job: every [`MAIL_INTERVAL`], the outbox's due mail goes to
/// the SMTP server through `sender`; failed mail waits for its next attempt. It counts the
/// mails sent.
pub fn delivery_job(sender: impl Into<std::sync::Arc<sender::Sender>>) -> tandem_web::Job {
    let sender = sender.into();
    tandem_web::Job::new("mail", MAIL_INTERVAL, move |db, now| {
        let sender = sender.clone();
        async move {
            let round = sender.deliver_due(&db, now).await?;
            if round.failed > 0 {
                tracing::warn!(failed = round.failed, "some mail could not be sent yet");
            }
            Ok(round.sent)
        }
    })
}

/// The mail capability's jobs: delivery, when the application keeps a [`sender::Sender`] (an
/// SMTP server is configured); without one, mail waits in the outbox.
fn jobs(kept: &tandem_web::Kept) -> Vec<tandem_web::Job> {
    kept.get::<sender::Sender>()
        .map(delivery_job)
        .into_iter()
        .collect()
}
