//! The demo world of seed 000, sections 5.1–5.6: Alpha, a cloud provider with data centres in
//! Germany and the US, runs an HD video-conferencing service for a technology company with VIP
//! users; first level support at Alpha's desk, second level at Alpha or the customer's local IT,
//! third level at the video-equipment vendor; a Change Advisory Board for emergency changes.
//!
//! Each capability adds its part of the world here, through its own store functions, so that the
//! demo is built by the same code paths as real use.

mod changes;
mod cmdb;
mod desk;
mod isms;
mod isms_competence;
mod isms_objectives;
mod isms_roles;

use anyhow::{Context, bail};
use tandem_audit::Write;
use tandem_directory::store::{organisations, people, teams};
use tandem_directory::{OrganisationDraft, PersonDraft, PersonId, TeamDraft};
use tandem_kernel::Clock;
use tandem_kernel::page::{ListOptions, PageRequest};
use tandem_kernel::{Role, Roles};
use tandem_storage::Db;

use crate::config::Config;

/// Marks a data directory as created by the demo, so that it may be wiped on the next start.
const MARKER: &str = ".tandem-demo";

/// Gives the demo a fresh data directory: creates it, or empties one a previous demo made.
/// Refuses to touch a directory with other content.
pub fn prepare_data_dir(config: &Config) -> anyhow::Result<()> {
    let dir = &config.data_dir;
    if dir.exists() {
        let has_content = std::fs::read_dir(dir)?.next().is_some();
        if has_content && !dir.join(MARKER).exists() {
            bail!(
                "`{}` holds data that the demo did not create; the demo needs a fresh data directory (set TANDEM_DATA_DIR to another folder)",
                dir.display()
            );
        }
        std::fs::remove_dir_all(dir)
            .with_context(|| format!("cannot empty `{}`", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    std::fs::write(
        dir.join(MARKER),
        "This folder holds Tandem's demo world and is replaced at every demo start.\n",
    )?;
    Ok(())
}

struct Who {
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    job_title: &'static str,
}

const fn who(
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    job_title: &'static str,
) -> Who {
    Who {
        name,
        email,
        phone,
        job_title,
    }
}

/// The organisations of the demo world in the order they are created: name, kind, description
/// and the people who work there, who are created after every organisation.
const ORGANISATIONS: [(&str, &str, &str, &[Who]); 4] = [
    (
        "Alpha Cloud Services",
        "provider",
        "Cloud provider with data centres in Germany and the US. Runs the high-availability HD video-conferencing service; first-level support through one global support number.",
        &[
            who(
                "Nina Keller",
                "nina.keller@alpha.example",
                "+49 89 4000 100",
                "Service desk agent",
            ),
            who(
                "Tom Becker",
                "tom.becker@alpha.example",
                "+49 89 4000 101",
                "Service desk agent",
            ),
            who(
                "Sven Richter",
                "sven.richter@alpha.example",
                "+49 89 4000 200",
                "Cloud engineer",
            ),
            who(
                "Lena Wolf",
                "lena.wolf@alpha.example",
                "+1 408 555 0120",
                "Network engineer",
            ),
            who(
                "Maria Schmidt",
                "maria.schmidt@alpha.example",
                "+49 89 4000 300",
                "Service manager",
            ),
            who(
                "Jonas Braun",
                "jonas.braun@alpha.example",
                "+49 89 4000 310",
                "Change manager",
            ),
            who(
                "Claudia Hoffmann",
                "claudia.hoffmann@alpha.example",
                "+49 89 4000 400",
                "Head of operations",
            ),
            who(
                "Erik Vogel",
                "erik.vogel@alpha.example",
                "+49 89 4000 001",
                "Chief executive officer",
            ),
            who(
                "Ines Kraus",
                "ines.kraus@alpha.example",
                "+49 89 4000 500",
                "Chief information security officer",
            ),
            who(
                "Ruth Meyer",
                "ruth.meyer@alpha.example",
                "+49 89 4000 510",
                "Internal auditor",
            ),
        ],
    ),
    (
        "Beta Technologies",
        "customer",
        "Technology company using Alpha's video-conferencing suite for its VIP users and telepresence rooms. Audits Alpha against its provider checklist.",
        &[
            who(
                "David Chen",
                "david.chen@beta.example",
                "+1 650 555 0101",
                "IT service owner",
            ),
            who(
                "Priya Nair",
                "priya.nair@beta.example",
                "+1 650 555 0102",
                "Local IT administrator",
            ),
            who(
                "Robert Hale",
                "robert.hale@beta.example",
                "+1 650 555 0199",
                "Vice president, VIP user",
            ),
        ],
    ),
    (
        "Gamma Logistics",
        "customer",
        "Logistics company hosting its transport-planning platform on Alpha's IaaS.",
        &[who(
            "Anna Lindqvist",
            "anna.lindqvist@gamma.example",
            "+46 8 555 010 10",
            "IT manager",
        )],
    ),
    (
        "Vidcom Systems",
        "supplier",
        "Vendor of the video endpoints and the video management platform; third-level support and maintenance contracts.",
        &[
            who(
                "Marco Rossi",
                "marco.rossi@vidcom.example",
                "+39 02 555 0110",
                "Support engineer",
            ),
            who(
                "Julia Novak",
                "julia.novak@vidcom.example",
                "+39 02 555 0111",
                "Account manager",
            ),
        ],
    ),
];

/// The teams in the order they are created: organisation, name, support level, description and
/// the members' e-mail addresses; the first member named leads the team.
const TEAMS: [(&str, &str, &str, &str, &[&str]); 5] = [
    (
        "Alpha Cloud Services",
        "Service Desk",
        "first_level",
        "First-level support behind the global support number; records every call as a ticket.",
        &["nina.keller@alpha.example", "tom.becker@alpha.example"],
    ),
    (
        "Alpha Cloud Services",
        "Cloud Engineering",
        "second_level",
        "Second-level engineers for the cloud platform, network and video infrastructure.",
        &["sven.richter@alpha.example", "lena.wolf@alpha.example"],
    ),
    (
        "Beta Technologies",
        "Beta Local IT",
        "second_level",
        "The customer's local IT, second level for on-site video rooms.",
        &["priya.nair@beta.example"],
    ),
    (
        "Vidcom Systems",
        "Vidcom Support",
        "third_level",
        "Third-level support of the video-equipment vendor.",
        &["marco.rossi@vidcom.example"],
    ),
    (
        "Alpha Cloud Services",
        "Change Advisory Board",
        "cab",
        "Assesses changes and consents to emergency changes.",
        &[
            "jonas.braun@alpha.example",
            "maria.schmidt@alpha.example",
            "sven.richter@alpha.example",
            "ines.kraus@alpha.example",
            "erik.vogel@alpha.example",
        ],
    ),
];

/// Loads the demo world into an empty database.
pub async fn load(db: &Db, clock: &dyn Clock) -> anyhow::Result<()> {
    let existing = organisations::list(
        db,
        tandem_kernel::Scope::Everything,
        &Default::default(),
        &ListOptions {
            page: PageRequest {
                limit: 1,
                after: None,
            },
            ..Default::default()
        },
    )
    .await?;
    if !existing.items.is_empty() {
        bail!(
            "the database already holds organisations; the demo world is loaded only into an empty database"
        );
    }
    let now = clock.now();
    let write = Write::new(db, &tandem_kernel::Actor::system("demo loader"), now);
    let mut organisation_ids = Vec::new();
    for (name, kind, description, _) in ORGANISATIONS {
        let draft = OrganisationDraft {
            name: name.into(),
            kind: kind.into(),
            description: description.into(),
        };
        let created = organisations::create(&write, draft.validate()?).await?;
        organisation_ids.push((name, created.id));
    }
    let mut ids: Vec<(&'static str, PersonId)> = Vec::new();
    for ((.., members), (_, organisation)) in ORGANISATIONS.into_iter().zip(&organisation_ids) {
        for person in members {
            let draft = PersonDraft {
                organisation_id: organisation.to_string(),
                name: person.name.into(),
                email: person.email.into(),
                phone: person.phone.into(),
                job_title: person.job_title.into(),
            };
            let created = people::create(&write, draft.validate()?).await?;
            ids.push((person.email, created.id));
        }
    }
    let organisation = |name: &str| -> String {
        organisation_ids
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| id.to_string())
            .expect("every team's organisation is in the demo")
    };
    let person = |email: &str| -> String {
        ids.iter()
            .find(|(e, _)| *e == email)
            .map(|(_, id)| id.to_string())
            .expect("every team member is on the roster")
    };
    for (organisation_name, name, level, description, members) in TEAMS {
        let draft = TeamDraft {
            organisation_id: organisation(organisation_name),
            name: name.into(),
            level: level.into(),
            description: description.into(),
            members: members.iter().map(|email| person(email)).collect(),
            // The first named member leads the team.
            lead: members
                .first()
                .map(|email| person(email))
                .unwrap_or_default(),
        };
        teams::create(&write, draft.validate()?).await?;
    }
    load_accounts(&write).await?;
    load_calendars(db, now).await?;
    load_gap_assessment(db, now).await
}

/// Alpha's business-hours calendars (seed 000, section 5.3: support in business hours, and
/// round the clock for the most urgent incidents): the Munich office with German public
/// holidays, the San José office for the US data centre, and round the clock.
async fn load_calendars(db: &Db, now: time::OffsetDateTime) -> anyhow::Result<()> {
    use tandem_service_levels::calendar::CalendarDraft;
    use tandem_service_levels::calendars::BusinessCalendarDraft;
    let write = Write::new(db, &tandem_kernel::Actor::system("demo loader"), now);
    let office = |zone: &str, holidays: &str| CalendarDraft {
        time_zone: zone.into(),
        week: [
            "08:00-18:00",
            "08:00-18:00",
            "08:00-18:00",
            "08:00-18:00",
            "08:00-18:00",
            "",
            "",
        ]
        .map(str::to_owned),
        holidays: holidays.into(),
    };
    let calendars = [
        (
            "Alpha Munich business hours",
            office(
                "Europe/Berlin",
                "01-01 New Year's Day\n05-01 Labour Day\n10-03 German Unity Day\n12-25 Christmas Day\n12-26 St Stephen's Day\n2026-12-24 Christmas Eve (office closed)\n2027-03-26 Good Friday\n2027-03-29 Easter Monday",
            ),
        ),
        (
            "Alpha San José business hours",
            office(
                "America/Los_Angeles",
                "01-01 New Year's Day\n07-04 Independence Day\n12-25 Christmas Day\n2026-11-26 Thanksgiving",
            ),
        ),
        (
            "Round the clock",
            CalendarDraft {
                time_zone: "UTC".into(),
                week: ["00:00-24:00"; 7].map(str::to_owned),
                holidays: String::new(),
            },
        ),
    ];
    let mut ids = Vec::new();
    for (name, calendar) in calendars {
        let input = BusinessCalendarDraft {
            name: name.into(),
            calendar,
        }
        .validate()?;
        ids.push(
            tandem_service_levels::store::calendars::create(&write, input)
                .await?
                .id,
        );
    }
    load_agreements(db, now, ids[0], ids[2]).await
}

/// Alpha's service catalogue and agreements (seed 000, sections 3.1 and 5.2-5.5): the HD
/// video-conferencing service for Beta Technologies with its SLA (P1 to P4, penalties per
/// missed target and per 0.1 % below 99.9 % availability, security requirements, reviewed
/// twice a year), an OLA with Alpha's cloud engineers, and the underpinning contract with the
/// video-equipment vendor, whose review is overdue in the demo.
async fn load_agreements(
    db: &Db,
    now: time::OffsetDateTime,
    office: tandem_service_levels::calendars::CalendarId,
    round_the_clock: tandem_service_levels::calendars::CalendarId,
) -> anyhow::Result<()> {
    use tandem_service_levels::agreement::AgreementDraft;
    use tandem_service_levels::agreements::{PartiesDraft, validate};
    use tandem_service_levels::services::ServiceDraft;
    use tandem_service_levels::store::{agreements, services};
    let write = Write::new(db, &tandem_kernel::Actor::system("demo loader"), now);
    let org = |name: &str| {
        let name = name.to_owned();
        async move {
            let options = tandem_kernel::page::ListOptions::parse(
                &tandem_kernel::page::ListParams {
                    search: Some(&name),
                    ..Default::default()
                },
                &organisations::Sort::OPTIONS,
            )?;
            let page = organisations::list(
                db,
                tandem_kernel::Scope::Everything,
                &Default::default(),
                &options,
            )
            .await?;
            page.items
                .into_iter()
                .next()
                .map(|o| o.id)
                .ok_or_else(|| anyhow::anyhow!("the demo organisation {name} is missing"))
        }
    };
    let (beta, gamma, vidcom) = (
        org("Beta Technologies").await?,
        org("Gamma Logistics").await?,
        org("Vidcom").await?,
    );
    let (maria, _) = tandem_identity::store::person_by_email(db, "maria.schmidt@alpha.example")
        .await?
        .ok_or_else(|| anyhow::anyhow!("Maria Schmidt is missing"))?;
    let video = services::create(
        &write,
        ServiceDraft {
            name: "HD video conferencing".into(),
            kind: "saas".into(),
            owner_id: maria.to_string(),
            description: "Video rooms and meetings in HD for the customer's offices and VIP users, run from Alpha's data centres in Germany and the US.".into(),
            boundaries: "Alpha: the video platform, its network up to the customer's edge router, first- and second-level support.\nThe customer's local IT: the room equipment and the office network, second level on site.\nVidcom (vendor): third-level support of the video equipment, under the underpinning contract.".into(),
            customers: vec![beta.to_string()],
        }
        .validate()?,
    )
    .await?;
    let managed = services::create(
        &write,
        ServiceDraft {
            name: "Managed cloud servers".into(),
            kind: "iaas".into(),
            owner_id: String::new(),
            description: "Virtual servers in Alpha's data centres, patched and monitored by Alpha.".into(),
            boundaries: "Alpha: hypervisor, network, backups, operating system patches. The customer: applications and their data.".into(),
            customers: vec![gamma.to_string()],
        }
        .validate()?,
    )
    .await?;
    let targets = |rows: [[&str; 3]; 4]| rows.map(|r| r.map(str::to_owned));
    let today = now.date();
    let review = |days: i64| (today + time::Duration::days(days)).to_string();
    let cloud_engineering = tandem_directory::store::teams::list(
        db,
        tandem_kernel::Scope::Everything,
        &Default::default(),
        &tandem_kernel::page::ListOptions::parse(
            &tandem_kernel::page::ListParams {
                search: Some("Cloud Engineering"),
                ..Default::default()
            },
            &tandem_directory::store::teams::Sort::OPTIONS,
        )?,
    )
    .await?
    .items
    .into_iter()
    .next()
    .ok_or_else(|| anyhow::anyhow!("the demo team Cloud Engineering is missing"))?
    .id;
    let agreements_to_load = [
        (
            AgreementDraft {
                name: "Beta Technologies: HD video conferencing SLA".into(),
                kind: "sla".into(),
                targets: targets([
                    ["15", "1h", "4h"],
                    ["30", "2h", "8h"],
                    ["2h", "4h", "16h"],
                    ["4h", "", "40h"],
                ]),
                warn_at_percent: "80".into(),
                availability_target: "99.9".into(),
                monthly_fee: "12000".into(),
                penalty_per_missed_target: "2".into(),
                penalty_per_tenth_below_availability: "5".into(),
                penalty_cap: "30".into(),
                security_requirements: "Video streams encrypted end to end\nStrong, multi-factor authentication before customers read their monitoring reports\nSecurity incidents reported to the customer within 24 hours\nCustomer data kept in the EU data centre".into(),
                review_interval_months: "6".into(),
                next_review: review(60),
                // Seed 000: first-level desk, engineers, the service manager, the department
                // manager, the CEO.
                escalation: "80% notify assignee\n100% reassign to Cloud Engineering\n100% notify team lead\n100% notify maria.schmidt@alpha.example\n100% raise support level\n150% notify claudia.hoffmann@alpha.example\n200% notify erik.vogel@alpha.example always".into(),
            },
            PartiesDraft {
                organisation_id: beta.to_string(),
                service_id: video.id.to_string(),
                calendar_id: office.to_string(),
                ..Default::default()
            },
        ),
        (
            AgreementDraft {
                name: "Cloud Engineering: second-level OLA".into(),
                kind: "ola".into(),
                targets: targets([["10", "30", "2h"], ["20", "1h", "6h"], ["1h", "", "12h"], ["", "", ""]]),
                warn_at_percent: "75".into(),
                review_interval_months: "12".into(),
                next_review: review(200),
                ..Default::default()
            },
            PartiesDraft {
                team_id: cloud_engineering.to_string(),
                service_id: video.id.to_string(),
                calendar_id: round_the_clock.to_string(),
                ..Default::default()
            },
        ),
        (
            AgreementDraft {
                name: "Vidcom: video equipment support contract".into(),
                kind: "underpinning-contract".into(),
                targets: targets([["1h", "", "24h"], ["4h", "", ""], ["", "", ""], ["", "", ""]]),
                security_requirements: "Remote access to customer rooms only through Alpha's jump host, logged".into(),
                review_interval_months: "12".into(),
                next_review: review(-14),
                ..Default::default()
            },
            PartiesDraft {
                organisation_id: vidcom.to_string(),
                service_id: video.id.to_string(),
                calendar_id: office.to_string(),
                ..Default::default()
            },
        ),
    ];
    for (terms, parties) in agreements_to_load {
        agreements::create(&write, validate(&terms, &parties)?).await?;
    }
    desk::load(db, now, beta, gamma, video.id).await?;
    let (sven, _) = tandem_identity::store::person_by_email(db, "sven.richter@alpha.example")
        .await?
        .ok_or_else(|| anyhow::anyhow!("Sven Richter is missing"))?;
    cmdb::load(
        db,
        now,
        &cmdb::World {
            beta,
            gamma,
            video: video.id,
            managed: managed.id,
            owner: tandem_directory::PersonId(maria),
            custodian: tandem_directory::PersonId(sven),
        },
    )
    .await?;
    changes::load(db, now).await?;
    isms::load(db, now, beta).await?;
    isms_objectives::load(db, now).await?;
    isms_competence::load(db, now).await?;
    isms_roles::load(db, now).await
}

/// The password of every demo account. The demo is for trying Tandem out, never for real data.
pub const DEMO_PASSWORD: &str = "tandem-demo-2026";

/// The TOTP secret (base32) of the demo accounts whose roles require a second factor: type the
/// codes of `oathtool --totp -b JBSWY3DPEHPK3PXP`, or add the secret to an authenticator app.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";

/// The same secret as bytes.
const DEMO_TOTP_BYTES: &[u8] = b"Hello!\xde\xad\xbe\xef";

/// One sign-in account per role, all with [`DEMO_PASSWORD`]; the administrator and the CISO
/// (whose roles require a second factor by default) with [`DEMO_TOTP_SECRET`].
pub const DEMO_ACCOUNTS: [(&str, &[Role]); 11] = [
    ("claudia.hoffmann@alpha.example", &[Role::Administrator]),
    ("nina.keller@alpha.example", &[Role::ServiceDeskAgent]),
    (
        "sven.richter@alpha.example",
        &[Role::Engineer, Role::CabMember],
    ),
    (
        "maria.schmidt@alpha.example",
        &[Role::ServiceManager, Role::CabMember],
    ),
    (
        "jonas.braun@alpha.example",
        &[Role::ChangeManager, Role::CabMember],
    ),
    ("lena.wolf@alpha.example", &[Role::Engineer]),
    ("erik.vogel@alpha.example", &[Role::CabMember]),
    ("ines.kraus@alpha.example", &[Role::Ciso, Role::CabMember]),
    ("ruth.meyer@alpha.example", &[Role::Auditor]),
    ("david.chen@beta.example", &[Role::CustomerUser]),
    ("anna.lindqvist@gamma.example", &[Role::CustomerUser]),
];

async fn load_accounts(write: &Write) -> anyhow::Result<()> {
    for (email, roles) in DEMO_ACCOUNTS {
        tandem_identity::store::set_password(write, email, DEMO_PASSWORD).await?;
        let (person, _) = tandem_identity::store::person_by_email(&write.db, email)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the demo person {email} is missing"))?;
        let roles: Roles = roles.iter().copied().collect();
        tandem_identity::roles::set(write, person, roles).await?;
        if roles.contains(Role::Administrator) || roles.contains(Role::Ciso) {
            tandem_identity::mfa::set_up_with_secret(write, person, DEMO_TOTP_BYTES).await?;
        }
    }
    Ok(())
}

/// Alpha's view of its ITIL processes against ISO/IEC 27001:2005 (seed 001, scenario 2): what
/// runs today (service desk, changes, monitoring), what is planned, what is missing.
async fn load_gap_assessment(db: &Db, now: time::OffsetDateTime) -> anyhow::Result<()> {
    let write = Write::new(db, &tandem_kernel::Actor::system("demo loader"), now);
    use tandem_frameworks::analysis::Status::{Implemented, NotImplemented, Partial, Planned};
    use tandem_frameworks::assessment::{AssessmentDraft, check_changes};
    let shared = tandem_frameworks::api::catalogue(db).await?;
    let catalogue = shared.as_ref();
    let input = AssessmentDraft {
        name: "Alpha: ITIL processes against ISO/IEC 27001:2005".into(),
        source_framework: "seed001-ism".into(),
        target_framework: "iso27001-2005".into(),
    }
    .validate(catalogue)?;
    let assessment = tandem_frameworks::store::create(&write, input).await?;
    let statuses = [
        (
            "2.1",
            Partial,
            "Security policy written; ISMS scope still being agreed with the CISO.",
        ),
        (
            "2.3",
            Implemented,
            "End-to-end monitoring of the video service five times an hour.",
        ),
        (
            "2.4",
            Implemented,
            "SLAs with Beta and Gamma, reviewed twice a year.",
        ),
        (
            "2.5",
            Planned,
            "Disaster-recovery test of the US data centre planned for next quarter.",
        ),
        (
            "2.6",
            Partial,
            "Underpinning contract with Vidcom; other suppliers not yet reviewed.",
        ),
        (
            "3.2",
            Partial,
            "Asset inventory in the ticket system; classification of information missing.",
        ),
        (
            "3.4",
            Implemented,
            "Every productive change logged, four-eye principle, CAB for emergencies.",
        ),
        (
            "4.1",
            Implemented,
            "Monitoring opens incidents automatically.",
        ),
        (
            "4.2",
            Implemented,
            "First-level desk behind one global number, escalation to second and third level.",
        ),
        (
            "4.3",
            Partial,
            "Problems recorded, root-cause analysis not yet routine.",
        ),
        (
            "4.5",
            NotImplemented,
            "Access rights are granted by e-mail; no regular access review.",
        ),
    ];
    let raw: Vec<(String, String, String)> = statuses
        .into_iter()
        .map(|(reference, status, note)| (reference.into(), status.as_str().into(), note.into()))
        .collect();
    let changes = check_changes(catalogue, &assessment.source_framework, &raw)?;
    tandem_frameworks::store::change_statuses(&write, assessment.id, assessment.version, &changes)
        .await?;
    Ok(())
}
