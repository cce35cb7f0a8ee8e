//! What other capabilities read of the directory: small answers through this module, never the
//! directory's tables.

use tandem_kernel::Result;
use tandem_storage::{Handle, run};

use crate::{OrganisationId, OrganisationKind, PersonId};

/// The kind of organisation `id`, or `None` when there is no such organisation.
pub async fn organisation_kind(
    handle: &mut impl Handle,
    id: OrganisationId,
) -> Result<Option<OrganisationKind>> {
    let kind: Option<String> = run!(handle, |c| {
        sqlx::query_scalar("SELECT kind FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    kind.map(|k| OrganisationKind::parse("kind", &k).map_err(tandem_kernel::Error::from))
        .transpose()
}

/// The name of person `id`, or `None` when there is no such person.
pub async fn person_name(handle: &mut impl Handle, id: PersonId) -> Result<Option<String>> {
    Ok(run!(handle, |c| {
        sqlx::query_scalar("SELECT name FROM people WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await
    })?)
}
