//! Typed record ids. Every record is identified by a UUIDv7 (time-ordered, so inserts stay
//! local in indexes), wrapped in a newtype per entity so that a person's id cannot be passed
//! where a team's is expected.

/// Declares an id newtype for one kind of record.
#[macro_export]
macro_rules! entity_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize, sqlx::Type, utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }
    };
}

/// Parses the id in form or JSON field `field`: required, and a UUID.
pub fn parse_id<T: std::str::FromStr>(field: &str, raw: &str) -> Result<T, crate::FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(crate::FieldError::new(field, "is required"));
    }
    raw.parse()
        .map_err(|_| crate::FieldError::new(field, "is not a valid id"))
}

/// Parses the id in form or JSON field `field` that may be left empty: `None` when it is.
pub fn parse_optional_id<T: std::str::FromStr>(
    field: &str,
    raw: &str,
) -> Result<Option<T>, crate::FieldError> {
    match raw.trim() {
        "" => Ok(None),
        text => parse_id(field, text).map(Some),
    }
}

#[cfg(test)]
mod tests {
    entity_id!(
        /// An id used only by these tests.
        SampleId
    );

    #[test]
    fn ids_round_trip_through_text() {
        let id = SampleId::generate();
        let parsed: SampleId = id.to_string().parse().unwrap();
        assert_eq!(parsed, id);
    }

    #[test]
    fn id_fields_must_be_present_and_well_formed() {
        assert_eq!(
            super::parse_id::<SampleId>("team", " ")
                .unwrap_err()
                .message,
            "is required"
        );
        assert_eq!(
            super::parse_id::<SampleId>("team", "42")
                .unwrap_err()
                .message,
            "is not a valid id"
        );
        let id = SampleId::generate();
        assert_eq!(
            super::parse_id::<SampleId>("team", &id.to_string()).unwrap(),
            id
        );
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let first = SampleId::generate();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = SampleId::generate();
        assert!(first < second);
    }
}

/// How the records of one kind are numbered for people: a prefix and at least six digits
/// (`T-000042`, `CI-000042`, `C-000042`). People may write the prefix in either case, or leave
/// it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbering {
    prefix: &'static str,
    /// What is numbered, for messages: `ticket`.
    noun: &'static str,
}

/// How tickets are numbered: `T-000042`.
pub const TICKETS: Numbering = Numbering::new("T", "ticket");
/// How configuration items are numbered: `CI-000042`.
pub const CIS: Numbering = Numbering::new("CI", "CI");
/// How changes are numbered: `C-000042`, seed 000's incremental change ID.
pub const CHANGES: Numbering = Numbering::new("C", "change");

entity_id!(
    /// Identifies a ticket. It lives in the kernel beside the ticket numbers because
    /// capabilities below the service desk name tickets too: a CI version caused by a ticket.
    TicketId
);

entity_id!(
    /// Identifies a change, in the kernel for the same reason: a CI version caused by a change.
    ChangeId
);

impl Numbering {
    pub const fn new(prefix: &'static str, noun: &'static str) -> Self {
        Self { prefix, noun }
    }

    /// Reads the number in field `field`, or says what a number of this kind looks like.
    pub fn read(self, field: &str, raw: &str) -> Result<i64, crate::FieldError> {
        self.parse(raw).ok_or_else(|| {
            crate::FieldError::new(
                field,
                format!(
                    "`{}` is not a {} number such as {}",
                    raw.trim(),
                    self.noun,
                    self.text(42)
                ),
            )
        })
    }

    /// `number` as people read it: `T-000042`.
    pub fn text(self, number: i64) -> String {
        format!("{}-{number:06}", self.prefix)
    }

    /// Reads `T-000042`, `t-42` or `42`; `None` for anything else or for a number below 1.
    pub fn parse(self, raw: &str) -> Option<i64> {
        let raw = raw.trim();
        let digits = match raw.split_once('-') {
            Some((prefix, digits)) if prefix.eq_ignore_ascii_case(self.prefix) => digits,
            Some(_) => return None,
            None => raw,
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|n| *n > 0)
    }
}

#[cfg(test)]
mod numbering_tests {
    #[test]
    fn numbers_print_and_read_with_or_without_their_prefix() {
        let tickets = super::TICKETS;
        assert_eq!(tickets.text(42), "T-000042");
        assert_eq!(tickets.text(1_234_567), "T-1234567");
        assert_eq!(tickets.parse("T-000042"), Some(42));
        assert_eq!(tickets.parse(" t-42 "), Some(42));
        assert_eq!(tickets.parse("42"), Some(42));
        for bad in ["", "T-", "T-0", "C-42", "T-+4", "T-4x", "-4"] {
            assert_eq!(tickets.parse(bad), None, "{bad}");
        }
        assert_eq!(super::CIS.parse("ci-7"), Some(7));
        assert_eq!(
            super::CHANGES.read("cause", "T-1").unwrap_err().message,
            "`T-1` is not a change number such as C-000042"
        );
    }
}
