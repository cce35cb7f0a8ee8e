//! Static files (CSS, JavaScript) compiled into the binary, so Tandem works air-gapped. The
//! vendored files come from npm packages (see `assets/vendor/VERSIONS` and
//! `scripts/vendor-assets`); nothing is loaded from a CDN.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
#[exclude = "*.LICENSE*"]
#[exclude = "VERSIONS"]
struct Assets;

/// `GET /assets/{*path}`: an embedded file with its content type and an ETag.
pub async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(file) = Assets::get(&path) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let etag = format!(
        "\"{}\"",
        tandem_kernel::text::hex(&file.metadata.sha256_hash()[..16])
    );
    let cache = HeaderValue::from_static("public, max-age=3600");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag)],
            [(header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(file.metadata.mimetype())
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (
                header::ETAG,
                HeaderValue::from_str(&etag).expect("hex is a valid header value"),
            ),
            (header::CACHE_CONTROL, cache),
        ],
        file.data,
    )
        .into_response()
}
