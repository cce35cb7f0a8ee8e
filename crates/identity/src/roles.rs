//! The roles people hold, and the accounts overview administrators work from.

use tandem_audit::{Edit, Write};
use tandem_directory::PersonId;
use tandem_kernel::{Error, Result, Role, Roles};
use tandem_storage::{Db, SqlTime, Tx, run};
use uuid::Uuid;

/// The roles `person` holds.
pub async fn of(db: &Db, person: Uuid) -> Result<Roles> {
    let mut conn = db.conn().await?;
    let names: Vec<String> = run!(&mut conn, |c| {
        sqlx::query_scalar("SELECT role FROM role_assignments WHERE person_id = $1")
            .bind(person)
            .fetch_all(c)
            .await
    })?;
    Ok(parse_stored(&names))
}

/// Roles as stored; a name this build does not know (written by a newer one) grants nothing.
pub(crate) fn parse_stored(names: &[String]) -> Roles {
    names.iter().filter_map(|n| Role::parse(n)).collect()
}

/// Gives `person` exactly `roles`, after checking they may be held together; records the change
/// in the audit trail. The person's sessions stay; their next request acts with the new roles.
pub async fn set(write: &Write, person: Uuid, roles: Roles) -> Result<()> {
    let roles = roles.check("roles")?;
    let mut tx = write.begin().await?;
    if !tandem_directory::read::person_exists(&mut tx, PersonId(person)).await? {
        return Err(Error::NotFound { entity: "person" });
    }
    let before = held(&mut tx, person).await?;
    run!(&mut tx, |c| {
        sqlx::query("DELETE FROM role_assignments WHERE person_id = $1")
            .bind(person)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    for role in roles.iter() {
        run!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO role_assignments (person_id, role, granted_at) VALUES ($1, $2, $3)",
            )
            .bind(person)
            .bind(role.as_str())
            .bind(SqlTime(write.now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    let edit = Edit::updated(
        "roles",
        person,
        &[("roles", before.to_string())],
        &[("roles", roles.to_string())],
    );
    if edit.changes.is_empty() {
        // Not audited: the person holds the roles they held before.
        return tx.commit().await;
    }
    write.commit(tx, edit).await
}

async fn held(tx: &mut Tx, person: Uuid) -> Result<Roles> {
    let names: Vec<String> = run!(tx, |c| {
        sqlx::query_scalar("SELECT role FROM role_assignments WHERE person_id = $1")
            .bind(person)
            .fetch_all(c)
            .await
    })?;
    Ok(parse_stored(&names))
}

/// A person as the accounts overview shows them.
#[derive(Debug, Clone)]
pub struct AccountSummary {
    pub person: Uuid,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub has_password: bool,
    pub has_second_factor: bool,
    pub roles: Roles,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: Uuid,
    name: String,
    email: String,
    organisation: String,
    has_password: bool,
    has_second_factor: bool,
}

/// People with a password or a role (with `everyone`, every person), by name.
pub async fn accounts(db: &Db, everyone: bool) -> Result<Vec<AccountSummary>> {
    let mut conn = db.conn().await?;
    let rows: Vec<SummaryRow> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT p.id, p.name, p.email, o.name AS organisation, \
                    EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id) AS has_password, \
                    EXISTS (SELECT 1 FROM totp_secrets t WHERE t.person_id = p.id AND t.confirmed_at IS NOT NULL) AS has_second_factor \
             FROM person_refs p JOIN organisation_refs o ON o.id = p.organisation_id ORDER BY p.name, p.id",
        )
        .fetch_all(c)
        .await
    })?;
    let assignments: Vec<(Uuid, String)> = run!(&mut conn, |c| {
        sqlx::query_as("SELECT person_id, role FROM role_assignments")
            .fetch_all(c)
            .await
    })?;
    let mut held = std::collections::HashMap::<Uuid, Roles>::new();
    for (person, name) in assignments {
        if let Some(role) = Role::parse(&name) {
            let roles = held.entry(person).or_default();
            *roles = roles.with(role);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| AccountSummary {
            roles: held.get(&row.id).copied().unwrap_or_default(),
            person: row.id,
            name: row.name,
            email: row.email,
            organisation: row.organisation,
            has_password: row.has_password,
            has_second_factor: row.has_second_factor,
        })
        .filter(|a| everyone || a.has_password || !a.roles.is_empty())
        .collect())
}
