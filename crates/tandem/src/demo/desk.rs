//! The demo world's service desk (seed 000, sections 5.2–5.5): tickets of Beta's video rooms and
//! VIP users over the last weeks, answered and resolved in time or not, one escalated to the
//! engineers and the video-equipment vendor, one waiting for the customer, a problem behind the
//! recurring incidents, a security incident, and Gamma's tickets, which no SLA covers.

use anyhow::Context;
use tandem_audit::Write;
use tandem_directory::{OrganisationId, PersonId};
use tandem_kernel::{Actor, Scope};
use tandem_service_desk::attachment::FileDraft;
use tandem_service_desk::records::{ArticleDraft, TicketChanges, TicketDraft, TicketId, TimeDraft};
use tandem_service_desk::store;
use tandem_service_desk::ticket::{LinkKind, PriorityMatrix};
use tandem_service_levels::services::ServiceId;
use tandem_storage::Db;
use time::{Duration, OffsetDateTime};

/// The log an engineer attaches to the first demo ticket.
const CODEC_LOG: &str = "09:58:02 SIP REGISTER sip:board-munich@video.alpha.example -> 403 certificate expired\n\
10:14:40 certificate renewed, valid until 2027-11-02\n\
10:15:03 SIP REGISTER sip:board-munich@video.alpha.example -> 200 OK\n";

/// Someone of the demo world acting on the desk.
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
        .validate(&self.matrix, by.scope == Scope::Everything)?;
        Ok(
            store::create(&Write::new(self.db, &by.actor, at), by.scope, input)
                .await?
                .id,
        )
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
        store::add_article(
            &Write::new(self.db, &by.actor, at),
            by.scope,
            ticket,
            article,
        )
        .await?;
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
        store::change(
            &Write::new(self.db, &by.actor, at),
            ticket,
            current.version,
            change,
        )
        .await?;
        Ok(())
    }
}

/// The everyday requests behind the demo's three months: kind, title, what the customer
/// writes, impact and urgency, the agent's answer, and how it was resolved.
struct Everyday {
    kind: &'static str,
    /// `{n}` becomes a room number.
    title: &'static str,
    description: &'static str,
    impact_urgency: (&'static str, &'static str),
    answer: &'static str,
    fix: &'static str,
}

const ROUTINE: [Everyday; 8] = [
    Everyday {
        kind: "incident",
        title: "Echo in meeting room {n}",
        description: "Remote participants hear themselves with a delay.",
        impact_urgency: ("medium", "medium"),
        answer: "Thanks, we are checking the room's echo canceller remotely.",
        fix: "The microphone gain was too high after a firmware update; reset to the room profile.",
    },
    Everyday {
        kind: "service-request",
        title: "New user account for the video portal",
        description: "Please create an account for our new colleague; details in the HR form.",
        impact_urgency: ("low", "medium"),
        answer: "We have your request and will set up the account today.",
        fix: "Account created and the welcome e-mail sent.",
    },
    Everyday {
        kind: "incident",
        title: "Screen sharing fails in room {n}",
        description: "Laptops connected by cable show no picture in the call.",
        impact_urgency: ("medium", "high"),
        answer: "We can reproduce it and are looking at the room's input switch.",
        fix: "The HDMI switch lost its EDID settings; restored and tested with two laptops.",
    },
    Everyday {
        kind: "service-request",
        title: "Book a technician for the all-hands",
        description: "We need on-site support for our all-hands meeting next month.",
        impact_urgency: ("low", "low"),
        answer: "Noted; a technician is pencilled in, we will confirm the time.",
        fix: "Technician booked and the setup agreed with the facility manager.",
    },
    Everyday {
        kind: "incident",
        title: "Calls drop after 60 minutes",
        description: "Long calls end by themselves after about an hour.",
        impact_urgency: ("high", "medium"),
        answer: "We see the drops in the bridge logs and are investigating the session timers.",
        fix: "A session timer on the bridge was set to 3600 s; raised to the agreed value.",
    },
    Everyday {
        kind: "access-request",
        title: "Access to the monitoring reports",
        description: "Please give our new IT lead read access to the monthly reports.",
        impact_urgency: ("low", "medium"),
        answer: "We will grant the access once your administrator confirms.",
        fix: "Access granted after the customer's confirmation; second factor enrolled.",
    },
    Everyday {
        kind: "incident",
        title: "Camera in room {n} does not zoom",
        description: "The zoom buttons on the remote do nothing.",
        impact_urgency: ("low", "medium"),
        answer: "We are sending the camera's reset command remotely.",
        fix: "The camera's control port had hung; a remote reboot fixed it.",
    },
    Everyday {
        kind: "service-request",
        title: "Update the address book",
        description: "Please add our Singapore office rooms to the directory.",
        impact_urgency: ("low", "low"),
        answer: "We will add the rooms in this week's maintenance window.",
        fix: "Rooms added to the directory and checked by dialling each one.",
    },
];

/// Ten weeks of everyday tickets before the stories of the last weeks: mostly answered and
/// resolved in time, about one in six answered late and escalated. `at` gives (weeks ago,
/// weekday, hour, minute) as a time.
async fn routine(
    desk: &Desk<'_>,
    at: &impl Fn(i64, i64, i64, i64) -> OffsetDateTime,
    customers: [&Who; 2],
    agents: [&Who; 2],
    engineers: [&Who; 2],
    gamma: OrganisationId,
) -> anyhow::Result<()> {
    let mut n: i64 = 0;
    for weeks_ago in (4..=13).rev() {
        for slot in 0..8_i64 {
            n += 1;
            let Everyday {
                kind,
                title,
                description,
                impact_urgency,
                answer,
                fix,
            } = &ROUTINE[usize::try_from((n * 5 + weeks_ago) % 8).unwrap_or_default()];
            let customer = customers[usize::from(n % 3 == 0)];
            let organisation = if n % 3 == 0 { gamma } else { desk.beta };
            let agent = agents[usize::try_from(n % 2).unwrap_or_default()];
            let engineer = engineers[usize::try_from((n / 2) % 2).unwrap_or_default()];
            let late = n % 6 == 1;
            let (day, hour, minute) = (slot % 5, 8 + (n * 7) % 8, (n * 13) % 60);
            let opened = at(weeks_ago, day, hour, minute);
            let title = title.replace("{n}", &(1 + n % 9).to_string());
            let ticket = desk
                .open(
                    customer,
                    opened,
                    organisation,
                    kind,
                    &title,
                    description,
                    *impact_urgency,
                    "portal",
                )
                .await?;
            let answered = opened + Duration::minutes(if late { 240 } else { 8 + (n * 3) % 20 });
            if late {
                scheduler(desk.db, opened, answered).await?;
            }
            desk.say(agent, answered, ticket, answer, "public", "portal")
                .await?;
            desk.set(
                agent,
                answered + Duration::minutes(2),
                ticket,
                TicketChanges {
                    state: Some("in-progress".into()),
                    assignee_id: Some(engineer.actor.id.unwrap_or_default().to_string()),
                    ..TicketChanges::default()
                },
            )
            .await?;
            let resolved = answered + Duration::hours(if late { 30 } else { 1 + n % 3 });
            if late {
                scheduler(desk.db, answered, resolved).await?;
            }
            desk.say(engineer, resolved, ticket, fix, "public", "portal")
                .await?;
            desk.set(engineer, resolved, ticket, state("resolved"))
                .await?;
            store::add_time(
                &Write::new(desk.db, &engineer.actor, resolved),
                ticket,
                TimeDraft {
                    duration: format!("{}", 15 + (n * 11) % 75),
                    billable: n % 4 != 0,
                    note: "Diagnosis and fix".into(),
                    worked_on: resolved.date().to_string(),
                }
                .validate(resolved.date())?,
            )
            .await?;
            desk.set(agent, resolved + Duration::days(3), ticket, state("closed"))
                .await?;
        }
    }
    Ok(())
}

/// Runs the escalation scheduler every quarter of an hour from `from` until just before `until`,
/// as `tandem serve` would have while the ticket waited, so that each step is taken at its time.
async fn scheduler(db: &Db, from: OffsetDateTime, until: OffsetDateTime) -> anyhow::Result<()> {
    let mut at = from + Duration::minutes(15);
    while at < until {
        store::escalate(db, at).await?;
        at += Duration::minutes(15);
    }
    store::escalate(db, until - Duration::minutes(1)).await?;
    Ok(())
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
    let tom = who(db, "tom.becker@alpha.example", None).await?;
    let lena = who(db, "lena.wolf@alpha.example", None).await?;
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

    routine(
        &desk,
        &at,
        [&david, &anna],
        [&nina, &tom],
        [&sven, &lena],
        gamma,
    )
    .await?;

    // 1. A P1 in the VIP room, answered and resolved in time.
    let room = desk
        .open(&david, at(3, 1, 9, 5), beta, "incident", "VIP room Munich: no video", "The board room shows a black screen on every call since this morning. The CEO has a call at 11:00.", ("high", "high"), "portal")
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
            "portal",
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
        &Write::new(db, &sven.actor, at(2, 4, 16, 7)),
        freeze,
        LinkKind::CausedBy,
        problem_number,
    )
    .await?;

    // 5. A security incident.
    let phishing = desk
        .open(&david, at(0, 0, 8, 30), beta, "security-incident", "Phishing mail to VIP users", "Several VIP users got a mail asking them to 're-validate' their video account on a foreign site.", ("high", "medium"), "portal")
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
