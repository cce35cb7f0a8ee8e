//! The change record of seed 000 section 5.6 as a person writes it: the draft of a change's
//! editable fields and the check that turns it into a [`ChangeInput`] the store can save; and
//! the record as the store reads it back, a [`Change`].
//!
//! Pure: ids are parsed here, whether they exist is the store's business.

use std::collections::BTreeMap;

use tandem_cmdb::ci::CiId;
use tandem_directory::PersonId;
use tandem_kernel::clock::parse_instant;
use tandem_kernel::id::{CHANGES, TICKETS, parse_optional_id};
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{Error, FieldError, entity_id};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::lifecycle::{Category, CloseReason, PersonRef, Risk, State};

pub use tandem_kernel::id::ChangeId;

entity_id!(
    /// A standard-change template's id.
    TemplateId
);

/// A change's number as people read it: `C-000042`.
pub fn number_text(number: i64) -> String {
    CHANGES.text(number)
}

/// Reads `C-000042`, `c-42` or `42`.
pub fn parse_number(raw: &str) -> Option<i64> {
    CHANGES.parse(raw)
}

/// Reads a ticket reference `T-000042` or `42`; empty is none.
fn ticket_number(field: &str, raw: &str) -> Result<Option<i64>, FieldError> {
    match raw.trim() {
        "" => Ok(None),
        raw => TICKETS.read(field, raw).map(Some),
    }
}

/// An instant as a form's `datetime-local` field shows it, in UTC.
pub fn form_instant(at: Option<OffsetDateTime>) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    at.and_then(|at| at.to_offset(time::UtcOffset::UTC).format(&format).ok())
        .unwrap_or_default()
}

/// The value of a field that passed its check; a failed one adds its error to `errors`.
fn keep<T>(errors: &mut Vec<FieldError>, checked: Result<T, FieldError>) -> Option<T> {
    checked.map_err(|e| errors.push(e)).ok()
}

/// A CI the change is carried out on, with the update it makes to the CI when implemented:
/// attribute keys (or `lifecycle`) to their new values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiLine {
    pub ci_id: String,
    pub update: BTreeMap<String, String>,
}

/// The editable fields of a change as typed, before any check.
#[derive(Debug, Clone, Default)]
pub struct ChangeDraft {
    pub title: String,
    pub owner_id: String,
    pub initiator_id: String,
    pub cause_text: String,
    /// `T-000042` or empty.
    pub cause_ticket: String,
    pub description: String,
    pub configuration: String,
    pub category: String,
    pub template_id: String,
    /// Empty takes the suggested risk.
    pub risk: String,
    pub risk_override_reason: String,
    pub planned_start: String,
    pub planned_end: String,
    pub fallback: String,
    pub implementer_id: String,
    pub conflicts_ack_reason: String,
    pub cis: Vec<CiLine>,
}

/// A checked change, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeInput {
    pub title: Name,
    pub owner_id: PersonId,
    pub initiator_id: Option<PersonId>,
    pub cause_text: Note,
    pub cause_ticket: Option<i64>,
    pub description: Note,
    pub configuration: Note,
    pub category: Category,
    pub template_id: Option<TemplateId>,
    pub risk: Option<Risk>,
    pub risk_override_reason: Note,
    pub planned_start: Option<OffsetDateTime>,
    pub planned_end: Option<OffsetDateTime>,
    pub fallback: Note,
    pub implementer_id: Option<PersonId>,
    pub conflicts_ack_reason: Note,
    /// The CIs by id, each once, with their planned updates.
    pub cis: BTreeMap<CiId, BTreeMap<String, String>>,
}

/// A change as stored, with the names of the people and records it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: ChangeId,
    pub number: i64,
    pub title: String,
    pub owner: PersonRef,
    pub initiator: Option<PersonRef>,
    /// Who raised it as the record says: the initiator's name, or the token or process.
    pub initiator_label: String,
    pub cause_text: String,
    /// The ticket it was raised for: (id, number, title).
    pub cause_ticket: Option<(tandem_kernel::id::TicketId, i64, String)>,
    pub description: String,
    pub configuration: String,
    pub category: Category,
    pub template: Option<(TemplateId, String)>,
    pub risk: Option<Risk>,
    pub risk_suggested: Option<Risk>,
    pub risk_explanation: String,
    pub risk_override_reason: String,
    pub state: State,
    pub close_reason: Option<CloseReason>,
    pub planned_start: Option<OffsetDateTime>,
    pub planned_end: Option<OffsetDateTime>,
    pub fallback: String,
    pub implementer: Option<PersonRef>,
    pub approver: Option<PersonRef>,
    pub approved_at: Option<OffsetDateTime>,
    pub approval_retroactive: bool,
    /// Closed without an approval given in time (an emergency change the CAB never consented
    /// to, or too late).
    pub approval_missed: bool,
    pub actual_start: Option<OffsetDateTime>,
    pub actual_end: Option<OffsetDateTime>,
    pub success: Option<bool>,
    pub fallback_carried_out: String,
    pub verifier: Option<PersonRef>,
    pub verified_at: Option<OffsetDateTime>,
    pub verification_note: String,
    /// The person who recorded the change (none for the changes recorded before Tandem kept
    /// it, and for those a process recorded).
    pub recorder: Option<PersonRef>,
    /// The person who submitted it the last time.
    pub submitter: Option<PersonRef>,
    pub conflicts_ack_reason: String,
    pub customers_to_notify: Vec<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

impl Change {
    /// Whether the change is still edited: until it starts.
    pub fn is_editable(&self) -> bool {
        matches!(
            self.state,
            State::Draft | State::Submitted | State::Assessed | State::Approved | State::Scheduled
        )
    }

    /// `C-000042 Security update of the management server`.
    pub fn reference(&self) -> String {
        format!("{} {}", number_text(self.number), self.title)
    }
}

impl ChangeDraft {
    /// Checks every field and reports every problem at once. What the life cycle needs later
    /// (a description before submitting, a schedule before starting) is not required here: a
    /// draft may be incomplete.
    pub fn validate(&self) -> Result<ChangeInput, Error> {
        let mut errors = Vec::new();
        let title = keep(&mut errors, Name::parse("title", &self.title));
        let owner_id = keep(
            &mut errors,
            match self.owner_id.trim() {
                "" => Err(FieldError::new(
                    "owner_id",
                    "every change has an owner: name the person responsible for it",
                )),
                raw => raw
                    .parse::<PersonId>()
                    .map_err(|_| FieldError::new("owner_id", "is not a valid id")),
            },
        );
        let initiator_id = keep(
            &mut errors,
            parse_optional_id::<PersonId>("initiator_id", &self.initiator_id),
        );
        let cause_text = keep(&mut errors, Note::parse("cause_text", &self.cause_text));
        let cause_ticket = keep(
            &mut errors,
            ticket_number("cause_ticket", &self.cause_ticket),
        );
        let description = keep(&mut errors, Note::parse("description", &self.description));
        let configuration = keep(
            &mut errors,
            Note::parse("configuration", &self.configuration),
        );
        let category = keep(
            &mut errors,
            match self.category.trim() {
                "" => Ok(Category::Regular),
                raw => Category::parse("category", raw),
            },
        );
        let template_id = keep(
            &mut errors,
            parse_optional_id::<TemplateId>("template_id", &self.template_id),
        );
        let risk = keep(
            &mut errors,
            match self.risk.trim() {
                "" => Ok(None),
                raw => Risk::parse("risk", raw).map(Some),
            },
        );
        let risk_override_reason = keep(
            &mut errors,
            Note::parse("risk_override_reason", &self.risk_override_reason),
        );
        let planned_start = keep(
            &mut errors,
            parse_instant("planned_start", &self.planned_start),
        );
        let planned_end = keep(&mut errors, parse_instant("planned_end", &self.planned_end));
        let fallback = keep(&mut errors, Note::parse("fallback", &self.fallback));
        let implementer_id = keep(
            &mut errors,
            parse_optional_id::<PersonId>("implementer_id", &self.implementer_id),
        );
        let conflicts_ack_reason = keep(
            &mut errors,
            Note::parse("conflicts_ack_reason", &self.conflicts_ack_reason),
        );
        let mut cis = BTreeMap::new();
        for (i, line) in self.cis.iter().enumerate() {
            let field = format!("cis[{i}]");
            match line.ci_id.trim().parse::<CiId>() {
                Err(_) => errors.push(FieldError::new(field, "is not a valid CI id")),
                Ok(id) if cis.contains_key(&id) => errors.push(FieldError::new(
                    field,
                    "names a CI that is already listed; name each CI once",
                )),
                Ok(id) => {
                    let mut update = BTreeMap::new();
                    for (key, value) in &line.update {
                        if key.trim().is_empty() {
                            errors.push(FieldError::new(
                                format!("{field}.update"),
                                "an update names the attribute it sets",
                            ));
                        } else {
                            update.insert(key.trim().to_owned(), value.trim().to_owned());
                        }
                    }
                    cis.insert(id, update);
                }
            }
        }
        if let (Some(Some(start)), Some(Some(end))) = (planned_start, planned_end)
            && start >= end
        {
            errors.push(FieldError::new(
                "planned_end",
                "must be after the planned start",
            ));
        }
        if category == Some(Category::Standard) && template_id == Some(None) {
            errors.push(FieldError::new(
                "template_id",
                "a standard change is made from a template of the standard-change catalogue",
            ));
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        match (
            title,
            owner_id,
            initiator_id,
            cause_text,
            cause_ticket,
            description,
            configuration,
            category,
            template_id,
            risk,
            risk_override_reason,
            planned_start,
            planned_end,
            fallback,
            implementer_id,
            conflicts_ack_reason,
        ) {
            (
                Some(title),
                Some(owner_id),
                Some(initiator_id),
                Some(cause_text),
                Some(cause_ticket),
                Some(description),
                Some(configuration),
                Some(category),
                Some(template_id),
                Some(risk),
                Some(risk_override_reason),
                Some(planned_start),
                Some(planned_end),
                Some(fallback),
                Some(implementer_id),
                Some(conflicts_ack_reason),
            ) => Ok(ChangeInput {
                title,
                owner_id,
                initiator_id,
                cause_text,
                cause_ticket,
                description,
                configuration,
                category,
                template_id,
                risk,
                risk_override_reason,
                planned_start,
                planned_end,
                fallback,
                implementer_id,
                conflicts_ack_reason,
                cis,
            }),
            _ => Err(Error::invalid("change", "the change could not be read")),
        }
    }
}

/// Reads the CIs of a change as a form writes them, one a line: the CI (its number
/// `CI-000012` or its name), then optionally `:` and the planned update as `key=value`
/// pairs separated by `;`, e.g. `mgmt-de-01: patch_level=2026-12; os_version=12.9`.
/// `resolve` finds a CI's id from what the line names. Every bad line is reported, as
/// `cis` with its line number.
pub fn read_ci_lines(
    text: &str,
    resolve: impl Fn(&str) -> Option<CiId>,
) -> Result<Vec<CiLine>, Error> {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (n, raw) in (1..).zip(text.lines()) {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let (name, update) = raw.split_once(':').unwrap_or((raw, ""));
        let Some(id) = resolve(name.trim()) else {
            errors.push(format!("line {n}: there is no CI '{}'", name.trim()));
            continue;
        };
        let mut values = BTreeMap::new();
        for pair in update.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some((key, value)) if !key.trim().is_empty() => {
                    values.insert(key.trim().to_owned(), value.trim().to_owned());
                }
                _ => errors.push(format!(
                    "line {n}: '{pair}' is not key=value (e.g. firmware=4.2.1)"
                )),
            }
        }
        lines.push(CiLine {
            ci_id: id.to_string(),
            update: values,
        });
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(Error::invalid("cis", errors.join("; ")))
    }
}

/// The CIs of a change as [`read_ci_lines`] reads them: `name: key=value; key=value`.
pub fn ci_lines_text<'a>(
    cis: impl IntoIterator<Item = (&'a str, &'a BTreeMap<String, String>)>,
) -> String {
    cis.into_iter()
        .map(|(name, update)| {
            if update.is_empty() {
                name.to_owned()
            } else {
                let pairs: Vec<String> = update.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{name}: {}", pairs.join("; "))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A standard-change template as typed: the checklist one check a line.
#[derive(Debug, Clone, Default)]
pub struct TemplateDraft {
    pub name: String,
    pub description: String,
    pub configuration: String,
    pub fallback: String,
    pub risk: String,
    pub checklist: String,
    pub duration_minutes: String,
    pub active: bool,
}

/// A checked template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateInput {
    pub name: Name,
    pub description: Note,
    pub configuration: Note,
    pub fallback: Note,
    pub risk: Risk,
    pub checklist: Vec<String>,
    pub duration_minutes: i64,
    pub active: bool,
}

impl TemplateDraft {
    /// Checks every field; a template says what is done, how to fall back, and how long it
    /// takes, since a change made from it is approved without further review.
    pub fn validate(&self) -> Result<TemplateInput, Error> {
        let mut errors = Vec::new();
        let name = keep(&mut errors, Name::parse("name", &self.name));
        let description = keep(&mut errors, required_note("description", &self.description));
        let configuration = keep(
            &mut errors,
            Note::parse("configuration", &self.configuration),
        );
        let fallback = keep(&mut errors, required_note("fallback", &self.fallback));
        let risk = keep(&mut errors, Risk::parse("risk", self.risk.trim()));
        let duration = keep(
            &mut errors,
            match self.duration_minutes.trim().parse::<i64>() {
                Ok(n) if (1..=7 * 24 * 60).contains(&n) => Ok(n),
                _ => Err(FieldError::new(
                    "duration_minutes",
                    "must be the minutes the work takes, from 1 to 10080 (a week)",
                )),
            },
        );
        let checklist: Vec<String> = self
            .checklist
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        match (name, description, configuration, fallback, risk, duration) {
            (
                Some(name),
                Some(description),
                Some(configuration),
                Some(fallback),
                Some(risk),
                Some(duration_minutes),
            ) if errors.is_empty() => Ok(TemplateInput {
                name,
                description,
                configuration,
                fallback,
                risk,
                checklist,
                duration_minutes,
                active: self.active,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// A blackout period as typed.
#[derive(Debug, Clone, Default)]
pub struct BlackoutDraft {
    pub name: String,
    pub starts_at: String,
    pub ends_at: String,
    /// CI ids; none means the blackout covers every CI.
    pub ci_ids: Vec<String>,
    pub allow_emergency: bool,
    pub reason: String,
}

/// A checked blackout period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlackoutInput {
    pub name: Name,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub ci_ids: Vec<CiId>,
    pub allow_emergency: bool,
    pub reason: Note,
}

impl BlackoutDraft {
    pub fn validate(&self) -> Result<BlackoutInput, Error> {
        let mut errors = Vec::new();
        let name = keep(&mut errors, Name::parse("name", &self.name));
        let starts_at = keep(&mut errors, required_instant("starts_at", &self.starts_at));
        let ends_at = keep(&mut errors, required_instant("ends_at", &self.ends_at));
        let reason = keep(&mut errors, Note::parse("reason", &self.reason));
        let mut ci_ids = Vec::new();
        for (i, raw) in self.ci_ids.iter().enumerate() {
            match raw.trim().parse::<CiId>() {
                Ok(id) if !ci_ids.contains(&id) => ci_ids.push(id),
                Ok(_) => {}
                Err(_) => errors.push(FieldError::new(
                    format!("ci_ids[{i}]"),
                    "is not a valid CI id",
                )),
            }
        }
        if let (Some(start), Some(end)) = (starts_at, ends_at)
            && start >= end
        {
            errors.push(FieldError::new("ends_at", "must be after the start"));
        }
        match (name, starts_at, ends_at, reason) {
            (Some(name), Some(starts_at), Some(ends_at), Some(reason)) if errors.is_empty() => {
                Ok(BlackoutInput {
                    name,
                    starts_at,
                    ends_at,
                    ci_ids,
                    allow_emergency: self.allow_emergency,
                    reason,
                })
            }
            _ => Err(Error::Invalid(errors)),
        }
    }
}

fn required_note(field: &str, raw: &str) -> Result<Note, FieldError> {
    if raw.trim().is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    Note::parse(field, raw)
}

fn required_instant(field: &str, raw: &str) -> Result<OffsetDateTime, FieldError> {
    parse_instant(field, raw)?.ok_or_else(|| FieldError::new(field, "is required"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ChangeDraft {
        ChangeDraft {
            title: "Security update of the management server".into(),
            owner_id: uuid::Uuid::from_u128(1).to_string(),
            category: "regular".into(),
            planned_start: "2026-12-10T22:00".into(),
            planned_end: "2026-12-11T00:00:00Z".into(),
            cis: vec![CiLine {
                ci_id: uuid::Uuid::from_u128(7).to_string(),
                update: BTreeMap::from([("patch_level".into(), " 2026-12 ".into())]),
            }],
            ..ChangeDraft::default()
        }
    }

    #[test]
    fn a_draft_may_be_incomplete_but_what_it_says_is_checked() {
        let input = draft().validate().unwrap();
        assert_eq!(input.category, Category::Regular);
        assert_eq!(input.risk, None);
        assert_eq!(form_instant(input.planned_start), "2026-12-10T22:00");
        assert_eq!(
            input.cis[&CiId(uuid::Uuid::from_u128(7))]["patch_level"],
            "2026-12"
        );
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut bad = draft();
        bad.title = String::new();
        bad.owner_id = String::new();
        bad.category = "urgent".into();
        bad.risk = "extreme".into();
        bad.cause_ticket = "ticket 5".into();
        bad.planned_end = "2026-12-10T21:00".into();
        bad.cis.push(bad.cis[0].clone());
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .field_errors()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "title",
                "owner_id",
                "cause_ticket",
                "category",
                "risk",
                "cis[1]",
                "planned_end"
            ]
        );
    }

    #[test]
    fn a_standard_change_names_its_template() {
        let mut standard = draft();
        standard.category = "standard".into();
        let errors = standard.validate().unwrap_err().field_errors();
        assert_eq!(errors[0].field, "template_id");
    }

    #[test]
    fn templates_and_blackouts_say_what_they_need() {
        let template = TemplateDraft {
            name: "Video room installation".into(),
            description: "Install and certify a room".into(),
            fallback: "Remove the room from the bridge".into(),
            risk: "low".into(),
            checklist: "Calls both ways\n\n  Presentation sharing  \n".into(),
            duration_minutes: "240".into(),
            active: true,
            ..TemplateDraft::default()
        }
        .validate()
        .unwrap();
        assert_eq!(
            template.checklist,
            ["Calls both ways", "Presentation sharing"]
        );
        let refused = TemplateDraft::default()
            .validate()
            .unwrap_err()
            .field_errors();
        let fields: Vec<&str> = refused.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "description",
                "fallback",
                "risk",
                "duration_minutes"
            ]
        );
        let blackout = BlackoutDraft {
            name: "Board meeting week".into(),
            starts_at: "2026-12-14T00:00".into(),
            ends_at: "2026-12-13T00:00".into(),
            ci_ids: vec!["nope".into()],
            ..BlackoutDraft::default()
        };
        let fields: Vec<String> = blackout
            .validate()
            .unwrap_err()
            .field_errors()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["ci_ids[0]", "ends_at"]);
    }

    #[test]
    fn ci_lines_read_names_and_updates_and_name_every_bad_line() {
        let known = |name: &str| (name == "mgmt-de-01").then(|| CiId(uuid::Uuid::from_u128(7)));
        let lines =
            read_ci_lines("mgmt-de-01: patch_level=2026-12; os=Debian 13\n\n", known).unwrap();
        assert_eq!(lines[0].update["os"], "Debian 13");
        let text = ci_lines_text([("mgmt-de-01", &lines[0].update)]);
        assert_eq!(text, "mgmt-de-01: os=Debian 13; patch_level=2026-12");
        assert_eq!(read_ci_lines(&text, known).unwrap(), lines);
        let refused = read_ci_lines("nowhere-01\nmgmt-de-01: firmware", known).unwrap_err();
        assert_eq!(
            refused.field_errors()[0].message,
            "line 1: there is no CI 'nowhere-01'; line 2: 'firmware' is not key=value (e.g. firmware=4.2.1)"
        );
    }

    #[test]
    fn numbers_and_instants_read_as_people_write_them() {
        assert_eq!(number_text(42), "C-000042");
        assert_eq!(parse_number("C-000042"), Some(42));
        assert_eq!(parse_number("42"), Some(42));
        assert_eq!(parse_number("C-0"), None);
        assert_eq!(parse_number("C-+4"), None);
        assert_eq!(ticket_number("t", "T-000007"), Ok(Some(7)));
        assert_eq!(ticket_number("t", ""), Ok(None));
    }
}
