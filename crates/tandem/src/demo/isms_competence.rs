//! The demo world's awareness, training and competence: the yearly awareness training on the
//! information security policy, held last year and this year (not everyone came), the ITIL 4
//! Foundation course of the service desk, and the cloud security certification of the CISO and
//! the engineers. Some fall short: a CAB member never attended the awareness training, an
//! engineer attended only last year's, whose year is over, and has no certificate either;
//! another engineer's certificate has expired, and the CISO's expires within the month.
//!
//! Everything goes through the store functions, written by the CISO, so the demo holds what
//! real use would.

use anyhow::Context;
use tandem_audit::Write;
use tandem_isms::competence::{
    AttendeeDraft, CompetenceDraft, CompetenceId, HoldingDraft, TrainingDraft,
};
use tandem_isms::document::{DocumentId, Reader, months_after};
use tandem_isms::store::{competence as store, documents};
use tandem_kernel::{Actor, Role, Roles};
use tandem_storage::Db;
use time::{Date, Duration, OffsetDateTime};

/// The person with `email`, as an id in a form.
async fn person_id(db: &Db, email: &str) -> anyhow::Result<String> {
    Ok(super::isms::person(db, email).await?.id.to_string())
}

/// The attendance list: everyone of `attended` came, everyone of `absent` was invited and did
/// not.
async fn attendance(
    db: &Db,
    attended: &[&str],
    absent: &[&str],
) -> anyhow::Result<Vec<AttendeeDraft>> {
    let mut list = Vec::new();
    for (emails, came) in [(attended, true), (absent, false)] {
        for email in emails {
            list.push(AttendeeDraft {
                person_id: person_id(db, email).await?,
                attended: came,
            });
        }
    }
    Ok(list)
}

/// The security policy the awareness training covers.
async fn security_policy(db: &Db) -> anyhow::Result<DocumentId> {
    let everything = Reader {
        person: None,
        roles: Roles::NONE,
        teams: Vec::new(),
        customer_of: None,
        isms: true,
    };
    documents::list(db, &everything)
        .await?
        .into_iter()
        .find(|l| l.document.template == "information-security-policy")
        .map(|l| l.document.id)
        .context("the demo's information security policy is missing")
}

struct Demo<'a> {
    db: &'a Db,
    ines: Actor,
    now: OffsetDateTime,
}

impl Demo<'_> {
    /// A write of the CISO's, `days` days before the demo's now.
    fn write(&self, days: i64) -> Write {
        Write::new(self.db, &self.ines, self.now - Duration::days(days))
    }

    /// The day `days` days before the demo's today.
    fn day(&self, days: i64) -> Date {
        self.now.date() - Duration::days(days)
    }

    async fn competence(
        &self,
        name: &str,
        description: &str,
        validity_months: &str,
        roles: &[Role],
    ) -> anyhow::Result<CompetenceId> {
        let input = CompetenceDraft {
            name: name.to_owned(),
            description: description.to_owned(),
            validity_months: validity_months.to_owned(),
            roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
        }
        .validate()?;
        Ok(store::create_competence(&self.write(420), &input).await?.id)
    }

    /// A training held `days` days ago, its attendance recorded the day after.
    async fn training(
        &self,
        draft: TrainingDraft,
        days: i64,
        list: &[AttendeeDraft],
    ) -> anyhow::Result<()> {
        let input = TrainingDraft {
            held_on: self.day(days).to_string(),
            ..draft
        }
        .validate()?;
        let training = store::create_training(&self.write(days + 14), &input).await?;
        store::record_attendance(&self.write(days - 1), training.id, None, list).await?;
        Ok(())
    }

    /// Records by hand that `email` holds `competence` since `obtained_on`.
    async fn holding(
        &self,
        competence: CompetenceId,
        email: &str,
        obtained_on: Date,
        evidence: &str,
    ) -> anyhow::Result<()> {
        let write = self.write(0);
        let input = HoldingDraft {
            person_id: person_id(self.db, email).await?,
            obtained_on: obtained_on.to_string(),
            expires_on: String::new(),
            evidence: evidence.to_owned(),
        }
        .validate(write.now.date(), None)?;
        store::add_holding(&write, competence, &input).await?;
        Ok(())
    }
}

/// Loads the competences, trainings and holdings; `now` is when the demo is loaded.
pub async fn load(db: &Db, now: OffsetDateTime) -> anyhow::Result<()> {
    let demo = Demo {
        db,
        ines: super::isms::person(db, "ines.kraus@alpha.example")
            .await?
            .actor,
        now,
    };
    let staff = [
        Role::Administrator,
        Role::ServiceDeskAgent,
        Role::Engineer,
        Role::ServiceManager,
        Role::ChangeManager,
        Role::CabMember,
        Role::Ciso,
        Role::Auditor,
    ];
    let awareness = demo
        .competence(
            "Annual security awareness training",
            "The information security policy and what it asks of everyone: passwords, use of the internet and e-mail, locking the computer, data leakage, social engineering, storing data and keeping it confidential. Refreshed every year.",
            "12",
            &staff,
        )
        .await?;
    let itil = demo
        .competence(
            "ITIL 4 Foundation",
            "The service desk works by ITIL's practices: incidents, requests, escalation and changes.",
            "",
            &[Role::ServiceDeskAgent],
        )
        .await?;
    let cloud = demo
        .competence(
            "Certified cloud security professional",
            "A certification in cloud security architecture, operations and compliance, renewed every three years.",
            "36",
            &[Role::Ciso, Role::Engineer],
        )
        .await?;

    let policy = security_policy(db).await?.to_string();
    let awareness_training = |year: i32| {
        TrainingDraft {
        title: format!("Information security awareness {year}"),
        kind: "session".to_owned(),
        held_on: String::new(),
        trainer: "Ines Kraus (CISO)".to_owned(),
        topics: "Choosing a secure password\nUsing the internet and corporate e-mail\nLocking the computer\nData leakage and its prevention\nSocial engineering\nStoring data and keeping it confidential".to_owned(),
        document_id: policy.clone(),
        competence_id: awareness.to_string(),
    }
    };
    let last_year = demo.day(375);
    demo.training(
        awareness_training(last_year.year()),
        375,
        &attendance(
            db,
            &[
                "nina.keller@alpha.example",
                "tom.becker@alpha.example",
                "sven.richter@alpha.example",
                "lena.wolf@alpha.example",
                "maria.schmidt@alpha.example",
                "jonas.braun@alpha.example",
                "claudia.hoffmann@alpha.example",
                "ines.kraus@alpha.example",
                "ruth.meyer@alpha.example",
            ],
            &["erik.vogel@alpha.example"],
        )
        .await?,
    )
    .await?;
    demo.training(
        awareness_training(demo.day(30).year()),
        30,
        &attendance(
            db,
            &[
                "nina.keller@alpha.example",
                "sven.richter@alpha.example",
                "maria.schmidt@alpha.example",
                "jonas.braun@alpha.example",
                "claudia.hoffmann@alpha.example",
                "ines.kraus@alpha.example",
                "ruth.meyer@alpha.example",
            ],
            &["lena.wolf@alpha.example", "tom.becker@alpha.example"],
        )
        .await?,
    )
    .await?;
    demo.training(
        TrainingDraft {
            title: "ITIL 4 Foundation, two-day course with exam".to_owned(),
            kind: "course".to_owned(),
            held_on: String::new(),
            trainer: "An accredited ITIL training partner".to_owned(),
            topics: "Service value system\nIncident management\nService request management\nChange enablement".to_owned(),
            document_id: String::new(),
            competence_id: itil.to_string(),
        },
        200,
        &attendance(db, &["nina.keller@alpha.example"], &[]).await?,
    )
    .await?;

    // Sven's certificate ran out four months ago; Ines's runs out within the month; Lena has
    // none.
    let today = now.date();
    demo.holding(
        cloud,
        "sven.richter@alpha.example",
        months_after(today, -40),
        "Certificate 2031-557 (not renewed)",
    )
    .await?;
    demo.holding(
        cloud,
        "ines.kraus@alpha.example",
        months_after(today + Duration::days(20), -36),
        "Certificate 2029-118",
    )
    .await?;
    Ok(())
}
