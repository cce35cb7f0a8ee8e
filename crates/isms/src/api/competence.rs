//! Awareness, training and competence through the API: trainings with their attendance,
//! competences with the people who hold them, and who falls short of what their roles require.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_web::{ApiJson, ApiResult, AppState, InPath, Reference, created, reference};
use utoipa::ToSchema;

use crate::competence::{
    AttendeeDraft, CompetenceDraft, CompetenceId, HoldingDraft, HoldingId, Shortfall,
    TrainingDraft, TrainingId, per_competence, per_person,
};
use crate::store::competence::{self as store, Competence, Holding, Report, Training};

/// A training session or course.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingView {
    #[schema(format = Uuid)]
    id: String,
    title: String,
    /// `session` or `course`.
    kind: &'static str,
    /// `YYYY-MM-DD`.
    held_on: String,
    trainer: String,
    topics: String,
    /// The ISMS document it covers, named by its number and title.
    document: Option<Reference>,
    /// The competence attending gives.
    competence: Option<Reference>,
    /// How many people are on the attendance list.
    invited: usize,
    /// How many of them attended.
    attended: usize,
    version: i64,
}

impl TrainingView {
    fn new(t: &Training) -> Self {
        Self {
            id: t.id.to_string(),
            title: t.title.clone(),
            kind: t.kind.as_str(),
            held_on: t.held_on.to_string(),
            trainer: t.trainer.clone(),
            topics: t.topics.clone(),
            document: t
                .document
                .as_ref()
                .map(|(id, name)| reference(id, name.clone())),
            competence: t
                .competence
                .as_ref()
                .map(|(id, name)| reference(id, name.clone())),
            invited: t.attendees.len(),
            attended: t.attended(),
            version: t.version,
        }
    }
}

/// Every training.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingList {
    items: Vec<TrainingView>,
}

/// A person on a training's attendance list.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendeeView {
    person: Reference,
    attended: bool,
}

/// A training with its attendance list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingDetail {
    #[serde(flatten)]
    training: TrainingView,
    /// By name.
    attendees: Vec<AttendeeView>,
}

impl TrainingDetail {
    fn new(t: &Training) -> Self {
        Self {
            training: TrainingView::new(t),
            attendees: t
                .attendees
                .iter()
                .map(|a| AttendeeView {
                    person: reference(a.person, a.name.clone()),
                    attended: a.attended,
                })
                .collect(),
        }
    }
}

/// The trainings, the latest first.
#[utoipa::path(get, path = "/trainings", tag = "isms",
    responses((status = 200, body = TrainingList)))]
pub(super) async fn list_trainings(State(state): State<AppState>) -> ApiResult<Json<TrainingList>> {
    let items = store::trainings(&state.db).await?;
    Ok(Json(TrainingList {
        items: items.iter().map(TrainingView::new).collect(),
    }))
}

/// A training's fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TrainingBody {
    title: String,
    /// `session` or `course`.
    kind: String,
    /// `YYYY-MM-DD`.
    held_on: String,
    trainer: String,
    topics: String,
    /// The ISMS document it covers.
    #[schema(format = Uuid)]
    document_id: String,
    /// The competence attending gives.
    #[schema(format = Uuid)]
    competence_id: String,
    /// On update: the version the change is based on.
    version: Option<i64>,
}

impl TrainingBody {
    fn draft(&self) -> TrainingDraft {
        TrainingDraft {
            title: self.title.clone(),
            kind: self.kind.clone(),
            held_on: self.held_on.clone(),
            trainer: self.trainer.clone(),
            topics: self.topics.clone(),
            document_id: self.document_id.clone(),
            competence_id: self.competence_id.clone(),
        }
    }
}

/// Add a training; its attendance is recorded with `PUT /trainings/{id}/attendance`.
#[utoipa::path(post, path = "/trainings", tag = "isms", request_body = TrainingBody,
    responses((status = 201, body = TrainingDetail), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn create_training(
    write: Write,
    ApiJson(body): ApiJson<TrainingBody>,
) -> ApiResult<Response> {
    let input = body.draft().validate()?;
    let training = store::create_training(&write, &input).await?;
    Ok(created(
        format!("/api/v1/trainings/{}", training.id),
        TrainingDetail::new(&training),
    ))
}

/// Read a training and its attendance list.
#[utoipa::path(get, path = "/trainings/{id}", tag = "isms", params(("id" = String, Path)),
    responses((status = 200, body = TrainingDetail), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(super) async fn get_training(
    State(state): State<AppState>,
    InPath(id): InPath<TrainingId>,
) -> ApiResult<Json<TrainingDetail>> {
    let training = store::get_training(&state.db, id).await?;
    Ok(Json(TrainingDetail::new(&training)))
}

/// Change a training (every field: one left out is saved empty). A new date or competence
/// moves what its attendance gave.
#[utoipa::path(patch, path = "/trainings/{id}", tag = "isms", params(("id" = String, Path)), request_body = TrainingBody,
    responses((status = 200, body = TrainingDetail), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn update_training(
    write: Write,
    InPath(id): InPath<TrainingId>,
    ApiJson(body): ApiJson<TrainingBody>,
) -> ApiResult<Json<TrainingDetail>> {
    let input = body.draft().validate()?;
    let training = store::update_training(&write, id, body.version, &input).await?;
    Ok(Json(TrainingDetail::new(&training)))
}

/// One person on the attendance list.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AttendeeBody {
    #[schema(format = Uuid)]
    person_id: String,
    /// Whether they attended; `false` for someone invited who did not come.
    attended: bool,
}

/// A training's whole attendance list.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AttendanceBody {
    attendees: Vec<AttendeeBody>,
    /// The version of the training the list is based on.
    version: Option<i64>,
}

/// Record who was invited and who attended, replacing the list. Those who attended a training
/// that gives a competence hold it from the training's date; those taken off the list, or
/// marked absent, lose what it gave them. Errors name `attendees[i]`.
#[utoipa::path(put, path = "/trainings/{id}/attendance", tag = "isms", params(("id" = String, Path)), request_body = AttendanceBody,
    responses((status = 200, body = TrainingDetail), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn record_attendance(
    write: Write,
    InPath(id): InPath<TrainingId>,
    ApiJson(body): ApiJson<AttendanceBody>,
) -> ApiResult<Json<TrainingDetail>> {
    let drafts: Vec<AttendeeDraft> = body
        .attendees
        .iter()
        .map(|a| AttendeeDraft {
            person_id: a.person_id.clone(),
            attended: a.attended,
        })
        .collect();
    let training = store::record_attendance(&write, id, body.version, &drafts).await?;
    Ok(Json(TrainingDetail::new(&training)))
}

/// A competence or certification.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompetenceView {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    description: String,
    /// Months it stays valid once obtained; null when it does not expire.
    validity_months: Option<i32>,
    /// The roles that require it.
    roles: Vec<&'static str>,
    version: i64,
}

impl CompetenceView {
    fn new(c: &Competence) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.name.clone(),
            description: c.description.clone(),
            validity_months: c.validity_months,
            roles: c.roles.iter().map(|r| r.as_str()).collect(),
            version: c.version,
        }
    }
}

/// Every competence.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompetenceList {
    items: Vec<CompetenceView>,
}

/// A person's holding of a competence.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldingView {
    #[schema(format = Uuid)]
    id: String,
    person: Reference,
    /// `YYYY-MM-DD`.
    obtained_on: String,
    /// `YYYY-MM-DD`, the last day it is valid; null when it does not expire.
    expires_on: Option<String>,
    evidence: String,
    /// The training that gave it; null for one recorded by hand.
    training: Option<Reference>,
    /// `expired`, `expiring` (within 30 days) or null.
    standing: Option<&'static str>,
    version: i64,
}

impl HoldingView {
    fn new(h: &Holding, today: time::Date) -> Self {
        Self {
            id: h.id.to_string(),
            person: reference(h.person.0, h.person.1.clone()),
            obtained_on: h.obtained_on.to_string(),
            expires_on: h.expires_on.map(|d| d.to_string()),
            evidence: h.evidence.clone(),
            training: h
                .training
                .as_ref()
                .map(|(id, title)| reference(id, title.clone())),
            standing: h.standing(today).map(|g| g.as_str()),
            version: h.version,
        }
    }
}

/// A competence with everyone who holds it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompetenceDetail {
    #[serde(flatten)]
    competence: CompetenceView,
    /// By name, a person's latest first.
    holders: Vec<HoldingView>,
}

/// The competences, by name.
#[utoipa::path(get, path = "/competences", tag = "isms",
    responses((status = 200, body = CompetenceList)))]
pub(super) async fn list_competences(
    State(state): State<AppState>,
) -> ApiResult<Json<CompetenceList>> {
    let items = store::competences(&state.db).await?;
    Ok(Json(CompetenceList {
        items: items.iter().map(CompetenceView::new).collect(),
    }))
}

/// A competence's fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CompetenceBody {
    name: String,
    description: String,
    /// Months it stays valid once obtained (1 to 120); null or left out when it does not
    /// expire.
    validity_months: Option<i32>,
    /// The names of the roles that require it (not `customer-user`).
    roles: Vec<String>,
    /// On update: the version the change is based on.
    version: Option<i64>,
}

impl CompetenceBody {
    fn draft(&self) -> CompetenceDraft {
        CompetenceDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            validity_months: self
                .validity_months
                .map(|n| n.to_string())
                .unwrap_or_default(),
            roles: self.roles.clone(),
        }
    }
}

async fn detail(state: &AppState, competence: &Competence) -> ApiResult<CompetenceDetail> {
    let today = state.clock.now().date();
    let holders = store::holdings_of(&state.db, competence.id).await?;
    Ok(CompetenceDetail {
        competence: CompetenceView::new(competence),
        holders: holders.iter().map(|h| HoldingView::new(h, today)).collect(),
    })
}

/// Add a competence.
#[utoipa::path(post, path = "/competences", tag = "isms", request_body = CompetenceBody,
    responses((status = 201, body = CompetenceDetail), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn create_competence(
    State(state): State<AppState>,
    write: Write,
    ApiJson(body): ApiJson<CompetenceBody>,
) -> ApiResult<Response> {
    let input = body.draft().validate()?;
    let competence = store::create_competence(&write, &input).await?;
    Ok(created(
        format!("/api/v1/competences/{}", competence.id),
        detail(&state, &competence).await?,
    ))
}

/// Read a competence and who holds it.
#[utoipa::path(get, path = "/competences/{id}", tag = "isms", params(("id" = String, Path)),
    responses((status = 200, body = CompetenceDetail), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(super) async fn get_competence(
    State(state): State<AppState>,
    InPath(id): InPath<CompetenceId>,
) -> ApiResult<Json<CompetenceDetail>> {
    let competence = store::get_competence(&state.db, id).await?;
    Ok(Json(detail(&state, &competence).await?))
}

/// Change a competence (every field: one left out is saved empty). A new validity applies to
/// holdings recorded from then on.
#[utoipa::path(patch, path = "/competences/{id}", tag = "isms", params(("id" = String, Path)), request_body = CompetenceBody,
    responses((status = 200, body = CompetenceDetail), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn update_competence(
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<CompetenceId>,
    ApiJson(body): ApiJson<CompetenceBody>,
) -> ApiResult<Json<CompetenceDetail>> {
    let input = body.draft().validate()?;
    let competence = store::update_competence(&write, id, body.version, &input).await?;
    Ok(Json(detail(&state, &competence).await?))
}

/// A new holding.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HoldingBody {
    #[schema(format = Uuid)]
    person_id: String,
    /// `YYYY-MM-DD`, not after today.
    obtained_on: String,
    /// `YYYY-MM-DD`, after `obtained_on`; empty or left out to take the competence's validity.
    expires_on: String,
    /// What shows it: a certificate's number, a course's confirmation.
    evidence: String,
}

/// A holding's change; its person stays.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HoldingChangeBody {
    obtained_on: String,
    expires_on: String,
    evidence: String,
    /// The version the change is based on.
    version: Option<i64>,
}

/// Record that a person holds the competence: a certification, or a training held elsewhere.
#[utoipa::path(post, path = "/competences/{id}/holders", tag = "isms", params(("id" = String, Path)), request_body = HoldingBody,
    responses((status = 201, body = HoldingView), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn add_holding(
    write: Write,
    InPath(id): InPath<CompetenceId>,
    ApiJson(body): ApiJson<HoldingBody>,
) -> ApiResult<Response> {
    let today = write.now.date();
    let input = HoldingDraft {
        person_id: body.person_id,
        obtained_on: body.obtained_on,
        expires_on: body.expires_on,
        evidence: body.evidence,
    }
    .validate(today, None)?;
    let holding = store::add_holding(&write, id, &input).await?;
    Ok(created(
        format!("/api/v1/competences/{id}/holders/{}", holding.id),
        HoldingView::new(&holding, today),
    ))
}

/// Change a holding: when it was obtained, an expiry that overrides the validity's, the
/// evidence.
#[utoipa::path(patch, path = "/competences/{id}/holders/{holding}", tag = "isms", params(("id" = String, Path), ("holding" = String, Path)), request_body = HoldingChangeBody,
    responses((status = 200, body = HoldingView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn update_holding(
    State(state): State<AppState>,
    write: Write,
    InPath((id, holding)): InPath<(CompetenceId, HoldingId)>,
    ApiJson(body): ApiJson<HoldingChangeBody>,
) -> ApiResult<Json<HoldingView>> {
    let today = write.now.date();
    let before = store::get_holding(&state.db, id, holding).await?;
    let input = HoldingDraft {
        person_id: String::new(),
        obtained_on: body.obtained_on,
        expires_on: body.expires_on,
        evidence: body.evidence,
    }
    .validate(today, Some(before.person.0))?;
    let saved = store::update_holding(&write, id, holding, body.version, &input).await?;
    Ok(Json(HoldingView::new(&saved, today)))
}

/// Remove a holding recorded by mistake (audited).
#[utoipa::path(delete, path = "/competences/{id}/holders/{holding}", tag = "isms", params(("id" = String, Path), ("holding" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(super) async fn remove_holding(
    write: Write,
    InPath((id, holding)): InPath<(CompetenceId, HoldingId)>,
) -> ApiResult<StatusCode> {
    store::remove_holding(&write, id, holding).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One required competence a person falls short of.
#[derive(Debug, Serialize, ToSchema)]
pub struct GapView {
    person: Reference,
    competence: Reference,
    /// `missing`, `expired` or `expiring` (within 30 days).
    gap: &'static str,
    /// `YYYY-MM-DD`: when the latest holding expired or expires; null when missing.
    expires_on: Option<String>,
    /// The person's roles that require it.
    because: Vec<&'static str>,
}

impl GapView {
    fn new(s: &Shortfall) -> Self {
        Self {
            person: reference(s.person, s.person_name.clone()),
            competence: reference(s.competence, s.competence_name.clone()),
            gap: s.gap.as_str(),
            expires_on: s.expires_on.map(|d| d.to_string()),
            because: s.because.iter().map(|r| r.as_str()).collect(),
        }
    }
}

/// A required competence and who falls short of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompetenceShortfall {
    competence: Reference,
    /// The roles that require it.
    roles: Vec<&'static str>,
    shortfalls: Vec<GapView>,
}

/// A person and the required competences they fall short of.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonShortfall {
    person: Reference,
    shortfalls: Vec<GapView>,
}

/// Who falls short, per competence and per person.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShortfallView {
    /// `YYYY-MM-DD`: the day the answer holds for.
    as_of: String,
    /// How many people hold a role that requires a competence.
    people: usize,
    /// Every competence some role requires, by name, with who falls short of it.
    by_competence: Vec<CompetenceShortfall>,
    /// Everyone who falls short, by name.
    by_person: Vec<PersonShortfall>,
}

impl ShortfallView {
    fn new(report: &Report) -> Self {
        Self {
            as_of: report.today.to_string(),
            people: report.people,
            by_competence: per_competence(&report.required, &report.found)
                .into_iter()
                .map(|(required, found)| CompetenceShortfall {
                    competence: reference(required.competence, required.name.clone()),
                    roles: required.roles.iter().map(|r| r.as_str()).collect(),
                    shortfalls: found.into_iter().map(GapView::new).collect(),
                })
                .collect(),
            by_person: per_person(&report.found)
                .into_iter()
                .map(|(person, name, found)| PersonShortfall {
                    person: reference(person, name),
                    shortfalls: found.into_iter().map(GapView::new).collect(),
                })
                .collect(),
        }
    }
}

/// Who lacks a competence one of their roles requires, holds it no longer, or will lose it
/// within 30 days.
#[utoipa::path(get, path = "/competences/shortfall", tag = "isms",
    responses((status = 200, body = ShortfallView)))]
pub(super) async fn shortfall(State(state): State<AppState>) -> ApiResult<Json<ShortfallView>> {
    let report = store::shortfall(&state.db, state.clock.now().date()).await?;
    Ok(Json(ShortfallView::new(&report)))
}
