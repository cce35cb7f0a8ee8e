//! Who is behind a request: the person of the session cookie or the API token, as an
//! [`Access`]. The web layer does not know how sessions and tokens are kept; the identity
//! capability provides [`Credentials`], and [`crate::routes::authorize`] uses them.

use std::future::Future;
use std::pin::Pin;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use tandem_kernel::{Access, Actor, Clock, Result};
use tandem_storage::Db;

use crate::ApiError;
use crate::routes::RequestAccess;

/// A future returned by [`Credentials`].
pub type Lookup<'a> = Pin<Box<dyn Future<Output = Result<Option<Access>>> + Send + 'a>>;

/// Turns a session token or an API token into the access it carries.
pub trait Credentials: Send + Sync {
    /// The access of a live session, `None` if the token names none.
    fn session<'a>(
        &'a self,
        db: &'a Db,
        clock: &'a dyn Clock,
        token: &'a str,
        address: Option<String>,
    ) -> Lookup<'a>;

    /// The access of a live API token, `None` if the token is unknown, expired or revoked.
    fn bearer<'a>(
        &'a self,
        db: &'a Db,
        clock: &'a dyn Clock,
        token: &'a str,
        address: Option<String>,
    ) -> Lookup<'a>;
}

/// The name of the cookie that carries the session token.
pub const SESSION_COOKIE: &str = "tandem_session";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The actor of the current request, for the audit trail.
#[derive(Debug, Clone)]
pub struct RequestActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for RequestActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let RequestAccess(access) = RequestAccess::from_request_parts(parts, state).await?;
        Ok(Self(access.actor))
    }
}
