//! The demo world's change management (seed 000, sections 3.1, 5.2, 5.3 and 5.6): the
//! standard-change catalogue with the two procedures the seed names, a blackout period for
//! Beta's board meetings, and changes in every part of the life cycle: a regular change done and
//! verified, an emergency change the CAB approved after the start, a failed upgrade with its
//! fallback, standard changes from the catalogue, a change in a non-productive environment, and
//! changes still waiting for what they miss.
//!
//! Everything goes through the store functions with the people who would act, so the rules of
//! the life cycle hold for the demo as for everyone.

use std::collections::BTreeMap;

use anyhow::Context;
use tandem_audit::Write;
use tandem_changes::change::{BlackoutDraft, ChangeDraft, ChangeId, CiLine, TemplateDraft};
use tandem_changes::lifecycle::{CheckResult, PersonRef, Step, Vote};
use tandem_changes::store::changes::{self, StepRequest};
use tandem_changes::store::{blackouts, templates};
use tandem_directory::PersonId;
use tandem_kernel::Actor;
use tandem_storage::{Db, run};
use time::{Duration, OffsetDateTime, Time};

/// A person who acts in the demo: their actor and whether they manage changes.
struct Person {
    actor: Actor,
    id: PersonId,
    name: String,
    manages: bool,
}

async fn person(db: &Db, email: &str, manages: bool) -> anyhow::Result<Person> {
    let (id, _) = tandem_identity::store::person_by_email(db, email)
        .await?
        .with_context(|| format!("the demo person {email} is missing"))?;
    let name = tandem_directory::read::person_name(&mut db.conn().await?, PersonId(id))
        .await?
        .with_context(|| format!("the demo person {email} has no name"))?;
    Ok(Person {
        actor: Actor::person(id, email, None),
        id: PersonId(id),
        name,
        manages,
    })
}

async fn ci(db: &Db, name: &str) -> anyhow::Result<String> {
    let id: Option<uuid::Uuid> = run!(&mut db.conn().await?, |c| {
        sqlx::query_scalar("SELECT id FROM ci_refs WHERE name = $1")
            .bind(name)
            .fetch_optional(c)
            .await
    })?;
    Ok(id
        .with_context(|| format!("the demo CI {name} is missing"))?
        .to_string())
}

async fn ticket(db: &Db, title: &str) -> anyhow::Result<String> {
    let number: Option<i64> = run!(&mut db.conn().await?, |c| {
        sqlx::query_scalar("SELECT number FROM ticket_refs WHERE title = $1")
            .bind(title)
            .fetch_optional(c)
            .await
    })?;
    Ok(number
        .map(|n| tandem_kernel::id::TICKETS.text(n))
        .unwrap_or_default())
}

/// `days` days before `now`, at `hour` o'clock UTC.
fn day(now: OffsetDateTime, days: i64, hour: u8) -> OffsetDateTime {
    let date = (now - Duration::days(days)).date();
    date.with_time(Time::from_hms(hour, 0, 0).unwrap_or(Time::MIDNIGHT))
        .assume_utc()
}

fn iso(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

struct Loader<'a> {
    db: &'a Db,
}

impl Loader<'_> {
    /// A write of `by` at `at`.
    fn write(&self, by: &Person, at: OffsetDateTime) -> Write {
        Write::new(self.db, &by.actor, at)
    }

    async fn create(
        &self,
        by: &Person,
        at: OffsetDateTime,
        draft: ChangeDraft,
    ) -> anyhow::Result<ChangeId> {
        let change = changes::create(&self.write(by, at), by.manages, draft.validate()?).await?;
        Ok(change.id)
    }

    async fn step(
        &self,
        by: &Person,
        at: OffsetDateTime,
        change: ChangeId,
        step: Step,
        words: (&str, &str, &str),
    ) -> anyhow::Result<()> {
        let (reason, fallback_carried_out, note) = words;
        changes::take_step(
            &self.write(by, at),
            by.manages,
            change,
            &StepRequest {
                step,
                reason: reason.into(),
                fallback_carried_out: fallback_carried_out.into(),
                note: note.into(),
                version: None,
            },
        )
        .await
        .with_context(|| format!("demo change: {} by {}", step.as_str(), by.name))?;
        Ok(())
    }

    /// Takes each step in turn: who, when, the step, and the note that goes with it.
    async fn steps(
        &self,
        change: ChangeId,
        steps: &[(&Person, OffsetDateTime, Step, &str)],
    ) -> anyhow::Result<()> {
        for &(by, at, step, note) in steps {
            self.step(by, at, change, step, ("", "", note)).await?;
        }
        Ok(())
    }

    async fn vote(
        &self,
        by: &Person,
        at: OffsetDateTime,
        change: ChangeId,
        voter: Option<&Person>,
        vote: Vote,
        comment: &str,
    ) -> anyhow::Result<()> {
        changes::vote(
            &self.write(by, at),
            by.manages,
            change,
            voter.map(|v| v.id),
            vote,
            comment,
        )
        .await?;
        Ok(())
    }

    async fn checks(
        &self,
        by: &Person,
        at: OffsetDateTime,
        change: ChangeId,
        results: &[(CheckResult, &str)],
    ) -> anyhow::Result<()> {
        for (position, (result, note)) in (1..).zip(results) {
            changes::record_check(&self.write(by, at), change, position, *result, note).await?;
        }
        Ok(())
    }
}

fn on(ci_id: String, update: &[(&str, &str)]) -> CiLine {
    CiLine {
        ci_id,
        update: update
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// Loads the catalogue, the blackout period and the changes; `now` is when the demo is loaded.
pub async fn load(db: &Db, now: OffsetDateTime) -> anyhow::Result<()> {
    let l = Loader { db };
    let maria = person(db, "maria.schmidt@alpha.example", false).await?;
    let jonas = person(db, "jonas.braun@alpha.example", true).await?;
    let sven = person(db, "sven.richter@alpha.example", false).await?;
    let lena = person(db, "lena.wolf@alpha.example", false).await?;
    let ines = person(db, "ines.kraus@alpha.example", false).await?;
    let erik = person(db, "erik.vogel@alpha.example", false).await?;
    let jonas_ref = PersonRef {
        id: jonas.id,
        name: jonas.name.clone(),
    };

    // The standard changes of seed 000 section 5.2, approved by the change manager. The room
    // installation's checks are the acceptance test of section 5.3.
    let room = templates::save(
        &l.write(&jonas, now - Duration::weeks(6)),
        None,
        &TemplateDraft {
            name: "Video room installation".into(),
            description: "Install the room's endpoint, register it on the video platform and certify the room before its first use.".into(),
            configuration: "Register the endpoint on the bridge cluster with the room profile; set the room's directory entry.".into(),
            fallback: "Unregister the endpoint and keep the room closed for calls.".into(),
            risk: "low".into(),
            checklist: "Calls both ways to another room\nPresentation sharing works\nPicture and sound follow people moving in the room\nScreenshot of the certified room stored with the change\nStable connection for at least 15 minutes\nDelay, jitter and packet loss within the agreed limits".into(),
            duration_minutes: "240".into(),
            active: true,
        }
        .validate()?,
        Some(&jonas_ref),
    )
    .await?;
    let endpoint = templates::save(
        &l.write(&jonas, now - Duration::weeks(6)),
        None,
        &TemplateDraft {
            name: "Replacement of a video endpoint".into(),
            description: "Replace a faulty video endpoint by a spare of the same model and restore its configuration.".into(),
            configuration: "Restore the endpoint's backup configuration; register it under the same name.".into(),
            fallback: "Put the old unit back, or leave the room on the spare audio phone.".into(),
            risk: "low".into(),
            checklist: "Test call both ways\nPresentation sharing works".into(),
            duration_minutes: "120".into(),
            active: true,
        }
        .validate()?,
        Some(&jonas_ref),
    )
    .await?;

    blackouts::create(
        &l.write(&jonas, now - Duration::weeks(2)),
        &BlackoutDraft {
            name: "Beta board meeting week".into(),
            starts_at: iso(day(now, -5, 0)),
            ends_at: iso(day(now, -10, 0)),
            ci_ids: Vec::new(),
            allow_emergency: true,
            reason: "Beta's board meets every day by video; only emergency changes may run.".into(),
        }
        .validate()?,
    )
    .await?;

    let mgmt = ci(db, "mgmt-de-01").await?;

    // 1. A regular change carried out and verified (seed 000 section 5.3): users are redirected
    // to the maintenance portal in the US while the management server is updated.
    let window = day(now, 20, 22);
    let update = l
        .create(
            &sven,
            window - Duration::days(3),
            ChangeDraft {
                title: "Security update of the management server".into(),
                owner_id: maria.id.to_string(),
                cause_text: "Debian security advisories of the month".into(),
                description: "Install the month's security updates on mgmt-de-01. Users are redirected to the maintenance portal in San José, which shows a maintenance notice.".into(),
                configuration: "apt-get update && apt-get upgrade -y\nsystemctl restart tandem-mgmt".into(),
                category: "regular".into(),
                planned_start: iso(window),
                planned_end: iso(window + Duration::hours(2)),
                fallback: "Restore the VM snapshot taken before the update; switch users back from the maintenance portal.".into(),
                implementer_id: sven.id.to_string(),
                cis: vec![on(mgmt.clone(), &[("patch_level", "2026-11-2")])],
                ..ChangeDraft::default()
            },
        )
        .await?;
    changes::set_checklist(
        &l.write(&maria, window - Duration::days(3)),
        false,
        update,
        &[
            "Users are redirected to the maintenance portal during the update".into(),
            "The management portal answers after the update".into(),
        ],
    )
    .await?;
    l.steps(
        update,
        &[
            (
                &maria,
                window - Duration::days(3) + Duration::hours(1),
                Step::Submit,
                "",
            ),
            (&jonas, window - Duration::days(2), Step::Assess, ""),
            (
                &jonas,
                window - Duration::days(2) + Duration::hours(1),
                Step::Approve,
                "",
            ),
            (
                &jonas,
                window - Duration::days(2) + Duration::hours(2),
                Step::Schedule,
                "",
            ),
            (&sven, window, Step::Start, ""),
            (&sven, window + Duration::minutes(70), Step::Implement, ""),
        ],
    )
    .await?;
    l.checks(
        &sven,
        window + Duration::minutes(80),
        update,
        &[
            (
                CheckResult::Passed,
                "Notice shown on the maintenance portal",
            ),
            (CheckResult::Passed, "Portal answers; logs clean"),
        ],
    )
    .await?;
    l.steps(
        update,
        &[
            (
                &ines,
                window + Duration::hours(3),
                Step::Verify,
                "Checked the updates installed and the portal",
            ),
            (&jonas, window + Duration::days(1), Step::Close, ""),
        ],
    )
    .await?;

    // 2. A non-operational change: release 9.1 tried on the staging bridge first.
    let staging = ci(db, "bridge-stg-01").await?;
    let tried = day(now, 14, 9);
    let test = l
        .create(
            &sven,
            tried,
            ChangeDraft {
                title: "Test release 9.1 on bridge-stg-01".into(),
                owner_id: maria.id.to_string(),
                cause_text: "Release test before the production upgrade".into(),
                description: "Install release 9.1 on the staging bridge and run the load test."
                    .into(),
                configuration: "bridgectl upgrade --release 9.1".into(),
                category: "non-operational".into(),
                implementer_id: sven.id.to_string(),
                cis: vec![on(staging, &[("os_version", "12.9")])],
                ..ChangeDraft::default()
            },
        )
        .await?;
    l.steps(
        test,
        &[
            (&maria, tried + Duration::minutes(10), Step::Submit, ""),
            (&jonas, tried + Duration::hours(1), Step::Assess, ""),
            (&jonas, tried + Duration::hours(1), Step::Approve, ""),
            (&sven, tried + Duration::hours(2), Step::Start, ""),
            (&sven, tried + Duration::hours(4), Step::Implement, ""),
            (
                &maria,
                tried + Duration::hours(5),
                Step::Verify,
                "Load test passed on staging",
            ),
            (&jonas, tried + Duration::days(1), Step::Close, ""),
        ],
    )
    .await?;

    // 3. A regular change that failed: the bridge release broke calls under load, the snapshot
    // was restored, and the CI's history shows both versions caused by the change.
    let bridge = ci(db, "bridge-de-02").await?;
    let window = day(now, 10, 22);
    let upgrade = l
        .create(
            &sven,
            window - Duration::days(4),
            ChangeDraft {
                title: "Upgrade bridge-de-02 to release 9.1".into(),
                owner_id: maria.id.to_string(),
                cause_text: "Vidcom release 9.1 fixes the audio drift in long calls".into(),
                description: "Upgrade one node of the bridge cluster to release 9.1; the other two nodes keep the service up.".into(),
                configuration: "bridgectl drain bridge-de-02\nbridgectl upgrade --release 9.1\nbridgectl undrain bridge-de-02".into(),
                category: "regular".into(),
                planned_start: iso(window),
                planned_end: iso(window + Duration::hours(2)),
                fallback: "Restore the VM snapshot of release 9.0 and undrain the node.".into(),
                implementer_id: sven.id.to_string(),
                cis: vec![on(bridge.clone(), &[("patch_level", "bridge 9.1")])],
                ..ChangeDraft::default()
            },
        )
        .await?;
    changes::set_checklist(
        &l.write(&maria, window - Duration::days(4)),
        false,
        upgrade,
        &["Calls stay stable for 15 minutes under load".into()],
    )
    .await?;
    l.step(
        &maria,
        window - Duration::days(4),
        upgrade,
        Step::Submit,
        ("", "", ""),
    )
    .await?;
    let assessed = window - Duration::days(3);
    let mut override_risk = changes::get_detail(db, upgrade).await?;
    let draft = ChangeDraft {
        title: override_risk.change.title.clone(),
        owner_id: maria.id.to_string(),
        cause_text: override_risk.change.cause_text.clone(),
        description: override_risk.change.description.clone(),
        configuration: override_risk.change.configuration.clone(),
        category: "regular".into(),
        risk: "high".into(),
        risk_override_reason: "The last bridge release needed a rollback; one node of three carries a third of all calls.".into(),
        planned_start: iso(window),
        planned_end: iso(window + Duration::hours(2)),
        fallback: override_risk.change.fallback.clone(),
        implementer_id: sven.id.to_string(),
        cis: override_risk
            .cis
            .drain(..)
            .map(|c| CiLine {
                ci_id: c.ci_id.to_string(),
                update: c.update,
            })
            .collect(),
        ..ChangeDraft::default()
    };
    changes::update(
        &l.write(&jonas, assessed),
        true,
        upgrade,
        override_risk.change.version,
        draft.validate()?,
    )
    .await?;
    l.steps(
        upgrade,
        &[
            (&jonas, assessed + Duration::minutes(5), Step::Assess, ""),
            (&jonas, assessed + Duration::minutes(10), Step::Approve, ""),
            (&jonas, assessed + Duration::minutes(15), Step::Schedule, ""),
            (&sven, window, Step::Start, ""),
            (&sven, window + Duration::minutes(30), Step::Implement, ""),
        ],
    )
    .await?;
    l.checks(
        &maria,
        window + Duration::minutes(50),
        upgrade,
        &[(
            CheckResult::Failed,
            "Calls dropped after 6 minutes under load",
        )],
    )
    .await?;
    let fallback = l.write(&sven, window + Duration::minutes(70));
    let mut tx = fallback.begin().await?;
    tandem_cmdb::store::cis::apply_update(
        &fallback,
        &mut tx,
        tandem_cmdb::ci::CiId(bridge.parse()?),
        &BTreeMap::from([("patch_level".to_owned(), "bridge 9.0".to_owned())]),
        &tandem_cmdb::version::Cause::change(upgrade, "Fallback: snapshot of release 9.0 restored"),
    )
    .await?;
    // Audited above: apply_update recorded the CI's entry.
    tx.commit().await?;
    l.step(
        &maria,
        window + Duration::minutes(80),
        upgrade,
        Step::Fail,
        (
            "",
            "Restored the VM snapshot of release 9.0; calls stable again",
            "Calls dropped under load with 9.1",
        ),
    )
    .await?;
    l.step(
        &jonas,
        window + Duration::days(1),
        upgrade,
        Step::Close,
        ("", "", ""),
    )
    .await?;

    // 4. A standard change done: the board room's codec replaced by a spare.
    let board = ci(db, "codec-muc-board").await?;
    let window = day(now, 6, 7);
    let replacement = l
        .create(
            &maria,
            window - Duration::days(1),
            ChangeDraft {
                title: "Replacement of the board room codec".into(),
                owner_id: maria.id.to_string(),
                cause_text: "The board room codec's fan failed".into(),
                category: "standard".into(),
                template_id: endpoint.id.to_string(),
                planned_start: iso(window),
                planned_end: iso(window + Duration::hours(2)),
                implementer_id: sven.id.to_string(),
                cis: vec![on(board, &[("serial", "SN-CODEC-MUC-BOARD-R2")])],
                ..ChangeDraft::default()
            },
        )
        .await?;
    l.steps(
        replacement,
        &[
            (&maria, window - Duration::days(1), Step::Submit, ""),
            (&jonas, window - Duration::hours(20), Step::Schedule, ""),
            (&sven, window, Step::Start, ""),
            (&sven, window + Duration::minutes(50), Step::Implement, ""),
        ],
    )
    .await?;
    l.checks(
        &sven,
        window + Duration::hours(1),
        replacement,
        &[
            (CheckResult::Passed, "Called room 3 and back"),
            (CheckResult::Passed, "Shared a laptop screen"),
        ],
    )
    .await?;
    l.steps(
        replacement,
        &[
            (
                &lena,
                window + Duration::hours(2),
                Step::Verify,
                "Room in use again",
            ),
            (&jonas, window + Duration::days(1), Step::Close, ""),
        ],
    )
    .await?;

    // 5. A standard change scheduled: room 5 of Beta's Munich office is installed next week.
    let room5 = ci(db, "codec-muc-room5").await?;
    let window = day(now, -3, 8);
    let installation = l
        .create(
            &maria,
            now - Duration::days(2),
            ChangeDraft {
                title: "Video room installation: Munich room 5".into(),
                owner_id: maria.id.to_string(),
                cause_ticket: ticket(db, "New video room for the Munich office").await?,
                category: "standard".into(),
                template_id: room.id.to_string(),
                planned_start: iso(window),
                planned_end: iso(window + Duration::hours(4)),
                implementer_id: lena.id.to_string(),
                cis: vec![on(room5, &[("lifecycle", "production")])],
                ..ChangeDraft::default()
            },
        )
        .await?;
    l.steps(
        installation,
        &[
            (&maria, now - Duration::days(2), Step::Submit, ""),
            (&jonas, now - Duration::days(1), Step::Schedule, ""),
        ],
    )
    .await?;

    // 6. An emergency change (seed 000 section 3.1): the phishing site is blocked at once and
    // the CAB consents afterwards, within the 24 hours the settings allow.
    let fw = ci(db, "fw-de-01").await?;
    let start = now - Duration::hours(30);
    let phishing = l
        .create(
            &maria,
            start - Duration::minutes(20),
            ChangeDraft {
                title: "Block phishing domain on fw-de-01".into(),
                owner_id: maria.id.to_string(),
                cause_ticket: ticket(db, "Phishing mail to VIP users").await?,
                cause_text: "Beta's VIP users received a phishing mail".into(),
                description: "Block the phishing domain and its addresses at the firewall for every customer network.".into(),
                configuration: "set security policy deny-phishing match destination-address phish-vidcom-login then deny".into(),
                category: "emergency".into(),
                planned_start: iso(start),
                planned_end: iso(start + Duration::hours(1)),
                fallback: "Remove the policy deny-phishing.".into(),
                implementer_id: lena.id.to_string(),
                cis: vec![on(fw, &[])],
                ..ChangeDraft::default()
            },
        )
        .await?;
    changes::set_checklist(
        &l.write(&maria, start - Duration::minutes(15)),
        false,
        phishing,
        &["The phishing domain is blocked from every customer network".into()],
    )
    .await?;
    l.steps(
        phishing,
        &[
            (&maria, start - Duration::minutes(10), Step::Submit, ""),
            (&lena, start, Step::Start, ""),
            (&lena, start + Duration::minutes(30), Step::Implement, ""),
        ],
    )
    .await?;
    l.checks(
        &lena,
        start + Duration::minutes(40),
        phishing,
        &[(
            CheckResult::Passed,
            "Tested from Beta's and Gamma's networks",
        )],
    )
    .await?;
    let consent = start + Duration::hours(2);
    // The CAB's votes in turn: who records each, minutes after `consent`, the member it is cast
    // for when not the recorder, the vote and its comment.
    for (by, minutes, voter, vote, comment) in [
        (
            &ines,
            0,
            None,
            Vote::Approve,
            "Blocking is the right first step",
        ),
        (&sven, 5, None, Vote::Approve, ""),
        (&maria, 10, None, Vote::Approve, ""),
        (
            &erik,
            15,
            None,
            Vote::Abstain,
            "Not reachable in time to judge the rule",
        ),
        (
            &jonas,
            20,
            Some(&erik),
            Vote::Approve,
            "By phone: Erik has read the rule now and agrees",
        ),
        (&jonas, 30, None, Vote::Approve, ""),
    ] {
        let at = consent + Duration::minutes(minutes);
        l.vote(by, at, phishing, voter, vote, comment).await?;
    }
    l.steps(
        phishing,
        &[
            (
                &jonas,
                consent + Duration::minutes(35),
                Step::ApproveRetroactively,
                "",
            ),
            (
                &ines,
                consent + Duration::hours(1),
                Step::Verify,
                "Blocked everywhere",
            ),
            (&jonas, consent + Duration::hours(2), Step::Close, ""),
        ],
    )
    .await?;

    // 7. Approved but not scheduled: its window falls in Beta's board meeting week.
    let router = ci(db, "rt-de-01").await?;
    let firmware = l
        .create(
            &sven,
            now - Duration::days(1),
            ChangeDraft {
                title: "Firmware 21.4R3-S3 on rt-de-01".into(),
                owner_id: maria.id.to_string(),
                cause_text: "Vendor advisory; replaces the night shift's hotfix with the released firmware".into(),
                description: "Install the released firmware on the Munich router; traffic fails over to the US during the reboot.".into(),
                configuration: "request system software add 21.4R3-S3 reboot".into(),
                category: "regular".into(),
                planned_start: iso(day(now, -7, 23)),
                planned_end: iso(day(now, -8, 1)),
                fallback: "Boot the previous firmware from the alternate partition.".into(),
                implementer_id: lena.id.to_string(),
                cis: vec![on(router, &[("firmware", "21.4R3-S3")])],
                ..ChangeDraft::default()
            },
        )
        .await?;
    l.steps(
        firmware,
        &[
            (&maria, now - Duration::days(1), Step::Submit, ""),
            (&jonas, now - Duration::hours(20), Step::Assess, ""),
            (&jonas, now - Duration::hours(19), Step::Approve, ""),
        ],
    )
    .await?;

    // 8. Waiting for its assessment: the RAID controller of hv-de-02 has no fallback yet.
    let hv = ci(db, "hv-de-02").await?;
    let raid = l
        .create(
        &sven,
        now - Duration::hours(4),
        ChangeDraft {
            title: "Replace RAID controller of hv-de-02".into(),
            owner_id: maria.id.to_string(),
            cause_text: "The controller's battery failed; the host runs degraded".into(),
            description: "Move the host's VMs to hv-de-01, power the host off and replace the RAID controller.".into(),
            configuration: "vMotion all VMs to hv-de-01; maintenance mode; swap controller; import foreign config".into(),
            category: "regular".into(),
            planned_start: iso(day(now, -6, 22)),
            planned_end: iso(day(now, -7, 2)),
            implementer_id: sven.id.to_string(),
            cis: vec![on(hv, &[])],
            ..ChangeDraft::default()
        },
    )
    .await?;
    l.step(
        &maria,
        now - Duration::hours(3),
        raid,
        Step::Submit,
        ("", "", ""),
    )
    .await?;

    // 9 and 10. Kernel updates of both login nodes for the same night by two engineers: each
    // alone leaves the login cluster one node; together they take the login service down. The
    // first is scheduled; the second is approved, and scheduling it is refused by G11 until the
    // conflict is acknowledged (the calendar shows it as a redundancy conflict).
    for (node, implementer, schedule) in
        [("login-de-01", &sven, true), ("login-us-01", &lena, false)]
    {
        let id = ci(db, node).await?;
        let kernel = l
            .create(
                implementer,
                now - Duration::hours(3),
                ChangeDraft {
                    title: format!("Kernel update of {node}"),
                    owner_id: maria.id.to_string(),
                    cause_text: "Kernel security advisory".into(),
                    description: format!("Install the new kernel on {node} and reboot it."),
                    configuration: "apt-get install linux-image-amd64 && reboot".into(),
                    category: "regular".into(),
                    planned_start: iso(day(now, -2, 22)),
                    planned_end: iso(day(now, -2, 23)),
                    fallback: "Boot the previous kernel from the boot menu.".into(),
                    implementer_id: implementer.id.to_string(),
                    cis: vec![on(id, &[])],
                    ..ChangeDraft::default()
                },
            )
            .await?;
        l.steps(
            kernel,
            &[
                (&maria, now - Duration::hours(3), Step::Submit, ""),
                (&jonas, now - Duration::hours(2), Step::Assess, ""),
                (&jonas, now - Duration::hours(2), Step::Approve, ""),
            ],
        )
        .await?;
        if schedule {
            l.step(
                &jonas,
                now - Duration::hours(1),
                kernel,
                Step::Schedule,
                ("", "", ""),
            )
            .await?;
        }
    }
    Ok(())
}
