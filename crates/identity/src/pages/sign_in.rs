//! Signing in (password, then the code of the second factor if the person has one) and out.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tandem_web::page::{encode_component, render, see_other};
use tandem_web::{
    AppState, Chrome, FormErrors, FormInput, PageQuery, PageResult, RequestActor, SessionToken,
};

use super::{local_target, with_session_cookie};
use crate::password::Password;
use crate::store::{self, SecondFactor, SignIn};

#[derive(Template)]
#[template(path = "identity/sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    email: String,
    next: String,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct NextQuery {
    #[serde(default)]
    next: String,
}

/// `GET /sign-in[?next=PATH]`.
pub(super) async fn form(PageQuery(query): PageQuery<NextQuery>) -> Response {
    render(&SignInPage {
        chrome: Chrome::new("account", "Sign in"),
        email: String::new(),
        next: query.next,
        errors: FormErrors::default(),
    })
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Fields {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// A form shown again with `message` on `field`, answered with `status`.
fn refused(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

fn form_error(field: &str, message: &str) -> PageResult<FormErrors> {
    Ok(FormErrors::from_error(tandem_kernel::Error::invalid(
        field, message,
    ))?)
}

/// `POST /sign-in`.
pub(super) async fn sign_in(
    State(state): State<AppState>,
    RequestActor(actor): RequestActor,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let outcome = store::sign_in(
        &state.db,
        state.clock.now(),
        &fields.email,
        Password::typed(&fields.password),
        actor.address,
    )
    .await?;
    let (message, status) = match outcome {
        SignIn::Started { token, code_due } => {
            let next = local_target(&fields.next);
            let target = if code_due {
                format!("/sign-in/code?next={}", encode_component(next))
            } else {
                next.to_owned()
            };
            return Ok(with_session_cookie(
                see_other(&target),
                &state,
                Some(&token),
            ));
        }
        SignIn::Throttled => (
            "too many failed sign-ins lately; wait 15 minutes and try again",
            StatusCode::TOO_MANY_REQUESTS,
        ),
        SignIn::Refused => (
            "the e-mail address or the password is wrong",
            StatusCode::UNAUTHORIZED,
        ),
    };
    let page = render(&SignInPage {
        chrome: Chrome::new("account", "Sign in"),
        email: fields.email,
        next: fields.next,
        errors: form_error("password", message)?,
    });
    Ok(refused(page, status))
}

#[derive(Template)]
#[template(path = "identity/code.html")]
struct CodePage {
    chrome: Chrome,
    next: String,
    errors: FormErrors,
}

/// `GET /sign-in/code`: the second step of signing in.
pub(super) async fn code_form(PageQuery(query): PageQuery<NextQuery>) -> Response {
    render(&CodePage {
        chrome: Chrome::new("account", "Enter your code"),
        next: query.next,
        errors: FormErrors::default(),
    })
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CodeFields {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

/// `POST /sign-in/code`.
pub(super) async fn code(
    State(state): State<AppState>,
    RequestActor(actor): RequestActor,
    SessionToken(token): SessionToken,
    FormInput(fields): FormInput<CodeFields>,
) -> PageResult<Response> {
    let outcome = store::finish_sign_in(
        &state.db,
        state.clock.now(),
        &token,
        &fields.code,
        actor.address,
    )
    .await?;
    let (message, status) = match outcome {
        SecondFactor::Accepted { token } => {
            return Ok(with_session_cookie(
                see_other(local_target(&fields.next)),
                &state,
                Some(&token),
            ));
        }
        SecondFactor::Throttled => (
            "too many wrong codes lately; wait 15 minutes and try again",
            StatusCode::TOO_MANY_REQUESTS,
        ),
        SecondFactor::Refused => (
            "this is not the current code of your authenticator app, nor an unused recovery code",
            StatusCode::UNAUTHORIZED,
        ),
    };
    let page = render(&CodePage {
        chrome: Chrome::new("account", "Enter your code"),
        next: fields.next,
        errors: form_error("code", message)?,
    });
    Ok(refused(page, status))
}

/// `POST /sign-out`: ends this session, whatever stage it is at (also from the code page).
/// Open to anyone: without a session it only clears the cookie.
pub(super) async fn sign_out(
    State(state): State<AppState>,
    RequestActor(actor): RequestActor,
    headers: HeaderMap,
) -> PageResult<Response> {
    if let Some(token) = tandem_web::actor::cookie(&headers, tandem_web::actor::SESSION_COOKIE) {
        store::sign_out(&state.db, state.clock.now(), token, actor.address).await?;
    }
    Ok(with_session_cookie(see_other("/sign-in"), &state, None))
}
