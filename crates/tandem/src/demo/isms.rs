//! The demo world's ISMS documents: every shipped template in Alpha's register, written by the
//! CISO and approved by the service manager and the administrator under four eyes. Most are
//! published; the security policy is in its second major version, which not everyone has
//! acknowledged yet; the access control policy waits for its second approval; the incident
//! management procedure is overdue for review and shared with Beta; the continuity plan is a
//! draft the CISO has checked out.
//!
//! Everything goes through the store functions with the people who would act, so the rules of
//! the life cycle hold for the demo as for everyone.

use anyhow::Context;
use tandem_audit::Write;
use tandem_directory::{OrganisationId, PersonId};
use tandem_isms::document::{DocumentDraft, DocumentId, Target};
use tandem_isms::lifecycle::Step;
use tandem_isms::store::versions::{self, DraftText, Powers};
use tandem_isms::store::{acknowledgements, documents};
use tandem_kernel::{Actor, Role};
use tandem_storage::Db;
use time::{Duration, OffsetDateTime};

/// A demo person, as they act and as the ISMS names them.
pub(super) struct Person {
    pub(super) actor: Actor,
    pub(super) id: PersonId,
}

pub(super) async fn person(db: &Db, email: &str) -> anyhow::Result<Person> {
    let (id, _) = tandem_identity::store::person_by_email(db, email)
        .await?
        .with_context(|| format!("the demo person {email} is missing"))?;
    Ok(Person {
        actor: Actor::person(id, email, None),
        id: PersonId(id),
    })
}

const WRITES: Powers = Powers {
    may_write: true,
    may_approve: true,
};

/// Where a demo document stands.
enum Stage {
    /// A draft its author has checked out.
    Draft,
    /// In review, approved by the first approver only.
    InReview,
    /// Approved and published three days after it was written.
    Published,
}

struct Demo<'a> {
    db: &'a Db,
    ines: Person,
    maria: Person,
    claudia: Person,
}

impl Demo<'_> {
    fn write(&self, who: &Person, at: OffsetDateTime) -> Write {
        Write::new(self.db, &who.actor, at)
    }

    /// Writes a document from `template` on day `at`, and walks it to `stage`.
    async fn document(
        &self,
        template: &str,
        at: OffsetDateTime,
        distribution: &[Target],
        shared_with: Option<OrganisationId>,
        quorum: u32,
        stage: Stage,
    ) -> anyhow::Result<DocumentId> {
        let template = tandem_isms::templates::named("template", template)?;
        let input = DocumentDraft {
            title: template.title.clone(),
            kind: template.kind.as_str().to_owned(),
            owner_id: self.ines.id.to_string(),
            classification: "internal".to_owned(),
            review_months: template.review_months.to_string(),
            retention_months: String::new(),
            quorum: quorum.to_string(),
            shared_with_id: shared_with.map(|o| o.to_string()).unwrap_or_default(),
            distribution: distribution.iter().map(Target::text).collect(),
        }
        .validate()?;
        let write = self.write(&self.ines, at);
        let document = documents::create(
            &write,
            &input,
            template.key,
            &template.text_for("Alpha Cloud Services"),
        )
        .await?;
        let first = versions::of(&mut self.db.conn().await?, document.id)
            .await?
            .into_iter()
            .next()
            .context("a new document has its first version")?;
        let approvers = if quorum > 1 {
            vec![self.maria.id, self.claudia.id]
        } else {
            vec![self.maria.id]
        };
        versions::save_draft(
            &write,
            document.id,
            first.id,
            &DraftText {
                body: first.body.clone(),
                change_note: "First version, from Tandem's template".to_owned(),
                approvers,
            },
            &WRITES,
        )
        .await?;
        let publish = match stage {
            Stage::Draft => return Ok(document.id),
            Stage::InReview => false,
            Stage::Published => true,
        };
        self.walk(document.id, first.id, at, quorum, publish)
            .await?;
        Ok(document.id)
    }

    /// Submits the version two hours after `at` and has it approved the next day; with
    /// `publish`, the second approver approves it and it is published on the third day.
    async fn walk(
        &self,
        document: DocumentId,
        version: tandem_isms::document::VersionId,
        at: OffsetDateTime,
        quorum: u32,
        publish: bool,
    ) -> anyhow::Result<()> {
        let step = async |who: &Person, when: OffsetDateTime, step: Step, comment: &str| {
            versions::take_step(
                &self.write(who, when),
                document,
                version,
                step,
                comment,
                &WRITES,
            )
            .await
        };
        step(&self.ines, at + Duration::hours(2), Step::Submit, "").await?;
        step(
            &self.maria,
            at + Duration::days(1),
            Step::Approve,
            "Agreed with the management team",
        )
        .await?;
        if !publish {
            return Ok(());
        }
        if quorum > 1 {
            step(&self.claudia, at + Duration::days(2), Step::Approve, "").await?;
        }
        step(&self.ines, at + Duration::days(3), Step::Publish, "").await?;
        Ok(())
    }
}

/// Loads the register; `now` is when the demo is loaded.
pub async fn load(db: &Db, now: OffsetDateTime, beta: OrganisationId) -> anyhow::Result<()> {
    let demo = Demo {
        db,
        ines: person(db, "ines.kraus@alpha.example").await?,
        maria: person(db, "maria.schmidt@alpha.example").await?,
        claudia: person(db, "claudia.hoffmann@alpha.example").await?,
    };
    let staff: Vec<Target> = [
        Role::ServiceDeskAgent,
        Role::Engineer,
        Role::ServiceManager,
        Role::ChangeManager,
        Role::CabMember,
        Role::Ciso,
        Role::Auditor,
    ]
    .into_iter()
    .map(Target::Role)
    .collect();
    let days_ago = |days: i64| now - Duration::days(days);
    let operations = [
        Target::Role(Role::ServiceDeskAgent),
        Target::Role(Role::Engineer),
    ];

    // The security policy: 1.0 fourteen months ago, 2.0 (a major version) two months ago.
    let policy = demo
        .document(
            "information-security-policy",
            days_ago(430),
            &staff,
            None,
            2,
            Stage::Published,
        )
        .await?;
    for email in [
        "nina.keller@alpha.example",
        "sven.richter@alpha.example",
        "maria.schmidt@alpha.example",
        "jonas.braun@alpha.example",
        "lena.wolf@alpha.example",
        "erik.vogel@alpha.example",
        "ruth.meyer@alpha.example",
        "ines.kraus@alpha.example",
    ] {
        acknowledge(db, email, policy, days_ago(420)).await?;
    }
    let second =
        versions::start(&demo.write(&demo.ines, days_ago(70)), policy, true, &WRITES).await?;
    let text = format!(
        "{}\n\n## Data kept in the cloud\n\nCustomer data stays in the data centre of the customer's country; copies for tests are anonymised first.\n",
        second.body.trim_end()
    );
    versions::save_draft(
        &demo.write(&demo.ines, days_ago(70)),
        policy,
        second.id,
        &DraftText {
            body: text,
            change_note:
                "Adds the rule on data kept in the cloud (a new rule: everyone acknowledges again)"
                    .to_owned(),
            approvers: vec![demo.maria.id, demo.claudia.id],
        },
        &WRITES,
    )
    .await?;
    demo.walk(policy, second.id, days_ago(65), 2, true).await?;
    for email in [
        "nina.keller@alpha.example",
        "sven.richter@alpha.example",
        "maria.schmidt@alpha.example",
        "jonas.braun@alpha.example",
        "ines.kraus@alpha.example",
    ] {
        acknowledge(db, email, policy, days_ago(55)).await?;
    }

    demo.document(
        "isms-scope-statement",
        days_ago(200),
        &[Target::Role(Role::Ciso), Target::Role(Role::Auditor)],
        None,
        1,
        Stage::Published,
    )
    .await?;
    demo.document(
        "risk-assessment-method",
        days_ago(190),
        &[Target::Role(Role::Ciso), Target::Role(Role::ServiceManager)],
        None,
        1,
        Stage::Published,
    )
    .await?;
    demo.document(
        "access-control-policy",
        days_ago(5),
        &staff,
        None,
        2,
        Stage::InReview,
    )
    .await?;
    // Published thirteen months ago with a yearly review: overdue. Shared with Beta, whose
    // incidents it governs.
    let incident = demo
        .document(
            "incident-management-procedure",
            days_ago(400),
            &operations,
            Some(beta),
            1,
            Stage::Published,
        )
        .await?;
    acknowledge(db, "nina.keller@alpha.example", incident, days_ago(390)).await?;
    acknowledge(db, "sven.richter@alpha.example", incident, days_ago(390)).await?;
    demo.document(
        "change-management-procedure",
        days_ago(120),
        &[
            Target::Role(Role::ChangeManager),
            Target::Role(Role::Engineer),
            Target::Role(Role::CabMember),
        ],
        None,
        1,
        Stage::Published,
    )
    .await?;
    demo.document(
        "business-continuity-plan",
        days_ago(3),
        &[Target::Role(Role::ServiceManager), Target::Role(Role::Ciso)],
        None,
        1,
        Stage::Draft,
    )
    .await?;
    demo.document(
        "supplier-security-policy",
        days_ago(90),
        &[Target::Role(Role::ServiceManager)],
        None,
        1,
        Stage::Published,
    )
    .await?;
    let acceptable_use = demo
        .document(
            "acceptable-use-policy",
            days_ago(35),
            &staff,
            None,
            1,
            Stage::Published,
        )
        .await?;
    acknowledge(
        db,
        "nina.keller@alpha.example",
        acceptable_use,
        days_ago(30),
    )
    .await?;
    context(&demo, days_ago(20), policy).await
}

/// Alpha's instance of the Cloud System Analysis Pattern (seed 000 section 5.1, transcribed in
/// `crates/isms/data/alpha-cloud-pattern.json`), with the cloud customer, the legislator and the
/// video service's IP addresses accepted and the rest still proposed; two of the customer's
/// requirements linked to what satisfies them.
async fn context(demo: &Demo<'_>, at: OffsetDateTime, policy: DocumentId) -> anyhow::Result<()> {
    let file =
        tandem_isms::pattern::read(include_str!("../../../isms/data/alpha-cloud-pattern.json"))
            .map_err(|e| anyhow::anyhow!("Alpha's cloud pattern: {e:?}"))?;
    let write = demo.write(&demo.ines, at);
    let pattern = tandem_isms::store::patterns::import(&write, &file).await?;
    let element = |name: &str| {
        pattern
            .elements
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.id)
            .with_context(|| format!("{name} in Alpha's pattern"))
    };
    let customer = tandem_isms::store::patterns::accept_party(
        &write,
        pattern.id,
        element("Technology company")?,
    )
    .await?;
    tandem_isms::store::patterns::accept_party(
        &write,
        pattern.id,
        element("Legislators of Germany and the US")?,
    )
    .await?;
    tandem_isms::store::patterns::accept_ci(
        &write,
        pattern.id,
        element("IP addresses")?,
        ("3", "2", "2"),
    )
    .await?;
    let party = tandem_isms::store::parties::find(&mut demo.db.conn().await?, customer).await?;
    let sla: uuid::Uuid = tandem_storage::run!(&mut demo.db.conn().await?, |c| {
        sqlx::query_scalar("SELECT id FROM agreement_refs WHERE kind = 'sla' ORDER BY name LIMIT 1")
            .fetch_one(c)
            .await
    })?;
    let never = |_: &str, _: &str| false;
    for (starts, satisfied_by) in [
        (
            "An incident outside a maintenance window",
            format!("agreement:{sla}"),
        ),
        (
            "Alpha runs the customer's network",
            format!("document:{policy}"),
        ),
    ] {
        let requirement = party
            .requirements
            .iter()
            .find(|r| r.text.starts_with(starts))
            .with_context(|| format!("the requirement “{starts}…”"))?;
        let input = tandem_isms::parties::RequirementDraft {
            kind: requirement.kind.as_str().to_owned(),
            text: requirement.text.clone(),
            source: requirement.source.clone(),
            satisfied_by,
        }
        .validate()?;
        tandem_isms::store::parties::update_requirement(
            &write,
            customer,
            requirement.id,
            &input,
            &never,
        )
        .await?;
    }
    Ok(())
}

async fn acknowledge(
    db: &Db,
    email: &str,
    document: DocumentId,
    at: OffsetDateTime,
) -> anyhow::Result<()> {
    let who = person(db, email).await?;
    let reader = tandem_isms::document::Reader {
        person: Some(who.id),
        roles: tandem_identity::roles::of(db, who.id.0).await?,
        teams: documents::teams_of(db, who.id).await?,
        customer_of: None,
        isms: false,
    };
    acknowledgements::acknowledge(&Write::new(db, &who.actor, at), &reader, document).await?;
    Ok(())
}
