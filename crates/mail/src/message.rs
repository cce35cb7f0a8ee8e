//! A mail as Tandem writes it, and when a failed delivery is tried again. Pure.

use tandem_kernel::FieldError;
use tandem_kernel::text::Email;
use time::Duration;

/// The longest subject, in characters; longer ones are cut with `…`.
pub const MAX_SUBJECT: usize = 200;
/// The most delivery attempts before a mail is given up.
pub const MAX_ATTEMPTS: u32 = 12;

/// A plain-text mail to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: Email,
    /// One line.
    pub subject: String,
    pub body: String,
    /// The path of the record the mail is about (`/tickets/…`), made a link with the
    /// configured public URL when the mail is sent.
    pub link: String,
}

impl Mail {
    /// A mail to `to`; line breaks in the subject become spaces and a long subject is cut.
    pub fn new(to: &str, subject: &str, body: &str, link: &str) -> Result<Self, FieldError> {
        let one_line: String = subject
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let one_line = one_line.split_whitespace().collect::<Vec<_>>().join(" ");
        let subject = if one_line.chars().count() > MAX_SUBJECT {
            let cut: String = one_line.chars().take(MAX_SUBJECT - 1).collect();
            format!("{cut}…")
        } else {
            one_line
        };
        Ok(Self {
            to: Email::parse("to", to)?,
            subject,
            body: body.to_owned(),
            link: link.to_owned(),
        })
    }
}

/// How long to wait after the `attempts`-th failed attempt: one minute, doubling up to six
/// hours; `None` once [`MAX_ATTEMPTS`] have failed (the mail is given up).
pub fn retry_after(attempts: u32) -> Option<Duration> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let minutes = 1_i64 << attempts.saturating_sub(1).min(20);
    Some(Duration::minutes(minutes.min(6 * 60)))
}

/// The text of a mail: the body, then where to find the record when the public URL is known.
pub fn text(body: &str, link: &str, public_url: Option<&str>) -> String {
    match public_url {
        Some(base) if !link.is_empty() => {
            format!("{body}\n\n{}{link}\n", base.trim_end_matches('/'))
        }
        _ => format!("{body}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_one_short_line_and_addresses_are_checked() {
        let mail = Mail::new(
            "Nina@Alpha.example",
            "[T-000001] Echo\r\nBcc: everyone@example.com",
            "Body",
            "/tickets/1",
        )
        .unwrap();
        assert_eq!(mail.subject, "[T-000001] Echo Bcc: everyone@example.com");
        assert_eq!(
            mail.to.as_str(),
            "Nina@alpha.example",
            "the domain in lower case"
        );
        let long = Mail::new("a@b.example", &"x".repeat(300), "", "").unwrap();
        assert_eq!(long.subject.chars().count(), MAX_SUBJECT);
        assert!(long.subject.ends_with('…'));
        assert_eq!(
            Mail::new("not an address", "s", "b", "").unwrap_err().field,
            "to"
        );
    }

    #[test]
    fn retries_back_off_and_end() {
        assert_eq!(retry_after(1), Some(Duration::minutes(1)));
        assert_eq!(retry_after(2), Some(Duration::minutes(2)));
        assert_eq!(retry_after(5), Some(Duration::minutes(16)));
        assert_eq!(retry_after(11), Some(Duration::hours(6)));
        assert_eq!(retry_after(MAX_ATTEMPTS), None);
    }

    #[test]
    fn the_link_is_made_from_the_public_url() {
        assert_eq!(
            text("Hello", "/tickets/7", Some("https://tandem.example/")),
            "Hello\n\nhttps://tandem.example/tickets/7\n"
        );
        assert_eq!(text("Hello", "/tickets/7", None), "Hello\n");
    }
}
