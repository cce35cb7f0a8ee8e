//! Instants as bound to queries. PostgreSQL compares `timestamptz` values; SQLite keeps
//! instants as text and compares them as text, which orders them correctly only if every one
//! has the same shape. sqlx writes RFC 3339 with as few fraction digits as needed
//! (`…T09:00:00Z`, `…T09:00:00.5Z`), and `'Z'` sorts after `'.'`, so 09:00:00 would come after
//! 09:00:00.5. [`SqlTime`] always writes UTC with six fraction digits, so text order is time
//! order. Reading back needs nothing special: sqlx parses any RFC 3339 text.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo};
use sqlx::sqlite::{SqliteArgumentsBuffer, SqliteTypeInfo};
use sqlx::{Encode, Postgres, Sqlite, Type};
use time::OffsetDateTime;
use time::macros::format_description;

/// An instant to bind to a query; every instant written or compared in SQL goes through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlTime(pub OffsetDateTime);

impl SqlTime {
    /// The fixed-width text SQLite stores: `2026-11-02T09:00:00.000000Z`.
    pub fn sqlite_text(self) -> String {
        let format = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
        );
        self.0
            .to_offset(time::UtcOffset::UTC)
            .format(&format)
            .expect("every instant formats")
    }
}

impl Type<Sqlite> for SqlTime {
    fn type_info() -> SqliteTypeInfo {
        <OffsetDateTime as Type<Sqlite>>::type_info()
    }
}

impl Encode<'_, Sqlite> for SqlTime {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(self.sqlite_text(), buf)
    }
}

impl Type<Postgres> for SqlTime {
    fn type_info() -> PgTypeInfo {
        <OffsetDateTime as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for SqlTime {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode_by_ref(&self.0, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn sqlite_text_has_one_width_so_text_order_is_time_order() {
        let whole = SqlTime(datetime!(2026-11-02 09:00:00 UTC)).sqlite_text();
        let half = SqlTime(datetime!(2026-11-02 09:00:00.5 UTC)).sqlite_text();
        assert_eq!(whole, "2026-11-02T09:00:00.000000Z");
        assert!(whole < half);
        let local = SqlTime(datetime!(2026-11-02 10:00:00 +01:00)).sqlite_text();
        assert_eq!(local, whole, "stored in UTC");
    }
}
