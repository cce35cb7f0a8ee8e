//! Reading and writing the service-level tables; every write in one transaction with its audit
//! entry.

pub mod agreements;
pub mod calendars;
pub mod services;
