//! Tickets without I/O: their kinds, the state model and its transitions, impact and urgency,
//! and the priority matrix.

use tandem_kernel::FieldError;
use tandem_service_levels::agreement::Priority;

/// What a ticket is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketKind {
    Incident,
    ServiceRequest,
    Problem,
    SecurityIncident,
    AccessRequest,
}

impl TicketKind {
    pub const ALL: [Self; 5] = [
        Self::Incident,
        Self::ServiceRequest,
        Self::Problem,
        Self::SecurityIncident,
        Self::AccessRequest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incident => "incident",
            Self::ServiceRequest => "service-request",
            Self::Problem => "problem",
            Self::SecurityIncident => "security-incident",
            Self::AccessRequest => "access-request",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Incident => "Incident",
            Self::ServiceRequest => "Service request",
            Self::Problem => "Problem",
            Self::SecurityIncident => "Security incident",
            Self::AccessRequest => "Access request",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "must be one of: incident, service-request, problem, security-incident, access-request",
                )
            })
    }
}

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    New,
    Assigned,
    InProgress,
    WaitingForCustomer,
    WaitingForSupplier,
    Resolved,
    Closed,
}

impl State {
    pub const ALL: [Self; 7] = [
        Self::New,
        Self::Assigned,
        Self::InProgress,
        Self::WaitingForCustomer,
        Self::WaitingForSupplier,
        Self::Resolved,
        Self::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Assigned => "assigned",
            Self::InProgress => "in-progress",
            Self::WaitingForCustomer => "waiting-for-customer",
            Self::WaitingForSupplier => "waiting-for-supplier",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::New => "New",
            Self::Assigned => "Assigned",
            Self::InProgress => "In progress",
            Self::WaitingForCustomer => "Waiting for customer",
            Self::WaitingForSupplier => "Waiting for supplier",
            Self::Resolved => "Resolved",
            Self::Closed => "Closed",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "must be one of: new, assigned, in-progress, waiting-for-customer, waiting-for-supplier, resolved, closed",
                )
            })
    }

    /// Whether the SLA clocks stand still in this state: waiting for the customer or a
    /// supplier, and resolved (a reopened ticket's clocks go on from where they stopped).
    pub fn pauses_clocks(self) -> bool {
        matches!(
            self,
            Self::WaitingForCustomer | Self::WaitingForSupplier | Self::Resolved | Self::Closed
        )
    }

    /// Whether the ticket is still being worked on.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Resolved | Self::Closed)
    }

    /// The states a ticket may move to from this one. Resolved and closed tickets are
    /// reopened to in progress.
    pub fn next(self) -> &'static [State] {
        use State::*;
        match self {
            New => &[Assigned, InProgress, WaitingForCustomer, Resolved, Closed],
            Assigned => &[InProgress, WaitingForCustomer, WaitingForSupplier, Resolved],
            InProgress => &[Assigned, WaitingForCustomer, WaitingForSupplier, Resolved],
            WaitingForCustomer => &[InProgress, Assigned, Resolved, Closed],
            WaitingForSupplier => &[InProgress, Assigned, Resolved],
            Resolved => &[Closed, InProgress],
            Closed => &[InProgress],
        }
    }

    /// Checks a move to `to`, naming the allowed ones when it is refused.
    pub fn check_move(self, to: State) -> Result<(), FieldError> {
        if self.next().contains(&to) {
            return Ok(());
        }
        let allowed: Vec<&str> = self.next().iter().map(|s| s.as_str()).collect();
        Err(FieldError::new(
            "state",
            format!(
                "a ticket that is {} cannot become {}; it can become: {}",
                self.as_str(),
                to.as_str(),
                allowed.join(", ")
            ),
        ))
    }
}

/// How one ticket relates to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// This ticket (an incident) is caused by the other (a problem).
    CausedBy,
    /// This ticket is a duplicate of the other.
    DuplicateOf,
    /// This ticket is part of the other.
    ChildOf,
}

impl LinkKind {
    pub const ALL: [Self; 3] = [Self::CausedBy, Self::DuplicateOf, Self::ChildOf];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CausedBy => "caused-by",
            Self::DuplicateOf => "duplicate-of",
            Self::ChildOf => "child-of",
        }
    }

    /// How the link reads from this ticket.
    pub fn label(self) -> &'static str {
        match self {
            Self::CausedBy => "caused by",
            Self::DuplicateOf => "duplicate of",
            Self::ChildOf => "part of",
        }
    }

    /// How the link reads from the other ticket.
    pub fn inverse_label(self) -> &'static str {
        match self {
            Self::CausedBy => "causes",
            Self::DuplicateOf => "has the duplicate",
            Self::ChildOf => "has the part",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(field, "must be one of: caused-by, duplicate-of, child-of")
            })
    }
}

/// Reads a ticket number as people write it: `T-000042`, `t-42` or `42`.
pub fn parse_number(field: &str, raw: &str) -> Result<i64, FieldError> {
    tandem_kernel::id::TICKETS.read(field, raw)
}

/// How much a ticket affects the business, or how soon it must be dealt with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    High,
    Medium,
    Low,
}

impl Level {
    pub const ALL: [Self; 3] = [Self::High, Self::Medium, Self::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new(field, "must be one of: high, medium, low"))
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Priority from impact (rows) and urgency (columns), high first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorityMatrix(pub [[Priority; 3]; 3]);

impl Default for PriorityMatrix {
    /// The usual ITIL matrix: high × high is P1; one step down on either axis lowers it by
    /// one, down to P4.
    fn default() -> Self {
        use Priority::*;
        Self([[P1, P2, P3], [P2, P3, P4], [P3, P4, P4]])
    }
}

impl PriorityMatrix {
    pub fn priority(&self, impact: Level, urgency: Level) -> Priority {
        self.0[impact.index()][urgency.index()]
    }

    pub fn set(&mut self, impact: Level, urgency: Level, priority: Priority) {
        self.0[impact.index()][urgency.index()] = priority;
    }

    /// The name of one cell in forms, bodies and errors: `impact.urgency`, as `high.low`.
    pub fn cell(impact: Level, urgency: Level) -> String {
        format!("{}.{}", impact.as_str(), urgency.as_str())
    }

    /// A matrix from the text of its nine cells, `value(impact, urgency)`; every cell that is
    /// not a priority is named in the error.
    pub fn parse(value: impl Fn(Level, Level) -> String) -> Result<Self, Vec<FieldError>> {
        let mut matrix = Self::default();
        let mut errors = Vec::new();
        for impact in Level::ALL {
            for urgency in Level::ALL {
                match Priority::parse(&Self::cell(impact, urgency), &value(impact, urgency)) {
                    Ok(priority) => matrix.set(impact, urgency, priority),
                    Err(e) => errors.push(e),
                }
            }
        }
        if errors.is_empty() {
            Ok(matrix)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matrix_names_each_cell_that_is_not_a_priority() {
        let errors = PriorityMatrix::parse(|i, u| match (i, u) {
            (Level::High, Level::Low) => "p5".into(),
            (Level::Low, Level::Medium) => String::new(),
            _ => "P2".into(),
        })
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["high.low", "low.medium"]);
        let upper = PriorityMatrix::parse(|_, _| "P2".into()).unwrap();
        assert_eq!(upper.priority(Level::High, Level::High), Priority::P2);
    }

    #[test]
    fn every_state_is_reachable_and_closed_tickets_reopen() {
        for state in State::ALL {
            if state != State::New {
                assert!(
                    State::ALL.iter().any(|s| s.next().contains(&state)),
                    "{state:?} cannot be reached"
                );
            }
            assert!(!state.next().contains(&state), "{state:?} moves to itself");
        }
        assert!(State::Closed.check_move(State::InProgress).is_ok());
        let refused = State::Closed.check_move(State::Assigned).unwrap_err();
        assert!(
            refused.message.contains("it can become: in-progress"),
            "{refused}"
        );
        assert!(State::New.check_move(State::WaitingForSupplier).is_err());
    }

    #[test]
    fn waiting_and_resolved_tickets_stop_the_clocks() {
        let paused: Vec<State> = State::ALL
            .into_iter()
            .filter(|s| s.pauses_clocks())
            .collect();
        assert_eq!(
            paused,
            [
                State::WaitingForCustomer,
                State::WaitingForSupplier,
                State::Resolved,
                State::Closed
            ]
        );
    }

    #[test]
    fn ticket_numbers_are_read_as_people_write_them() {
        assert_eq!(parse_number("other", "T-000042").unwrap(), 42);
        assert_eq!(parse_number("other", "t-7").unwrap(), 7);
        assert_eq!(parse_number("other", " 12 ").unwrap(), 12);
        assert!(parse_number("other", "T-0").is_err());
        assert!(parse_number("other", "ticket twelve").is_err());
        assert_eq!(
            LinkKind::parse("kind", "caused-by")
                .unwrap()
                .inverse_label(),
            "causes"
        );
    }

    #[test]
    fn the_default_matrix_is_the_itil_one() {
        let m = PriorityMatrix::default();
        assert_eq!(m.priority(Level::High, Level::High), Priority::P1);
        assert_eq!(m.priority(Level::High, Level::Medium), Priority::P2);
        assert_eq!(m.priority(Level::Medium, Level::High), Priority::P2);
        assert_eq!(m.priority(Level::Medium, Level::Medium), Priority::P3);
        assert_eq!(m.priority(Level::Low, Level::Low), Priority::P4);
        let written = |i: Level, u: Level| m.priority(i, u).as_str().to_owned();
        assert_eq!(PriorityMatrix::parse(written), Ok(m), "round trip");
    }
}
