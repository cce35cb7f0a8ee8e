//! Agreements: what a provider promises (an SLA with a customer), what an internal team
//! promises the provider (an OLA), what a supplier promises the provider (an underpinning
//! contract). Targets per priority in working minutes of the agreement's calendar, warnings at
//! a share of a target, an availability target, penalties, security requirements and reviews.
//!
//! Pure: the rules for the fields, the due times of a ticket (the SLA simulator) and the
//! penalty of a month.

use std::fmt;

use tandem_kernel::text::Name;
use tandem_kernel::{Error, FieldError, entity_id};
use time::{Date, OffsetDateTime};

use crate::calendar::{Calendar, Pause};

entity_id!(
    /// Identifies an agreement.
    AgreementId
);

/// Who promises what to whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgreementKind {
    /// Service level agreement: the provider to a customer.
    Sla,
    /// Operational level agreement: an internal team to the provider.
    Ola,
    /// Underpinning contract: a supplier to the provider.
    UnderpinningContract,
}

impl AgreementKind {
    pub const ALL: [Self; 3] = [Self::Sla, Self::Ola, Self::UnderpinningContract];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sla => "sla",
            Self::Ola => "ola",
            Self::UnderpinningContract => "underpinning-contract",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Sla => "SLA (with a customer)",
            Self::Ola => "OLA (with an internal team)",
            Self::UnderpinningContract => "Underpinning contract (with a supplier)",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(field, "must be one of: sla, ola, underpinning-contract")
            })
    }
}

/// The urgency class of a ticket: P1 is the most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

impl Priority {
    pub const ALL: [Self; 4] = [Self::P1, Self::P2, Self::P3, Self::P4];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::P1 => "p1",
            Self::P2 => "p2",
            Self::P3 => "p3",
            Self::P4 => "p4",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::P1 => "P1 critical",
            Self::P2 => "P2 high",
            Self::P3 => "P3 medium",
            Self::P4 => "P4 low",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == raw.trim().to_lowercase())
            .ok_or_else(|| FieldError::new(field, "must be one of: p1, p2, p3, p4"))
    }
}

/// The three clocks of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Until the first answer an agent writes for the customer to see.
    FirstResponse,
    /// Between answers to the customer while the ticket is open.
    Update,
    /// Until the ticket is resolved.
    Resolution,
}

impl Metric {
    pub const ALL: [Self; 3] = [Self::FirstResponse, Self::Update, Self::Resolution];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::Update => "update",
            Self::Resolution => "resolution",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::FirstResponse => "First response",
            Self::Update => "Update",
            Self::Resolution => "Resolution",
        }
    }

    /// The metric stored as `name` ([`Metric::as_str`]).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// Working minutes per metric for one priority; `None`: no target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Targets {
    pub first_response: Option<u32>,
    pub update: Option<u32>,
    pub resolution: Option<u32>,
}

impl Targets {
    pub fn get(&self, metric: Metric) -> Option<u32> {
        match metric {
            Metric::FirstResponse => self.first_response,
            Metric::Update => self.update,
            Metric::Resolution => self.resolution,
        }
    }
}

/// A duration of working time as people write it: `90` (minutes), `45m`, `4h`, `1h30m`.
pub fn parse_minutes(field: &str, raw: &str) -> Result<Option<u32>, FieldError> {
    let text = raw.trim().to_lowercase().replace(' ', "");
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || {
        FieldError::new(
            field,
            format!(
                "`{}` is not a duration; write minutes (90) or hours and minutes (1h30m, 4h)",
                raw.trim()
            ),
        )
    };
    if let Ok(minutes) = text.parse::<u32>() {
        return match minutes {
            0 => Err(FieldError::new(field, "must be more than zero")),
            m if m > 5_256_000 => Err(FieldError::new(field, "must be at most ten years")),
            m => Ok(Some(m)),
        };
    }
    let (hours, rest) = match text.split_once('h') {
        Some((h, rest)) => (h.parse::<u32>().map_err(|_| bad())?, rest),
        None => (0, text.as_str()),
    };
    let minutes = match rest.strip_suffix('m') {
        Some(m) => m.parse::<u32>().map_err(|_| bad())?,
        None if rest.is_empty() => 0,
        None => return Err(bad()),
    };
    let total = hours
        .checked_mul(60)
        .and_then(|h| h.checked_add(minutes))
        .ok_or_else(bad)?;
    if total == 0 {
        return Err(FieldError::new(field, "must be more than zero"));
    }
    if total > 5_256_000 {
        return Err(FieldError::new(field, "must be at most ten years"));
    }
    Ok(Some(total))
}

/// Minutes as people read them: `90` → `1 h 30 min`.
pub fn show_minutes(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Hundredths of a percent (basis points), written as a percentage: 99.9 % is 9990.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct BasisPoints(pub u32);

impl BasisPoints {
    pub fn parse(field: &str, raw: &str, max: u32) -> Result<Option<Self>, FieldError> {
        let text = raw.trim().trim_end_matches('%').trim();
        if text.is_empty() {
            return Ok(None);
        }
        let bad = || {
            FieldError::new(
                field,
                format!(
                    "`{}` is not a percentage with at most two decimals, such as 99.9",
                    raw.trim()
                ),
            )
        };
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if fraction.len() > 2 {
            return Err(bad());
        }
        let whole: u32 = whole.parse().map_err(|_| bad())?;
        let fraction: u32 = if fraction.is_empty() {
            0
        } else {
            format!("{fraction:0<2}").parse().map_err(|_| bad())?
        };
        let value = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(fraction))
            .ok_or_else(bad)?;
        if value > max {
            return Err(FieldError::new(
                field,
                format!("must be at most {}", Self(max)),
            ));
        }
        Ok(Some(Self(value)))
    }
}

impl fmt::Display for BasisPoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.0 / 100, self.0 % 100);
        match fraction {
            0 => write!(f, "{whole} %"),
            f10 if f10 % 10 == 0 => write!(f, "{whole}.{} %", f10 / 10),
            _ => write!(f, "{whole}.{fraction:02} %"),
        }
    }
}

/// What a missed target costs: shares of the monthly fee.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Penalties {
    /// The monthly fee in cents.
    pub monthly_fee_cents: Option<u64>,
    /// Share of the fee per missed response or resolution target.
    pub per_missed_target: Option<BasisPoints>,
    /// Share of the fee per started 0.1 % of availability below the target.
    pub per_tenth_below_availability: Option<BasisPoints>,
    /// The most the penalties of a month may take.
    pub cap: Option<BasisPoints>,
}

impl Penalties {
    /// The penalty of a month in cents: the shares of the fee for `missed_targets` and for
    /// each started 0.1 % that `availability` fell below `target`, capped.
    pub fn of_month(
        &self,
        missed_targets: u32,
        availability: Option<BasisPoints>,
        target: Option<BasisPoints>,
    ) -> u64 {
        let Some(fee) = self.monthly_fee_cents else {
            return 0;
        };
        let per_target =
            u64::from(self.per_missed_target.map_or(0, |b| b.0)) * u64::from(missed_targets);
        let tenths_below = match (availability, target) {
            (Some(actual), Some(target)) if actual < target => {
                u64::from((target.0 - actual.0).div_ceil(10))
            }
            _ => 0,
        };
        let per_availability =
            u64::from(self.per_tenth_below_availability.map_or(0, |b| b.0)) * tenths_below;
        let share =
            (per_target + per_availability).min(u64::from(self.cap.map_or(10_000, |c| c.0)));
        fee * share / 10_000
    }
}

/// A checked agreement, without its id and bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementTerms {
    pub name: Name,
    pub kind: AgreementKind,
    /// Targets of P1 to P4.
    pub targets: [Targets; 4],
    /// Warn when this share of a target's working time is used (e.g. 80 %).
    pub warn_at_percent: u8,
    pub availability_target: Option<BasisPoints>,
    pub penalties: Penalties,
    /// Security requirements, one per line.
    pub security_requirements: Vec<String>,
    pub review_interval_months: u8,
    pub next_review: Date,
    /// What happens as a ticket's targets run out, in order.
    pub escalation: Vec<EscalationStep>,
}

/// Who an escalation step tells, or what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscalationAction {
    /// Tell the person the ticket is assigned to (nobody if it is unassigned).
    NotifyAssignee,
    /// Tell the lead of the ticket's team (nobody without a team or a lead).
    NotifyTeamLead,
    /// Tell a person by e-mail address (the service manager, the department manager, the CEO).
    Notify(String),
    /// Raise the ticket's support level by one (at most 3).
    RaiseSupportLevel,
    /// Give the ticket to the team of this name. `reassign to TEAM` keeps the assignee (the
    /// team takes over the queue, the person working the ticket goes on); `hand over to TEAM`
    /// assigns the ticket to the team's lead, or to nobody when the team has no lead.
    Reassign { team: String, hand_over: bool },
}

/// At `percent` of a first-response or resolution target's working time used, do `action`
/// (once per ticket and target); only in the calendar's working time unless `always`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationStep {
    pub percent: u16,
    pub action: EscalationAction,
    pub always: bool,
}

impl fmt::Display for EscalationStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}% ", self.percent)?;
        match &self.action {
            EscalationAction::NotifyAssignee => f.write_str("notify assignee")?,
            EscalationAction::NotifyTeamLead => f.write_str("notify team lead")?,
            EscalationAction::Notify(email) => write!(f, "notify {email}")?,
            EscalationAction::RaiseSupportLevel => f.write_str("raise support level")?,
            EscalationAction::Reassign {
                team,
                hand_over: false,
            } => write!(f, "reassign to {team}")?,
            EscalationAction::Reassign {
                team,
                hand_over: true,
            } => write!(f, "hand over to {team}")?,
        }
        if self.always {
            f.write_str(" always")?;
        }
        Ok(())
    }
}

/// Reads escalation steps, one per line: `80% notify assignee`, `100% notify
/// maria@example.com`, `100% raise support level`, `120% reassign to Second level`, `120% hand
/// over to Second level`, `200% notify ceo@example.com always`.
pub fn parse_escalation(field: &str, raw: &str) -> Result<Vec<EscalationStep>, FieldError> {
    let mut steps = Vec::new();
    for (number, line) in raw.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
        if line.is_empty() {
            continue;
        }
        let bad = |why: &str| FieldError::new(field, format!("line {number}: {why}"));
        let (percent, rest) = line
            .split_once('%')
            .ok_or_else(|| bad("start with a percentage of the target, such as 80%"))?;
        let percent: u16 = percent
            .trim()
            .parse()
            .ok()
            .filter(|p| (1..=1000).contains(p))
            .ok_or_else(|| bad("the percentage must be a whole number from 1 to 1000"))?;
        let mut words: Vec<&str> = rest.split_whitespace().collect();
        let always = words.last() == Some(&"always");
        if always {
            words.pop();
        }
        let action = match words.as_slice() {
            ["notify", "assignee"] => EscalationAction::NotifyAssignee,
            ["notify", "team", "lead"] => EscalationAction::NotifyTeamLead,
            ["notify", email] => EscalationAction::Notify(
                tandem_kernel::text::Email::parse(field, email)
                    .map_err(|_| bad("notify the assignee or an e-mail address"))?
                    .to_string(),
            ),
            ["raise", "support", "level"] => EscalationAction::RaiseSupportLevel,
            ["reassign", "to", team @ ..] if !team.is_empty() => EscalationAction::Reassign {
                team: team.join(" "),
                hand_over: false,
            },
            ["hand", "over", "to", team @ ..] if !team.is_empty() => EscalationAction::Reassign {
                team: team.join(" "),
                hand_over: true,
            },
            _ => {
                return Err(bad(
                    "the action is `notify assignee`, `notify team lead`, `notify EMAIL`, `raise support level`, `reassign to TEAM` (the assignee stays) or `hand over to TEAM` (to the team's lead)",
                ));
            }
        };
        steps.push(EscalationStep {
            percent,
            action,
            always,
        });
    }
    steps.sort_by_key(|s| s.percent);
    Ok(steps)
}

/// When one clock of a ticket is due, and when it warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub metric: Metric,
    pub target_minutes: u32,
    pub warning: Option<OffsetDateTime>,
    pub due: Option<OffsetDateTime>,
}

impl AgreementTerms {
    pub fn targets(&self, priority: Priority) -> Targets {
        self.targets[priority.index()]
    }

    /// The SLA simulator: for a ticket of `priority` opened at `start` and paused as given,
    /// when each clock warns and is due in `calendar`. The update clock is shown as if it
    /// started at `start`.
    pub fn simulate(
        &self,
        calendar: &Calendar,
        priority: Priority,
        start: OffsetDateTime,
        pauses: &[Pause],
    ) -> Vec<Due> {
        let targets = self.targets(priority);
        Metric::ALL
            .into_iter()
            .filter_map(|metric| {
                let minutes = targets.get(metric)?;
                let warn = minutes * u32::from(self.warn_at_percent) / 100;
                Some(Due {
                    metric,
                    target_minutes: minutes,
                    warning: (self.warn_at_percent < 100)
                        .then(|| calendar.due(start, warn, pauses))
                        .flatten(),
                    due: calendar.due(start, minutes, pauses),
                })
            })
            .collect()
    }

    /// Whether the review is due on `today`.
    pub fn review_due(&self, today: Date) -> bool {
        self.next_review <= today
    }
}

/// An agreement's terms as typed into a form or sent to the API: text fields, checked by
/// [`AgreementDraft::validate`] all at once. Stored as JSON of these fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct AgreementDraft {
    pub name: String,
    pub kind: String,
    /// Per priority (P1 first) the first-response, update and resolution targets, each as
    /// minutes (`90`) or hours and minutes (`1h30m`); empty: no target.
    pub targets: [[String; 3]; 4],
    pub warn_at_percent: String,
    pub availability_target: String,
    /// The monthly fee, as `12000` or `12000.50`.
    pub monthly_fee: String,
    pub penalty_per_missed_target: String,
    pub penalty_per_tenth_below_availability: String,
    pub penalty_cap: String,
    pub security_requirements: String,
    pub review_interval_months: String,
    /// `YYYY-MM-DD`.
    pub next_review: String,
    /// Escalation steps, one per line (see [`parse_escalation`]).
    pub escalation: String,
}

/// The form and API name of a target field: `p1_first_response`.
pub fn target_field(priority: Priority, metric: Metric) -> String {
    format!("{}_{}", priority.as_str(), metric.as_str())
}

fn parse_money(field: &str, raw: &str) -> Result<Option<u64>, FieldError> {
    let text = raw.trim().replace([',', ' '], "");
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || {
        FieldError::new(
            field,
            format!(
                "`{}` is not an amount such as 12000 or 12000.50",
                raw.trim()
            ),
        )
    };
    let (whole, cents) = text.split_once('.').unwrap_or((&text, ""));
    if cents.len() > 2 {
        return Err(bad());
    }
    let whole: u64 = whole.parse().map_err(|_| bad())?;
    let cents: u64 = if cents.is_empty() {
        0
    } else {
        format!("{cents:0<2}").parse().map_err(|_| bad())?
    };
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .map(Some)
        .ok_or_else(bad)
}

/// Cents as an amount: `1200050` → `12000.50`.
pub fn show_money(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The value of a checked field, its error kept in `errors`.
fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

impl AgreementDraft {
    /// Checks every field at once.
    pub fn validate(&self) -> Result<AgreementTerms, Error> {
        let mut errors: Vec<FieldError> = Vec::new();
        let name = keep(&mut errors, Name::parse("name", &self.name));
        let kind = keep(&mut errors, AgreementKind::parse("kind", &self.kind));
        let mut targets = [Targets::default(); 4];
        for priority in Priority::ALL {
            let raw = &self.targets[priority.index()];
            let mut parsed = [None; 3];
            for (slot, metric) in Metric::ALL.into_iter().enumerate() {
                parsed[slot] = keep(
                    &mut errors,
                    parse_minutes(&target_field(priority, metric), &raw[slot]),
                )
                .flatten();
            }
            targets[priority.index()] = Targets {
                first_response: parsed[0],
                update: parsed[1],
                resolution: parsed[2],
            };
        }
        let warn_at_percent = keep(
            &mut errors,
            match self.warn_at_percent.trim() {
                "" => Ok(80),
                raw => raw
                    .parse::<u8>()
                    .ok()
                    .filter(|p| (1..=100).contains(p))
                    .ok_or_else(|| {
                        FieldError::new(
                            "warn_at_percent",
                            "must be a whole percentage from 1 to 100",
                        )
                    }),
            },
        );
        let availability_target = keep(
            &mut errors,
            BasisPoints::parse("availability_target", &self.availability_target, 10_000),
        )
        .flatten();
        let penalties = Penalties {
            monthly_fee_cents: keep(&mut errors, parse_money("monthly_fee", &self.monthly_fee))
                .flatten(),
            per_missed_target: keep(
                &mut errors,
                BasisPoints::parse(
                    "penalty_per_missed_target",
                    &self.penalty_per_missed_target,
                    10_000,
                ),
            )
            .flatten(),
            per_tenth_below_availability: keep(
                &mut errors,
                BasisPoints::parse(
                    "penalty_per_tenth_below_availability",
                    &self.penalty_per_tenth_below_availability,
                    10_000,
                ),
            )
            .flatten(),
            cap: keep(
                &mut errors,
                BasisPoints::parse("penalty_cap", &self.penalty_cap, 10_000),
            )
            .flatten(),
        };
        let review_interval_months = keep(
            &mut errors,
            match self.review_interval_months.trim() {
                "" => Ok(6),
                raw => raw
                    .parse::<u8>()
                    .ok()
                    .filter(|m| (1..=36).contains(m))
                    .ok_or_else(|| {
                        FieldError::new(
                            "review_interval_months",
                            "must be a number of months from 1 to 36",
                        )
                    }),
            },
        );
        let next_review = keep(
            &mut errors,
            Date::parse(
                self.next_review.trim(),
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| FieldError::new("next_review", "must be a date as YYYY-MM-DD")),
        );
        let escalation = keep(
            &mut errors,
            parse_escalation("escalation", &self.escalation),
        )
        .unwrap_or_default();
        let security_requirements: Vec<String> = self
            .security_requirements
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(i) = security_requirements
            .iter()
            .position(|r| r.chars().count() > 500)
        {
            errors.push(FieldError::new(
                "security_requirements",
                format!("requirement {} is longer than 500 characters", i + 1),
            ));
        }
        let has_fee_rules = penalties.per_missed_target.is_some()
            || penalties.per_tenth_below_availability.is_some();
        if has_fee_rules
            && penalties.monthly_fee_cents.is_none()
            && errors.iter().all(|e| e.field != "monthly_fee")
        {
            errors.push(FieldError::new(
                "monthly_fee",
                "penalties are shares of the monthly fee: give the fee",
            ));
        }
        if penalties.per_tenth_below_availability.is_some()
            && availability_target.is_none()
            && errors.iter().all(|e| e.field != "availability_target")
        {
            errors.push(FieldError::new(
                "availability_target",
                "a penalty per 0.1 % below the target needs the target",
            ));
        }
        match (
            name,
            kind,
            warn_at_percent,
            review_interval_months,
            next_review,
        ) {
            (
                Some(name),
                Some(kind),
                Some(warn_at_percent),
                Some(review_interval_months),
                Some(next_review),
            ) if errors.is_empty() => Ok(AgreementTerms {
                name,
                kind,
                targets,
                warn_at_percent,
                availability_target,
                penalties,
                security_requirements,
                review_interval_months,
                next_review,
                escalation,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

impl AgreementTerms {
    /// The terms as a draft again (the canonical text of each field).
    pub fn draft(&self) -> AgreementDraft {
        let minutes = |m: Option<u32>| m.map(|m| m.to_string()).unwrap_or_default();
        let percent = |b: Option<BasisPoints>| {
            b.map(|b| b.to_string().trim_end_matches(" %").to_owned())
                .unwrap_or_default()
        };
        AgreementDraft {
            name: self.name.to_string(),
            kind: self.kind.as_str().to_owned(),
            targets: self.targets.map(|t| {
                [
                    minutes(t.first_response),
                    minutes(t.update),
                    minutes(t.resolution),
                ]
            }),
            warn_at_percent: self.warn_at_percent.to_string(),
            availability_target: percent(self.availability_target),
            monthly_fee: self
                .penalties
                .monthly_fee_cents
                .map(show_money)
                .unwrap_or_default(),
            penalty_per_missed_target: percent(self.penalties.per_missed_target),
            penalty_per_tenth_below_availability: percent(
                self.penalties.per_tenth_below_availability,
            ),
            penalty_cap: percent(self.penalties.cap),
            security_requirements: self.security_requirements.join("\n"),
            review_interval_months: self.review_interval_months.to_string(),
            next_review: self.next_review.to_string(),
            escalation: self
                .escalation
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The fields the audit trail records.
    pub fn audit_fields(&self) -> Vec<(String, String)> {
        let draft = self.draft();
        let mut out = vec![
            ("name".to_owned(), draft.name),
            ("kind".to_owned(), draft.kind),
        ];
        for priority in Priority::ALL {
            for (slot, metric) in Metric::ALL.into_iter().enumerate() {
                out.push((
                    target_field(priority, metric),
                    draft.targets[priority.index()][slot].clone(),
                ));
            }
        }
        out.extend([
            ("warn_at_percent".to_owned(), draft.warn_at_percent),
            ("availability_target".to_owned(), draft.availability_target),
            ("monthly_fee".to_owned(), draft.monthly_fee),
            (
                "penalty_per_missed_target".to_owned(),
                draft.penalty_per_missed_target,
            ),
            (
                "penalty_per_tenth_below_availability".to_owned(),
                draft.penalty_per_tenth_below_availability,
            ),
            ("penalty_cap".to_owned(), draft.penalty_cap),
            (
                "security_requirements".to_owned(),
                draft.security_requirements,
            ),
            (
                "review_interval_months".to_owned(),
                draft.review_interval_months,
            ),
            ("next_review".to_owned(), draft.next_review),
            ("escalation".to_owned(), draft.escalation),
        ]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarDraft;
    use time::macros::{date, datetime};

    fn sla() -> AgreementDraft {
        let t = |a: &str, b: &str, c: &str| [a.to_owned(), b.to_owned(), c.to_owned()];
        AgreementDraft {
            name: "Beta video conferencing".into(),
            kind: "sla".into(),
            targets: [
                t("15", "1h", "4h"),
                t("30", "2h", "8h"),
                t("2h", "", "3d"),
                t("", "", ""),
            ],
            availability_target: "99.9".into(),
            monthly_fee: "12000".into(),
            penalty_per_missed_target: "2".into(),
            penalty_per_tenth_below_availability: "5".into(),
            penalty_cap: "30".into(),
            security_requirements:
                "Encrypt video streams end to end\n\nReport security incidents within 24 h".into(),
            next_review: "2027-05-01".into(),
            ..AgreementDraft::default()
        }
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let errors = sla().validate().unwrap_err().field_errors();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["p3_resolution"],
            "3d is not a duration of working time"
        );
        let mut draft = sla();
        draft.targets[2][2] = "16h".into();
        draft.kind = "promise".into();
        draft.availability_target = "99.999".into();
        draft.penalty_cap = "120".into();
        draft.next_review = "next spring".into();
        let errors = draft.validate().unwrap_err().field_errors();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["kind", "availability_target", "penalty_cap", "next_review"]
        );
    }

    #[test]
    fn durations_and_percentages_are_read_as_people_write_them() {
        assert_eq!(parse_minutes("f", "90").unwrap(), Some(90));
        assert_eq!(parse_minutes("f", "1h30m").unwrap(), Some(90));
        assert_eq!(parse_minutes("f", "4 h").unwrap(), Some(240));
        assert_eq!(parse_minutes("f", "45m").unwrap(), Some(45));
        assert_eq!(parse_minutes("f", "").unwrap(), None);
        assert!(parse_minutes("f", "0").is_err());
        assert!(
            parse_minutes("f", "6000000").is_err(),
            "at most ten years, in either form"
        );
        assert!(parse_minutes("f", "soon").is_err());
        assert_eq!(show_minutes(90), "1 h 30 min");
        assert_eq!(
            BasisPoints::parse("f", "99.9", 10_000).unwrap(),
            Some(BasisPoints(9990))
        );
        assert_eq!(
            BasisPoints::parse("f", "5 %", 10_000).unwrap(),
            Some(BasisPoints(500))
        );
        assert_eq!(BasisPoints(9990).to_string(), "99.9 %");
        assert_eq!(BasisPoints(9995).to_string(), "99.95 %");
        assert_eq!(parse_money("f", "12,000.5").unwrap(), Some(1_200_050));
        assert_eq!(show_money(1_200_050), "12000.50");
    }

    #[test]
    fn penalties_are_shares_of_the_fee_up_to_the_cap() {
        let mut draft = sla();
        draft.targets[2][2] = "16h".into();
        let terms = draft.validate().unwrap();
        let p = terms.penalties;
        let target = terms.availability_target;
        assert_eq!(p.of_month(0, Some(BasisPoints(9990)), target), 0);
        // Two missed targets: 2 × 2 % of 12,000.
        assert_eq!(p.of_month(2, Some(BasisPoints(9995)), target), 48_000);
        // 99.75 %: 0.15 % below, two started tenths: 2 × 5 %.
        assert_eq!(p.of_month(0, Some(BasisPoints(9975)), target), 120_000);
        // Capped at 30 %.
        assert_eq!(p.of_month(20, Some(BasisPoints(9000)), target), 360_000);
    }

    #[test]
    fn the_simulator_gives_warning_and_due_time_of_each_clock() {
        let mut draft = sla();
        draft.targets[2][2] = "16h".into();
        let terms = draft.validate().unwrap();
        let day = "08:00-18:00";
        let calendar = CalendarDraft {
            time_zone: "Europe/Berlin".into(),
            week: [day, day, day, day, day, "", ""].map(str::to_owned),
            holidays: String::new(),
        }
        .validate()
        .unwrap();
        // A P1 opened Friday 17:30 CET.
        let dues = terms.simulate(
            &calendar,
            Priority::P1,
            datetime!(2026-11-27 16:30 UTC),
            &[],
        );
        assert_eq!(dues.len(), 3);
        assert_eq!(dues[0].metric, Metric::FirstResponse);
        assert_eq!(
            dues[0].warning,
            Some(datetime!(2026-11-27 16:42 UTC)),
            "80 % of 15 min"
        );
        assert_eq!(dues[0].due, Some(datetime!(2026-11-27 16:45 UTC)));
        assert_eq!(
            dues[2].due,
            Some(datetime!(2026-11-30 10:30 UTC)),
            "4 h: 30 min Friday, 3.5 h Monday"
        );
        assert!(
            terms
                .simulate(
                    &calendar,
                    Priority::P4,
                    datetime!(2026-11-27 16:30 UTC),
                    &[]
                )
                .is_empty()
        );
        assert!(
            terms.review_due(date!(2027 - 05 - 01)) && !terms.review_due(date!(2027 - 04 - 30))
        );
    }

    #[test]
    fn escalation_steps_are_read_in_order_and_refused_line_by_line() {
        let steps = parse_escalation(
            "escalation",
            "150% notify claudia@alpha.example\n80% notify assignee\n\n100% raise support level\n200% notify ceo@alpha.example always",
        )
        .unwrap();
        let percents: Vec<u16> = steps.iter().map(|s| s.percent).collect();
        assert_eq!(percents, [80, 100, 150, 200]);
        assert_eq!(steps[3].to_string(), "200% notify ceo@alpha.example always");
        assert!(steps[3].always && !steps[0].always);
        let error =
            parse_escalation("escalation", "80% notify assignee\nsoon tell the boss").unwrap_err();
        assert!(error.message.starts_with("line 2:"), "{error}");
        assert!(parse_escalation("escalation", "80% notify nobody").is_err());
        assert!(parse_escalation("escalation", "0% notify assignee").is_err());
        let reassign = parse_escalation("escalation", "120% reassign to Second level").unwrap();
        assert_eq!(
            reassign[0].action,
            EscalationAction::Reassign {
                team: "Second level".into(),
                hand_over: false
            }
        );
        assert_eq!(reassign[0].to_string(), "120% reassign to Second level");
        assert!(parse_escalation("escalation", "120% reassign to").is_err());
        let hand_over =
            parse_escalation("escalation", "120% hand over to Second level always").unwrap();
        assert_eq!(
            hand_over[0].action,
            EscalationAction::Reassign {
                team: "Second level".into(),
                hand_over: true
            }
        );
        assert_eq!(
            hand_over[0].to_string(),
            "120% hand over to Second level always"
        );
        assert!(parse_escalation("escalation", "120% hand over to").is_err());
        let lead = parse_escalation("escalation", "90% notify team lead always").unwrap();
        assert_eq!(lead[0].action, EscalationAction::NotifyTeamLead);
        assert_eq!(lead[0].to_string(), "90% notify team lead always");
    }

    #[test]
    fn terms_read_back_as_the_draft_they_came_from() {
        let mut draft = sla();
        draft.targets[2][2] = "16h".into();
        let terms = draft.validate().unwrap();
        assert_eq!(terms.draft().validate().unwrap(), terms);
        assert_eq!(terms.security_requirements.len(), 2);
        let mut fees_without_fee = sla();
        fees_without_fee.targets[2][2] = "16h".into();
        fees_without_fee.monthly_fee = String::new();
        let errors = fees_without_fee.validate().unwrap_err().field_errors();
        assert_eq!(errors[0].field, "monthly_fee");
    }
}
