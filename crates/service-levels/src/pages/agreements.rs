//! Agreement pages, with the SLA simulator: "a P1 opened Friday 17:30 is due …".

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_directory::OrganisationKind;
use tandem_directory::store::{organisations, teams};
use tandem_kernel::Scope;
use tandem_web::page::{after_save, render, see_other};
use tandem_web::{
    AppState, Chrome, FormErrors, FormFrame, FormInput, InPath, PageQuery, PageResult,
};

use crate::agreement::{
    AgreementDraft, AgreementId, AgreementKind, Metric, Priority, show_minutes, show_money,
};
use crate::agreements::{Agreement, PartiesDraft};
use crate::store::{agreements, calendars, services};
use tandem_web::page::choices;

#[derive(Template)]
#[template(path = "service_levels/agreement_list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Agreement>,
    today: time::Date,
}

/// `GET /agreements`: every agreement, with its review date; due reviews stand out.
pub(super) async fn list(State(state): State<AppState>) -> PageResult<Response> {
    Ok(render(&ListPage {
        chrome: Chrome::new("service-levels", "Agreements"),
        items: agreements::all(&state.db).await?,
        today: state.clock.now().date(),
    }))
}

/// One row of the targets table.
struct TargetRow {
    priority: &'static str,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "service_levels/agreement_show.html")]
struct ShowPage {
    chrome: Chrome,
    agreement: Agreement,
    kind: &'static str,
    rows: Vec<TargetRow>,
    metrics: Vec<&'static str>,
    availability: String,
    penalties: Vec<String>,
    review_due: bool,
    priorities: Vec<(String, String)>,
    priority: String,
    start: String,
    simulated: Vec<(String, String, String)>,
    simulation_error: Option<String>,
    time_zone: String,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct SimulateQuery {
    #[serde(default)]
    priority: String,
    #[serde(default)]
    start: String,
}

/// `GET /agreements/{id}[?priority=p1&start=…]`: the agreement, and the SLA simulator.
pub(super) async fn show(
    State(state): State<AppState>,
    InPath(id): InPath<AgreementId>,
    PageQuery(query): PageQuery<SimulateQuery>,
) -> PageResult<Response> {
    let agreement = agreements::get(&state.db, id).await?;
    let calendar = calendars::get(&state.db, agreement.calendar.0).await?;
    let terms = &agreement.terms;
    let rows = Priority::ALL
        .into_iter()
        .map(|p| TargetRow {
            priority: p.label(),
            cells: Metric::ALL
                .into_iter()
                .map(|m| {
                    terms
                        .targets(p)
                        .get(m)
                        .map_or_else(|| "—".to_owned(), show_minutes)
                })
                .collect(),
        })
        .collect();
    let p = terms.penalties;
    let mut penalties = Vec::new();
    if let Some(fee) = p.monthly_fee_cents {
        penalties.push(format!("Monthly fee {}", show_money(fee)));
    }
    if let Some(share) = p.per_missed_target {
        penalties.push(format!(
            "{share} of the fee per missed response or resolution target"
        ));
    }
    if let Some(share) = p.per_tenth_below_availability {
        penalties.push(format!(
            "{share} of the fee per started 0.1 % below the availability target"
        ));
    }
    if let Some(cap) = p.cap {
        penalties.push(format!("at most {cap} of the fee in a month"));
    }
    let (simulated, simulation_error) = if query.priority.is_empty() && query.start.is_empty() {
        (Vec::new(), None)
    } else {
        match (
            Priority::parse("priority", &query.priority),
            calendar.calendar.parse_local(&query.start),
        ) {
            (Err(_), _) => (Vec::new(), Some("Choose a priority.".to_owned())),
            (_, None) => (
                Vec::new(),
                Some("Give the start as a date and time, such as 2026-11-27 17:30.".to_owned()),
            ),
            (Ok(priority), Some(start)) => {
                let dues = terms.simulate(&calendar.calendar, priority, start, &[]);
                if dues.is_empty() {
                    (
                        Vec::new(),
                        Some(format!(
                            "The agreement has no targets for {}.",
                            priority.label()
                        )),
                    )
                } else {
                    let show = |t: Option<time::OffsetDateTime>| {
                        t.map_or_else(|| "—".to_owned(), |t| calendar.calendar.local(t))
                    };
                    (
                        dues.into_iter()
                            .map(|d| (d.metric.label().to_owned(), show(d.warning), show(d.due)))
                            .collect(),
                        None,
                    )
                }
            }
        }
    };
    Ok(render(&ShowPage {
        chrome: Chrome::new("service-levels", agreement.terms.name.to_string()),
        kind: agreement.terms.kind.label(),
        rows,
        metrics: Metric::ALL.iter().map(|m| m.label()).collect(),
        availability: terms
            .availability_target
            .map(|a| a.to_string())
            .unwrap_or_default(),
        penalties,
        review_due: terms.review_due(state.clock.now().date()),
        priorities: Priority::ALL
            .iter()
            .map(|p| (p.as_str().to_owned(), p.label().to_owned()))
            .collect(),
        priority: query.priority,
        start: query.start,
        simulated,
        simulation_error,
        time_zone: calendar.calendar.time_zone().to_owned(),
        agreement,
    }))
}

/// The agreement form's fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct Fields {
    name: String,
    kind: String,
    organisation_id: String,
    team_id: String,
    service_id: String,
    calendar_id: String,
    p1_first_response: String,
    p1_update: String,
    p1_resolution: String,
    p2_first_response: String,
    p2_update: String,
    p2_resolution: String,
    p3_first_response: String,
    p3_update: String,
    p3_resolution: String,
    p4_first_response: String,
    p4_update: String,
    p4_resolution: String,
    warn_at_percent: String,
    availability_target: String,
    monthly_fee: String,
    penalty_per_missed_target: String,
    penalty_per_tenth_below_availability: String,
    penalty_cap: String,
    security_requirements: String,
    review_interval_months: String,
    next_review: String,
    escalation: String,
    version: i64,
}

impl Fields {
    fn drafts(&self) -> (AgreementDraft, PartiesDraft) {
        let s = |v: &String| v.clone();
        (
            AgreementDraft {
                name: s(&self.name),
                kind: s(&self.kind),
                targets: [
                    [
                        s(&self.p1_first_response),
                        s(&self.p1_update),
                        s(&self.p1_resolution),
                    ],
                    [
                        s(&self.p2_first_response),
                        s(&self.p2_update),
                        s(&self.p2_resolution),
                    ],
                    [
                        s(&self.p3_first_response),
                        s(&self.p3_update),
                        s(&self.p3_resolution),
                    ],
                    [
                        s(&self.p4_first_response),
                        s(&self.p4_update),
                        s(&self.p4_resolution),
                    ],
                ],
                warn_at_percent: s(&self.warn_at_percent),
                availability_target: s(&self.availability_target),
                monthly_fee: s(&self.monthly_fee),
                penalty_per_missed_target: s(&self.penalty_per_missed_target),
                penalty_per_tenth_below_availability: s(&self.penalty_per_tenth_below_availability),
                penalty_cap: s(&self.penalty_cap),
                security_requirements: s(&self.security_requirements),
                review_interval_months: s(&self.review_interval_months),
                next_review: s(&self.next_review),
                escalation: s(&self.escalation),
            },
            PartiesDraft {
                organisation_id: s(&self.organisation_id),
                team_id: s(&self.team_id),
                service_id: s(&self.service_id),
                calendar_id: s(&self.calendar_id),
            },
        )
    }

    fn of(agreement: &Agreement) -> Self {
        let d = agreement.terms.draft();
        let p = agreement.parties();
        let [
            [p1f, p1u, p1r],
            [p2f, p2u, p2r],
            [p3f, p3u, p3r],
            [p4f, p4u, p4r],
        ] = d.targets;
        Self {
            name: d.name,
            kind: d.kind,
            organisation_id: p.organisation_id,
            team_id: p.team_id,
            service_id: p.service_id,
            calendar_id: p.calendar_id,
            p1_first_response: p1f,
            p1_update: p1u,
            p1_resolution: p1r,
            p2_first_response: p2f,
            p2_update: p2u,
            p2_resolution: p2r,
            p3_first_response: p3f,
            p3_update: p3u,
            p3_resolution: p3r,
            p4_first_response: p4f,
            p4_update: p4u,
            p4_resolution: p4r,
            warn_at_percent: d.warn_at_percent,
            availability_target: d.availability_target,
            monthly_fee: d.monthly_fee,
            penalty_per_missed_target: d.penalty_per_missed_target,
            penalty_per_tenth_below_availability: d.penalty_per_tenth_below_availability,
            penalty_cap: d.penalty_cap,
            security_requirements: d.security_requirements,
            review_interval_months: d.review_interval_months,
            next_review: d.next_review,
            escalation: d.escalation,
            version: agreement.version,
        }
    }

    /// The value of target field `name` (`p1_first_response` …).
    fn target(&self, name: &str) -> &str {
        match name {
            "p1_first_response" => &self.p1_first_response,
            "p1_update" => &self.p1_update,
            "p1_resolution" => &self.p1_resolution,
            "p2_first_response" => &self.p2_first_response,
            "p2_update" => &self.p2_update,
            "p2_resolution" => &self.p2_resolution,
            "p3_first_response" => &self.p3_first_response,
            "p3_update" => &self.p3_update,
            "p3_resolution" => &self.p3_resolution,
            "p4_first_response" => &self.p4_first_response,
            "p4_update" => &self.p4_update,
            _ => &self.p4_resolution,
        }
    }
}

/// A row of target inputs in the form.
struct TargetInputs {
    label: &'static str,
    fields: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "service_levels/agreement_form.html")]
struct FormPage {
    chrome: Chrome,
    frame: FormFrame,
    values: Fields,
    kinds: Vec<(String, String)>,
    organisations: Vec<(String, String)>,
    teams: Vec<(String, String)>,
    services: Vec<(String, String)>,
    calendars: Vec<(String, String)>,
    targets: Vec<TargetInputs>,
    errors: FormErrors,
}

async fn form(
    state: &AppState,
    frame: FormFrame,
    values: Fields,
    errors: FormErrors,
) -> PageResult<Response> {
    let organisations = organisations::choices_of_kind(
        &state.db,
        Scope::Everything,
        &[OrganisationKind::Customer, OrganisationKind::Supplier],
    )
    .await?
    .into_iter()
    .map(|o| (o.id.to_string(), format!("{} ({})", o.name, o.kind.label())))
    .collect();
    let targets = Priority::ALL
        .into_iter()
        .map(|p| TargetInputs {
            label: p.label(),
            fields: Metric::ALL
                .into_iter()
                .map(|m| (crate::agreement::target_field(p, m), m.label()))
                .collect(),
        })
        .collect();
    Ok(render(&FormPage {
        chrome: Chrome::new("service-levels", frame.title.clone()),
        frame,
        values,
        kinds: AgreementKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
            .collect(),
        organisations,
        teams: choices(teams::choices(&state.db, Scope::Everything).await?),
        services: choices(services::choices(&state.db).await?),
        calendars: choices(calendars::choices(&state.db).await?),
        targets,
        errors,
    }))
}

fn create_frame() -> FormFrame {
    FormFrame::create("New agreement", "/agreements", "Create agreement")
}

/// `GET /agreements/new`: an SLA reviewed twice a year, first in six months.
pub(super) async fn new(State(state): State<AppState>) -> PageResult<Response> {
    let today = state.clock.now().date();
    let in_six_months = today
        .checked_add(time::Duration::days(182))
        .unwrap_or(today);
    let values = Fields {
        kind: AgreementKind::Sla.as_str().into(),
        warn_at_percent: "80".into(),
        review_interval_months: "6".into(),
        next_review: in_six_months.to_string(),
        ..Fields::default()
    };
    form(&state, create_frame(), values, FormErrors::default()).await
}

/// `POST /agreements`.
pub(super) async fn create(
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let (terms, parties) = fields.drafts();
    let saved = async {
        let input = crate::agreements::validate(&terms, &parties)?;
        agreements::create(&write, input).await
    }
    .await;
    after_save(
        saved,
        |a| format!("/agreements/{}", a.id),
        async |errors| form(&state, create_frame(), fields, errors).await,
    )
    .await
}

/// `GET /agreements/{id}/edit`.
pub(super) async fn edit(
    State(state): State<AppState>,
    InPath(id): InPath<AgreementId>,
) -> PageResult<Response> {
    let agreement = agreements::get(&state.db, id).await?;
    let frame = FormFrame::edit(
        format!("Edit {}", agreement.terms.name),
        format!("/agreements/{}", agreement.id),
        agreement.version,
    );
    form(&state, frame, Fields::of(&agreement), FormErrors::default()).await
}

/// `POST /agreements/{id}`.
pub(super) async fn update(
    State(state): State<AppState>,
    InPath(id): InPath<AgreementId>,
    write: Write,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let (terms, parties) = fields.drafts();
    let saved = async {
        let input = crate::agreements::validate(&terms, &parties)?;
        agreements::update(&write, id, fields.version, input).await
    }
    .await;
    let frame = FormFrame::edit(
        "Edit agreement".into(),
        format!("/agreements/{id}"),
        fields.version,
    );
    after_save(
        saved,
        |a| format!("/agreements/{}", a.id),
        async |errors| form(&state, frame, fields, errors).await,
    )
    .await
}

/// `POST /agreements/{id}/delete`.
pub(super) async fn delete(InPath(id): InPath<AgreementId>, write: Write) -> PageResult<Response> {
    agreements::delete(&write, id).await?;
    Ok(see_other("/agreements"))
}
