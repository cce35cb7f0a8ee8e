//! The references of a scope record: the services it names are in the service catalogue, the
//! CIs it names (by number, `CI-000042 name`) are in the CMDB.

use tandem_kernel::{FieldError, Result};
use tandem_storage::{Handle, run};

use crate::scope::ScopeRecord;

/// The lines of `record` that name a service or a CI Tandem does not know, each by its place.
pub async fn unknown_references(
    handle: &mut impl Handle,
    record: &ScopeRecord,
) -> Result<Vec<FieldError>> {
    let mut errors = Vec::new();
    for (i, service) in record.items("services").iter().enumerate() {
        let found: Option<i32> = run!(handle, |c| {
            sqlx::query_scalar("SELECT 1 FROM service_refs WHERE name = $1")
                .bind(service)
                .fetch_optional(c)
                .await
        })?;
        if found.is_none() {
            errors.push(FieldError::new(
                format!("services[{i}]"),
                format!("the service catalogue has no service named “{service}”"),
            ));
        }
    }
    for (i, line) in record.items("cis").iter().enumerate() {
        let number = line
            .split_whitespace()
            .next()
            .and_then(|n| tandem_kernel::id::CIS.parse(n));
        let found: Option<i32> = match number {
            Some(number) => run!(handle, |c| {
                sqlx::query_scalar("SELECT 1 FROM ci_refs WHERE number = $1")
                    .bind(number)
                    .fetch_optional(c)
                    .await
            })?,
            None => None,
        };
        if found.is_none() {
            errors.push(FieldError::new(
                format!("cis[{i}]"),
                "name a CI of the CMDB by its number first, such as “CI-000042 bridge-de-01”",
            ));
        }
    }
    Ok(errors)
}
