//! The information security objectives' API (ISO/IEC 27001:2022 clause 6.2): objectives with
//! their owner, target, measurement and due date, and the measurements that show progress.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_storage::save_current;
use tandem_web::{ApiJson, ApiResult, AppState, InPath, Reference, created, reference};
use time::Date;
use utoipa::ToSchema;

use crate::objectives::{MeasurementDraft, ObjectiveDraft, ObjectiveId};
use crate::store::objectives::{self, Measurement, Objective};

/// An information security objective.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectiveView {
    #[schema(format = Uuid)]
    id: String,
    title: String,
    /// What the objective is for.
    description: String,
    owner: Reference,
    /// What counts as reaching it.
    target: String,
    /// How progress is measured.
    measured_by: String,
    /// `monthly`, `quarterly` or `yearly`.
    frequency: &'static str,
    /// `YYYY-MM-DD`.
    due_date: String,
    /// `planned`, `on-track`, `at-risk`, `achieved` or `missed`.
    status: &'static str,
    /// How it was achieved or why it was missed.
    status_note: String,
    /// Whether the due date has passed and the objective is not achieved.
    overdue: bool,
    /// The document it derives from, named by its number and title.
    document: Option<Reference>,
    /// The latest measurement's value.
    latest_value: Option<String>,
    /// `YYYY-MM-DD`: when progress is next to be measured.
    next_measurement: String,
    version: i64,
}

impl ObjectiveView {
    fn new(o: &Objective, today: Date) -> Self {
        Self {
            id: o.id.to_string(),
            title: o.title.clone(),
            description: o.description.clone(),
            owner: reference(o.owner.0, o.owner.1.clone()),
            target: o.target.clone(),
            measured_by: o.measured_by.clone(),
            frequency: o.frequency.as_str(),
            due_date: o.due_date.to_string(),
            status: o.status.as_str(),
            status_note: o.status_note.clone(),
            overdue: o.overdue(today),
            document: o
                .document
                .as_ref()
                .map(|(id, number, title)| reference(id, format!("{number} {title}"))),
            latest_value: o.latest.as_ref().map(|(_, value)| value.clone()),
            next_measurement: o.next_measurement().to_string(),
            version: o.version,
        }
    }
}

/// The objectives.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectiveList {
    items: Vec<ObjectiveView>,
}

/// Every information security objective, the first due first.
#[utoipa::path(get, path = "/objectives", tag = "isms",
    responses((status = 200, body = ObjectiveList)))]
pub(super) async fn list_objectives(
    State(state): State<AppState>,
) -> ApiResult<Json<ObjectiveList>> {
    let today = state.clock.now().date();
    let items = objectives::list(&state.db).await?;
    Ok(Json(ObjectiveList {
        items: items.iter().map(|o| ObjectiveView::new(o, today)).collect(),
    }))
}

/// A new objective's fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ObjectiveBody {
    title: String,
    /// What the objective is for.
    description: String,
    /// One of the provider's staff.
    #[schema(format = Uuid)]
    owner_id: String,
    /// What counts as reaching it: `99.9 % monthly availability of the video service`.
    target: String,
    /// How progress is measured.
    measured_by: String,
    /// `monthly`, `quarterly` or `yearly`.
    frequency: String,
    /// `YYYY-MM-DD`.
    due_date: String,
    /// `planned` (default), `on-track`, `at-risk`, `achieved` or `missed`.
    status: String,
    /// Required when the status is `achieved` or `missed`.
    status_note: String,
    /// The document of the register it derives from.
    #[schema(format = Uuid)]
    document_id: String,
}

/// Set an objective.
#[utoipa::path(post, path = "/objectives", tag = "isms", request_body = ObjectiveBody,
    responses((status = 201, body = ObjectiveView), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn create_objective(
    write: Write,
    ApiJson(body): ApiJson<ObjectiveBody>,
) -> ApiResult<Response> {
    let input = ObjectiveDraft {
        title: body.title,
        description: body.description,
        owner_id: body.owner_id,
        target: body.target,
        measured_by: body.measured_by,
        frequency: body.frequency,
        due_date: body.due_date,
        status: body.status,
        status_note: body.status_note,
        document_id: body.document_id,
    }
    .validate()?;
    let objective = objectives::create(&write, &input).await?;
    Ok(created(
        format!("/api/v1/objectives/{}", objective.id),
        ObjectiveView::new(&objective, write.now.date()),
    ))
}

/// A measurement of an objective's progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasurementView {
    #[schema(format = Uuid)]
    id: String,
    /// `YYYY-MM-DD`: when it was taken.
    measured_on: String,
    value: String,
    note: String,
    recorded_by: Reference,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    recorded_at: time::OffsetDateTime,
}

impl MeasurementView {
    fn new(m: &Measurement) -> Self {
        Self {
            id: m.id.to_string(),
            measured_on: m.measured_on.to_string(),
            value: m.value.clone(),
            note: m.note.clone(),
            recorded_by: reference(m.recorded_by_id, m.recorded_by_name.clone()),
            recorded_at: m.recorded_at,
        }
    }
}

/// An objective with its measurements, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectiveDetail {
    #[serde(flatten)]
    objective: ObjectiveView,
    measurements: Vec<MeasurementView>,
}

async fn detail(state: &AppState, objective: &Objective) -> tandem_kernel::Result<ObjectiveDetail> {
    let measurements = objectives::measurements(&mut state.db.conn().await?, objective.id).await?;
    Ok(ObjectiveDetail {
        objective: ObjectiveView::new(objective, state.clock.now().date()),
        measurements: measurements.iter().map(MeasurementView::new).collect(),
    })
}

/// Read an objective and its measurements.
#[utoipa::path(get, path = "/objectives/{id}", tag = "isms", params(("id" = String, Path)),
    responses((status = 200, body = ObjectiveDetail), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(super) async fn get_objective(
    State(state): State<AppState>,
    InPath(id): InPath<ObjectiveId>,
) -> ApiResult<Json<ObjectiveDetail>> {
    let objective = objectives::get(&state.db, id).await?;
    Ok(Json(detail(&state, &objective).await?))
}

/// The fields to change; absent fields keep their value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveChanges {
    title: Option<String>,
    description: Option<String>,
    #[schema(format = Uuid)]
    owner_id: Option<String>,
    target: Option<String>,
    measured_by: Option<String>,
    frequency: Option<String>,
    due_date: Option<String>,
    status: Option<String>,
    status_note: Option<String>,
    /// An empty string: the objective derives from no document.
    #[schema(format = Uuid)]
    document_id: Option<String>,
    /// The `version` the change is based on; if the objective was saved since, 409.
    version: Option<i64>,
}

impl ObjectiveChanges {
    /// `current` with these changes.
    fn apply(self, current: ObjectiveDraft) -> ObjectiveDraft {
        ObjectiveDraft {
            title: self.title.unwrap_or(current.title),
            description: self.description.unwrap_or(current.description),
            owner_id: self.owner_id.unwrap_or(current.owner_id),
            target: self.target.unwrap_or(current.target),
            measured_by: self.measured_by.unwrap_or(current.measured_by),
            frequency: self.frequency.unwrap_or(current.frequency),
            due_date: self.due_date.unwrap_or(current.due_date),
            status: self.status.unwrap_or(current.status),
            status_note: self.status_note.unwrap_or(current.status_note),
            document_id: self.document_id.unwrap_or(current.document_id),
        }
    }
}

/// Change some fields of an objective. The result is checked as a whole: an objective set to
/// `achieved` or `missed` needs a `status_note`, sent or kept.
#[utoipa::path(patch, path = "/objectives/{id}", tag = "isms", params(("id" = String, Path)), request_body = ObjectiveChanges,
    responses((status = 200, body = ObjectiveDetail), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn update_objective(
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<ObjectiveId>,
    ApiJson(changes): ApiJson<ObjectiveChanges>,
) -> ApiResult<Json<ObjectiveDetail>> {
    let updated = save_current(id.0, changes.version, || async {
        let current = objectives::get(&state.db, id).await?;
        let changes = changes.clone();
        let version = changes.version.unwrap_or(current.version);
        let input = changes.apply(current.draft()).validate()?;
        objectives::update(&write, id, version, &input).await
    })
    .await?;
    Ok(Json(detail(&state, &updated).await?))
}

/// A measurement's fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MeasurementBody {
    /// `YYYY-MM-DD`, today or before; absent: today.
    measured_on: String,
    /// What was measured, as text: `99.95 %`, `7 of 8 acknowledged`.
    value: String,
    note: String,
}

/// Record a measurement of an objective's progress, taken by the caller.
#[utoipa::path(post, path = "/objectives/{id}/measurements", tag = "isms", params(("id" = String, Path)), request_body = MeasurementBody,
    responses((status = 201, body = MeasurementView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn add_measurement(
    write: Write,
    InPath(id): InPath<ObjectiveId>,
    ApiJson(body): ApiJson<MeasurementBody>,
) -> ApiResult<Response> {
    let input = MeasurementDraft {
        measured_on: body.measured_on,
        value: body.value,
        note: body.note,
    }
    .validate(write.now.date())?;
    let measurement = objectives::add_measurement(&write, id, &input).await?;
    Ok(created(
        format!("/api/v1/objectives/{id}"),
        MeasurementView::new(&measurement),
    ))
}
