//! Reading and writing tickets, their pauses and their articles. Every write runs in one
//! transaction with its audit entry and brings the ticket's SLA clocks up to date. Reads take
//! the request's scope: a customer user's tickets are their organisation's, and another
//! organisation's ticket is not found.
//!
//! The parts, whose public items are re-exported here: `tickets` (the ticket record, reading,
//! listing and searching tickets, opening and changing one), `articles` (the thread and its
//! attachments), `clocks` (the agreement that applies and the due times), `escalations` (the
//! steps the scheduler takes), `outbox` (the mail a write sends), `time_entries` (time worked,
//! and billing), `links` (links between tickets), `matrix` (the priority matrix) and
//! [`saved_filters`] (a person's saved views of the desk).

mod articles;
mod clocks;
mod escalations;
mod links;
mod matrix;
mod outbox;
pub mod saved_filters;
mod tickets;
mod time_entries;

pub use articles::{add_article, articles, attachment, author_kind};
pub use clocks::follow_agreement_changes;
pub use escalations::escalate;
pub use links::{Link, link, links};
pub use matrix::{matrix, set_matrix};
pub use tickets::{Filter, change, create, get, list, opened_between};
pub use time_entries::{BilledTime, add_time, time_between, time_of};
