//! The `people` table.

use tandem_audit::{Edit, Write};
use tandem_kernel::Scope;
use tandem_kernel::page::Page;
use tandem_kernel::{Error, Result};
use tandem_storage::{Arg, Db, ListQuery, ResultExt, Tx, Unique, run};

use crate::organisation::OrganisationId;
use crate::person::{Person, PersonId, PersonInput};
use tandem_kernel::page::ListOptions;

const SELECT: &str = "SELECT p.id, p.organisation_id, o.name AS organisation_name, p.name, p.email, \
     p.phone, p.job_title, p.created_at, p.updated_at, p.version \
     FROM people p JOIN organisations o ON o.id = p.organisation_id";

const UNIQUE: &[Unique] = &[Unique {
    target: "people.email",
    field: "email",
    message: "another person already has this e-mail address",
}];

/// Columns a people list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    Email,
    Organisation,
    JobTitle,
}

impl Sort {
    pub const OPTIONS: [(&'static str, Self); 4] = [
        ("name", Self::Name),
        ("email", Self::Email),
        ("organisation", Self::Organisation),
        ("job_title", Self::JobTitle),
    ];

    fn expression(self) -> &'static str {
        match self {
            Self::Name => "p.name",
            Self::Email => "p.email",
            Self::Organisation => "o.name",
            Self::JobTitle => "COALESCE(p.job_title, '')",
        }
    }

    fn key(self, p: &Person) -> String {
        match self {
            Self::Name => p.name.to_string(),
            Self::Email => p.email.to_string(),
            Self::Organisation => p.organisation_name.to_string(),
            Self::JobTitle => p
                .job_title
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        }
    }
}

/// Filters of a people list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub organisation: Option<OrganisationId>,
}

pub async fn get(db: &Db, scope: Scope, id: PersonId) -> Result<Person> {
    let person: Person = db
        .fetch_by_id(&format!("{SELECT} WHERE p.id = $1"), id.0)
        .await?
        .ok_or(Error::NotFound { entity: "person" })?;
    super::within(scope, person.organisation_id.0, "person", person)
}

pub async fn list(
    db: &Db,
    scope: Scope,
    filter: &Filter,
    options: &ListOptions<Sort>,
) -> Result<Page<Person>> {
    let mut query = super::scoped(ListQuery::new(SELECT), "p.organisation_id", scope);
    if let Some(organisation) = filter.organisation {
        query = query.filter("p.organisation_id = ?", [Arg::Uuid(organisation.0)]);
    }
    if let Some(term) = options.search.as_deref().filter(|t| !t.is_empty()) {
        query = query.contains("p.name || ' ' || p.email", term);
    }
    let sort = options.sort;
    query
        .fetch_page(db, sort.expression(), "p.id", options, |p: &Person| {
            (sort.key(p), p.id.0)
        })
        .await
}

/// Every person's id and name with their organisation, by name: the choices of a team's
/// member field.
pub async fn choices(db: &Db, scope: Scope) -> Result<Vec<(PersonId, String)>> {
    let own = super::own(scope);
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, (PersonId, String)>(
            "SELECT p.id, p.name || ' (' || o.name || ')' FROM people p \
             JOIN organisations o ON o.id = p.organisation_id \
             WHERE $1 IS NULL OR p.organisation_id = $1 ORDER BY p.name, p.id",
        )
        .bind(own)
        .fetch_all(c)
        .await
    })?)
}

async fn check_organisation(tx: &mut Tx, id: OrganisationId) -> Result<()> {
    if tx.exists("organisations", id.0).await? {
        Ok(())
    } else {
        Err(Error::invalid(
            "organisation_id",
            "there is no such organisation",
        ))
    }
}

pub async fn create(write: &Write, input: PersonInput) -> Result<Person> {
    let id = PersonId::generate();
    let mut tx = write.begin().await?;
    check_organisation(&mut tx, input.organisation_id).await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO people (id, organisation_id, name, email, phone, job_title, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(id)
        .bind(input.organisation_id)
        .bind(&input.name)
        .bind(&input.email)
        .bind(&input.phone)
        .bind(&input.job_title)
        .bind(tandem_storage::SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    write
        .commit(tx, Edit::created("person", id, &input.audit_fields()))
        .await?;
    get(&write.db, Scope::Everything, id).await
}

/// Saves `input` over the person, if the record is still at `version`.
pub async fn update(
    write: &Write,
    id: PersonId,
    version: i64,
    input: PersonInput,
) -> Result<Person> {
    let before = get(&write.db, Scope::Everything, id).await?;
    let mut tx = write.begin().await?;
    check_organisation(&mut tx, input.organisation_id).await?;
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE people SET organisation_id = $2, name = $3, email = $4, phone = $5, \
             job_title = $6, updated_at = $7, version = version + 1 WHERE id = $1 AND version = $8",
        )
        .bind(id)
        .bind(input.organisation_id)
        .bind(&input.name)
        .bind(&input.email)
        .bind(&input.phone)
        .bind(&input.job_title)
        .bind(tandem_storage::SqlTime(write.now))
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    write
        .commit_update(
            tx,
            changed,
            "people",
            id.0,
            Edit::updated("person", id, &before.audit_fields(), &input.audit_fields()),
        )
        .await?;
    get(&write.db, Scope::Everything, id).await
}

/// Deletes a person; their team memberships go with them.
pub async fn delete(write: &Write, id: PersonId) -> Result<()> {
    let before = get(&write.db, Scope::Everything, id).await?;
    let mut tx = write.begin().await?;
    // The memberships end with the person (ON DELETE CASCADE); the entry says which.
    let mut teams: Vec<String> = run!(&mut tx, |c| {
        sqlx::query_scalar::<_, uuid::Uuid>("SELECT team_id FROM team_members WHERE person_id = $1")
            .bind(id)
            .fetch_all(c)
            .await
    })?
    .into_iter()
    .map(|t| t.to_string())
    .collect();
    teams.sort();
    if !tx.delete_by_id("people", id.0).await? {
        return Err(Error::NotFound { entity: "person" });
    }
    let mut fields = before.audit_fields();
    fields.push(("teams", teams.join(", ")));
    write.commit(tx, Edit::deleted("person", id, &fields)).await
}
