//! Access administration: the accounts overview, one person's roles, password reset, second
//! factor and sessions, and the table of what each role may do.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::{Error, Permission, Role, Roles};
use tandem_web::page::{render, see_other};
use tandem_web::{AppState, Chrome, FormErrors, FormInput, InPath, PageQuery, PageResult};
use uuid::Uuid;

use crate::roles::{self, AccountSummary};
use crate::{mfa, store};

#[derive(Template)]
#[template(path = "identity/permissions.html")]
struct PermissionsPage {
    chrome: Chrome,
    roles: [Role; 9],
    permissions: Vec<Permission>,
}

impl PermissionsPage {
    fn grants(&self, role: &Role, permission: &Permission) -> bool {
        tandem_kernel::access::grants(*role, *permission)
    }
}

/// `GET /access/permissions`: the grants table, for everyone signed in.
pub(super) async fn permissions() -> Response {
    render(&PermissionsPage {
        chrome: Chrome::new("account", "Roles and permissions"),
        roles: Role::ALL,
        permissions: Permission::ALL.to_vec(),
    })
}

#[derive(Template)]
#[template(path = "identity/accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    accounts: Vec<AccountSummary>,
    everyone: bool,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct AccountsQuery {
    #[serde(default)]
    everyone: bool,
}

/// `GET /admin/accounts[?everyone=true]`: people with a password or a role (or everyone).
pub(super) async fn accounts(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<AccountsQuery>,
) -> PageResult<Response> {
    Ok(render(&AccountsPage {
        chrome: Chrome::new("admin", "Access"),
        accounts: roles::accounts(&state.db, query.everyone).await?,
        everyone: query.everyone,
    }))
}

#[derive(Template)]
#[template(path = "identity/person_access.html")]
struct PersonPage {
    chrome: Chrome,
    account: AccountSummary,
    all_roles: [Role; 9],
    checked: Roles,
    sessions: usize,
    live_tokens: usize,
    notice: Option<&'static str>,
    errors: FormErrors,
}

impl PersonPage {
    fn holds(&self, role: &Role) -> bool {
        self.checked.contains(*role)
    }
}

async fn person_page(
    state: &AppState,
    person: Uuid,
    checked: Option<Roles>,
    notice: Option<&'static str>,
    errors: FormErrors,
) -> PageResult<Response> {
    let account = roles::accounts(&state.db, true)
        .await?
        .into_iter()
        .find(|a| a.person == person)
        .ok_or(Error::NotFound { entity: "person" })?;
    let sessions = store::sessions_of(&state.db, state.clock.now(), person)
        .await?
        .len();
    let now = state.clock.now();
    let live_tokens = crate::tokens::of(&state.db, person)
        .await?
        .iter()
        .filter(|t| t.is_live(now))
        .count();
    let invalid = errors.summary.is_some();
    let mut response = render(&PersonPage {
        chrome: Chrome::new("admin", format!("Access of {}", account.name)),
        checked: checked.unwrap_or(account.roles),
        account,
        all_roles: Role::ALL,
        sessions,
        live_tokens,
        notice,
        errors,
    });
    if invalid {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct NoticeQuery {
    #[serde(default)]
    done: String,
}

/// `GET /admin/accounts/{person}`.
pub(super) async fn person(
    State(state): State<AppState>,
    InPath(id): InPath<Uuid>,
    PageQuery(query): PageQuery<NoticeQuery>,
) -> PageResult<Response> {
    let notice = match query.done.as_str() {
        "roles" => Some("The roles have been saved."),
        "password" => Some("The password has been set and the person's sessions ended."),
        "mfa" => Some(
            "Two-factor authentication has been removed; the person sets it up again at next sign-in.",
        ),
        "sessions" => Some("The person's sessions have been ended."),
        "tokens" => Some("The person's API tokens have been revoked."),
        _ => None,
    };
    person_page(&state, id, None, notice, FormErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RoleFields {
    #[serde(default)]
    roles: Vec<String>,
}

/// `POST /admin/accounts/{person}/roles`: gives the person exactly the ticked roles.
pub(super) async fn set_roles(
    State(state): State<AppState>,
    InPath(person): InPath<Uuid>,
    write: Write,
    FormInput(fields): FormInput<RoleFields>,
) -> PageResult<Response> {
    let parsed = Roles::parse_list("roles", &fields.roles.join(","));
    let saved = match parsed {
        Ok(wanted) => roles::set(&write, person, wanted)
            .await
            .map_err(|e| (e, Some(wanted))),
        Err(e) => Err((e.into(), None)),
    };
    match saved {
        Ok(()) => Ok(see_other(&format!("/admin/accounts/{person}?done=roles"))),
        Err((error, wanted)) => {
            person_page(&state, person, wanted, None, FormErrors::from_error(error)?).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PasswordFields {
    #[serde(default)]
    password: String,
}

/// `POST /admin/accounts/{person}/password`: sets a new password (to be handed over and
/// changed by the person) and ends their sessions.
pub(super) async fn reset_password(
    State(state): State<AppState>,
    InPath(person): InPath<Uuid>,
    write: Write,
    FormInput(fields): FormInput<PasswordFields>,
) -> PageResult<Response> {
    let email = roles::accounts(&state.db, true)
        .await?
        .into_iter()
        .find(|a| a.person == person)
        .ok_or(Error::NotFound { entity: "person" })?
        .email;
    match store::set_password(&write, &email, &fields.password).await {
        Ok(()) => {
            store::end_sessions_of(&write, person).await?;
            Ok(see_other(&format!(
                "/admin/accounts/{person}?done=password"
            )))
        }
        Err(error) => person_page(&state, person, None, None, FormErrors::from_error(error)?).await,
    }
}

/// `POST /admin/accounts/{person}/mfa/remove`: for someone who lost their authenticator.
pub(super) async fn remove_mfa(InPath(person): InPath<Uuid>, write: Write) -> PageResult<Response> {
    mfa::remove(&write, person).await?;
    store::end_sessions_of(&write, person).await?;
    Ok(see_other(&format!("/admin/accounts/{person}?done=mfa")))
}

/// `POST /admin/accounts/{person}/sessions/end`.
pub(super) async fn end_sessions(
    InPath(person): InPath<Uuid>,
    write: Write,
) -> PageResult<Response> {
    store::end_sessions_of(&write, person).await?;
    Ok(see_other(&format!(
        "/admin/accounts/{person}?done=sessions"
    )))
}

/// `POST /admin/accounts/{person}/tokens/revoke`: revokes every live token of the person.
pub(super) async fn revoke_tokens(
    InPath(person): InPath<Uuid>,
    write: Write,
) -> PageResult<Response> {
    crate::tokens::revoke_all_of(&write, person).await?;
    Ok(see_other(&format!("/admin/accounts/{person}?done=tokens")))
}
