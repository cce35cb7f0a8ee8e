//! Stored tickets and articles, and what a new ticket, an article or a change of a ticket
//! looks like before it is stored.

use tandem_directory::{OrganisationId, PersonId, TeamId};
use tandem_kernel::text::Name;
use tandem_kernel::{Error, FieldError, entity_id};
use tandem_service_levels::agreement::{AgreementId, Metric, Priority};
use tandem_service_levels::services::ServiceId;
use time::OffsetDateTime;

use crate::attachment::{AttachmentId, FileDraft, NewAttachment};
use crate::ticket::{Level, PriorityMatrix, State, TicketKind};

pub use tandem_kernel::id::TicketId;

entity_id!(
    /// Identifies an article of a ticket's thread.
    ArticleId
);

/// A ticket's number as people say it: `T-000042`.
pub fn show_number(number: i64) -> String {
    tandem_kernel::id::TICKETS.text(number)
}

/// A stored ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: TicketId,
    pub number: i64,
    pub kind: TicketKind,
    pub title: String,
    pub state: State,
    pub impact: Level,
    pub urgency: Level,
    pub priority: Priority,
    pub organisation: (OrganisationId, String),
    pub requester: Option<(PersonId, String)>,
    pub service: Option<(ServiceId, String)>,
    pub agreement: Option<(AgreementId, String)>,
    pub team: Option<(TeamId, String)>,
    pub assignee: Option<(PersonId, String)>,
    pub support_level: i32,
    pub category: String,
    pub affected_items: String,
    /// On problems: the known error and its workaround.
    pub known_error: String,
    pub workaround: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub first_response_at: Option<OffsetDateTime>,
    pub resolved_at: Option<OffsetDateTime>,
    pub closed_at: Option<OffsetDateTime>,
    pub response_due: Option<OffsetDateTime>,
    pub update_due: Option<OffsetDateTime>,
    pub resolution_due: Option<OffsetDateTime>,
    pub escalation_at: Option<OffsetDateTime>,
    /// Where the ticket's escalation stands, once a step has been taken.
    pub escalation: Option<Escalated>,
    pub version: i64,
}

/// The latest escalation step a ticket took: of which target, its level (its place, from 1, in
/// the agreement's list of steps), what it did, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalated {
    pub metric: Metric,
    pub level: u32,
    pub action: String,
    pub since: OffsetDateTime,
}

impl Escalated {
    /// As the ticket page shows it: "level 3 (first response): notify maria@… since …".
    pub fn describe(&self) -> String {
        format!(
            "level {} of the {} escalation: {}",
            self.level,
            self.metric.label().to_lowercase(),
            self.action
        )
    }
}

impl Ticket {
    pub fn display_number(&self) -> String {
        show_number(self.number)
    }

    /// Whether the first-response target was missed (or is missed by `now`, still unmet).
    pub fn response_breached(&self, now: OffsetDateTime) -> bool {
        self.response_due
            .is_some_and(|due| self.first_response_at.unwrap_or(now) > due)
    }

    /// Whether the resolution target was missed (or is missed by `now`, still open).
    pub fn resolution_breached(&self, now: OffsetDateTime) -> bool {
        self.resolution_due.is_some_and(|due| {
            self.resolved_at
                .filter(|_| !self.state.is_open())
                .unwrap_or(now)
                > due
        })
    }

    /// Whether an update is overdue at `now`.
    pub fn update_breached(&self, now: OffsetDateTime) -> bool {
        self.update_due.is_some_and(|due| now > due)
    }

    /// The fields the audit trail records.
    pub fn audit_fields(&self) -> Vec<(&'static str, String)> {
        let id = |o: Option<String>| o.unwrap_or_default();
        vec![
            ("state", self.state.as_str().to_owned()),
            ("impact", self.impact.as_str().to_owned()),
            ("urgency", self.urgency.as_str().to_owned()),
            ("priority", self.priority.as_str().to_owned()),
            ("team_id", id(self.team.as_ref().map(|t| t.0.to_string()))),
            (
                "assignee_id",
                id(self.assignee.as_ref().map(|a| a.0.to_string())),
            ),
            ("support_level", self.support_level.to_string()),
            ("category", self.category.clone()),
            ("known_error", self.known_error.clone()),
            ("workaround", self.workaround.clone()),
        ]
    }
}

/// Who can see an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// The customer sees it.
    Public,
    /// Only the provider's staff.
    Internal,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Internal => "internal",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        match raw.trim() {
            "" | "public" => Ok(Self::Public),
            "internal" => Ok(Self::Internal),
            _ => Err(FieldError::new(field, "must be public or internal")),
        }
    }
}

/// How an article reached the desk.
pub const CHANNELS: [&str; 5] = ["portal", "e-mail", "phone", "note", "system"];

/// An article of a ticket's thread.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Article {
    pub id: ArticleId,
    pub channel: String,
    pub visibility: String,
    /// `agent`, `customer` or `system`.
    pub author_kind: String,
    pub author_label: String,
    pub body: String,
    pub created_at: OffsetDateTime,
    /// Filled after the row is read.
    #[sqlx(skip)]
    pub attachments: Vec<Attachment>,
}

/// A stored file of an article (without its content).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Attachment {
    pub id: AttachmentId,
    pub article_id: ArticleId,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
}

impl Attachment {
    /// The size as people read it.
    pub fn shown_size(&self) -> String {
        crate::attachment::size(usize::try_from(self.size).unwrap_or_default())
    }
}

/// The longest article body, in characters.
pub const MAX_BODY: usize = 20_000;

fn body(field: &str, raw: &str) -> Result<String, FieldError> {
    let text = raw.trim();
    match text.chars().count() {
        0 => Err(FieldError::new(field, "is required")),
        n if n > MAX_BODY => Err(FieldError::new(
            field,
            format!("is longer than {MAX_BODY} characters"),
        )),
        _ => Ok(text.to_owned()),
    }
}

/// The channel, `portal` when empty. `works` says whether the writer works tickets: those who
/// do not (customer users) write through the portal only, so a customer cannot pass their
/// words off as a phone call the desk took or as Tandem's own.
fn channel(field: &str, raw: &str, works: bool) -> Result<String, FieldError> {
    match raw.trim() {
        "" | "portal" => Ok("portal".to_owned()),
        _ if !works => Err(FieldError::new(
            field,
            "customers write through the portal: leave the channel out or send portal",
        )),
        c if CHANNELS.contains(&c) => Ok(c.to_owned()),
        _ => Err(FieldError::new(
            field,
            format!("must be one of: {}", CHANNELS.join(", ")),
        )),
    }
}

fn optional<T: std::str::FromStr>(
    field: &str,
    raw: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    match raw.trim() {
        "" => None,
        text => text
            .parse()
            .map_err(|_| errors.push(FieldError::new(field, "is not an id")))
            .ok(),
    }
}

fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// A new ticket as typed or sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketDraft {
    pub kind: String,
    pub title: String,
    /// The first article: what the requester says.
    pub description: String,
    pub impact: String,
    pub urgency: String,
    pub organisation_id: String,
    pub requester_id: String,
    pub service_id: String,
    pub team_id: String,
    pub category: String,
    pub affected_items: String,
    pub channel: String,
}

/// A checked new ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    pub kind: TicketKind,
    pub title: Name,
    pub description: String,
    pub impact: Level,
    pub urgency: Level,
    pub priority: Priority,
    pub organisation_id: OrganisationId,
    pub requester_id: Option<PersonId>,
    pub service_id: Option<ServiceId>,
    pub team_id: Option<TeamId>,
    pub category: String,
    pub affected_items: String,
    pub channel: String,
}

impl TicketDraft {
    /// Checks every field at once; the priority follows from impact and urgency. `works` says
    /// whether the writer works tickets: those who do not (customer users) open tickets through
    /// the portal only.
    pub fn validate(&self, matrix: &PriorityMatrix, works: bool) -> Result<NewTicket, Error> {
        let mut errors = Vec::new();
        let kind = keep(&mut errors, TicketKind::parse("kind", &self.kind));
        let title = keep(&mut errors, Name::parse("title", &self.title));
        let description = keep(&mut errors, body("description", &self.description));
        let impact = keep(
            &mut errors,
            Level::parse(
                "impact",
                if self.impact.trim().is_empty() {
                    "medium"
                } else {
                    &self.impact
                },
            ),
        );
        let urgency = keep(
            &mut errors,
            Level::parse(
                "urgency",
                if self.urgency.trim().is_empty() {
                    "medium"
                } else {
                    &self.urgency
                },
            ),
        );
        let organisation_id = optional("organisation_id", &self.organisation_id, &mut errors);
        if self.organisation_id.trim().is_empty() {
            errors.push(FieldError::new(
                "organisation_id",
                "choose the customer the ticket is for",
            ));
        }
        let requester_id = optional("requester_id", &self.requester_id, &mut errors);
        let service_id = optional("service_id", &self.service_id, &mut errors);
        let team_id = optional("team_id", &self.team_id, &mut errors);
        let channel = keep(&mut errors, channel("channel", &self.channel, works));
        let short = |field: &str, text: &str, errors: &mut Vec<FieldError>| {
            if text.chars().count() > 500 {
                errors.push(FieldError::new(field, "is longer than 500 characters"));
            }
            text.trim().to_owned()
        };
        let category = short("category", &self.category, &mut errors);
        let affected_items = short("affected_items", &self.affected_items, &mut errors);
        match (
            kind,
            title,
            description,
            impact,
            urgency,
            organisation_id,
            channel,
        ) {
            (
                Some(kind),
                Some(title),
                Some(description),
                Some(impact),
                Some(urgency),
                Some(organisation_id),
                Some(channel),
            ) if errors.is_empty() => Ok(NewTicket {
                kind,
                title,
                description,
                impact,
                urgency,
                priority: matrix.priority(impact, urgency),
                organisation_id,
                requester_id,
                service_id,
                team_id,
                category,
                affected_items,
                channel,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// A new article as typed or sent, with its files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleDraft {
    pub body: String,
    pub visibility: String,
    pub channel: String,
    pub attachments: Vec<FileDraft>,
}

/// A checked new article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewArticle {
    pub body: String,
    pub visibility: Visibility,
    pub channel: String,
    pub attachments: Vec<NewAttachment>,
}

impl ArticleDraft {
    /// Checks the article; `works` says whether the writer works tickets, which internal
    /// notes and every channel but the portal need.
    pub fn validate(self, works: bool) -> Result<NewArticle, Error> {
        let mut errors = Vec::new();
        let body = keep(&mut errors, body("body", &self.body));
        let visibility = keep(
            &mut errors,
            Visibility::parse("visibility", &self.visibility).and_then(|v| {
                if v == Visibility::Internal && !works {
                    Err(FieldError::new(
                        "visibility",
                        "internal notes are written by those who work tickets",
                    ))
                } else {
                    Ok(v)
                }
            }),
        );
        let channel = keep(&mut errors, channel("channel", &self.channel, works));
        let attachments = match tandem_kernel::file::check(
            "attachments",
            self.attachments,
            &crate::attachment::ARTICLE,
        ) {
            Ok(files) => Some(files),
            Err(bad) => {
                errors.extend(bad);
                None
            }
        };
        match (body, visibility, channel, attachments) {
            (Some(body), Some(visibility), Some(channel), Some(attachments)) => Ok(NewArticle {
                body,
                visibility,
                channel,
                attachments,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// A change of a ticket: each field absent keeps its value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketChanges {
    pub state: Option<String>,
    pub impact: Option<String>,
    pub urgency: Option<String>,
    /// Empty string: no team.
    pub team_id: Option<String>,
    /// Empty string: nobody.
    pub assignee_id: Option<String>,
    pub support_level: Option<String>,
    pub category: Option<String>,
    pub known_error: Option<String>,
    pub workaround: Option<String>,
}

/// A checked change, applied to the ticket's current values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub state: State,
    pub impact: Level,
    pub urgency: Level,
    pub priority: Priority,
    pub team_id: Option<TeamId>,
    pub assignee_id: Option<PersonId>,
    pub support_level: i32,
    pub category: String,
    pub known_error: String,
    pub workaround: String,
}

impl TicketChanges {
    /// The ticket after the changes, checked: the state may only move as the state model
    /// allows; the priority follows from impact and urgency.
    pub fn apply(&self, ticket: &Ticket, matrix: &PriorityMatrix) -> Result<Change, Error> {
        let mut errors = Vec::new();
        let state = match &self.state {
            Some(raw) => keep(&mut errors, State::parse("state", raw)).and_then(|to| {
                if to == ticket.state {
                    Some(to)
                } else {
                    keep(&mut errors, ticket.state.check_move(to)).map(|()| to)
                }
            }),
            None => Some(ticket.state),
        };
        let impact = match &self.impact {
            Some(raw) => keep(&mut errors, Level::parse("impact", raw)),
            None => Some(ticket.impact),
        };
        let urgency = match &self.urgency {
            Some(raw) => keep(&mut errors, Level::parse("urgency", raw)),
            None => Some(ticket.urgency),
        };
        let team_id = match &self.team_id {
            Some(raw) => optional("team_id", raw, &mut errors),
            None => ticket.team.as_ref().map(|t| t.0),
        };
        let assignee_id = match &self.assignee_id {
            Some(raw) => optional("assignee_id", raw, &mut errors),
            None => ticket.assignee.as_ref().map(|a| a.0),
        };
        let support_level = match &self.support_level {
            Some(raw) => keep(
                &mut errors,
                raw.trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|l| (1..=3).contains(l))
                    .ok_or_else(|| FieldError::new("support_level", "must be 1, 2 or 3")),
            ),
            None => Some(ticket.support_level),
        };
        let category = self
            .category
            .clone()
            .unwrap_or_else(|| ticket.category.clone());
        let long =
            |field: &str, value: Option<&String>, current: &str, errors: &mut Vec<FieldError>| {
                let value = value.map_or(current, |v| v.as_str()).trim().to_owned();
                if value.chars().count() > MAX_BODY {
                    errors.push(FieldError::new(
                        field,
                        format!("is longer than {MAX_BODY} characters"),
                    ));
                }
                value
            };
        let known_error = long(
            "known_error",
            self.known_error.as_ref(),
            &ticket.known_error,
            &mut errors,
        );
        let workaround = long(
            "workaround",
            self.workaround.as_ref(),
            &ticket.workaround,
            &mut errors,
        );
        match (state, impact, urgency, support_level) {
            (Some(state), Some(impact), Some(urgency), Some(support_level))
                if errors.is_empty() =>
            {
                Ok(Change {
                    state,
                    impact,
                    urgency,
                    priority: matrix.priority(impact, urgency),
                    team_id,
                    assignee_id,
                    support_level,
                    category: category.trim().to_owned(),
                    known_error,
                    workaround,
                })
            }
            _ => Err(Error::Invalid(errors)),
        }
    }
}

entity_id!(
    /// Identifies a time entry.
    TimeEntryId
);

/// Time worked on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TimeEntry {
    pub id: TimeEntryId,
    pub person: String,
    pub minutes: i32,
    pub billable: bool,
    pub note: String,
    pub worked_on: time::Date,
    pub created_at: OffsetDateTime,
}

/// A time entry as typed or sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeDraft {
    /// Minutes (`45`) or hours and minutes (`1h30m`).
    pub duration: String,
    pub billable: bool,
    pub note: String,
    /// `YYYY-MM-DD`; empty: today.
    pub worked_on: String,
}

/// A checked time entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTimeEntry {
    pub minutes: i32,
    pub billable: bool,
    pub note: String,
    pub worked_on: time::Date,
}

impl TimeDraft {
    /// Checks every field at once; at most a day (24 h) per entry.
    pub fn validate(&self, today: time::Date) -> Result<NewTimeEntry, Error> {
        let mut errors = Vec::new();
        let minutes =
            match tandem_service_levels::agreement::parse_minutes("duration", &self.duration) {
                Ok(Some(m)) if m <= 24 * 60 => Some(m as i32),
                Ok(Some(_)) => {
                    errors.push(FieldError::new(
                        "duration",
                        "one entry is at most 24 hours; record longer work day by day",
                    ));
                    None
                }
                Ok(None) => {
                    errors.push(FieldError::new("duration", "is required"));
                    None
                }
                Err(e) => {
                    errors.push(e);
                    None
                }
            };
        let worked_on = match self.worked_on.trim() {
            "" => Some(today),
            raw => keep(
                &mut errors,
                time::Date::parse(
                    raw,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .map_err(|_| FieldError::new("worked_on", "must be a date as YYYY-MM-DD")),
            ),
        };
        if worked_on.is_some_and(|d| d > today) {
            errors.push(FieldError::new("worked_on", "is in the future"));
        }
        if self.note.chars().count() > 500 {
            errors.push(FieldError::new("note", "is longer than 500 characters"));
        }
        match (minutes, worked_on) {
            (Some(minutes), Some(worked_on)) if errors.is_empty() => Ok(NewTimeEntry {
                minutes,
                billable: self.billable,
                note: self.note.trim().to_owned(),
                worked_on,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(channel: &str) -> TicketDraft {
        TicketDraft {
            kind: "incident".into(),
            title: "Room 3 has no sound".into(),
            description: "Since this morning.".into(),
            organisation_id: uuid::Uuid::nil().to_string(),
            channel: channel.into(),
            ..TicketDraft::default()
        }
    }

    fn article(channel: &str) -> ArticleDraft {
        ArticleDraft {
            body: "Restarted, still no sound.".into(),
            channel: channel.into(),
            ..ArticleDraft::default()
        }
    }

    fn fields(error: &Error) -> Vec<String> {
        error.field_errors().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn customers_open_tickets_and_write_through_the_portal_only() {
        let matrix = PriorityMatrix::default();
        for raw in ["", "portal", " portal "] {
            let opened = ticket(raw).validate(&matrix, false).unwrap();
            assert_eq!(opened.channel, "portal", "{raw:?}");
            let written = article(raw).validate(false).unwrap();
            assert_eq!(written.channel, "portal", "{raw:?}");
        }
        for raw in ["system", "phone", "note", "e-mail", "fax"] {
            let refused = ticket(raw).validate(&matrix, false).unwrap_err();
            assert_eq!(fields(&refused), ["channel"], "{raw}");
            assert!(
                refused.to_string().contains("through the portal"),
                "{refused}"
            );
            let refused = article(raw).validate(false).unwrap_err();
            assert_eq!(fields(&refused), ["channel"], "{raw}");
        }
    }

    #[test]
    fn staff_keep_every_channel() {
        let matrix = PriorityMatrix::default();
        for raw in CHANNELS {
            assert_eq!(ticket(raw).validate(&matrix, true).unwrap().channel, raw);
            assert_eq!(article(raw).validate(true).unwrap().channel, raw);
        }
        assert_eq!(
            ticket("").validate(&matrix, true).unwrap().channel,
            "portal"
        );
        let unknown = article("fax").validate(true).unwrap_err();
        assert_eq!(fields(&unknown), ["channel"]);
        assert!(unknown.to_string().contains("must be one of"), "{unknown}");
    }
}
