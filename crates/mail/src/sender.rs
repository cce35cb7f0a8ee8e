//! Delivering the outbox over SMTP with lettre. The SMTP URL may hold a password: it is never
//! logged, shown in errors or printed by `Debug`.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tandem_storage::Db;
use time::OffsetDateTime;

use crate::message::text;
use crate::store;

/// Why the mail settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "smtp_url is not a usable SMTP URL (smtp://HOST:PORT, smtp://HOST:PORT?tls=required or smtps://USER:PASSWORD@HOST:PORT)"
    )]
    Url,
    #[error(
        "mail_from is not an e-mail address with an optional name (\"Tandem <desk@example.com>\")"
    )]
    From,
}

/// How many mails one round handed over, and how many failed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
}

/// Sends the outbox's due mail through one SMTP server.
pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: Option<String>,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("from", &self.from.to_string())
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Sender {
    /// A sender for `smtp_url` (`smtp://`, `smtps://`, with `?tls=required` for STARTTLS),
    /// writing as `from`; links in mail start with `public_url`.
    pub fn new(
        smtp_url: &str,
        from: &str,
        public_url: Option<String>,
    ) -> Result<Self, SettingsError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|_| SettingsError::Url)?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        let from = from.parse().map_err(|_| SettingsError::From)?;
        Ok(Self {
            transport,
            from,
            public_url,
        })
    }

    /// Tries every mail due at `now` once, claiming a few at a time so that another sender on
    /// the same database never sends the same mail: sent ones are marked sent, failed ones
    /// wait for their next attempt.
    pub async fn deliver_due(&self, db: &Db, now: OffsetDateTime) -> tandem_kernel::Result<Round> {
        let mut round = Round::default();
        loop {
            let claimed = store::claim_due(db, now, store::CLAIM_SIZE).await?;
            if claimed.is_empty() {
                return Ok(round);
            }
            self.deliver(db, now, &claimed, &mut round).await?;
        }
    }

    async fn deliver(
        &self,
        db: &Db,
        now: OffsetDateTime,
        claimed: &[store::Outgoing],
        round: &mut Round,
    ) -> tandem_kernel::Result<()> {
        for mail in claimed {
            match self.send(mail).await {
                Ok(()) => {
                    store::sent(db, mail.id, now).await?;
                    round.sent += 1;
                }
                Err(error) => {
                    tracing::warn!(mail = %mail.id, attempts = mail.attempts + 1, %error, "a mail could not be sent");
                    store::failed(db, mail.id, mail.attempts, now, &error).await?;
                    round.failed += 1;
                }
            }
        }
        Ok(())
    }

    async fn send(&self, mail: &store::Outgoing) -> Result<(), String> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|_| format!("{} is not an address", mail.recipient))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(text(&mail.body, &mail.link, self.public_url.as_deref()))
            .map_err(|e| format!("the mail could not be built: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| describe(&e))
    }
}

/// An SMTP failure in words, without the server's address or credentials.
fn describe(error: &lettre::transport::smtp::Error) -> String {
    if error.is_permanent() {
        format!(
            "the SMTP server refused the mail ({})",
            error.status().map(|c| c.to_string()).unwrap_or_default()
        )
    } else if error.is_transient() {
        format!(
            "the SMTP server asked to try again later ({})",
            error.status().map(|c| c.to_string()).unwrap_or_default()
        )
    } else if error.is_timeout() {
        "the SMTP server did not answer in time".to_owned()
    } else {
        "the SMTP server could not be reached or the connection failed".to_owned()
    }
}
