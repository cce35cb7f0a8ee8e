//! The web kernel: what every capability's HTTP edge shares.
//!
//! It owns the application state handed to handlers, the one JSON error shape of the API and
//! its mapping from [`tandem_kernel::Error`], the extractors that validate requests at the edge,
//! the page layout and form helpers, the embedded static assets, and request metrics. It holds no
//! routes of any capability; those live in the capability crates and are assembled by the binary.
//!
//! Architecture invariant: this and the capabilities' `api`/`pages` modules are the only code
//! that knows HTTP; domain modules never see a request or a status code.

pub mod actor;
pub mod assets;
pub mod capability;
pub mod error;
pub mod extract;
pub mod jobs;
pub mod list;
pub mod observe;
pub mod page;
pub mod reference;
pub mod routes;
pub mod security;

use std::sync::Arc;

use tandem_kernel::Clock;
use tandem_storage::Db;

pub use actor::RequestActor;
pub use capability::Capability;
pub use error::{ApiError, ApiResult, created, download};
pub use extract::{ApiBody, ApiJson, ApiQuery, InPath};
pub use jobs::Job;
pub use page::{
    Chrome, FormErrors, FormFrame, FormInput, PageError, PageQuery, PageResult, UploadForm,
};
pub use reference::{Reference, reference};
pub use routes::{RequestAccess, Routes, SessionToken};
pub use tandem_storage::Kept;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub site: Arc<Site>,
    /// Who is behind a session cookie or an API token; `None` where sign-in is not wired
    /// (then every request is anonymous).
    pub actors: Option<Arc<dyn actor::Credentials>>,
}

/// Facts about this installation shown in pages and documents.
#[derive(Debug, Clone)]
pub struct Site {
    /// The URL people reach Tandem at, if configured: the server named in the OpenAPI document
    /// and the base of links Tandem sends out.
    pub public_url: Option<String>,
    /// Whether cookies get the `Secure` attribute: Tandem is served over TLS, or reached at an
    /// `https://` public URL through a proxy.
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` header is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The main navigation, assembled from the capabilities ([`capability::navigation`]).
    pub navigation: Arc<[capability::NavEntry]>,
}

/// The version of this build, shown in the page footer.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The largest request body the API accepts, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The largest upload (a catalogue or mapping file) a form or the API accepts, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;
