//! Checkpoints: a signed statement of the trail's head (the newest entry's number and hash, and
//! when the statement was made) that the operator keeps outside the database. A trail that no
//! longer holds that entry with that hash was cut short or rewritten, even when its own chain
//! checks out. Pure: the statement's text, its HMAC-SHA256 signature and reading it back.
//!
//! A statement is five lines; the signature covers the first four, each ending in a line feed,
//! exactly as printed (here with the example key of docs/audit.md):
//!
//! ```text
//! Tandem audit trail checkpoint
//! seq: 1234
//! hash: 2c252d4bea3b4a07aec54839646988cc6b8b5554523f14d79df4f52a8f0e3af1
//! at: 2026-12-07T02:15:00Z
//! hmac: 6a71ae88019602dab9378bfa6e699821952d3336aaf21a4cad6f69e7673862f5
//! ```

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The first line of a statement; it names the format.
pub const TITLE: &str = "Tandem audit trail checkpoint";
/// The shortest key accepted, in bytes.
pub const MIN_KEY_BYTES: usize = 32;

/// The secret checkpoints are signed with: the bytes of the configured text. Never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(Vec<u8>);

impl Key {
    /// The key of `secret`, if it is long enough; the error says what is wrong without the
    /// secret.
    pub fn new(secret: &str) -> Result<Self, String> {
        if secret.len() < MIN_KEY_BYTES {
            return Err(format!(
                "is too short: use at least {MIN_KEY_BYTES} characters, such as the output of `openssl rand -hex 32`"
            ));
        }
        Ok(Self(secret.as_bytes().to_vec()))
    }

    fn mac(&self, signed: &str) -> Hmac<Sha256> {
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(signed.as_bytes());
        mac
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(not shown)")
    }
}

/// The head of the trail at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// When the statement was made.
    pub at: OffsetDateTime,
}

/// Why a statement is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("it holds no line `Tandem audit trail checkpoint`")]
    NoTitle,
    #[error("the line `{0}: …` after the title is missing or not valid")]
    Line(&'static str),
    #[error(
        "its signature does not match: the statement was changed, or signed with another audit_checkpoint_key"
    )]
    Signature,
}

/// The lines the signature covers.
fn signed_text(seq: &str, hash: &str, at: &str) -> String {
    format!("{TITLE}\nseq: {seq}\nhash: {hash}\nat: {at}\n")
}

fn is_hex_digest(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl Checkpoint {
    /// When the statement was made, to the second: `2026-12-07T02:15:00Z`.
    pub fn at_text(&self) -> String {
        let format =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        self.at
            .to_offset(time::UtcOffset::UTC)
            .format(&format)
            .unwrap_or_default()
    }

    /// The signed statement, ending in a line feed.
    pub fn statement(&self, key: &Key) -> String {
        let signed = signed_text(&self.seq.to_string(), &self.hash, &self.at_text());
        let tag = key.mac(&signed).finalize().into_bytes();
        format!("{signed}hmac: {}\n", tandem_kernel::text::hex(&tag))
    }

    /// Reads the statement in `text` and checks its signature with `key`. Lines before the
    /// title and after the `hmac` line are ignored, so a whole saved mail can be read; spaces
    /// around each line and Windows line ends are too.
    pub fn read(text: &str, key: &Key) -> Result<Self, Refused> {
        let mut lines = text
            .lines()
            .map(str::trim)
            .skip_while(|line| *line != TITLE);
        lines.next().ok_or(Refused::NoTitle)?;
        let mut value = |name: &'static str| {
            lines
                .next()
                .and_then(|line| line.strip_prefix(name)?.strip_prefix(": "))
                .map(str::trim)
                .ok_or(Refused::Line(name))
        };
        let (seq, hash, at, tag) = (value("seq")?, value("hash")?, value("at")?, value("hmac")?);
        let checkpoint = Self {
            seq: seq
                .parse::<i64>()
                .ok()
                .filter(|seq| *seq > 0)
                .ok_or(Refused::Line("seq"))?,
            hash: is_hex_digest(hash)
                .then(|| hash.to_owned())
                .ok_or(Refused::Line("hash"))?,
            at: OffsetDateTime::parse(at, &Rfc3339).map_err(|_| Refused::Line("at"))?,
        };
        let tag = tandem_kernel::text::unhex(tag).ok_or(Refused::Line("hmac"))?;
        key.mac(&signed_text(seq, hash, at))
            .verify_slice(&tag)
            .map_err(|_| Refused::Signature)?;
        Ok(checkpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn key(secret: &str) -> Key {
        Key::new(secret).unwrap()
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            seq: 1234,
            hash: "2c252d4bea3b4a07aec54839646988cc6b8b5554523f14d79df4f52a8f0e3af1".into(),
            at: datetime!(2026-12-07 02:15:00.75 UTC),
        }
    }

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_statement_is_five_lines_and_reads_back() {
        let statement = checkpoint().statement(&key(KEY));
        let lines: Vec<&str> = statement.lines().collect();
        assert_eq!(
            lines[..4],
            [
                "Tandem audit trail checkpoint",
                "seq: 1234",
                "hash: 2c252d4bea3b4a07aec54839646988cc6b8b5554523f14d79df4f52a8f0e3af1",
                "at: 2026-12-07T02:15:00Z",
            ]
        );
        assert!(lines[4].starts_with("hmac: ") && lines[4].len() == 6 + 64);
        assert_eq!(lines.len(), 5);
        let read = Checkpoint::read(&statement, &key(KEY)).unwrap();
        assert_eq!(
            (read.seq, read.hash.as_str(), read.at),
            (
                1234,
                checkpoint().hash.as_str(),
                datetime!(2026-12-07 02:15 UTC)
            )
        );
        let mail = format!(
            "Subject: checkpoint\r\n\r\n{}\r\nKeep this mail.\r\n",
            statement.replace('\n', "\r\n  ")
        );
        assert_eq!(
            Checkpoint::read(&mail, &key(KEY)).unwrap().seq,
            1234,
            "a saved mail reads"
        );
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_the_first_four_lines() {
        // The example of docs/audit.md, as `openssl dgst -sha256 -hmac KEY` computes it.
        let statement = checkpoint().statement(&key(
            "an example key; make your own with openssl rand -hex 32",
        ));
        assert_eq!(
            statement,
            "Tandem audit trail checkpoint\n\
             seq: 1234\n\
             hash: 2c252d4bea3b4a07aec54839646988cc6b8b5554523f14d79df4f52a8f0e3af1\n\
             at: 2026-12-07T02:15:00Z\n\
             hmac: 6a71ae88019602dab9378bfa6e699821952d3336aaf21a4cad6f69e7673862f5\n"
        );
    }

    #[test]
    fn a_changed_statement_or_another_key_is_refused() {
        let statement = checkpoint().statement(&key(KEY));
        for (from, to) in [
            ("seq: 1234", "seq: 1233"),
            ("hash: 2c25", "hash: 3c25"),
            ("at: 2026-12-07T02", "at: 2026-12-08T02"),
        ] {
            let changed = statement.replace(from, to);
            assert_eq!(
                Checkpoint::read(&changed, &key(KEY)),
                Err(Refused::Signature),
                "{to}"
            );
        }
        assert_eq!(
            Checkpoint::read(&statement, &key("another key, also long enough......")),
            Err(Refused::Signature)
        );
        let (signed, tag) = statement.rsplit_once("hmac: ").unwrap();
        let flipped = format!(
            "{signed}hmac: {}{}",
            if tag.starts_with('0') { '1' } else { '0' },
            &tag[1..]
        );
        assert_eq!(
            Checkpoint::read(&flipped, &key(KEY)),
            Err(Refused::Signature)
        );
    }

    #[test]
    fn malformed_statements_name_the_line() {
        let statement = checkpoint().statement(&key(KEY));
        assert_eq!(
            Checkpoint::read("seq: 1\n", &key(KEY)),
            Err(Refused::NoTitle)
        );
        for (from, to, line) in [
            ("seq: 1234", "seq: twelve", "seq"),
            ("seq: 1234", "seq: 0", "seq"),
            ("hash: 2c25", "hash: 2C25", "hash"),
            ("at: 2026-12-07T02:15:00Z", "at: yesterday", "at"),
            ("hmac: ", "hmac: zz", "hmac"),
            ("seq: 1234\n", "", "seq"),
        ] {
            assert_eq!(
                Checkpoint::read(&statement.replace(from, to), &key(KEY)),
                Err(Refused::Line(line)),
                "{to}"
            );
        }
    }

    #[test]
    fn short_keys_are_refused_and_keys_are_never_shown() {
        let error = Key::new("short secret").unwrap_err();
        assert!(error.contains("at least 32") && !error.contains("short secret"));
        assert_eq!(format!("{:?}", key(KEY)), "Key(not shown)");
    }
}
