//! A controlled document of the register as a person writes it: its kind, owner,
//! classification, review interval, retention, quorum of approvers, who it is distributed to
//! and which customer it is shared with; the check that turns the typed fields into a
//! [`DocumentInput`] the store saves.
//!
//! Pure: ids are parsed here, whether they exist is the store's business.

use tandem_directory::{OrganisationId, PersonId, TeamId};
use tandem_kernel::id::{Numbering, parse_id, parse_optional_id};
use tandem_kernel::text::Name;
use tandem_kernel::{Error, FieldError, Role, entity_id};

entity_id!(
    /// A document of the register.
    DocumentId
);

entity_id!(
    /// A version of a document.
    VersionId
);

/// How documents are numbered: `DOC-000042`.
pub const DOCUMENTS: Numbering = Numbering::new("DOC", "document");

tandem_kernel::vocabulary!(
    /// What kind of document: seed 004 section 6 controls documents and records alike; the
    /// ISMS scope is a document of its own kind.
    Kind {
        Policy = "policy" / "Policy",
        Procedure = "procedure" / "Procedure",
        Standard = "standard" / "Standard",
        Guideline = "guideline" / "Guideline",
        Plan = "plan" / "Plan",
        Record = "record" / "Record",
        Scope = "scope" / "Scope",
    }
);

tandem_kernel::vocabulary!(
    /// Who may read a document, by its classification.
    Classification {
        Public = "public" / "Public",
        Internal = "internal" / "Internal",
        Confidential = "confidential" / "Confidential",
        Restricted = "restricted" / "Restricted",
    }
);

/// Who a document is distributed to: they are asked to read and acknowledge it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Person(PersonId),
    Team(TeamId),
    /// Everyone holding the role.
    Role(Role),
}

impl Target {
    /// The kind and target as stored: `person` and the id, `team` and the id, `role` and the
    /// role's name.
    pub fn stored(&self) -> (&'static str, String) {
        match self {
            Self::Person(id) => ("person", id.to_string()),
            Self::Team(id) => ("team", id.to_string()),
            Self::Role(role) => ("role", role.as_str().to_owned()),
        }
    }

    /// Reads a stored target; `None` for one this build does not know.
    pub fn from_stored(kind: &str, target: &str) -> Option<Self> {
        match kind {
            "person" => target.parse().ok().map(Self::Person),
            "team" => target.parse().ok().map(Self::Team),
            "role" => Role::parse(target).map(Self::Role),
            _ => None,
        }
    }

    /// Reads `person:ID`, `team:ID` or `role:NAME` in `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let refused = || {
            FieldError::new(
                field,
                format!(
                    "`{}` is not a person, a team or a role; write person:ID, team:ID or role:NAME (the roles are {})",
                    raw.trim(),
                    tandem_kernel::Roles::names()
                ),
            )
        };
        let (kind, target) = raw.trim().split_once(':').ok_or_else(refused)?;
        match kind.trim() {
            "person" => parse_id(field, target).map(Self::Person),
            "team" => parse_id(field, target).map(Self::Team),
            "role" => Role::parse(target.trim())
                .filter(|r| *r != Role::CustomerUser)
                .map(Self::Role)
                .ok_or_else(refused),
            _ => Err(refused()),
        }
    }

    /// As written in a form or the API.
    pub fn text(&self) -> String {
        let (kind, target) = self.stored();
        format!("{kind}:{target}")
    }
}

/// A document's fields as typed, before any check.
#[derive(Debug, Clone, Default)]
pub struct DocumentDraft {
    pub title: String,
    pub kind: String,
    pub owner_id: String,
    pub classification: String,
    /// Months between reviews; empty takes 12.
    pub review_months: String,
    /// Months a record is kept; empty for none.
    pub retention_months: String,
    /// Approvals a version needs; empty takes 1.
    pub quorum: String,
    /// The customer organisation the document is shared with; empty for none.
    pub shared_with_id: String,
    /// `person:ID`, `team:ID` or `role:NAME`, one a line.
    pub distribution: Vec<String>,
}

/// A document's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentInput {
    pub title: Name,
    pub kind: Kind,
    pub owner_id: PersonId,
    pub classification: Classification,
    pub review_months: i32,
    pub retention_months: Option<i32>,
    pub quorum: i32,
    pub shared_with: Option<OrganisationId>,
    pub distribution: Vec<Target>,
}

/// Reads a whole number from `min` to `max` in `field`; empty takes `default`.
fn number(
    field: &str,
    raw: &str,
    min: i32,
    max: i32,
    default: Option<i32>,
) -> Result<Option<i32>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(default);
    }
    raw.parse::<i32>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .map(Some)
        .ok_or_else(|| {
            FieldError::new(field, format!("must be a whole number from {min} to {max}"))
        })
}

/// The value of a field that passed its check; a failed one adds its error to `errors`.
fn keep<T>(errors: &mut Vec<FieldError>, checked: Result<T, FieldError>) -> Option<T> {
    checked.map_err(|e| errors.push(e)).ok()
}

impl DocumentDraft {
    /// Checks every field; all errors at once.
    pub fn validate(&self) -> Result<DocumentInput, Error> {
        let mut errors = Vec::new();
        let title = keep(&mut errors, Name::parse("title", &self.title));
        let kind = keep(&mut errors, Kind::parse("kind", &self.kind));
        let owner = keep(&mut errors, parse_id("owner_id", &self.owner_id));
        let classification = keep(
            &mut errors,
            if self.classification.trim().is_empty() {
                Ok(Classification::Internal)
            } else {
                Classification::parse("classification", &self.classification)
            },
        );
        let review = keep(
            &mut errors,
            number("review_months", &self.review_months, 1, 60, Some(12)),
        );
        let retention = keep(
            &mut errors,
            number("retention_months", &self.retention_months, 1, 1200, None),
        );
        let quorum = keep(&mut errors, number("quorum", &self.quorum, 1, 9, Some(1)));
        let shared = keep(
            &mut errors,
            parse_optional_id("shared_with_id", &self.shared_with_id),
        );
        let mut distribution = Vec::new();
        for (i, line) in self
            .distribution
            .iter()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
        {
            if let Some(target) = keep(
                &mut errors,
                Target::parse(&format!("distribution[{i}]"), line),
            ) && !distribution.contains(&target)
            {
                distribution.push(target);
            }
        }
        if kind == Some(Kind::Record) && retention == Some(None) {
            errors.push(FieldError::new(
                "retention_months",
                "a record needs a retention period",
            ));
        }
        match (
            title,
            kind,
            owner,
            classification,
            review.flatten(),
            retention,
            quorum.flatten(),
            shared,
        ) {
            (
                Some(title),
                Some(kind),
                Some(owner_id),
                Some(classification),
                Some(review_months),
                Some(retention_months),
                Some(quorum),
                Some(shared_with),
            ) if errors.is_empty() => Ok(DocumentInput {
                title,
                kind,
                owner_id,
                classification,
                review_months,
                retention_months,
                quorum,
                shared_with,
                distribution,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// Who reads the register, as far as what they may see goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    pub person: Option<PersonId>,
    pub roles: tandem_kernel::Roles,
    /// The teams the person is a member of.
    pub teams: Vec<TeamId>,
    /// The customer organisation a customer's person belongs to.
    pub customer_of: Option<OrganisationId>,
    /// Whether they read the whole ISMS (`isms.read`).
    pub isms: bool,
}

impl Reader {
    /// Whether the document is visible: a reader of the ISMS and its owner see every document;
    /// others only once a version is `published`: a customer's person those shared with their
    /// organisation, the provider's other staff those distributed to them (by name, team or
    /// role) and the public ones.
    pub fn sees(
        &self,
        owner: PersonId,
        distribution: &[Target],
        shared_with: Option<OrganisationId>,
        classification: Classification,
        published: bool,
    ) -> bool {
        if let Some(own) = self.customer_of {
            return published && shared_with == Some(own);
        }
        self.isms
            || self.person == Some(owner)
            || (published
                && (classification == Classification::Public
                    || distribution.iter().any(|target| self.is(target))))
    }

    /// Whether `target` names the reader.
    pub fn is(&self, target: &Target) -> bool {
        match target {
            Target::Person(person) => self.person == Some(*person),
            Target::Team(team) => self.teams.contains(team),
            Target::Role(role) => self.roles.contains(*role),
        }
    }

    /// Whether a version in `state` is visible to the reader: the ISMS's readers, the
    /// document's owner (`involved` holds the owner, the author and the named approvers) see
    /// work in progress and the history; others the version in force.
    pub fn sees_version(&self, state: crate::lifecycle::State, involved: &[PersonId]) -> bool {
        let involved = self.person.is_some_and(|p| involved.contains(&p));
        (self.isms && self.customer_of.is_none())
            || involved
            || state == crate::lifecycle::State::Published
    }
}

/// The day `months` months after `date`, on the last day of the month when it is shorter.
pub fn months_after(date: time::Date, months: i32) -> time::Date {
    let index = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .unwrap_or(time::Month::December);
    let last = time::util::days_in_month(month, year);
    time::Date::from_calendar_date(year, month, date.day().min(last)).unwrap_or(date)
}

/// A version's label as people read it: `2.1`.
pub fn version_label(major: i32, minor: i32) -> String {
    format!("{major}.{minor}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> DocumentDraft {
        DocumentDraft {
            title: "Information security policy".into(),
            kind: "policy".into(),
            owner_id: uuid::Uuid::nil().to_string(),
            distribution: vec![
                "role:engineer".into(),
                " role:engineer ".into(),
                String::new(),
            ],
            ..DocumentDraft::default()
        }
    }

    #[test]
    fn a_document_takes_defaults_and_distinct_targets() {
        let input = draft().validate().unwrap();
        assert_eq!(input.review_months, 12);
        assert_eq!(input.quorum, 1);
        assert_eq!(input.classification, Classification::Internal);
        assert_eq!(input.distribution, [Target::Role(Role::Engineer)]);
        assert_eq!(input.retention_months, None);
        assert_eq!(DOCUMENTS.text(7), "DOC-000007");
        assert_eq!(version_label(2, 1), "2.1");
    }

    #[test]
    fn every_field_is_checked_at_once() {
        let bad = DocumentDraft {
            title: " ".into(),
            kind: "memo".into(),
            owner_id: "nobody".into(),
            classification: "secret".into(),
            review_months: "0".into(),
            retention_months: "many".into(),
            quorum: "10".into(),
            shared_with_id: "x".into(),
            distribution: vec!["role:customer-user".into(), "group:admins".into()],
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .field_errors()
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(
            fields,
            [
                "title",
                "kind",
                "owner_id",
                "classification",
                "review_months",
                "retention_months",
                "quorum",
                "shared_with_id",
                "distribution[0]",
                "distribution[1]"
            ]
        );
        let record = DocumentDraft {
            kind: "record".into(),
            ..draft()
        };
        assert_eq!(
            record.validate().unwrap_err().field_errors()[0].field,
            "retention_months"
        );
    }

    #[test]
    fn readers_see_what_is_distributed_or_shared_with_them() {
        use crate::lifecycle::State;
        let team = TeamId::generate();
        let beta = OrganisationId::generate();
        let me = PersonId::generate();
        let staff = Reader {
            person: Some(me),
            roles: tandem_kernel::Roles::NONE.with(Role::Engineer),
            teams: vec![team],
            customer_of: None,
            isms: false,
        };
        let internal = Classification::Internal;
        let owner = PersonId::generate();
        assert!(staff.sees(owner, &[Target::Team(team)], None, internal, true));
        assert!(staff.sees(owner, &[Target::Role(Role::Engineer)], None, internal, true));
        assert!(staff.sees(owner, &[Target::Person(me)], None, internal, true));
        assert!(
            !staff.sees(owner, &[Target::Person(me)], None, internal, false),
            "nothing published yet"
        );
        assert!(!staff.sees(owner, &[Target::Role(Role::Ciso)], None, internal, true));
        assert!(staff.sees(me, &[], None, internal, false), "the owner");
        assert!(staff.sees(owner, &[], None, Classification::Public, true));
        let customer = Reader {
            person: Some(PersonId::generate()),
            roles: tandem_kernel::Roles::NONE.with(Role::CustomerUser),
            teams: Vec::new(),
            customer_of: Some(beta),
            isms: false,
        };
        assert!(
            !customer.sees(owner, &[], None, Classification::Public, true),
            "customers see nothing of the ISMS that is not shared with them"
        );
        assert!(customer.sees(owner, &[], Some(beta), internal, true));
        assert!(!customer.sees(owner, &[], Some(beta), internal, false));
        assert!(!customer.sees(owner, &[], Some(OrganisationId::generate()), internal, true));
        let author = PersonId::generate();
        assert!(!staff.sees_version(State::Draft, &[author]));
        assert!(
            staff.sees_version(State::Draft, &[author, me]),
            "an approver"
        );
        assert!(staff.sees_version(State::Published, &[author]));
        assert!(!staff.sees_version(State::Superseded, &[author]));
        let isms = Reader {
            isms: true,
            ..staff
        };
        assert!(isms.sees_version(State::Draft, &[author]));
        assert!(isms.sees(owner, &[], None, Classification::Restricted, false));
    }

    #[test]
    fn reviews_fall_due_months_later() {
        use time::macros::date;
        assert_eq!(
            months_after(date!(2026 - 12 - 07), 12),
            date!(2027 - 12 - 07)
        );
        assert_eq!(
            months_after(date!(2026 - 08 - 31), 6),
            date!(2027 - 02 - 28)
        );
        assert_eq!(
            months_after(date!(2026 - 01 - 15), 1),
            date!(2026 - 02 - 15)
        );
    }

    #[test]
    fn targets_read_and_store_alike() {
        let team = uuid::Uuid::now_v7();
        for text in [format!("team:{team}"), "role:ciso".to_owned()] {
            let target = Target::parse("distribution", &text).unwrap();
            assert_eq!(target.text(), text);
            let (kind, stored) = target.stored();
            assert_eq!(Target::from_stored(kind, &stored), Some(target));
        }
        assert_eq!(Target::from_stored("group", "x"), None);
    }
}
