//! CIs in and out of CSV files: the export of every CI, and the import that checks every row
//! (its shape, then its names against the directory, the service catalogue and the CMDB, then
//! its values against its class) and writes nothing until the whole file is clean. A clean
//! file is written in one transaction: new CIs are created, numbered rows update their CI, each
//! change a version caused by the import.

use std::collections::BTreeMap;

use tandem_audit::Write;
use tandem_kernel::{FieldError, Result};
use tandem_storage::{Db, run};
use uuid::Uuid;

use super::{cis, classes};
use crate::ci::{Ci, CiDraft, CiId, CiInput};
use crate::class::{CiClass, ClassKey};
use crate::csv_io::{self, ExportRow, ImportRow, LineError};
use crate::version::{Cause, CauseKind};

/// Every CI as a row of the export, by name.
pub async fn export(db: &Db) -> Result<Vec<u8>> {
    let rows: Vec<ExportRow> = cis::all(db)
        .await?
        .into_iter()
        .map(|ci| ExportRow {
            number: ci.number,
            class_key: ci.class_key.to_string(),
            name: ci.name.clone(),
            description: ci.description.clone(),
            organisation: ci.organisation.map(|(_, n)| n).unwrap_or_default(),
            owner: ci.owner.map(|(_, n)| n).unwrap_or_default(),
            custodian: ci.custodian.map(|(_, n)| n).unwrap_or_default(),
            location: ci.location.map(|(_, _, n)| n).unwrap_or_default(),
            service: ci.service.map(|(_, n)| n).unwrap_or_default(),
            lifecycle: ci.lifecycle.as_str().to_owned(),
            confidentiality: ci.classification.confidentiality.value(),
            integrity: ci.classification.integrity.value(),
            availability: ci.classification.availability.value(),
            label: ci.classification.label.as_str().to_owned(),
            min_up: ci.min_up,
            attributes: ci.attributes,
        })
        .collect();
    Ok(csv_io::write(&rows))
}

/// What an import did, or would do on a dry run; with errors, it did nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<LineError>,
    pub dry_run: bool,
}

/// The names a file may use, looked up once.
struct Names {
    classes: BTreeMap<String, CiClass>,
    customers: BTreeMap<String, Uuid>,
    /// E-mail (lower case) or name to person; a name two people share maps to `None`.
    people: BTreeMap<String, Option<Uuid>>,
    services: BTreeMap<String, Uuid>,
    /// Name or number (`CI-000012`) of every CI to (id, class, lifecycle).
    cis: BTreeMap<String, (CiId, ClassKey)>,
    by_number: BTreeMap<i64, Ci>,
}

impl Names {
    async fn load(db: &Db) -> Result<Self> {
        let mut conn = db.conn().await?;
        let customers: Vec<(Uuid, String)> = run!(&mut conn, |c| {
            sqlx::query_as("SELECT id, name FROM organisation_refs WHERE kind = 'customer'")
                .fetch_all(c)
                .await
        })?;
        let people: Vec<(Uuid, String, String)> = run!(&mut conn, |c| {
            sqlx::query_as("SELECT id, name, email FROM person_refs")
                .fetch_all(c)
                .await
        })?;
        let services: Vec<(Uuid, String)> = run!(&mut conn, |c| {
            sqlx::query_as("SELECT id, name FROM service_refs")
                .fetch_all(c)
                .await
        })?;
        drop(conn);
        let mut by_person: BTreeMap<String, Option<Uuid>> = BTreeMap::new();
        for (id, name, email) in people {
            by_person.insert(email.to_lowercase(), Some(id));
            by_person
                .entry(name)
                .and_modify(|seen| *seen = None)
                .or_insert(Some(id));
        }
        let all = cis::all(db).await?;
        let mut names = BTreeMap::new();
        for ci in &all {
            names.insert(ci.name.clone(), (ci.id, ci.class_key.clone()));
            names.insert(ci.number_text(), (ci.id, ci.class_key.clone()));
        }
        Ok(Self {
            classes: classes::all(db)
                .await?
                .into_iter()
                .map(|c| (c.key.to_string(), c))
                .collect(),
            customers: customers.into_iter().map(|(id, n)| (n, id)).collect(),
            people: by_person,
            services: services.into_iter().map(|(id, n)| (n, id)).collect(),
            cis: names,
            by_number: all.into_iter().map(|ci| (ci.number, ci)).collect(),
        })
    }
}

/// The CSV column of a field the CI's check names.
fn column(field: &str) -> String {
    match field {
        "organisation_id" => "organisation".into(),
        "owner_id" => "owner".into(),
        "custodian_id" => "custodian".into(),
        "location_id" => "location".into(),
        "service_id" => "service".into(),
        "class_key" => "class".into(),
        other => match other.strip_prefix("attributes.") {
            Some(key) => format!("attr.{key}"),
            None => other.to_owned(),
        },
    }
}

/// A row's CI, checked; the errors of the row otherwise.
fn check_row(names: &Names, row: &ImportRow) -> std::result::Result<CiInput, Vec<LineError>> {
    let line = row.line;
    let mut errors = Vec::new();
    let mut lookup = |field: &str, value: &str, found: Option<Option<Uuid>>, what: &str| {
        if value.trim().is_empty() {
            return String::new();
        }
        match found {
            Some(Some(id)) => id.to_string(),
            Some(None) => {
                errors.push(LineError::new(
                    line,
                    field,
                    format!("more than one {what} is called '{value}'; use the e-mail address"),
                ));
                String::new()
            }
            None => {
                errors.push(LineError::new(
                    line,
                    field,
                    format!("there is no {what} '{value}'"),
                ));
                String::new()
            }
        }
    };
    let person = |raw: &str| {
        names
            .people
            .get(&raw.trim().to_lowercase())
            .or_else(|| names.people.get(raw.trim()))
            .copied()
    };
    let organisation_id = lookup(
        "organisation",
        &row.organisation,
        names
            .customers
            .get(row.organisation.trim())
            .map(|id| Some(*id)),
        "customer",
    );
    let owner_id = lookup("owner", &row.owner, person(&row.owner), "person");
    let custodian_id = lookup(
        "custodian",
        &row.custodian,
        person(&row.custodian),
        "person",
    );
    let location_id = lookup(
        "location",
        &row.location,
        names.cis.get(row.location.trim()).map(|(id, _)| Some(id.0)),
        "location CI",
    );
    let service_id = lookup(
        "service",
        &row.service,
        names.services.get(row.service.trim()).map(|id| Some(*id)),
        "service",
    );
    let Some(class) = names.classes.get(row.class_key.trim()) else {
        errors.push(LineError::new(
            line,
            "class",
            format!("there is no CI class '{}'", row.class_key),
        ));
        return Err(errors);
    };
    match row.number {
        Some(number) => match names.by_number.get(&number) {
            None => errors.push(LineError::new(
                line,
                "number",
                format!("there is no CI {}", crate::ci::number_text(number)),
            )),
            Some(ci) if ci.class_key != class.key => errors.push(LineError::new(
                line,
                "class",
                format!(
                    "{} is of the class {}; a CI keeps its class",
                    ci.reference(),
                    ci.class_key
                ),
            )),
            Some(ci) => {
                if let Some((other, _)) = names.cis.get(row.name.trim())
                    && *other != ci.id
                {
                    errors.push(LineError::new(
                        line,
                        "name",
                        "another CI already has this name",
                    ));
                }
            }
        },
        None => {
            if names.cis.contains_key(row.name.trim()) {
                errors.push(LineError::new(
                    line,
                    "name",
                    "another CI already has this name; give its number to update it",
                ));
            }
        }
    }
    let draft = CiDraft {
        class_key: class.key.to_string(),
        name: row.name.clone(),
        description: row.description.clone(),
        organisation_id,
        owner_id,
        custodian_id,
        location_id,
        service_id,
        lifecycle: row.lifecycle.clone(),
        confidentiality: row.confidentiality.clone(),
        integrity: row.integrity.clone(),
        availability: row.availability.clone(),
        label: row.label.clone(),
        min_up: row.min_up.clone(),
        attributes: row.attributes.clone(),
    };
    let checked = draft.validate(class);
    match checked {
        Ok(input) if errors.is_empty() => Ok(input),
        Ok(_) => Err(errors),
        Err(error) => {
            errors.extend(
                error
                    .field_errors()
                    .into_iter()
                    .map(|FieldError { field, message }| {
                        LineError::new(line, column(&field), message)
                    }),
            );
            Err(errors)
        }
    }
}

/// Imports `text`, a CSV file of CIs named `file`: every row is checked first, and nothing is
/// written unless all are clean; with `dry_run`, nothing is written at all.
pub async fn import(write: &Write, file: &str, text: &str, dry_run: bool) -> Result<ImportReport> {
    let rows = match csv_io::read(text) {
        Ok(rows) => rows,
        Err(errors) => {
            return Ok(ImportReport {
                errors,
                dry_run,
                ..ImportReport::default()
            });
        }
    };
    let names = Names::load(&write.db).await?;
    let mut checked = Vec::new();
    let mut errors = Vec::new();
    for row in &rows {
        match check_row(&names, row) {
            Ok(input) => checked.push((row, input)),
            Err(row_errors) => errors.extend(row_errors),
        }
    }
    let mut report = ImportReport {
        rows: rows.len(),
        dry_run,
        ..ImportReport::default()
    };
    if !errors.is_empty() {
        report.errors = errors;
        return Ok(report);
    }
    let mut tx = write.begin().await?;
    for (row, input) in &checked {
        let reason = match row.reason.trim() {
            "" => format!("import of {file}"),
            why => format!("import of {file}: {why}"),
        };
        let cause = Cause::process(CauseKind::Import, reason);
        let written = match row.number.and_then(|n| names.by_number.get(&n)) {
            None => cis::insert(write, &mut tx, input, &cause)
                .await
                .map(|_| (1, 0, 0)),
            Some(ci) => cis::overwrite(write, &mut tx, ci.id, None, input.clone(), &cause)
                .await
                .map(|diff| {
                    if diff.is_empty() {
                        (0, 0, 1)
                    } else {
                        (0, 1, 0)
                    }
                }),
        };
        match written {
            Ok((created, updated, unchanged)) => {
                report.created += created;
                report.updated += updated;
                report.unchanged += unchanged;
            }
            Err(error) => {
                let fields = error.field_errors();
                if fields.is_empty() {
                    return Err(error);
                }
                report.errors = fields
                    .into_iter()
                    .map(|e| LineError::new(row.line, column(&e.field), e.message))
                    .collect();
                // Dropping the transaction undoes the rows written before this one.
                return Ok(report);
            }
        }
    }
    // A dry run writes in the transaction too, so that it meets every refusal the real import
    // would, and then drops it: nothing is kept.
    if !dry_run {
        // Audited above: each row's write recorded its own entry.
        tx.commit().await?;
    }
    Ok(report)
}
