//! CIs: the list with its filters, the record and its changes, the operational state as
//! observed, and the asset review.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_directory::api::ListBody;
use tandem_kernel::page::{ListOptions, ListParams};
use tandem_kernel::{Error, FieldError, id::parse_id};
use tandem_storage::save_current;
use tandem_web::{ApiJson, ApiQuery, ApiResult, AppState, InPath, Reference, created, reference};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::{CiReference, Why, both};
use crate::ci::{Ci, CiDraft, CiId, Lifecycle, OperationalState, number_text};
use crate::class::ClassKey;
use crate::store::{cis, classes};

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
            class: ci.class_key.to_string(),
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
        class_key: keep(&mut errors, class, |v| ClassKey::parse("class", v)),
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
pub(crate) async fn list_cis(
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
pub(crate) async fn create_ci(
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

/// Read one CI.
#[utoipa::path(get, path = "/cis/{id}", tag = "cmdb", params(("id" = String, Path)),
    responses((status = 200, body = CiView), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn get_ci(
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
) -> ApiResult<Json<CiView>> {
    Ok(Json(cis::get(&state.db, id).await?.into()))
}

/// Change some fields of a CI: a new version with the why.
#[utoipa::path(patch, path = "/cis/{id}", tag = "cmdb", params(("id" = String, Path)), request_body = CiChanges,
    responses((status = 200, body = CiView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn update_ci(
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
pub(crate) async fn delete_ci(write: Write, InPath(id): InPath<CiId>) -> ApiResult<StatusCode> {
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
pub(crate) async fn set_operational(
    write: Write,
    InPath(id): InPath<CiId>,
    ApiJson(body): ApiJson<OperationalChange>,
) -> ApiResult<Json<CiView>> {
    let new = OperationalState::parse("state", &body.state).map_err(Error::from)?;
    let ci = cis::set_operational(&write, id, new, &body.note).await?;
    Ok(Json(ci.into()))
}

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
pub(crate) async fn review_ci(
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
pub(crate) async fn reviews_due(State(state): State<AppState>) -> ApiResult<Json<Vec<CiView>>> {
    let due = cis::reviews_due(&state.db, state.clock.now()).await?;
    Ok(Json(due.into_iter().map(CiView::from).collect()))
}
