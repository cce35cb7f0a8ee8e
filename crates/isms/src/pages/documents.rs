//! The document register's pages: the register, a document with its versions, the version in
//! force to read and acknowledge, coverage and reminders; a version with its text, the draft's
//! editor and the next steps of its life cycle; the diff between two versions; the register's
//! form.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_directory::PersonId;
use tandem_kernel::{Access, Permission};
use tandem_web::page::{after_save, choices, render, see_other, when};
use tandem_web::{
    AppState, Chrome, FormErrors, FormFrame, FormInput, InPath, PageQuery, PageResult,
    RequestAccess, UploadForm,
};
use time::OffsetDateTime;

use crate::api::documents::{compare, visible};
use crate::api::{powers, reader};
use crate::diff::{DiffLine, LineChange};
use crate::document::{
    Classification, DocumentDraft, DocumentId, Kind, Target, VersionId, version_label,
};
use crate::lifecycle::{self, Refusal, State as VersionState, Step};
use crate::store::acknowledgements::{self, Coverage};
use crate::store::documents::{self, Document, Listed};
use crate::store::versions::{self, DraftText, Version};

fn label((major, minor): (i32, i32)) -> String {
    version_label(major, minor)
}

#[derive(Template)]
#[template(path = "isms/documents.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Listed>,
    due: Vec<(Document, Version)>,
    today: time::Date,
}

impl ListPage {
    fn label(&self, version: &(i32, i32)) -> String {
        label(*version)
    }
}

/// `GET /isms/documents`: the register, and what the reader still has to acknowledge.
pub(super) async fn list(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
) -> PageResult<Response> {
    let reader = reader(&state, &access).await?;
    Ok(render(&ListPage {
        chrome: Chrome::new("documents", "Documents"),
        items: documents::list(&state.db, &reader).await?,
        due: acknowledgements::to_acknowledge(&state.db, &reader).await?,
        today: state.clock.now().date(),
    }))
}

/// The register's form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct DocumentFields {
    title: String,
    kind: String,
    owner_id: String,
    classification: String,
    review_months: String,
    retention_months: String,
    quorum: String,
    shared_with_id: String,
    /// One target a line.
    distribution: String,
    template: String,
    version: i64,
}

impl DocumentFields {
    fn draft(&self) -> DocumentDraft {
        DocumentDraft {
            title: self.title.clone(),
            kind: self.kind.clone(),
            owner_id: self.owner_id.clone(),
            classification: self.classification.clone(),
            review_months: self.review_months.clone(),
            retention_months: self.retention_months.clone(),
            quorum: self.quorum.clone(),
            shared_with_id: self.shared_with_id.clone(),
            distribution: self.distribution.lines().map(str::to_owned).collect(),
        }
    }

    fn of(d: &Document) -> Self {
        Self {
            title: d.title.clone(),
            kind: d.kind.as_str().to_owned(),
            owner_id: d.owner.0.to_string(),
            classification: d.classification.as_str().to_owned(),
            review_months: d.review_months.to_string(),
            retention_months: d
                .retention_months
                .map(|n| n.to_string())
                .unwrap_or_default(),
            quorum: d.quorum.to_string(),
            shared_with_id: d
                .shared_with
                .as_ref()
                .map(|s| s.0.to_string())
                .unwrap_or_default(),
            distribution: d
                .distribution
                .iter()
                .map(Target::text)
                .collect::<Vec<_>>()
                .join("\n"),
            template: d.template.clone(),
            version: d.version,
        }
    }
}

#[derive(Template)]
#[template(path = "isms/document_form.html")]
struct FormPage {
    chrome: Chrome,
    frame: FormFrame,
    values: DocumentFields,
    creating: bool,
    kinds: Vec<(String, String)>,
    classifications: Vec<(String, String)>,
    owners: Vec<(String, String)>,
    customers: Vec<(String, String)>,
    templates: Vec<(String, String)>,
    /// What a distribution line may name: `(line, what it is)`.
    targets: Vec<(String, String)>,
    errors: FormErrors,
}

impl FormPage {
    /// The errors of single distribution lines, shown under the list: `distribution[2]`.
    fn distribution_errors(&self) -> Vec<(String, String)> {
        self.errors
            .all()
            .iter()
            .filter(|e| e.field.starts_with("distribution["))
            .map(|e| {
                (
                    e.field.clone(),
                    format!("Line {}: {}", line_of(&e.field), e.message),
                )
            })
            .collect()
    }
}

/// The line number, from 1, of `distribution[i]`.
fn line_of(field: &str) -> usize {
    field
        .trim_start_matches("distribution[")
        .trim_end_matches(']')
        .parse::<usize>()
        .map_or(0, |i| i + 1)
}

async fn form(
    state: &AppState,
    frame: FormFrame,
    values: DocumentFields,
    errors: FormErrors,
) -> PageResult<Response> {
    let creating = frame.version.is_none();
    let mut targets: Vec<(String, String)> = tandem_kernel::Role::ALL
        .into_iter()
        .filter(|r| *r != tandem_kernel::Role::CustomerUser)
        .map(|r| {
            (
                Target::Role(r).text(),
                format!("everyone holding the role {}", r.title()),
            )
        })
        .collect();
    for (team, name) in documents::provider_teams(&state.db).await? {
        targets.push((Target::Team(team).text(), format!("the team {name}")));
    }
    Ok(render(&FormPage {
        chrome: Chrome::new("documents", frame.title.clone()),
        frame,
        values,
        creating,
        kinds: Kind::choices(),
        classifications: Classification::choices(),
        owners: choices(
            tandem_identity::read::staff_with(&state.db, Permission::DocumentsRead).await?,
        ),
        customers: tandem_directory::pages::organisation_options(
            &state.db,
            &[tandem_directory::OrganisationKind::Customer],
        )
        .await?,
        templates: crate::templates::shipped()
            .into_iter()
            .map(|t| {
                (
                    t.key.to_owned(),
                    format!("{} ({})", t.title, t.kind.label()),
                )
            })
            .collect(),
        targets,
        errors,
    }))
}

/// `GET /isms/documents/new`.
pub(super) async fn new(State(state): State<AppState>) -> PageResult<Response> {
    form(
        &state,
        FormFrame::create("New document", "/isms/documents", "Add to the register"),
        DocumentFields {
            classification: Classification::Internal.as_str().to_owned(),
            review_months: "12".to_owned(),
            quorum: "1".to_owned(),
            ..DocumentFields::default()
        },
        FormErrors::default(),
    )
    .await
}

async fn create_document(
    state: &AppState,
    write: &Write,
    fields: &DocumentFields,
) -> tandem_kernel::Result<Document> {
    let input = fields.draft().validate()?;
    let (template, text) = if fields.template.trim().is_empty() {
        (String::new(), String::new())
    } else {
        let template = crate::templates::named("template", &fields.template)?;
        let provider = tandem_directory::read::provider(&mut state.db.conn().await?)
            .await?
            .map(|(_, name)| name)
            .unwrap_or_else(|| "the organisation".to_owned());
        (template.key.to_owned(), template.text_for(&provider))
    };
    documents::create(write, &input, &template, &text).await
}

/// `POST /isms/documents`: adds the document; its first draft opens.
pub(super) async fn create(
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<DocumentFields>,
) -> PageResult<Response> {
    let saved = create_document(&state, &write, &fields).await;
    after_save(
        saved,
        |d| format!("/isms/documents/{}", d.id),
        async |errors| {
            form(
                &state,
                FormFrame::create("New document", "/isms/documents", "Add to the register"),
                fields,
                errors,
            )
            .await
        },
    )
    .await
}

fn edit_frame(d: &Document) -> FormFrame {
    FormFrame::edit(
        format!("Edit {} {}", d.display_number(), d.title),
        format!("/isms/documents/{}", d.id),
        d.version,
    )
}

/// `GET /isms/documents/{id}/edit`: the register's fields.
pub(super) async fn edit(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<DocumentId>,
) -> PageResult<Response> {
    let reader = reader(&state, &access).await?;
    let document = documents::get(&state.db, &reader, id).await?;
    form(
        &state,
        edit_frame(&document),
        DocumentFields::of(&document),
        FormErrors::default(),
    )
    .await
}

/// `POST /isms/documents/{id}`.
pub(super) async fn update(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<DocumentId>,
    FormInput(fields): FormInput<DocumentFields>,
) -> PageResult<Response> {
    let reader = reader(&state, &access).await?;
    let document = documents::get(&state.db, &reader, id).await?;
    let saved = match fields.draft().validate() {
        Ok(input) => documents::update(&write, id, Some(fields.version), &input).await,
        Err(e) => Err(e),
    };
    after_save(
        saved,
        |d| format!("/isms/documents/{}", d.id),
        async |errors| form(&state, edit_frame(&document), fields, errors).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "isms/document.html")]
struct DocumentPage {
    chrome: Chrome,
    document: Document,
    versions: Vec<Version>,
    /// The version in force, rendered.
    in_force: Option<(Version, String)>,
    /// Whether the reader is asked to acknowledge it and has not yet.
    asked: bool,
    coverage: Option<Coverage>,
    me: Option<PersonId>,
    today: time::Date,
    errors: FormErrors,
}

impl DocumentPage {
    fn when(&self, at: &OffsetDateTime) -> String {
        when(at)
    }

    fn locked_by_me(&self) -> bool {
        self.document
            .lock
            .as_ref()
            .is_some_and(|l| Some(l.person) == self.me)
    }

    fn open_version(&self) -> bool {
        self.versions.iter().any(|v| v.state.in_progress())
    }
}

async fn document_page(
    state: &AppState,
    access: &Access,
    id: DocumentId,
    errors: FormErrors,
) -> PageResult<Response> {
    let reader = reader(state, access).await?;
    let (document, versions) = visible(state, &reader, id).await?;
    let in_force = versions
        .iter()
        .find(|v| v.state == VersionState::Published)
        .cloned()
        .map(|v| {
            let html = crate::markdown::render(&v.body);
            (v, html)
        });
    let asked = in_force.is_some()
        && acknowledgements::to_acknowledge(&state.db, &reader)
            .await?
            .iter()
            .any(|(d, _)| d.id == id);
    let coverage = if access.may(Permission::IsmsRead) {
        acknowledgements::coverage(&state.db, &document).await?
    } else {
        None
    };
    let invalid = errors.summary.is_some();
    let mut response = render(&DocumentPage {
        chrome: Chrome::new(
            "documents",
            format!("{} {}", document.display_number(), document.title),
        ),
        document,
        versions,
        in_force,
        asked,
        coverage,
        me: reader.person,
        today: state.clock.now().date(),
        errors,
    });
    if invalid {
        *response.status_mut() = axum::http::StatusCode::CONFLICT;
    }
    Ok(response)
}

/// `GET /isms/documents/{id}`.
pub(super) async fn show(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<DocumentId>,
) -> PageResult<Response> {
    document_page(&state, &access, id, FormErrors::default()).await
}

/// Back to the document's page after `done`, or the page with why it was not done.
async fn on_document(
    state: &AppState,
    access: &Access,
    id: DocumentId,
    done: tandem_kernel::Result<()>,
    to: String,
) -> PageResult<Response> {
    match done {
        Ok(()) => Ok(see_other(&to)),
        Err(error) => document_page(state, access, id, FormErrors::from_error(error)?).await,
    }
}

/// `POST /isms/documents/{id}/checkout`.
pub(super) async fn check_out(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<DocumentId>,
) -> PageResult<Response> {
    let done = versions::check_out(&write, id, &powers(&access)).await;
    on_document(&state, &access, id, done, format!("/isms/documents/{id}")).await
}

/// `POST /isms/documents/{id}/checkin`.
pub(super) async fn check_in(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<DocumentId>,
) -> PageResult<Response> {
    let done = versions::check_in(&write, id, &powers(&access)).await;
    on_document(&state, &access, id, done, format!("/isms/documents/{id}")).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ReasonFields {
    reason: String,
}

/// `POST /isms/documents/{id}/lock/break`.
pub(super) async fn break_lock(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<DocumentId>,
    FormInput(fields): FormInput<ReasonFields>,
) -> PageResult<Response> {
    let done = versions::break_lock(&write, id, &fields.reason).await;
    on_document(&state, &access, id, done, format!("/isms/documents/{id}")).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NewVersionFields {
    major: Option<String>,
}

/// `POST /isms/documents/{id}/versions`: a new draft, opened for editing.
pub(super) async fn start_version(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<DocumentId>,
    FormInput(fields): FormInput<NewVersionFields>,
) -> PageResult<Response> {
    match versions::start(&write, id, fields.major.is_some(), &powers(&access)).await {
        Ok(v) => Ok(see_other(&format!(
            "/isms/documents/{id}/versions/{}",
            v.id
        ))),
        Err(error) => document_page(&state, &access, id, FormErrors::from_error(error)?).await,
    }
}

/// `POST /isms/documents/{id}/acknowledge`.
pub(super) async fn acknowledge(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<DocumentId>,
) -> PageResult<Response> {
    let reader = reader(&state, &access).await?;
    let done = acknowledgements::acknowledge(&write, &reader, id)
        .await
        .map(|_| ());
    on_document(&state, &access, id, done, format!("/isms/documents/{id}")).await
}

/// `POST /isms/documents/{id}/reminders`.
pub(super) async fn remind(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<DocumentId>,
) -> PageResult<Response> {
    let reader = reader(&state, &access).await?;
    let document = documents::get(&state.db, &reader, id).await?;
    let done = acknowledgements::remind(&write, &document)
        .await
        .map(|_| ());
    on_document(
        &state,
        &access,
        id,
        done,
        format!("/isms/documents/{id}#coverage"),
    )
    .await
}

#[derive(Template)]
#[template(path = "isms/version.html")]
struct VersionPage {
    chrome: Chrome,
    document: Document,
    version: Version,
    html: String,
    /// The draft's editor, when the reader may edit it now.
    editing: bool,
    approvers: Vec<(String, String)>,
    values: DraftFields,
    steps: Vec<(Step, Vec<Refusal>)>,
    errors: FormErrors,
}

impl VersionPage {
    fn when(&self, at: &OffsetDateTime) -> String {
        when(at)
    }

    fn chosen(&self, person: &str) -> bool {
        self.values.approver_ids.iter().any(|p| p == person)
    }

    fn size(&self, bytes: &i64) -> String {
        tandem_kernel::file::size(usize::try_from(*bytes).unwrap_or_default())
    }

    fn asks_reason(&self, step: &Step) -> bool {
        matches!(step, Step::Reject | Step::Withdraw)
    }
}

/// The draft's form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct DraftFields {
    body: String,
    change_note: String,
    approver_ids: Vec<String>,
}

/// Where a form on a version's page leads: back to the page once `outcome` is saved, else to
/// the page again with its errors (and, for the draft's form, the text as typed).
async fn after_version_form<T>(
    state: &AppState,
    access: &Access,
    id: DocumentId,
    version: VersionId,
    values: Option<DraftFields>,
    outcome: Result<T, tandem_kernel::Error>,
) -> PageResult<Response> {
    match outcome {
        Ok(_) => Ok(see_other(&format!(
            "/isms/documents/{id}/versions/{version}"
        ))),
        Err(error) => {
            version_page(
                state,
                access,
                id,
                version,
                values,
                FormErrors::from_error(error)?,
            )
            .await
        }
    }
}

async fn version_page(
    state: &AppState,
    access: &Access,
    id: DocumentId,
    version: VersionId,
    values: Option<DraftFields>,
    errors: FormErrors,
) -> PageResult<Response> {
    let reader = reader(state, access).await?;
    let (document, versions) = visible(state, &reader, id).await?;
    let version = versions
        .into_iter()
        .find(|v| v.id == version)
        .ok_or(tandem_kernel::Error::NotFound { entity: "version" })?;
    let powers = powers(access);
    let steps = match reader.person {
        Some(person) => {
            let actor = lifecycle::Actor {
                person,
                may_write: powers.may_write,
                may_approve: powers.may_approve,
            };
            let facts = version.facts(&document);
            let editing = lifecycle::check_edit(&facts, &actor).is_ok();
            (lifecycle::next_steps(&facts, &actor), editing)
        }
        None => (Vec::new(), false),
    };
    let (steps, editing) = steps;
    let values = values.unwrap_or_else(|| DraftFields {
        body: version.body.clone(),
        change_note: version.change_note.clone(),
        approver_ids: version
            .approvers
            .iter()
            .map(|a| a.approver.person.to_string())
            .collect(),
    });
    let approvers = if editing {
        choices(tandem_identity::read::staff_with(&state.db, Permission::IsmsApprove).await?)
            .into_iter()
            .filter(|(id, _)| *id != version.author.0.to_string())
            .collect()
    } else {
        Vec::new()
    };
    let invalid = errors.summary.is_some();
    let mut response = render(&VersionPage {
        chrome: Chrome::new(
            "documents",
            format!(
                "{} {}, version {}",
                document.display_number(),
                document.title,
                version.label()
            ),
        ),
        html: crate::markdown::render(&version.body),
        document,
        version,
        editing,
        approvers,
        values,
        steps: steps
            .into_iter()
            .filter(|(_, missing)| !missing.iter().any(|r| r.rule == "who"))
            .collect(),
        errors,
    });
    if invalid {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /isms/documents/{id}/versions/{version}`.
pub(super) async fn version(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath((id, version)): InPath<(DocumentId, VersionId)>,
) -> PageResult<Response> {
    version_page(&state, &access, id, version, None, FormErrors::default()).await
}

/// `POST /isms/documents/{id}/versions/{version}`: saves the draft.
pub(super) async fn save_draft(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath((id, version)): InPath<(DocumentId, VersionId)>,
    FormInput(fields): FormInput<DraftFields>,
) -> PageResult<Response> {
    let saved = match crate::api::documents::approver_ids(&fields.approver_ids) {
        Ok(approvers) => {
            versions::save_draft(
                &write,
                id,
                version,
                &DraftText {
                    body: fields.body.clone(),
                    change_note: fields.change_note.clone(),
                    approvers,
                },
                &powers(&access),
            )
            .await
        }
        Err(e) => Err(e),
    };
    after_version_form(&state, &access, id, version, Some(fields), saved).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct StepFields {
    step: String,
    comment: String,
}

/// `POST /isms/documents/{id}/versions/{version}/steps`.
pub(super) async fn step(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath((id, version)): InPath<(DocumentId, VersionId)>,
    FormInput(fields): FormInput<StepFields>,
) -> PageResult<Response> {
    let taken = match Step::parse("step", &fields.step) {
        Ok(step) => {
            versions::take_step(&write, id, version, step, &fields.comment, &powers(&access)).await
        }
        Err(e) => Err(e.into()),
    };
    after_version_form(&state, &access, id, version, None, taken).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DiffFields {
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "isms/diff.html")]
struct DiffPage {
    chrome: Chrome,
    document: Document,
    from: Version,
    to: Version,
    added: usize,
    removed: usize,
    hunks: Vec<Vec<DiffLine>>,
}

impl DiffPage {
    fn sign(&self, line: &DiffLine) -> &'static str {
        match line.change {
            LineChange::Same => " ",
            LineChange::Added => "+",
            LineChange::Removed => "−",
        }
    }

    fn class(&self, line: &DiffLine) -> &'static str {
        match line.change {
            LineChange::Same => "same",
            LineChange::Added => "added",
            LineChange::Removed => "removed",
        }
    }
}

/// `GET /isms/documents/{id}/diff?from=…&to=…`: what changed between two versions.
pub(super) async fn diff(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<DocumentId>,
    PageQuery(query): PageQuery<DiffFields>,
) -> PageResult<Response> {
    let reader = reader(&state, &access).await?;
    let document = documents::get(&state.db, &reader, id).await?;
    let (from, to, diff) = compare(&state, &access, id, &query.from, &query.to).await?;
    let hunks = diff
        .hunks(3)
        .into_iter()
        .map(<[DiffLine]>::to_vec)
        .collect();
    Ok(render(&DiffPage {
        chrome: Chrome::new(
            "documents",
            format!(
                "{}: {} → {}",
                document.display_number(),
                from.label(),
                to.label()
            ),
        ),
        document,
        added: diff.added,
        removed: diff.removed,
        from,
        to,
        hunks,
    }))
}

#[derive(Template)]
#[template(path = "isms/scope_form.html")]
struct ScopePage {
    chrome: Chrome,
    document: Document,
    version: Version,
    /// Each part: key, heading, its lines.
    parts: Vec<(&'static str, &'static str, String)>,
    change_note: String,
    errors: FormErrors,
}

impl ScopePage {
    /// The errors of the lines of part `key`, as "Line 2: …".
    fn line_errors(&self, key: &str) -> Vec<String> {
        let prefix = format!("{key}[");
        self.errors
            .all()
            .iter()
            .filter_map(|e| {
                let index = e.field.strip_prefix(&prefix)?.strip_suffix(']')?;
                let line = index.parse::<usize>().ok()? + 1;
                Some(format!("Line {line}: {}", e.message))
            })
            .collect()
    }
}

/// The scope form as posted: one text per part, one item a line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ScopeFields {
    units: String,
    locations: String,
    services: String,
    cis: String,
    information: String,
    boundaries: String,
    interfaces: String,
    exclusions: String,
    change_note: String,
}

impl ScopeFields {
    fn record(&self) -> crate::scope::ScopeRecord {
        crate::scope::ScopeRecord::from_lines(&[
            ("units", &self.units),
            ("locations", &self.locations),
            ("services", &self.services),
            ("cis", &self.cis),
            ("information", &self.information),
            ("boundaries", &self.boundaries),
            ("interfaces", &self.interfaces),
            ("exclusions", &self.exclusions),
        ])
    }
}

/// A scope document's draft `version`, if the reader may see it.
async fn scope_version(
    state: &AppState,
    access: &Access,
    id: DocumentId,
    version: VersionId,
) -> tandem_kernel::Result<(Document, Version)> {
    let reader = reader(state, access).await?;
    let (document, versions) = visible(state, &reader, id).await?;
    let version = versions
        .into_iter()
        .find(|v| v.id == version)
        .ok_or(tandem_kernel::Error::NotFound { entity: "version" })?;
    if document.kind != Kind::Scope {
        return Err(tandem_kernel::Error::NotFound { entity: "scope" });
    }
    Ok((document, version))
}

fn scope_page(
    document: Document,
    version: Version,
    record: &crate::scope::ScopeRecord,
    change_note: String,
    errors: FormErrors,
) -> Response {
    let invalid = errors.summary.is_some();
    let parts = crate::scope::SECTIONS
        .iter()
        .map(|(key, heading)| (*key, *heading, record.items(key).join("\n")))
        .collect();
    let mut response = render(&ScopePage {
        chrome: Chrome::new("documents", format!("{}: the scope record", document.title)),
        document,
        version,
        parts,
        change_note,
        errors,
    });
    if invalid {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// `GET /isms/documents/{id}/versions/{version}/scope`: the scope's parts, one item a line.
pub(super) async fn scope_form(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath((id, version)): InPath<(DocumentId, VersionId)>,
) -> PageResult<Response> {
    let (document, version) = scope_version(&state, &access, id, version).await?;
    let record = crate::scope::ScopeRecord::from_markdown(&version.body).unwrap_or_default();
    let note = version.change_note.clone();
    Ok(scope_page(
        document,
        version,
        &record,
        note,
        FormErrors::default(),
    ))
}

/// `POST /isms/documents/{id}/versions/{version}/scope`: writes the record as the draft's text.
pub(super) async fn save_scope(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath((id, version)): InPath<(DocumentId, VersionId)>,
    FormInput(fields): FormInput<ScopeFields>,
) -> PageResult<Response> {
    let (document, current) = scope_version(&state, &access, id, version).await?;
    let record = fields.record();
    let mut errors = record.check().err().unwrap_or_default();
    errors.extend(
        crate::store::scope::unknown_references(&mut state.db.conn().await?, &record).await?,
    );
    let saved = if errors.is_empty() {
        versions::save_draft(
            &write,
            id,
            version,
            &DraftText {
                body: record.to_markdown(),
                change_note: fields.change_note.clone(),
                approvers: current
                    .approvers
                    .iter()
                    .map(|a| a.approver.person)
                    .collect(),
            },
            &powers(&access),
        )
        .await
        .map(|_| ())
    } else {
        Err(tandem_kernel::Error::Invalid(errors))
    };
    match saved {
        Ok(()) => Ok(see_other(&format!(
            "/isms/documents/{id}/versions/{version}"
        ))),
        Err(error) => Ok(scope_page(
            document,
            current,
            &record,
            fields.change_note,
            FormErrors::from_error(error)?,
        )),
    }
}

/// `POST /isms/documents/{id}/versions/{version}/file`: puts the uploaded file on the draft.
pub(super) async fn upload(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath((id, version)): InPath<(DocumentId, VersionId)>,
    mut form: UploadForm,
) -> PageResult<Response> {
    let file = form.take_files("file").into_iter().next();
    let saved = match file {
        Some(f) => versions::attach_file(
            &write,
            id,
            version,
            tandem_kernel::file::FileDraft {
                name: f.name,
                content: f.content,
            },
            &powers(&access),
        )
        .await
        .map(|_| ()),
        None => Err(tandem_kernel::Error::invalid("file", "choose a file")),
    };
    after_version_form(&state, &access, id, version, None, saved).await
}

/// `GET /isms/documents/{id}/versions/{version}/file`: the version's file.
pub(super) async fn file(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath((id, version)): InPath<(DocumentId, VersionId)>,
) -> PageResult<Response> {
    Ok(crate::api::documents::download(&state, &access, id, version).await?)
}
