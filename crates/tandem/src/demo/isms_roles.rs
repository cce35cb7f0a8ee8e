//! The demo world's roles and responsibilities: Ines Kraus is Alpha's CISO and Maria Schmidt
//! its management representative; Sven Richter and Maria own assets, Maria owns the risks and
//! Ruth Meyer audits internally. The responsibility matrix is filled for every process and for
//! a few controls of ISO/IEC 27001:2022, with one control left without an accountable role.
//! Three decisions of management: the commitment to the ISMS and its scope, a budget for the
//! yearly penetration test, and the approval of the information security policy 2.0.
//!
//! Everything goes through the store functions with the people who would act: the CISO writes
//! the ISMS. Loaded after the document register, which holds the security policy.

use std::collections::BTreeMap;

use anyhow::Context;
use tandem_audit::Write;
use tandem_isms::document::Reader;
use tandem_isms::roles::{AssignmentDraft, DecisionDraft, Process, check_row};
use tandem_isms::store::documents;
use tandem_isms::store::roles::{self, Rows};
use tandem_kernel::Roles;
use tandem_storage::Db;
use time::{Duration, OffsetDateTime};

use super::isms::{Person, person};

/// The letters of a row, role by role.
fn cells(letters: &[(&str, &str)]) -> BTreeMap<String, String> {
    letters
        .iter()
        .map(|(role, letter)| ((*role).to_owned(), (*letter).to_owned()))
        .collect()
}

/// Loads Alpha's roles, matrix and decisions; `now` is when the demo is loaded.
pub async fn load(db: &Db, now: OffsetDateTime) -> anyhow::Result<()> {
    let ines = person(db, "ines.kraus@alpha.example").await?;
    let maria = person(db, "maria.schmidt@alpha.example").await?;
    let sven = person(db, "sven.richter@alpha.example").await?;
    let ruth = person(db, "ruth.meyer@alpha.example").await?;
    let set_up = now - Duration::days(300);
    let write = |at: OffsetDateTime| Write::new(db, &ines.actor, at);

    let assignments: [(&str, &Person, &str); 6] = [
        ("ciso", &ines, ""),
        ("management-representative", &maria, ""),
        (
            "asset-owner",
            &sven,
            "Owns the servers, storage and network of the German data centre that carry the video-conferencing service.",
        ),
        (
            "asset-owner",
            &maria,
            "Owns the video-conferencing service, its customer data and its contracts.",
        ),
        ("risk-owner", &maria, ""),
        ("internal-auditor", &ruth, ""),
    ];
    for (role, who, description) in assignments {
        let input = AssignmentDraft {
            role: role.to_owned(),
            person_id: who.id.to_string(),
            since: set_up.date().to_string(),
            description: description.to_owned(),
        }
        .validate()?;
        roles::assign(&write(set_up), &input).await?;
    }

    let process = |p: Process| -> &'static [(&'static str, &'static str)] {
        match p {
            Process::Context | Process::Leadership | Process::ManagementReview => &[
                ("management-representative", "A"),
                ("ciso", "R"),
                ("information-security-manager", "C"),
                ("internal-auditor", "I"),
            ],
            Process::RiskAssessment | Process::RiskTreatment => &[
                ("risk-owner", "A"),
                ("ciso", "R"),
                ("asset-owner", "C"),
                ("management-representative", "I"),
            ],
            Process::InternalAudit => &[
                ("management-representative", "A"),
                ("internal-auditor", "R"),
                ("ciso", "I"),
            ],
            Process::Operations => &[("ciso", "A"), ("asset-owner", "R"), ("risk-owner", "C")],
            _ => &[
                ("ciso", "A"),
                ("information-security-manager", "R"),
                ("asset-owner", "C"),
                ("management-representative", "I"),
            ],
        }
    };
    for p in Process::ALL {
        let key = p.as_str();
        let row = check_row(key, &cells(process(*p)))?;
        roles::save_row(&write(set_up), &Rows::Processes, key, &row).await?;
    }
    let controls = Rows::Controls("iso27001-2022".to_owned());
    let control_rows: [(&str, &[(&str, &str)]); 4] = [
        // Access control.
        (
            "A.5.15",
            &[("ciso", "A"), ("asset-owner", "R"), ("risk-owner", "C")],
        ),
        // Planning for incidents.
        (
            "A.5.24",
            &[
                ("ciso", "A"),
                ("information-security-manager", "R"),
                ("management-representative", "I"),
            ],
        ),
        // Change management.
        (
            "A.8.32",
            &[
                ("ciso", "A"),
                ("asset-owner", "R"),
                ("internal-auditor", "I"),
            ],
        ),
        // Backup: the gap the demo leaves, responsible but nobody accountable.
        ("A.8.13", &[("asset-owner", "R"), ("ciso", "C")]),
    ];
    for (key, letters) in control_rows {
        let row = check_row(key, &cells(letters))?;
        roles::save_row(&write(set_up), &controls, key, &row).await?;
    }

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
    let decisions = [
        (
            290,
            DecisionDraft {
                title: "Commitment to the ISMS and its scope".into(),
                kind: "commitment".into(),
                text: "Alpha Cloud Services sets up an ISMS after ISO/IEC 27001 for its HD video-conferencing service, run from the German data centre for customers such as Beta Technologies, and seeks certification. The CISO leads it; management reviews it once a year.".into(),
                resources: "The CISO's role, half of the information security manager's time, and a yearly review day of the management team".into(),
                ..DecisionDraft::default()
            },
        ),
        (
            120,
            DecisionDraft {
                title: "Budget for the yearly penetration test".into(),
                kind: "resources".into(),
                text: "An outside test house tests the video-conferencing site once a year and reports its findings in detail; the CISO tracks the fixes.".into(),
                resources: "EUR 18,000 a year for the test and two engineer-weeks for the fixes".into(),
                ..DecisionDraft::default()
            },
        ),
        (
            30,
            DecisionDraft {
                title: "Approval of the information security policy 2.0".into(),
                kind: "policy".into(),
                text: "Management puts the information security policy 2.0 in force; every member of staff acknowledges it after the awareness training.".into(),
                document_id: policy.to_string(),
                ..DecisionDraft::default()
            },
        ),
    ];
    for (days_ago, draft) in decisions {
        let at = now - Duration::days(days_ago);
        let input = DecisionDraft {
            decided_on: at.date().to_string(),
            decided_by: maria.id.to_string(),
            ..draft
        }
        .validate(at.date())?;
        roles::record(&write(at), &input).await?;
    }
    Ok(())
}
