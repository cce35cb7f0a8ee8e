//! Stored agreements: the terms of [`crate::agreement`] and who they bind: the customer (an
//! SLA), the internal team (an OLA) or the supplier (an underpinning contract), the service
//! they cover and the calendar their targets are measured in.

use tandem_directory::{OrganisationId, TeamId};
use tandem_kernel::{Error, FieldError};
use time::OffsetDateTime;

use crate::agreement::{AgreementDraft, AgreementId, AgreementKind, AgreementTerms};
use crate::calendars::CalendarId;
use crate::services::ServiceId;

/// A stored agreement.
#[derive(Debug, Clone)]
pub struct Agreement {
    pub id: AgreementId,
    pub terms: AgreementTerms,
    /// The customer of an SLA, the supplier of an underpinning contract.
    pub organisation: Option<(OrganisationId, String)>,
    /// The team of an OLA.
    pub team: Option<(TeamId, String)>,
    pub service: Option<(ServiceId, String)>,
    pub calendar: (CalendarId, String),
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

/// Who an agreement binds and what it covers, as typed (ids).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartiesDraft {
    pub organisation_id: String,
    pub team_id: String,
    pub service_id: String,
    pub calendar_id: String,
}

/// A checked agreement, ready to be stored (the store checks the ids exist and fit the kind).
#[derive(Debug, Clone)]
pub struct AgreementInput {
    pub terms: AgreementTerms,
    pub organisation_id: Option<OrganisationId>,
    pub team_id: Option<TeamId>,
    pub service_id: Option<ServiceId>,
    pub calendar_id: CalendarId,
}

fn id<T: std::str::FromStr>(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<T> {
    match raw.trim() {
        "" => None,
        text => text
            .parse()
            .map_err(|_| errors.push(FieldError::new(field, "is not an id")))
            .ok(),
    }
}

/// Checks terms and parties together, every field at once: an SLA or underpinning contract
/// names an organisation and no team, an OLA a team and no organisation; every agreement
/// names a calendar.
pub fn validate(terms: &AgreementDraft, parties: &PartiesDraft) -> Result<AgreementInput, Error> {
    let checked = terms.validate();
    let mut errors = match &checked {
        Ok(_) => Vec::new(),
        Err(e) => e.field_errors(),
    };
    let organisation_id = id("organisation_id", &parties.organisation_id, &mut errors);
    let team_id = id("team_id", &parties.team_id, &mut errors);
    let service_id = id("service_id", &parties.service_id, &mut errors);
    let calendar_id = id("calendar_id", &parties.calendar_id, &mut errors);
    if calendar_id.is_none() && parties.calendar_id.trim().is_empty() {
        errors.push(FieldError::new(
            "calendar_id",
            "choose the calendar the targets are measured in",
        ));
    }
    if let Ok(kind) = AgreementKind::parse("kind", &terms.kind) {
        match kind {
            AgreementKind::Sla | AgreementKind::UnderpinningContract => {
                if parties.organisation_id.trim().is_empty() {
                    let whose = if kind == AgreementKind::Sla {
                        "customer"
                    } else {
                        "supplier"
                    };
                    errors.push(FieldError::new(
                        "organisation_id",
                        format!("choose the {whose} the agreement is with"),
                    ));
                }
                if !parties.team_id.trim().is_empty() {
                    errors.push(FieldError::new("team_id", "only an OLA is with a team"));
                }
            }
            AgreementKind::Ola => {
                if parties.team_id.trim().is_empty() {
                    errors.push(FieldError::new(
                        "team_id",
                        "choose the internal team the OLA is with",
                    ));
                }
                if !parties.organisation_id.trim().is_empty() {
                    errors.push(FieldError::new(
                        "organisation_id",
                        "an OLA is with a team, not an organisation",
                    ));
                }
            }
        }
    }
    match (checked, calendar_id) {
        (Ok(terms), Some(calendar_id)) if errors.is_empty() => Ok(AgreementInput {
            terms,
            organisation_id,
            team_id,
            service_id,
            calendar_id,
        }),
        _ => Err(Error::Invalid(errors)),
    }
}

impl AgreementInput {
    /// The fields the audit trail records.
    pub fn audit_fields(&self) -> Vec<(String, String)> {
        let mut fields = self.terms.audit_fields();
        let show = |id: Option<String>| id.unwrap_or_default();
        fields.extend([
            (
                "organisation_id".to_owned(),
                show(self.organisation_id.map(|i| i.to_string())),
            ),
            (
                "team_id".to_owned(),
                show(self.team_id.map(|i| i.to_string())),
            ),
            (
                "service_id".to_owned(),
                show(self.service_id.map(|i| i.to_string())),
            ),
            ("calendar_id".to_owned(), self.calendar_id.to_string()),
        ]);
        fields
    }
}

impl Agreement {
    /// The agreement as input again (for the audit trail's "before").
    pub fn input(&self) -> AgreementInput {
        AgreementInput {
            terms: self.terms.clone(),
            organisation_id: self.organisation.as_ref().map(|o| o.0),
            team_id: self.team.as_ref().map(|t| t.0),
            service_id: self.service.as_ref().map(|s| s.0),
            calendar_id: self.calendar.0,
        }
    }

    /// The parties as a draft again.
    pub fn parties(&self) -> PartiesDraft {
        PartiesDraft {
            organisation_id: self
                .organisation
                .as_ref()
                .map(|o| o.0.to_string())
                .unwrap_or_default(),
            team_id: self
                .team
                .as_ref()
                .map(|t| t.0.to_string())
                .unwrap_or_default(),
            service_id: self
                .service
                .as_ref()
                .map(|s| s.0.to_string())
                .unwrap_or_default(),
            calendar_id: self.calendar.0.to_string(),
        }
    }
}
