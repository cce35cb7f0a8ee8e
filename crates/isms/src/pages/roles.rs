//! Roles and responsibilities' pages: the ISMS roles with their holders and history, the forms
//! to assign and to end; the responsibility matrix with a select per cell and its gaps marked;
//! management decisions, their list, one decision and the form to record one.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::Permission;
use tandem_web::page::{after_save, choices, encode_component, render};
use tandem_web::{
    AppState, Chrome, FormErrors, FormFrame, FormInput, InPath, PageQuery, PageResult,
    RequestAccess,
};

use crate::api::reader;
use crate::api::roles::{DEFAULT_FRAMEWORK, matrix};
use crate::roles::{
    AssignmentDraft, AssignmentId, Cells, DecisionDraft, DecisionId, DecisionKind, Gaps, IsmsRole,
    Letter,
};
use crate::store::documents;
use crate::store::roles::{self, Assignment, Decision, Rows};

#[derive(Template)]
#[template(path = "isms/roles.html")]
struct RolesPage {
    chrome: Chrome,
    /// Each role with its current assignments.
    current: Vec<(IsmsRole, Vec<Assignment>)>,
    /// The ended assignments, the latest begun first.
    history: Vec<Assignment>,
    staff: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    values: AssignmentDraft,
    errors: FormErrors,
}

async fn roles_page(
    state: &AppState,
    values: AssignmentDraft,
    errors: FormErrors,
) -> PageResult<Response> {
    let all = roles::assignments(&state.db).await?;
    let current = IsmsRole::ALL
        .iter()
        .map(|role| {
            (
                *role,
                all.iter()
                    .filter(|a| a.role == *role && a.until.is_none())
                    .cloned()
                    .collect(),
            )
        })
        .collect();
    Ok(render(&RolesPage {
        chrome: Chrome::new("roles", "Roles and responsibilities"),
        current,
        history: all.into_iter().filter(|a| a.until.is_some()).collect(),
        staff: choices(
            tandem_identity::read::staff_with(&state.db, Permission::DocumentsRead).await?,
        ),
        roles: IsmsRole::choices(),
        values,
        errors,
    }))
}

/// `GET /isms/roles`: the roles, who holds them, the history and the form to assign one.
pub(super) async fn list(State(state): State<AppState>) -> PageResult<Response> {
    let today = state.clock.now().date();
    roles_page(
        &state,
        AssignmentDraft {
            since: today.to_string(),
            ..AssignmentDraft::default()
        },
        FormErrors::default(),
    )
    .await
}

/// The assignment's form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AssignmentFields {
    role: String,
    person_id: String,
    since: String,
    description: String,
}

/// `POST /isms/roles`: assigns the role.
pub(super) async fn assign(
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<AssignmentFields>,
) -> PageResult<Response> {
    let draft = AssignmentDraft {
        role: fields.role,
        person_id: fields.person_id,
        since: fields.since,
        description: fields.description,
    };
    let saved = match draft.validate() {
        Ok(input) => roles::assign(&write, &input).await,
        Err(e) => Err(e),
    };
    after_save(
        saved,
        |_| "/isms/roles".to_owned(),
        async |errors| roles_page(&state, draft, errors).await,
    )
    .await
}

/// The end of an assignment as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct EndFields {
    until: String,
}

/// `POST /isms/roles/{id}/end`: ends the assignment; it stays in the history.
pub(super) async fn end(
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<AssignmentId>,
    FormInput(fields): FormInput<EndFields>,
) -> PageResult<Response> {
    let saved = roles::end(&write, id, &fields.until).await;
    let today = state.clock.now().date();
    after_save(
        saved,
        |_| "/isms/roles".to_owned(),
        async |errors| {
            roles_page(
                &state,
                AssignmentDraft {
                    since: today.to_string(),
                    ..AssignmentDraft::default()
                },
                errors,
            )
            .await
        },
    )
    .await
}

/// A row of the matrix as the page shows it.
struct Row {
    key: String,
    title: String,
    cells: Cells,
    gaps: Gaps,
}

impl Row {
    /// The letter of `role` in the row, empty for none.
    fn letter(&self, role: &IsmsRole) -> &'static str {
        self.cells.get(role).map_or("", |l| l.as_str())
    }
}

#[derive(Template)]
#[template(path = "isms/raci.html")]
struct RaciPage {
    chrome: Chrome,
    /// The framework whose controls are shown; empty for the processes.
    framework: String,
    /// The theme shown (`A.5`); empty for all.
    theme: String,
    themes: Vec<String>,
    /// The edition the controls' view opens with.
    default_framework: &'static str,
    roles: &'static [IsmsRole],
    letters: &'static [Letter],
    rows: Vec<Row>,
    gaps: usize,
    errors: FormErrors,
}

impl RaciPage {
    /// Where a row's form posts.
    fn action(&self, key: &str) -> String {
        format!(
            "/isms/raci/{}?framework={}&theme={}",
            encode_component(key),
            encode_component(&self.framework),
            encode_component(&self.theme)
        )
    }
}

/// Which rows the matrix page shows.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RaciQuery {
    /// Empty for the processes; `iso27001-2022` for its controls.
    framework: String,
    /// A theme prefix of the controls (`A.5`); empty for all.
    theme: String,
}

impl RaciQuery {
    fn rows(&self) -> Rows {
        if self.framework.is_empty() {
            Rows::Processes
        } else {
            Rows::Controls(self.framework.clone())
        }
    }
}

/// The theme of a control's reference: `A.5` for `A.5.15`.
fn theme_of(reference: &str) -> &str {
    reference
        .rmatch_indices('.')
        .next()
        .map_or(reference, |(at, _)| &reference[..at])
}

async fn raci_page(
    state: &AppState,
    query: &RaciQuery,
    errors: FormErrors,
) -> PageResult<Response> {
    let all = matrix(state, &query.rows()).await?;
    let mut themes: Vec<String> = Vec::new();
    for (key, _, _) in &all {
        if !query.framework.is_empty() && !themes.iter().any(|t| t == theme_of(key)) {
            themes.push(theme_of(key).to_owned());
        }
    }
    let rows: Vec<Row> = all
        .into_iter()
        .filter(|(key, _, _)| query.theme.is_empty() || theme_of(key) == query.theme)
        .map(|(key, title, cells)| Row {
            gaps: Gaps::of(&cells),
            key,
            title,
            cells,
        })
        .collect();
    Ok(render(&RaciPage {
        chrome: Chrome::new("roles", "Responsibility matrix"),
        framework: query.framework.clone(),
        theme: query.theme.clone(),
        themes,
        default_framework: DEFAULT_FRAMEWORK,
        roles: IsmsRole::ALL,
        letters: Letter::ALL,
        gaps: rows.iter().filter(|r| r.gaps.any()).count(),
        rows,
        errors,
    }))
}

/// `GET /isms/raci`: the processes' matrix, or with `?framework=` the controls' (by theme with
/// `&theme=A.5`); gaps marked.
pub(super) async fn raci(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<RaciQuery>,
) -> PageResult<Response> {
    raci_page(&state, &query, FormErrors::default()).await
}

/// `POST /isms/raci/{key}`: replaces the row with the letters chosen, one field `cell.<role>`
/// per role.
pub(super) async fn save_row(
    State(state): State<AppState>,
    write: Write,
    InPath(key): InPath<String>,
    PageQuery(query): PageQuery<RaciQuery>,
    FormInput(form): FormInput<BTreeMap<String, String>>,
) -> PageResult<Response> {
    let cells: BTreeMap<String, String> = form
        .into_iter()
        .filter_map(|(field, letter)| {
            field
                .strip_prefix("cell.")
                .map(|role| (role.to_owned(), letter))
        })
        .collect();
    let saved = crate::api::roles::save(&state, &write, &query.rows(), &key, &cells).await;
    let back = format!(
        "/isms/raci?framework={}&theme={}",
        encode_component(&query.framework),
        encode_component(&query.theme)
    );
    after_save(
        saved,
        |_| back.clone(),
        async |errors| raci_page(&state, &query, errors).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "isms/decisions.html")]
struct DecisionsPage {
    chrome: Chrome,
    items: Vec<Decision>,
}

/// `GET /isms/decisions`: every decision, the newest first.
pub(super) async fn decisions(State(state): State<AppState>) -> PageResult<Response> {
    Ok(render(&DecisionsPage {
        chrome: Chrome::new("roles", "Management decisions"),
        items: roles::decisions(&state.db).await?,
    }))
}

#[derive(Template)]
#[template(path = "isms/decisions_show.html")]
struct DecisionPage {
    chrome: Chrome,
    decision: Decision,
}

/// `GET /isms/decisions/{id}`.
pub(super) async fn decision(
    State(state): State<AppState>,
    InPath(id): InPath<DecisionId>,
) -> PageResult<Response> {
    let decision = roles::get_decision(&state.db, id).await?;
    Ok(render(&DecisionPage {
        chrome: Chrome::new("roles", decision.title.clone()),
        decision,
    }))
}

/// The decision's form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DecisionFields {
    decided_on: String,
    title: String,
    kind: String,
    text: String,
    decided_by: String,
    resources: String,
    document_id: String,
    supersedes: String,
}

#[derive(Template)]
#[template(path = "isms/decisions_form.html")]
struct FormPage {
    chrome: Chrome,
    frame: FormFrame,
    values: DecisionDraft,
    staff: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    documents: Vec<(String, String)>,
    earlier: Vec<(String, String)>,
    errors: FormErrors,
}

async fn form(
    state: &AppState,
    access: &tandem_kernel::Access,
    values: DecisionDraft,
    errors: FormErrors,
) -> PageResult<Response> {
    let reader = reader(state, access).await?;
    let register = documents::list(&state.db, &reader)
        .await?
        .into_iter()
        .map(|l| {
            (
                l.document.id.to_string(),
                format!("{} {}", l.document.display_number(), l.document.title),
            )
        })
        .collect();
    let earlier = roles::decisions(&state.db)
        .await?
        .into_iter()
        .map(|d| (d.id.to_string(), format!("{} {}", d.decided_on, d.title)))
        .collect();
    Ok(render(&FormPage {
        chrome: Chrome::new("roles", "Record a decision"),
        frame: FormFrame::create(
            "Record a decision",
            "/isms/decisions",
            "Record the decision",
        ),
        values,
        staff: choices(
            tandem_identity::read::staff_with(&state.db, Permission::DocumentsRead).await?,
        ),
        kinds: DecisionKind::choices(),
        documents: register,
        earlier,
        errors,
    }))
}

/// `GET /isms/decisions/new`.
pub(super) async fn new(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
) -> PageResult<Response> {
    let today = state.clock.now().date();
    form(
        &state,
        &access,
        DecisionDraft {
            decided_on: today.to_string(),
            ..DecisionDraft::default()
        },
        FormErrors::default(),
    )
    .await
}

/// `POST /isms/decisions`: records the decision; its page opens.
pub(super) async fn record(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<DecisionFields>,
) -> PageResult<Response> {
    let draft = DecisionDraft {
        decided_on: fields.decided_on,
        title: fields.title,
        kind: fields.kind,
        text: fields.text,
        decided_by: fields.decided_by,
        resources: fields.resources,
        document_id: fields.document_id,
        supersedes: fields.supersedes,
    };
    let saved = match draft.validate(write.now.date()) {
        Ok(input) => roles::record(&write, &input).await,
        Err(e) => Err(e),
    };
    after_save(
        saved,
        |d| format!("/isms/decisions/{}", d.id),
        async |errors| form(&state, &access, draft, errors).await,
    )
    .await
}
