//! A CI's relations: listing them both ways, adding one and removing one, each with its why.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_kernel::{Error, id::parse_id};
use tandem_web::{ApiJson, ApiQuery, ApiResult, AppState, InPath, created};
use utoipa::{IntoParams, ToSchema};

use super::{CiReference, Why, both, cause_of};
use crate::ci::CiId;
use crate::relation::RelationKind;
use crate::store::cis;
use crate::store::relations::{self, NewRelation, Relation, RelationId};

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
pub(crate) async fn list_relations(
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
pub(crate) async fn add_relation(
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
pub(crate) async fn remove_relation(
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
