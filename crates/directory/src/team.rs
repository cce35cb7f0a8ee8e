//! Teams: who handles what at which support level, and the Change Advisory Board.

use tandem_kernel::error::AllValid;
use tandem_kernel::id::parse_id;
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{Error, FieldError, Result, entity_id};
use time::OffsetDateTime;

use crate::{OrganisationId, PersonId};

entity_id!(
    /// Identifies a team.
    TeamId
);

/// Where a team stands in the support and escalation structure (seed 000, section 5.3: first
/// level at the provider's desk, second level at the provider or the customer's IT, third level
/// at the vendor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TeamLevel {
    FirstLevel,
    SecondLevel,
    ThirdLevel,
    /// The Change Advisory Board, whose consent emergency changes need.
    Cab,
    /// A partner team outside the support levels.
    Partner,
}

impl TeamLevel {
    pub const ALL: [Self; 5] = [
        Self::FirstLevel,
        Self::SecondLevel,
        Self::ThirdLevel,
        Self::Cab,
        Self::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstLevel => "first_level",
            Self::SecondLevel => "second_level",
            Self::ThirdLevel => "third_level",
            Self::Cab => "cab",
            Self::Partner => "partner",
        }
    }

    /// The position in lists sorted by level: 1st, 2nd, 3rd level, CAB, partners.
    pub fn rank(self) -> usize {
        Self::ALL
            .iter()
            .position(|l| *l == self)
            .unwrap_or_default()
            + 1
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::FirstLevel => "1st level",
            Self::SecondLevel => "2nd level",
            Self::ThirdLevel => "3rd level",
            Self::Cab => "Change Advisory Board",
            Self::Partner => "Partner",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        match raw.trim() {
            "" => Err(FieldError::new(field, "is required")),
            value => Self::ALL
                .into_iter()
                .find(|l| l.as_str() == value)
                .ok_or_else(|| {
                    FieldError::new(
                        field,
                        "must be one of: first_level, second_level, third_level, cab, partner",
                    )
                }),
        }
    }
}

impl TryFrom<String> for TeamLevel {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse("level", &value).map_err(|e| e.to_string())
    }
}

/// A stored team without its members.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Team {
    pub id: TeamId,
    pub organisation_id: OrganisationId,
    pub organisation_name: Name,
    pub name: Name,
    #[sqlx(try_from = "String")]
    pub level: TeamLevel,
    pub description: Note,
    pub member_count: i64,
    /// The member who leads the team (escalation can notify them).
    pub lead_id: Option<PersonId>,
    pub lead_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// How many times the record was saved; an update must name the version it started from.
    pub version: i64,
}

/// A team as typed into a form or sent to the API, not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamDraft {
    pub organisation_id: String,
    pub name: String,
    pub level: String,
    pub description: String,
    pub members: Vec<String>,
    /// The lead's id, one of `members`; empty for none.
    pub lead: String,
}

/// A checked team, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamInput {
    pub organisation_id: OrganisationId,
    pub name: Name,
    pub level: TeamLevel,
    pub description: Note,
    /// Distinct members, in the order first given.
    pub members: Vec<PersonId>,
    /// One of the members, or nobody.
    pub lead: Option<PersonId>,
}

/// The most members a team may have; a larger group is a sign of a mistake, not a team.
pub const MAX_MEMBERS: usize = 500;

fn parse_members(raw: &[String]) -> Result<Vec<PersonId>, FieldError> {
    if raw.len() > MAX_MEMBERS {
        return Err(FieldError::new(
            "members",
            format!(
                "has {} entries, at most {MAX_MEMBERS} are allowed",
                raw.len()
            ),
        ));
    }
    let mut members: Vec<PersonId> = Vec::with_capacity(raw.len());
    for (index, value) in raw.iter().enumerate() {
        let id = parse_id(&format!("members[{index}]"), value)?;
        if !members.contains(&id) {
            members.push(id);
        }
    }
    Ok(members)
}

impl TeamDraft {
    pub fn from_record(team: &Team, members: &[PersonId]) -> Self {
        Self {
            organisation_id: team.organisation_id.to_string(),
            name: team.name.to_string(),
            level: team.level.as_str().to_owned(),
            description: team.description.to_string(),
            members: members.iter().map(ToString::to_string).collect(),
            lead: team.lead_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }

    pub fn validate(&self) -> Result<TeamInput> {
        let (organisation_id, name, level, description, members) = (
            parse_id("organisation_id", &self.organisation_id),
            Name::parse("name", &self.name),
            TeamLevel::parse("level", &self.level),
            Note::parse("description", &self.description),
            parse_members(&self.members),
        )
            .all_valid()?;
        let lead = match self.lead.trim() {
            "" => None,
            raw => {
                let id: PersonId = parse_id("lead", raw)?;
                if !members.contains(&id) {
                    return Err(Error::invalid(
                        "lead",
                        "the lead must be one of the team's members",
                    ));
                }
                Some(id)
            }
        };
        Ok(TeamInput {
            organisation_id,
            name,
            level,
            description,
            members,
            lead,
        })
    }
}

/// The fields the audit trail records for a team; members as sorted ids.
fn audit_fields(
    organisation_id: OrganisationId,
    name: &Name,
    level: TeamLevel,
    description: &Note,
    members: &[PersonId],
    lead: Option<PersonId>,
) -> Vec<(&'static str, String)> {
    let mut ids: Vec<String> = members.iter().map(ToString::to_string).collect();
    ids.sort();
    vec![
        ("organisation_id", organisation_id.to_string()),
        ("name", name.to_string()),
        ("level", level.as_str().to_owned()),
        ("description", description.to_string()),
        ("members", ids.join(", ")),
        ("lead", lead.map(|id| id.to_string()).unwrap_or_default()),
    ]
}

impl Team {
    /// The team's audit fields with `members`, which a [`Team`] does not hold.
    pub fn audit_fields(&self, members: &[PersonId]) -> Vec<(&'static str, String)> {
        audit_fields(
            self.organisation_id,
            &self.name,
            self.level,
            &self.description,
            members,
            self.lead_id,
        )
    }
}

impl TeamInput {
    pub fn audit_fields(&self) -> Vec<(&'static str, String)> {
        audit_fields(
            self.organisation_id,
            &self.name,
            self.level,
            &self.description,
            &self.members,
            self.lead,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(members: Vec<String>) -> TeamDraft {
        TeamDraft {
            organisation_id: OrganisationId::generate().to_string(),
            name: "Service desk".into(),
            level: "first_level".into(),
            description: String::new(),
            members,
            lead: String::new(),
        }
    }

    #[test]
    fn the_lead_is_one_of_the_members() {
        let (a, b) = (PersonId::generate(), PersonId::generate());
        let mut team = draft(vec![a.to_string()]);
        team.lead = a.to_string();
        assert_eq!(team.validate().unwrap().lead, Some(a));
        team.lead = b.to_string();
        let error = team.validate().unwrap_err();
        assert_eq!(error.field_errors()[0].field, "lead");
        team.lead = String::new();
        assert_eq!(team.validate().unwrap().lead, None);
    }

    #[test]
    fn duplicate_members_are_kept_once_in_their_first_position() {
        let (a, b) = (PersonId::generate(), PersonId::generate());
        let input = draft(vec![a.to_string(), b.to_string(), a.to_string()])
            .validate()
            .unwrap();
        assert_eq!(input.members, [a, b]);
    }

    #[test]
    fn a_bad_member_id_names_its_position() {
        let err = draft(vec![PersonId::generate().to_string(), "nobody".into()])
            .validate()
            .unwrap_err();
        assert_eq!(err.field_errors()[0].field, "members[1]");
    }

    #[test]
    fn too_many_members_are_refused() {
        let many = (0..=MAX_MEMBERS)
            .map(|_| PersonId::generate().to_string())
            .collect();
        assert_eq!(
            draft(many).validate().unwrap_err().field_errors()[0].field,
            "members"
        );
    }

    #[test]
    fn levels_round_trip_through_their_names() {
        for level in TeamLevel::ALL {
            assert_eq!(TeamLevel::parse("level", level.as_str()).unwrap(), level);
        }
        assert!(TeamLevel::parse("level", "fourth_level").is_err());
    }
}
