//! The `cis`, `ci_numbers` and `ci_versions` tables: CIs, their numbers and their versions.
//!
//! Every configuration write (create, edit, a relation added or removed) is one transaction that
//! checks the CI's `version`, writes a new row of `ci_versions` with the whole record, the
//! difference to the version before and the cause, counts the write in `cmdb_generation` and
//! records the audit entry. The operational state is not configuration: it changes with the
//! audit entry only (monitoring may move it many times an hour).

use sqlx::AssertSqlSafe;
use tandem_audit::{Action, Changes, Edit, Write};
use tandem_directory::{OrganisationId, PersonId};
use tandem_kernel::id::{ChangeId, TicketId};
use tandem_kernel::page::{ListOptions, Page};
use tandem_kernel::{Error, FieldError, Result};
use tandem_service_levels::services::ServiceId;
use tandem_storage::{Arg, Db, Handle, ListQuery, ResultExt, SqlTime, Tx, Unique, run};
use time::OffsetDateTime;

use crate::ci::{
    Ci, CiId, CiInput, Classification, Label, Lifecycle, OperationalState, Rating, number_text,
};
use crate::class::{Attributes, ClassKey};
use crate::relation::RelationKind;
use crate::version::{Cause, CauseKind, Diff, Snapshot, diff};

const UNIQUE: &[Unique] = &[Unique {
    target: "cis.name",
    field: "name",
    message: "another CI already has this name",
}];

#[derive(sqlx::FromRow)]
struct CiRow {
    id: CiId,
    number: i64,
    class_key: ClassKey,
    class_name: String,
    name: String,
    description: String,
    organisation_id: Option<OrganisationId>,
    organisation_name: Option<String>,
    owner_id: Option<PersonId>,
    owner_name: Option<String>,
    custodian_id: Option<PersonId>,
    custodian_name: Option<String>,
    location_id: Option<CiId>,
    location_number: Option<i64>,
    location_name: Option<String>,
    service_id: Option<ServiceId>,
    service_name: Option<String>,
    lifecycle: String,
    operational: String,
    operational_since: OffsetDateTime,
    reviewed_at: Option<OffsetDateTime>,
    reviewed_by: String,
    confidentiality: i32,
    integrity: i32,
    availability: i32,
    label: String,
    min_up: Option<i32>,
    attributes: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    version: i64,
}

pub(crate) fn rating(value: i32) -> std::result::Result<Rating, FieldError> {
    u8::try_from(value)
        .ok()
        .and_then(Rating::new)
        .ok_or_else(|| FieldError::new("rating", format!("{value} is not a rating")))
}

impl CiRow {
    fn into_ci(self) -> Result<Ci> {
        let corrupt = |e: FieldError| Error::Storage(format!("CI {}: {e}", self.id).into());
        let attributes: Attributes = serde_json::from_str(&self.attributes)
            .map_err(|e| Error::Storage(format!("CI {}: {e}", self.id).into()))?;
        Ok(Ci {
            id: self.id,
            number: self.number,
            class_key: self.class_key,
            class_name: self.class_name,
            name: self.name,
            description: self.description,
            organisation: self.organisation_id.zip(self.organisation_name),
            owner: self.owner_id.zip(self.owner_name),
            custodian: self.custodian_id.zip(self.custodian_name),
            location: self
                .location_id
                .zip(self.location_number.zip(self.location_name))
                .map(|(id, (number, name))| (id, number, name)),
            service: self.service_id.zip(self.service_name),
            lifecycle: Lifecycle::parse("lifecycle", &self.lifecycle).map_err(corrupt)?,
            operational: OperationalState::parse("operational", &self.operational)
                .map_err(corrupt)?,
            operational_since: self.operational_since,
            reviewed: self.reviewed_at.map(|at| (at, self.reviewed_by)),
            classification: Classification {
                confidentiality: rating(self.confidentiality).map_err(corrupt)?,
                integrity: rating(self.integrity).map_err(corrupt)?,
                availability: rating(self.availability).map_err(corrupt)?,
                label: Label::parse("label", &self.label).map_err(corrupt)?,
            },
            min_up: self.min_up.and_then(|n| u32::try_from(n).ok()),
            attributes,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        })
    }
}

const SELECT: &str = "SELECT c.id, c.number, c.class_key, k.name AS class_name, c.name, c.description, \
     c.organisation_id, o.name AS organisation_name, c.owner_id, ow.name AS owner_name, \
     c.custodian_id, cu.name AS custodian_name, c.location_id, l.number AS location_number, \
     l.name AS location_name, c.service_id, s.name AS service_name, c.lifecycle, c.operational, \
     c.operational_since, c.reviewed_at, c.reviewed_by, c.confidentiality, c.integrity, c.availability, c.label, c.min_up, \
     c.attributes, c.created_at, c.updated_at, c.version \
     FROM cis c JOIN ci_classes k ON k.key = c.class_key \
     LEFT JOIN organisation_refs o ON o.id = c.organisation_id \
     LEFT JOIN person_refs ow ON ow.id = c.owner_id \
     LEFT JOIN person_refs cu ON cu.id = c.custodian_id \
     LEFT JOIN cis l ON l.id = c.location_id \
     LEFT JOIN service_refs s ON s.id = c.service_id";

/// The CI `id`, read through `handle` (a connection or the caller's transaction).
pub async fn find(handle: &mut impl Handle, id: CiId) -> Result<Option<Ci>> {
    let sql = format!("{SELECT} WHERE c.id = $1");
    let row: Option<CiRow> = run!(handle, |c| {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    row.map(CiRow::into_ci).transpose()
}

pub async fn get(db: &Db, id: CiId) -> Result<Ci> {
    let mut conn = db.conn().await?;
    find(&mut conn, id)
        .await?
        .ok_or(Error::NotFound { entity: "CI" })
}

/// Every CI, by name (for exports).
pub async fn all(db: &Db) -> Result<Vec<Ci>> {
    let sql = format!("{SELECT} ORDER BY c.name, c.id");
    let rows: Vec<CiRow> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .fetch_all(c)
            .await
    })?;
    rows.into_iter().map(CiRow::into_ci).collect()
}

/// Columns a CI list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    Class,
}

impl Sort {
    pub const OPTIONS: [(&'static str, Self); 2] = [("name", Self::Name), ("class", Self::Class)];

    fn expression(self) -> &'static str {
        match self {
            Self::Name => "c.name",
            Self::Class => "(c.class_key || ' ' || c.name)",
        }
    }

    fn key(self, ci: &CiRow) -> String {
        match self {
            Self::Name => ci.name.clone(),
            Self::Class => format!("{} {}", ci.class_key, ci.name),
        }
    }
}

/// Filters of a CI list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub class_key: Option<ClassKey>,
    pub lifecycle: Option<Lifecycle>,
    pub operational: Option<OperationalState>,
    pub organisation_id: Option<OrganisationId>,
    pub location_id: Option<CiId>,
}

/// One page of CIs; the search matches the name or the number.
pub async fn list(db: &Db, filter: &Filter, options: &ListOptions<Sort>) -> Result<Page<Ci>> {
    let mut query = ListQuery::new(SELECT);
    if let Some(class) = &filter.class_key {
        query = query.filter("c.class_key = ?", [Arg::Text(class.to_string())]);
    }
    if let Some(lifecycle) = filter.lifecycle {
        query = query.filter("c.lifecycle = ?", [Arg::Text(lifecycle.as_str().into())]);
    }
    if let Some(state) = filter.operational {
        query = query.filter("c.operational = ?", [Arg::Text(state.as_str().into())]);
    }
    if let Some(org) = filter.organisation_id {
        query = query.filter("c.organisation_id = ?", [Arg::Uuid(org.0)]);
    }
    if let Some(location) = filter.location_id {
        query = query.filter("c.location_id = ?", [Arg::Uuid(location.0)]);
    }
    if let Some(term) = options
        .search
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        match crate::ci::parse_number(term) {
            Some(number) if term.to_ascii_uppercase().starts_with("CI-") => {
                query = query.filter("c.number = ?", [Arg::Int(number)]);
            }
            _ => query = query.contains("c.name", term),
        }
    }
    let sort = options.sort;
    let page = query
        .fetch_page(db, sort.expression(), "c.id", options, |ci: &CiRow| {
            (sort.key(ci), ci.id.0)
        })
        .await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(CiRow::into_ci)
            .collect::<Result<_>>()?,
        next: page.next,
    })
}

/// Every CI's id, number and name, by name: the choices of a form's CI fields, narrowed to a
/// class if one is given.
pub async fn choices(db: &Db, class_key: Option<&str>) -> Result<Vec<(CiId, String)>> {
    let mut conn = db.conn().await?;
    let rows: Vec<(CiId, i64, String)> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT id, number, name FROM cis WHERE ($1 IS NULL OR class_key = $1) \
             AND lifecycle <> 'retired' ORDER BY name, id",
        )
        .bind(class_key)
        .fetch_all(c)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, number, name)| (id, format!("{} {name}", number_text(number))))
        .collect())
}

/// The outgoing relations of `id` as (kind, target number, target name), for its snapshot.
async fn outgoing(tx: &mut Tx, id: CiId) -> Result<Vec<(RelationKind, i64, String)>> {
    let rows: Vec<(String, i64, String)> = run!(tx, |c| {
        sqlx::query_as(
            "SELECT r.kind, t.number, t.name FROM ci_relations r JOIN cis t ON t.id = r.target_id \
             WHERE r.source_id = $1 ORDER BY r.kind, t.name",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    rows.into_iter()
        .map(|(kind, number, name)| {
            let kind = RelationKind::parse("kind", &kind)
                .map_err(|e| Error::Storage(format!("relation of CI {id}: {e}").into()))?;
            Ok((kind, number, name))
        })
        .collect()
}

/// The snapshot of the newest version of `id`, if it has one.
pub(crate) async fn last_snapshot(
    tx: &mut impl Handle,
    id: CiId,
) -> Result<Option<(i64, Snapshot)>> {
    let row: Option<(i64, String)> = run!(tx, |c| {
        sqlx::query_as(
            "SELECT version, snapshot FROM ci_versions WHERE ci_id = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(c)
        .await
    })?;
    row.map(|(version, json)| {
        serde_json::from_str(&json)
            .map(|s| (version, s))
            .map_err(|e| Error::Storage(Box::new(e)))
    })
    .transpose()
}

/// Writes a new version of `id` if its record now differs from its newest version: called by
/// every configuration write inside its transaction, after the write. Returns the difference
/// (empty when nothing changed, and then no version is written).
pub(crate) async fn record_version(
    write: &Write,
    tx: &mut Tx,
    id: CiId,
    cause: &Cause,
) -> Result<Diff> {
    let ci = find(tx, id)
        .await?
        .ok_or(Error::NotFound { entity: "CI" })?;
    let after = ci.snapshot(&outgoing(tx, id).await?);
    let (last, before) = last_snapshot(tx, id).await?.unwrap_or_default();
    let changes = diff(&before, &after);
    if changes.is_empty() {
        return Ok(changes);
    }
    let (snapshot, diff_json) = (super::to_json(&after)?, super::to_json(&changes)?);
    run!(tx, |c| {
        sqlx::query(
            "INSERT INTO ci_versions (ci_id, version, at, actor_label, cause_kind, cause_ticket_id, \
             cause_change_id, reason, snapshot, diff) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(last + 1)
        .bind(SqlTime(write.now))
        .bind(&write.actor.label)
        .bind(cause.kind.as_str())
        .bind(cause.ticket_id)
        .bind(cause.change_id)
        .bind(&cause.reason)
        .bind(&snapshot)
        .bind(&diff_json)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    super::bump_generation(tx).await?;
    Ok(changes)
}

/// Checks that what `input` refers to exists and fits: a customer organisation, people, a
/// location CI (not the CI itself), a service of the catalogue.
async fn check_references(tx: &mut Tx, id: Option<CiId>, input: &CiInput) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(org) = input.organisation_id {
        let kind = tandem_directory::read::organisation_kind(tx, org).await?;
        match kind.map(tandem_directory::OrganisationKind::as_str) {
            Some("customer") => {}
            Some(_) => errors.push(FieldError::new(
                "organisation_id",
                "only a customer owns CIs; leave it empty for the provider's own",
            )),
            None => errors.push(FieldError::new(
                "organisation_id",
                "there is no such organisation",
            )),
        }
    }
    for (field, person) in [
        ("owner_id", input.owner_id),
        ("custodian_id", input.custodian_id),
    ] {
        if let Some(person) = person
            && !tandem_directory::read::person_exists(tx, person).await?
        {
            errors.push(FieldError::new(field, "there is no such person"));
        }
    }
    if let Some(location) = input.location_id {
        let class: Option<String> = run!(tx, |c| {
            sqlx::query_scalar("SELECT class_key FROM cis WHERE id = $1")
                .bind(location)
                .fetch_optional(c)
                .await
        })?;
        match class.as_deref() {
            _ if Some(location) == id => errors.push(FieldError::new(
                "location_id",
                "a CI is not located in itself",
            )),
            Some("location") => {}
            Some(_) => errors.push(FieldError::new(
                "location_id",
                "must be a CI of the class location",
            )),
            None => errors.push(FieldError::new("location_id", "there is no such CI")),
        }
    }
    if let Some(service) = input.service_id
        && !tandem_service_levels::read::service_exists(tx, service).await?
    {
        errors.push(FieldError::new("service_id", "there is no such service"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// Checks the cause names an existing ticket, if it names one.
async fn check_cause(tx: &mut Tx, cause: &Cause) -> Result<()> {
    if let Some(ticket) = cause.ticket_id
        && !tx.exists("ticket_refs", ticket.0).await?
    {
        return Err(Error::invalid("ticket", "there is no such ticket"));
    }
    Ok(())
}

async fn next_number(tx: &mut Tx) -> Result<i64> {
    Ok(run!(tx, |c| {
        sqlx::query_scalar("UPDATE ci_numbers SET last = last + 1 WHERE id = 1 RETURNING last")
            .fetch_one(c)
            .await
    })?)
}

fn audit_entry(action: Action, id: CiId, changes: &Diff, cause: &Cause) -> Edit {
    let mut before: Vec<(String, String)> = changes
        .iter()
        .map(|(k, (old, _))| (k.clone(), old.clone()))
        .collect();
    let mut after: Vec<(String, String)> = changes
        .iter()
        .map(|(k, (_, new))| (k.clone(), new.clone()))
        .collect();
    before.push(("cause".into(), String::new()));
    after.push((
        "cause".into(),
        format!("{}: {}", cause.kind.as_str(), cause.reason),
    ));
    let changes = match action {
        Action::Create => Changes::created(&after),
        _ => Changes::diff(&before, &after),
    };
    Edit::new(action, "CI", id, changes)
}

/// Adds a CI: its number, its first version (caused by `cause`) and the audit entry.
pub async fn create(write: &Write, input: CiInput, cause: &Cause) -> Result<Ci> {
    let mut tx = write.begin().await?;
    let (id, edit) = add(write, &mut tx, &input, cause).await?;
    write.commit(tx, edit).await?;
    get(&write.db, id).await
}

/// [`create`] inside the caller's transaction (an import writes all its rows in one).
pub async fn insert(write: &Write, tx: &mut Tx, input: &CiInput, cause: &Cause) -> Result<CiId> {
    let (id, edit) = add(write, tx, input, cause).await?;
    write.record(tx, edit).await?;
    Ok(id)
}

/// Writes the CI and its first version, and returns its id and its audit entry.
async fn add(write: &Write, tx: &mut Tx, input: &CiInput, cause: &Cause) -> Result<(CiId, Edit)> {
    let id = CiId::generate();
    check_references(tx, None, input).await?;
    check_cause(tx, cause).await?;
    let number = next_number(tx).await?;
    let attributes = super::to_json(&input.attributes)?;
    run!(tx, |c| {
        sqlx::query(
            "INSERT INTO cis (id, number, class_key, name, description, organisation_id, owner_id, \
             custodian_id, location_id, service_id, lifecycle, operational, operational_since, \
             confidentiality, integrity, availability, label, min_up, attributes, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'operational', $12, $13, $14, $15, \
             $16, $17, $18, $12, $12)",
        )
        .bind(id)
        .bind(number)
        .bind(input.class_key.as_str())
        .bind(input.name.as_str())
        .bind(input.description.as_str())
        .bind(input.organisation_id)
        .bind(input.owner_id)
        .bind(input.custodian_id)
        .bind(input.location_id)
        .bind(input.service_id)
        .bind(input.lifecycle.as_str())
        .bind(SqlTime(write.now))
        .bind(i32::from(input.classification.confidentiality.value()))
        .bind(i32::from(input.classification.integrity.value()))
        .bind(i32::from(input.classification.availability.value()))
        .bind(input.classification.label.as_str())
        .bind(input.min_up.and_then(|n| i32::try_from(n).ok()))
        .bind(&attributes)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    let changes = record_version(write, tx, id, cause).await?;
    Ok((id, audit_entry(Action::Create, id, &changes, cause)))
}

/// Saves `input` over the CI if it is still at `version`, with a new version caused by `cause`.
/// A save that changes nothing writes nothing.
pub async fn update(
    write: &Write,
    id: CiId,
    version: i64,
    input: CiInput,
    cause: &Cause,
) -> Result<Ci> {
    let mut tx = write.begin().await?;
    let (_, edit) = save(write, &mut tx, id, Some(version), input, cause).await?;
    match edit {
        Some(edit) => write.commit(tx, edit).await?,
        // Not audited: the save changed nothing but the record's version and time.
        None => tx.commit().await?,
    }
    get(&write.db, id).await
}

/// [`update`] inside the caller's transaction; `version` None takes the record as it is (for
/// processes such as a change being implemented, which hold no form version).
pub async fn overwrite(
    write: &Write,
    tx: &mut Tx,
    id: CiId,
    version: Option<i64>,
    input: CiInput,
    cause: &Cause,
) -> Result<Diff> {
    let (changes, edit) = save(write, tx, id, version, input, cause).await?;
    if let Some(edit) = edit {
        write.record(tx, edit).await?;
    }
    Ok(changes)
}

/// Saves `input` over the CI and writes its new version; returns the difference and the audit
/// entry, none when nothing changed.
async fn save(
    write: &Write,
    tx: &mut Tx,
    id: CiId,
    version: Option<i64>,
    input: CiInput,
    cause: &Cause,
) -> Result<(Diff, Option<Edit>)> {
    let current = find(tx, id)
        .await?
        .ok_or(Error::NotFound { entity: "CI" })?;
    if input.class_key != current.class_key {
        return Err(Error::invalid(
            "class_key",
            "a CI keeps its class; retire it and add a CI of the other class",
        ));
    }
    check_references(tx, Some(id), &input).await?;
    check_cause(tx, cause).await?;
    let attributes = super::to_json(&input.attributes)?;
    let version = version.unwrap_or(current.version);
    let changed = run!(tx, |c| {
        sqlx::query(
            "UPDATE cis SET name = $2, description = $3, organisation_id = $4, owner_id = $5, \
             custodian_id = $6, location_id = $7, service_id = $8, lifecycle = $9, \
             confidentiality = $10, integrity = $11, availability = $12, label = $13, min_up = $14, \
             attributes = $15, updated_at = $16, version = version + 1 WHERE id = $1 AND version = $17",
        )
        .bind(id)
        .bind(input.name.as_str())
        .bind(input.description.as_str())
        .bind(input.organisation_id)
        .bind(input.owner_id)
        .bind(input.custodian_id)
        .bind(input.location_id)
        .bind(input.service_id)
        .bind(input.lifecycle.as_str())
        .bind(i32::from(input.classification.confidentiality.value()))
        .bind(i32::from(input.classification.integrity.value()))
        .bind(i32::from(input.classification.availability.value()))
        .bind(input.classification.label.as_str())
        .bind(input.min_up.and_then(|n| i32::try_from(n).ok()))
        .bind(&attributes)
        .bind(SqlTime(write.now))
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    tx.check_updated(changed, "cis", id.0, "CI").await?;
    let changes = record_version(write, tx, id, cause).await?;
    let edit = (!changes.is_empty()).then(|| audit_entry(Action::Update, id, &changes, cause));
    Ok((changes, edit))
}

/// Applies `update` (attribute keys, or `lifecycle`, to new values; an empty value removes an
/// attribute) to the CI inside the caller's transaction, as a new version caused by `cause`:
/// the one way another capability (a change being implemented) writes CI configuration. The
/// result is checked against the CI's class like any save; returns the difference and the
/// version now current.
pub async fn apply_update(
    write: &Write,
    tx: &mut Tx,
    id: CiId,
    update: &Attributes,
    cause: &Cause,
) -> Result<(Diff, i64)> {
    let input = updated(tx, id, update).await?;
    let changes = overwrite(write, tx, id, None, input, cause).await?;
    let (version, _) = last_snapshot(tx, id).await?.unwrap_or_default();
    Ok((changes, version))
}

/// Checks that `update` would be accepted by [`apply_update`] now, writing nothing: a change
/// checks its planned updates when it is saved, not only when it is implemented.
pub async fn check_update(handle: &mut impl Handle, id: CiId, update: &Attributes) -> Result<()> {
    updated(handle, id, update).await.map(|_| ())
}

/// The CI `id` with `update` applied, checked against its class; errors name the CI.
async fn updated(handle: &mut impl Handle, id: CiId, update: &Attributes) -> Result<CiInput> {
    let ci = find(handle, id)
        .await?
        .ok_or(Error::NotFound { entity: "CI" })?;
    let class = super::classes::find(handle, ci.class_key.as_str())
        .await?
        .ok_or(Error::NotFound { entity: "CI class" })?;
    let mut draft = ci.draft();
    for (key, value) in update {
        match key.as_str() {
            "lifecycle" => draft.lifecycle = value.clone(),
            _ => {
                draft.attributes.insert(key.clone(), value.clone());
            }
        }
    }
    draft.validate(&class).map_err(|e| match e {
        Error::Invalid(errors) => Error::Invalid(
            errors
                .into_iter()
                .map(|e| FieldError::new(format!("{}: {}", ci.name, e.field), e.message))
                .collect(),
        ),
        other => other,
    })
}

/// Records how the CI works now (operational, degraded, down), with an audit entry and no new
/// version: the operational state is not configuration.
pub async fn set_operational(
    write: &Write,
    id: CiId,
    state: OperationalState,
    note: &str,
) -> Result<Ci> {
    let mut tx = write.begin().await?;
    let before = find(&mut tx, id)
        .await?
        .ok_or(Error::NotFound { entity: "CI" })?;
    if before.operational == state {
        // Not audited: the CI already works so; nothing was written.
        tx.commit().await?;
    } else {
        run!(&mut tx, |c| {
            sqlx::query("UPDATE cis SET operational = $2, operational_since = $3 WHERE id = $1")
                .bind(id)
                .bind(state.as_str())
                .bind(SqlTime(write.now))
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        super::bump_generation(&mut tx).await?;
        write
            .commit(
                tx,
                Edit::updated(
                    "CI",
                    id,
                    &[
                        ("operational", before.operational.as_str().to_owned()),
                        ("note", String::new()),
                    ],
                    &[
                        ("operational", state.as_str().to_owned()),
                        ("note", note.trim().to_owned()),
                    ],
                ),
            )
            .await?;
    }
    get(&write.db, id).await
}

/// How often every CI in use is reviewed: at least once a year.
pub const REVIEW_INTERVAL: time::Duration = time::Duration::days(365);

/// Records that a person confirmed the CI's record as it stands (asset review), with an audit
/// entry and no new version: a review changes nothing of the configuration.
pub async fn review(write: &Write, id: CiId, note: &str) -> Result<Ci> {
    let mut tx = write.begin().await?;
    let before = find(&mut tx, id)
        .await?
        .ok_or(Error::NotFound { entity: "CI" })?;
    if before.lifecycle == Lifecycle::Retired {
        return Err(Error::conflict(
            "a retired CI is not reviewed; its record stays as it was retired",
        ));
    }
    let changed = run!(&mut tx, |c| {
        sqlx::query("UPDATE cis SET reviewed_at = $2, reviewed_by = $3 WHERE id = $1")
            .bind(id)
            .bind(SqlTime(write.now))
            .bind(&write.actor.label)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    write
        .commit_update(
            tx,
            changed,
            "cis",
            id.0,
            Edit::updated(
                "CI",
                id,
                &[
                    (
                        "reviewed",
                        before
                            .reviewed
                            .as_ref()
                            .map(|(at, by)| format!("{} by {by}", at.date()))
                            .unwrap_or_default(),
                    ),
                    ("review note", String::new()),
                ],
                &[
                    (
                        "reviewed",
                        format!("{} by {}", write.now.date(), write.actor.label),
                    ),
                    ("review note", note.trim().to_owned()),
                ],
            ),
        )
        .await?;
    get(&write.db, id).await
}

/// The CIs in use whose review is due at `now`: never reviewed, or last reviewed more than
/// [`REVIEW_INTERVAL`] ago; by owner, then name.
pub async fn reviews_due(db: &Db, now: OffsetDateTime) -> Result<Vec<Ci>> {
    let sql = format!(
        "{SELECT} WHERE c.lifecycle <> 'retired' AND (c.reviewed_at IS NULL OR c.reviewed_at < $1) \
         ORDER BY COALESCE(ow.name, ''), c.name"
    );
    let rows: Vec<CiRow> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(SqlTime(now - REVIEW_INTERVAL))
            .fetch_all(c)
            .await
    })?;
    rows.into_iter().map(CiRow::into_ci).collect()
}

/// Deletes a planned CI that nothing refers to; any other CI is retired instead, so that its
/// history stays.
pub async fn delete(write: &Write, id: CiId) -> Result<()> {
    let mut tx = write.begin().await?;
    let ci = find(&mut tx, id)
        .await?
        .ok_or(Error::NotFound { entity: "CI" })?;
    if ci.lifecycle != Lifecycle::Planned {
        return Err(Error::conflict(format!(
            "{} is {}; only a planned CI is deleted, any other is retired so that its history stays",
            ci.reference(),
            ci.lifecycle.label().to_lowercase()
        )));
    }
    let references: i64 = run!(&mut tx, |c| {
        sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM ci_relations WHERE source_id = $1 OR target_id = $1) \
             + (SELECT count(*) FROM cis WHERE location_id = $1)",
        )
        .bind(id)
        .fetch_one(c)
        .await
    })?;
    if references > 0 {
        return Err(Error::conflict(format!(
            "{} has {references} relations; remove them first",
            ci.reference()
        )));
    }
    let before = ci.snapshot(&[]);
    tx.delete_by_id("cis", id.0).await?;
    super::bump_generation(&mut tx).await?;
    let fields: Vec<(String, String)> = before.into_iter().collect();
    write.commit(tx, Edit::deleted("CI", id, &fields)).await
}

/// One version of a CI, as its history lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub version: i64,
    pub at: OffsetDateTime,
    pub actor: String,
    pub cause: CauseKind,
    /// The ticket it was made for: (id, number).
    pub ticket: Option<(TicketId, i64)>,
    pub change_id: Option<ChangeId>,
    pub reason: String,
    pub diff: Diff,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    at: OffsetDateTime,
    actor_label: String,
    cause_kind: String,
    cause_ticket_id: Option<TicketId>,
    ticket_number: Option<i64>,
    cause_change_id: Option<ChangeId>,
    reason: String,
    diff: String,
}

impl VersionRow {
    fn into_version(self) -> Result<Version> {
        let corrupt =
            |e: String| Error::Storage(format!("CI version {}: {e}", self.version).into());
        Ok(Version {
            version: self.version,
            at: self.at,
            actor: self.actor_label,
            cause: CauseKind::parse("cause", &self.cause_kind)
                .map_err(|e| corrupt(e.to_string()))?,
            ticket: self.cause_ticket_id.zip(self.ticket_number),
            change_id: self.cause_change_id,
            reason: self.reason,
            diff: serde_json::from_str(&self.diff).map_err(|e| corrupt(e.to_string()))?,
        })
    }
}

const VERSIONS: &str = "SELECT v.version, v.at, v.actor_label, v.cause_kind, v.cause_ticket_id, \
     t.number AS ticket_number, v.cause_change_id, v.reason, v.diff FROM ci_versions v \
     LEFT JOIN ticket_refs t ON t.id = v.cause_ticket_id";

/// The versions of `id`, newest first, at most `limit` of them older than `before` (if given).
pub async fn versions(db: &Db, id: CiId, before: Option<i64>, limit: i64) -> Result<Vec<Version>> {
    let sql = format!(
        "{VERSIONS} WHERE v.ci_id = $1 AND ($2 IS NULL OR v.version < $2) \
         ORDER BY v.version DESC LIMIT $3"
    );
    let mut conn = db.conn().await?;
    let rows: Vec<VersionRow> = run!(&mut conn, |c| {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .bind(before)
            .bind(limit)
            .fetch_all(c)
            .await
    })?;
    rows.into_iter().map(VersionRow::into_version).collect()
}

/// Version `version` of `id` with its whole record.
pub async fn version(db: &Db, id: CiId, version: i64) -> Result<(Version, Snapshot)> {
    let sql = format!("{VERSIONS} WHERE v.ci_id = $1 AND v.version = $2");
    let mut conn = db.conn().await?;
    let row: Option<VersionRow> = run!(&mut conn, |c| {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .bind(version)
            .fetch_optional(c)
            .await
    })?;
    let snapshot: Option<String> = run!(&mut conn, |c| {
        sqlx::query_scalar("SELECT snapshot FROM ci_versions WHERE ci_id = $1 AND version = $2")
            .bind(id)
            .bind(version)
            .fetch_optional(c)
            .await
    })?;
    match (row, snapshot) {
        (Some(row), Some(snapshot)) => Ok((
            row.into_version()?,
            serde_json::from_str(&snapshot).map_err(|e| Error::Storage(Box::new(e)))?,
        )),
        _ => Err(Error::NotFound {
            entity: "CI version",
        }),
    }
}
