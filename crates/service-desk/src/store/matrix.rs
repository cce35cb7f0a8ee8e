//! The `priority_matrix` table: the priority each impact and urgency give a ticket.

use tandem_audit::{Edit, Write};
use tandem_kernel::{Error, FieldError, Result};
use tandem_service_levels::agreement::Priority;
use tandem_storage::{Db, run};

use crate::ticket::{Level, PriorityMatrix};

/// The priority matrix in force.
pub async fn matrix(db: &Db) -> Result<PriorityMatrix> {
    let mut conn = db.conn().await?;
    let rows: Vec<(String, String, String)> = run!(&mut conn, |c| {
        sqlx::query_as("SELECT impact, urgency, priority FROM priority_matrix")
            .fetch_all(c)
            .await
    })?;
    let mut matrix = PriorityMatrix::default();
    for (impact, urgency, priority) in rows {
        let corrupt = |e: FieldError| Error::Storage(format!("priority matrix: {e}").into());
        matrix.set(
            Level::parse("impact", &impact).map_err(corrupt)?,
            Level::parse("urgency", &urgency).map_err(corrupt)?,
            Priority::parse("priority", &priority).map_err(corrupt)?,
        );
    }
    Ok(matrix)
}

/// Replaces the priority matrix. Tickets keep their priority until impact or urgency change.
pub async fn set_matrix(write: &Write, matrix: PriorityMatrix) -> Result<()> {
    let before = self::matrix(&write.db).await?;
    let mut tx = write.begin().await?;
    for impact in Level::ALL {
        for urgency in Level::ALL {
            run!(&mut tx, |c| {
                sqlx::query(
                    "UPDATE priority_matrix SET priority = $3 WHERE impact = $1 AND urgency = $2",
                )
                .bind(impact.as_str())
                .bind(urgency.as_str())
                .bind(matrix.priority(impact, urgency).as_str())
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
        }
    }
    let cells = |m: &PriorityMatrix| -> Vec<(String, String)> {
        Level::ALL
            .into_iter()
            .flat_map(|i| Level::ALL.into_iter().map(move |u| (i, u)))
            .map(|(i, u)| {
                (
                    format!("{} × {}", i.as_str(), u.as_str()),
                    m.priority(i, u).as_str().to_owned(),
                )
            })
            .collect()
    };
    let (old, new) = (cells(&before), cells(&matrix));
    write
        .commit(tx, Edit::updated("priority matrix", "", &old, &new))
        .await
}
