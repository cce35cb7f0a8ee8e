//! The `changes`, `change_numbers`, `change_cis`, `change_votes`, `change_checks`,
//! `change_transitions` and `maintenance_windows` tables: changes, their life-cycle steps, the
//! CAB's votes and the verification checklist.
//!
//! - `read`: the records as read (a change's CIs, votes, checks and steps, and its detail), one
//!   change or a list of them, and the person an actor acts for.
//! - `edit`: creating and updating a change, with the checks of what it names, its CIs and what
//!   a standard change takes from its template.
//! - `life_cycle`: taking a step, with the maintenance windows of a scheduled change and the CI
//!   updates of an implemented one.
//! - `cab`: the CAB's votes and the verification checklist.
//!
//! The change record itself is [`crate::change::Change`] and the step a person asks for is
//! [`crate::step::StepRequest`]; both are re-exported here. What a step does to the change is
//! the pure [`crate::step::apply`].

mod cab;
mod edit;
mod life_cycle;
mod read;

pub use cab::{record_check, set_checklist, vote};
pub use edit::{create, update};
pub use life_cycle::{next_steps, refused, take_step};
pub use read::{
    CabVote, ChangeCi, Check, Detail, Filter, Transition, acting_person, by_number, cis, detail,
    find, get, get_detail, in_window, list,
};

pub use crate::change::Change;
pub use crate::step::StepRequest;
