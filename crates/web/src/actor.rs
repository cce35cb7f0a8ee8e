//! Who is behind a request, for the audit trail. Until sign-in exists every request is
//! anonymous, recorded with the address it came from.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use tandem_kernel::Actor;

/// The actor of the current request.
#[derive(Debug, Clone)]
pub struct RequestActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for RequestActor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip().to_string());
        Ok(Self(Actor::anonymous(address)))
    }
}
