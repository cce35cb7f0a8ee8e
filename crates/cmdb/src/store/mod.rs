//! Reading and writing the CMDB's tables; every write in one transaction with its audit entry,
//! and every configuration write with a new version of the CI it changes.

pub mod cis;
pub mod classes;
pub mod evidence;
pub mod files;
pub mod graph;
pub mod relations;

use tandem_kernel::{Error, Result};
use tandem_storage::{Tx, run};

/// Counts one more write to CIs or relations, so that servers holding the impact graph in
/// memory read it again (see [`graph`]).
async fn bump_generation(tx: &mut Tx) -> Result<()> {
    run!(tx, |c| {
        sqlx::query("UPDATE cmdb_generation SET value = value + 1 WHERE id = 1")
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The JSON the CMDB keeps in text columns (attribute values and sets, snapshots, diffs).
fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Storage(Box::new(e)))
}
