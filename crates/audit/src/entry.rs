//! Audit entries without I/O: what changed, how an entry is hashed, and how a chain is checked.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What happened to the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    /// A sensitive read: an export of the trail, an audit pack, a report.
    Read,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Read => "read",
        }
    }
}

/// The changed fields of a record: name, value before, value after.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes(pub Vec<(String, Option<String>, Option<String>)>);

impl Changes {
    /// A new record: every field with its value.
    pub fn created<F: AsRef<str>>(fields: &[(F, String)]) -> Self {
        Self(
            fields
                .iter()
                .map(|(f, v)| (f.as_ref().to_owned(), None, Some(v.clone())))
                .collect(),
        )
    }

    /// A removed record: every field with the value it had.
    pub fn deleted<F: AsRef<str>>(fields: &[(F, String)]) -> Self {
        Self(
            fields
                .iter()
                .map(|(f, v)| (f.as_ref().to_owned(), Some(v.clone()), None))
                .collect(),
        )
    }

    /// The fields whose value differs between `before` and `after` (same field names, same
    /// order).
    pub fn diff<F: AsRef<str>>(before: &[(F, String)], after: &[(F, String)]) -> Self {
        Self(
            before
                .iter()
                .zip(after)
                .filter(|((_, b), (_, a))| b != a)
                .map(|((f, b), (_, a))| (f.as_ref().to_owned(), Some(b.clone()), Some(a.clone())))
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The changes as JSON: `{"field": [before, after], …}`, fields sorted by name.
    pub fn to_json(&self) -> String {
        let mut map = serde_json::Map::new();
        for (field, before, after) in &self.0 {
            map.insert(field.clone(), serde_json::json!([before, after]));
        }
        serde_json::Value::Object(map).to_string()
    }
}

/// The hash of the entry before the first one.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The content of an entry that its hash covers.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub actor_kind: String,
    pub actor_id: Option<uuid::Uuid>,
    pub actor_label: String,
    pub address: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON, as [`Changes::to_json`] writes it.
    pub changes: String,
    pub prev_hash: String,
    pub hash: String,
}

fn field(out: &mut Vec<u8>, value: &str) {
    // Length-prefixed, so that no choice of values can make two entries hash alike.
    out.extend_from_slice(value.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}

impl Entry {
    /// The time for people: `2026-11-23 05:47:13 UTC`.
    pub fn when(&self) -> String {
        let format =
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
        self.at
            .to_offset(time::UtcOffset::UTC)
            .format(&format)
            .unwrap_or_default()
    }

    /// The address of the page listing this record's entries.
    pub fn record_href(&self) -> String {
        format!(
            "/audit?entity={}&entity_id={}",
            tandem_web::page::encode_component(&self.entity),
            tandem_web::page::encode_component(&self.entity_id)
        )
    }

    /// SHA-256 over every field but the hash itself, hex-encoded.
    pub fn compute_hash(&self) -> String {
        let mut bytes = Vec::with_capacity(256 + self.changes.len());
        for value in [
            self.seq.to_string(),
            self.at.format(&Rfc3339).unwrap_or_default(),
            self.actor_kind.clone(),
            self.actor_id.map(|i| i.to_string()).unwrap_or_default(),
            self.actor_label.clone(),
            self.address.clone().unwrap_or_default(),
            self.action.clone(),
            self.entity.clone(),
            self.entity_id.clone(),
            self.changes.clone(),
            self.prev_hash.clone(),
        ] {
            field(&mut bytes, &value);
        }
        tandem_kernel::text::hex(&Sha256::digest(&bytes))
    }
}

/// Why a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    #[error(
        "entry {seq} was changed after it was written (its hash no longer matches its content)"
    )]
    Altered { seq: i64 },
    #[error(
        "entry {seq} does not follow entry {previous}: an entry before it was removed or changed"
    )]
    Unlinked { seq: i64, previous: i64 },
    #[error("entry {missing} is missing: the entry after {after} is {seq}")]
    Gap { seq: i64, after: i64, missing: i64 },
    #[error(
        "the trail ends at entry {last}, but {head} entries were written: the last ones were removed"
    )]
    Truncated { last: i64, head: i64 },
    /// A column of the entry holds a value of the wrong kind (on SQLite, which stores whatever
    /// it is given), so the entry cannot be read, let alone hashed.
    #[error("entry {seq} cannot be read, a column of it was changed: {reason}")]
    Unreadable { seq: i64, reason: String },
    #[error("{0}")]
    Head(HeadFault),
}

/// Why the head of the trail (the one row of `audit_head`: the newest entry's number and hash)
/// cannot be used. No entry can be appended without it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadFault {
    #[error("the audit trail's head row (table `audit_head`) is missing")]
    Missing,
    #[error("the audit trail's head row (table `audit_head`) cannot be read: {0}")]
    Unreadable(String),
}

/// Walks a chain in sequence order, one entry at a time.
#[derive(Debug, Clone)]
pub struct ChainCheck {
    last_seq: i64,
    last_hash: String,
    pub checked: u64,
}

impl Default for ChainCheck {
    fn default() -> Self {
        Self {
            last_seq: 0,
            last_hash: GENESIS.to_owned(),
            checked: 0,
        }
    }
}

impl ChainCheck {
    /// Checks the next entry; the first problem is the answer.
    pub fn next(&mut self, entry: &Entry) -> Result<(), Broken> {
        if entry.seq != self.last_seq + 1 {
            return Err(Broken::Gap {
                seq: entry.seq,
                after: self.last_seq,
                missing: self.last_seq + 1,
            });
        }
        if entry.compute_hash() != entry.hash {
            return Err(Broken::Altered { seq: entry.seq });
        }
        if entry.prev_hash != self.last_hash {
            return Err(Broken::Unlinked {
                seq: entry.seq,
                previous: self.last_seq,
            });
        }
        self.last_seq = entry.seq;
        self.last_hash = entry.hash.clone();
        self.checked += 1;
        Ok(())
    }

    /// Checks the end of the chain against the head the writers keep.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<u64, Broken> {
        if head_seq != self.last_seq {
            return Err(Broken::Truncated {
                last: self.last_seq,
                head: head_seq,
            });
        }
        if head_hash != self.last_hash {
            return Err(Broken::Altered { seq: head_seq });
        }
        Ok(self.checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let mut entry = Entry {
                    seq,
                    at: datetime!(2026-11-02 09:00 UTC),
                    actor_kind: "person".into(),
                    actor_id: None,
                    actor_label: "nina.keller@alpha.example".into(),
                    address: Some("10.0.0.1".into()),
                    action: "update".into(),
                    entity: "person".into(),
                    entity_id: format!("id-{seq}"),
                    changes: Changes::diff(
                        &[("job_title", "agent".into())],
                        &[("job_title", "lead".into())],
                    )
                    .to_json(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                entry.hash = entry.compute_hash();
                prev = entry.hash.clone();
                entry
            })
            .collect()
    }

    fn check(entries: &[Entry]) -> Result<u64, Broken> {
        let mut check = ChainCheck::default();
        for entry in entries {
            check.next(entry)?;
        }
        let last = entries.last();
        check.finish(last.map_or(0, |e| e.seq), last.map_or(GENESIS, |e| &e.hash))
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(check(&chain(5)), Ok(5));
        assert_eq!(check(&[]), Ok(0));
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut entries = chain(5);
        entries[2].actor_label = "someone.else@alpha.example".into();
        assert_eq!(check(&entries), Err(Broken::Altered { seq: 3 }));
    }

    #[test]
    fn a_rehashed_edit_breaks_the_link_to_the_next_entry() {
        let mut entries = chain(5);
        entries[2].changes = "{}".into();
        entries[2].hash = entries[2].compute_hash();
        assert_eq!(
            check(&entries),
            Err(Broken::Unlinked {
                seq: 4,
                previous: 3
            })
        );
    }

    #[test]
    fn a_removed_entry_is_a_gap_and_a_removed_tail_is_found_at_the_head() {
        let mut entries = chain(5);
        entries.remove(1);
        assert_eq!(
            check(&entries),
            Err(Broken::Gap {
                seq: 3,
                after: 1,
                missing: 2
            })
        );
        let entries = chain(5);
        let mut walk = ChainCheck::default();
        for entry in &entries[..3] {
            walk.next(entry).unwrap();
        }
        assert_eq!(
            walk.finish(5, &entries[4].hash),
            Err(Broken::Truncated { last: 3, head: 5 })
        );
        assert_eq!(
            Broken::Gap {
                seq: 4,
                after: 2,
                missing: 3
            }
            .to_string(),
            "entry 3 is missing: the entry after 2 is 4"
        );
    }

    #[test]
    fn changes_list_only_what_differs() {
        let before = [("name", "Nina".to_owned()), ("phone", "1".to_owned())];
        let after = [("name", "Nina".to_owned()), ("phone", "2".to_owned())];
        assert_eq!(
            Changes::diff(&before, &after).to_json(),
            r#"{"phone":["1","2"]}"#
        );
        assert!(Changes::diff(&before, &before).is_empty());
        assert_eq!(
            Changes::created(&before[..1]).to_json(),
            r#"{"name":[null,"Nina"]}"#
        );
    }

    #[test]
    fn values_cannot_be_shifted_between_fields_without_changing_the_hash() {
        let mut a = chain(1).remove(0);
        let mut b = a.clone();
        a.entity = "per".into();
        a.entity_id = "sonid-1".into();
        b.entity = "person".into();
        b.entity_id = "id-1".into();
        assert_ne!(a.compute_hash(), b.compute_hash());
    }
}
