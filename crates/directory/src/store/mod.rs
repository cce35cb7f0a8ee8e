//! Reading and writing the directory's tables. Each write runs in one transaction and checks
//! references before writing, so that a bad id is reported on its field and nothing is half
//! stored.

//!
//! Reads take the [`Scope`] of the request: a customer user's scope admits only records of their
//! own organisation, and a record outside it is "not found", exactly like one that does not
//! exist, so ids of other tenants reveal nothing.

pub mod organisations;
pub mod people;
pub mod teams;

use tandem_kernel::Scope;
use tandem_storage::{Arg, ListQuery};

/// `query` narrowed to the records whose organisation (in `column`) `scope` admits.
fn scoped(query: ListQuery, column: &str, scope: Scope) -> ListQuery {
    match scope {
        Scope::Everything => query,
        Scope::Organisation(own) => query.filter(&format!("{column} = ?"), [Arg::Uuid(own)]),
    }
}

/// The organisation `scope` narrows reads to, if any: the value of a
/// `$n IS NULL OR organisation = $n` condition.
fn own(scope: Scope) -> Option<uuid::Uuid> {
    match scope {
        Scope::Everything => None,
        Scope::Organisation(own) => Some(own),
    }
}

/// `record` if `scope` admits its organisation, "not found" otherwise.
fn within<T>(
    scope: Scope,
    organisation: uuid::Uuid,
    entity: &'static str,
    record: T,
) -> tandem_kernel::Result<T> {
    if scope.admits(organisation) {
        Ok(record)
    } else {
        Err(tandem_kernel::Error::NotFound { entity })
    }
}

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
