//! Reading and writing the directory's tables. Each write runs in one transaction and checks
//! references before writing, so that a bad id is reported on its field and nothing is half
//! stored.

pub mod organisations;
pub mod people;
pub mod teams;

/// How many records the directory holds, for the start page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct Summary {
    pub customers: i64,
    pub suppliers: i64,
    pub people: i64,
    pub teams: i64,
}

pub async fn summary(db: &tandem_storage::Db) -> tandem_kernel::Result<Summary> {
    let mut conn = db.conn().await?;
    Ok(tandem_storage::run!(&mut conn, |c| {
        sqlx::query_as::<_, Summary>(
            "SELECT (SELECT count(*) FROM organisations WHERE kind = 'customer') AS customers, \
                    (SELECT count(*) FROM organisations WHERE kind = 'supplier') AS suppliers, \
                    (SELECT count(*) FROM people) AS people, \
                    (SELECT count(*) FROM teams) AS teams",
        )
        .fetch_one(c)
        .await
    })?)
}
