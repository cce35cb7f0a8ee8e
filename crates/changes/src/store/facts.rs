//! What the life-cycle rules need to know of a stored change: the CAB, the
//! template, the change's window against blackouts and other changes, and the suggested risk
//! and customers from the CMDB's impact analysis.

use std::collections::{BTreeMap, BTreeSet};

use tandem_cmdb::ci::{CiId, Label, OperationalState};
use tandem_cmdb::store::graph::ImpactGraph;
use tandem_directory::PersonId;
use tandem_kernel::Result;
use tandem_storage::{Db, Handle, SqlTime, run};
use time::OffsetDateTime;

use super::changes::{CabVote, Change, Detail};
use crate::change::number_text;
use crate::lifecycle::{self, Blackout, Category, ChangeFacts, VerificationCheck};
use crate::risk::{self, AffectedCi, CustomerBands, NamedCi, Outage, Suggestion};

/// The stored votes as the rules read them.
pub fn cab_votes(votes: &[CabVote]) -> Vec<lifecycle::CabVote> {
    votes
        .iter()
        .map(|v| lifecycle::CabVote {
            voter: v.voter.clone(),
            vote: v.vote,
            comment: v.comment.clone(),
        })
        .collect()
}

/// Whether `person` belongs to a team of level `cab`.
pub async fn is_cab_member(handle: &mut impl Handle, person: PersonId) -> Result<bool> {
    let found: Option<i32> = run!(handle, |c| {
        sqlx::query_scalar(
            "SELECT 1 FROM team_member_refs m JOIN team_refs t ON t.id = m.team_id \
             WHERE t.level = 'cab' AND m.person_id = $1 LIMIT 1",
        )
        .bind(person)
        .fetch_optional(c)
        .await
    })?;
    Ok(found.is_some())
}

/// What a change's planned window runs into.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// Other scheduled or running changes whose window overlaps: on a shared CI
    /// (`C-000051 on CI-000012 mgmt-de-01`), or taking down together with this one what neither
    /// takes down alone (`C-000051, together with which it takes down Login service`).
    pub conflicts: Vec<String>,
    /// Blackout periods over the window that apply to this change.
    pub blackouts: Vec<Blackout>,
}

/// The services and clusters down when every CI of `cis` is down, by impact analysis.
/// CIs outside the graph (retired ones) are left out.
pub fn down_services(graph: &ImpactGraph, cis: &[CiId]) -> BTreeSet<String> {
    let roots: Vec<(CiId, OperationalState)> = cis
        .iter()
        .map(|id| (*id, OperationalState::Down))
        .filter(|(id, _)| graph.contains(*id))
        .collect();
    graph
        .analyse(&roots, false)
        .map(|report| {
            report
                .affected
                .into_iter()
                .filter(|a| {
                    a.state == OperationalState::Down
                        && matches!(a.node.class_key.as_str(), "service" | "cluster")
                })
                .map(|a| a.node.name)
                .collect()
        })
        .unwrap_or_default()
}

/// The conflicts and blackouts of `change`'s planned window (none without a window).
pub async fn window(db: &Db, handle: &mut impl Handle, change: &Change) -> Result<Window> {
    let (Some(start), Some(end)) = (change.planned_start, change.planned_end) else {
        return Ok(Window::default());
    };
    // The CIs of the scheduled or running changes whose window overlaps this one.
    let overlapping: Vec<(i64, CiId, i64, String)> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT o.number, ci.id, ci.number, ci.name FROM changes o \
             JOIN change_cis oc ON oc.change_id = o.id JOIN ci_refs ci ON ci.id = oc.ci_id \
             WHERE o.id <> $1 AND o.state IN ('scheduled', 'in-progress') \
             AND o.planned_start < $3 AND o.planned_end > $2 ORDER BY o.number, ci.number",
        )
        .bind(change.id)
        .bind(SqlTime(start))
        .bind(SqlTime(end))
        .fetch_all(c)
        .await
    })?;
    let blackouts: Vec<(String, OffsetDateTime, OffsetDateTime, bool)> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT b.name, b.starts_at, b.ends_at, b.allow_emergency FROM blackouts b \
             WHERE b.starts_at < $3 AND b.ends_at > $2 AND (b.all_cis OR EXISTS ( \
             SELECT 1 FROM blackout_cis bc JOIN change_cis cc ON cc.ci_id = bc.ci_id \
             WHERE bc.blackout_id = b.id AND cc.change_id = $1)) ORDER BY b.starts_at",
        )
        .bind(change.id)
        .bind(SqlTime(start))
        .bind(SqlTime(end))
        .fetch_all(c)
        .await
    })?;
    let mine: Vec<CiId> = super::changes::cis(handle, change.id)
        .await?
        .iter()
        .map(|c| c.ci_id)
        .collect();
    let mut found = Vec::new();
    let mut shared = BTreeSet::new();
    for (other, ci, number, name) in &overlapping {
        if mine.contains(ci) {
            shared.insert(*other);
            found.push(format!(
                "{} on {} {name}",
                number_text(*other),
                tandem_cmdb::ci::number_text(*number)
            ));
        }
    }
    let mut others: BTreeMap<i64, Vec<CiId>> = BTreeMap::new();
    for (other, ci, _, _) in overlapping {
        if !shared.contains(&other) {
            others.entry(other).or_default().push(ci);
        }
    }
    found.extend(redundancy(db, &mine, &others).await?);
    let emergency = change.category == Category::Emergency;
    Ok(Window {
        conflicts: found,
        blackouts: blackouts
            .into_iter()
            .filter(|(_, _, _, allow_emergency)| !(emergency && *allow_emergency))
            .map(|(name, from, to, _)| Blackout { name, from, to })
            .collect(),
    })
}

/// The overlapping changes on other CIs (`others`, by number) that, together with a change on
/// `mine`, take down a service or cluster that neither takes down alone.
async fn redundancy(
    db: &Db,
    mine: &[CiId],
    others: &BTreeMap<i64, Vec<CiId>>,
) -> Result<Vec<String>> {
    if others.is_empty() || mine.is_empty() {
        return Ok(Vec::new());
    }
    let graph = tandem_cmdb::store::graph::load(db).await?;
    let alone = down_services(&graph, mine);
    let mut found = Vec::new();
    for (number, theirs) in others {
        let both: Vec<CiId> = mine.iter().chain(theirs).copied().collect();
        let before: BTreeSet<String> = alone
            .union(&down_services(&graph, theirs))
            .cloned()
            .collect();
        let lost: Vec<String> = down_services(&graph, &both)
            .difference(&before)
            .cloned()
            .collect();
        if !lost.is_empty() {
            found.push(format!(
                "{}, together with which it takes down {}",
                number_text(*number),
                lost.join(", ")
            ));
        }
    }
    Ok(found)
}

/// The facts the life-cycle rules read, from the stored change. A CI counts as production when
/// it is in production or maintenance and not in another environment (a staging VM in use is
/// not production).
pub async fn of(handle: &mut impl Handle, detail: &Detail) -> Result<ChangeFacts> {
    let change = &detail.change;
    let template = match &change.template {
        Some((id, _)) => super::templates::find(handle, *id)
            .await?
            .map(|t| lifecycle::Template {
                active: t.active,
                approver: t.approver,
            }),
        None => None,
    };
    Ok(ChangeFacts {
        category: change.category,
        state: change.state,
        owner: change.owner.clone(),
        initiator: change.initiator.clone(),
        recorder: change.recorder.clone(),
        submitter: change.submitter.clone(),
        implementer: change.implementer.clone(),
        approver: change.approver.clone(),
        approved_at: change.approved_at,
        template,
        has_description: !change.description.trim().is_empty(),
        has_configuration: !change.configuration.trim().is_empty(),
        has_cause: !change.cause_text.trim().is_empty() || change.cause_ticket.is_some(),
        has_cis: !detail.cis.is_empty(),
        production_cis: detail
            .cis
            .iter()
            .filter(|ci| {
                ci.lifecycle.is_productive()
                    && ci.environment.as_deref().is_none_or(|e| e == "production")
            })
            .map(|ci| format!("{} {}", tandem_cmdb::ci::number_text(ci.number), ci.name))
            .collect(),
        risk: change.risk,
        risk_suggested: change.risk_suggested,
        risk_override_reason: change.risk_override_reason.clone(),
        has_fallback: !change.fallback.trim().is_empty(),
        planned_start: change.planned_start,
        planned_end: change.planned_end,
        actual_start: change.actual_start,
        blackouts: detail.blackouts.clone(),
        conflicts: detail.conflicts.clone(),
        conflicts_acknowledged: !change.conflicts_ack_reason.trim().is_empty(),
        votes: cab_votes(&detail.votes),
        checks: detail
            .checks
            .iter()
            .map(|c| VerificationCheck {
                text: c.text.clone(),
                result: c.result,
            })
            .collect(),
        fallback_carried_out: Some(change.fallback_carried_out.clone())
            .filter(|f| !f.trim().is_empty()),
        settings: super::settings::get(handle).await?.0,
    })
}

/// The impact of every CI in `cis` going down, if any is in use (retired CIs are outside the
/// graph).
async fn impact(db: &Db, cis: &[CiId]) -> Result<Option<tandem_cmdb::store::graph::Report>> {
    if cis.is_empty() {
        return Ok(None);
    }
    let graph = tandem_cmdb::store::graph::load(db).await?;
    let roots: Vec<(CiId, OperationalState)> = cis
        .iter()
        .map(|id| (*id, OperationalState::Down))
        .filter(|(id, _)| graph.contains(*id))
        .collect();
    if roots.is_empty() {
        return Ok(None);
    }
    graph.analyse(&roots, false).map(Some)
}

/// The suggested risk of a change on `cis`: their classification, the outage impact analysis
/// expects when they all go down, and the customers it reaches. `None` without CIs.
pub async fn suggest(db: &Db, cis: impl Iterator<Item = CiId>) -> Result<Option<Suggestion>> {
    let ids: Vec<CiId> = cis.collect();
    let Some(report) = impact(db, &ids).await? else {
        return Ok(None);
    };
    let mut named = Vec::new();
    let mut conn = db.conn().await?;
    for id in &ids {
        if let Some(ci) = tandem_cmdb::read::ci(&mut conn, *id).await? {
            let class = ci.classification;
            named.push(NamedCi {
                name: ci.name,
                confidentiality: class.confidentiality.value(),
                integrity: class.integrity.value(),
                availability: class.availability.value(),
                secret: class.label == Label::Secret,
            });
        }
    }
    let affected: Vec<AffectedCi> = report
        .affected
        .iter()
        .filter(|a| a.state != OperationalState::Operational)
        .map(|a| AffectedCi {
            name: a.node.name.clone(),
            availability: a.node.availability,
            outage: if a.state == OperationalState::Down {
                Outage::Down
            } else {
                Outage::Degraded
            },
        })
        .collect();
    let customers = u32::try_from(report.customers.len()).unwrap_or(u32::MAX);
    Ok(Some(risk::suggest(
        &named,
        &affected,
        customers,
        &CustomerBands::default(),
    )))
}

/// The customers reached when every CI in `cis` goes down: whom to notify of a change on them.
pub async fn customers(db: &Db, cis: &[CiId]) -> Result<Vec<String>> {
    Ok(impact(db, cis)
        .await?
        .map(|report| report.customers.into_iter().map(|c| c.name).collect())
        .unwrap_or_default())
}
