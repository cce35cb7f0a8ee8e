//! The directory's pages.

use axum::Router;
use tandem_web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
