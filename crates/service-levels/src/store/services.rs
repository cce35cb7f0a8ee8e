//! The `services` and `service_customers` tables.

use tandem_audit::{Edit, Write};
use tandem_directory::{OrganisationId, PersonId};
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{Error, FieldError, Result};
use tandem_storage::{Db, Handle, ResultExt, SqlTime, Tx, Unique, run};
use time::OffsetDateTime;

use crate::services::{Service, ServiceId, ServiceInput, ServiceKind};

const UNIQUE: &[Unique] = &[Unique {
    target: "services.name",
    field: "name",
    message: "another service already has this name",
}];

#[derive(sqlx::FromRow)]
struct ServiceRow {
    id: ServiceId,
    name: String,
    kind: String,
    owner_id: Option<PersonId>,
    owner_name: Option<String>,
    description: String,
    boundaries: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    version: i64,
}

const SELECT: &str = "SELECT s.id, s.name, s.kind, s.owner_id, p.name AS owner_name, s.description, s.boundaries, \
     s.created_at, s.updated_at, s.version FROM services s LEFT JOIN person_refs p ON p.id = s.owner_id";

async fn customers_of(
    db: &Db,
    ids: &[ServiceId],
) -> Result<Vec<(ServiceId, OrganisationId, String)>> {
    let mut conn = db.conn().await?;
    let all: Vec<(ServiceId, OrganisationId, String)> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT sc.service_id, o.id, o.name FROM service_customers sc \
             JOIN organisation_refs o ON o.id = sc.organisation_id ORDER BY o.name, o.id",
        )
        .fetch_all(c)
        .await
    })?;
    Ok(all
        .into_iter()
        .filter(|(s, _, _)| ids.contains(s))
        .collect())
}

fn assemble(
    rows: Vec<ServiceRow>,
    customers: &[(ServiceId, OrganisationId, String)],
) -> Result<Vec<Service>> {
    rows.into_iter()
        .map(|row| {
            let corrupt = |e: FieldError| Error::Storage(format!("service {}: {e}", row.id).into());
            Ok(Service {
                id: row.id,
                name: Name::parse("name", &row.name).map_err(corrupt)?,
                kind: ServiceKind::parse("kind", &row.kind).map_err(corrupt)?,
                owner_id: row.owner_id,
                owner_name: row.owner_name,
                description: Note::parse("description", &row.description).map_err(corrupt)?,
                boundaries: Note::parse("boundaries", &row.boundaries).map_err(corrupt)?,
                customers: customers
                    .iter()
                    .filter(|(s, _, _)| *s == row.id)
                    .map(|(_, o, n)| (*o, n.clone()))
                    .collect(),
                created_at: row.created_at,
                updated_at: row.updated_at,
                version: row.version,
            })
        })
        .collect()
}

pub async fn get(db: &Db, id: ServiceId) -> Result<Service> {
    let row: ServiceRow = db
        .fetch_by_id(&format!("{SELECT} WHERE s.id = $1"), id.0)
        .await?
        .ok_or(Error::NotFound { entity: "service" })?;
    let customers = customers_of(db, &[id]).await?;
    Ok(assemble(vec![row], &customers)?.remove(0))
}

/// Every service, by name (a provider's catalogue is short).
pub async fn all(db: &Db) -> Result<Vec<Service>> {
    let rows: Vec<ServiceRow> = db
        .fetch_all(&format!("{SELECT} ORDER BY s.name, s.id"), &[])
        .await?;
    let ids: Vec<ServiceId> = rows.iter().map(|r| r.id).collect();
    let customers = customers_of(db, &ids).await?;
    assemble(rows, &customers)
}

/// Every service's id and name, by name: the choices of an agreement's service field.
pub async fn choices(db: &Db) -> Result<Vec<(ServiceId, String)>> {
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, (ServiceId, String)>("SELECT id, name FROM services ORDER BY name, id")
            .fetch_all(c)
            .await
    })?)
}

/// Whether `organisation` is a customer of `service` (false, too, when there is no such service).
pub async fn is_customer(
    handle: &mut impl Handle,
    service: ServiceId,
    organisation: OrganisationId,
) -> Result<bool> {
    let found: Option<i32> = run!(handle, |c| {
        sqlx::query_scalar(
            "SELECT 1 FROM service_customers WHERE service_id = $1 AND organisation_id = $2",
        )
        .bind(service)
        .bind(organisation)
        .fetch_optional(c)
        .await
    })?;
    Ok(found.is_some())
}

/// Checks the owner and the customers exist and are a person and customer organisations.
async fn check_references(tx: &mut Tx, input: &ServiceInput) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(owner) = input.owner_id
        && !tandem_directory::read::person_exists(tx, owner).await?
    {
        errors.push(FieldError::new("owner_id", "there is no such person"));
    }
    for (i, customer) in input.customers.iter().enumerate() {
        let kind = tandem_directory::read::organisation_kind(tx, *customer).await?;
        match kind.map(tandem_directory::OrganisationKind::as_str) {
            Some("customer") => {}
            Some(_) => errors.push(FieldError::new(
                format!("customers[{i}]"),
                "is not a customer organisation",
            )),
            None => errors.push(FieldError::new(
                format!("customers[{i}]"),
                "there is no such organisation",
            )),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

async fn replace_customers(tx: &mut Tx, id: ServiceId, customers: &[OrganisationId]) -> Result<()> {
    run!(tx, |c| {
        sqlx::query("DELETE FROM service_customers WHERE service_id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    for customer in customers {
        run!(tx, |c| {
            sqlx::query(
                "INSERT INTO service_customers (service_id, organisation_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(*customer)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })
        .on_violation(&[])?;
    }
    Ok(())
}

pub async fn create(write: &Write, input: ServiceInput) -> Result<Service> {
    let id = ServiceId::generate();
    let mut tx = write.begin().await?;
    check_references(&mut tx, &input).await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO services (id, name, kind, owner_id, description, boundaries, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(id)
        .bind(input.name.as_str())
        .bind(input.kind.as_str())
        .bind(input.owner_id)
        .bind(input.description.as_str())
        .bind(input.boundaries.as_str())
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    replace_customers(&mut tx, id, &input.customers).await?;
    write
        .commit(tx, Edit::created("service", id, &input.audit_fields()))
        .await?;
    get(&write.db, id).await
}

/// Saves `input` over the service, if the record is still at `version`.
pub async fn update(
    write: &Write,
    id: ServiceId,
    version: i64,
    input: ServiceInput,
) -> Result<Service> {
    let before = get(&write.db, id).await?;
    let mut tx = write.begin().await?;
    check_references(&mut tx, &input).await?;
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE services SET name = $2, kind = $3, owner_id = $4, description = $5, boundaries = $6, \
             updated_at = $7, version = version + 1 WHERE id = $1 AND version = $8",
        )
        .bind(id)
        .bind(input.name.as_str())
        .bind(input.kind.as_str())
        .bind(input.owner_id)
        .bind(input.description.as_str())
        .bind(input.boundaries.as_str())
        .bind(SqlTime(write.now))
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    tx.check_updated(changed, "services", id.0, "service")
        .await?;
    replace_customers(&mut tx, id, &input.customers).await?;
    write
        .commit(
            tx,
            Edit::updated(
                "service",
                id,
                &before.input().audit_fields(),
                &input.audit_fields(),
            ),
        )
        .await?;
    get(&write.db, id).await
}

/// Deletes a service no agreement covers.
pub async fn delete(write: &Write, id: ServiceId) -> Result<()> {
    let before = get(&write.db, id).await?;
    let mut tx = write.begin().await?;
    let in_use: i64 = run!(&mut tx, |c| {
        sqlx::query_scalar("SELECT count(*) FROM agreements WHERE service_id = $1")
            .bind(id)
            .fetch_one(c)
            .await
    })?;
    if in_use > 0 {
        return Err(Error::conflict(format!(
            "{in_use} agreements use this service; change or delete them first"
        )));
    }
    if !tx.delete_by_id("services", id.0).await? {
        return Err(Error::NotFound { entity: "service" });
    }
    write
        .commit(
            tx,
            Edit::deleted("service", id, &before.input().audit_fields()),
        )
        .await
}
