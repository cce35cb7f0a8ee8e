//! Change management: the change log that seed 000 section 5.6 asks for, with every field in
//! its order, a life cycle whose rules the server enforces (the four-eye principle, the consent
//! of the Change Advisory Board for emergency changes, standard changes from a catalogue of
//! pre-approved templates), a suggested risk from the CMDB's impact analysis, and the change
//! calendar with its conflicts, blackout periods and iCalendar feed.
//!
//! Pure: [`lifecycle`] (states, moves and the guard rules that refuse them) and [`risk`] (the
//! suggested risk of a change).

pub mod lifecycle;
pub mod risk;
