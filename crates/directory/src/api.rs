//! The directory's JSON API under `/api/v1`: organisations, people and teams, each with list
//! (search, filter, sort, keyset pages), create, read, partial update and delete.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_kernel::page::{ListOptions, ListParams, Page};
use tandem_kernel::{Error, Need, Permission, id::parse_id};
use tandem_storage::save_current;
use tandem_web::{ApiJson, ApiQuery, ApiResult, AppState, InPath, RequestAccess, Routes, created};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::store::{organisations, people, teams};
use crate::{
    Organisation, OrganisationDraft, OrganisationId, OrganisationKind, Person, PersonDraft,
    PersonId, Team, TeamDraft, TeamId, TeamLevel,
};

/// The directory's routes, to be nested under `/api/v1`.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::DirectoryRead);
    let write = Need::Permission(Permission::DirectoryWrite);
    Routes::new()
        .api(read, routes!(list_organisations))
        .api(write, routes!(create_organisation))
        .api(read, routes!(get_organisation))
        .api(write, routes!(update_organisation, delete_organisation))
        .api(read, routes!(list_people))
        .api(write, routes!(create_person))
        .api(read, routes!(get_person))
        .api(write, routes!(update_person, delete_person))
        .api(read, routes!(list_teams))
        .api(write, routes!(create_team))
        .api(read, routes!(get_team))
        .api(write, routes!(update_team, delete_team))
}

/// Declares the query parameters of one directory list: the search and paging every list takes,
/// then the list's own filters (each an optional text). Anything else, another list's filters
/// included, is refused, and the API document names only what the list takes.
macro_rules! list_params {
    ($(#[$doc:meta])* $name:ident { $($(#[$filter_doc:meta])* $filter:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Deserialize, IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// Case-insensitive text to search for.
            q: Option<String>,
            /// Column to sort by; each list names its columns.
            sort: Option<String>,
            /// `asc` (default) or `desc`.
            dir: Option<String>,
            /// The `next` cursor of the previous page.
            after: Option<String>,
            /// Rows per page, 1 to 200 (default 50).
            limit: Option<u32>,
            $($(#[$filter_doc])* $filter: Option<String>,)*
        }

        impl $name {
            fn options<S: Copy>(
                &self,
                sorts: &[(&'static str, S)],
            ) -> Result<ListOptions<S>, Error> {
                ListOptions::parse(
                    &ListParams {
                        search: self.q.as_deref(),
                        sort: self.sort.as_deref(),
                        direction: self.dir.as_deref(),
                        after: self.after.as_deref(),
                        limit: self.limit,
                    },
                    sorts,
                )
            }
        }
    };
}

list_params!(
    /// The query of the organisation list.
    OrganisationListParams {
        /// Only this kind (`provider`, `customer`, `supplier`).
        kind
    }
);

list_params!(
    /// The query of the people list.
    PersonListParams {
        /// Only people of this organisation (id).
        organisation
    }
);

list_params!(
    /// The query of the team list.
    TeamListParams {
        /// Only this level (`first_level`, `second_level`, `third_level`, `cab`, `partner`).
        level,
        /// Only teams this person (id) belongs to.
        member,
    }
);

fn list_body<T, V>(page: Page<T>, view: impl Fn(T) -> V) -> ListBody<V> {
    ListBody {
        items: page.items.into_iter().map(view).collect(),
        next: page.next.map(|c| c.encode()),
    }
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListBody<T> {
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; `null` on the last page.
    pub next: Option<String>,
}

// ---------------------------------------------------------------- organisations

/// An organisation: the provider, a customer or a supplier.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationView {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    /// `provider`, `customer` or `supplier`.
    kind: &'static str,
    description: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    updated_at: OffsetDateTime,
    /// Counts the saves of the record; send it back in a change to be sure nobody changed the
    /// record since you read it.
    version: i64,
}

impl From<Organisation> for OrganisationView {
    fn from(o: Organisation) -> Self {
        Self {
            id: o.id.to_string(),
            name: o.name.into_inner(),
            kind: o.kind.as_str(),
            description: o.description.into_inner(),
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}

/// The fields of a new organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    /// Unique, at most 200 characters.
    name: String,
    /// `provider` (only one may exist), `customer` or `supplier`.
    kind: String,
    #[serde(default)]
    description: String,
}

/// The fields to change; absent fields keep their value.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationChanges {
    name: Option<String>,
    kind: Option<String>,
    description: Option<String>,
    /// The `version` the change is based on; if the record has been saved since, the change
    /// is refused with 409. Without it, the change applies to the current version.
    version: Option<i64>,
}

/// List organisations. Sort by `name` or `kind`; filter by `kind`; search in the name.
#[utoipa::path(get, path = "/organisations", tag = "directory", params(OrganisationListParams),
    responses((status = 200, body = ListBody<OrganisationView>), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn list_organisations(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<OrganisationListParams>,
) -> ApiResult<Json<ListBody<OrganisationView>>> {
    let options = query.options(&organisations::Sort::OPTIONS)?;
    let filter = organisations::Filter {
        kind: query
            .kind
            .as_deref()
            .map(|k| OrganisationKind::parse("kind", k))
            .transpose()
            .map_err(Error::from)?,
    };
    let page = organisations::list(&state.db, access.scope, &filter, &options).await?;
    Ok(Json(list_body(page, OrganisationView::from)))
}

/// Create an organisation.
#[utoipa::path(post, path = "/organisations", tag = "directory", request_body = NewOrganisation,
    responses((status = 201, body = OrganisationView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_organisation(
    write: Write,
    ApiJson(body): ApiJson<NewOrganisation>,
) -> ApiResult<Response> {
    let input = OrganisationDraft {
        name: body.name,
        kind: body.kind,
        description: body.description,
    }
    .validate()?;
    let organisation = organisations::create(&write, input).await?;
    Ok(created(
        format!("/api/v1/organisations/{}", organisation.id),
        OrganisationView::from(organisation),
    ))
}

/// Read one organisation.
#[utoipa::path(get, path = "/organisations/{id}", tag = "directory", params(("id" = String, Path)),
    responses((status = 200, body = OrganisationView), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_organisation(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<OrganisationId>,
) -> ApiResult<Json<OrganisationView>> {
    Ok(Json(
        organisations::get(&state.db, access.scope, id)
            .await?
            .into(),
    ))
}

/// Change some fields of an organisation.
#[utoipa::path(patch, path = "/organisations/{id}", tag = "directory", params(("id" = String, Path)), request_body = OrganisationChanges,
    responses((status = 200, body = OrganisationView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn update_organisation(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<OrganisationId>,
    write: Write,
    ApiJson(changes): ApiJson<OrganisationChanges>,
) -> ApiResult<Json<OrganisationView>> {
    let updated = save_current(id.0, changes.version, || async {
        let current = organisations::get(&state.db, access.scope, id).await?;
        let mut draft = OrganisationDraft::from_record(&current);
        draft.name = changes.name.clone().unwrap_or(draft.name);
        draft.kind = changes.kind.clone().unwrap_or(draft.kind);
        draft.description = changes.description.clone().unwrap_or(draft.description);
        organisations::update(
            &write,
            id,
            changes.version.unwrap_or(current.version),
            draft.validate()?,
        )
        .await
    })
    .await?;
    Ok(Json(updated.into()))
}

/// Delete an organisation no person or team belongs to.
#[utoipa::path(delete, path = "/organisations/{id}", tag = "directory", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
async fn delete_organisation(
    InPath(id): InPath<OrganisationId>,
    write: Write,
) -> ApiResult<StatusCode> {
    organisations::delete(&write, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- people

/// A person of one of the organisations.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    #[schema(format = Uuid)]
    id: String,
    #[schema(format = Uuid)]
    organisation_id: String,
    organisation_name: String,
    name: String,
    email: String,
    phone: Option<String>,
    job_title: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    updated_at: OffsetDateTime,
    /// Counts the saves of the record; send it back in a change to be sure nobody changed the
    /// record since you read it.
    version: i64,
}

impl From<Person> for PersonView {
    fn from(p: Person) -> Self {
        Self {
            id: p.id.to_string(),
            organisation_id: p.organisation_id.to_string(),
            organisation_name: p.organisation_name.into_inner(),
            name: p.name.into_inner(),
            email: p.email.into_inner(),
            phone: p.phone.map(|v| v.into_inner()),
            job_title: p.job_title.map(|v| v.into_inner()),
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

/// The fields of a new person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    #[schema(format = Uuid)]
    organisation_id: String,
    name: String,
    /// Unique across all people.
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    job_title: String,
}

/// The fields to change; absent fields keep their value, an empty string clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonChanges {
    organisation_id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    job_title: Option<String>,
    /// The `version` the change is based on; if the record has been saved since, the change
    /// is refused with 409. Without it, the change applies to the current version.
    version: Option<i64>,
}

/// List people. Sort by `name`, `email`, `organisation` or `job_title`; filter by
/// `organisation`; search in name and e-mail.
#[utoipa::path(get, path = "/people", tag = "directory", params(PersonListParams),
    responses((status = 200, body = ListBody<PersonView>), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn list_people(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PersonListParams>,
) -> ApiResult<Json<ListBody<PersonView>>> {
    let options = query.options(&people::Sort::OPTIONS)?;
    let filter = people::Filter {
        organisation: query
            .organisation
            .as_deref()
            .map(|o| parse_id("organisation", o))
            .transpose()
            .map_err(Error::from)?,
    };
    let page = people::list(&state.db, access.scope, &filter, &options).await?;
    Ok(Json(list_body(page, PersonView::from)))
}

/// Create a person.
#[utoipa::path(post, path = "/people", tag = "directory", request_body = NewPerson,
    responses((status = 201, body = PersonView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_person(write: Write, ApiJson(body): ApiJson<NewPerson>) -> ApiResult<Response> {
    let input = PersonDraft {
        organisation_id: body.organisation_id,
        name: body.name,
        email: body.email,
        phone: body.phone,
        job_title: body.job_title,
    }
    .validate()?;
    let person = people::create(&write, input).await?;
    Ok(created(
        format!("/api/v1/people/{}", person.id),
        PersonView::from(person),
    ))
}

/// Read one person.
#[utoipa::path(get, path = "/people/{id}", tag = "directory", params(("id" = String, Path)),
    responses((status = 200, body = PersonView), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_person(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<PersonId>,
) -> ApiResult<Json<PersonView>> {
    Ok(Json(people::get(&state.db, access.scope, id).await?.into()))
}

/// Change some fields of a person.
#[utoipa::path(patch, path = "/people/{id}", tag = "directory", params(("id" = String, Path)), request_body = PersonChanges,
    responses((status = 200, body = PersonView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn update_person(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<PersonId>,
    write: Write,
    ApiJson(changes): ApiJson<PersonChanges>,
) -> ApiResult<Json<PersonView>> {
    let updated = save_current(id.0, changes.version, || async {
        let current = people::get(&state.db, access.scope, id).await?;
        let mut draft = PersonDraft::from_record(&current);
        draft.organisation_id = changes
            .organisation_id
            .clone()
            .unwrap_or(draft.organisation_id);
        draft.name = changes.name.clone().unwrap_or(draft.name);
        draft.email = changes.email.clone().unwrap_or(draft.email);
        draft.phone = changes.phone.clone().unwrap_or(draft.phone);
        draft.job_title = changes.job_title.clone().unwrap_or(draft.job_title);
        people::update(
            &write,
            id,
            changes.version.unwrap_or(current.version),
            draft.validate()?,
        )
        .await
    })
    .await?;
    Ok(Json(updated.into()))
}

/// Delete a person; their team memberships end with them.
#[utoipa::path(delete, path = "/people/{id}", tag = "directory", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn delete_person(InPath(id): InPath<PersonId>, write: Write) -> ApiResult<StatusCode> {
    people::delete(&write, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- teams

/// A team and its members.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamView {
    #[schema(format = Uuid)]
    id: String,
    #[schema(format = Uuid)]
    organisation_id: String,
    organisation_name: String,
    name: String,
    /// `first_level`, `second_level`, `third_level`, `cab` or `partner`.
    level: &'static str,
    description: String,
    member_count: i64,
    /// The member who leads the team, if any.
    #[schema(format = Uuid)]
    lead_id: Option<String>,
    lead_name: Option<String>,
    /// Member ids; present when reading one team.
    #[serde(skip_serializing_if = "Option::is_none")]
    members: Option<Vec<String>>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    updated_at: OffsetDateTime,
    /// Counts the saves of the record; send it back in a change to be sure nobody changed the
    /// record since you read it.
    version: i64,
}

impl TeamView {
    fn new(t: Team, members: Option<Vec<String>>) -> Self {
        Self {
            id: t.id.to_string(),
            organisation_id: t.organisation_id.to_string(),
            organisation_name: t.organisation_name.into_inner(),
            name: t.name.into_inner(),
            level: t.level.as_str(),
            description: t.description.into_inner(),
            member_count: t.member_count,
            lead_id: t.lead_id.map(|id| id.to_string()),
            lead_name: t.lead_name,
            members,
            created_at: t.created_at,
            updated_at: t.updated_at,
            version: t.version,
        }
    }
}

async fn team_view(state: &AppState, team: Team) -> Result<TeamView, Error> {
    let members = teams::members(&state.db, team.id).await?;
    Ok(TeamView::new(
        team,
        Some(members.into_iter().map(|m| m.id.to_string()).collect()),
    ))
}

/// The fields of a new team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    /// The organisation running the team.
    #[schema(format = Uuid)]
    organisation_id: String,
    /// Unique across all teams.
    name: String,
    level: String,
    #[serde(default)]
    description: String,
    /// Ids of the people in the team.
    #[serde(default)]
    members: Vec<String>,
    /// One of `members`, who leads the team (escalation steps `notify team lead` tell them).
    #[serde(default)]
    lead_id: String,
}

/// The fields to change; absent fields keep their value; `members` replaces the whole list.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamChanges {
    organisation_id: Option<String>,
    name: Option<String>,
    level: Option<String>,
    description: Option<String>,
    members: Option<Vec<String>>,
    /// An empty string: no lead.
    lead_id: Option<String>,
    /// The `version` the change is based on; if the record has been saved since, the change
    /// is refused with 409. Without it, the change applies to the current version.
    version: Option<i64>,
}

/// List teams. Sort by `name`, `level` or `organisation`; filter by `level` or `member`;
/// search in the name.
#[utoipa::path(get, path = "/teams", tag = "directory", params(TeamListParams),
    responses((status = 200, body = ListBody<TeamView>), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn list_teams(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TeamListParams>,
) -> ApiResult<Json<ListBody<TeamView>>> {
    let options = query.options(&teams::Sort::OPTIONS)?;
    let filter = teams::Filter {
        level: query
            .level
            .as_deref()
            .map(|l| TeamLevel::parse("level", l))
            .transpose()
            .map_err(Error::from)?,
        member: query
            .member
            .as_deref()
            .map(|m| parse_id("member", m))
            .transpose()
            .map_err(Error::from)?,
    };
    let page = teams::list(&state.db, access.scope, &filter, &options).await?;
    Ok(Json(list_body(page, |t| TeamView::new(t, None))))
}

/// Create a team.
#[utoipa::path(post, path = "/teams", tag = "directory", request_body = NewTeam,
    responses((status = 201, body = TeamView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_team(
    State(state): State<AppState>,
    write: Write,
    ApiJson(body): ApiJson<NewTeam>,
) -> ApiResult<Response> {
    let input = TeamDraft {
        organisation_id: body.organisation_id,
        name: body.name,
        level: body.level,
        description: body.description,
        members: body.members,
        lead: body.lead_id,
    }
    .validate()?;
    let team = teams::create(&write, input).await?;
    let location = format!("/api/v1/teams/{}", team.id);
    Ok(created(location, team_view(&state, team).await?))
}

/// Read one team with its members.
#[utoipa::path(get, path = "/teams/{id}", tag = "directory", params(("id" = String, Path)),
    responses((status = 200, body = TeamView), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_team(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TeamId>,
) -> ApiResult<Json<TeamView>> {
    let team = teams::get(&state.db, access.scope, id).await?;
    Ok(Json(team_view(&state, team).await?))
}

/// Change some fields of a team.
#[utoipa::path(patch, path = "/teams/{id}", tag = "directory", params(("id" = String, Path)), request_body = TeamChanges,
    responses((status = 200, body = TeamView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn update_team(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TeamId>,
    write: Write,
    ApiJson(changes): ApiJson<TeamChanges>,
) -> ApiResult<Json<TeamView>> {
    let updated = save_current(id.0, changes.version, || async {
        let team = teams::get(&state.db, access.scope, id).await?;
        let members: Vec<_> = teams::members(&state.db, id)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        let mut draft = TeamDraft::from_record(&team, &members);
        draft.organisation_id = changes
            .organisation_id
            .clone()
            .unwrap_or(draft.organisation_id);
        draft.name = changes.name.clone().unwrap_or(draft.name);
        draft.level = changes.level.clone().unwrap_or(draft.level);
        draft.description = changes.description.clone().unwrap_or(draft.description);
        draft.members = changes.members.clone().unwrap_or(draft.members);
        draft.lead = changes.lead_id.clone().unwrap_or(draft.lead);
        teams::update(
            &write,
            id,
            changes.version.unwrap_or(team.version),
            draft.validate()?,
        )
        .await
    })
    .await?;
    Ok(Json(team_view(&state, updated).await?))
}

/// Delete a team (its people stay).
#[utoipa::path(delete, path = "/teams/{id}", tag = "directory", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn delete_team(InPath(id): InPath<TeamId>, write: Write) -> ApiResult<StatusCode> {
    teams::delete(&write, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
