//! What other capabilities read of the service levels: small answers through this module, or the
//! views `service_refs`, `service_customer_refs`, `agreement_refs` and `calendar_refs` in a join,
//! never the service-level tables.

use tandem_kernel::Result;
use tandem_storage::{Handle, run};

use crate::services::ServiceId;

/// Whether there is a service `id`.
pub async fn service_exists(handle: &mut impl Handle, id: ServiceId) -> Result<bool> {
    let found: Option<i32> = run!(handle, |c| {
        sqlx::query_scalar("SELECT 1 FROM services WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    Ok(found.is_some())
}
