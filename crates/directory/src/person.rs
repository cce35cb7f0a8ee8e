//! People and the rules for their fields.

use tandem_kernel::error::AllValid;
use tandem_kernel::id::parse_id;
use tandem_kernel::text::{Email, Label, Name, Phone};
use tandem_kernel::{Result, entity_id};
use time::OffsetDateTime;

use crate::OrganisationId;

entity_id!(
    /// Identifies a person.
    PersonId
);

/// A stored person, with the name of their organisation for display.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Person {
    pub id: PersonId,
    pub organisation_id: OrganisationId,
    pub organisation_name: Name,
    pub name: Name,
    pub email: Email,
    pub phone: Option<Phone>,
    pub job_title: Option<Label>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// How many times the record was saved; an update must name the version it started from.
    pub version: i64,
}

/// A person as typed into a form or sent to the API, not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonDraft {
    pub organisation_id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub job_title: String,
}

/// A checked person, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonInput {
    pub organisation_id: OrganisationId,
    pub name: Name,
    pub email: Email,
    pub phone: Option<Phone>,
    pub job_title: Option<Label>,
}

impl PersonDraft {
    pub fn from_record(person: &Person) -> Self {
        Self {
            organisation_id: person.organisation_id.to_string(),
            name: person.name.to_string(),
            email: person.email.to_string(),
            phone: person
                .phone
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            job_title: person
                .job_title
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        }
    }

    pub fn validate(&self) -> Result<PersonInput> {
        let (organisation_id, name, email, phone, job_title) = (
            parse_id("organisation_id", &self.organisation_id),
            Name::parse("name", &self.name),
            Email::parse("email", &self.email),
            Phone::parse_optional("phone", &self.phone),
            Label::parse_optional("job_title", &self.job_title),
        )
            .all_valid()?;
        Ok(PersonInput {
            organisation_id,
            name,
            email,
            phone,
            job_title,
        })
    }
}

/// The fields the audit trail records for a person.
fn audit_fields(
    organisation_id: OrganisationId,
    name: &Name,
    email: &Email,
    phone: Option<&Phone>,
    job_title: Option<&Label>,
) -> Vec<(&'static str, String)> {
    vec![
        ("organisation_id", organisation_id.to_string()),
        ("name", name.to_string()),
        ("email", email.to_string()),
        ("phone", phone.map(ToString::to_string).unwrap_or_default()),
        (
            "job_title",
            job_title.map(ToString::to_string).unwrap_or_default(),
        ),
    ]
}

impl Person {
    pub fn audit_fields(&self) -> Vec<(&'static str, String)> {
        audit_fields(
            self.organisation_id,
            &self.name,
            &self.email,
            self.phone.as_ref(),
            self.job_title.as_ref(),
        )
    }
}

impl PersonInput {
    pub fn audit_fields(&self) -> Vec<(&'static str, String)> {
        audit_fields(
            self.organisation_id,
            &self.name,
            &self.email,
            self.phone.as_ref(),
            self.job_title.as_ref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> PersonDraft {
        PersonDraft {
            organisation_id: OrganisationId::generate().to_string(),
            name: "Grace Hopper".into(),
            email: "grace@alpha.example".into(),
            phone: String::new(),
            job_title: " Service desk agent ".into(),
        }
    }

    #[test]
    fn optional_fields_may_be_empty() {
        let input = draft().validate().unwrap();
        assert_eq!(input.phone, None);
        assert_eq!(input.job_title.unwrap().as_str(), "Service desk agent");
    }

    #[test]
    fn a_person_needs_an_organisation_and_a_valid_email() {
        let bad = PersonDraft {
            organisation_id: String::new(),
            email: "grace".into(),
            ..draft()
        };
        let fields: Vec<_> = bad
            .validate()
            .unwrap_err()
            .field_errors()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["organisation_id", "email"]);
    }

    #[test]
    fn a_draft_from_a_record_validates_to_the_same_values() {
        let input = draft().validate().unwrap();
        let person = Person {
            id: PersonId::generate(),
            organisation_id: input.organisation_id,
            organisation_name: Name::parse("o", "Alpha").unwrap(),
            name: input.name.clone(),
            email: input.email.clone(),
            phone: input.phone.clone(),
            job_title: input.job_title.clone(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            version: 1,
        };
        assert_eq!(PersonDraft::from_record(&person).validate().unwrap(), input);
    }
}
