//! The shared kernel of Tandem: the few types every capability speaks.
//!
//! It owns ids, the injected clock, the error type capabilities return, field validation and
//! keyset pagination. It does no I/O and knows nothing of HTTP, SQL engines or any capability.

pub mod access;
pub mod actor;
pub mod clock;
pub mod error;
pub mod file;
pub mod id;
pub mod page;
pub mod sheet;
pub mod text;
pub mod vocabulary;

pub use access::{Access, Need, Permission, Role, Roles, Scope, Stage};
pub use actor::{Actor, ActorKind};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Error, FieldError, Result};
pub use page::{Cursor, Direction, PageRequest};
pub use sheet::Sheet;
