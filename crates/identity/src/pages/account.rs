//! One's own account: roles, sessions, password, second factor and API tokens.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::{Access, Error, Role, Stage};
use tandem_web::page::{render, see_other};
use tandem_web::{
    AppState, Chrome, FormErrors, FormInput, InPath, PageError, PageResult, RequestAccess,
    SessionToken,
};
use uuid::Uuid;

use super::when;
use crate::password::Password;
use crate::tokens::{self, NewToken, TokenInfo};
use crate::{mfa, store, totp};

/// The person behind a page request (account pages are only routed for signed-in people).
fn person(access: &Access) -> PageResult<Uuid> {
    access
        .actor
        .id
        .ok_or_else(|| PageError::new(StatusCode::UNAUTHORIZED, "sign in first"))
}

#[derive(Template)]
#[template(path = "identity/account.html")]
struct AccountPage {
    chrome: Chrome,
    email: String,
    roles: Vec<Role>,
    enrolment_due: bool,
    mfa: mfa::Status,
    sessions: Vec<store::SessionInfo>,
    /// The name of the session this page was asked from.
    this_session: String,
}

impl AccountPage {
    fn when(&self, at: &time::OffsetDateTime) -> String {
        when(at)
    }
}

/// `GET /account`.
pub(super) async fn show(
    State(state): State<AppState>,
    RequestAccess(access): RequestAccess,
    session: Option<SessionToken>,
) -> PageResult<Response> {
    let id = person(&access)?;
    let sessions = store::sessions_of(&state.db, state.clock.now(), id).await?;
    Ok(render(&AccountPage {
        chrome: Chrome::new("account", "Account"),
        email: access.actor.label.clone(),
        roles: access.roles.iter().collect(),
        enrolment_due: access.stage == Stage::EnrolmentDue,
        mfa: mfa::status(&state.db, id).await?,
        sessions,
        this_session: session
            .map(|SessionToken(t)| store::session_name(&t))
            .unwrap_or_default(),
    }))
}

/// `POST /account/sessions/{session}/revoke`: ends one of the person's own sessions.
pub(super) async fn revoke_session(
    RequestAccess(access): RequestAccess,
    InPath(session): InPath<String>,
    write: Write,
) -> PageResult<Response> {
    store::revoke_session(&write, person(&access)?, &session).await?;
    Ok(see_other("/account"))
}

#[derive(Template)]
#[template(path = "identity/password.html")]
struct PasswordPage {
    chrome: Chrome,
    email: String,
    errors: FormErrors,
    changed: bool,
}

fn password_page(email: String, errors: FormErrors, changed: bool) -> Response {
    render(&PasswordPage {
        chrome: Chrome::new("account", "Change your password"),
        email,
        errors,
        changed,
    })
}

/// `GET /account/password`.
pub(super) async fn password_form(RequestAccess(access): RequestAccess) -> Response {
    password_page(access.actor.label, FormErrors::default(), false)
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PasswordFields {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
}

fn unprocessable(mut response: Response) -> Response {
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

/// `POST /account/password`: ends the person's other sessions, keeps this one.
pub(super) async fn change_password(
    RequestAccess(access): RequestAccess,
    SessionToken(token): SessionToken,
    write: Write,
    FormInput(fields): FormInput<PasswordFields>,
) -> PageResult<Response> {
    let email = access.actor.label.clone();
    let changed = store::change_own_password(
        &write,
        &token,
        Password::typed(&fields.current),
        &fields.password,
    )
    .await;
    match changed {
        Ok(()) => Ok(password_page(email, FormErrors::default(), true)),
        Err(error) => Ok(unprocessable(password_page(
            email,
            FormErrors::from_error(error)?,
            false,
        ))),
    }
}

#[derive(Template)]
#[template(path = "identity/mfa.html")]
struct MfaPage {
    chrome: Chrome,
    status: mfa::Status,
    /// While enrolling: the secret in base32 and its QR code (SVG).
    secret: String,
    qr: String,
    /// Just made: the recovery codes, shown this once.
    recovery_codes: Vec<String>,
    errors: FormErrors,
}

async fn mfa_page(
    state: &AppState,
    access: &Access,
    recovery_codes: Vec<String>,
    errors: FormErrors,
) -> PageResult<Response> {
    let id = person(access)?;
    let status = mfa::status(&state.db, id).await?;
    let (secret, qr) = if status.enrolled {
        (String::new(), String::new())
    } else {
        let secret = mfa::pending_secret(&state.db, state.clock.now(), id).await?;
        let uri = totp::provisioning_uri("Tandem", &access.actor.label, &secret);
        (
            totp::base32(&secret),
            totp::qr_svg(&uri).unwrap_or_default(),
        )
    };
    let invalid = errors.summary.is_some();
    let response = render(&MfaPage {
        chrome: Chrome::new("account", "Two-factor authentication"),
        status,
        secret,
        qr,
        recovery_codes,
        errors,
    });
    Ok(if invalid {
        unprocessable(response)
    } else {
        response
    })
}

/// `GET /account/mfa`: the state of the second factor, or the enrolment (QR code and secret).
pub(super) async fn mfa_form(
    State(state): State<AppState>,
    RequestAccess(access): RequestAccess,
) -> PageResult<Response> {
    mfa_page(&state, &access, Vec::new(), FormErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CodeFields {
    #[serde(default)]
    code: String,
}

/// `POST /account/mfa`: confirms the enrolment with a first code; shows the recovery codes.
pub(super) async fn mfa_confirm(
    State(state): State<AppState>,
    RequestAccess(access): RequestAccess,
    write: Write,
    FormInput(fields): FormInput<CodeFields>,
) -> PageResult<Response> {
    match mfa::confirm(&write, &fields.code).await {
        Ok(codes) => mfa_page(&state, &access, codes, FormErrors::default()).await,
        Err(error) => mfa_page(&state, &access, Vec::new(), FormErrors::from_error(error)?).await,
    }
}

/// `POST /account/mfa/recovery-codes`: new recovery codes, shown once.
pub(super) async fn mfa_recovery_codes(
    State(state): State<AppState>,
    RequestAccess(access): RequestAccess,
    write: Write,
) -> PageResult<Response> {
    let codes = mfa::new_recovery_codes(&write).await?;
    mfa_page(&state, &access, codes, FormErrors::default()).await
}

/// `POST /account/mfa/remove`: removes one's own second factor.
pub(super) async fn mfa_remove(
    RequestAccess(access): RequestAccess,
    write: Write,
) -> PageResult<Response> {
    let id = person(&access)?;
    mfa::remove(&write, id).await?;
    Ok(see_other("/account/mfa"))
}

#[derive(Template)]
#[template(path = "identity/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    tokens: Vec<TokenInfo>,
    held: Vec<Role>,
    /// Just created: the token's secret, shown this once.
    created: Option<String>,
    values: TokenFields,
    errors: FormErrors,
    now: time::OffsetDateTime,
}

impl TokensPage {
    fn when(&self, at: &time::OffsetDateTime) -> String {
        when(at)
    }

    fn checked(&self, role: &Role) -> bool {
        self.values.roles.iter().any(|r| r == role.as_str())
    }
}

async fn tokens_page(
    state: &AppState,
    access: &Access,
    created: Option<String>,
    values: TokenFields,
    errors: FormErrors,
) -> PageResult<Response> {
    let id = person(access)?;
    let invalid = errors.summary.is_some();
    let response = render(&TokensPage {
        chrome: Chrome::new("account", "API tokens"),
        tokens: tokens::of(&state.db, id).await?,
        held: crate::roles::of(&state.db, id).await?.iter().collect(),
        created,
        values,
        errors,
        now: state.clock.now(),
    });
    Ok(if invalid {
        unprocessable(response)
    } else {
        response
    })
}

/// `GET /account/tokens`.
pub(super) async fn tokens(
    State(state): State<AppState>,
    RequestAccess(access): RequestAccess,
) -> PageResult<Response> {
    tokens_page(
        &state,
        &access,
        None,
        TokenFields::default(),
        FormErrors::default(),
    )
    .await
}

/// The fields of the new-token form; `roles` repeats once per ticked role.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct TokenFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default = "default_days")]
    days: String,
}

fn default_days() -> String {
    "90".to_owned()
}

impl Default for TokenFields {
    fn default() -> Self {
        Self {
            name: String::new(),
            roles: Vec::new(),
            days: default_days(),
        }
    }
}

/// `POST /account/tokens`: creates a token and shows its secret once.
pub(super) async fn token_create(
    State(state): State<AppState>,
    RequestAccess(access): RequestAccess,
    write: Write,
    FormInput(fields): FormInput<TokenFields>,
) -> PageResult<Response> {
    if access.stage != Stage::Complete {
        let refusal = Error::invalid(
            "name",
            "set up two-factor authentication first: your role requires it, and a token would go around it",
        );
        return tokens_page(
            &state,
            &access,
            None,
            fields,
            FormErrors::from_error(refusal)?,
        )
        .await;
    }
    let days = fields
        .days
        .trim()
        .parse::<i64>()
        .map_err(|_| Error::invalid("days", "must be a whole number of days"));
    let created = match days {
        Ok(days) => {
            tokens::create(
                &write,
                person(&access)?,
                NewToken {
                    name: fields.name.clone(),
                    roles: fields.roles.join(","),
                    days,
                },
            )
            .await
        }
        Err(error) => Err(error),
    };
    match created {
        Ok((_, secret)) => {
            tokens_page(
                &state,
                &access,
                Some(secret),
                TokenFields::default(),
                FormErrors::default(),
            )
            .await
        }
        Err(error) => {
            tokens_page(
                &state,
                &access,
                None,
                fields,
                FormErrors::from_error(error)?,
            )
            .await
        }
    }
}

/// `POST /account/tokens/{id}/revoke`.
pub(super) async fn token_revoke(
    RequestAccess(access): RequestAccess,
    InPath(id): InPath<Uuid>,
    write: Write,
) -> PageResult<Response> {
    tokens::revoke(&write, person(&access)?, id).await?;
    Ok(see_other("/account/tokens"))
}
