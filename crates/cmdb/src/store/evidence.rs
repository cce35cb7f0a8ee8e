//! The `baselines`, `baseline_items`, `reconciliations` and `reconciliation_items` tables:
//! named snapshots of a set of CIs and their comparison with the present, and the runs that
//! compare an inventory of what was actually found with the records.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sqlx::AssertSqlSafe;
use tandem_audit::{Edit, Write};
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{Error, FieldError, Result, entity_id};
use tandem_storage::{Db, ResultExt, SqlTime, Tx, Unique, run};
use time::OffsetDateTime;

use super::{cis, to_json};
use crate::baseline::{self, BaselineItem, CurrentItem, Line};
use crate::ci::{Ci, CiId, Lifecycle};
use crate::class::ClassKey;
use crate::reconcile::{self, Counts, Found, Known, Outcome, OutcomeKind};

entity_id!(
    /// A baseline's id.
    BaselineId
);

entity_id!(
    /// A reconciliation run's id.
    RunId
);

/// Which CIs a baseline covers; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// A class key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<ClassKey>,
    /// A location CI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<CiId>,
    /// The start of the CIs' names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

impl Scope {
    /// Whether `ci` is in the scope now (retired CIs never are).
    pub fn covers(&self, ci: &Ci) -> bool {
        ci.lifecycle != Lifecycle::Retired
            && self.class.as_ref().is_none_or(|c| *c == ci.class_key)
            && self
                .location
                .is_none_or(|l| ci.location.as_ref().is_some_and(|(id, _, _)| *id == l))
            && self
                .prefix
                .as_ref()
                .is_none_or(|p| ci.name.starts_with(p.as_str()))
    }

    /// The scope in words: `class virtual-machine, names starting mgmt-`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(class) = &self.class {
            parts.push(format!("class {class}"));
        }
        if self.location.is_some() {
            parts.push("one location".to_owned());
        }
        if let Some(prefix) = &self.prefix {
            parts.push(format!("names starting {prefix}"));
        }
        if parts.is_empty() {
            "every CI in use".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// A baseline as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    pub id: BaselineId,
    pub name: String,
    pub description: String,
    pub scope: Scope,
    pub taken_at: OffsetDateTime,
    pub taken_by: String,
    pub items: i64,
}

const UNIQUE: &[Unique] = &[Unique {
    target: "baselines.name",
    field: "name",
    message: "another baseline already has this name",
}];

/// Takes a baseline: the newest version of every CI in `scope` now.
pub async fn take_baseline(
    write: &Write,
    name: &Name,
    description: &Note,
    scope: &Scope,
) -> Result<BaselineId> {
    let covered: Vec<Ci> = cis::all(&write.db)
        .await?
        .into_iter()
        .filter(|ci| scope.covers(ci))
        .collect();
    if covered.is_empty() {
        return Err(Error::invalid(
            "scope",
            "no CI in use is in this scope; a baseline needs at least one",
        ));
    }
    let id = BaselineId::generate();
    let mut tx = write.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO baselines (id, name, description, scope, taken_at, taken_by) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(name.as_str())
        .bind(description.as_str())
        .bind(to_json(scope)?)
        .bind(SqlTime(write.now))
        .bind(&write.actor.label)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    for ci in &covered {
        let Some((version, snapshot)) = cis::last_snapshot(&mut tx, ci.id).await? else {
            continue;
        };
        let snapshot = to_json(&snapshot)?;
        run!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO baseline_items (baseline_id, ci_id, reference, version, snapshot) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(ci.id)
            .bind(ci.reference())
            .bind(version)
            .bind(&snapshot)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    write
        .commit(
            tx,
            Edit::created(
                "baseline",
                id,
                &[
                    ("name", name.as_str().to_owned()),
                    ("scope", scope.describe()),
                    ("CIs", covered.len().to_string()),
                ],
            ),
        )
        .await?;
    Ok(id)
}

type BaselineRow = (
    BaselineId,
    String,
    String,
    String,
    OffsetDateTime,
    String,
    i64,
);

const BASELINES: &str = "SELECT b.id, b.name, b.description, b.scope, b.taken_at, b.taken_by, \
     (SELECT count(*) FROM baseline_items i WHERE i.baseline_id = b.id) FROM baselines b";

fn baseline_of(row: BaselineRow) -> Result<Baseline> {
    Ok(Baseline {
        id: row.0,
        name: row.1,
        description: row.2,
        scope: serde_json::from_str(&row.3).map_err(|e| Error::Storage(Box::new(e)))?,
        taken_at: row.4,
        taken_by: row.5,
        items: row.6,
    })
}

/// Every baseline, newest first.
pub async fn baselines(db: &Db) -> Result<Vec<Baseline>> {
    let sql = format!("{BASELINES} ORDER BY b.taken_at DESC, b.name");
    let rows: Vec<BaselineRow> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .fetch_all(c)
            .await
    })?;
    rows.into_iter().map(baseline_of).collect()
}

/// A baseline compared with the present: its CIs and those in its scope now.
pub async fn compare_baseline(db: &Db, id: BaselineId) -> Result<(Baseline, Vec<Line>)> {
    let sql = format!("{BASELINES} WHERE b.id = $1");
    let mut conn = db.conn().await?;
    let row: Option<BaselineRow> = run!(&mut conn, |c| {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    let found = row
        .map(baseline_of)
        .transpose()?
        .ok_or(Error::NotFound { entity: "baseline" })?;
    let items: Vec<(CiId, String, i64, String)> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT ci_id, reference, version, snapshot FROM baseline_items WHERE baseline_id = $1",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    let held: Vec<BaselineItem> = items
        .into_iter()
        .map(|(ci_id, reference, version, snapshot)| {
            Ok(BaselineItem {
                ci_id,
                reference,
                version,
                snapshot: serde_json::from_str(&snapshot)
                    .map_err(|e| Error::Storage(Box::new(e)))?,
            })
        })
        .collect::<Result<_>>()?;
    let in_baseline: BTreeSet<CiId> = held.iter().map(|i| i.ci_id).collect();
    let mut current = Vec::new();
    for ci in cis::all(db).await? {
        if !(found.scope.covers(&ci) || in_baseline.contains(&ci.id)) {
            continue;
        }
        if let Some((version, snapshot)) = cis::last_snapshot(&mut conn, ci.id).await? {
            current.push(CurrentItem {
                ci_id: ci.id,
                reference: ci.reference(),
                version,
                lifecycle: ci.lifecycle,
                snapshot,
            });
        }
    }
    Ok((found, baseline::compare(&held, &current)))
}

/// A reconciliation run as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub id: RunId,
    pub source: String,
    pub match_on: String,
    pub clock_threshold_ms: i64,
    pub run_at: OffsetDateTime,
    pub run_by: String,
    pub found: i64,
    pub counts: Counts,
}

/// What an inventory is compared against: its source, the attribute that identifies a CI
/// (`name` for the CI's name), an optional location, and the clock threshold.
#[derive(Debug, Clone)]
pub struct Inventory {
    pub source: String,
    pub match_on: String,
    pub location: Option<CiId>,
    pub clock_threshold_ms: i64,
    pub found: Vec<Found>,
}

/// The CIs `inventory` is compared with: those in use of the classes it reports, in its
/// location if it names one.
fn known(all: &[Ci], inventory: &Inventory) -> Vec<Known> {
    let classes: BTreeSet<&str> = inventory
        .found
        .iter()
        .map(|f| f.class_key.as_str())
        .collect();
    all.iter()
        .filter(|ci| ci.lifecycle != Lifecycle::Retired && classes.contains(ci.class_key.as_str()))
        .filter(|ci| {
            inventory
                .location
                .is_none_or(|l| ci.location.as_ref().is_some_and(|(id, _, _)| *id == l))
        })
        .map(|ci| Known {
            ci_id: ci.id,
            reference: ci.reference(),
            class_key: ci.class_key.clone(),
            key: if inventory.match_on == "name" {
                Some(ci.name.clone())
            } else {
                ci.attributes.get(&inventory.match_on).cloned()
            },
            lifecycle: ci.lifecycle,
            attributes: ci.attributes.clone(),
        })
        .collect()
}

/// Compares `inventory` with the records; unless `dry_run`, keeps the run and its findings.
pub async fn reconcile(
    write: &Write,
    inventory: &Inventory,
    dry_run: bool,
) -> Result<(Option<RunId>, Vec<Outcome>)> {
    let all = cis::all(&write.db).await?;
    let outcomes = reconcile::reconcile(
        &inventory.found,
        &known(&all, inventory),
        inventory.clock_threshold_ms,
    );
    if dry_run {
        return Ok((None, outcomes));
    }
    let counts = reconcile::outcome_counts(&outcomes);
    let id = RunId::generate();
    let mut tx = write.begin().await?;
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO reconciliations (id, source, match_on, clock_threshold_ms, run_at, run_by, \
             found, missing, unknown, changed, matched, duplicate) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(id)
        .bind(&inventory.source)
        .bind(&inventory.match_on)
        .bind(inventory.clock_threshold_ms)
        .bind(SqlTime(write.now))
        .bind(&write.actor.label)
        .bind(count(inventory.found.len()))
        .bind(count(counts.missing))
        .bind(count(counts.unknown))
        .bind(count(counts.changed))
        .bind(count(counts.matched))
        .bind(count(counts.duplicate))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    for (seq, outcome) in (1_i64..).zip(&outcomes) {
        write_item(&mut tx, id, seq, outcome).await?;
    }
    write
        .commit(
            tx,
            Edit::created(
                "reconciliation",
                id,
                &[
                    ("source", inventory.source.clone()),
                    ("found", inventory.found.len().to_string()),
                    ("missing", counts.missing.to_string()),
                    ("unknown", counts.unknown.to_string()),
                    ("changed", counts.changed.to_string()),
                ],
            ),
        )
        .await?;
    Ok((Some(id), outcomes))
}

/// A finding as stored: (outcome, CI, reference, line, field, expected, found).
type ItemParts<'a> = (
    OutcomeKind,
    Option<CiId>,
    &'a str,
    Option<i64>,
    &'a str,
    &'a str,
    &'a str,
);

/// The columns of a finding.
pub fn parts(outcome: &Outcome) -> ItemParts<'_> {
    let line = |l: &u64| i64::try_from(*l).ok();
    match outcome {
        Outcome::Missing { ci_id, reference } => (
            OutcomeKind::Missing,
            Some(*ci_id),
            reference,
            None,
            "",
            "",
            "",
        ),
        Outcome::Unknown {
            line: l,
            class_key,
            key,
        } => (
            OutcomeKind::Unknown,
            None,
            key,
            line(l),
            "class",
            "",
            class_key,
        ),
        Outcome::Changed {
            ci_id,
            reference,
            field,
            expected,
            found,
        } => (
            OutcomeKind::Changed,
            Some(*ci_id),
            reference,
            None,
            field,
            expected,
            found,
        ),
        Outcome::Matched { ci_id, reference } => (
            OutcomeKind::Matched,
            Some(*ci_id),
            reference,
            None,
            "",
            "",
            "",
        ),
        Outcome::Duplicate { line: l, key } => {
            (OutcomeKind::Duplicate, None, key, line(l), "", "", "")
        }
    }
}

async fn write_item(tx: &mut Tx, id: RunId, seq: i64, outcome: &Outcome) -> Result<()> {
    let (kind, ci, reference, line, field, expected, found) = parts(outcome);
    run!(tx, |c| {
        sqlx::query(
            "INSERT INTO reconciliation_items (run_id, seq, outcome, ci_id, reference, line, field, \
             expected, found) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(seq)
        .bind(kind.as_str())
        .bind(ci)
        .bind(reference)
        .bind(line)
        .bind(field)
        .bind(expected)
        .bind(found)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

type RunRow = (
    RunId,
    String,
    String,
    i64,
    OffsetDateTime,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

const RUNS: &str = "SELECT id, source, match_on, clock_threshold_ms, run_at, run_by, found, missing, \
     unknown, changed, matched, duplicate FROM reconciliations";

fn run_of(r: RunRow) -> Run {
    let n = |v: i64| usize::try_from(v).unwrap_or(0);
    Run {
        id: r.0,
        source: r.1,
        match_on: r.2,
        clock_threshold_ms: r.3,
        run_at: r.4,
        run_by: r.5,
        found: r.6,
        counts: Counts {
            missing: n(r.7),
            unknown: n(r.8),
            changed: n(r.9),
            matched: n(r.10),
            duplicate: n(r.11),
        },
    }
}

/// Every kept run, newest first.
pub async fn runs(db: &Db) -> Result<Vec<Run>> {
    let sql = format!("{RUNS} ORDER BY run_at DESC, id DESC");
    let rows: Vec<RunRow> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .fetch_all(c)
            .await
    })?;
    Ok(rows.into_iter().map(run_of).collect())
}

/// A finding of a kept run, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub outcome: OutcomeKind,
    pub ci_id: Option<CiId>,
    pub reference: String,
    pub line: Option<i64>,
    pub field: String,
    pub expected: String,
    pub found: String,
}

/// A kept run and its findings.
pub async fn run(db: &Db, id: RunId) -> Result<(Run, Vec<Finding>)> {
    let sql = format!("{RUNS} WHERE id = $1");
    let mut conn = db.conn().await?;
    let row: Option<RunRow> = run!(&mut conn, |c| {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    let found = row.map(run_of).ok_or(Error::NotFound {
        entity: "reconciliation",
    })?;
    type Row = (
        String,
        Option<CiId>,
        String,
        Option<i64>,
        String,
        String,
        String,
    );
    let items: Vec<Row> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT outcome, ci_id, reference, line, field, expected, found FROM reconciliation_items \
             WHERE run_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    let corrupt = |e: FieldError| Error::Storage(format!("reconciliation {id}: {e}").into());
    let findings = items
        .into_iter()
        .map(
            |(outcome, ci_id, reference, line, field, expected, found)| {
                Ok(Finding {
                    outcome: OutcomeKind::parse("outcome", &outcome).map_err(corrupt)?,
                    ci_id,
                    reference,
                    line,
                    field,
                    expected,
                    found,
                })
            },
        )
        .collect::<Result<_>>()?;
    Ok((found, findings))
}

/// The findings of `outcomes` in the stored shape, for a dry run's answer.
pub fn findings(outcomes: &[Outcome]) -> Vec<Finding> {
    outcomes
        .iter()
        .map(|o| {
            let (outcome, ci_id, reference, line, field, expected, found) = parts(o);
            Finding {
                outcome,
                ci_id,
                reference: reference.to_owned(),
                line,
                field: field.to_owned(),
                expected: expected.to_owned(),
                found: found.to_owned(),
            }
        })
        .collect()
}
