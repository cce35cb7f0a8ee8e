//! The sign-in and sign-out pages.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tandem_web::actor::SESSION_COOKIE;
use tandem_web::page::{render, see_other};
use tandem_web::{AppState, Chrome, FormErrors, FormInput, PageResult, RequestActor};

use crate::password::Password;
use crate::store::{self, ABSOLUTE_TIMEOUT, SignIn};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account))
        .route(
            "/account/password",
            get(password_form).post(change_password),
        )
        .route("/account/sessions/{session}/revoke", post(revoke))
        .route("/sign-in", get(form).post(sign_in))
        .route("/sign-out", post(sign_out))
}

#[derive(Template)]
#[template(path = "identity/account.html")]
struct AccountPage {
    chrome: Chrome,
    /// The signed-in person's e-mail address; `None` when not signed in.
    signed_in: Option<String>,
    address: Option<String>,
    sessions: Vec<store::SessionInfo>,
    /// The name of the session this page was asked from.
    this_session: String,
}

impl AccountPage {
    fn when(&self, at: &time::OffsetDateTime) -> String {
        let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
        at.to_offset(time::UtcOffset::UTC)
            .format(&format)
            .unwrap_or_default()
    }
}

/// `GET /account`: who you are signed in as, your sessions, the sign-out button.
async fn account(
    State(state): State<AppState>,
    RequestActor(actor): RequestActor,
    headers: HeaderMap,
) -> PageResult<Response> {
    let signed_in = (actor.kind == tandem_kernel::ActorKind::Person).then(|| actor.label.clone());
    let sessions = match actor.id.filter(|_| signed_in.is_some()) {
        Some(person) => store::sessions_of(&state.db, state.clock.now(), person).await?,
        None => Vec::new(),
    };
    Ok(render(&AccountPage {
        chrome: Chrome::new("account", "Account"),
        signed_in,
        address: actor.address,
        sessions,
        this_session: session_token(&headers)
            .map(|t| store::session_name(&t))
            .unwrap_or_default(),
    }))
}

/// Ends one of the signed-in person's own sessions.
async fn revoke(
    State(state): State<AppState>,
    RequestActor(actor): RequestActor,
    axum::extract::Path(session): axum::extract::Path<String>,
) -> PageResult<Response> {
    let (tandem_kernel::ActorKind::Person, Some(person)) = (actor.kind, actor.id) else {
        return Ok(see_other("/sign-in"));
    };
    store::revoke_session(&state.db, person, &session).await?;
    Ok(see_other("/account"))
}

#[derive(Template)]
#[template(path = "identity/sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    email: String,
    errors: FormErrors,
}

async fn form() -> Response {
    render(&SignInPage {
        chrome: Chrome::new("sign-in", "Sign in"),
        email: String::new(),
        errors: FormErrors::default(),
    })
}

#[derive(Debug, Default, Deserialize)]
struct Fields {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `Secure` when Tandem is reached over HTTPS.
fn secure(state: &AppState) -> &'static str {
    match &state.site.public_url {
        Some(url) if url.starts_with("https://") => "; Secure",
        _ => "",
    }
}

async fn sign_in(
    State(state): State<AppState>,
    RequestActor(actor): RequestActor,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let address = actor.address;
    let outcome = store::sign_in(
        &state.db,
        state.clock.now(),
        &fields.email,
        Password::typed(&fields.password),
        address,
    )
    .await?;
    match outcome {
        SignIn::Started(token) => {
            let mut response = see_other("/");
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
                ABSOLUTE_TIMEOUT.whole_seconds(),
                secure(&state)
            );
            response.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_str(&cookie).expect("a hex token makes a valid header"),
            );
            Ok(response)
        }
        refused => {
            let (message, status) = match refused {
                SignIn::Throttled => (
                    "too many failed sign-ins lately for this address; wait 15 minutes and try again",
                    StatusCode::TOO_MANY_REQUESTS,
                ),
                _ => (
                    "the e-mail address or the password is wrong",
                    StatusCode::UNAUTHORIZED,
                ),
            };
            let errors =
                FormErrors::from_error(tandem_kernel::Error::invalid("password", message))?;
            let mut response = render(&SignInPage {
                chrome: Chrome::new("sign-in", "Sign in"),
                email: fields.email,
                errors,
            });
            *response.status_mut() = status;
            Ok(response)
        }
    }
}

/// The session token of the request's cookie.
fn session_token(headers: &HeaderMap) -> Option<String> {
    tandem_web::actor::cookie(headers, SESSION_COOKIE).map(str::to_owned)
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

/// `GET /account/password`: the form, for a signed-in person; others are sent to sign in.
async fn password_form(RequestActor(actor): RequestActor) -> Response {
    if actor.kind != tandem_kernel::ActorKind::Person {
        return see_other("/sign-in");
    }
    password_page(actor.label, FormErrors::default(), false)
}

#[derive(Debug, Default, Deserialize)]
struct PasswordFields {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
}

async fn change_password(
    State(state): State<AppState>,
    RequestActor(actor): RequestActor,
    headers: HeaderMap,
    FormInput(fields): FormInput<PasswordFields>,
) -> PageResult<Response> {
    let (true, Some(token)) = (
        actor.kind == tandem_kernel::ActorKind::Person,
        session_token(&headers),
    ) else {
        return Ok(see_other("/sign-in"));
    };
    let email = actor.label.clone();
    let changed = store::change_own_password(
        &state.db,
        &actor,
        state.clock.now(),
        &token,
        Password::typed(&fields.current),
        &fields.password,
    )
    .await;
    match changed {
        Ok(()) => Ok(password_page(email, FormErrors::default(), true)),
        Err(error) => {
            let mut response = password_page(email, FormErrors::from_error(error)?, false);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> PageResult<Response> {
    if let Some(token) = session_token(&headers) {
        store::sign_out(&state.db, &token).await?;
    }
    let mut response = see_other("/sign-in").into_response();
    let expired = format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        secure(&state)
    );
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&expired).expect("a valid header"),
    );
    Ok(response)
}
