//! The demo world's information security objectives (ISO/IEC 27001:2022 clause 6.2): four of
//! Alpha's, drawn from seed 000. The video service's availability as Beta's SLA promises it,
//! measured by the end-to-end monitoring (section 5.3); every member of staff trained in the
//! security policy and acknowledging it (section 3.2), derived from the policy in the register;
//! the yearly penetration test of the video-conferencing site with its report (section 5.2),
//! overdue because this year's test has slipped; and incidents restored within the SLA's times
//! (section 5.3), whose monthly measurement is due. Each has a few measurements that show its
//! progress.
//!
//! Everything goes through the store functions with the people who would act: the CISO sets the
//! objectives and records their measurements (she writes the ISMS); the service manager owns
//! those of the service. Loaded after the document register, which holds the security policy.

use anyhow::Context;
use tandem_audit::Write;
use tandem_isms::document::Reader;
use tandem_isms::objectives::{MeasurementDraft, ObjectiveDraft};
use tandem_isms::store::{documents, objectives};
use tandem_kernel::Roles;
use tandem_storage::Db;

use super::isms::{Person, person};
use time::{Duration, OffsetDateTime};

/// Has `ciso` set `draft`, owned by `owner`, `days_ago` days before `now`, and record its
/// `measurements`: how many days ago each was taken, its value and its note.
async fn set(
    db: &Db,
    now: OffsetDateTime,
    ciso: &Person,
    owner: &Person,
    days_ago: i64,
    draft: ObjectiveDraft,
    measurements: &[(i64, &str, &str)],
) -> anyhow::Result<()> {
    let input = ObjectiveDraft {
        owner_id: owner.id.to_string(),
        ..draft
    }
    .validate()?;
    let objective = objectives::create(
        &Write::new(db, &ciso.actor, now - Duration::days(days_ago)),
        &input,
    )
    .await?;
    for (days, value, note) in measurements {
        let taken = now - Duration::days(*days);
        let input = MeasurementDraft {
            measured_on: taken.date().to_string(),
            value: (*value).to_owned(),
            note: (*note).to_owned(),
        }
        .validate(taken.date())?;
        objectives::add_measurement(&Write::new(db, &ciso.actor, taken), objective.id, &input)
            .await?;
    }
    Ok(())
}

/// Loads Alpha's objectives; `now` is when the demo is loaded.
pub async fn load(db: &Db, now: OffsetDateTime) -> anyhow::Result<()> {
    let maria = person(db, "maria.schmidt@alpha.example").await?;
    let ines = person(db, "ines.kraus@alpha.example").await?;
    let register = Reader {
        person: None,
        roles: Roles::NONE,
        teams: Vec::new(),
        customer_of: None,
        isms: true,
    };
    let policy = documents::list(db, &register)
        .await?
        .into_iter()
        .find(|l| l.document.template == "information-security-policy")
        .context("the demo register holds the information security policy")?
        .document
        .id;
    let due_in = |days: i64| (now + Duration::days(days)).date().to_string();

    set(
        db,
        now,
        &ines,
        &maria,
        100,
        ObjectiveDraft {
            title: "Availability of the HD video-conferencing service".into(),
            description: "Beta's VIP users hold their meetings on the service; an outage costs them meetings and Alpha a penalty under the SLA.".into(),
            target: "99.9 % availability every month, as the SLA with Beta Technologies promises".into(),
            measured_by: "The availability in the monthly service report, taken from the end-to-end monitoring that runs the login transactions five times an hour".into(),
            frequency: "monthly".into(),
            due_date: due_in(59),
            status: "on-track".into(),
            ..ObjectiveDraft::default()
        },
        &[
            (92, "99.95 %", ""),
            (
                62,
                "99.87 %",
                "Below target: the storage outage in the German data centre; 5 % of the monthly fee credited to Beta",
            ),
            (31, "99.96 %", ""),
            (2, "99.94 %", ""),
        ],
    )
    .await?;

    set(
        db,
        now,
        &ines,
        &ines,
        200,
        ObjectiveDraft {
            title: "Every member of staff trained in the security policy and acknowledging it".into(),
            description: "The security policy is in force only once the staff know it: after the awareness training, everyone gives their written consent.".into(),
            target: "100 % of staff trained by an instructor and acknowledging the policy version in force".into(),
            measured_by: "The attendance lists of the awareness training, and the acknowledgement coverage of the information security policy in the document register".into(),
            frequency: "quarterly".into(),
            due_date: due_in(45),
            status: "at-risk".into(),
            status_note: "Version 2.0 asks everyone again; three people have not acknowledged it yet and were reminded".into(),
            document_id: policy.to_string(),
            ..ObjectiveDraft::default()
        },
        &[
            (180, "8 of 8 (100 %), version 1.0", "Everyone attended the training in spring"),
            (
                50,
                "5 of 8 (62 %), version 2.0",
                "The new major version asks everyone again; reminders sent",
            ),
            (10, "5 of 8 (62 %), version 2.0", "Training for the three missing planned"),
        ],
    )
    .await?;

    // Due twenty days ago and not achieved: the overdue one.
    set(
        db,
        now,
        &ines,
        &ines,
        400,
        ObjectiveDraft {
            title: "Yearly penetration test of the video-conferencing service".into(),
            description: "Beta asks for a penetration test of the video-conferencing site once a year, with a detailed report.".into(),
            target: "One penetration test a year with a detailed report to Beta; high findings fixed within 30 days".into(),
            measured_by: "The test house's report and the tickets of its findings".into(),
            frequency: "yearly".into(),
            due_date: due_in(-20),
            status: "at-risk".into(),
            status_note: "The test house moved this year's test to January; Beta has been told".into(),
            ..ObjectiveDraft::default()
        },
        &[
            (385, "Report delivered: 2 high, 5 medium findings", ""),
            (
                360,
                "2 of 2 high findings fixed, in 24 days",
                "Both fixed through emergency changes",
            ),
            (25, "No test this year yet", "The test house postponed it"),
        ],
    )
    .await?;

    set(
        db,
        now,
        &ines,
        &maria,
        100,
        ObjectiveDraft {
            title: "Incidents restored within the SLA's times".into(),
            description: "Incidents outside a maintenance window are restored within the times agreed with Beta, or Alpha pays a penalty.".into(),
            target: "95 % of incidents responded to and resolved within the SLA's times (priority 1: response in 15 minutes, resolution in 4 hours)".into(),
            measured_by: "The share of incidents within their targets in the monthly service-level report of Beta's SLA".into(),
            frequency: "monthly".into(),
            due_date: due_in(150),
            status: "on-track".into(),
            ..ObjectiveDraft::default()
        },
        &[
            (
                93,
                "93 % (28 of 30)",
                "Two priority-2 incidents resolved late; the escalation steps were reviewed",
            ),
            (63, "96 % (24 of 25)", ""),
            (33, "97 % (29 of 30)", "One priority-3 incident resolved late"),
        ],
    )
    .await?;
    Ok(())
}
