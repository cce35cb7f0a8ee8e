//! Roles and responsibilities of the ISMS: the six roles people hold (ISO/IEC 27001:2022 clause
//! 5.3), each with a default description of its duties; who holds which role since when; the
//! responsibility matrix (RACI) over the ISMS's processes and the controls of a framework
//! edition; and the decisions of management (commitment, resources) as records.
//!
//! Pure: ids are parsed here, whether they exist is the store's business.

use std::collections::BTreeMap;

use tandem_directory::PersonId;
use tandem_kernel::error::AllValid;
use tandem_kernel::id::{parse_id, parse_optional_id};
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{Error, FieldError, entity_id};
use time::Date;

use crate::document::DocumentId;

entity_id!(
    /// A person's assignment to an ISMS role.
    AssignmentId
);

entity_id!(
    /// A decision of management about the ISMS.
    DecisionId
);

tandem_kernel::vocabulary!(
    /// A role in the ISMS.
    IsmsRole {
        Ciso = "ciso" / "CISO",
        SecurityManager = "information-security-manager" / "Information security manager",
        AssetOwner = "asset-owner" / "Asset owner",
        RiskOwner = "risk-owner" / "Risk owner",
        InternalAuditor = "internal-auditor" / "Internal auditor",
        ManagementRepresentative = "management-representative" / "Management representative",
    }
);

impl IsmsRole {
    /// Whether only one person holds the role at a time.
    pub fn single(self) -> bool {
        matches!(self, Self::Ciso | Self::ManagementRepresentative)
    }

    /// What the holder of the role does, unless an assignment says otherwise.
    pub fn default_description(self) -> &'static str {
        match self {
            // After seed 000 section 3.2.
            Self::Ciso => {
                "Sets up and leads the information security function, which may sit beside other duties. \
                 Owns the security policies, standards, procedures, guidelines and the security architecture, \
                 and makes sure every information asset is protected and its safeguards are in place. \
                 Runs day-to-day security operations across applications, data protection, communication \
                 systems and all other information systems; analyses and forecasts threats so that risks are \
                 understood; oversees security monitoring, detection and the response to incidents; and builds \
                 awareness and a culture of security and privacy among the staff."
            }
            Self::SecurityManager => {
                "Runs the ISMS from day to day for the CISO: keeps the documents, the risk register and the \
                 Statement of Applicability current, coordinates the controls' owners and reports on progress."
            }
            Self::AssetOwner => {
                "Answers for a set of information assets: knows what they are and how they are classified, \
                 decides who may use them, and sees that their controls are applied."
            }
            Self::RiskOwner => {
                "Answers for a set of risks: approves how each is treated, accepts what remains, and watches \
                 that the treatment is carried out."
            }
            Self::InternalAuditor => {
                "Plans and carries out the internal audits of the ISMS, independent of the work audited, and \
                 reports the findings to management."
            }
            Self::ManagementRepresentative => {
                "Speaks for top management in the ISMS: commits the resources, decides on the scope, the policy \
                 and the acceptance of risks, and leads the management review."
            }
        }
    }
}

/// A role's assignment as typed, before any check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssignmentDraft {
    pub role: String,
    pub person_id: String,
    /// `YYYY-MM-DD`.
    pub since: String,
    /// Empty: the role's default description.
    pub description: String,
}

/// A role's assignment, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentInput {
    pub role: IsmsRole,
    pub person_id: PersonId,
    pub since: Date,
    pub description: Note,
}

impl AssignmentDraft {
    /// Checks every field; all errors at once.
    pub fn validate(&self) -> Result<AssignmentInput, Error> {
        let (role, person_id, since, description) = (
            IsmsRole::parse("role", &self.role),
            parse_id::<PersonId>("person_id", &self.person_id),
            tandem_kernel::clock::parse_date("since", &self.since),
            Note::parse("description", &self.description),
        )
            .all_valid()?;
        Ok(AssignmentInput {
            role,
            person_id,
            since,
            description,
        })
    }
}

/// The day an assignment held since `since` ends, read from `raw` in the field `until`: not
/// before it began.
pub fn end_date(since: Date, raw: &str) -> Result<Date, FieldError> {
    let until = tandem_kernel::clock::parse_date("until", raw)?;
    if until < since {
        return Err(FieldError::new(
            "until",
            format!("is before the assignment began ({since})"),
        ));
    }
    Ok(until)
}

tandem_kernel::vocabulary!(
    /// A process of the ISMS: a row of the responsibility matrix.
    Process {
        Context = "context-and-scope" / "Context and scope",
        Leadership = "leadership-and-policy" / "Leadership and policy",
        RiskAssessment = "risk-assessment" / "Risk assessment",
        RiskTreatment = "risk-treatment" / "Risk treatment and the Statement of Applicability",
        Documents = "document-control" / "Document and record control",
        Awareness = "awareness-and-competence" / "Awareness and competence",
        Operations = "operations-and-change" / "Operations and change",
        Incidents = "incident-management" / "Incident management",
        Monitoring = "monitoring-and-measurement" / "Monitoring and measurement",
        InternalAudit = "internal-audit" / "Internal audit",
        ManagementReview = "management-review" / "Management review",
        Improvement = "corrective-action" / "Corrective action and improvement",
    }
);

tandem_kernel::vocabulary!(
    /// What a role has to do with a process or control.
    Letter {
        Responsible = "R" / "Responsible",
        Accountable = "A" / "Accountable",
        Consulted = "C" / "Consulted",
        Informed = "I" / "Informed",
    }
);

/// A row's cells as checked: the letter of each role that has one.
pub type Cells = BTreeMap<IsmsRole, Letter>;

/// Checks the cells of the row `row` as typed, role by role (`ciso` → `A`); an empty letter
/// leaves the cell empty. Each bad role or letter is named as `cells.<role>`; a row with more
/// than one A is refused under the field `row`: one role answers for it.
pub fn check_row(row: &str, typed: &BTreeMap<String, String>) -> Result<Cells, Error> {
    let mut errors = Vec::new();
    let mut cells = Cells::new();
    for (role, letter) in typed {
        let field = format!("cells.{role}");
        let role = IsmsRole::parse(&field, role);
        let letter = if letter.trim().is_empty() {
            Ok(None)
        } else {
            Letter::parse(&field, letter).map(Some)
        };
        match (role, letter) {
            (Ok(role), Ok(Some(letter))) => {
                cells.insert(role, letter);
            }
            (Ok(_), Ok(None)) => {}
            (role, letter) => errors.extend(role.err().or(letter.err())),
        }
    }
    let accountable: Vec<&str> = cells
        .iter()
        .filter(|(_, letter)| **letter == Letter::Accountable)
        .map(|(role, _)| role.label())
        .collect();
    if accountable.len() > 1 {
        errors.push(FieldError::new(
            row,
            format!(
                "has {} roles accountable ({}); one role answers for a row",
                accountable.len(),
                accountable.join(", ")
            ),
        ));
    }
    if errors.is_empty() {
        Ok(cells)
    } else {
        Err(Error::Invalid(errors))
    }
}

/// What a row of the matrix lacks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gaps {
    /// No role is accountable.
    pub no_accountable: bool,
    /// No role is responsible.
    pub no_responsible: bool,
}

impl Gaps {
    /// The gaps of a row with `cells`.
    pub fn of(cells: &Cells) -> Self {
        Self {
            no_accountable: !cells.values().any(|l| *l == Letter::Accountable),
            no_responsible: !cells.values().any(|l| *l == Letter::Responsible),
        }
    }

    pub fn any(self) -> bool {
        self.no_accountable || self.no_responsible
    }
}

tandem_kernel::vocabulary!(
    /// What a decision of management is about.
    DecisionKind {
        Commitment = "commitment" / "Commitment",
        Resources = "resources" / "Resources",
        Policy = "policy" / "Policy",
        RiskAcceptance = "risk-acceptance" / "Risk acceptance",
        Objective = "objective" / "Objective",
        Other = "other" / "Other",
    }
);

/// A decision as typed, before any check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionDraft {
    /// `YYYY-MM-DD`.
    pub decided_on: String,
    pub title: String,
    pub kind: String,
    /// What was decided.
    pub text: String,
    pub decided_by: String,
    /// The resources committed, such as a budget; empty for none.
    pub resources: String,
    /// The related document of the register; empty for none.
    pub document_id: String,
    /// The earlier decision this one replaces; empty for none.
    pub supersedes: String,
}

/// A decision, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    pub decided_on: Date,
    pub title: Name,
    pub kind: DecisionKind,
    pub text: Note,
    pub decided_by: PersonId,
    pub resources: Note,
    pub document_id: Option<DocumentId>,
    pub supersedes: Option<DecisionId>,
}

impl DecisionDraft {
    /// Checks every field on `today`, all errors at once: a decision is recorded once it is
    /// taken, never ahead, and says what was decided.
    pub fn validate(&self, today: Date) -> Result<DecisionInput, Error> {
        let decided_on =
            tandem_kernel::clock::parse_date("decided_on", &self.decided_on).and_then(|day| {
                if day > today {
                    Err(FieldError::new(
                        "decided_on",
                        format!("is after today ({today}); record a decision once it is taken"),
                    ))
                } else {
                    Ok(day)
                }
            });
        let text = Note::parse("text", &self.text).and_then(|text| {
            if text.as_str().is_empty() {
                Err(FieldError::new("text", "is required"))
            } else {
                Ok(text)
            }
        });
        let (decided_on, title, kind, text, decided_by, resources, document_id, supersedes) = (
            decided_on,
            Name::parse("title", &self.title),
            DecisionKind::parse("kind", &self.kind),
            text,
            parse_id::<PersonId>("decided_by", &self.decided_by),
            Note::parse("resources", &self.resources),
            parse_optional_id::<DocumentId>("document_id", &self.document_id),
            parse_optional_id::<DecisionId>("supersedes", &self.supersedes),
        )
            .all_valid()?;
        Ok(DecisionInput {
            decided_on,
            title,
            kind,
            text,
            decided_by,
            resources,
            document_id,
            supersedes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn fields(error: Error) -> Vec<String> {
        error.field_errors().into_iter().map(|e| e.field).collect()
    }

    fn typed(cells: &[(&str, &str)]) -> BTreeMap<String, String> {
        cells
            .iter()
            .map(|(r, l)| ((*r).to_owned(), (*l).to_owned()))
            .collect()
    }

    #[test]
    fn only_the_ciso_and_the_management_representative_are_held_alone() {
        let single: Vec<IsmsRole> = IsmsRole::ALL
            .iter()
            .copied()
            .filter(|r| r.single())
            .collect();
        assert_eq!(single, [IsmsRole::Ciso, IsmsRole::ManagementRepresentative]);
        for role in IsmsRole::ALL {
            assert!(!role.default_description().is_empty(), "{role}");
        }
        assert!(IsmsRole::Ciso.default_description().contains("incidents"));
    }

    #[test]
    fn an_assignment_names_every_bad_field_at_once() {
        let person = PersonId::generate();
        let input = AssignmentDraft {
            role: " risk-owner ".into(),
            person_id: person.to_string(),
            since: "2026-01-01".into(),
            description: String::new(),
        }
        .validate()
        .unwrap();
        assert_eq!(input.role, IsmsRole::RiskOwner);
        assert_eq!(input.person_id, person);
        assert_eq!(input.since, date!(2026 - 01 - 01));
        let error = AssignmentDraft {
            role: "owner".into(),
            person_id: "Maria".into(),
            since: "1.1.2026".into(),
            description: String::new(),
        }
        .validate()
        .unwrap_err();
        assert_eq!(fields(error), ["role", "person_id", "since"]);
    }

    #[test]
    fn an_assignment_ends_on_or_after_the_day_it_began() {
        let since = date!(2026 - 03 - 01);
        assert_eq!(end_date(since, "2026-03-01").unwrap(), since);
        assert_eq!(
            end_date(since, "2026-12-31").unwrap(),
            date!(2026 - 12 - 31)
        );
        let early = end_date(since, "2026-02-28").unwrap_err();
        assert_eq!(early.field, "until");
        assert_eq!(early.message, "is before the assignment began (2026-03-01)");
        assert_eq!(end_date(since, "").unwrap_err().field, "until");
    }

    #[test]
    fn a_row_has_at_most_one_accountable_role() {
        let cells = check_row(
            "risk-assessment",
            &typed(&[
                ("ciso", "A"),
                ("risk-owner", "R"),
                ("asset-owner", " C "),
                ("internal-auditor", ""),
            ]),
        )
        .unwrap();
        assert_eq!(cells.len(), 3, "an empty letter is no cell");
        assert_eq!(cells[&IsmsRole::AssetOwner], Letter::Consulted);
        assert_eq!(Gaps::of(&cells), Gaps::default());
        let error = check_row("A.5.15", &typed(&[("ciso", "A"), ("risk-owner", "A")])).unwrap_err();
        let errors = error.field_errors();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "A.5.15");
        assert_eq!(
            errors[0].message,
            "has 2 roles accountable (CISO, Risk owner); one role answers for a row"
        );
        let error = check_row("A.5.15", &typed(&[("boss", "A"), ("ciso", "X")])).unwrap_err();
        assert_eq!(fields(error), ["cells.boss", "cells.ciso"]);
    }

    #[test]
    fn a_row_without_an_a_or_an_r_is_a_gap() {
        let empty = Cells::new();
        assert!(Gaps::of(&empty).no_accountable && Gaps::of(&empty).no_responsible);
        let informed = check_row("x", &typed(&[("ciso", "R"), ("internal-auditor", "I")])).unwrap();
        let gaps = Gaps::of(&informed);
        assert!(gaps.no_accountable && !gaps.no_responsible && gaps.any());
        let only_a = check_row("x", &typed(&[("ciso", "A")])).unwrap();
        assert!(!Gaps::of(&only_a).no_accountable && Gaps::of(&only_a).no_responsible);
        assert_eq!(Process::ALL.len(), 12);
    }

    #[test]
    fn a_decision_is_recorded_once_taken_with_every_error_at_once() {
        let today = date!(2026 - 12 - 07);
        let draft = DecisionDraft {
            decided_on: "2026-12-01".into(),
            title: "Budget for the yearly penetration test".into(),
            kind: "resources".into(),
            text: "A test house tests the video service once a year.".into(),
            decided_by: PersonId::generate().to_string(),
            resources: "EUR 18,000 a year".into(),
            ..DecisionDraft::default()
        };
        let input = draft.validate(today).unwrap();
        assert_eq!(input.kind, DecisionKind::Resources);
        assert_eq!(input.document_id, None);
        assert_eq!(input.supersedes, None);
        let error = DecisionDraft {
            decided_on: "2026-12-08".into(),
            title: String::new(),
            kind: "budget".into(),
            text: " ".into(),
            decided_by: "Maria".into(),
            resources: String::new(),
            document_id: "DOC-1".into(),
            supersedes: "the old one".into(),
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(
            fields(error),
            [
                "decided_on",
                "title",
                "kind",
                "text",
                "decided_by",
                "document_id",
                "supersedes"
            ]
        );
    }
}
