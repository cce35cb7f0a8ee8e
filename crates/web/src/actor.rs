//! Who is behind a request, for the audit trail: the person of the session cookie, or an
//! anonymous request from the address it came from. The web layer does not know how sessions
//! are kept; the identity capability provides an [`ActorSource`].

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use tandem_kernel::{Actor, Clock};
use tandem_storage::Db;

use crate::AppState;

/// Finds the actor of a session token.
pub trait ActorSource: Send + Sync {
    fn actor<'a>(
        &'a self,
        db: &'a Db,
        clock: &'a dyn Clock,
        token: &'a str,
        address: Option<String>,
    ) -> Pin<Box<dyn Future<Output = Option<Actor>> + Send + 'a>>;
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

/// The actor of the current request.
#[derive(Debug, Clone)]
pub struct RequestActor(pub Actor);

impl FromRequestParts<AppState> for RequestActor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip().to_string());
        if let (Some(source), Some(token)) = (&state.actors, cookie(&parts.headers, SESSION_COOKIE))
            && let Some(actor) = source
                .actor(&state.db, state.clock.as_ref(), token, address.clone())
                .await
        {
            return Ok(Self(actor));
        }
        Ok(Self(Actor::anonymous(address)))
    }
}
