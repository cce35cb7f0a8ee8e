//! Gap assessment pages: the list with the form that starts one, and an assessment with the
//! statuses declared in it, the coverage derived from them and its gaps.

use std::collections::HashSet;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::Error;
use tandem_web::page::{after_save, render, see_other};
use tandem_web::{
    AppState, Chrome, FormErrors, FormInput, InPath, PageError, PageQuery, PageResult,
};

use super::{Row, TargetRow, explanations, framework_choices, row};
use crate::analysis::Status;
use crate::api::{assessment_coverage, catalogue};
use crate::assessment::{Assessment, AssessmentDraft, AssessmentId, check_changes};
use crate::model::Framework;
use crate::store;

#[derive(Template)]
#[template(path = "frameworks/assessments.html")]
struct AssessmentList {
    chrome: Chrome,
    items: Vec<Assessment>,
    values: AssessmentDraft,
    errors: FormErrors,
    choices: Vec<(String, String)>,
}

async fn assessment_list_page(
    state: &AppState,
    values: AssessmentDraft,
    errors: FormErrors,
) -> PageResult<Response> {
    Ok(render(&AssessmentList {
        chrome: Chrome::new("frameworks", "Gap assessments"),
        items: store::all(&state.db).await?,
        values,
        errors,
        choices: framework_choices(&*catalogue(&state.db).await?),
    }))
}

pub(super) async fn assessment_list(State(state): State<AppState>) -> PageResult<Response> {
    let values = AssessmentDraft {
        source_framework: "seed001-ism".into(),
        target_framework: "iso27001-2005".into(),
        ..AssessmentDraft::default()
    };
    assessment_list_page(&state, values, FormErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct NewFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    source_framework: String,
    #[serde(default)]
    target_framework: String,
}

pub(super) async fn assessment_create(
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<NewFields>,
) -> PageResult<Response> {
    let draft = AssessmentDraft {
        name: fields.name,
        source_framework: fields.source_framework,
        target_framework: fields.target_framework,
    };
    let saved =
        async { store::create(&write, draft.validate(&*catalogue(&state.db).await?)?).await }.await;
    after_save(
        saved,
        |a| format!("/gap-assessments/{}", a.id),
        async |errors| assessment_list_page(&state, draft, errors).await,
    )
    .await
}

/// A source node with the status declared for it.
struct SourceRow {
    row: Row,
    status: String,
    note: String,
}

#[derive(Template)]
#[template(path = "frameworks/assessment.html")]
struct AssessmentPage {
    chrome: Chrome,
    assessment: Assessment,
    source: Framework,
    target: Framework,
    sources: Vec<SourceRow>,
    targets: Vec<TargetRow>,
    counts: Vec<(String, usize)>,
    statuses: Vec<(String, String)>,
    gaps_only: bool,
    errors: FormErrors,
}

fn status_choices() -> Vec<(String, String)> {
    Status::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct AssessmentQuery {
    #[serde(default)]
    gaps: String,
}

async fn assessment_view(
    state: &AppState,
    id: AssessmentId,
    gaps_only: bool,
    errors: FormErrors,
) -> PageResult<Response> {
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let (assessment, coverage) = assessment_coverage(state, id).await?;
    let declared = store::statuses(&state.db, id).await?;
    let framework = |fid: &str| {
        catalogue.framework(fid).cloned().ok_or_else(|| {
            PageError::from(Error::conflict(format!(
                "the framework `{fid}` no longer exists"
            )))
        })
    };
    let sources = catalogue
        .nodes_of(&assessment.source_framework)
        .iter()
        .map(|&ix| {
            let reference = &catalogue.node(ix).reference;
            let own = declared.iter().find(|d| &d.reference == reference);
            SourceRow {
                row: row(catalogue, ix),
                status: own
                    .map(|d| d.status.as_str().to_owned())
                    .unwrap_or_default(),
                note: own.map(|d| d.note.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let targets = coverage
        .nodes
        .iter()
        .filter(|(_, d)| {
            !gaps_only
                || d.status
                    .is_none_or(|s| s != Status::Implemented && s != Status::NotApplicable)
        })
        .map(|(ix, d)| TargetRow {
            row: row(catalogue, *ix),
            status: d.status,
            rolled_up: d.rolled_up,
            inherited_from: d.inherited_from.map(|a| row(catalogue, a)),
            explanation: explanations(catalogue, &coverage, *ix),
        })
        .collect();
    let counts = coverage
        .counts()
        .into_iter()
        .map(|(s, n)| (s.map_or("Gap", Status::label).to_owned(), n))
        .collect();
    Ok(render(&AssessmentPage {
        chrome: Chrome::new("frameworks", assessment.name.to_string()),
        source: framework(&assessment.source_framework)?,
        target: framework(&assessment.target_framework)?,
        assessment,
        sources,
        targets,
        counts,
        statuses: status_choices(),
        gaps_only,
        errors,
    }))
}

pub(super) async fn assessment_page(
    State(state): State<AppState>,
    InPath(id): InPath<AssessmentId>,
    PageQuery(query): PageQuery<AssessmentQuery>,
) -> PageResult<Response> {
    assessment_view(&state, id, !query.gaps.is_empty(), FormErrors::default()).await
}

/// The status form: one `ref`/`status`/`note` triple per source node, in order, plus the bulk
/// action (`selected` refs set to `bulk`).
#[derive(Debug, Default, Deserialize)]
pub(super) struct StatusFields {
    #[serde(default, rename = "ref")]
    references: Vec<String>,
    #[serde(default)]
    status: Vec<String>,
    #[serde(default)]
    note: Vec<String>,
    #[serde(default)]
    selected: Vec<String>,
    #[serde(default)]
    bulk: String,
    #[serde(default)]
    version: i64,
}

pub(super) async fn assessment_save(
    State(state): State<AppState>,
    InPath(id): InPath<AssessmentId>,
    write: Write,
    FormInput(fields): FormInput<StatusFields>,
) -> PageResult<Response> {
    let assessment = store::get(&state.db, id).await?;
    if fields.status.len() != fields.references.len()
        || fields.note.len() != fields.references.len()
    {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "The form is incomplete; reload the page and try again.",
        ));
    }
    let selected: HashSet<&str> = fields.selected.iter().map(String::as_str).collect();
    let raw: Vec<(String, String, String)> = fields
        .references
        .iter()
        .zip(fields.status.iter().zip(fields.note.iter()))
        .map(|(reference, (status, note))| {
            let status = if !fields.bulk.is_empty() && selected.contains(reference.as_str()) {
                fields.bulk.clone()
            } else {
                status.clone()
            };
            (reference.clone(), status, note.clone())
        })
        .collect();
    let saved = async {
        let changes = check_changes(
            &*catalogue(&state.db).await?,
            &assessment.source_framework,
            &raw,
        )?;
        store::change_statuses(&write, id, fields.version, &changes).await
    }
    .await;
    after_save(
        saved,
        |_| format!("/gap-assessments/{id}"),
        async |errors| assessment_view(&state, id, false, errors).await,
    )
    .await
}

pub(super) async fn assessment_delete(
    InPath(id): InPath<AssessmentId>,
    write: Write,
) -> PageResult<Response> {
    store::delete(&write, id).await?;
    Ok(see_other("/gap-assessments"))
}
