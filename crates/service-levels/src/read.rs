//! What other capabilities read of the service levels: small answers through this module, or the
//! views `service_refs`, `service_customer_refs`, `agreement_refs` and `calendar_refs` in a join,
//! never the service-level tables.

use tandem_kernel::Result;
use tandem_storage::Tx;

use crate::services::ServiceId;

/// Whether there is a service `id`, as the caller's transaction `tx` sees it.
pub async fn service_exists(tx: &mut Tx, id: ServiceId) -> Result<bool> {
    tx.exists("services", id.0).await
}
