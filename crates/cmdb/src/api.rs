//! The CMDB's JSON API under `/api/v1`: CI classes, CIs with their relations, versions and
//! comparisons, and the impact analysis; [`evidence`] adds files, baselines and reconciliation.

pub mod evidence;

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_directory::api::ListBody;
use tandem_kernel::id::TICKETS;
use tandem_kernel::page::{ListOptions, ListParams};
use tandem_kernel::{Error, FieldError, Need, Permission, id::parse_id};
use tandem_storage::save_current;
use tandem_web::{
    ApiJson, ApiQuery, ApiResult, AppState, InPath, Reference, Routes, created, reference,
};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::ci::{Ci, CiDraft, CiId, Lifecycle, OperationalState, number_text};
use crate::class::{AttributeDef, CiClass, ClassDraft};
use crate::relation::RelationKind;
use crate::store::graph::{self, Affected, Report};
use crate::store::relations::{self, NewRelation, Relation, RelationId};
use crate::store::{cis, classes};
use crate::version::{Cause, Diff, Snapshot, diff};

/// The CMDB's routes, to be nested under `/api/v1`.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::CmdbRead);
    let write = Need::Permission(Permission::CmdbWrite);
    let classes = Need::Permission(Permission::CmdbClasses);
    Routes::new()
        .api(read, routes!(list_classes))
        .api(classes, routes!(create_class))
        .api(read, routes!(get_class))
        .api(classes, routes!(update_class))
        .api(read, routes!(list_cis))
        .api(write, routes!(create_ci))
        .api(read, routes!(get_ci))
        .api(write, routes!(update_ci, delete_ci))
        .api(write, routes!(set_operational))
        .api(write, routes!(review_ci))
        .api(read, routes!(reviews_due))
        .api(read, routes!(list_relations))
        .api(write, routes!(add_relation))
        .api(write, routes!(remove_relation))
        .api(read, routes!(list_versions))
        .api(read, routes!(get_version))
        .api(read, routes!(compare_versions))
        .api(read, routes!(ci_impact))
        .api(read, routes!(impact))
        .merge(evidence::routes())
}

// ---------------------------------------------------------------- classes

/// A CI class with its attribute set.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassView {
    /// The class's key, such as `virtual-machine`.
    key: String,
    name: String,
    description: String,
    /// Whether it came with Tandem.
    builtin: bool,
    /// Whether its CIs group redundant members.
    is_cluster: bool,
    attributes: Vec<AttributeView>,
    version: i64,
}

/// One attribute of a class.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeView {
    key: String,
    #[serde(default)]
    label: String,
    /// `text`, `integer`, `boolean`, `date` (YYYY-MM-DD), `choice` or `ip`.
    kind: String,
    #[serde(default)]
    required: bool,
    /// The values of a `choice`.
    #[serde(default)]
    values: Vec<String>,
    /// Whether the attribute identifies a CI (a serial number, a host name).
    #[serde(default)]
    identity: bool,
}

impl From<AttributeDef> for AttributeView {
    fn from(a: AttributeDef) -> Self {
        Self {
            key: a.key,
            label: a.label,
            kind: a.kind,
            required: a.required,
            values: a.values,
            identity: a.identity,
        }
    }
}

impl From<AttributeView> for AttributeDef {
    fn from(a: AttributeView) -> Self {
        Self {
            key: a.key,
            label: a.label,
            kind: a.kind,
            required: a.required,
            values: a.values,
            identity: a.identity,
        }
    }
}

impl From<CiClass> for ClassView {
    fn from(c: CiClass) -> Self {
        Self {
            key: c.key,
            name: c.name,
            description: c.description,
            builtin: c.builtin,
            is_cluster: c.is_cluster,
            attributes: c.attributes.into_iter().map(AttributeView::from).collect(),
            version: c.version,
        }
    }
}

/// A new class.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClass {
    /// Lower-case letters, digits and hyphens: `rack`, `storage-array`.
    key: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    is_cluster: bool,
    #[serde(default)]
    attributes: Vec<AttributeView>,
}

/// The class's new name, description and attribute set (the key and cluster flag stay).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassChanges {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    attributes: Vec<AttributeView>,
    version: i64,
}

/// List the CI classes.
#[utoipa::path(get, path = "/ci-classes", tag = "cmdb",
    responses((status = 200, body = Vec<ClassView>)))]
async fn list_classes(State(state): State<AppState>) -> ApiResult<Json<Vec<ClassView>>> {
    Ok(Json(
        classes::all(&state.db)
            .await?
            .into_iter()
            .map(ClassView::from)
            .collect(),
    ))
}

/// Add a CI class with its attribute set.
#[utoipa::path(post, path = "/ci-classes", tag = "cmdb", request_body = NewClass,
    responses((status = 201, body = ClassView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_class(write: Write, ApiJson(body): ApiJson<NewClass>) -> ApiResult<Response> {
    let draft = ClassDraft {
        key: body.key,
        name: body.name,
        description: body.description,
        is_cluster: body.is_cluster,
        attributes: body.attributes.into_iter().map(Into::into).collect(),
    }
    .validate()?;
    let class = classes::create(&write, draft).await?;
    Ok(created(
        format!("/api/v1/ci-classes/{}", class.key),
        ClassView::from(class),
    ))
}

/// Read one CI class.
#[utoipa::path(get, path = "/ci-classes/{key}", tag = "cmdb", params(("key" = String, Path)),
    responses((status = 200, body = ClassView), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_class(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> ApiResult<Json<ClassView>> {
    Ok(Json(classes::get(&state.db, &key).await?.into()))
}

/// Replace a class's name, description and attribute set.
#[utoipa::path(put, path = "/ci-classes/{key}", tag = "cmdb", params(("key" = String, Path)), request_body = ClassChanges,
    responses((status = 200, body = ClassView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn update_class(
    write: Write,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<ClassChanges>,
) -> ApiResult<Json<ClassView>> {
    let current = classes::get(&state.db, &key).await?;
    let draft = ClassDraft {
        key: current.key,
        name: body.name,
        description: body.description,
        is_cluster: current.is_cluster,
        attributes: body.attributes.into_iter().map(Into::into).collect(),
    }
    .validate()?;
    let class = classes::update(&write, &key, body.version, draft).await?;
    Ok(Json(class.into()))
}

// ---------------------------------------------------------------- CIs

/// The location of a CI.
#[derive(Debug, Serialize, ToSchema)]
pub struct CiReference {
    #[schema(format = Uuid)]
    id: String,
    /// `CI-000042`.
    number: String,
    name: String,
}

/// A configuration item.
#[derive(Debug, Serialize, ToSchema)]
pub struct CiView {
    #[schema(format = Uuid)]
    id: String,
    /// `CI-000042`.
    number: String,
    /// The class's key.
    class: String,
    name: String,
    description: String,
    /// The customer that owns it; none for the provider's own CIs.
    customer: Option<Reference>,
    owner: Option<Reference>,
    custodian: Option<Reference>,
    location: Option<CiReference>,
    /// The service of the catalogue a `service` CI stands for.
    service: Option<Reference>,
    /// `planned`, `ordered`, `in-stock`, `production`, `maintenance` or `retired`.
    lifecycle: &'static str,
    /// `operational`, `degraded` or `down`.
    operational: &'static str,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    operational_since: OffsetDateTime,
    /// When a person last confirmed the record (asset review); empty if never.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    reviewed_at: Option<OffsetDateTime>,
    /// Who reviewed it last.
    reviewed_by: Option<String>,
    /// 1 (low) to 4 (very high).
    confidentiality: u8,
    integrity: u8,
    availability: u8,
    /// `public`, `internal`, `confidential` or `secret`.
    label: &'static str,
    /// A cluster's quorum: how many members must be up.
    min_up: Option<u32>,
    attributes: BTreeMap<String, String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    updated_at: OffsetDateTime,
    /// Counts the saves; send it back in a change.
    version: i64,
}

impl From<Ci> for CiView {
    fn from(ci: Ci) -> Self {
        Self {
            id: ci.id.to_string(),
            number: ci.number_text(),
            class: ci.class_key,
            name: ci.name,
            description: ci.description,
            customer: ci.organisation.map(|(id, n)| reference(id, n)),
            owner: ci.owner.map(|(id, n)| reference(id, n)),
            custodian: ci.custodian.map(|(id, n)| reference(id, n)),
            location: ci.location.map(|(id, number, name)| CiReference {
                id: id.to_string(),
                number: number_text(number),
                name,
            }),
            service: ci.service.map(|(id, n)| reference(id, n)),
            lifecycle: ci.lifecycle.as_str(),
            operational: ci.operational.as_str(),
            operational_since: ci.operational_since,
            reviewed_at: ci.reviewed.as_ref().map(|(at, _)| *at),
            reviewed_by: ci.reviewed.as_ref().map(|(_, by)| by.clone()),
            confidentiality: ci.classification.confidentiality.value(),
            integrity: ci.classification.integrity.value(),
            availability: ci.classification.availability.value(),
            label: ci.classification.label.as_str(),
            min_up: ci.min_up,
            attributes: ci.attributes,
            created_at: ci.created_at,
            updated_at: ci.updated_at,
            version: ci.version,
        }
    }
}

/// Why a CI changes: a ticket, or a reason of at least ten characters.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Why {
    /// The ticket the change was made for, such as `T-000042`.
    #[serde(default)]
    ticket: Option<String>,
    /// Why, in words; required without a ticket.
    #[serde(default)]
    reason: String,
}

impl Why {
    async fn cause(&self, state: &AppState) -> Result<Cause, Error> {
        cause_of(
            state,
            self.ticket.as_deref().unwrap_or_default(),
            &self.reason,
        )
        .await
    }
}

/// Reads the why of a request or form: a ticket number (looked up) and a reason.
pub async fn cause_of(state: &AppState, ticket: &str, reason: &str) -> Result<Cause, Error> {
    let ticket = match ticket.trim() {
        "" => None,
        raw => {
            let number = TICKETS.read("ticket", raw)?;
            Some(
                crate::read::ticket_by_number(&mut state.db.conn().await?, number)
                    .await?
                    .ok_or_else(|| {
                        Error::invalid(
                            "ticket",
                            format!("there is no ticket {}", TICKETS.text(number)),
                        )
                    })?,
            )
        }
    };
    Ok(Cause::from_input(ticket, reason)?)
}

/// A new CI.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCi {
    /// The class's key, such as `virtual-machine`.
    class: String,
    name: String,
    #[serde(default)]
    description: String,
    /// A customer organisation that owns the CI.
    #[serde(default)]
    organisation_id: Option<String>,
    #[serde(default)]
    owner_id: Option<String>,
    #[serde(default)]
    custodian_id: Option<String>,
    /// A CI of the class `location`.
    #[serde(default)]
    location_id: Option<String>,
    /// For a CI of the class `service`: the service of the catalogue.
    #[serde(default)]
    service_id: Option<String>,
    lifecycle: String,
    /// 1 (low) to 4 (very high).
    confidentiality: String,
    integrity: String,
    availability: String,
    /// `public`, `internal`, `confidential` or `secret`.
    label: String,
    #[serde(default)]
    min_up: Option<u32>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    #[serde(flatten)]
    why: Why,
}

/// The fields to change; absent fields keep their value, `attributes` replaces the set, an
/// empty id removes the reference.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CiChanges {
    name: Option<String>,
    description: Option<String>,
    organisation_id: Option<String>,
    owner_id: Option<String>,
    custodian_id: Option<String>,
    location_id: Option<String>,
    service_id: Option<String>,
    lifecycle: Option<String>,
    confidentiality: Option<String>,
    integrity: Option<String>,
    availability: Option<String>,
    label: Option<String>,
    min_up: Option<Option<u32>>,
    attributes: Option<BTreeMap<String, String>>,
    version: Option<i64>,
    #[serde(flatten)]
    why: Why,
}

/// Filters and paging of the CI list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CiListParams {
    /// Name contains this, or the number (`CI-000042`).
    q: Option<String>,
    /// `name` (default) or `class`.
    sort: Option<String>,
    /// `asc` (default) or `desc`.
    dir: Option<String>,
    after: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<u32>,
    /// Only CIs of this class (key).
    class: Option<String>,
    /// Only CIs in this life-cycle state.
    lifecycle: Option<String>,
    /// Only CIs in this operational state.
    operational: Option<String>,
    /// Only CIs of this customer (id).
    organisation: Option<String>,
    /// Only CIs at this location (id).
    location: Option<String>,
}

/// The filters of a CI list, from the API's or a page's parameters.
pub fn ci_filter(
    class: Option<&str>,
    lifecycle: Option<&str>,
    operational: Option<&str>,
    organisation: Option<&str>,
    location: Option<&str>,
) -> Result<cis::Filter, Error> {
    fn keep<T>(
        errors: &mut Vec<FieldError>,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Option<T> {
        let raw = raw.map(str::trim).filter(|v| !v.is_empty())?;
        parse(raw).map_err(|e| errors.push(e)).ok()
    }
    let mut errors: Vec<FieldError> = Vec::new();
    let filter = cis::Filter {
        class_key: class
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned),
        lifecycle: keep(&mut errors, lifecycle, |v| Lifecycle::parse("lifecycle", v)),
        operational: keep(&mut errors, operational, |v| {
            OperationalState::parse("operational", v)
        }),
        organisation_id: keep(&mut errors, organisation, |v| parse_id("organisation", v)),
        location_id: keep(&mut errors, location, |v| parse_id("location", v)),
    };
    if errors.is_empty() {
        Ok(filter)
    } else {
        Err(Error::Invalid(errors))
    }
}

/// List CIs, filtered and paged.
#[utoipa::path(get, path = "/cis", tag = "cmdb", params(CiListParams),
    responses((status = 200, body = ListBody<CiView>), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn list_cis(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<CiListParams>,
) -> ApiResult<Json<ListBody<CiView>>> {
    let options = ListOptions::parse(
        &ListParams {
            search: query.q.as_deref(),
            sort: query.sort.as_deref(),
            direction: query.dir.as_deref(),
            after: query.after.as_deref(),
            limit: query.limit,
        },
        &cis::Sort::OPTIONS,
    )?;
    let filter = ci_filter(
        query.class.as_deref(),
        query.lifecycle.as_deref(),
        query.operational.as_deref(),
        query.organisation.as_deref(),
        query.location.as_deref(),
    )?;
    let page = cis::list(&state.db, &filter, &options).await?;
    Ok(Json(ListBody {
        items: page.items.into_iter().map(CiView::from).collect(),
        next: page.next.map(|c| c.encode()),
    }))
}

/// Checks a draft against its class (an unknown class is named on the `class` field).
pub async fn checked(state: &AppState, draft: &CiDraft) -> Result<crate::ci::CiInput, Error> {
    let mut conn = state.db.conn().await?;
    let class = classes::find(&mut conn, draft.class_key.trim())
        .await?
        .ok_or_else(|| Error::invalid("class", "there is no such class"))?;
    draft.validate(&class)
}

/// Add a CI; its first version records the why.
#[utoipa::path(post, path = "/cis", tag = "cmdb", request_body = NewCi,
    responses((status = 201, body = CiView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_ci(
    write: Write,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewCi>,
) -> ApiResult<Response> {
    let draft = CiDraft {
        class_key: body.class,
        name: body.name,
        description: body.description,
        organisation_id: body.organisation_id.unwrap_or_default(),
        owner_id: body.owner_id.unwrap_or_default(),
        custodian_id: body.custodian_id.unwrap_or_default(),
        location_id: body.location_id.unwrap_or_default(),
        service_id: body.service_id.unwrap_or_default(),
        lifecycle: body.lifecycle,
        confidentiality: body.confidentiality,
        integrity: body.integrity,
        availability: body.availability,
        label: body.label,
        min_up: body.min_up.map(|n| n.to_string()).unwrap_or_default(),
        attributes: body.attributes,
    };
    let (input, cause) = both(checked(&state, &draft).await, body.why.cause(&state).await)?;
    let ci = cis::create(&write, input, &cause).await?;
    Ok(created(format!("/api/v1/cis/{}", ci.id), CiView::from(ci)))
}

/// Both results, or every field error of either.
pub fn both<A, B>(a: Result<A, Error>, b: Result<B, Error>) -> Result<(A, B), Error> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(Error::Invalid(mut e)), Err(Error::Invalid(f))) => {
            e.extend(f);
            Err(Error::Invalid(e))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// Read one CI.
#[utoipa::path(get, path = "/cis/{id}", tag = "cmdb", params(("id" = String, Path)),
    responses((status = 200, body = CiView), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_ci(
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
) -> ApiResult<Json<CiView>> {
    Ok(Json(cis::get(&state.db, id).await?.into()))
}

/// Change some fields of a CI: a new version with the why.
#[utoipa::path(patch, path = "/cis/{id}", tag = "cmdb", params(("id" = String, Path)), request_body = CiChanges,
    responses((status = 200, body = CiView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn update_ci(
    write: Write,
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
    ApiJson(changes): ApiJson<CiChanges>,
) -> ApiResult<Json<CiView>> {
    let updated = save_current(id.0, changes.version, || async {
        let current = cis::get(&state.db, id).await?;
        let mut draft = current.draft();
        let set = |field: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *field = value;
            }
        };
        set(&mut draft.name, changes.name.clone());
        set(&mut draft.description, changes.description.clone());
        set(&mut draft.organisation_id, changes.organisation_id.clone());
        set(&mut draft.owner_id, changes.owner_id.clone());
        set(&mut draft.custodian_id, changes.custodian_id.clone());
        set(&mut draft.location_id, changes.location_id.clone());
        set(&mut draft.service_id, changes.service_id.clone());
        set(&mut draft.lifecycle, changes.lifecycle.clone());
        set(&mut draft.confidentiality, changes.confidentiality.clone());
        set(&mut draft.integrity, changes.integrity.clone());
        set(&mut draft.availability, changes.availability.clone());
        set(&mut draft.label, changes.label.clone());
        set(
            &mut draft.min_up,
            changes
                .min_up
                .map(|n| n.map(|n| n.to_string()).unwrap_or_default()),
        );
        if let Some(attributes) = &changes.attributes {
            draft.attributes.clone_from(attributes);
        }
        let (input, cause) = both(
            checked(&state, &draft).await,
            changes.why.cause(&state).await,
        )?;
        cis::update(
            &write,
            id,
            changes.version.unwrap_or(current.version),
            input,
            &cause,
        )
        .await
    })
    .await?;
    Ok(Json(updated.into()))
}

/// Delete a planned CI nothing refers to (any other CI is retired instead).
#[utoipa::path(delete, path = "/cis/{id}", tag = "cmdb", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
async fn delete_ci(write: Write, InPath(id): InPath<CiId>) -> ApiResult<StatusCode> {
    cis::delete(&write, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A CI's operational state as observed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationalChange {
    /// `operational`, `degraded` or `down`.
    state: String,
    #[serde(default)]
    note: String,
}

/// Record how a CI works now; the audit trail keeps it, no version is made.
#[utoipa::path(put, path = "/cis/{id}/operational", tag = "cmdb", params(("id" = String, Path)), request_body = OperationalChange,
    responses((status = 200, body = CiView), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn set_operational(
    write: Write,
    InPath(id): InPath<CiId>,
    ApiJson(body): ApiJson<OperationalChange>,
) -> ApiResult<Json<CiView>> {
    let new = OperationalState::parse("state", &body.state).map_err(Error::from)?;
    let ci = cis::set_operational(&write, id, new, &body.note).await?;
    Ok(Json(ci.into()))
}

// ---------------------------------------------------------------- relations

/// A relation seen from one of its CIs.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelationView {
    #[schema(format = Uuid)]
    id: String,
    /// `runs-on`, `depends-on`, `connected-to`, `provides`, `backed-up-by` or `member-of`.
    kind: &'static str,
    /// `outgoing` when this CI is the source ("runs on"), `incoming` when it is the target
    /// ("hosts").
    direction: &'static str,
    /// The relation read from this CI: "runs on", "hosts", …
    reading: &'static str,
    other: CiReference,
    note: String,
}

impl From<Relation> for RelationView {
    fn from(r: Relation) -> Self {
        Self {
            id: r.id.to_string(),
            kind: r.kind.as_str(),
            direction: if r.outgoing { "outgoing" } else { "incoming" },
            reading: r.reading(),
            other: CiReference {
                id: r.other.id.to_string(),
                number: r.other.number_text(),
                name: r.other.name,
            },
            note: r.note,
        }
    }
}

/// A relation from this CI to another.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRelationBody {
    /// `runs-on`, `depends-on`, `connected-to`, `provides`, `backed-up-by` or `member-of`.
    kind: String,
    #[schema(format = Uuid)]
    target_id: String,
    #[serde(default)]
    note: String,
    #[serde(flatten)]
    why: Why,
}

/// The relations of a CI, both ways.
#[utoipa::path(get, path = "/cis/{id}/relations", tag = "cmdb", params(("id" = String, Path)),
    responses((status = 200, body = Vec<RelationView>), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn list_relations(
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
) -> ApiResult<Json<Vec<RelationView>>> {
    cis::get(&state.db, id).await?;
    Ok(Json(
        relations::of(&state.db, id)
            .await?
            .into_iter()
            .map(RelationView::from)
            .collect(),
    ))
}

/// Relate this CI to another: a new version of this CI.
#[utoipa::path(post, path = "/cis/{id}/relations", tag = "cmdb", params(("id" = String, Path)), request_body = NewRelationBody,
    responses((status = 201, body = Vec<RelationView>), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn add_relation(
    write: Write,
    State(state): State<AppState>,
    InPath(source): InPath<CiId>,
    ApiJson(body): ApiJson<NewRelationBody>,
) -> ApiResult<Response> {
    let parsed = relation_fields(&body.kind, &body.target_id);
    let ((kind, target), cause) = both(parsed, body.why.cause(&state).await)?;
    let relation = NewRelation {
        source,
        kind,
        target,
        note: body.note,
    };
    relations::add(&write, &relation, &cause).await?;
    let all: Vec<RelationView> = relations::of(&state.db, source)
        .await?
        .into_iter()
        .map(RelationView::from)
        .collect();
    Ok(created(format!("/api/v1/cis/{source}/relations"), all))
}

/// Reads the kind and the other CI of a relation to add, naming both fields if both are bad.
pub fn relation_fields(kind: &str, target: &str) -> Result<(RelationKind, CiId), Error> {
    match (
        RelationKind::parse("kind", kind),
        parse_id::<CiId>("target_id", target),
    ) {
        (Ok(k), Ok(t)) => Ok((k, t)),
        (k, t) => Err(Error::Invalid(
            [k.err(), t.err()].into_iter().flatten().collect(),
        )),
    }
}

/// Why a relation is removed.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WhyParams {
    /// The ticket, such as `T-000042`.
    ticket: Option<String>,
    /// Why, in words; required without a ticket.
    reason: Option<String>,
}

/// Remove a relation of this CI: a new version of its source.
#[utoipa::path(delete, path = "/cis/{id}/relations/{relation}", tag = "cmdb",
    params(("id" = String, Path), ("relation" = String, Path), WhyParams),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn remove_relation(
    write: Write,
    State(state): State<AppState>,
    InPath((id, relation)): InPath<(CiId, RelationId)>,
    ApiQuery(why): ApiQuery<WhyParams>,
) -> ApiResult<StatusCode> {
    let cause = cause_of(
        &state,
        why.ticket.as_deref().unwrap_or_default(),
        why.reason.as_deref().unwrap_or_default(),
    )
    .await?;
    relations::remove(&write, id, relation, &cause).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- versions

/// One version of a CI.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    version: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    at: OffsetDateTime,
    /// Who made it.
    actor: String,
    /// `manual`, `ticket`, `change`, `import` or `reconciliation`.
    cause: &'static str,
    /// The ticket it was made for, such as `T-000042`.
    ticket: Option<String>,
    /// The change that made it.
    #[schema(format = Uuid)]
    change_id: Option<String>,
    reason: String,
    /// What changed from the version before: field to `[before, after]`.
    #[schema(value_type = Object)]
    changes: Diff,
}

impl From<cis::Version> for VersionView {
    fn from(v: cis::Version) -> Self {
        Self {
            version: v.version,
            at: v.at,
            actor: v.actor,
            cause: v.cause.as_str(),
            ticket: v.ticket.map(|(_, n)| TICKETS.text(n)),
            change_id: v.change_id.map(|c| c.to_string()),
            reason: v.reason,
            changes: v.diff,
        }
    }
}

/// One version with the whole record as it then was.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDetail {
    #[serde(flatten)]
    version: VersionView,
    /// The record: field to value.
    #[schema(value_type = Object)]
    record: Snapshot,
}

/// Paging of a CI's versions.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VersionParams {
    /// Only versions older than this one.
    before: Option<i64>,
    /// 1 to 200 (default 50).
    limit: Option<i64>,
}

/// The versions of a CI, newest first.
#[utoipa::path(get, path = "/cis/{id}/versions", tag = "cmdb", params(("id" = String, Path), VersionParams),
    responses((status = 200, body = Vec<VersionView>), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn list_versions(
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
    ApiQuery(params): ApiQuery<VersionParams>,
) -> ApiResult<Json<Vec<VersionView>>> {
    cis::get(&state.db, id).await?;
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Error::invalid("limit", "must be between 1 and 200").into());
    }
    Ok(Json(
        cis::versions(&state.db, id, params.before, limit)
            .await?
            .into_iter()
            .map(VersionView::from)
            .collect(),
    ))
}

/// One version of a CI, with the whole record as it then was.
#[utoipa::path(get, path = "/cis/{id}/versions/{version}", tag = "cmdb", params(("id" = String, Path), ("version" = i64, Path)),
    responses((status = 200, body = VersionDetail), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_version(
    State(state): State<AppState>,
    InPath((id, version)): InPath<(CiId, i64)>,
) -> ApiResult<Json<VersionDetail>> {
    let (version, record) = cis::version(&state.db, id, version).await?;
    Ok(Json(VersionDetail {
        version: version.into(),
        record,
    }))
}

/// The two versions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CompareParams {
    from: i64,
    to: i64,
}

/// What differs between two versions of a CI.
#[derive(Debug, Serialize, ToSchema)]
pub struct Comparison {
    from: i64,
    to: i64,
    /// Field to `[value in from, value in to]`.
    #[schema(value_type = Object)]
    changes: Diff,
}

/// Compare two versions of a CI.
#[utoipa::path(get, path = "/cis/{id}/compare", tag = "cmdb", params(("id" = String, Path), CompareParams),
    responses((status = 200, body = Comparison), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn compare_versions(
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
    ApiQuery(params): ApiQuery<CompareParams>,
) -> ApiResult<Json<Comparison>> {
    let (_, from) = cis::version(&state.db, id, params.from).await?;
    let (_, to) = cis::version(&state.db, id, params.to).await?;
    Ok(Json(Comparison {
        from: params.from,
        to: params.to,
        changes: diff(&from, &to),
    }))
}

// ---------------------------------------------------------------- impact

/// A CI the failure reaches.
#[derive(Debug, Serialize, ToSchema)]
pub struct AffectedView {
    ci: CiReference,
    class: String,
    /// `degraded` or `down`.
    state: &'static str,
    /// The CIs the failure travels through, from a failing one to this one.
    path: Vec<String>,
    /// For a cluster: how its members stand.
    quorum: Option<String>,
}

impl From<Affected> for AffectedView {
    fn from(a: Affected) -> Self {
        Self {
            ci: CiReference {
                id: a.node.id.to_string(),
                number: number_text(a.node.number),
                name: a.node.name,
            },
            class: a.node.class_key,
            state: a.state.as_str(),
            path: a.path,
            quorum: a.quorum,
        }
    }
}

/// A customer the failure reaches.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerView {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    state: &'static str,
    /// Its affected services and CIs.
    through: Vec<String>,
}

/// What a failure reaches.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImpactView {
    cis: Vec<AffectedView>,
    services: Vec<AffectedView>,
    customers: Vec<CustomerView>,
    /// CIs whose backup is kept on an affected CI: `[CI, holder]`.
    backups_at_risk: Vec<[String; 2]>,
}

impl From<Report> for ImpactView {
    fn from(r: Report) -> Self {
        Self {
            cis: r.affected.into_iter().map(Into::into).collect(),
            services: r.services.into_iter().map(Into::into).collect(),
            customers: r
                .customers
                .into_iter()
                .map(|c| CustomerView {
                    id: c.id.to_string(),
                    name: c.name,
                    state: c.state.as_str(),
                    through: c.through,
                })
                .collect(),
            backups_at_risk: r
                .backups_at_risk
                .into_iter()
                .map(|(of, holder)| [of.reference(), holder.reference()])
                .collect(),
        }
    }
}

/// The question for one CI.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImpactParams {
    /// `down` (default) or `degraded`.
    #[serde(rename = "as")]
    state: Option<String>,
    /// Whether CIs recorded as degraded or down now count as failed too (default true).
    as_is: Option<bool>,
}

/// The state a CI is assumed to fail into: `down` (also when not given) or `degraded`.
pub fn failing_state(raw: Option<&str>) -> Result<OperationalState, Error> {
    match raw.map(str::trim).unwrap_or("down") {
        "down" => Ok(OperationalState::Down),
        "degraded" => Ok(OperationalState::Degraded),
        _ => Err(Error::invalid("as", "must be down or degraded")),
    }
}

/// What fails if this CI goes down (or is degraded), honouring redundancy.
#[utoipa::path(get, path = "/cis/{id}/impact", tag = "cmdb", params(("id" = String, Path), ImpactParams),
    responses((status = 200, body = ImpactView), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn ci_impact(
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
    ApiQuery(params): ApiQuery<ImpactParams>,
) -> ApiResult<Json<ImpactView>> {
    cis::get(&state.db, id).await?;
    let failing = failing_state(params.state.as_deref())?;
    let graph = graph::load(&state.db).await?;
    Ok(Json(
        graph
            .analyse(&[(id, failing)], params.as_is.unwrap_or(true))?
            .into(),
    ))
}

/// A CI assumed to fail.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Root {
    #[schema(format = Uuid)]
    ci: String,
    /// `down` (default) or `degraded`.
    #[serde(default)]
    state: Option<String>,
}

/// Several CIs assumed to fail at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactQuestion {
    roots: Vec<Root>,
    /// Whether CIs recorded as degraded or down now count as failed too (default true).
    #[serde(default)]
    as_is: Option<bool>,
}

/// What fails if these CIs fail together, honouring redundancy.
#[utoipa::path(post, path = "/impact", tag = "cmdb", request_body = ImpactQuestion,
    responses((status = 200, body = ImpactView), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn impact(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ImpactQuestion>,
) -> ApiResult<Json<ImpactView>> {
    let mut roots = Vec::new();
    let mut errors = Vec::new();
    for (i, root) in body.roots.iter().enumerate() {
        match (
            parse_id::<CiId>(&format!("roots[{i}].ci"), &root.ci),
            failing_state(root.state.as_deref()),
        ) {
            (Ok(ci), Ok(s)) => roots.push((ci, s)),
            (ci, s) => {
                errors.extend(ci.err());
                if s.is_err() {
                    errors.push(FieldError::new(
                        format!("roots[{i}].state"),
                        "must be down or degraded",
                    ));
                }
            }
        }
    }
    if body.roots.is_empty() {
        errors.push(FieldError::new("roots", "name at least one CI"));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors).into());
    }
    let graph = graph::load(&state.db).await?;
    Ok(Json(
        graph.analyse(&roots, body.as_is.unwrap_or(true))?.into(),
    ))
}

// ---------------------------------------------------------------- asset review

/// A review of a CI's record.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// What was checked, if anything is worth saying.
    #[serde(default)]
    note: String,
}

/// Record that the CI's record was reviewed and found right (asset review). It makes no version:
/// nothing of the configuration changes; the audit trail keeps the review.
#[utoipa::path(post, path = "/cis/{id}/review", tag = "cmdb", params(("id" = String, Path)),
    request_body = ReviewBody,
    responses((status = 200, body = CiView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
async fn review_ci(
    write: Write,
    InPath(id): InPath<CiId>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> ApiResult<Json<CiView>> {
    let ci = cis::review(&write, id, &body.note).await?;
    Ok(Json(CiView::from(ci)))
}

/// The CIs in use whose review is due: never reviewed, or not within the last year; by owner.
#[utoipa::path(get, path = "/cis/reviews-due", tag = "cmdb",
    responses((status = 200, body = Vec<CiView>)))]
async fn reviews_due(State(state): State<AppState>) -> ApiResult<Json<Vec<CiView>>> {
    let due = cis::reviews_due(&state.db, state.clock.now()).await?;
    Ok(Json(due.into_iter().map(CiView::from).collect()))
}
