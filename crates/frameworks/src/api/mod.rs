//! The frameworks JSON API under `/api/v1`: browse frameworks, nodes and mappings; export them
//! as CSV; keep gap assessments and read their coverage; run the four seed-001 scenarios.
//!
//! One part per record: `frameworks` (frameworks and their nodes: listed, added, imported from
//! OSCAL, exported, deleted), `mappings` (a node with everything mapped to it, and mappings
//! listed, added, imported, exported, deleted), `assessments` (gap assessments, their statuses
//! and the coverage derived from them) and `scenarios` (the four seed-001 scenarios). This
//! module assembles their routes and holds what they share: the catalogue, the import size
//! limit, and the errors for an unknown framework or an unreadable file.

mod assessments;
mod frameworks;
mod mappings;
mod scenarios;

use tandem_kernel::{Error, Need, Permission};
use tandem_web::{ApiError, Routes};
use utoipa_axum::routes;

use crate::catalogue::Catalogue;

pub(crate) use assessments::assessment_coverage;
pub(crate) use frameworks::{CatalogFields, import_catalog};
pub(crate) use mappings::{MappingFormat, import_mappings, mappings_between};

/// The frameworks routes, to be nested under `/api/v1`.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::FrameworksRead);
    let write = Need::Permission(Permission::FrameworksWrite);
    let assessments_read = Need::Permission(Permission::AssessmentsRead);
    let assessments_write = Need::Permission(Permission::AssessmentsWrite);
    let imports = Routes::new()
        .api(write, routes!(frameworks::import_oscal_catalog))
        .api(write, routes!(mappings::import_oscal_mappings))
        .api(write, routes!(mappings::import_csv_mappings))
        .body_limit(MAX_IMPORT_BYTES);
    Routes::new()
        .merge(imports)
        .api(read, routes!(frameworks::list_frameworks))
        .api(write, routes!(frameworks::create_framework))
        .api(read, routes!(frameworks::get_framework))
        .api(write, routes!(frameworks::delete_framework))
        .api(read, routes!(frameworks::framework_csv))
        .api(read, routes!(frameworks::framework_oscal))
        .api(read, routes!(mappings::get_node))
        .api(read, routes!(mappings::list_mappings))
        .api(write, routes!(mappings::create_mappings))
        .api(write, routes!(mappings::delete_mapping))
        .api(read, routes!(mappings::mappings_csv))
        .api(read, routes!(mappings::mappings_oscal))
        .api(assessments_read, routes!(assessments::list_assessments))
        .api(assessments_write, routes!(assessments::create_assessment))
        .api(assessments_read, routes!(assessments::get_assessment))
        .api(assessments_write, routes!(assessments::delete_assessment))
        .api(assessments_write, routes!(assessments::change_statuses))
        .api(assessments_read, routes!(assessments::get_coverage))
        .api(assessments_read, routes!(assessments::coverage_csv))
        .api(read, routes!(scenarios::list_scenarios))
        .api(read, routes!(scenarios::get_scenario))
}

/// The catalogue as it stands: the shipped frameworks and those users added.
pub async fn catalogue(db: &tandem_storage::Db) -> Result<std::sync::Arc<Catalogue>, Error> {
    crate::custom::catalogue(db).await
}

/// The largest catalog or mapping file an import accepts (NIST SP 800-53 is about 10 MB).
pub const MAX_IMPORT_BYTES: usize = tandem_web::MAX_UPLOAD_BYTES;

fn unknown_framework(id: &str) -> ApiError {
    ApiError::not_found(format!("there is no framework `{id}`"))
}

fn body_text(bytes: &[u8]) -> Result<&str, ApiError> {
    std::str::from_utf8(bytes).map_err(|_| ApiError::bad_request("the file is not UTF-8 text"))
}

fn oscal_invalid(error: crate::oscal::OscalError) -> ApiError {
    Error::Invalid(vec![tandem_kernel::FieldError::new(
        error.path.clone(),
        error.message.clone(),
    )])
    .into()
}
