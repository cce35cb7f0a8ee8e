//! The audit trail for administrators: filter by record, person and time; export as CSV.

use askama::Template;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tandem_kernel::{Need, Permission};
use tandem_web::page::{encode_component, render};
use tandem_web::{AppState, Chrome, PageError, PageQuery, PageResult, RequestActor, Routes};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, Time};

use crate::entry::Entry;
use crate::store::{self, Filter};

/// The trail's pages, for those whose roles grant `audit.read`.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::AuditRead);
    Routes::new()
        .get("/audit", read, list)
        .get("/audit.csv", read, csv_export)
}

/// The query string of the trail page.
#[derive(Debug, Default, Deserialize)]
struct Query {
    #[serde(default)]
    entity: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    actor: String,
    /// A date, `YYYY-MM-DD`: entries from its start.
    #[serde(default)]
    from: String,
    /// A date: entries up to its end.
    #[serde(default)]
    until: String,
    #[serde(default)]
    before: String,
}

fn date(field: &str, raw: &str) -> PageResult<Option<Date>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw.trim(), &format).map(Some).map_err(|_| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            format!("`{field}` must be a date written YYYY-MM-DD."),
        )
    })
}

impl Query {
    fn filter(&self) -> PageResult<Filter> {
        let text = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_owned());
        Ok(Filter {
            entity: text(&self.entity),
            entity_id: text(&self.entity_id),
            actor: text(&self.actor),
            from: date("from", &self.from)?.map(|d| OffsetDateTime::new_utc(d, Time::MIDNIGHT)),
            until: date("until", &self.until)?
                .and_then(|d| d.next_day())
                .map(|d| OffsetDateTime::new_utc(d, Time::MIDNIGHT)),
        })
    }

    /// The query string without the page position, for the next-page and export links.
    fn without_position(&self) -> String {
        let pairs = [
            ("entity", &self.entity),
            ("entity_id", &self.entity_id),
            ("actor", &self.actor),
            ("from", &self.from),
            ("until", &self.until),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode_component(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    chrome: Chrome,
    entries: Vec<Entry>,
    entity: String,
    entity_id: String,
    actor: String,
    from: String,
    until: String,
    next: Option<String>,
    export: String,
}

async fn list(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<Query>,
) -> PageResult<Response> {
    let filter = query.filter()?;
    let before = match query.before.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| {
            PageError::new(StatusCode::BAD_REQUEST, "`before` must be an entry number.")
        })?),
    };
    let (entries, next) = store::list(&state.db, &filter, before, 50).await?;
    let base = query.without_position();
    let joiner = if base.is_empty() { "" } else { "&" };
    Ok(render(&ListPage {
        chrome: Chrome::new("audit", "Audit trail"),
        entries,
        next: next.map(|seq| format!("/audit?{base}{joiner}before={seq}")),
        export: format!("/audit.csv?{base}"),
        entity: query.entity,
        entity_id: query.entity_id,
        actor: query.actor,
        from: query.from,
        until: query.until,
    }))
}

/// The most entries one export holds.
pub const MAX_EXPORT: u32 = 100_000;

/// `GET /audit.csv`: the filtered trail as CSV. The export is itself a sensitive read and is
/// recorded in the trail (before the entries are read, so it is part of what it exports). A
/// `HEAD` request reads nothing and so records nothing: it gets the headers only.
async fn csv_export(
    State(state): State<AppState>,
    method: Method,
    RequestActor(actor): RequestActor,
    PageQuery(query): PageQuery<Query>,
) -> PageResult<Response> {
    let filter = query.filter()?;
    if method == Method::HEAD {
        return Ok(tandem_web::download(
            "text/csv; charset=utf-8",
            "audit-trail.csv",
            (),
        ));
    }
    let mut tx = state.db.begin().await?;
    crate::record(
        &mut tx,
        crate::store::Record {
            actor: &actor,
            at: state.clock.now(),
            action: crate::Action::Read,
            entity: "audit trail export",
            entity_id: String::new(),
            changes: crate::Changes::created(&[("filter", query.without_position())]),
        },
    )
    .await?;
    tx.commit().await?;
    let entries = store::all(&state.db, &filter, MAX_EXPORT).await?;
    let mut sheet = tandem_kernel::Sheet::new([
        "seq",
        "at",
        "actor_kind",
        "actor_id",
        "actor",
        "address",
        "action",
        "entity",
        "entity_id",
        "changes",
        "prev_hash",
        "hash",
    ]);
    for e in &entries {
        sheet.row([
            e.seq.to_string().as_str(),
            &e.at.format(&Rfc3339).unwrap_or_default(),
            &e.actor_kind,
            &e.actor_id.map(|i| i.to_string()).unwrap_or_default(),
            &e.actor_label,
            e.address.as_deref().unwrap_or(""),
            &e.action,
            &e.entity,
            &e.entity_id,
            &e.changes,
            &e.prev_hash,
            &e.hash,
        ]);
    }
    let body = sheet.into_bytes();
    Ok(tandem_web::download(
        "text/csv; charset=utf-8",
        "audit-trail.csv",
        body,
    ))
}
