//! Integration tests: the real application on a real port, on SQLite and on PostgreSQL.
//! One test binary, so that it links once.

mod harness;

mod access;
mod audit;
mod changes;
mod cli;
mod cmdb;
mod directory_api;
mod directory_pages;
mod exports;
mod extremes;
mod frameworks;
mod identity;
mod isms;
mod isms_competence;
mod isms_context;
mod isms_objectives;
mod isms_requests;
mod isms_roles;
mod mail;
mod paths;
mod platform;
mod schema;
mod seams;
mod service_desk;
mod service_levels;
