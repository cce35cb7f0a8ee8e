//! The demo world's service desk (seed 000, sections 5.2–5.5): tickets of Beta's video rooms and
//! VIP users over the last weeks, answered and resolved in time or not, one escalated to the
//! engineers and the video-equipment vendor, one waiting for the customer, a problem behind the
//! recurring incidents, a security incident, and Gamma's tickets, which no SLA covers.

use anyhow::Context;
use tandem_directory::{OrganisationId, PersonId};
use tandem_kernel::{Actor, Scope};
use tandem_service_desk::attachment::FileDraft;
use tandem_service_desk::records::{ArticleDraft, TicketChanges, TicketDraft, TicketId};
use tandem_service_desk::store;
use tandem_service_desk::ticket::{LinkKind, PriorityMatrix};
use tandem_service_levels::services::ServiceId;
use tandem_storage::Db;
use time::{Duration, OffsetDateTime};

/// Someone of the demo world acting on the desk.
/// The log an engineer attaches to the first demo ticket.
const CODEC_LOG: &str = "09:58:02 SIP REGISTER sip:board-munich@video.alpha.example -> 403 certificate expired\n\
10:14:40 certificate renewed, valid until 2027-11-02\n\
10:15:03 SIP REGISTER sip:board-munich@video.alpha.example -> 200 OK\n";

struct Who {
    actor: Actor,
    scope: Scope,
}

async fn who(db: &Db, email: &str, customer_of: Option<OrganisationId>) -> anyhow::Result<Who> {
    let (id, email) = tandem_identity::store::person_by_email(db, email)
        .await?
        .with_context(|| format!("the demo person {email} is missing"))?;
    Ok(Who {
        actor: Actor::person(id, &email, None),
        scope: customer_of.map_or(Scope::Everything, |o| Scope::Organisation(o.0)),
    })
}

async fn person(db: &Db, email: &str) -> anyhow::Result<PersonId> {
    Ok(PersonId(
        tandem_identity::store::person_by_email(db, email)
            .await?
            .with_context(|| format!("the demo person {email} is missing"))?
            .0,
    ))
}

struct Desk<'a> {
    db: &'a Db,
    matrix: PriorityMatrix,
    /// The service of Beta's tickets (their SLA covers it).
    video: ServiceId,
    beta: OrganisationId,
}

impl Desk<'_> {
    #[allow(clippy::too_many_arguments)]
    async fn open(
        &self,
        by: &Who,
        at: OffsetDateTime,
        organisation: OrganisationId,
        kind: &str,
        title: &str,
        description: &str,
        (impact, urgency): (&str, &str),
        channel: &str,
    ) -> anyhow::Result<TicketId> {
        let input = TicketDraft {
            kind: kind.into(),
            title: title.into(),
            description: description.into(),
            impact: impact.into(),
            urgency: urgency.into(),
            organisation_id: organisation.to_string(),
            service_id: if organisation == self.beta {
                self.video.to_string()
            } else {
                String::new()
            },
            channel: channel.into(),
            ..TicketDraft::default()
        }
        .validate(&self.matrix)?;
        Ok(store::create(self.db, &by.actor, by.scope, at, input)
            .await?
            .id)
    }

    async fn say(
        &self,
        by: &Who,
        at: OffsetDateTime,
        ticket: TicketId,
        body: &str,
        visibility: &str,
        channel: &str,
    ) -> anyhow::Result<()> {
        self.say_with(by, at, ticket, (body, visibility, channel), Vec::new())
            .await
    }

    /// An article with files; `text` is body, visibility and channel.
    async fn say_with(
        &self,
        by: &Who,
        at: OffsetDateTime,
        ticket: TicketId,
        (body, visibility, channel): (&str, &str, &str),
        attachments: Vec<FileDraft>,
    ) -> anyhow::Result<()> {
        let article = ArticleDraft {
            body: body.into(),
            visibility: visibility.into(),
            channel: channel.into(),
            attachments,
        }
        .validate(by.scope == Scope::Everything)?;
        store::add_article(self.db, &by.actor, by.scope, at, ticket, article).await?;
        Ok(())
    }

    async fn set(
        &self,
        by: &Who,
        at: OffsetDateTime,
        ticket: TicketId,
        changes: TicketChanges,
    ) -> anyhow::Result<()> {
        let current = store::get(self.db, Scope::Everything, ticket).await?;
        let change = changes.apply(&current, &self.matrix)?;
        store::change(self.db, &by.actor, at, ticket, current.version, change).await?;
        Ok(())
    }
}

fn state(to: &str) -> TicketChanges {
    TicketChanges {
        state: Some(to.into()),
        ..TicketChanges::default()
    }
}

/// Loads the tickets; `now` is when the demo is loaded.
pub async fn load(
    db: &Db,
    now: OffsetDateTime,
    beta: OrganisationId,
    gamma: OrganisationId,
    video: ServiceId,
) -> anyhow::Result<()> {
    let desk = Desk {
        db,
        matrix: store::matrix(db).await?,
        video,
        beta,
    };
    let david = who(db, "david.chen@beta.example", Some(beta)).await?;
    let anna = who(db, "anna.lindqvist@gamma.example", Some(gamma)).await?;
    let nina = who(db, "nina.keller@alpha.example", None).await?;
    let sven = who(db, "sven.richter@alpha.example", None).await?;
    let ines = who(db, "ines.kraus@alpha.example", None).await?;
    // Mondays and times of the last weeks, so that business hours apply as in real life.
    let monday = {
        let today = now.date();
        let back = i64::from(today.weekday().number_days_from_monday());
        today
            .checked_sub(Duration::days(back))
            .unwrap_or(today)
            .midnight()
            .assume_utc()
    };
    let at = |weeks_ago: i64, day: i64, hour: i64, minute: i64| {
        monday - Duration::weeks(weeks_ago)
            + Duration::days(day)
            + Duration::hours(hour)
            + Duration::minutes(minute)
    };

    // 1. A P1 in the VIP room, answered and resolved in time.
    let room = desk
        .open(&david, at(3, 1, 9, 5), beta, "incident", "VIP room Munich: no video", "The board room shows a black screen on every call since this morning. The CEO has a call at 11:00.", ("high", "high"), "phone")
        .await?;
    desk.say(&nina, at(3, 1, 9, 12), room, "We are on it: the room's codec does not register with the video platform. An engineer is connecting remotely.", "public", "phone").await?;
    desk.set(
        &nina,
        at(3, 1, 9, 15),
        room,
        TicketChanges {
            state: Some("in-progress".into()),
            assignee_id: Some(person(db, "sven.richter@alpha.example").await?.to_string()),
            support_level: Some("2".into()),
            ..TicketChanges::default()
        },
    )
    .await?;
    desk.say_with(
        &sven,
        at(3, 1, 10, 20),
        room,
        (
            "The codec's certificate had expired; renewed and re-registered. Video is back. The registration log is attached.",
            "public",
            "portal",
        ),
        vec![FileDraft {
            name: "codec-registration.log".into(),
            content: CODEC_LOG.as_bytes().to_vec(),
        }],
    )
    .await?;
    desk.set(&sven, at(3, 1, 10, 25), room, state("resolved"))
        .await?;
    desk.set(&nina, at(2, 4, 10, 0), room, state("closed"))
        .await?;

    // 2. A P2 answered late and escalated to the vendor: both targets missed.
    let freeze = desk
        .open(
            &david,
            at(2, 2, 13, 40),
            beta,
            "incident",
            "Video freezes during the board meeting",
            "The picture freezes every few minutes in room 3; sound goes on.",
            ("medium", "high"),
            "e-mail",
        )
        .await?;
    desk.say(
        &nina,
        at(2, 2, 14, 25),
        freeze,
        "Thank you, we have reproduced the freezes and handed them to our engineers.",
        "public",
        "e-mail",
    )
    .await?;
    desk.set(
        &nina,
        at(2, 2, 14, 30),
        freeze,
        TicketChanges {
            state: Some("in-progress".into()),
            support_level: Some("2".into()),
            ..TicketChanges::default()
        },
    )
    .await?;
    desk.say(
        &sven,
        at(2, 2, 17, 0),
        freeze,
        "The codec's firmware 4.2 drops frames under load; asked Vidcom (third level) for a fix.",
        "internal",
        "note",
    )
    .await?;
    desk.set(
        &sven,
        at(2, 2, 17, 5),
        freeze,
        TicketChanges {
            state: Some("waiting-for-supplier".into()),
            support_level: Some("3".into()),
            ..TicketChanges::default()
        },
    )
    .await?;
    desk.set(&sven, at(2, 4, 9, 0), freeze, state("in-progress"))
        .await?;
    desk.say(
        &sven,
        at(2, 4, 15, 30),
        freeze,
        "Vidcom's firmware 4.2.1 is installed in room 3; no freezes since.",
        "public",
        "portal",
    )
    .await?;
    desk.set(&sven, at(2, 4, 15, 35), freeze, state("resolved"))
        .await?;

    // 3. A service request waiting for the customer.
    let new_room = desk
        .open(
            &david,
            at(1, 0, 10, 0),
            beta,
            "service-request",
            "New video room for the Munich office",
            "We are opening room 5 next month and need it equipped and registered.",
            ("low", "low"),
            "portal",
        )
        .await?;
    desk.say(&nina, at(1, 0, 11, 0), new_room, "Gladly. Which equipment do you want, the standard or the VIP set? And who is our contact on site?", "public", "portal").await?;
    desk.set(
        &nina,
        at(1, 0, 11, 5),
        new_room,
        state("waiting-for-customer"),
    )
    .await?;

    // 4. The problem behind the freezes.
    let problem = desk
        .open(&sven, at(2, 4, 16, 0), beta, "problem", "Codec firmware drops frames under load", "Known error: firmware 4.2 of the room codecs drops frames under load. Workaround: lower the resolution to 720p. Fix: firmware 4.2.1 from Vidcom, to be rolled out to every room.", ("medium", "medium"), "note")
        .await?;
    desk.set(
        &sven,
        at(2, 4, 16, 5),
        problem,
        TicketChanges {
            state: Some("in-progress".into()),
            assignee_id: Some(person(db, "sven.richter@alpha.example").await?.to_string()),
            support_level: Some("2".into()),
            ..TicketChanges::default()
        },
    )
    .await?;

    desk.set(
        &sven,
        at(2, 4, 16, 6),
        problem,
        TicketChanges {
            known_error: Some(
                "Room codecs on firmware 4.2 drop frames when the CPU load passes 80 %.".into(),
            ),
            workaround: Some(
                "Lower the call resolution to 720p until the room runs firmware 4.2.1.".into(),
            ),
            ..TicketChanges::default()
        },
    )
    .await?;
    let problem_number = store::get(db, Scope::Everything, problem).await?.number;
    store::link(
        db,
        &sven.actor,
        at(2, 4, 16, 7),
        freeze,
        LinkKind::CausedBy,
        problem_number,
    )
    .await?;

    // 5. A security incident.
    let phishing = desk
        .open(&david, at(0, 0, 8, 30), beta, "security-incident", "Phishing mail to VIP users", "Several VIP users got a mail asking them to 're-validate' their video account on a foreign site.", ("high", "medium"), "phone")
        .await?;
    desk.say(&ines, at(0, 0, 8, 50), phishing, "We are investigating. Please ask your users not to follow the link; we are blocking the site on our side.", "public", "phone").await?;
    desk.say(&ines, at(0, 0, 9, 30), phishing, "Two users entered their passwords; their sessions are ended and passwords reset. Reporting to Beta within 24 h as the SLA requires.", "internal", "note").await?;
    desk.set(
        &ines,
        at(0, 0, 9, 35),
        phishing,
        TicketChanges {
            state: Some("in-progress".into()),
            assignee_id: Some(person(db, "ines.kraus@alpha.example").await?.to_string()),
            ..TicketChanges::default()
        },
    )
    .await?;

    // 6. Gamma's tickets: no SLA covers them, so they have no clocks.
    let server = desk
        .open(
            &anna,
            at(1, 2, 7, 45),
            gamma,
            "incident",
            "Server app01 cannot be reached",
            "Our warehouse application on app01 does not answer since 07:30.",
            ("high", "medium"),
            "portal",
        )
        .await?;
    desk.say(
        &nina,
        at(1, 2, 8, 5),
        server,
        "The server hung after a kernel update; restarted, the application answers again.",
        "public",
        "portal",
    )
    .await?;
    desk.set(&nina, at(1, 2, 8, 10), server, state("resolved"))
        .await?;
    desk.open(
        &anna,
        at(0, 0, 9, 0),
        gamma,
        "access-request",
        "Access for our new IT trainee",
        "Please give Lisa Berg read access to the monitoring reports.",
        ("low", "medium"),
        "portal",
    )
    .await?;
    Ok(())
}
