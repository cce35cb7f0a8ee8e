//! The information security objectives' pages: the list with the overdue ones marked, an
//! objective with its measurements and the form to record one, and the objective's form.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::{Access, Permission};
use tandem_web::page::{after_save, choices, render, when};
use tandem_web::{
    AppState, Chrome, FormErrors, FormFrame, FormInput, InPath, PageResult, RequestAccess,
};
use time::{Date, OffsetDateTime};

use crate::api::reader;
use crate::objectives::{Frequency, MeasurementDraft, ObjectiveDraft, ObjectiveId, Status};
use crate::store::documents;
use crate::store::objectives::{self, Measurement, Objective};

/// An objective in the list, with what the list marks on it.
struct Listed {
    objective: Objective,
    overdue: bool,
    measurement_due: bool,
}

#[derive(Template)]
#[template(path = "isms/objectives.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Listed>,
    /// How many are overdue.
    overdue: usize,
}

/// `GET /isms/objectives`: every objective, the first due first; the overdue ones marked.
pub(super) async fn list(State(state): State<AppState>) -> PageResult<Response> {
    let today = state.clock.now().date();
    let items: Vec<Listed> = objectives::list(&state.db)
        .await?
        .into_iter()
        .map(|objective| Listed {
            overdue: objective.overdue(today),
            measurement_due: objective.measurement_due(today),
            objective,
        })
        .collect();
    let overdue = items.iter().filter(|l| l.overdue).count();
    Ok(render(&ListPage {
        chrome: Chrome::new("objectives", "Objectives"),
        items,
        overdue,
    }))
}

/// The objective's form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ObjectiveFields {
    title: String,
    description: String,
    owner_id: String,
    target: String,
    measured_by: String,
    frequency: String,
    due_date: String,
    status: String,
    status_note: String,
    document_id: String,
    version: i64,
}

impl ObjectiveFields {
    fn draft(&self) -> ObjectiveDraft {
        ObjectiveDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            owner_id: self.owner_id.clone(),
            target: self.target.clone(),
            measured_by: self.measured_by.clone(),
            frequency: self.frequency.clone(),
            due_date: self.due_date.clone(),
            status: self.status.clone(),
            status_note: self.status_note.clone(),
            document_id: self.document_id.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "isms/objective_form.html")]
struct FormPage {
    chrome: Chrome,
    frame: FormFrame,
    values: ObjectiveDraft,
    owners: Vec<(String, String)>,
    frequencies: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    /// The documents of the register an objective may derive from.
    documents: Vec<(String, String)>,
    errors: FormErrors,
}

async fn form(
    state: &AppState,
    access: &Access,
    frame: FormFrame,
    values: ObjectiveDraft,
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
    Ok(render(&FormPage {
        chrome: Chrome::new("objectives", frame.title.clone()),
        frame,
        values,
        owners: choices(
            tandem_identity::read::staff_with(&state.db, Permission::DocumentsRead).await?,
        ),
        frequencies: Frequency::choices(),
        statuses: Status::choices(),
        documents: register,
        errors,
    }))
}

fn create_frame() -> FormFrame {
    FormFrame::create("New objective", "/isms/objectives", "Set the objective")
}

/// `GET /isms/objectives/new`.
pub(super) async fn new(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
) -> PageResult<Response> {
    form(
        &state,
        &access,
        create_frame(),
        ObjectiveDraft {
            frequency: Frequency::Quarterly.as_str().to_owned(),
            status: Status::Planned.as_str().to_owned(),
            ..ObjectiveDraft::default()
        },
        FormErrors::default(),
    )
    .await
}

/// `POST /isms/objectives`: sets the objective; its page opens.
pub(super) async fn create(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<ObjectiveFields>,
) -> PageResult<Response> {
    let draft = fields.draft();
    let saved = match draft.validate() {
        Ok(input) => objectives::create(&write, &input).await,
        Err(e) => Err(e),
    };
    after_save(
        saved,
        |o| format!("/isms/objectives/{}", o.id),
        async |errors| form(&state, &access, create_frame(), draft, errors).await,
    )
    .await
}

fn edit_frame(o: &Objective) -> FormFrame {
    FormFrame::edit(
        format!("Edit {}", o.title),
        format!("/isms/objectives/{}", o.id),
        o.version,
    )
}

/// `GET /isms/objectives/{id}/edit`.
pub(super) async fn edit(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<ObjectiveId>,
) -> PageResult<Response> {
    let objective = objectives::get(&state.db, id).await?;
    form(
        &state,
        &access,
        edit_frame(&objective),
        objective.draft(),
        FormErrors::default(),
    )
    .await
}

/// `POST /isms/objectives/{id}`.
pub(super) async fn update(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<ObjectiveId>,
    FormInput(fields): FormInput<ObjectiveFields>,
) -> PageResult<Response> {
    let objective = objectives::get(&state.db, id).await?;
    let draft = fields.draft();
    let saved = match draft.validate() {
        Ok(input) => objectives::update(&write, id, fields.version, &input).await,
        Err(e) => Err(e),
    };
    after_save(
        saved,
        |o| format!("/isms/objectives/{}", o.id),
        async |errors| form(&state, &access, edit_frame(&objective), draft, errors).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "isms/objective.html")]
struct ObjectivePage {
    chrome: Chrome,
    objective: Objective,
    overdue: bool,
    next_measurement: Date,
    measurement_due: bool,
    /// Oldest first: the objective's progress.
    measurements: Vec<Measurement>,
    /// The form to record a measurement.
    values: MeasurementDraft,
    errors: FormErrors,
}

impl ObjectivePage {
    fn when(&self, at: &OffsetDateTime) -> String {
        when(at)
    }
}

async fn objective_page(
    state: &AppState,
    id: ObjectiveId,
    values: MeasurementDraft,
    errors: FormErrors,
) -> PageResult<Response> {
    let objective = objectives::get(&state.db, id).await?;
    let measurements = objectives::measurements(&mut state.db.conn().await?, id).await?;
    let today = state.clock.now().date();
    Ok(render(&ObjectivePage {
        chrome: Chrome::new("objectives", objective.title.clone()),
        overdue: objective.overdue(today),
        next_measurement: objective.next_measurement(),
        measurement_due: objective.measurement_due(today),
        objective,
        measurements,
        values,
        errors,
    }))
}

/// `GET /isms/objectives/{id}`: the objective, its measurements and the form to record one.
pub(super) async fn show(
    State(state): State<AppState>,
    InPath(id): InPath<ObjectiveId>,
) -> PageResult<Response> {
    let today = state.clock.now().date();
    objective_page(
        &state,
        id,
        MeasurementDraft {
            measured_on: today.to_string(),
            ..MeasurementDraft::default()
        },
        FormErrors::default(),
    )
    .await
}

/// The measurement's form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct MeasurementFields {
    measured_on: String,
    value: String,
    note: String,
}

/// `POST /isms/objectives/{id}/measurements`: records the measurement, taken by the person
/// signed in.
pub(super) async fn add_measurement(
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<ObjectiveId>,
    FormInput(fields): FormInput<MeasurementFields>,
) -> PageResult<Response> {
    let draft = MeasurementDraft {
        measured_on: fields.measured_on,
        value: fields.value,
        note: fields.note,
    };
    let saved = match draft.validate(write.now.date()) {
        Ok(input) => objectives::add_measurement(&write, id, &input).await,
        Err(e) => Err(e),
    };
    after_save(
        saved,
        |_| format!("/isms/objectives/{id}#measurements"),
        async |errors| objective_page(&state, id, draft, errors).await,
    )
    .await
}
