//! The document register's API: documents, versions and their life-cycle steps, check-out and
//! check-in, the diff between two versions, acknowledgements, coverage and reminders, and the
//! shipped templates.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_directory::PersonId;
use tandem_kernel::id::parse_id;
use tandem_kernel::{Access, Error, Result};
use tandem_web::{
    ApiJson, ApiQuery, ApiResult, AppState, InPath, Reference, RequestAccess, created, reference,
};
use utoipa::{IntoParams, ToSchema};

use super::{powers, reader};
use crate::diff::{LineChange, LineDiff};
use crate::document::{DocumentDraft, DocumentId, Reader, Target, VersionId};
use crate::lifecycle::Step;
use crate::store::acknowledgements::{self, Coverage};
use crate::store::documents::{self, Document, Listed};
use crate::store::versions::{self, DraftText, Version};

/// A document of the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    #[schema(format = Uuid)]
    id: String,
    /// `DOC-000042`.
    number: String,
    title: String,
    /// `policy`, `procedure`, `standard`, `guideline`, `plan`, `record` or `scope`.
    kind: &'static str,
    owner: Reference,
    /// `public`, `internal`, `confidential` or `restricted`.
    classification: &'static str,
    review_months: i32,
    /// `YYYY-MM-DD`: when the version in force is due for review.
    next_review: Option<String>,
    retention_months: Option<i32>,
    /// Approvals a version needs.
    quorum: i32,
    shared_with: Option<Reference>,
    /// The shipped template it was started from.
    template: String,
    /// `person:ID`, `team:ID` or `role:NAME`.
    distribution: Vec<String>,
    /// Who has it checked out.
    checked_out_by: Option<Reference>,
    /// The published version, such as `2.1`.
    in_force: Option<String>,
    /// The state of the version being worked on, such as `in-review`.
    in_progress: Option<String>,
    version: i64,
}

impl DocumentView {
    fn new(d: &Document, in_progress: Option<String>) -> Self {
        Self {
            id: d.id.to_string(),
            number: d.display_number(),
            title: d.title.clone(),
            kind: d.kind.as_str(),
            owner: reference(d.owner.0, d.owner.1.clone()),
            classification: d.classification.as_str(),
            review_months: d.review_months,
            next_review: d.next_review.map(|d| d.to_string()),
            retention_months: d.retention_months,
            quorum: d.quorum,
            shared_with: d
                .shared_with
                .as_ref()
                .map(|(id, name)| reference(id, name.clone())),
            template: d.template.clone(),
            distribution: d.distribution.iter().map(Target::text).collect(),
            checked_out_by: d.lock.as_ref().map(|l| reference(l.person, l.name.clone())),
            in_force: d
                .in_force
                .map(|(major, minor)| crate::document::version_label(major, minor)),
            in_progress,
            version: d.version,
        }
    }

    fn listed(l: &Listed) -> Self {
        Self::new(
            &l.document,
            l.in_progress.map(|(state, _, _)| state.as_str().to_owned()),
        )
    }
}

/// The register.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    items: Vec<DocumentView>,
}

/// The documents the caller may see: all of them for readers of the ISMS; for others those
/// distributed to them, the public ones and, for a customer, those shared with their
/// organisation.
#[utoipa::path(get, path = "/documents", tag = "isms",
    responses((status = 200, body = DocumentList)))]
pub(super) async fn list_documents(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
) -> ApiResult<Json<DocumentList>> {
    let reader = reader(&state, &access).await?;
    let items = documents::list(&state.db, &reader).await?;
    Ok(Json(DocumentList {
        items: items.iter().map(DocumentView::listed).collect(),
    }))
}

/// A document's register fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DocumentBody {
    title: String,
    /// `policy`, `procedure`, `standard`, `guideline`, `plan`, `record` or `scope`.
    kind: String,
    #[schema(format = Uuid)]
    owner_id: String,
    /// `public`, `internal` (default), `confidential` or `restricted`.
    classification: String,
    /// Months between reviews (default 12).
    review_months: Option<i32>,
    /// Months a record is kept (required for records).
    retention_months: Option<i32>,
    /// Approvals a version needs (default 1).
    quorum: Option<i32>,
    /// The customer organisation it is shared with.
    shared_with_id: String,
    /// `person:ID`, `team:ID` or `role:NAME`.
    distribution: Vec<String>,
    /// On create: the shipped template to start from (see `/documents/templates`).
    template: String,
    /// On create: the text of the first draft, when no template is named.
    body: String,
    /// On update: the version the change is based on.
    version: Option<i64>,
}

impl DocumentBody {
    fn draft(&self) -> DocumentDraft {
        let number = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
        DocumentDraft {
            title: self.title.clone(),
            kind: self.kind.clone(),
            owner_id: self.owner_id.clone(),
            classification: self.classification.clone(),
            review_months: number(self.review_months),
            retention_months: number(self.retention_months),
            quorum: number(self.quorum),
            shared_with_id: self.shared_with_id.clone(),
            distribution: self.distribution.clone(),
        }
    }
}

/// The name of the provider organisation, which templates fill in.
pub(super) async fn provider_name(state: &AppState) -> Result<String> {
    Ok(
        tandem_directory::read::provider(&mut state.db.conn().await?)
            .await?
            .map(|(_, name)| name)
            .unwrap_or_else(|| "the organisation".to_owned()),
    )
}

/// Add a document to the register: its first version, 1.0, is a draft with the template's text
/// (or `body`), checked out by the caller.
#[utoipa::path(post, path = "/documents", tag = "isms", request_body = DocumentBody,
    responses((status = 201, body = DocumentView), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn create_document(
    State(state): State<AppState>,
    write: Write,
    ApiJson(body): ApiJson<DocumentBody>,
) -> ApiResult<Response> {
    let (template, text) = if body.template.trim().is_empty() {
        (String::new(), body.body.clone())
    } else {
        let template = crate::templates::named("template", &body.template)?;
        (
            template.key.to_owned(),
            template.text_for(&provider_name(&state).await?),
        )
    };
    let text = tandem_kernel::text::DocumentText::parse("body", &text).map_err(Error::from)?;
    let input = body.draft().validate()?;
    let document = documents::create(&write, &input, &template, text.as_str()).await?;
    Ok(created(
        format!("/api/v1/documents/{}", document.id),
        DocumentView::new(&document, Some("draft".to_owned())),
    ))
}

/// A shipped template.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    key: &'static str,
    title: String,
    kind: &'static str,
    review_months: i32,
    /// Where the expectation comes from: a seed's section or a clause of the standard.
    sources: Vec<String>,
    summary: String,
}

/// The templates of the documents ISO 27001 expects.
#[utoipa::path(get, path = "/documents/templates", tag = "isms",
    responses((status = 200, body = Vec<TemplateView>)))]
pub(super) async fn list_templates() -> Json<Vec<TemplateView>> {
    Json(
        crate::templates::shipped()
            .into_iter()
            .map(|t| TemplateView {
                key: t.key,
                title: t.title,
                kind: t.kind.as_str(),
                review_months: t.review_months,
                sources: t.sources,
                summary: t.summary,
            })
            .collect(),
    )
}

/// A version of a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    #[schema(format = Uuid)]
    id: String,
    /// `2.1`.
    label: String,
    /// `draft`, `in-review`, `approved`, `published`, `superseded` or `withdrawn`.
    state: &'static str,
    /// The Markdown text (only in the answer for one version).
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    change_note: String,
    author: Reference,
    approvers: Vec<ApproverView>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    published_at: Option<time::OffsetDateTime>,
    withdraw_reason: String,
    /// The uploaded file (a PDF or an office document), if any.
    file: Option<FileView>,
}

/// A version's uploaded file.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileView {
    name: String,
    media_type: String,
    size: i64,
    /// SHA-256 of the content, lower-case hex.
    sha256: String,
}

/// A named approver and their decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApproverView {
    person: Reference,
    /// `approved`, `sent-back`, or none yet.
    decision: Option<&'static str>,
    comment: String,
}

impl VersionView {
    fn new(v: &Version, with_body: bool) -> Self {
        Self {
            id: v.id.to_string(),
            label: v.label(),
            state: v.state.as_str(),
            body: with_body.then(|| v.body.clone()),
            change_note: v.change_note.clone(),
            author: reference(v.author.0, v.author.1.clone()),
            approvers: v
                .approvers
                .iter()
                .map(|a| ApproverView {
                    person: reference(a.approver.person, a.approver.name.clone()),
                    decision: a.approver.decision.map(|d| d.as_str()),
                    comment: a.comment.clone(),
                })
                .collect(),
            created_at: v.created_at,
            published_at: v.published_at,
            withdraw_reason: v.withdraw_reason.clone(),
            file: v.file.as_ref().map(|f| FileView {
                name: f.name.clone(),
                media_type: f.media_type.clone(),
                size: f.size,
                sha256: f.sha256.clone(),
            }),
        }
    }
}

/// A document with the versions the caller may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentDetail {
    #[serde(flatten)]
    document: DocumentView,
    versions: Vec<VersionView>,
}

/// The document and its versions and what the reader may see of them.
pub async fn visible(
    state: &AppState,
    reader: &Reader,
    id: DocumentId,
) -> Result<(Document, Vec<Version>)> {
    let document = documents::get(&state.db, reader, id).await?;
    let versions = versions::of(&mut state.db.conn().await?, id)
        .await?
        .into_iter()
        .filter(|v| reader.sees_version(v.state, &v.involved(document.owner.0)))
        .collect();
    Ok((document, versions))
}

/// Read a document and its versions.
#[utoipa::path(get, path = "/documents/{id}", tag = "isms", params(("id" = String, Path)),
    responses((status = 200, body = DocumentDetail), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(super) async fn get_document(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<DocumentId>,
) -> ApiResult<Json<DocumentDetail>> {
    let reader = reader(&state, &access).await?;
    let (document, versions) = visible(&state, &reader, id).await?;
    Ok(Json(detail(&document, &versions)))
}

fn detail(document: &Document, versions: &[Version]) -> DocumentDetail {
    let in_progress = versions
        .iter()
        .find(|v| v.state.in_progress())
        .map(|v| v.state.as_str().to_owned());
    DocumentDetail {
        document: DocumentView::new(document, in_progress),
        versions: versions
            .iter()
            .map(|v| VersionView::new(v, false))
            .collect(),
    }
}

/// Replace a document's register fields (not its text: that is a version's); every field is
/// sent, as on creation.
#[utoipa::path(put, path = "/documents/{id}", tag = "isms", params(("id" = String, Path)), request_body = DocumentBody,
    responses((status = 200, body = DocumentDetail), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn update_document(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<DocumentId>,
    ApiJson(body): ApiJson<DocumentBody>,
) -> ApiResult<Json<DocumentDetail>> {
    let reader = reader(&state, &access).await?;
    documents::get(&state.db, &reader, id).await?;
    let input = body.draft().validate()?;
    documents::update(&write, id, body.version, &input).await?;
    let (document, versions) = visible(&state, &reader, id).await?;
    Ok(Json(detail(&document, &versions)))
}

/// Check the document out: nobody else edits it until it is checked in.
#[utoipa::path(post, path = "/documents/{id}/checkout", tag = "isms", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
pub(super) async fn check_out(
    RequestAccess(access): RequestAccess,
    write: Write,
    InPath(id): InPath<DocumentId>,
) -> ApiResult<StatusCode> {
    versions::check_out(&write, id, &powers(&access)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Check the document in: the caller's check-out ends.
#[utoipa::path(post, path = "/documents/{id}/checkin", tag = "isms", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
pub(super) async fn check_in(
    RequestAccess(access): RequestAccess,
    write: Write,
    InPath(id): InPath<DocumentId>,
) -> ApiResult<StatusCode> {
    versions::check_in(&write, id, &powers(&access)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Why a lock is broken.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReasonBody {
    reason: String,
}

/// Break someone's check-out of the document, saying why (audited).
#[utoipa::path(delete, path = "/documents/{id}/lock", tag = "isms", params(("id" = String, Path)), request_body = ReasonBody,
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn break_lock(
    write: Write,
    InPath(id): InPath<DocumentId>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> ApiResult<StatusCode> {
    versions::break_lock(&write, id, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new version.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NewVersionBody {
    /// A major version (2.0 after 1.3) asks everyone to acknowledge it again; a minor one
    /// (1.4) does not.
    major: bool,
}

/// Start a new version: a draft with the text of the latest, checked out by the caller.
#[utoipa::path(post, path = "/documents/{id}/versions", tag = "isms", params(("id" = String, Path)), request_body = NewVersionBody,
    responses((status = 201, body = VersionView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
pub(super) async fn start_version(
    RequestAccess(access): RequestAccess,
    write: Write,
    InPath(id): InPath<DocumentId>,
    ApiJson(body): ApiJson<NewVersionBody>,
) -> ApiResult<Response> {
    let version = versions::start(&write, id, body.major, &powers(&access)).await?;
    Ok(created(
        format!("/api/v1/documents/{id}/versions/{}", version.id),
        VersionView::new(&version, true),
    ))
}

/// The version, if the reader may see it.
pub(super) async fn readable_version(
    state: &AppState,
    access: &Access,
    id: DocumentId,
    version: VersionId,
) -> Result<Version> {
    let reader = reader(state, access).await?;
    let (_, versions) = visible(state, &reader, id).await?;
    versions
        .into_iter()
        .find(|v| v.id == version)
        .ok_or(Error::NotFound { entity: "version" })
}

/// Read a version, with its text.
#[utoipa::path(get, path = "/documents/{id}/versions/{version}", tag = "isms", params(("id" = String, Path), ("version" = String, Path)),
    responses((status = 200, body = VersionView), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(super) async fn get_version(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath((id, version)): InPath<(DocumentId, VersionId)>,
) -> ApiResult<Json<VersionView>> {
    let version = readable_version(&state, &access, id, version).await?;
    Ok(Json(VersionView::new(&version, true)))
}

/// A draft's text, note and approvers.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DraftBody {
    /// Markdown.
    body: String,
    /// What changed in this version.
    change_note: String,
    /// The people who approve it (holding isms.approve; never the author).
    approver_ids: Vec<String>,
}

/// Save a draft; the caller must have the document checked out.
#[utoipa::path(put, path = "/documents/{id}/versions/{version}", tag = "isms", params(("id" = String, Path), ("version" = String, Path)), request_body = DraftBody,
    responses((status = 200, body = VersionView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn save_version(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath((id, version)): InPath<(DocumentId, VersionId)>,
    ApiJson(body): ApiJson<DraftBody>,
) -> ApiResult<Json<VersionView>> {
    readable_version(&state, &access, id, version).await?;
    let approvers = approver_ids(&body.approver_ids)?;
    let saved = versions::save_draft(
        &write,
        id,
        version,
        &DraftText {
            body: body.body,
            change_note: body.change_note,
            approvers,
        },
        &powers(&access),
    )
    .await?;
    Ok(Json(VersionView::new(&saved, true)))
}

/// Reads the approvers' ids, each in `approver_ids[i]`.
pub fn approver_ids(raw: &[String]) -> Result<Vec<PersonId>> {
    let mut errors = Vec::new();
    let mut ids = Vec::new();
    for (i, id) in raw.iter().filter(|r| !r.trim().is_empty()).enumerate() {
        match parse_id(&format!("approver_ids[{i}]"), id) {
            Ok(id) => ids.push(id),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(ids)
    } else {
        Err(Error::Invalid(errors))
    }
}

/// A life-cycle step.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StepBody {
    /// `submit`, `approve`, `reject` (send back), `publish` or `withdraw`.
    step: String,
    /// Required to send back or withdraw.
    comment: String,
}

/// Take a step in a version's life cycle. A refused step answers 409 with every rule that
/// refused it in `details` (`field` is the rule: `state`, `who`, `checked-out`, `content`,
/// `quorum`, `four-eyes`, `decided`, `reason`, `in-progress`).
#[utoipa::path(post, path = "/documents/{id}/versions/{version}/steps", tag = "isms", params(("id" = String, Path), ("version" = String, Path)), request_body = StepBody,
    responses((status = 200, body = VersionView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn take_step(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath((id, version)): InPath<(DocumentId, VersionId)>,
    ApiJson(body): ApiJson<StepBody>,
) -> ApiResult<Json<VersionView>> {
    let step = Step::parse("step", &body.step).map_err(Error::from)?;
    readable_version(&state, &access, id, version).await?;
    let version =
        versions::take_step(&write, id, version, step, &body.comment, &powers(&access)).await?;
    Ok(Json(VersionView::new(&version, true)))
}

/// Which versions to compare.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, default)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The older version's id.
    from: String,
    /// The newer version's id.
    to: String,
}

/// The line diff between two versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiffView {
    from: String,
    to: String,
    added: usize,
    removed: usize,
    /// `[change, old line, new line, text]`, change `=`, `+` or `-`.
    lines: Vec<(String, Option<usize>, Option<usize>, String)>,
}

/// The versions `from` and `to` of document `id`, both readable, and their line diff.
pub async fn compare(
    state: &AppState,
    access: &Access,
    id: DocumentId,
    from: &str,
    to: &str,
) -> Result<(Version, Version, LineDiff)> {
    let from_id = parse_id::<VersionId>("from", from);
    let to_id = parse_id::<VersionId>("to", to);
    let (from_id, to_id) = tandem_kernel::error::AllValid::all_valid((from_id, to_id))?;
    let from = readable_version(state, access, id, from_id).await?;
    let to = readable_version(state, access, id, to_id).await?;
    let diff = crate::diff::lines(&from.body, &to.body);
    Ok((from, to, diff))
}

/// Compare two versions line by line.
#[utoipa::path(get, path = "/documents/{id}/diff", tag = "isms", params(("id" = String, Path), DiffQuery),
    responses((status = 200, body = DiffView), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn diff(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<DocumentId>,
    ApiQuery(query): ApiQuery<DiffQuery>,
) -> ApiResult<Json<DiffView>> {
    let (from, to, diff) = compare(&state, &access, id, &query.from, &query.to).await?;
    Ok(Json(DiffView {
        from: from.label(),
        to: to.label(),
        added: diff.added,
        removed: diff.removed,
        lines: diff
            .lines
            .into_iter()
            .map(|l| {
                let change = match l.change {
                    LineChange::Same => "=",
                    LineChange::Added => "+",
                    LineChange::Removed => "-",
                };
                (change.to_owned(), l.old, l.new, l.text)
            })
            .collect(),
    }))
}

/// Acknowledge the version in force: the caller has read it and accepts it.
#[utoipa::path(post, path = "/documents/{id}/acknowledgements", tag = "isms", params(("id" = String, Path)),
    responses((status = 200, body = VersionView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
pub(super) async fn acknowledge(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<DocumentId>,
) -> ApiResult<Json<VersionView>> {
    let reader = reader(&state, &access).await?;
    let version = acknowledgements::acknowledge(&write, &reader, id).await?;
    Ok(Json(VersionView::new(&version, false)))
}

/// A document the caller still has to read and acknowledge.
#[derive(Debug, Serialize, ToSchema)]
pub struct ToAcknowledgeView {
    document: Reference,
    number: String,
    version: String,
}

/// The published documents distributed to the caller that they have not acknowledged yet.
#[utoipa::path(get, path = "/documents/to-acknowledge", tag = "isms",
    responses((status = 200, body = Vec<ToAcknowledgeView>)))]
pub(super) async fn to_acknowledge(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<ToAcknowledgeView>>> {
    let reader = reader(&state, &access).await?;
    let due = acknowledgements::to_acknowledge(&state.db, &reader).await?;
    Ok(Json(
        due.into_iter()
            .map(|(d, v)| ToAcknowledgeView {
                number: d.display_number(),
                document: reference(d.id, d.title),
                version: v.label(),
            })
            .collect(),
    ))
}

/// Who a document asks and who has acknowledged it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageView {
    version: String,
    asked: usize,
    acknowledged: usize,
    percent: usize,
    /// Per distribution target: `[label, asked, acknowledged]`.
    groups: Vec<(String, usize, usize)>,
    /// Who has not acknowledged the major version in force.
    missing: Vec<Reference>,
}

impl CoverageView {
    fn new(c: &Coverage) -> Self {
        Self {
            version: c.version.clone(),
            asked: c.readers.len(),
            acknowledged: c.acknowledged(),
            percent: c.percent(),
            groups: c.groups.clone(),
            missing: c
                .missing()
                .map(|r| reference(r.person, r.name.clone()))
                .collect(),
        }
    }
}

/// The coverage of the version in force.
#[utoipa::path(get, path = "/documents/{id}/coverage", tag = "isms", params(("id" = String, Path)),
    responses((status = 200, body = CoverageView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
pub(super) async fn coverage(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<DocumentId>,
) -> ApiResult<Json<CoverageView>> {
    let reader = reader(&state, &access).await?;
    let document = documents::get(&state.db, &reader, id).await?;
    let coverage = acknowledgements::coverage(&state.db, &document)
        .await?
        .ok_or_else(|| Error::conflict("the document has no published version yet"))?;
    Ok(Json(CoverageView::new(&coverage)))
}

/// How many reminders were written.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemindedView {
    reminded: usize,
}

/// Mail a reminder to everyone who has not acknowledged the version in force.
#[utoipa::path(post, path = "/documents/{id}/reminders", tag = "isms", params(("id" = String, Path)),
    responses((status = 200, body = RemindedView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
pub(super) async fn remind(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<DocumentId>,
) -> ApiResult<Json<RemindedView>> {
    let reader = reader(&state, &access).await?;
    let document = documents::get(&state.db, &reader, id).await?;
    let reminded = acknowledgements::remind(&write, &document).await?;
    Ok(Json(RemindedView { reminded }))
}

/// A file to put on a draft.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FileBody {
    name: String,
    /// The content, base64 (standard alphabet, with padding).
    content: String,
}

/// Put a file (a PDF or an office document, at most 25 MiB) on a draft, replacing one there;
/// the caller must have the document checked out.
#[utoipa::path(put, path = "/documents/{id}/versions/{version}/file", tag = "isms", params(("id" = String, Path), ("version" = String, Path)), request_body = FileBody,
    responses((status = 200, body = VersionView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn put_file(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath((id, version)): InPath<(DocumentId, VersionId)>,
    ApiJson(body): ApiJson<FileBody>,
) -> ApiResult<Json<VersionView>> {
    use base64::Engine;
    readable_version(&state, &access, id, version).await?;
    let content = base64::engine::general_purpose::STANDARD
        .decode(body.content.trim())
        .map_err(|_| {
            Error::invalid(
                "content",
                "content must be base64 (standard alphabet, with padding)",
            )
        })?;
    let saved = versions::attach_file(
        &write,
        id,
        version,
        tandem_kernel::file::FileDraft {
            name: body.name,
            content,
        },
        &powers(&access),
    )
    .await?;
    Ok(Json(VersionView::new(&saved, true)))
}

/// The file of a version the caller may read, as a download.
pub async fn download(
    state: &AppState,
    access: &Access,
    id: DocumentId,
    version: VersionId,
) -> Result<Response> {
    readable_version(state, access, id, version).await?;
    let (name, media_type, content) = versions::file_content(&state.db, version).await?;
    Ok(tandem_web::download(&media_type, &name, content))
}

/// Download a version's file.
#[utoipa::path(get, path = "/documents/{id}/versions/{version}/file", tag = "isms", params(("id" = String, Path), ("version" = String, Path)),
    responses((status = 200, description = "The file"), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(super) async fn get_file(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath((id, version)): InPath<(DocumentId, VersionId)>,
) -> ApiResult<Response> {
    Ok(download(&state, &access, id, version).await?)
}
