//! The desk: queues of tickets narrowed by team and text, a person's saved filters, and bulk
//! changes of the tickets ticked in a queue.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_directory::PersonId;
use tandem_kernel::id::parse_id;
use tandem_kernel::text::Name;
use tandem_kernel::{Access, Error, Need, Permission, Scope};
use tandem_web::page::{encode_component, render, see_other};
use tandem_web::{
    AppState, Chrome, FormInput, InPath, PageQuery, PageResult, RequestAccess, Routes,
};
use time::OffsetDateTime;

use super::{team_choices, when};
use crate::api::TicketQuery;
use crate::records::{Ticket, TicketChanges};
use crate::store::{self, saved_filters};
use crate::ticket::State as TicketState;

/// The most tickets one bulk change takes (a page of the desk).
const MAX_BULK: usize = 50;

pub(super) fn routes() -> Routes {
    let read = Need::Permission(Permission::TicketsRead);
    let work = Need::Permission(Permission::TicketsWork);
    Routes::new()
        .get("/desk", read, desk)
        .post("/desk/filters", read, save_filter)
        .post("/desk/filters/{id}/delete", read, delete_filter)
        .post("/desk/bulk", work, bulk)
}

/// A queue: its name in the address, its title, who sees it, and the query it stands for.
struct Queue {
    name: &'static str,
    title: &'static str,
    staff_only: bool,
    query: fn() -> TicketQuery,
}

const QUEUES: [Queue; 6] = [
    Queue {
        name: "open",
        title: "Open",
        staff_only: false,
        query: TicketQuery::default,
    },
    Queue {
        name: "mine",
        title: "My tickets",
        staff_only: true,
        query: || TicketQuery {
            assignee: Some("me".into()),
            ..TicketQuery::default()
        },
    },
    Queue {
        name: "breached",
        title: "Targets missed",
        staff_only: true,
        query: || TicketQuery {
            breached: Some(true),
            ..TicketQuery::default()
        },
    },
    Queue {
        name: "due-soon",
        title: "Due within 4 hours",
        staff_only: true,
        query: || TicketQuery {
            due_within: Some(240),
            ..TicketQuery::default()
        },
    },
    Queue {
        name: "resolved",
        title: "Resolved in the last 30 days",
        staff_only: false,
        query: || TicketQuery {
            resolved_within: Some(30),
            ..TicketQuery::default()
        },
    },
    Queue {
        name: "all",
        title: "All",
        staff_only: false,
        query: || TicketQuery {
            open: Some(false),
            ..TicketQuery::default()
        },
    },
];

fn queues_for(access: &Access) -> Vec<&'static Queue> {
    QUEUES
        .iter()
        .filter(|q| !q.staff_only || access.scope == Scope::Everything)
        .collect()
}

/// What the desk shows: a queue, a team, a text. Also the fields of the save-filter form.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct DeskQuery {
    queue: String,
    /// A team's id (staff only).
    team: String,
    /// Text to find in titles and articles, or a ticket number.
    q: String,
    after: String,
}

impl DeskQuery {
    /// The view without its page: `queue=…&team=…&q=…`, the form a saved filter keeps.
    fn view(&self) -> String {
        let mut parts = vec![format!("queue={}", encode_component(&self.queue))];
        if !self.team.is_empty() {
            parts.push(format!("team={}", encode_component(&self.team)));
        }
        if !self.q.trim().is_empty() {
            parts.push(format!("q={}", encode_component(self.q.trim())));
        }
        parts.join("&")
    }

    /// The same view with unknown queues and, for customer users, staff-only parts dropped.
    fn checked(mut self, access: &Access) -> Self {
        if !queues_for(access).iter().any(|q| q.name == self.queue) {
            self.queue = "open".to_owned();
        }
        if access.scope != Scope::Everything {
            self.team.clear();
        }
        self
    }
}

#[derive(Template)]
#[template(path = "service_desk/desk.html")]
struct DeskPage {
    chrome: Chrome,
    queues: Vec<(&'static str, &'static str)>,
    view: DeskQuery,
    teams: Vec<(String, String)>,
    saved: Vec<saved_filters::SavedFilter>,
    tickets: Vec<Ticket>,
    next: Option<String>,
    now: OffsetDateTime,
    works: bool,
    staff: bool,
    states: Vec<(&'static str, &'static str)>,
    name_error: Option<String>,
}

impl DeskPage {
    fn due(&self, t: &Ticket) -> String {
        t.escalation_at.as_ref().map(when).unwrap_or_default()
    }

    fn late(&self, t: &Ticket) -> bool {
        t.response_breached(self.now)
            || t.update_breached(self.now)
            || t.resolution_breached(self.now)
    }

    fn current(&self, filter: &saved_filters::SavedFilter) -> bool {
        filter.query == self.view.view()
    }
}

/// `GET /desk[?queue=…&team=…&q=…]`: the tickets of a queue, newest first.
async fn desk(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    PageQuery(query): PageQuery<DeskQuery>,
) -> PageResult<Response> {
    desk_page(&state, &access, query, None).await
}

async fn desk_page(
    state: &AppState,
    access: &Access,
    query: DeskQuery,
    name_error: Option<String>,
) -> PageResult<Response> {
    let now = state.clock.now();
    let view = query.checked(access);
    let queue = queues_for(access)
        .into_iter()
        .find(|q| q.name == view.queue)
        .expect("a checked view names a queue");
    let mut ticket_query = (queue.query)();
    ticket_query.team = Some(view.team.clone());
    ticket_query.q = Some(view.q.clone());
    let filter = crate::api::filter(access, now, &ticket_query)?;
    let after = match view.after.trim() {
        "" => None,
        raw => Some(parse_id("after", raw).map_err(|_| Error::NotFound { entity: "ticket" })?),
    };
    let (tickets, next) = store::list(&state.db, access.scope, &filter, after, 50).await?;
    let staff = access.scope == Scope::Everything;
    let saved = match access.actor.id {
        Some(person) => saved_filters::list(&state.db, PersonId(person)).await?,
        None => Vec::new(),
    };
    let mut response = render(&DeskPage {
        chrome: Chrome::new("desk", "Service desk"),
        queues: queues_for(access)
            .into_iter()
            .map(|q| (q.name, q.title))
            .collect(),
        next: next.map(|n| format!("/desk?{}&after={n}", view.view())),
        teams: if staff {
            team_choices(&state.db).await?
        } else {
            Vec::new()
        },
        saved,
        view,
        tickets,
        now,
        works: access.may(Permission::TicketsWork),
        staff,
        states: TicketState::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        name_error: name_error.clone(),
    });
    if name_error.is_some() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// The person the request acts for (a token acts for its owner).
fn person_of(access: &Access) -> Result<PersonId, Error> {
    access
        .actor
        .id
        .map(PersonId)
        .ok_or_else(|| Error::conflict("only a person, or a person's token, does this"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SaveFilterFields {
    name: String,
    #[serde(flatten)]
    view: DeskQuery,
}

/// `POST /desk/filters`: saves the view shown as one of the person's filters.
async fn save_filter(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<SaveFilterFields>,
) -> PageResult<Response> {
    let view = fields.view.clone().checked(&access);
    let person = person_of(&access)?;
    match Name::parse("name", &fields.name) {
        Ok(name) => {
            saved_filters::save(&write, person, &name, &view.view()).await?;
            Ok(see_other(&format!("/desk?{}", view.view())))
        }
        Err(e) => desk_page(&state, &access, view, Some(e.message)).await,
    }
}

/// `POST /desk/filters/{id}/delete`: removes one of the person's filters.
async fn delete_filter(
    RequestAccess(access): RequestAccess,
    InPath(id): InPath<saved_filters::SavedFilterId>,
    write: Write,
) -> PageResult<Response> {
    let person = person_of(&access)?;
    saved_filters::delete(&write, person, id).await?;
    Ok(see_other("/desk"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BulkFields {
    /// The ids of the tickets ticked.
    tickets: Vec<String>,
    /// `assign-me`, `state:STATE` or `team:ID`.
    action: String,
    /// Where to go back to: the desk's view.
    back: String,
}

/// One ticket's outcome of a bulk change.
struct Outcome {
    ticket: Ticket,
    refusal: Option<String>,
}

#[derive(Template)]
#[template(path = "service_desk/bulk.html")]
struct BulkPage {
    chrome: Chrome,
    outcomes: Vec<Outcome>,
    back: String,
}

impl BulkPage {
    fn refused(&self) -> usize {
        self.outcomes.iter().filter(|o| o.refusal.is_some()).count()
    }
}

/// The change a bulk action makes to each ticket.
fn bulk_change(access: &Access, action: &str) -> Result<TicketChanges, Error> {
    let change = match action.split_once(':') {
        None if action == "assign-me" => TicketChanges {
            assignee_id: Some(person_of(access)?.to_string()),
            ..TicketChanges::default()
        },
        Some(("state", to)) => TicketChanges {
            state: Some(to.to_owned()),
            ..TicketChanges::default()
        },
        Some(("team", team)) => TicketChanges {
            team_id: Some(team.to_owned()),
            ..TicketChanges::default()
        },
        _ => {
            return Err(Error::invalid(
                "action",
                "choose what to do with the tickets ticked",
            ));
        }
    };
    Ok(change)
}

/// `POST /desk/bulk`: one change for every ticket ticked, each saved or refused on its own.
async fn bulk(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<BulkFields>,
) -> PageResult<Response> {
    if fields.tickets.is_empty() {
        return Err(Error::invalid("tickets", "tick at least one ticket").into());
    }
    if fields.tickets.len() > MAX_BULK {
        return Err(Error::invalid(
            "tickets",
            format!("at most {MAX_BULK} tickets are changed at once"),
        )
        .into());
    }
    let change = bulk_change(&access, &fields.action)?;
    let matrix = store::matrix(&state.db).await?;
    let mut outcomes = Vec::new();
    for raw in &fields.tickets {
        let id = parse_id("tickets", raw).map_err(|_| Error::NotFound { entity: "ticket" })?;
        let ticket = store::get(&state.db, access.scope, id).await?;
        let saved = match change.apply(&ticket, &matrix) {
            Ok(checked) => store::change(&write, ticket.id, ticket.version, checked).await,
            Err(e) => Err(e),
        };
        outcomes.push(match saved {
            Ok(changed) => Outcome {
                ticket: changed,
                refusal: None,
            },
            Err(e) => Outcome {
                refusal: Some(refusal(&e)),
                ticket,
            },
        });
    }
    let back = if fields.back.starts_with("queue=") {
        format!("/desk?{}", fields.back)
    } else {
        "/desk".to_owned()
    };
    Ok(render(&BulkPage {
        chrome: Chrome::new("desk", "Bulk change"),
        outcomes,
        back,
    }))
}

/// Why a ticket was not changed, in words.
fn refusal(error: &Error) -> String {
    let fields = error.field_errors();
    if fields.is_empty() {
        error.to_string()
    } else {
        fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; ")
    }
}
