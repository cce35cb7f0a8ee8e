//! The `organisations` table.

use sqlx::AssertSqlSafe;
use tandem_audit::{Edit, Write};
use tandem_kernel::Scope;
use tandem_kernel::page::Page;
use tandem_kernel::{Error, Result};
use tandem_storage::{Arg, Db, ListQuery, ResultExt, Unique, run};

use crate::organisation::{Organisation, OrganisationId, OrganisationInput, OrganisationKind};
use tandem_kernel::page::ListOptions;

const SELECT: &str =
    "SELECT id, name, kind, description, created_at, updated_at, version FROM organisations";

const UNIQUE: &[Unique] = &[
    Unique {
        target: "organisations.name",
        field: "name",
        message: "another organisation already has this name",
    },
    Unique {
        target: "organisations.kind",
        field: "kind",
        message: "there is already a provider organisation; Tandem serves exactly one provider",
    },
];

/// Columns an organisation list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    Kind,
}

impl Sort {
    pub const OPTIONS: [(&'static str, Self); 2] = [("name", Self::Name), ("kind", Self::Kind)];

    fn expression(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Kind => KIND_THEN_NAME,
        }
    }

    fn key(self, o: &Organisation) -> String {
        match self {
            Self::Name => o.name.to_string(),
            Self::Kind => format!("{}{}", o.kind.rank(), o.name),
        }
    }
}

/// Sorts by kind in its natural order ([`OrganisationKind::rank`]), then by name.
const KIND_THEN_NAME: &str =
    "(CASE kind WHEN 'provider' THEN '1' WHEN 'customer' THEN '2' ELSE '3' END || name)";

/// Filters of an organisation list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<OrganisationKind>,
}

pub async fn get(db: &Db, scope: Scope, id: OrganisationId) -> Result<Organisation> {
    let organisation: Organisation = db
        .fetch_by_id(&format!("{SELECT} WHERE id = $1"), id.0)
        .await?
        .ok_or(Error::NotFound {
            entity: "organisation",
        })?;
    super::within(scope, organisation.id.0, "organisation", organisation)
}

pub async fn list(
    db: &Db,
    scope: Scope,
    filter: &Filter,
    options: &ListOptions<Sort>,
) -> Result<Page<Organisation>> {
    let mut query = super::scoped(ListQuery::new(SELECT), "id", scope);
    if let Some(kind) = filter.kind {
        query = query.filter("kind = ?", [Arg::Text(kind.as_str().into())]);
    }
    if let Some(term) = options.search.as_deref().filter(|t| !t.is_empty()) {
        query = query.contains("name", term);
    }
    let sort = options.sort;
    query
        .fetch_page(db, sort.expression(), "id", options, |o: &Organisation| {
            (sort.key(o), o.id.0)
        })
        .await
}

/// An organisation as a form's choice offers it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Choice {
    pub id: OrganisationId,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: OrganisationKind,
}

/// Every organisation's id and name, by name: the choices of a form's organisation field.
pub async fn choices(db: &Db, scope: Scope) -> Result<Vec<(OrganisationId, String)>> {
    Ok(choices_of_kind(db, scope, &OrganisationKind::ALL)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

/// Every organisation of one of `kinds`, by name, however many there are: the choices of a
/// field that takes only some kinds, such as a service's customers.
pub async fn choices_of_kind(
    db: &Db,
    scope: Scope,
    kinds: &[OrganisationKind],
) -> Result<Vec<Choice>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (2..kinds.len() + 2).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT id, name, kind FROM organisations WHERE ($1 IS NULL OR id = $1) \
         AND kind IN ({}) ORDER BY name, id",
        placeholders.join(", ")
    );
    let own = super::own(scope);
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        let mut query = sqlx::query_as::<_, Choice>(AssertSqlSafe(sql.as_str())).bind(own);
        for kind in kinds {
            query = query.bind(kind.as_str());
        }
        query.fetch_all(c).await
    })?)
}

pub async fn create(write: &Write, input: OrganisationInput) -> Result<Organisation> {
    let id = OrganisationId::generate();
    let mut tx = write.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, description, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(id)
        .bind(&input.name)
        .bind(input.kind.as_str())
        .bind(&input.description)
        .bind(tandem_storage::SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    write
        .commit(tx, Edit::created("organisation", id, &input.audit_fields()))
        .await?;
    get(&write.db, Scope::Everything, id).await
}

/// Saves `input` over the organisation, if the record is still at `version`.
pub async fn update(
    write: &Write,
    id: OrganisationId,
    version: i64,
    input: OrganisationInput,
) -> Result<Organisation> {
    let before = get(&write.db, Scope::Everything, id).await?;
    let mut tx = write.begin().await?;
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE organisations SET name = $2, kind = $3, description = $4, updated_at = $5, version = version + 1 WHERE id = $1 AND version = $6",
        )
        .bind(id)
        .bind(&input.name)
        .bind(input.kind.as_str())
        .bind(&input.description)
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
            "organisations",
            id.0,
            Edit::updated(
                "organisation",
                id,
                &before.audit_fields(),
                &input.audit_fields(),
            ),
        )
        .await?;
    get(&write.db, Scope::Everything, id).await
}

/// Deletes an organisation that no person or team belongs to.
pub async fn delete(write: &Write, id: OrganisationId) -> Result<()> {
    let before = get(&write.db, Scope::Everything, id).await?;
    let mut tx = write.begin().await?;
    let in_use: i64 = run!(&mut tx, |c| {
        sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM people WHERE organisation_id = $1) \
                  + (SELECT count(*) FROM teams WHERE organisation_id = $1)",
        )
        .bind(id)
        .fetch_one(c)
        .await
    })?;
    if in_use > 0 {
        return Err(Error::conflict(format!(
            "the organisation still has {in_use} people or teams; move or delete them first"
        )));
    }
    if !tx.delete_by_id("organisations", id.0).await? {
        return Err(Error::NotFound {
            entity: "organisation",
        });
    }
    write
        .commit(
            tx,
            Edit::deleted("organisation", id, &before.audit_fields()),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_order_in_sql_is_the_domain_order() {
        let (last, others) = OrganisationKind::ALL.split_last().unwrap();
        for kind in others {
            assert!(KIND_THEN_NAME.contains(&format!(
                "WHEN '{}' THEN '{}'",
                kind.as_str(),
                kind.rank()
            )));
        }
        assert!(KIND_THEN_NAME.contains(&format!("ELSE '{}'", last.rank())));
    }
}
