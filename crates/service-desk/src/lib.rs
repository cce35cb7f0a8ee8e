//! The service desk: tickets and their SLA clocks.
//!
//! Pure: [`ticket`] (kinds, the state model, the priority matrix) and [`clocks`] (which
//! agreement applies and when each clock is due).

pub mod clocks;
pub mod ticket;
