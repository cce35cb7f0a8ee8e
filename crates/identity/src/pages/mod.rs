//! The identity pages: signing in and out ([`sign_in`]), one's own account — password,
//! sessions, second factor, API tokens ([`account`]) — and access administration: accounts,
//! roles, password resets, and the permissions table ([`admin`]).

mod account;
mod admin;
mod sign_in;

use axum::http::{HeaderValue, header};
use axum::response::Response;
use tandem_kernel::{Need, Permission};
use tandem_web::actor::SESSION_COOKIE;
use tandem_web::page::when;
use tandem_web::{AppState, Routes};

pub fn routes() -> Routes {
    let manage = Need::Permission(Permission::AccessManage);
    Routes::new()
        .get("/sign-in", Need::Public, sign_in::form)
        .post("/sign-in", Need::Public, sign_in::sign_in)
        .get("/sign-in/code", Need::SecondFactor, sign_in::code_form)
        .post("/sign-in/code", Need::SecondFactor, sign_in::code)
        .post("/sign-out", Need::Public, sign_in::sign_out)
        .get("/account", Need::Account, account::show)
        .get("/account/password", Need::Account, account::password_form)
        .post("/account/password", Need::Account, account::change_password)
        .post(
            "/account/sessions/{session}/revoke",
            Need::Account,
            account::revoke_session,
        )
        .get("/account/mfa", Need::Account, account::mfa_form)
        .post("/account/mfa", Need::Account, account::mfa_confirm)
        .post("/account/mfa/remove", Need::Account, account::mfa_remove)
        .post(
            "/account/mfa/recovery-codes",
            Need::Account,
            account::mfa_recovery_codes,
        )
        .get("/account/tokens", Need::Account, account::tokens)
        .post("/account/tokens", Need::Account, account::token_create)
        .post(
            "/account/tokens/{id}/revoke",
            Need::Account,
            account::token_revoke,
        )
        .get("/access/permissions", Need::Account, admin::permissions)
        .get("/admin/accounts", manage, admin::accounts)
        .get("/admin/accounts/{person}", manage, admin::person)
        .post("/admin/accounts/{person}/roles", manage, admin::set_roles)
        .post(
            "/admin/accounts/{person}/password",
            manage,
            admin::reset_password,
        )
        .post(
            "/admin/accounts/{person}/mfa/remove",
            manage,
            admin::remove_mfa,
        )
        .post(
            "/admin/accounts/{person}/sessions/end",
            manage,
            admin::end_sessions,
        )
        .post(
            "/admin/accounts/{person}/tokens/revoke",
            manage,
            admin::revoke_tokens,
        )
}

/// A `Set-Cookie` header for the session cookie: `HttpOnly`, `SameSite=Lax`, and `Secure` when
/// Tandem is reached over HTTPS; `None` clears it.
fn with_session_cookie(mut response: Response, state: &AppState, token: Option<&str>) -> Response {
    let secure = if state.site.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = match token {
        Some(token) => format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            crate::store::ABSOLUTE_TIMEOUT.whole_seconds()
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("a hex token makes a valid header"),
    );
    response
}

/// Where to go after signing in: `next` if it is a path inside Tandem, the start page otherwise
/// (so that a link cannot send someone elsewhere after sign-in). A path inside Tandem starts
/// with one `/` and holds only visible ASCII: no backslash, no encoded slash or backslash, and
/// no control character or space, which browsers strip or turn around (`/\t/evil.example`
/// becomes `//evil.example`) and which could split the `Location` header.
fn local_target(next: &str) -> &str {
    let path = next
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        && !path.contains("%2f")
        && !path.contains("%5c");
    if local { next } else { "/" }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(super::local_target("/people?q=a"), "/people?q=a");
        assert_eq!(super::local_target("//evil.example/"), "/");
        assert_eq!(super::local_target("https://evil.example/"), "/");
        assert_eq!(super::local_target("/\\evil.example"), "/");
        assert_eq!(super::local_target(""), "/");
        for sneaky in [
            "/\t/evil.example",
            "/\u{b}/evil.example",
            "/ /evil.example",
            "/%2F/evil.example",
            "/%5cevil.example",
            "/people\r\nSet-Cookie: x=1",
            "/people\0",
            "/caf\u{e9}",
        ] {
            assert_eq!(super::local_target(sneaky), "/", "{sneaky:?}");
        }
        assert_eq!(
            super::local_target("/tickets?q=a%2Fb"),
            "/tickets?q=a%2Fb",
            "an encoded slash in the query is harmless"
        );
    }
}
