//! Who does something: the person or API token behind a request, or Tandem itself. Every
//! write records its actor in the audit trail.

use std::fmt;

/// The kind of actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorKind {
    /// A person signed in.
    Person,
    /// A script or integration using an API token.
    Token,
    /// Tandem itself (start-up, the demo loader, scheduled work), or a request before sign-in
    /// exists.
    System,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Token => "token",
            Self::System => "system",
        }
    }
}

/// The actor of a change, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    /// The person's or token's id.
    pub id: Option<uuid::Uuid>,
    /// A readable name: the person's e-mail, the token's name, or what the system was doing.
    pub label: String,
    /// The network address the request came from, if any.
    pub address: Option<String>,
}

impl Actor {
    /// Tandem itself, doing `what` (for example `demo loader`).
    pub fn system(what: &str) -> Self {
        Self {
            kind: ActorKind::System,
            id: None,
            label: what.to_owned(),
            address: None,
        }
    }

    /// A signed-in person.
    pub fn person(id: uuid::Uuid, email: &str, address: Option<String>) -> Self {
        Self {
            kind: ActorKind::Person,
            id: Some(id),
            label: email.to_owned(),
            address,
        }
    }

    /// A request from `address` by someone not signed in.
    pub fn anonymous(address: Option<String>) -> Self {
        Self {
            kind: ActorKind::System,
            id: None,
            label: "anonymous request".to_owned(),
            address,
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.label)?;
        if let Some(address) = &self.address {
            write!(f, " from {address}")?;
        }
        Ok(())
    }
}
