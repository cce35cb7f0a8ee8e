//! Frameworks and mappings: standards, books and models as data, typed mappings between their
//! nodes with provenance, and coverage and gap analysis in both directions.
//!
//! Owns the shipped catalogues in `data/` (compiled into the binary) and the tables of
//! user-defined frameworks, mappings and gap assessments. [`model`] is the vocabulary,
//! [`catalogue`] loads and checks data and indexes it, [`analysis`] computes coverage; all
//! three do no I/O. Other capabilities may read the catalogue and run analyses, never write
//! these tables.

pub mod analysis;
pub mod catalogue;
pub mod model;
