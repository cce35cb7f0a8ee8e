//! Reports over changes: the change log of seed 000 section 5.6, the change calendar, and the
//! CI versions no change explains (change reconciliation).

use std::collections::{BTreeMap, BTreeSet};

use tandem_cmdb::ci::CiId;
use tandem_cmdb::read;
use tandem_cmdb::relation::RelationKind;
use tandem_kernel::Result;
use tandem_storage::{Db, SqlTime, run};
use time::{Duration, OffsetDateTime};

use super::changes::{self, Change, Filter};
use crate::change::ChangeId;
use crate::export::LogRow;
use crate::lifecycle::CloseReason;

/// The CIs of the changes whose planned window overlaps `window` (of every change when it is
/// `None`) as (id, `CI-000012 mgmt-de-01`), by change id.
async fn hosts(
    db: &Db,
    window: Option<(OffsetDateTime, OffsetDateTime)>,
) -> Result<BTreeMap<ChangeId, Vec<(CiId, String)>>> {
    let (from, to) = (window.map(|w| SqlTime(w.0)), window.map(|w| SqlTime(w.1)));
    let rows: Vec<(ChangeId, CiId, i64, String)> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(
            "SELECT cc.change_id, ci.id, ci.number, ci.name FROM change_cis cc \
             JOIN ci_refs ci ON ci.id = cc.ci_id JOIN changes ch ON ch.id = cc.change_id \
             WHERE $1 IS NULL OR (ch.planned_start < $2 AND ch.planned_end > $1) \
             ORDER BY ci.name",
        )
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await
    })?;
    let mut hosts: BTreeMap<ChangeId, Vec<(CiId, String)>> = BTreeMap::new();
    for (change, ci, number, name) in rows {
        hosts.entry(change).or_default().push((
            ci,
            format!("{} {name}", tandem_cmdb::ci::number_text(number)),
        ));
    }
    Ok(hosts)
}

/// Every change, oldest first, as rows of the change log.
pub async fn change_log(db: &Db) -> Result<Vec<LogRow>> {
    let mut all = changes::list(db, &Filter::default(), i64::MAX / 2).await?;
    all.reverse();
    let mut hosts = hosts(db, None).await?;
    let name = |p: &Option<crate::lifecycle::PersonRef>| {
        p.as_ref().map(|p| p.name.clone()).unwrap_or_default()
    };
    Ok(all
        .into_iter()
        .map(|c| LogRow {
            number: c.number,
            owner: c.owner.name.clone(),
            initiator: c
                .initiator
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_else(|| c.initiator_label.clone()),
            cause: match &c.cause_ticket {
                Some((_, number, title)) => {
                    let ticket = format!("{} {title}", tandem_kernel::id::TICKETS.text(*number));
                    if c.cause_text.trim().is_empty() {
                        ticket
                    } else {
                        format!("{ticket}: {}", c.cause_text)
                    }
                }
                None => c.cause_text.clone(),
            },
            hosts: hosts
                .remove(&c.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, name)| name)
                .collect(),
            description: c.description.clone(),
            configuration: c.configuration.clone(),
            category: c.category,
            risk: c.risk,
            approver: name(&c.approver),
            approved_at: c.approved_at,
            actual_start: c.actual_start,
            success: c.success,
            planned_start: c.planned_start,
            planned_end: c.planned_end,
            actual_end: c.actual_end,
            fallback: c.fallback.clone(),
            implementer: name(&c.implementer),
            verifier: name(&c.verifier),
            state: c.state,
            template: c.template.as_ref().map(|t| t.1.clone()).unwrap_or_default(),
            risk_suggested: c.risk_suggested,
            risk_override_reason: c.risk_override_reason.clone(),
        })
        .collect())
}

/// A change on the calendar.
#[derive(Debug, Clone)]
pub struct Entry {
    pub change: Change,
    /// (id, `CI-000012 mgmt-de-01`).
    pub cis: Vec<(CiId, String)>,
}

impl Entry {
    /// The CIs as people read them.
    pub fn ci_names(&self) -> Vec<String> {
        self.cis.iter().map(|(_, name)| name.clone()).collect()
    }
}

/// The pairs of CIs among `entries` that are one relation apart (other than `connected-to`,
/// which carries no dependency).
async fn related(db: &Db, entries: &[Entry]) -> Result<BTreeSet<(CiId, CiId)>> {
    let ids: BTreeSet<CiId> = entries
        .iter()
        .flat_map(|e| e.cis.iter().map(|(id, _)| *id))
        .collect();
    if ids.len() < 2 {
        return Ok(BTreeSet::new());
    }
    let mut conn = db.conn().await?;
    let mut pairs = BTreeSet::new();
    for id in &ids {
        let relations = read::relations_from(&mut conn, *id).await?;
        pairs.extend(
            relations
                .into_iter()
                .filter(|(kind, target)| *kind != RelationKind::ConnectedTo && ids.contains(target))
                .map(|(_, target)| (*id, target)),
        );
    }
    Ok(pairs)
}

/// The changes whose planned window overlaps `[from, to)`, by start; rejected changes are left
/// out, and cancelled ones unless `cancelled` (a calendar feed lists them so that calendar
/// applications remove them).
pub async fn calendar(
    db: &Db,
    from: OffsetDateTime,
    to: OffsetDateTime,
    cancelled: bool,
) -> Result<Vec<Entry>> {
    let mut hosts = hosts(db, Some((from, to))).await?;
    Ok(changes::in_window(db, from, to, cancelled)
        .await?
        .into_iter()
        .map(|change| Entry {
            cis: hosts.remove(&change.id).unwrap_or_default(),
            change,
        })
        .collect())
}

/// A CI version that no change explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unexplained {
    pub ci_id: CiId,
    pub ci: String,
    pub version: i64,
    pub at: OffsetDateTime,
    pub actor: String,
    pub cause: String,
    pub reason: String,
}

/// How long after a change's actual end a CI version still counts as its work.
pub const GRACE: Duration = Duration::hours(1);

/// The versions of CIs in production or maintenance that no change explains, newest first.
/// A version is explained when its cause is a change that ran (implemented, verified, failed,
/// or closed after one of these) and it was made between the change's actual start and its
/// actual end plus [`GRACE`]. A CI's first version, its registration, is not a change to it,
/// and neither is an import, which records the inventory (reconciliation checks it against
/// what is found).
pub async fn unexplained_versions(db: &Db) -> Result<Vec<Unexplained>> {
    type Row = (
        CiId,
        i64,
        String,
        i64,
        OffsetDateTime,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<OffsetDateTime>,
        Option<OffsetDateTime>,
    );
    let rows: Vec<Row> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(
            "SELECT ci.id, ci.number, ci.name, v.version, v.at, v.actor_label, v.cause_kind, \
             v.reason, ch.state, ch.close_reason, ch.actual_start, ch.actual_end \
             FROM ci_version_refs v JOIN ci_refs ci ON ci.id = v.ci_id \
             LEFT JOIN changes ch ON ch.id = v.cause_change_id \
             WHERE ci.lifecycle IN ('production', 'maintenance') AND v.version > 1 \
             AND v.cause_kind <> 'import' \
             ORDER BY v.at DESC, ci.name",
        )
        .fetch_all(c)
        .await
    })?;
    Ok(rows
        .into_iter()
        .filter(|r| {
            let ran = match (r.8.as_deref(), r.9.as_deref()) {
                (Some("implemented" | "verified" | "failed"), _) => true,
                (Some("closed"), Some(reason)) => {
                    reason == CloseReason::Completed.as_str()
                        || reason == CloseReason::Failed.as_str()
                }
                _ => false,
            };
            let inside = match (r.10, r.11) {
                (Some(start), Some(end)) => start <= r.4 && r.4 <= end + GRACE,
                (Some(start), None) => start <= r.4,
                _ => false,
            };
            !(ran && inside)
        })
        .map(|r| Unexplained {
            ci_id: r.0,
            ci: format!("{} {}", tandem_cmdb::ci::number_text(r.1), r.2),
            version: r.3,
            at: r.4,
            actor: r.5,
            cause: r.6,
            reason: r.7,
        })
        .collect())
}

/// The change calendar as an iCalendar feed: changes from 30 days back to a year ahead and the
/// blackout periods in that time. Event ids are stable (`<id>@<host>`) and the sequence is the
/// change's version, so calendar applications update events in place.
pub async fn ical_feed(
    db: &Db,
    host: &str,
    base_url: &str,
    now: OffsetDateTime,
    (from, to): (OffsetDateTime, OffsetDateTime),
) -> Result<String> {
    let mut events = Vec::new();
    for entry in calendar(db, from, to, true).await? {
        let c = &entry.change;
        let (Some(starts), Some(ends)) = (c.planned_start, c.planned_end) else {
            continue;
        };
        let name = |p: &Option<crate::lifecycle::PersonRef>| {
            p.as_ref()
                .map_or("not named yet".to_owned(), |p| p.name.clone())
        };
        let mut description = vec![
            format!("State: {}", c.state.label()),
            format!("CIs: {}", entry.ci_names().join(", ")),
            format!("Implementer: {}", name(&c.implementer)),
            format!("Fallback: {}", c.fallback),
        ];
        if !c.customers_to_notify.is_empty() {
            description.push(format!(
                "Customers to notify: {}",
                c.customers_to_notify.join(", ")
            ));
        }
        events.push(crate::ical::CalendarEvent {
            uid: c.id.0,
            summary: format!(
                "{} [{}, {}]",
                c.reference(),
                c.category.as_str(),
                c.risk.map_or("risk not set", |r| r.as_str())
            ),
            description: description.join("\n"),
            location: entry.ci_names().join(", "),
            url: if base_url.is_empty() {
                String::new()
            } else {
                format!("{}/changes/{}", base_url.trim_end_matches('/'), c.id)
            },
            categories: vec![c.category.label().to_owned()],
            starts,
            ends,
            sequence: c.version,
            last_modified: c.updated_at,
            cancelled: c.close_reason == Some(CloseReason::Cancelled),
            opaque: true,
        });
    }
    for b in super::blackouts::between(db, from, to).await? {
        events.push(crate::ical::CalendarEvent {
            uid: b.id.0,
            summary: format!("Blackout: {}", b.name),
            description: b.reason.clone(),
            location: b.cis.join(", "),
            url: String::new(),
            categories: vec!["Blackout".to_owned()],
            starts: b.starts_at,
            ends: b.ends_at,
            sequence: 0,
            last_modified: b.created_at,
            cancelled: false,
            opaque: true,
        });
    }
    Ok(crate::ical::calendar(host, now, &events))
}

/// The conflicts among the changes of a calendar: on the same CI, on related CIs, and of
/// redundancy.
pub async fn conflicts(db: &Db, entries: &[Entry]) -> Result<Vec<crate::calendar::Conflict>> {
    let slots: Vec<crate::calendar::Slot> = entries
        .iter()
        .filter_map(|e| {
            Some(crate::calendar::Slot {
                number: e.change.number,
                start: e.change.planned_start?,
                end: e.change.planned_end?,
                cis: e.cis.clone(),
            })
        })
        .collect();
    let related = related(db, entries).await?;
    let mut found = crate::calendar::conflicts(&slots, &related);
    found.extend(redundancy_conflicts(db, &slots).await?);
    Ok(found)
}

/// The redundancy conflicts among `slots`: pairs of overlapping changes on different CIs that
/// together take down a service or cluster neither takes down alone, by impact analysis with
/// every named CI down.
async fn redundancy_conflicts(
    db: &Db,
    slots: &[crate::calendar::Slot],
) -> Result<Vec<crate::calendar::Conflict>> {
    let pairs = crate::calendar::overlapping(slots);
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let graph = tandem_cmdb::store::graph::load(db).await?;
    let down = |cis: &[&(CiId, String)]| {
        let ids: Vec<CiId> = cis.iter().map(|(id, _)| *id).collect();
        super::facts::down_services(&graph, &ids)
    };
    let mut found = Vec::new();
    for (i, j) in pairs {
        let (a, b) = (&slots[i], &slots[j]);
        let alone: BTreeSet<String> = down(&a.cis.iter().collect::<Vec<_>>())
            .union(&down(&b.cis.iter().collect::<Vec<_>>()))
            .cloned()
            .collect();
        let together = down(&a.cis.iter().chain(&b.cis).collect::<Vec<_>>());
        found.extend(crate::calendar::redundancy(a, b, &alone, &together));
    }
    Ok(found)
}
