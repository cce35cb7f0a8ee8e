//! The context of the ISMS through the API: interested parties and their requirements, and
//! instances of the Cloud System Analysis Pattern: imported, exported, filled in, and their
//! proposals accepted one by one.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_kernel::{Error, Result};
use tandem_web::{ApiJson, ApiResult, AppState, InPath, Reference, created, reference};
use utoipa::ToSchema;

use crate::parties::{PartyDraft, PartyId, RequirementDraft, RequirementId, Satisfier};
use crate::pattern::PatternFile;
use crate::store::parties::{self, Party};
use crate::store::patterns::{self, ElementDraft, ElementId, Pattern, PatternId};

/// Whether the framework library holds the control `framework` `reference`.
pub async fn control_checker(
    state: &AppState,
) -> Result<impl Fn(&str, &str) -> bool + Send + Sync> {
    let catalogue = tandem_frameworks::api::catalogue(&state.db).await?;
    Ok(move |framework: &str, reference: &str| catalogue.find(framework, reference).is_some())
}

/// A requirement of an interested party.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequirementView {
    #[schema(format = Uuid)]
    id: String,
    /// `law`, `contract`, `sla`, `customer-demand` or `other`.
    kind: &'static str,
    text: String,
    source: String,
    /// `document:ID`, `agreement:ID`, `control:FRAMEWORK REFERENCE`, or none yet.
    satisfied_by: Option<String>,
    /// What satisfies it, in words.
    satisfied_label: String,
}

/// An interested party.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyView {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    /// `cloud-provider`, `cloud-customer`, `cloud-developer`, `end-customer`, `legislator`,
    /// `domain` or `other`.
    kind: &'static str,
    description: String,
    motivation: String,
    relation: String,
    organisation: Option<Reference>,
    source: String,
    requirements: Vec<RequirementView>,
    /// Requirements nothing satisfies yet.
    open_requirements: usize,
    version: i64,
}

impl From<&Party> for PartyView {
    fn from(p: &Party) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name.clone(),
            kind: p.kind.as_str(),
            description: p.description.clone(),
            motivation: p.motivation.clone(),
            relation: p.relation.clone(),
            organisation: p
                .organisation
                .as_ref()
                .map(|(id, name)| reference(id, name.clone())),
            source: p.source.clone(),
            requirements: p
                .requirements
                .iter()
                .map(|r| RequirementView {
                    id: r.id.to_string(),
                    kind: r.kind.as_str(),
                    text: r.text.clone(),
                    source: r.source.clone(),
                    satisfied_by: r.satisfied_by.as_ref().map(Satisfier::text),
                    satisfied_label: r.satisfied_label.clone(),
                })
                .collect(),
            open_requirements: p.open_requirements(),
            version: p.version,
        }
    }
}

/// The interested parties.
#[utoipa::path(get, path = "/parties", tag = "isms", responses((status = 200, body = Vec<PartyView>)))]
pub(super) async fn list_parties(State(state): State<AppState>) -> ApiResult<Json<Vec<PartyView>>> {
    let all = parties::all(&state.db).await?;
    Ok(Json(all.iter().map(PartyView::from).collect()))
}

/// A party's fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PartyBody {
    name: String,
    kind: String,
    description: String,
    motivation: String,
    relation: String,
    /// The directory's organisation the party is, if any.
    organisation_id: String,
    source: String,
    /// On update: the version the change is based on.
    version: Option<i64>,
}

impl PartyBody {
    fn draft(&self) -> PartyDraft {
        PartyDraft {
            name: self.name.clone(),
            kind: self.kind.clone(),
            description: self.description.clone(),
            motivation: self.motivation.clone(),
            relation: self.relation.clone(),
            organisation_id: self.organisation_id.clone(),
            source: self.source.clone(),
        }
    }
}

/// Add an interested party.
#[utoipa::path(post, path = "/parties", tag = "isms", request_body = PartyBody,
    responses((status = 201, body = PartyView), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn create_party(
    write: Write,
    ApiJson(body): ApiJson<PartyBody>,
) -> ApiResult<Response> {
    let party = parties::create(&write, &body.draft().validate()?).await?;
    Ok(created(
        format!("/api/v1/parties/{}", party.id),
        PartyView::from(&party),
    ))
}

/// Read an interested party and its requirements.
#[utoipa::path(get, path = "/parties/{id}", tag = "isms", params(("id" = String, Path)),
    responses((status = 200, body = PartyView), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(super) async fn get_party(
    State(state): State<AppState>,
    InPath(id): InPath<PartyId>,
) -> ApiResult<Json<PartyView>> {
    let party = parties::find(&mut state.db.conn().await?, id).await?;
    Ok(Json(PartyView::from(&party)))
}

/// Replace an interested party's fields.
#[utoipa::path(put, path = "/parties/{id}", tag = "isms", params(("id" = String, Path)), request_body = PartyBody,
    responses((status = 200, body = PartyView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn update_party(
    write: Write,
    InPath(id): InPath<PartyId>,
    ApiJson(body): ApiJson<PartyBody>,
) -> ApiResult<Json<PartyView>> {
    let party = parties::update(&write, id, body.version, &body.draft().validate()?).await?;
    Ok(Json(PartyView::from(&party)))
}

/// A requirement's fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RequirementBody {
    /// `law`, `contract`, `sla`, `customer-demand` or `other`.
    kind: String,
    text: String,
    source: String,
    /// `document:ID`, `agreement:ID`, `control:FRAMEWORK REFERENCE` (such as
    /// `control:iso27001-2022 A.5.15`), or empty.
    satisfied_by: String,
}

impl RequirementBody {
    fn draft(&self) -> RequirementDraft {
        RequirementDraft {
            kind: self.kind.clone(),
            text: self.text.clone(),
            source: self.source.clone(),
            satisfied_by: self.satisfied_by.clone(),
        }
    }
}

/// Add a requirement to an interested party.
#[utoipa::path(post, path = "/parties/{id}/requirements", tag = "isms", params(("id" = String, Path)), request_body = RequirementBody,
    responses((status = 201, body = PartyView), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn add_requirement(
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<PartyId>,
    ApiJson(body): ApiJson<RequirementBody>,
) -> ApiResult<Response> {
    let input = body.draft().validate()?;
    let exists = control_checker(&state).await?;
    let party = parties::add_requirement(&write, id, &input, &exists).await?;
    Ok(created(
        format!("/api/v1/parties/{id}"),
        PartyView::from(&party),
    ))
}

/// Change a requirement: above all, link what satisfies it.
#[utoipa::path(put, path = "/parties/{id}/requirements/{requirement}", tag = "isms", params(("id" = String, Path), ("requirement" = String, Path)), request_body = RequirementBody,
    responses((status = 200, body = PartyView), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn update_requirement(
    State(state): State<AppState>,
    write: Write,
    InPath((id, requirement)): InPath<(PartyId, RequirementId)>,
    ApiJson(body): ApiJson<RequirementBody>,
) -> ApiResult<Json<PartyView>> {
    let input = body.draft().validate()?;
    let exists = control_checker(&state).await?;
    let party = parties::update_requirement(&write, id, requirement, &input, &exists).await?;
    Ok(Json(PartyView::from(&party)))
}

/// An instance of the pattern in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatternListed {
    #[schema(format = Uuid)]
    id: String,
    name: String,
}

/// The instances of the Cloud System Analysis Pattern.
#[utoipa::path(get, path = "/cloud-patterns", tag = "isms", responses((status = 200, body = Vec<PatternListed>)))]
pub(super) async fn list_patterns(
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<PatternListed>>> {
    Ok(Json(
        patterns::all(&state.db)
            .await?
            .into_iter()
            .map(|(id, name)| PatternListed {
                id: id.to_string(),
                name,
            })
            .collect(),
    ))
}

/// An element of an instance with its proposal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ElementView {
    #[schema(format = Uuid)]
    id: String,
    /// `stakeholder`, `resource`, `service` or `data`.
    kind: String,
    /// The stakeholder's kind, the resource's kind or the service's layer.
    category: String,
    environment: String,
    name: String,
    /// What accepting it creates: `ci:CLASS` or `party`.
    proposes: String,
    /// The CI or the party accepted from it.
    accepted: Option<String>,
}

/// An instance with its elements.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatternView {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    description: String,
    source: String,
    elements: Vec<ElementView>,
}

impl From<&Pattern> for PatternView {
    fn from(p: &Pattern) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name.clone(),
            description: p.description.clone(),
            source: p.source.clone(),
            elements: p
                .elements
                .iter()
                .map(|e| ElementView {
                    id: e.id.to_string(),
                    kind: e.kind.clone(),
                    category: e.category.clone(),
                    environment: e.environment.clone(),
                    name: e.name.clone(),
                    proposes: e
                        .ci_class()
                        .map_or_else(|| "party".to_owned(), |class| format!("ci:{class}")),
                    accepted: e
                        .ci_id
                        .map(|ci| format!("ci:{ci}"))
                        .or_else(|| e.party_id.map(|p| format!("party:{p}"))),
                })
                .collect(),
        }
    }
}

/// Import an instance in the exchange format `tandem-cloud-pattern/1` (what the export gives).
/// Every bad value is named by its place, such as `stakeholders[2].kind`, and nothing is stored.
#[utoipa::path(post, path = "/cloud-patterns", tag = "isms", request_body = PatternFile,
    responses((status = 201, body = PatternView), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn import_pattern(
    write: Write,
    ApiJson(file): ApiJson<PatternFile>,
) -> ApiResult<Response> {
    let pattern = patterns::import(&write, &file).await?;
    Ok(created(
        format!("/api/v1/cloud-patterns/{}", pattern.id),
        PatternView::from(&pattern),
    ))
}

/// Read an instance, its elements and what each proposes.
#[utoipa::path(get, path = "/cloud-patterns/{id}", tag = "isms", params(("id" = String, Path)),
    responses((status = 200, body = PatternView), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(super) async fn get_pattern(
    State(state): State<AppState>,
    InPath(id): InPath<PatternId>,
) -> ApiResult<Json<PatternView>> {
    Ok(Json(PatternView::from(
        &patterns::get(&state.db, id).await?,
    )))
}

/// Export an instance in the exchange format.
#[utoipa::path(get, path = "/cloud-patterns/{id}/export", tag = "isms", params(("id" = String, Path)),
    responses((status = 200, body = PatternFile), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(super) async fn export_pattern(
    State(state): State<AppState>,
    InPath(id): InPath<PatternId>,
) -> ApiResult<Json<PatternFile>> {
    Ok(Json(patterns::get(&state.db, id).await?.file()?))
}

/// A new element.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ElementBody {
    /// `stakeholder`, `resource`, `service` or `data`.
    kind: String,
    /// A stakeholder's kind, a resource's kind (`hardware`, `software`) or a service's layer
    /// (`iaas`, `paas`, `saas`); none for data.
    category: String,
    /// A stakeholder's environment: `direct` or `indirect`.
    environment: String,
    name: String,
    description: String,
    motivation: String,
    relation: String,
    /// Data: whether it is personal data.
    personal: bool,
    /// Data: the id of the service element that processes it.
    service_id: String,
}

/// Add an element to an instance.
#[utoipa::path(post, path = "/cloud-patterns/{id}/elements", tag = "isms", params(("id" = String, Path)), request_body = ElementBody,
    responses((status = 201, body = PatternView), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn add_element(
    write: Write,
    InPath(id): InPath<PatternId>,
    ApiJson(body): ApiJson<ElementBody>,
) -> ApiResult<Response> {
    let pattern = patterns::add_element(
        &write,
        id,
        &ElementDraft {
            kind: body.kind,
            category: body.category,
            environment: body.environment,
            name: body.name,
            description: body.description,
            motivation: body.motivation,
            relation: body.relation,
            personal: body.personal,
            service_id: body.service_id,
        },
    )
    .await?;
    Ok(created(
        format!("/api/v1/cloud-patterns/{id}"),
        PatternView::from(&pattern),
    ))
}

/// How to classify a CI accepted from a proposal (each 1 to 4; 2 when left out).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AcceptBody {
    confidentiality: String,
    integrity: String,
    availability: String,
}

/// What accepting created.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedView {
    /// `ci` or `party`.
    kind: &'static str,
    #[schema(format = Uuid)]
    id: String,
}

/// Accept an element's proposal: a resource, service or data becomes exactly that CI in the
/// CMDB; a stakeholder becomes an interested party with its requirements. Accepting twice is
/// refused (409).
#[utoipa::path(post, path = "/cloud-patterns/{id}/elements/{element}/accept", tag = "isms", params(("id" = String, Path), ("element" = String, Path)), request_body = AcceptBody,
    responses((status = 201, body = AcceptedView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn accept(
    State(state): State<AppState>,
    write: Write,
    InPath((id, element)): InPath<(PatternId, ElementId)>,
    ApiJson(body): ApiJson<AcceptBody>,
) -> ApiResult<Response> {
    let rating = rating([&body.confidentiality, &body.integrity, &body.availability]);
    let (kind, created_id, location) =
        accept_proposal(&state, &write, id, element, &rating).await?;
    Ok(created(
        location,
        AcceptedView {
            kind,
            id: created_id,
        },
    ))
}

/// The confidentiality, integrity and availability a proposal's CI is classified with: as
/// given, 2 for each left out.
pub fn rating(given: [&str; 3]) -> [String; 3] {
    given.map(|r| {
        if r.trim().is_empty() {
            "2".to_owned()
        } else {
            r.to_owned()
        }
    })
}

/// Accepts the proposal of `element`: what it created (`ci` or `party`), its id and where it
/// is read.
pub async fn accept_proposal(
    state: &AppState,
    write: &Write,
    pattern: PatternId,
    element: ElementId,
    rating: &[String; 3],
) -> Result<(&'static str, String, String)> {
    let found = patterns::get(&state.db, pattern)
        .await?
        .elements
        .into_iter()
        .find(|e| e.id == element)
        .ok_or(Error::NotFound { entity: "element" })?;
    if found.ci_class().is_some() {
        let ci = patterns::accept_ci(
            write,
            pattern,
            element,
            (&rating[0], &rating[1], &rating[2]),
        )
        .await?;
        Ok(("ci", ci.to_string(), format!("/api/v1/cis/{ci}")))
    } else {
        let party = patterns::accept_party(write, pattern, element).await?;
        Ok((
            "party",
            party.to_string(),
            format!("/api/v1/parties/{party}"),
        ))
    }
}

/// The diagram of an instance as SVG.
pub async fn diagram(state: &AppState, id: PatternId) -> Result<Response> {
    let file = patterns::get(&state.db, id).await?.file()?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "image/svg+xml; charset=utf-8",
        )],
        crate::pattern::svg(&file),
    )
        .into_response())
}
