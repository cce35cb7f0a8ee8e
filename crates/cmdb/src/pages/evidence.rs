//! Evidence pages: the CSV import of CIs with its dry run, baselines and their comparison with
//! the present, and reconciliation runs.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::Error;
use tandem_kernel::text::{Name, Note};
use tandem_web::page::{render, see_other, when};
use tandem_web::{AppState, Chrome, FormErrors, FormInput, InPath, PageResult, UploadForm};
use time::OffsetDateTime;

use crate::api::evidence::{drift_word, inventory_of, scope_of};
use crate::baseline::{Drift, Line, Summary, summary};
use crate::csv_io::LineError;
use crate::store::evidence::{self, Baseline, BaselineId, Finding, Run, RunId};
use crate::store::files::{self, ImportReport};

/// The name and text of an uploaded file, or of the text field when no file was chosen; a
/// file that is not UTF-8 text is refused, as in the API.
fn file_text(
    form: &mut UploadForm,
    file_field: &str,
    text_field: &str,
) -> Result<(String, String), Error> {
    match form.take_files(file_field).into_iter().next() {
        Some(file) => String::from_utf8(file.content)
            .map(|text| (file.name, text))
            .map_err(|_| Error::invalid("file", "the file is not UTF-8 text")),
        None => Ok(("pasted text".to_owned(), form.field(text_field))),
    }
}

#[derive(Template)]
#[template(path = "cmdb/import.html")]
struct ImportPage {
    chrome: Chrome,
    report: Option<ImportReport>,
    text: String,
}

/// `GET /cis/import`.
pub(super) async fn import_form() -> PageResult<Response> {
    Ok(render(&ImportPage {
        chrome: Chrome::new("cmdb", "Import CIs"),
        report: None,
        text: String::new(),
    }))
}

/// `POST /cis/import`: checks the file (the "Check" button) or imports it.
pub(super) async fn import(write: Write, mut form: UploadForm) -> PageResult<Response> {
    let dry_run = form.field("action") != "import";
    // Pasted text is shown again with the report; a file is not.
    let pasted = form.field("text");
    let report = match file_text(&mut form, "file", "text") {
        Ok((file, text)) => files::import(&write, &file, &text, dry_run).await?,
        Err(error) => ImportReport {
            errors: error
                .field_errors()
                .into_iter()
                .map(|e| LineError::new(0, e.field, e.message))
                .collect(),
            dry_run,
            ..ImportReport::default()
        },
    };
    let mut response = render(&ImportPage {
        chrome: Chrome::new("cmdb", "Import CIs"),
        text: pasted,
        report: Some(report.clone()),
    });
    if !report.errors.is_empty() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "cmdb/baselines.html")]
struct BaselinesPage {
    chrome: Chrome,
    items: Vec<Baseline>,
    values: BaselineFields,
    classes: Vec<(String, String)>,
    errors: FormErrors,
}

impl BaselinesPage {
    fn when(&self, at: &OffsetDateTime) -> String {
        when(at)
    }
}

/// The baseline form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct BaselineFields {
    name: String,
    description: String,
    class: String,
    location: String,
    prefix: String,
}

async fn baselines_page(
    state: &AppState,
    values: BaselineFields,
    errors: FormErrors,
) -> PageResult<Response> {
    let status = if errors.summary.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut response = render(&BaselinesPage {
        chrome: Chrome::new("cmdb", "Baselines"),
        items: evidence::baselines(&state.db).await?,
        values,
        classes: crate::store::classes::all(&state.db)
            .await?
            .into_iter()
            .map(|c| (c.key.to_string(), c.name))
            .collect(),
        errors,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /baselines`.
pub(super) async fn baselines(State(state): State<AppState>) -> PageResult<Response> {
    baselines_page(&state, BaselineFields::default(), FormErrors::default()).await
}

/// `POST /baselines`.
pub(super) async fn take_baseline(
    write: Write,
    State(state): State<AppState>,
    FormInput(fields): FormInput<BaselineFields>,
) -> PageResult<Response> {
    let taken = async {
        let name = Name::parse("name", &fields.name);
        let description = Note::parse("description", &fields.description);
        let scope = scope_of(&state, &fields.class, &fields.location, &fields.prefix).await;
        let (name, description) = match (name, description) {
            (Ok(n), Ok(d)) => (n, d),
            (n, d) => {
                return Err(Error::Invalid(
                    [n.err(), d.err()].into_iter().flatten().collect(),
                ));
            }
        };
        evidence::take_baseline(&write, &name, &description, &scope?).await
    }
    .await;
    match taken {
        Ok(id) => Ok(see_other(&format!("/baselines/{id}"))),
        Err(error) => baselines_page(&state, fields, FormErrors::from_error(error)?).await,
    }
}

#[derive(Template)]
#[template(path = "cmdb/baseline.html")]
struct BaselinePage {
    chrome: Chrome,
    baseline: Baseline,
    lines: Vec<Line>,
    summary: Summary,
}

impl BaselinePage {
    fn when(&self, at: &OffsetDateTime) -> String {
        when(at)
    }

    fn word(&self, drift: &Drift) -> &'static str {
        drift_word(drift)
    }
}

/// `GET /baselines/{id}`: the baseline against the present.
pub(super) async fn baseline(
    State(state): State<AppState>,
    InPath(id): InPath<BaselineId>,
) -> PageResult<Response> {
    let (baseline, lines) = evidence::compare_baseline(&state.db, id).await?;
    Ok(render(&BaselinePage {
        chrome: Chrome::new("cmdb", baseline.name.clone()),
        summary: summary(&lines),
        baseline,
        lines,
    }))
}

#[derive(Template)]
#[template(path = "cmdb/reconciliations.html")]
struct RunsPage {
    chrome: Chrome,
    items: Vec<Run>,
    errors: Vec<LineError>,
    summary: Option<String>,
}

impl RunsPage {
    fn when(&self, at: &OffsetDateTime) -> String {
        when(at)
    }
}

async fn runs_page(
    state: &AppState,
    errors: Vec<LineError>,
    summary: Option<String>,
) -> PageResult<Response> {
    let refused = summary.is_some();
    let mut response = render(&RunsPage {
        chrome: Chrome::new("cmdb", "Reconciliation"),
        items: evidence::runs(&state.db).await?,
        errors,
        summary,
    });
    if refused {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /reconciliations`.
pub(super) async fn runs(State(state): State<AppState>) -> PageResult<Response> {
    runs_page(&state, Vec::new(), None).await
}

/// `POST /reconciliations`: compares an uploaded inventory and keeps the run.
pub(super) async fn reconcile(
    write: Write,
    State(state): State<AppState>,
    mut form: UploadForm,
) -> PageResult<Response> {
    let threshold = form.field("clock_threshold_ms").trim().parse().ok();
    let (format, match_on, location) = (
        form.field("format"),
        form.field("match_on"),
        form.field("location"),
    );
    let given = form.field("source");
    let inventory = match file_text(&mut form, "file", "text") {
        Ok((file, text)) => {
            // A JSON inventory names its own source; a CSV file is named by its file.
            let source = match (given.trim(), format.as_str()) {
                ("", "csv") => file,
                (given, _) => given.to_owned(),
            };
            inventory_of(
                &state, &format, &text, &match_on, &source, &location, threshold,
            )
            .await
        }
        Err(error) => Err(error),
    };
    let inventory = match inventory {
        Ok(inventory) => inventory,
        Err(error) => {
            let errors = FormErrors::from_error(error)?;
            let lines = errors
                .all()
                .iter()
                .map(|e| LineError::new(0, e.field.clone(), e.message.clone()))
                .collect();
            return runs_page(&state, lines, errors.summary).await;
        }
    };
    let (id, _) = evidence::reconcile(&write, &inventory, false).await?;
    match id {
        Some(id) => Ok(see_other(&format!("/reconciliations/{id}"))),
        None => Ok(see_other("/reconciliations")),
    }
}

#[derive(Template)]
#[template(path = "cmdb/reconciliation.html")]
struct RunPage {
    chrome: Chrome,
    run: Run,
    findings: Vec<Finding>,
}

impl RunPage {
    fn when(&self, at: &OffsetDateTime) -> String {
        when(at)
    }
}

/// `GET /reconciliations/{id}`.
pub(super) async fn run(
    State(state): State<AppState>,
    InPath(id): InPath<RunId>,
) -> PageResult<Response> {
    let (run, findings) = evidence::run(&state.db, id).await?;
    Ok(render(&RunPage {
        chrome: Chrome::new("cmdb", format!("Reconciliation: {}", run.source)),
        run,
        findings,
    }))
}
