//! Every route with the [`Need`] it declares, and the one middleware that enforces them.
//!
//! Capabilities build their routes with [`Routes`], whose every method takes a `Need`: there
//! is no way to add a route without one. The binary merges the capabilities' `Routes`, and
//! [`Routes::into_router`] puts [`authorize`] in front of every route it holds. The middleware
//! looks the matched route up in the table of declarations; a route that is not in the table
//! (added to the router some other way) is refused — deny by default.
//!
//! The middleware also establishes who is asking ([`RequestAccess`]): the session cookie on pages
//! (and for reading the API), a bearer token anywhere. On pages, a state-changing request of a session must carry the
//! session's CSRF token (a hidden `_csrf` field, or the `X-CSRF-Token` header).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, on};
use tandem_kernel::{Access, ActorKind, Need, Stage};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::actor::{SESSION_COOKIE, cookie};
use crate::{ApiError, AppState, PageError};

/// A route and the need it declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub method: Method,
    /// The route's path as the router matches it, `{id}` for parameters.
    pub path: String,
    pub need: Need,
}

/// Routes under construction, each with its declared need.
pub struct Routes {
    router: OpenApiRouter<AppState>,
    declared: Vec<Declared>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Self {
            router: OpenApiRouter::new(),
            declared: Vec::new(),
        }
    }

    fn route(
        mut self,
        method: Method,
        path: &str,
        need: Need,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.declared.push(Declared {
            method,
            path: path.to_owned(),
            need,
        });
        self.router = self.router.route(path, handler);
        self
    }

    /// A `GET` route (and `HEAD`) of a page or a download.
    pub fn get<H, T>(self, path: &str, need: Need, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.route(
            Method::GET,
            path,
            need,
            on(axum::routing::MethodFilter::GET, handler),
        )
    }

    /// A `POST` route of a form.
    pub fn post<H, T>(self, path: &str, need: Need, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.route(
            Method::POST,
            path,
            need,
            on(axum::routing::MethodFilter::POST, handler),
        )
    }

    /// Documented API operations (from `utoipa_axum::routes!`), all with the same need.
    pub fn api(mut self, need: Need, operations: UtoipaMethodRouter<AppState>) -> Self {
        for (path, item) in &operations.1.paths {
            let methods = [
                (Method::GET, item.get.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::PATCH, item.patch.is_some()),
                (Method::DELETE, item.delete.is_some()),
            ];
            for (method, present) in methods {
                if present {
                    self.declared.push(Declared {
                        method,
                        path: path.clone(),
                        need,
                    });
                }
            }
        }
        self.router = self.router.routes(operations);
        self
    }

    /// Lets the routes so far accept request bodies of up to `bytes` (uploads).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.router = self
            .router
            .layer(axum::extract::DefaultBodyLimit::max(bytes));
        self
    }

    /// `other`'s routes under `prefix`.
    pub fn nest(mut self, prefix: &str, other: Routes) -> Self {
        self.declared
            .extend(other.declared.into_iter().map(|d| Declared {
                path: format!("{prefix}{}", d.path),
                ..d
            }));
        self.router = self.router.nest(prefix, other.router);
        self
    }

    /// `other`'s routes beside these.
    pub fn merge(mut self, other: Routes) -> Self {
        self.declared.extend(other.declared);
        self.router = self.router.merge(other.router);
        self
    }

    /// The OpenAPI document of the API operations so far.
    pub fn openapi(&self) -> &utoipa::openapi::OpenApi {
        self.router.get_openapi()
    }

    /// The declarations so far.
    pub fn declared(&self) -> &[Declared] {
        &self.declared
    }

    /// The router with [`authorize`] in front of every route, its OpenAPI document, and the
    /// declarations. Fails if one route is declared twice.
    pub fn into_router(
        self,
        state: AppState,
    ) -> Result<
        (
            axum::Router<AppState>,
            utoipa::openapi::OpenApi,
            Vec<Declared>,
        ),
        String,
    > {
        let mut table: HashMap<(Method, String), Need> = HashMap::new();
        for d in &self.declared {
            if table
                .insert((d.method.clone(), d.path.clone()), d.need)
                .is_some()
            {
                return Err(format!(
                    "the route {} {} is declared twice",
                    d.method, d.path
                ));
            }
        }
        let guard = Guard {
            table: Arc::new(table),
            state,
        };
        let (router, openapi) = self.router.split_for_parts();
        let router = router.route_layer(axum::middleware::from_fn_with_state(guard, authorize));
        Ok((router, openapi, self.declared))
    }
}

/// What [`authorize`] knows: the declarations and the application state.
#[derive(Clone)]
pub struct Guard {
    table: Arc<HashMap<(Method, String), Need>>,
    state: AppState,
}

/// The access of the current request, as [`authorize`] established it.
#[derive(Debug, Clone)]
pub struct RequestAccess(pub Access);

impl<S: Send + Sync> FromRequestParts<S> for RequestAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Access>()
            .cloned()
            .map(Self)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "this route was reached without an authorization check",
                )
            })
    }
}

/// The session token of the request, for the handlers that act on the session itself.
#[derive(Debug, Clone)]
pub struct SessionToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for SessionToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<SessionToken>()
            .cloned()
            .ok_or_else(|| {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in first")
            })
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for SessionToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<SessionToken>().cloned())
    }
}

/// What the page layout needs to know about the request: the CSRF token of its session and
/// what the person may reach (for the navigation).
#[derive(Debug, Clone)]
pub struct PageContext {
    pub access: Access,
    pub csrf: Option<String>,
    pub navigation: Arc<[crate::capability::NavEntry]>,
}

tokio::task_local! {
    /// The page context of the request being handled, set by [`authorize`] around the handler.
    pub static PAGE_CONTEXT: PageContext;
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The CSRF token of a session: derived from the session token, so it needs no storage and
/// changes with every sign-in.
pub fn csrf_token(session_token: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"tandem csrf token\0");
    hasher.update(session_token.as_bytes());
    tandem_kernel::text::hex(&hasher.finalize())
}

fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A refusal, as JSON for the API and as a page (or a redirect to sign in) otherwise.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    fn respond(self, path: &str, method: &Method, target: &str) -> Response {
        if is_api(path) {
            let mut response = ApiError::new(self.status, self.code, self.message).into_response();
            if self.status == StatusCode::UNAUTHORIZED {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            return response;
        }
        if method == Method::GET {
            let next = crate::page::encode_component(target);
            match self.code {
                "unauthenticated" => {
                    return crate::page::see_other(&format!("/sign-in?next={next}"));
                }
                "second_factor_due" => {
                    return crate::page::see_other(&format!("/sign-in/code?next={next}"));
                }
                "mfa_enrolment_due" => return crate::page::see_other("/account/mfa"),
                _ => {}
            }
        }
        PageError::new(self.status, self.message).into_response()
    }
}

/// Middleware: establishes who is asking and refuses the request unless the route's declared
/// need is met. See the module documentation.
pub async fn authorize(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let method = if request.method() == Method::HEAD {
        Method::GET
    } else {
        request.method().clone()
    };
    let target = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    let Some(need) = guard.table.get(&(method.clone(), path.clone())).copied() else {
        if guard.table.keys().any(|(_, p)| *p == path) {
            return Refusal::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!(
                    "`{}` does not support this HTTP method",
                    request.uri().path()
                ),
            )
            .respond(&path, &method, &target);
        }
        tracing::error!(%method, %path, "refused a request to a route that declares no need");
        return Refusal::new(
            StatusCode::FORBIDDEN,
            "undeclared_route",
            "this route declares no permission and is refused",
        )
        .respond(&path, &method, &target);
    };
    match establish(&guard.state, need, &path, request).await {
        Ok((access, session, request)) => {
            let csrf = session.as_ref().map(|s| csrf_token(&s.0));
            let signed_in = access.is_signed_in();
            let context = PageContext {
                access,
                csrf,
                navigation: guard.state.site.navigation.clone(),
            };
            let mut response = PAGE_CONTEXT.scope(context, next.run(request)).await;
            if signed_in {
                // What a signed-in person reads (a page, JSON, a CSV file) is theirs: no
                // browser or proxy cache keeps it for the next person at the same machine.
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
            response
        }
        Err(refusal) => refusal.respond(&path, &method, &target),
    }
}

async fn establish(
    state: &AppState,
    need: Need,
    path: &str,
    mut request: Request,
) -> Result<(Access, Option<SessionToken>, Request), Refusal> {
    let address = client_address(&request, &state.site.trusted_proxies).map(|ip| ip.to_string());
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .map(str::to_owned);
    // The API reads a session cookie only for reading (the CSV and OSCAL downloads the pages
    // link to, Swagger UI's "try it out"); changes through the API take a token.
    let session = if is_api(path) && !safe(request.method()) {
        None
    } else {
        cookie(request.headers(), SESSION_COOKIE).map(str::to_owned)
    };
    let unavailable = |error: tandem_kernel::Error| {
        tracing::error!(%error, "could not check the credentials of a request");
        Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "credentials cannot be checked right now; try again shortly",
        )
    };
    let credentials = state.actors.as_ref();
    let access = match (credentials, &bearer, &session) {
        (Some(source), Some(token), _) if need != Need::Public => Some(
            source
                .bearer(&state.db, state.clock.as_ref(), token, address.clone())
                .await
                .map_err(unavailable)?
                .ok_or_else(|| {
                    Refusal::new(
                        StatusCode::UNAUTHORIZED,
                        "unauthenticated",
                        "the API token is unknown, expired or revoked",
                    )
                })?,
        ),
        (Some(source), None, Some(token)) if need != Need::Public => source
            .session(&state.db, state.clock.as_ref(), token, address.clone())
            .await
            .map_err(unavailable)?,
        _ => None,
    };
    let session = session
        .filter(|_| bearer.is_none() && access.is_some())
        .map(SessionToken);
    let access = access.unwrap_or_else(|| Access::anonymous(address));
    check(need, &access)?;
    if let Some(token) = &session
        && !safe(request.method())
    {
        request = check_csrf(request, &token.0).await?;
    }
    request.extensions_mut().insert(access.clone());
    if let Some(token) = &session {
        request.extensions_mut().insert(token.clone());
    }
    Ok((access, session, request))
}

/// The token of an `Authorization: Bearer <token>` header. The scheme is matched without
/// regard to case (RFC 9110, section 11.1): `bearer` and `BEARER` are the same scheme.
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim_start().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The client's address: the peer's, or — when the peer is a trusted proxy — the right-most
/// address of `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_address(request: &Request, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !trusted.contains(ip))
            .unwrap_or(peer),
    )
}

/// Whether `access` meets `need`.
fn check(need: Need, access: &Access) -> Result<(), Refusal> {
    let sign_in = || {
        Refusal::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in first (pages), or send an API token as `Authorization: Bearer <token>` (API)",
        )
    };
    match need {
        Need::Public => Ok(()),
        Need::SecondFactor if access.stage == Stage::SecondFactorDue => Ok(()),
        Need::SecondFactor if !access.is_signed_in() => Err(sign_in()),
        Need::SecondFactor => Err(Refusal::new(
            StatusCode::CONFLICT,
            "no_code_due",
            "no sign-in is waiting for a code; sign in with your password first",
        )),
        _ if !access.is_signed_in() => Err(sign_in()),
        _ if access.stage == Stage::SecondFactorDue => Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "second_factor_due",
            "enter the code from your authenticator app to finish signing in",
        )),
        Need::Account if access.actor.kind == ActorKind::Token => Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "session_required",
            "your own account (password, second factor, tokens, sessions) is managed in a browser session, not with an API token",
        )),
        Need::Account => Ok(()),
        Need::Permission(_) if access.stage == Stage::EnrolmentDue => Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "mfa_enrolment_due",
            "one of your roles requires two-factor authentication: set it up on your account page (/account/mfa) first",
        )),
        Need::Permission(permission)
            if permission.needs_session() && access.actor.kind == ActorKind::Token =>
        {
            Err(Refusal::new(
                StatusCode::FORBIDDEN,
                "session_required",
                format!("`{permission}` is used in a browser session only, not with an API token"),
            ))
        }
        Need::Permission(permission) if access.may(permission) => Ok(()),
        Need::Permission(permission) => Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "this needs the permission `{permission}`, which none of your roles ({}) grants",
                if access.roles.is_empty() {
                    "none".to_owned()
                } else {
                    access.roles.to_string()
                }
            ),
        )),
    }
}

fn safe(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD || method == Method::OPTIONS
}

/// Refuses a state-changing request of a session that does not carry the session's CSRF token
/// in the `X-CSRF-Token` header or a `_csrf` form field; hands the request on otherwise.
async fn check_csrf(request: Request, session: &str) -> Result<Request, Refusal> {
    let expected = csrf_token(session);
    let missing = || {
        Refusal::new(
            StatusCode::FORBIDDEN,
            "csrf_token_missing",
            "this form is out of date or did not come from Tandem: reload the page and submit it again",
        )
    };
    if let Some(sent) = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if same_secret(sent, &expected) {
            Ok(request)
        } else {
            Err(missing())
        };
    }
    let (parts, body) = request.into_parts();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let multipart = content_type.starts_with("multipart/form-data");
    let limit = if multipart {
        crate::MAX_UPLOAD_BYTES
    } else {
        crate::MAX_BODY_BYTES
    };
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the request is larger than {limit} bytes"),
        )
    })?;
    let sent = if multipart {
        multipart_field(&bytes, "_csrf")
    } else {
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.into_owned())
    };
    match sent {
        Some(sent) if same_secret(&sent, &expected) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(missing()),
    }
}

/// The value of the text field `name` of a `multipart/form-data` body.
fn multipart_field(body: &[u8], name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let start = body
        .windows(marker.len())
        .position(|w| w == marker.as_bytes())?;
    let rest = &body[start..];
    let value_start = rest.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let value = &rest[value_start..];
    let end = value.windows(2).position(|w| w == b"\r\n")?;
    String::from_utf8(value[..end].to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_kernel::{Actor, Permission, Role, Roles, Scope};

    fn person(roles: Roles, stage: Stage) -> Access {
        Access {
            actor: Actor::person(uuid::Uuid::from_u128(7), "a@example.org", None),
            roles,
            scope: Scope::Everything,
            stage,
        }
    }

    /// Application state over an in-memory database, without sign-in.
    async fn bare_state() -> AppState {
        let url = tandem_storage::DatabaseUrl::parse("sqlite::memory:").unwrap();
        AppState {
            db: tandem_storage::Db::connect(&url, &Default::default())
                .await
                .unwrap(),
            clock: std::sync::Arc::new(tandem_kernel::SystemClock),
            site: std::sync::Arc::new(crate::Site {
                public_url: None,
                secure_cookies: false,
                trusted_proxies: Vec::new(),
                navigation: std::sync::Arc::new([]),
            }),
            actors: None,
        }
    }

    /// A route that reached the router without a declaration (impossible through [`Routes`],
    /// whose every method takes a need; built here by hand) is refused, not served.
    #[tokio::test]
    async fn a_route_without_a_declaration_is_refused() {
        use tower::ServiceExt;
        let state = bare_state().await;
        let routes = Routes {
            router: OpenApiRouter::new().route("/raw", axum::routing::get(|| async { "reached" })),
            declared: Vec::new(),
        }
        .get("/declared", Need::Public, || async { "served" });
        let (router, _, declared) = routes.into_router(state.clone()).unwrap();
        assert_eq!(declared.len(), 1);
        let router = router.with_state(state);
        let ask = |path: &'static str| {
            let router = router.clone();
            async move {
                router
                    .oneshot(Request::get(path).body(Body::empty()).unwrap())
                    .await
                    .unwrap()
                    .status()
            }
        };
        assert_eq!(ask("/declared").await, StatusCode::OK);
        assert_eq!(ask("/raw").await, StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn a_route_declared_twice_is_refused_at_start_up() {
        let routes = Routes::new()
            .get("/twice", Need::Public, || async { "a" })
            .merge(Routes {
                router: OpenApiRouter::new(),
                declared: vec![Declared {
                    method: Method::GET,
                    path: "/twice".into(),
                    need: Need::Account,
                }],
            });
        let state = bare_state().await;
        let error = routes.into_router(state).err().unwrap();
        assert!(error.contains("declared twice"), "{error}");
    }

    #[test]
    fn needs_are_checked_in_order() {
        let anonymous = Access::anonymous(None);
        assert!(check(Need::Public, &anonymous).is_ok());
        assert_eq!(
            check(Need::Account, &anonymous).unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
        let engineer = person(Roles::NONE.with(Role::Engineer), Stage::Complete);
        assert!(check(Need::Permission(Permission::FrameworksRead), &engineer).is_ok());
        let refused = check(Need::Permission(Permission::AuditRead), &engineer).unwrap_err();
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.message.contains("audit.read") && refused.message.contains("engineer"));
        let pending = person(
            Roles::NONE.with(Role::Administrator),
            Stage::SecondFactorDue,
        );
        assert!(check(Need::SecondFactor, &pending).is_ok());
        assert_eq!(
            check(Need::Account, &pending).unwrap_err().code,
            "second_factor_due"
        );
        let enrolling = person(Roles::NONE.with(Role::Administrator), Stage::EnrolmentDue);
        assert!(check(Need::Account, &enrolling).is_ok());
        assert_eq!(
            check(Need::Permission(Permission::DirectoryRead), &enrolling)
                .unwrap_err()
                .code,
            "mfa_enrolment_due"
        );
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let request = |peer: &str, forwarded: &str| {
            let mut r = Request::builder()
                .header("x-forwarded-for", forwarded)
                .body(Body::empty())
                .unwrap();
            r.extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 1)));
            r
        };
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let direct = request("203.0.113.9", "198.51.100.1");
        assert_eq!(
            client_address(&direct, &[proxy]),
            Some("203.0.113.9".parse().unwrap())
        );
        let proxied = request("10.0.0.1", "198.51.100.1, 203.0.113.7");
        assert_eq!(
            client_address(&proxied, &[proxy]),
            Some("203.0.113.7".parse().unwrap())
        );
        let garbage = request("10.0.0.1", "not-an-address");
        assert_eq!(client_address(&garbage, &[proxy]), Some(proxy));
    }

    #[test]
    fn the_bearer_scheme_is_matched_in_any_case() {
        for header in ["Bearer abc", "bearer abc", "BEARER  abc ", " BeArEr abc"] {
            assert_eq!(bearer_token(header), Some("abc"), "{header:?}");
        }
        for header in ["Basic abc", "Bearer", "Bearer ", "Bearerabc", "Token abc"] {
            assert_eq!(bearer_token(header), None, "{header:?}");
        }
    }

    #[test]
    fn csrf_tokens_belong_to_their_session() {
        assert_eq!(csrf_token("a"), csrf_token("a"));
        assert_ne!(csrf_token("a"), csrf_token("b"));
        assert!(same_secret(&csrf_token("a"), &csrf_token("a")));
        assert!(!same_secret(&csrf_token("a"), &csrf_token("b")));
        assert!(!same_secret("ab", "abc"));
    }

    #[test]
    fn a_multipart_text_field_is_found() {
        let body = b"--X\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc123\r\n--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\ndata\r\n--X--\r\n";
        assert_eq!(multipart_field(body, "_csrf").as_deref(), Some("abc123"));
        assert_eq!(multipart_field(body, "other"), None);
    }
}
