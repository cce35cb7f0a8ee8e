//! Assembling the application: the capabilities' API routes and pages under one router with
//! the shared middleware, and serving it until a shutdown signal.

use std::sync::Arc;

use anyhow::Context;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::{Json, Router, middleware};
use axum_server::tls_rustls::RustlsConfig;
use tandem_kernel::Clock;
use tandem_kernel::{Need, Permission};
use tandem_storage::{Db, PoolSettings};
use tandem_web::observe::{self, REQUEST_ID};
use tandem_web::routes::Declared;
use tandem_web::{ApiError, AppState, PageError, Routes, Site, assets};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};

use crate::config::Config;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tandem API",
        description = "IT service management and an ISO 27001 ISMS in one system. Every error has the shape `{\"error\": {\"code\", \"message\", \"details\"}}`; lists are read in pages with the `next` cursor.",
    ),
    components(schemas(tandem_web::error::ErrorBody))
)]
struct ApiDoc;

/// Opens the database and applies pending migrations, after checking the shipped framework
/// catalogues (a bad data file stops start-up here, naming file, line and field).
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    tandem_frameworks::shipped::catalogue()
        .map_err(|e| anyhow::anyhow!("the shipped framework data is invalid: {e}"))?;
    let url = config.database_url()?;
    let db = Db::connect(&url, &PoolSettings::default())
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    tandem_web::capability::check_order(&crate::CAPABILITIES, &crate::PLATFORM_PERMISSIONS)
        .map_err(|e| anyhow::anyhow!(e))?;
    db.migrate(&crate::migrations())
        .await
        .with_context(|| format!("cannot bring the database {url} up to date"))?;
    Ok(db)
}

/// The state every handler gets.
pub fn state(db: Db, clock: Arc<dyn Clock>, config: &Config) -> AppState {
    AppState {
        db,
        clock,
        site: Arc::new(Site {
            public_url: config.public_url.clone(),
            secure_cookies: config.serves_tls()
                || config
                    .public_url
                    .as_deref()
                    .is_some_and(|u| u.starts_with("https://")),
            trusted_proxies: config.trusted_proxies.clone(),
            navigation: tandem_web::capability::navigation(&crate::CAPABILITIES).into(),
        }),
        actors: Some(Arc::new(tandem_identity::IdentityCredentials {
            mfa_required: config.mfa_required().unwrap_or_default(),
        })),
    }
}

/// Every route of the application, each with the need it declares.
pub fn routes() -> Routes {
    let capabilities = &crate::CAPABILITIES;
    let api = capabilities
        .iter()
        .filter_map(|c| c.api)
        .fold(Routes::new(), |routes, api| routes.merge(api()));
    let pages = capabilities
        .iter()
        .filter_map(|c| c.pages)
        .fold(Routes::new(), |routes, pages| routes.merge(pages()));
    Routes::new()
        .nest("/api/v1", api)
        .get("/api/v1/openapi.json", Need::Public, openapi_json)
        .get("/api/docs", Need::Public, api_docs)
        .merge(pages)
        .get("/", Need::Account, crate::home::show)
        .get("/healthz", Need::Public, healthz)
        .get(
            "/metrics",
            Need::Permission(Permission::MetricsRead),
            observe::metrics,
        )
        .get("/assets/{*path}", Need::Public, assets::serve)
}

/// The OpenAPI 3.1 document, as served at `/api/v1/openapi.json`: every capability's API, with
/// the bearer-token scheme every operation but this one needs.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(routes().openapi().clone());
    doc.tags = Some(
        crate::CAPABILITIES
            .iter()
            .filter_map(|c| c.api_tag)
            .map(|tag| {
                utoipa::openapi::tag::TagBuilder::new()
                    .name(tag.name)
                    .description(Some(tag.description))
                    .build()
            })
            .collect(),
    );
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "token",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "An API token, created on the account page (/account/tokens).",
                ))
                .build(),
        ),
    );
    doc.security = Some(vec![SecurityRequirement::new(
        "token",
        Vec::<String>::new(),
    )]);
    tandem_web::error::document_errors(&mut doc);
    doc
}

async fn openapi_json(State(state): State<AppState>) -> Response {
    let mut doc = openapi();
    if let Some(url) = &state.site.public_url {
        doc.servers = Some(vec![utoipa::openapi::Server::new(
            url.trim_end_matches('/'),
        )]);
    }
    Json(doc).into_response()
}

/// Checks that every operation of the API document has a declared need. Routes are only added
/// through [`Routes`], which takes a need for each; this catches an operation documented but
/// routed some other way.
fn check_declarations(
    openapi: &utoipa::openapi::OpenApi,
    declared: &[Declared],
) -> anyhow::Result<()> {
    for (path, item) in &openapi.paths.paths {
        let methods = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ];
        for (method, _) in methods.iter().filter(|(_, present)| *present) {
            if !declared
                .iter()
                .any(|d| d.method.as_str() == *method && d.path == *path)
            {
                anyhow::bail!("the API operation {method} {path} declares no need");
            }
        }
    }
    Ok(())
}

/// The whole application. Fails if a route is declared twice or an API operation has no
/// declared need.
pub fn router(state: AppState) -> anyhow::Result<Router> {
    observe::recorder();
    let (routes, openapi, declared) = routes()
        .into_router(state.clone())
        .map_err(|e| anyhow::anyhow!(e))?;
    check_declarations(&openapi, &declared)?;
    Ok(routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(tandem_web::MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(middleware::from_fn(tandem_web::security::same_origin))
        .layer(middleware::from_fn(tandem_web::security::headers))
        .layer(middleware::from_fn(observe::track))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(middleware::from_fn(observe::drop_unsafe_request_id))
        .with_state(state))
}

fn is_api(uri: &Uri) -> bool {
    uri.path().starts_with("/api/")
}

/// A handler panicked: log it and answer with the API's error shape; the panic message may hold
/// internals and is not sent.
fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "an internal error occurred; the operation may not have been carried out",
    )
    .into_response()
}

async fn not_found(uri: Uri) -> Response {
    if is_api(&uri) {
        ApiError::not_found(format!("there is no API route `{}`", uri.path())).into_response()
    } else {
        PageError::not_found().into_response()
    }
}

async fn method_not_allowed(uri: Uri) -> Response {
    let message = format!("`{}` does not support this HTTP method", uri.path());
    if is_api(&uri) {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            message,
        )
        .into_response()
    } else {
        PageError::new(StatusCode::METHOD_NOT_ALLOWED, message).into_response()
    }
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => Json(serde_json::json!({"status": "ok"})).into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "database unavailable"})),
            )
                .into_response()
        }
    }
}

/// The browsable API documentation (Swagger UI, embedded).
async fn api_docs() -> Html<&'static str> {
    Html(include_str!("../templates/api_docs.html"))
}

/// Serves `router` on `listener` (over HTTPS with `tls`) until `shutdown` completes, then lets
/// running requests finish for at most [`DRAIN_TIMEOUT`], and closes the database.
pub async fn serve(
    listener: TcpListener,
    tls: Option<RustlsConfig>,
    router: Router,
    db: Db,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stopping.send(true);
    });
    let mut graceful = stopped.clone();
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = async move {
        match tls {
            None => {
                axum::serve(listener, service)
                    .with_graceful_shutdown(async move {
                        let _ = graceful.wait_for(|stop| *stop).await;
                    })
                    .await
            }
            Some(tls) => {
                let handle = axum_server::Handle::new();
                let stop = handle.clone();
                tokio::spawn(async move {
                    let _ = graceful.wait_for(|stop| *stop).await;
                    stop.graceful_shutdown(Some(DRAIN_TIMEOUT));
                });
                axum_server::from_tcp_rustls(listener.into_std()?, tls)?
                    .handle(handle)
                    .serve(service)
                    .await
            }
        }
    };
    let drain_deadline = async move {
        let _ = stopped.wait_for(|stop| *stop).await;
        tokio::time::sleep(DRAIN_TIMEOUT).await;
    };
    tokio::select! {
        result = server => result?,
        () = drain_deadline => tracing::warn!("requests still running after {DRAIN_TIMEOUT:?}; stopping anyway"),
    }
    db.close().await;
    Ok(())
}

/// The background jobs of every capability ([`tandem_web::jobs::spawn`] runs them): escalation
/// always, mail when the database keeps a sender (an `smtp_url` is configured).
pub fn jobs(db: &Db) -> Vec<tandem_web::Job> {
    tandem_web::capability::jobs(&crate::CAPABILITIES, db.kept())
}

/// How long running requests may take to finish after a shutdown signal.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Completes on Ctrl-C or SIGTERM. The signal handlers are installed when this is called, not
/// when the future is first polled, so a signal that comes right after the server said it
/// serves is not lost (and does not kill the process before it has drained its requests).
pub fn shutdown_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    let (interrupt, terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let wait = |signal: Option<tokio::signal::unix::Signal>| async move {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(interrupt) => {},
                () = wait(terminate) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutdown requested; finishing running requests");
    }
}
