//! What other capabilities read of the directory: small answers through this module, or the
//! views `person_refs`, `organisation_refs`, `team_refs` and `team_member_refs` in a join, never
//! the directory's tables.

use tandem_kernel::Result;
use tandem_storage::{Handle, Tx, run};

use crate::{OrganisationId, OrganisationKind, PersonId, TeamId};

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

/// Whether there is a person `id`, as the caller's transaction `tx` sees it.
pub async fn person_exists(tx: &mut Tx, id: PersonId) -> Result<bool> {
    tx.exists("people", id.0).await
}

/// Whether there is a team `id`, as the caller's transaction `tx` sees it.
pub async fn team_exists(tx: &mut Tx, id: TeamId) -> Result<bool> {
    tx.exists("teams", id.0).await
}

/// The team called `name` (the first by id if names repeat), or `None` when there is none.
pub async fn team_named(handle: &mut impl Handle, name: &str) -> Result<Option<TeamId>> {
    Ok(run!(handle, |c| {
        sqlx::query_scalar("SELECT id FROM teams WHERE name = $1 ORDER BY id LIMIT 1")
            .bind(name)
            .fetch_optional(c)
            .await
    })?)
}

/// The provider organisation (Tandem serves exactly one), or `None` before it is recorded.
pub async fn provider(handle: &mut impl Handle) -> Result<Option<(OrganisationId, String)>> {
    Ok(run!(handle, |c| {
        sqlx::query_as(
            "SELECT id, name FROM organisations WHERE kind = 'provider' ORDER BY id LIMIT 1",
        )
        .fetch_optional(c)
        .await
    })?)
}
