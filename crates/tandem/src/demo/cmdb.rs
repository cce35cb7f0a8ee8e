//! The demo world's asset inventory (seed 000, sections 1, 3.2 and 5): Alpha's data centres in
//! Germany and the US with their hypervisor clusters, routers and firewall; the management
//! server, the login service and the video bridges as virtual machines; the services of the
//! catalogue with what provides them and what they need; Beta's rooms and endpoints; and a
//! history of versions, one made for a ticket of the desk and one made by hand.

use std::collections::BTreeMap;

use anyhow::Context;
use tandem_audit::Write;
use tandem_cmdb::ci::{CiDraft, CiId, OperationalState};
use tandem_cmdb::class::ClassKey;
use tandem_cmdb::reconcile::{self, Found};
use tandem_cmdb::relation::RelationKind::{
    self, BackedUpBy, DependsOn, MemberOf, Provides, RunsOn,
};
use tandem_cmdb::store::evidence::{self, Inventory, Scope};
use tandem_cmdb::store::relations::{self, NewRelation};
use tandem_cmdb::store::{cis, classes};
use tandem_cmdb::version::Cause;
use tandem_directory::{OrganisationId, PersonId};
use tandem_kernel::Actor;
use tandem_kernel::text::{Name, Note};
use tandem_service_levels::services::ServiceId;
use tandem_storage::{Db, run};
use time::{Duration, OffsetDateTime};

/// What the loader needs to know of the rest of the demo world.
pub struct World {
    pub beta: OrganisationId,
    pub gamma: OrganisationId,
    pub video: ServiceId,
    pub managed: ServiceId,
    pub owner: PersonId,
    pub custodian: PersonId,
}

/// One CI to load: class, name, ratings C I A, label, and attribute pairs.
struct Item<'a> {
    class: &'a str,
    name: &'a str,
    description: &'a str,
    cia: [u8; 3],
    label: &'a str,
    attributes: &'a [(&'a str, &'a str)],
}

struct Loader<'a> {
    db: &'a Db,
    /// The loader's writes, dated four weeks back.
    write: Write,
    world: &'a World,
    ids: BTreeMap<String, CiId>,
}

impl Loader<'_> {
    async fn add(
        &mut self,
        item: Item<'_>,
        location: Option<&str>,
        customer: Option<OrganisationId>,
        extra: impl FnOnce(&mut CiDraft),
    ) -> anyhow::Result<CiId> {
        let mut draft = CiDraft {
            class_key: item.class.into(),
            name: item.name.into(),
            description: item.description.into(),
            organisation_id: customer.map(|c| c.to_string()).unwrap_or_default(),
            owner_id: self.world.owner.to_string(),
            custodian_id: self.world.custodian.to_string(),
            location_id: location
                .map(|l| self.id(l).map(|id| id.to_string()))
                .transpose()?
                .unwrap_or_default(),
            lifecycle: "production".into(),
            confidentiality: item.cia[0].to_string(),
            integrity: item.cia[1].to_string(),
            availability: item.cia[2].to_string(),
            label: item.label.into(),
            attributes: item
                .attributes
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..CiDraft::default()
        };
        extra(&mut draft);
        let class = classes::get(self.db, item.class).await?;
        let input = draft
            .validate(&class)
            .with_context(|| format!("demo CI {}", item.name))?;
        let ci = cis::create(&self.write, input, &initial()).await?;
        self.ids.insert(item.name.to_owned(), ci.id);
        Ok(ci.id)
    }

    fn id(&self, name: &str) -> anyhow::Result<CiId> {
        self.ids
            .get(name)
            .copied()
            .with_context(|| format!("the demo CI {name} is missing"))
    }

    async fn relate(&self, source: &str, kind: RelationKind, target: &str) -> anyhow::Result<()> {
        relations::add(
            &self.write,
            &NewRelation {
                source: self.id(source)?,
                kind,
                target: self.id(target)?,
                note: String::new(),
            },
            &initial(),
        )
        .await?;
        Ok(())
    }

    /// Relates each source to its target, in the order given.
    async fn relate_all(&self, relations: &[(&str, RelationKind, &str)]) -> anyhow::Result<()> {
        for &(source, kind, target) in relations {
            self.relate(source, kind, target).await?;
        }
        Ok(())
    }
}

/// The cause of every version the initial load makes.
fn initial() -> Cause {
    Cause::process(
        tandem_cmdb::version::CauseKind::Import,
        "initial inventory of the demo world",
    )
}

fn item<'a>(
    class: &'a str,
    name: &'a str,
    description: &'a str,
    cia: [u8; 3],
    label: &'a str,
    attributes: &'a [(&'a str, &'a str)],
) -> Item<'a> {
    Item {
        class,
        name,
        description,
        cia,
        label,
        attributes,
    }
}

/// Loads the inventory, dated four weeks before `now`, and its later history.
pub async fn load(db: &Db, now: OffsetDateTime, world: &World) -> anyhow::Result<()> {
    let mut l = Loader {
        db,
        write: Write::new(db, &Actor::system("demo loader"), now - Duration::weeks(4)),
        world,
        ids: BTreeMap::new(),
    };
    let none: &[(&str, &str)] = &[];
    // Where things are: each place, the location it lies in, and whose it is.
    for (place, within, customer) in [
        (
            item(
                "location",
                "DC-DE Munich",
                "Alpha's data centre in Germany.",
                [2, 3, 4],
                "internal",
                &[("country", "Germany")],
            ),
            None,
            None,
        ),
        (
            item(
                "location",
                "DC-US San José",
                "Alpha's data centre in the US; the fallback data centre.",
                [2, 3, 4],
                "internal",
                &[("country", "United States")],
            ),
            None,
            None,
        ),
        (
            item(
                "location",
                "Beta office Munich",
                "Beta Technologies' Munich office.",
                [2, 2, 3],
                "internal",
                &[("address", "Leopoldstraße 1, Munich")],
            ),
            None,
            Some(world.beta),
        ),
        (
            item(
                "location",
                "Beta VIP room",
                "The telepresence room of Beta's board.",
                [3, 2, 3],
                "confidential",
                none,
            ),
            Some("Beta office Munich"),
            Some(world.beta),
        ),
    ] {
        l.add(place, within, customer, |_| {}).await?;
    }
    // Network and hypervisors in each data centre.
    for (dc, site) in [("DC-DE Munich", "de"), ("DC-US San José", "us")] {
        let router = format!("rt-{site}-01");
        let ntp = format!("ntp-{site}-01.alpha.example");
        l.add(
            item(
                "network-device",
                &router,
                "Edge router of the data centre.",
                [2, 3, 4],
                "internal",
                &[
                    ("hostname", router.as_str()),
                    ("vendor", "Juniper"),
                    ("firmware", "21.4R3"),
                    ("time_source", ntp.as_str()),
                ],
            ),
            Some(dc),
            None,
            |_| {},
        )
        .await?;
        let cluster = format!("hv-cluster-{site}");
        l.add(
            item(
                "cluster",
                &cluster,
                "The Alpha hypervisor cluster of the data centre (VMware HA).",
                [3, 3, 4],
                "confidential",
                none,
            ),
            Some(dc),
            None,
            |d| d.min_up = "1".into(),
        )
        .await?;
        for n in 1..=2 {
            let host = format!("hv-{site}-0{n}");
            let serial = format!("HV{}{n}7731", site.to_uppercase());
            l.add(
                item(
                    "hardware",
                    &host,
                    "Alpha hypervisor host.",
                    [3, 3, 4],
                    "confidential",
                    &[
                        ("serial", serial.as_str()),
                        ("vendor", "Dell"),
                        ("model", "PowerEdge R760"),
                        ("firmware", "2.1.5"),
                        ("time_source", ntp.as_str()),
                    ],
                ),
                Some(dc),
                None,
                |_| {},
            )
            .await?;
            l.relate(&host, MemberOf, &cluster).await?;
            l.relate(&host, DependsOn, &router).await?;
        }
    }
    l.add(
        item(
            "network-device",
            "fw-de-01",
            "Firewall in front of the German data centre.",
            [3, 3, 4],
            "confidential",
            &[
                ("hostname", "fw-de-01"),
                ("vendor", "Palo Alto"),
                ("firmware", "11.1"),
                ("time_source", "ntp-de-01.alpha.example"),
            ],
        ),
        Some("DC-DE Munich"),
        None,
        |_| {},
    )
    .await?;
    l.relate("rt-de-01", DependsOn, "fw-de-01").await?;
    // Virtual machines.
    let vm = |os_version: &'static str, env: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![
            ("os", "Debian"),
            ("os_version", os_version),
            ("patch_level", "2026-11"),
            ("environment", env),
        ]
    };
    let vms: [(&str, &str, &str, [u8; 3], &str); 10] = [
        (
            "mgmt-de-01",
            "hv-cluster-de",
            "The management server; its security updates redirect users to the backup system with a maintenance notice.",
            [3, 3, 3],
            "confidential",
        ),
        (
            "login-de-01",
            "hv-cluster-de",
            "Login service node in Germany.",
            [3, 3, 4],
            "confidential",
        ),
        (
            "login-us-01",
            "hv-cluster-us",
            "Login service node in the US.",
            [3, 3, 4],
            "confidential",
        ),
        (
            "bridge-de-01",
            "hv-cluster-de",
            "Video bridge node.",
            [2, 3, 4],
            "internal",
        ),
        (
            "bridge-de-02",
            "hv-cluster-de",
            "Video bridge node.",
            [2, 3, 4],
            "internal",
        ),
        (
            "bridge-us-01",
            "hv-cluster-us",
            "Video bridge node.",
            [2, 3, 4],
            "internal",
        ),
        (
            "db-de-01",
            "hv-cluster-de",
            "The Alpha cloud table: customers' IP addresses, names and transaction logs.",
            [4, 3, 3],
            "confidential",
        ),
        (
            "maint-portal-us-01",
            "hv-cluster-us",
            "The backup system that shows users a maintenance notice.",
            [1, 2, 3],
            "public",
        ),
        (
            "backup-us-01",
            "hv-cluster-us",
            "Backup server in the fallback data centre.",
            [4, 3, 2],
            "confidential",
        ),
        (
            "app01",
            "hv-cluster-de",
            "Gamma's application server.",
            [3, 3, 3],
            "confidential",
        ),
    ];
    for (name, cluster, description, cia, label) in vms {
        let dc = if cluster.ends_with("de") {
            "DC-DE Munich"
        } else {
            "DC-US San José"
        };
        let mut attributes = vm("12.8", "production");
        attributes.push(("hostname", name));
        let customer = (name == "app01").then_some(world.gamma);
        l.add(
            item(
                "virtual-machine",
                name,
                description,
                cia,
                label,
                &attributes,
            ),
            Some(dc),
            customer,
            |_| {},
        )
        .await?;
        l.relate(name, RunsOn, cluster).await?;
    }
    l.add(
        item(
            "virtual-machine",
            "bridge-stg-01",
            "Staging bridge for testing releases.",
            [1, 2, 1],
            "internal",
            &[
                ("hostname", "bridge-stg-01"),
                ("os", "Debian"),
                ("os_version", "12.8"),
                ("environment", "staging"),
            ],
        ),
        Some("DC-DE Munich"),
        None,
        |_| {},
    )
    .await?;
    l.relate_all(&[
        ("bridge-stg-01", RunsOn, "hv-cluster-de"),
        ("mgmt-de-01", BackedUpBy, "backup-us-01"),
        ("db-de-01", BackedUpBy, "backup-us-01"),
    ])
    .await?;
    // Redundant groups.
    l.add(
        item(
            "cluster",
            "login-cluster",
            "The login service's nodes in both data centres.",
            [3, 3, 4],
            "confidential",
            none,
        ),
        None,
        None,
        |d| d.min_up = "1".into(),
    )
    .await?;
    l.add(
        item(
            "cluster",
            "video-bridge-cluster",
            "The video bridges; two must be up to carry the load.",
            [2, 3, 4],
            "internal",
            none,
        ),
        None,
        None,
        |d| d.min_up = "2".into(),
    )
    .await?;
    l.relate_all(&[
        ("login-de-01", MemberOf, "login-cluster"),
        ("login-us-01", MemberOf, "login-cluster"),
        ("bridge-de-01", MemberOf, "video-bridge-cluster"),
        ("bridge-de-02", MemberOf, "video-bridge-cluster"),
        ("bridge-us-01", MemberOf, "video-bridge-cluster"),
    ])
    .await?;
    // Services and what they need.
    for (name, description, cia, service) in [
        (
            "Login service",
            "End-to-end monitored sign-in for the video platform.",
            [3, 3, 4],
            None,
        ),
        (
            "HD video conferencing",
            "The video service of the catalogue.",
            [3, 3, 4],
            Some(world.video),
        ),
        (
            "Managed cloud servers",
            "Virtual servers of the catalogue.",
            [3, 3, 3],
            Some(world.managed),
        ),
    ] {
        l.add(
            item("service", name, description, cia, "confidential", none),
            None,
            None,
            |d| d.service_id = service.map(|id| id.to_string()).unwrap_or_default(),
        )
        .await?;
    }
    l.relate_all(&[
        ("Login service", DependsOn, "login-cluster"),
        ("Login service", DependsOn, "db-de-01"),
        ("Login service", BackedUpBy, "maint-portal-us-01"),
        ("video-bridge-cluster", Provides, "HD video conferencing"),
        ("HD video conferencing", DependsOn, "Login service"),
        ("HD video conferencing", DependsOn, "mgmt-de-01"),
        ("hv-cluster-de", Provides, "Managed cloud servers"),
        ("hv-cluster-us", Provides, "Managed cloud servers"),
    ])
    .await?;
    l.add(
        item(
            "information",
            "Customer meeting data",
            "Meeting participants, IP addresses and call logs of the customers.",
            [4, 3, 2],
            "confidential",
            &[("personal_data", "yes"), ("retention", "90 days")],
        ),
        None,
        None,
        |_| {},
    )
    .await?;
    l.relate("Customer meeting data", DependsOn, "db-de-01")
        .await?;
    // Beta's rooms and endpoints.
    for (name, location, model, firmware) in [
        (
            "codec-muc-board",
            "Beta office Munich",
            "Room Kit Pro",
            "4.2",
        ),
        ("codec-muc-room3", "Beta office Munich", "Room Kit", "4.2"),
        ("tp-muc-vip", "Beta VIP room", "Telepresence IX", "4.2"),
    ] {
        let serial = format!("SN-{}", name.to_uppercase());
        l.add(
            item(
                "endpoint",
                name,
                "Video endpoint in Beta's office.",
                [2, 2, 3],
                "internal",
                &[
                    ("serial", serial.as_str()),
                    ("vendor", "Vidcom"),
                    ("model", model),
                    ("firmware", firmware),
                ],
            ),
            Some(location),
            Some(world.beta),
            |_| {},
        )
        .await?;
        l.relate(name, DependsOn, "HD video conferencing").await?;
    }
    l.add(
        item(
            "endpoint",
            "codec-muc-room5",
            "Endpoint for the new room 5, ordered.",
            [2, 2, 3],
            "internal",
            &[
                ("serial", "SN-CODEC-MUC-ROOM5"),
                ("vendor", "Vidcom"),
                ("model", "Room Kit"),
            ],
        ),
        Some("Beta office Munich"),
        Some(world.beta),
        |d| d.lifecycle = "planned".into(),
    )
    .await?;
    l.add(
        item(
            "document",
            "Beta service handbook",
            "What Beta's users and local IT need to know of the video service.",
            [2, 3, 2],
            "internal",
            &[("revision", "3"), ("url", "handbooks/beta-video.pdf")],
        ),
        None,
        Some(world.beta),
        |_| {},
    )
    .await?;
    l.add(
        item(
            "supplier",
            "Vidcom maintenance contract",
            "Third-level support of the video equipment.",
            [2, 2, 3],
            "confidential",
            &[("contract", "VC-2025-117"), ("contract_end", "2027-06-30")],
        ),
        None,
        None,
        |_| {},
    )
    .await?;
    l.relate(
        "video-bridge-cluster",
        DependsOn,
        "Vidcom maintenance contract",
    )
    .await?;
    history(&l, now).await?;
    evidence(&l, now).await
}

/// The evidence of configuration management: the secure baseline of the management servers,
/// taken before the month's security update, and yesterday's inventory of the Munich data
/// centre, which found a test VM nobody recorded, another firmware on hv-de-02, the router's
/// clock 2.4 s off, and the staging bridge switched off.
async fn evidence(l: &Loader<'_>, now: OffsetDateTime) -> anyhow::Result<()> {
    let ines = tandem_identity::store::person_by_email(l.db, "ines.kraus@alpha.example")
        .await?
        .context("Ines Kraus is missing")?;
    let ciso = Actor::person(ines.0, &ines.1, None);
    evidence::take_baseline(
        &Write::new(l.db, &ciso, now - Duration::days(22)),
        &Name::parse("name", "Secure baseline: management servers")
            .map_err(tandem_kernel::Error::from)?,
        &Note::parse(
            "description",
            "The hardened configuration of the management servers, approved by the CISO.",
        )
        .map_err(tandem_kernel::Error::from)?,
        &Scope {
            class: Some(
                ClassKey::parse("class", "virtual-machine").map_err(tandem_kernel::Error::from)?,
            ),
            location: None,
            prefix: Some("mgmt-".into()),
        },
    )
    .await?;
    // Maria reviewed the inventory a fortnight ago, all but the documents and suppliers, whose
    // reviews are still due.
    let maria = tandem_identity::store::person_by_email(l.db, "maria.schmidt@alpha.example")
        .await?
        .context("Maria Schmidt is missing")?;
    let review = Write::new(
        l.db,
        &Actor::person(maria.0, &maria.1, None),
        now - Duration::days(14),
    );
    for ci in cis::all(l.db).await? {
        if !matches!(ci.class_key.as_str(), "document" | "supplier")
            && ci.lifecycle != tandem_cmdb::ci::Lifecycle::Retired
        {
            cis::review(&review, ci.id, "Annual review").await?;
        }
    }
    let munich = l.id("DC-DE Munich")?;
    let classes = ["virtual-machine", "hardware", "network-device"];
    let mut found = Vec::new();
    for ci in cis::all(l.db).await? {
        let here = ci.location.as_ref().is_some_and(|(id, _, _)| *id == munich);
        if !here || !classes.contains(&ci.class_key.as_str()) || ci.name == "bridge-stg-01" {
            continue;
        }
        let mut attributes = ci.attributes.clone();
        match ci.name.as_str() {
            "hv-de-02" => {
                attributes.insert("firmware".into(), "2.1.4".into());
            }
            "rt-de-01" => {
                attributes.insert(reconcile::CLOCK_FIELD.into(), "2400".into());
            }
            _ => {
                attributes.insert(reconcile::CLOCK_FIELD.into(), "12".into());
            }
        }
        found.push(Found {
            line: 0,
            class_key: ci.class_key.to_string(),
            key: ci.name.clone(),
            attributes,
        });
    }
    found.push(Found {
        line: 0,
        class_key: "virtual-machine".into(),
        key: "tmp-test-07".into(),
        attributes: [("os_version".to_owned(), "12.4".to_owned())].into(),
    });
    for (line, item) in (1..).zip(found.iter_mut()) {
        item.line = line;
    }
    evidence::reconcile(
        &Write::new(l.db, &ciso, now - Duration::days(1)),
        &Inventory {
            source: "SSH inventory of DC-DE Munich".into(),
            match_on: "name".into(),
            location: Some(munich),
            clock_threshold_ms: 1000,
            found,
        },
        false,
    )
    .await?;
    Ok(())
}

/// Later history: the firmware of room 3 updated for the desk's ticket, a router edited by
/// hand, and the RAID controller of hv-de-02 reported degraded.
async fn history(l: &Loader<'_>, now: OffsetDateTime) -> anyhow::Result<()> {
    let mut conn = l.db.conn().await?;
    let ticket: Option<tandem_kernel::id::TicketId> = run!(&mut conn, |c| {
        sqlx::query_scalar("SELECT id FROM ticket_refs WHERE title = $1")
            .bind("Video freezes during the board meeting")
            .fetch_optional(c)
            .await
    })?;
    drop(conn);
    let sven = tandem_identity::store::person_by_email(l.db, "sven.richter@alpha.example")
        .await?
        .context("Sven Richter is missing")?;
    let engineer = Actor::person(sven.0, &sven.1, None);
    let edit = async |name: &str, key: &str, value: &str, at, cause: Cause| -> anyhow::Result<()> {
        let ci = cis::get(l.db, l.id(name)?).await?;
        let mut draft = ci.draft();
        draft.attributes.insert(key.into(), value.into());
        let class = classes::get(l.db, ci.class_key.as_str()).await?;
        cis::update(
            &Write::new(l.db, &engineer, at),
            ci.id,
            ci.version,
            draft.validate(&class)?,
            &cause,
        )
        .await?;
        Ok(())
    };
    let room3 = match ticket {
        Some(id) => Cause::ticket(id, "Vidcom's firmware 4.2.1 installed"),
        None => Cause::manual("Vidcom's firmware 4.2.1 installed"),
    };
    edit(
        "codec-muc-room3",
        "firmware",
        "4.2.1",
        now - Duration::days(9),
        room3,
    )
    .await?;
    edit(
        "rt-de-01",
        "firmware",
        "21.4R3-S2",
        now - Duration::days(3),
        Cause::manual("Hotfix applied during the night shift"),
    )
    .await?;
    cis::set_operational(
        &Write::new(l.db, &engineer, now - Duration::hours(5)),
        l.id("hv-de-02")?,
        OperationalState::Degraded,
        "RAID controller reports a failed battery; replacement ordered",
    )
    .await?;
    Ok(())
}
