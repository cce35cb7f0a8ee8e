//! Reading and writing the change-management tables; every write in one transaction with its
//! audit entry. The life-cycle rules of [`crate::lifecycle`] run again inside the transaction
//! that records a step, on the change as it is stored then.
//!
//! CI configuration is written only through `tandem_cmdb::store::cis::apply_update`, the
//! CMDB's entry point for a change being implemented; nothing here writes CMDB tables.

pub mod blackouts;
pub mod changes;
pub mod facts;
pub mod reports;
pub mod settings;
pub mod templates;

use tandem_kernel::{Error, Result};

/// The JSON kept in text columns (planned updates, checklists, customers to notify).
fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Storage(Box::new(e)))
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| Error::Storage(format!("{what}: {e}").into()))
}

/// A word read back from a column, which the schema's CHECK keeps in its vocabulary.
fn word<T>(parsed: std::result::Result<T, tandem_kernel::FieldError>) -> Result<T> {
    parsed.map_err(|e| Error::Storage(format!("stored {e}").into()))
}
