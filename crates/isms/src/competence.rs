//! Awareness, training and competence (ISO/IEC 27001:2022 clauses 7.2 and 7.3): trained and
//! certified personnel (seed 000 section 3.1), awareness training on the security policy (seed
//! 000 section 3.2) and training that is repeated every year (seed 002 Appendix D).
//!
//! A competence names what a person must know or be certified in, how many months it stays
//! valid and which roles require it. People hold competences from a date until an expiry, with
//! the evidence; attending a training that gives a competence records it for every attendee on
//! the training's date. [`shortfalls`] says who lacks a required competence, or holds one that
//! has expired or soon will.
//!
//! Pure: ids are parsed here, whether they exist is the store's business.

use tandem_directory::PersonId;
use tandem_kernel::error::AllValid;
use tandem_kernel::id::{parse_id, parse_optional_id};
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{Error, FieldError, Role, entity_id};
use time::{Date, Duration};

use crate::document::{DocumentId, months_after};

entity_id!(
    /// A training session or course.
    TrainingId
);

entity_id!(
    /// A competence or certification.
    CompetenceId
);

entity_id!(
    /// A person's holding of a competence: from a training or recorded by hand.
    HoldingId
);

tandem_kernel::vocabulary!(
    /// What kind of training: a session held in-house, or a course (often outside, often with
    /// an exam).
    TrainingKind {
        Session = "session" / "Session",
        Course = "course" / "Course",
    }
);

/// How many days before its expiry a held competence is shown as a warning.
pub const WARNING_DAYS: i64 = 30;

/// The longest validity a competence may have, in months.
pub const MAX_VALIDITY_MONTHS: i32 = 120;

/// Reads a date in `field` that may be left empty.
fn parse_optional_date(field: &str, raw: &str) -> Result<Option<Date>, FieldError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        tandem_kernel::clock::parse_date(field, raw).map(Some)
    }
}

/// When a competence obtained on `obtained_on` expires: `validity_months` later, or never.
pub fn expiry(obtained_on: Date, validity_months: Option<i32>) -> Option<Date> {
    validity_months.map(|months| months_after(obtained_on, months))
}

/// A training's fields as typed, before any check.
#[derive(Debug, Clone, Default)]
pub struct TrainingDraft {
    pub title: String,
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub trainer: String,
    pub topics: String,
    /// The ISMS document the training covers; empty for none.
    pub document_id: String,
    /// The competence attending gives; empty for none.
    pub competence_id: String,
}

/// A training's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingInput {
    pub title: Name,
    pub kind: TrainingKind,
    pub held_on: Date,
    pub trainer: Name,
    pub topics: Note,
    pub document: Option<DocumentId>,
    pub competence: Option<CompetenceId>,
}

impl TrainingDraft {
    /// Checks every field; all errors at once.
    pub fn validate(&self) -> Result<TrainingInput, Error> {
        let (title, kind, held_on, trainer, topics, document, competence) = (
            Name::parse("title", &self.title),
            TrainingKind::parse("kind", &self.kind),
            tandem_kernel::clock::parse_date("held_on", &self.held_on),
            Name::parse("trainer", &self.trainer),
            Note::parse("topics", &self.topics),
            parse_optional_id("document_id", &self.document_id),
            parse_optional_id("competence_id", &self.competence_id),
        )
            .all_valid()?;
        Ok(TrainingInput {
            title,
            kind,
            held_on,
            trainer,
            topics,
            document,
            competence,
        })
    }
}

/// Refuses to move a training that people attended to a day after `today`: nobody attends a
/// training before it is held.
pub fn check_held_on(held_on: Date, today: Date, attended: usize) -> Result<(), FieldError> {
    if held_on > today && attended > 0 {
        return Err(FieldError::new(
            "held_on",
            format!(
                "attendance is recorded ({attended} attended); the training cannot move to a day after today ({today})"
            ),
        ));
    }
    Ok(())
}

/// One person on a training's attendance list, as typed.
#[derive(Debug, Clone, Default)]
pub struct AttendeeDraft {
    pub person_id: String,
    /// Whether they attended; otherwise they were invited and did not come (yet).
    pub attended: bool,
}

/// One person on a training's attendance list, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attendee {
    pub person: PersonId,
    pub attended: bool,
}

/// Checks a training's attendance list, each line in `attendees[i]`: a person once, and nobody
/// attended a training held after `today`.
pub fn attendance(
    drafts: &[AttendeeDraft],
    held_on: Date,
    today: Date,
) -> Result<Vec<Attendee>, Error> {
    let mut errors = Vec::new();
    let mut attendees: Vec<Attendee> = Vec::new();
    for (i, draft) in drafts.iter().enumerate() {
        let field = format!("attendees[{i}]");
        match parse_id::<PersonId>(&field, &draft.person_id) {
            Err(e) => errors.push(e),
            Ok(person) if attendees.iter().any(|a| a.person == person) => {
                errors.push(FieldError::new(field, "the person is on the list twice"));
            }
            Ok(_) if draft.attended && held_on > today => errors.push(FieldError::new(
                field,
                format!(
                    "the training is held on {held_on}, after today: nobody has attended it yet"
                ),
            )),
            Ok(person) => attendees.push(Attendee {
                person,
                attended: draft.attended,
            }),
        }
    }
    if errors.is_empty() {
        Ok(attendees)
    } else {
        Err(Error::Invalid(errors))
    }
}

/// A competence's fields as typed, before any check.
#[derive(Debug, Clone, Default)]
pub struct CompetenceDraft {
    pub name: String,
    pub description: String,
    /// Months it stays valid once obtained; empty when it does not expire.
    pub validity_months: String,
    /// The names of the roles that require it.
    pub roles: Vec<String>,
}

/// A competence's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetenceInput {
    pub name: Name,
    pub description: Note,
    pub validity_months: Option<i32>,
    /// Distinct, in the kernel's order of roles.
    pub roles: Vec<Role>,
}

/// Reads the months a competence stays valid: empty for no expiry.
fn validity(raw: &str) -> Result<Option<i32>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i32>()
        .ok()
        .filter(|n| (1..=MAX_VALIDITY_MONTHS).contains(n))
        .map(Some)
        .ok_or_else(|| {
            FieldError::new(
                "validity_months",
                format!(
                    "must be a whole number of months from 1 to {MAX_VALIDITY_MONTHS}, or empty when it does not expire"
                ),
            )
        })
}

/// Reads the roles that require a competence, each in `roles[i]`: the provider's roles only,
/// since customers hold no duty in the ISMS.
fn required_roles(raw: &[String]) -> Result<Vec<Role>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut roles = Vec::new();
    for (i, name) in raw.iter().enumerate() {
        match Role::parse(name.trim()).filter(|r| *r != Role::CustomerUser) {
            Some(role) => roles.push(role),
            None => errors.push(FieldError::new(
                format!("roles[{i}]"),
                format!(
                    "`{}` is not one of the provider's roles; they are {}",
                    name.trim(),
                    Role::ALL
                        .into_iter()
                        .filter(|r| *r != Role::CustomerUser)
                        .map(Role::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    if errors.is_empty() {
        roles.sort();
        roles.dedup();
        Ok(roles)
    } else {
        Err(errors)
    }
}

impl CompetenceDraft {
    /// Checks every field; all errors at once.
    pub fn validate(&self) -> Result<CompetenceInput, Error> {
        let fields = (
            Name::parse("name", &self.name),
            Note::parse("description", &self.description),
            validity(&self.validity_months),
        )
            .all_valid();
        match (fields, required_roles(&self.roles)) {
            (Ok((name, description, validity_months)), Ok(roles)) => Ok(CompetenceInput {
                name,
                description,
                validity_months,
                roles,
            }),
            (fields, roles) => {
                let mut errors = fields.err().map(|e| e.field_errors()).unwrap_or_default();
                errors.extend(roles.err().unwrap_or_default());
                Err(Error::Invalid(errors))
            }
        }
    }
}

/// A person's holding of a competence as typed, before any check.
#[derive(Debug, Clone, Default)]
pub struct HoldingDraft {
    /// Who holds it; read only for a new holding.
    pub person_id: String,
    /// `YYYY-MM-DD`.
    pub obtained_on: String,
    /// `YYYY-MM-DD`; empty to take the competence's validity.
    pub expires_on: String,
    /// What shows it: a certificate's number, an attendance list.
    pub evidence: String,
}

/// A person's holding of a competence, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingInput {
    pub person: PersonId,
    pub obtained_on: Date,
    /// The expiry given by hand, overriding the one the validity gives.
    pub expires_on: Option<Date>,
    pub evidence: Note,
}

impl HoldingDraft {
    /// Checks every field; all errors at once. An existing holding keeps its `person`; a new one
    /// (`person` is `None`) reads `person_id`. It is obtained by `today` and expires after it is
    /// obtained.
    pub fn validate(&self, today: Date, person: Option<PersonId>) -> Result<HoldingInput, Error> {
        let person = person.map_or_else(|| parse_id("person_id", &self.person_id), Ok);
        let obtained_on = tandem_kernel::clock::parse_date("obtained_on", &self.obtained_on)
            .and_then(|d| {
                if d > today {
                    Err(FieldError::new(
                        "obtained_on",
                        format!(
                            "is after today ({today}): record a competence once it is obtained"
                        ),
                    ))
                } else {
                    Ok(d)
                }
            });
        let expires_on = parse_optional_date("expires_on", &self.expires_on).and_then(|e| {
            match (e, &obtained_on) {
                (Some(e), Ok(obtained)) if e <= *obtained => Err(FieldError::new(
                    "expires_on",
                    "must be after the day it was obtained",
                )),
                _ => Ok(e),
            }
        });
        let (person, obtained_on, expires_on, evidence) = (
            person,
            obtained_on,
            expires_on,
            Note::parse("evidence", &self.evidence),
        )
            .all_valid()?;
        Ok(HoldingInput {
            person,
            obtained_on,
            expires_on,
            evidence,
        })
    }
}

/// A holding a training gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Given {
    pub holding: HoldingId,
    pub person: PersonId,
    pub competence: CompetenceId,
    pub obtained_on: Date,
}

/// What recording a training's attendance does to the holdings it gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// The person attended and now holds the competence from the training's date.
    Give(PersonId, CompetenceId),
    /// The training's date changed: the holding it gave is obtained on the new date.
    Redate(HoldingId),
    /// The person is no longer recorded as attending, or the training no longer gives the
    /// competence: the holding it gave goes.
    Withdraw(HoldingId),
}

/// What the training held on `held_on`, which gives `competence`, must change in the holdings
/// it `given` so that exactly its attendees hold the competence from its date. Holdings recorded
/// by hand or by other trainings are never touched: a person holds a competence as long as any
/// of their holdings is valid.
pub fn grants(
    held_on: Date,
    competence: Option<CompetenceId>,
    attendees: &[Attendee],
    given: &[Given],
) -> Vec<Grant> {
    let attended = |person: PersonId| attendees.iter().any(|a| a.person == person && a.attended);
    let mut out = Vec::new();
    for g in given {
        if competence != Some(g.competence) || !attended(g.person) {
            out.push(Grant::Withdraw(g.holding));
        } else if g.obtained_on != held_on {
            out.push(Grant::Redate(g.holding));
        }
    }
    if let Some(competence) = competence {
        for a in attendees.iter().filter(|a| a.attended) {
            let has = given
                .iter()
                .any(|g| g.person == a.person && g.competence == competence);
            if !has {
                out.push(Grant::Give(a.person, competence));
            }
        }
    }
    out
}

/// A competence and the roles that require it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Required {
    pub competence: CompetenceId,
    pub name: String,
    pub roles: Vec<Role>,
}

/// A person who holds one of the roles that require competences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub person: PersonId,
    pub name: String,
    pub roles: Vec<Role>,
}

/// One holding, as far as the shortfall asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub person: PersonId,
    pub competence: CompetenceId,
    pub expires_on: Option<Date>,
}

tandem_kernel::vocabulary!(
    /// How a person falls short of a required competence.
    Gap {
        Missing = "missing" / "Missing",
        Expired = "expired" / "Expired",
        Expiring = "expiring" / "Expires soon",
    }
);

/// How a holding that expires on `expires_on` (`None`: never) stands on `today`: expired once the
/// day has passed, expiring within [`WARNING_DAYS`], otherwise `None`. A competence is held
/// through its day of expiry.
pub fn standing(expires_on: Option<Date>, today: Date) -> Option<Gap> {
    let expires_on = expires_on?;
    if expires_on < today {
        Some(Gap::Expired)
    } else if expires_on <= today + Duration::days(WARNING_DAYS) {
        Some(Gap::Expiring)
    } else {
        None
    }
}

/// A required competence a person lacks, holds no longer, or holds for less than
/// [`WARNING_DAYS`] more days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    pub person: PersonId,
    pub person_name: String,
    pub competence: CompetenceId,
    pub competence_name: String,
    /// The roles of the person that require it.
    pub because: Vec<Role>,
    pub gap: Gap,
    /// The latest expiry of the person's holdings, for an expired or expiring one.
    pub expires_on: Option<Date>,
}

/// For each person of `staff`, by name, each competence of `required` (in its order) one of
/// their roles requires and that they lack (no holding), hold no longer (the latest expiry is
/// before `today`) or will soon lose (it is within [`WARNING_DAYS`] of `today`). A holding
/// without an expiry never expires; a competence is held through its day of expiry.
pub fn shortfalls(
    required: &[Required],
    staff: &[Staff],
    held: &[Held],
    today: Date,
) -> Vec<Shortfall> {
    let mut people: Vec<&Staff> = staff.iter().collect();
    people.sort_by(|a, b| a.name.cmp(&b.name).then(a.person.cmp(&b.person)));
    let mut out = Vec::new();
    for person in people {
        for competence in required {
            let because: Vec<Role> = competence
                .roles
                .iter()
                .copied()
                .filter(|r| person.roles.contains(r))
                .collect();
            if because.is_empty() {
                continue;
            }
            let expiries: Vec<Option<Date>> = held
                .iter()
                .filter(|h| h.person == person.person && h.competence == competence.competence)
                .map(|h| h.expires_on)
                .collect();
            let (gap, expires_on) = if expiries.is_empty() {
                (Gap::Missing, None)
            } else {
                let latest = if expiries.contains(&None) {
                    None
                } else {
                    expiries.into_iter().flatten().max()
                };
                match standing(latest, today) {
                    Some(gap) => (gap, latest),
                    None => continue,
                }
            };
            out.push(Shortfall {
                person: person.person,
                person_name: person.name.clone(),
                competence: competence.competence,
                competence_name: competence.name.clone(),
                because,
                gap,
                expires_on,
            });
        }
    }
    out
}

/// `found` grouped by competence, in the order of `required`: every required competence, with
/// none for those nobody falls short of.
pub fn per_competence<'a>(
    required: &'a [Required],
    found: &'a [Shortfall],
) -> Vec<(&'a Required, Vec<&'a Shortfall>)> {
    required
        .iter()
        .map(|r| {
            (
                r,
                found
                    .iter()
                    .filter(|s| s.competence == r.competence)
                    .collect(),
            )
        })
        .collect()
}

/// `found` grouped by person, in its order (by name): only those who fall short.
pub fn per_person(found: &[Shortfall]) -> Vec<(PersonId, &str, Vec<&Shortfall>)> {
    let mut out: Vec<(PersonId, &str, Vec<&Shortfall>)> = Vec::new();
    for s in found {
        match out.last_mut() {
            Some((person, _, list)) if *person == s.person => list.push(s),
            _ => out.push((s.person, s.person_name.as_str(), vec![s])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn fields(error: Error) -> Vec<String> {
        error.field_errors().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_training_checks_every_field_at_once() {
        let good = TrainingDraft {
            title: "Security awareness 2026".into(),
            kind: "session".into(),
            held_on: "2026-10-01".into(),
            trainer: "Ines Kraus".into(),
            topics: "Passwords\nLocking the screen".into(),
            document_id: String::new(),
            competence_id: uuid::Uuid::nil().to_string(),
        };
        let input = good.validate().unwrap();
        assert_eq!(input.kind, TrainingKind::Session);
        assert_eq!(input.held_on, date!(2026 - 10 - 01));
        assert_eq!(input.document, None);
        assert_eq!(input.competence, Some(CompetenceId(uuid::Uuid::nil())));
        let bad = TrainingDraft {
            title: " ".into(),
            kind: "webinar".into(),
            held_on: "1 October".into(),
            trainer: String::new(),
            topics: String::new(),
            document_id: "x".into(),
            competence_id: "y".into(),
        };
        assert_eq!(
            fields(bad.validate().unwrap_err()),
            [
                "title",
                "kind",
                "held_on",
                "trainer",
                "document_id",
                "competence_id"
            ]
        );
    }

    #[test]
    fn nobody_attends_a_training_before_it_is_held() {
        let today = date!(2026 - 11 - 02);
        let (a, b) = (PersonId::generate(), PersonId::generate());
        let line = |person: PersonId, attended| AttendeeDraft {
            person_id: person.to_string(),
            attended,
        };
        let list = attendance(&[line(a, true), line(b, false)], today, today).unwrap();
        assert_eq!(
            list,
            [
                Attendee {
                    person: a,
                    attended: true
                },
                Attendee {
                    person: b,
                    attended: false
                }
            ]
        );
        let tomorrow = date!(2026 - 11 - 03);
        assert!(
            attendance(&[line(b, false)], tomorrow, today).is_ok(),
            "people are invited ahead"
        );
        let refused = attendance(
            &[
                line(a, false),
                line(b, true),
                line(a, true),
                AttendeeDraft::default(),
            ],
            tomorrow,
            today,
        )
        .unwrap_err();
        assert_eq!(
            fields(refused),
            ["attendees[1]", "attendees[2]", "attendees[3]"]
        );
        assert!(check_held_on(tomorrow, today, 0).is_ok());
        assert!(check_held_on(today, today, 3).is_ok());
        assert_eq!(
            check_held_on(tomorrow, today, 1).unwrap_err().field,
            "held_on"
        );
    }

    #[test]
    fn a_competence_names_provider_roles_and_a_validity() {
        let input = CompetenceDraft {
            name: "Annual security awareness training".into(),
            description: String::new(),
            validity_months: "12".into(),
            roles: vec!["engineer".into(), " ciso ".into(), "engineer".into()],
        }
        .validate()
        .unwrap();
        assert_eq!(input.validity_months, Some(12));
        assert_eq!(input.roles, [Role::Engineer, Role::Ciso]);
        let lasting = CompetenceDraft {
            name: "ITIL 4 Foundation".into(),
            ..CompetenceDraft::default()
        }
        .validate()
        .unwrap();
        assert_eq!(lasting.validity_months, None);
        assert!(lasting.roles.is_empty());
        let bad = CompetenceDraft {
            name: String::new(),
            description: "x".into(),
            validity_months: "121".into(),
            roles: vec!["ciso".into(), "customer-user".into(), "pilot".into()],
        };
        assert_eq!(
            fields(bad.validate().unwrap_err()),
            ["name", "validity_months", "roles[1]", "roles[2]"]
        );
    }

    #[test]
    fn a_holding_is_obtained_by_today_and_expires_later() {
        let today = date!(2026 - 11 - 02);
        let me = PersonId::generate();
        let draft = HoldingDraft {
            person_id: me.to_string(),
            obtained_on: "2026-03-31".into(),
            expires_on: String::new(),
            evidence: "Certificate 4711".into(),
        };
        let input = draft.validate(today, None).unwrap();
        assert_eq!(
            (input.person, input.obtained_on, input.expires_on),
            (me, date!(2026 - 03 - 31), None)
        );
        let other = PersonId::generate();
        assert_eq!(
            draft.validate(today, Some(other)).unwrap().person,
            other,
            "an existing holding keeps its person"
        );
        let bad = HoldingDraft {
            person_id: String::new(),
            obtained_on: "2026-11-03".into(),
            expires_on: "soon".into(),
            evidence: String::new(),
        };
        assert_eq!(
            fields(bad.validate(today, None).unwrap_err()),
            ["person_id", "obtained_on", "expires_on"]
        );
        let backwards = HoldingDraft {
            expires_on: "2026-03-31".into(),
            ..draft
        };
        assert_eq!(
            fields(backwards.validate(today, None).unwrap_err()),
            ["expires_on"]
        );
        assert_eq!(
            expiry(date!(2025 - 08 - 31), Some(6)),
            Some(date!(2026 - 02 - 28))
        );
        assert_eq!(expiry(date!(2025 - 08 - 31), None), None);
    }

    #[test]
    fn attendance_gives_exactly_its_attendees_the_competence() {
        let held_on = date!(2026 - 10 - 01);
        let awareness = CompetenceId::generate();
        let (ada, bob, cy) = (
            PersonId::generate(),
            PersonId::generate(),
            PersonId::generate(),
        );
        let attendees = [
            Attendee {
                person: ada,
                attended: true,
            },
            Attendee {
                person: bob,
                attended: false,
            },
            Attendee {
                person: cy,
                attended: true,
            },
        ];
        assert_eq!(
            grants(held_on, Some(awareness), &attendees, &[]),
            [Grant::Give(ada, awareness), Grant::Give(cy, awareness)]
        );
        assert!(
            grants(held_on, None, &attendees, &[]).is_empty(),
            "a training without a competence gives none"
        );
        let given = |person, obtained_on| Given {
            holding: HoldingId::generate(),
            person,
            competence: awareness,
            obtained_on,
        };
        let (to_ada, to_bob) = (given(ada, held_on), given(bob, date!(2026 - 09 - 30)));
        assert_eq!(
            grants(held_on, Some(awareness), &attendees, &[to_ada, to_bob]),
            [Grant::Withdraw(to_bob.holding), Grant::Give(cy, awareness)],
            "Bob is no longer recorded as attending"
        );
        let moved = date!(2026 - 10 - 02);
        assert_eq!(
            grants(moved, Some(awareness), &attendees[..1], &[to_ada]),
            [Grant::Redate(to_ada.holding)]
        );
        assert_eq!(
            grants(
                held_on,
                Some(CompetenceId::generate()),
                &attendees[..1],
                &[to_ada]
            )
            .len(),
            2,
            "another competence: the old holding goes, the new one is given"
        );
    }

    #[test]
    fn shortfalls_name_the_missing_the_expired_and_the_soon_expiring() {
        let today = date!(2026 - 11 - 02);
        let (awareness, itil, ccsp) = (
            CompetenceId::generate(),
            CompetenceId::generate(),
            CompetenceId::generate(),
        );
        let required = [
            Required {
                competence: awareness,
                name: "Awareness".into(),
                roles: vec![Role::ServiceDeskAgent, Role::Engineer, Role::Ciso],
            },
            Required {
                competence: itil,
                name: "ITIL 4 Foundation".into(),
                roles: vec![Role::ServiceDeskAgent],
            },
            Required {
                competence: ccsp,
                name: "CCSP".into(),
                roles: vec![Role::Ciso, Role::Engineer],
            },
        ];
        let (nina, sven, ines, ruth) = (
            PersonId::generate(),
            PersonId::generate(),
            PersonId::generate(),
            PersonId::generate(),
        );
        let staff = [
            Staff {
                person: sven,
                name: "Sven".into(),
                roles: vec![Role::Engineer],
            },
            Staff {
                person: nina,
                name: "Nina".into(),
                roles: vec![Role::ServiceDeskAgent],
            },
            Staff {
                person: ines,
                name: "Ines".into(),
                roles: vec![Role::Ciso, Role::CabMember],
            },
            Staff {
                person: ruth,
                name: "Ruth".into(),
                roles: vec![Role::Auditor],
            },
        ];
        let held = |person, competence, expires_on| Held {
            person,
            competence,
            expires_on,
        };
        let holdings = [
            held(nina, awareness, Some(date!(2026 - 11 - 01))),
            held(nina, itil, None),
            held(sven, awareness, Some(date!(2026 - 11 - 01))),
            held(sven, awareness, Some(date!(2027 - 10 - 01))),
            held(sven, ccsp, Some(date!(2026 - 12 - 02))),
            held(ines, awareness, Some(today)),
            held(ines, ccsp, Some(date!(2026 - 12 - 03))),
            held(ruth, ccsp, Some(date!(2020 - 01 - 01))),
        ];
        let found = shortfalls(&required, &staff, &holdings, today);
        let seen: Vec<(PersonId, CompetenceId, Gap, Option<Date>)> = found
            .iter()
            .map(|s| (s.person, s.competence, s.gap, s.expires_on))
            .collect();
        assert_eq!(
            seen,
            [
                (ines, awareness, Gap::Expiring, Some(today)),
                (nina, awareness, Gap::Expired, Some(date!(2026 - 11 - 01))),
                (sven, ccsp, Gap::Expiring, Some(date!(2026 - 12 - 02))),
            ],
            "held through the day of expiry; the latest holding counts; 30 days warn; a role that requires nothing asks nothing"
        );
        assert_eq!(found[0].because, [Role::Ciso]);
        let without = shortfalls(&required, &staff, &holdings[1..], today);
        assert_eq!(
            (without[1].person, without[1].gap, without[1].expires_on),
            (nina, Gap::Missing, None)
        );
        assert_eq!(standing(None, today), None, "never expires");
        assert_eq!(standing(Some(today), today), Some(Gap::Expiring));
        assert_eq!(
            standing(Some(date!(2026 - 12 - 03)), today),
            None,
            "31 days ahead"
        );
        assert_eq!(
            standing(Some(date!(2026 - 11 - 01)), today),
            Some(Gap::Expired)
        );
        let by_competence = per_competence(&required, &found);
        let counts: Vec<usize> = by_competence.iter().map(|(_, s)| s.len()).collect();
        assert_eq!(counts, [2, 0, 1]);
        let by_person = per_person(&found);
        let names: Vec<&str> = by_person.iter().map(|(_, name, _)| *name).collect();
        assert_eq!(names, ["Ines", "Nina", "Sven"]);
    }
}
