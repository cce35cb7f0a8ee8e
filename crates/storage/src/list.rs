//! Building list queries with filters and keyset pagination in SQL both engines accept.

use tandem_kernel::Result;
use tandem_kernel::page::{Direction, ListOptions, Page, PageRequest};
use uuid::Uuid;

use crate::{Db, Row};

/// A value bound to a placeholder of a dynamically built query.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Uuid(Uuid),
    Int(i64),
    Time(time::OffsetDateTime),
}

/// The `LIKE` pattern (with `ESCAPE '\\'`) that finds `term` anywhere in a lower-cased text:
/// `%` and `_` in the term are matched literally.
pub fn like_pattern(term: &str) -> String {
    let escaped = term
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A `SELECT` with optional conditions, read one page at a time.
#[derive(Debug, Clone)]
pub struct ListQuery {
    select: String,
    conditions: Vec<String>,
    args: Vec<Arg>,
}

impl ListQuery {
    /// `select` is everything up to (not including) `WHERE`, for example
    /// `SELECT p.id, p.name FROM people p JOIN organisations o ON o.id = p.organisation_id`.
    pub fn new(select: &str) -> Self {
        Self {
            select: select.to_owned(),
            conditions: Vec::new(),
            args: Vec::new(),
        }
    }

    /// Adds a condition; each `?` in `sql` takes the next of `args`.
    pub fn filter(mut self, sql: &str, args: impl IntoIterator<Item = Arg>) -> Self {
        let mut supplied = args.into_iter();
        let mut numbered = String::with_capacity(sql.len() + 4);
        for ch in sql.chars() {
            if ch == '?' {
                let arg = supplied
                    .next()
                    .unwrap_or_else(|| panic!("`{sql}` has more placeholders than arguments"));
                self.args.push(arg);
                numbered.push_str(&format!("${}", self.args.len()));
            } else {
                numbered.push(ch);
            }
        }
        assert!(
            supplied.next().is_none(),
            "`{sql}` has fewer placeholders than arguments"
        );
        self.conditions.push(numbered);
        self
    }

    /// Adds a case-insensitive "contains" condition on the text expression `column`.
    pub fn contains(self, column: &str, term: &str) -> Self {
        self.filter(
            &format!("lower({column}) LIKE ? ESCAPE '\\'"),
            [Arg::Text(like_pattern(term))],
        )
    }

    /// The final SQL and its arguments for one page, sorted by the text expression `sort` and
    /// then by `id_column`, reading one row more than the limit to tell whether a next page
    /// exists.
    pub fn page(
        mut self,
        sort: &str,
        id_column: &str,
        direction: Direction,
        page: &PageRequest,
    ) -> (String, Vec<Arg>) {
        if let Some(after) = &page.after {
            let op = match direction {
                Direction::Asc => ">",
                Direction::Desc => "<",
            };
            self = self.filter(
                &format!("({sort}, {id_column}) {op} (?, ?)"),
                [Arg::Text(after.key.clone()), Arg::Uuid(after.id)],
            );
        }
        let mut sql = self.select;
        if !self.conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.conditions.join(" AND "));
        }
        let dir = match direction {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        };
        sql.push_str(&format!(
            " ORDER BY {sort} {dir}, {id_column} {dir} LIMIT {}",
            page.limit + 1
        ));
        (sql, self.args)
    }
}

impl ListQuery {
    /// Reads the page `options` asks for, sorted by the text expression `sort` then `id_column`;
    /// `key` gives a row's sort key and id, from which the next page's cursor is made.
    pub async fn fetch_page<T: Row, S>(
        self,
        db: &Db,
        sort: &str,
        id_column: &str,
        options: &ListOptions<S>,
        key: impl Fn(&T) -> (String, Uuid),
    ) -> Result<Page<T>> {
        let (sql, args) = self.page(sort, id_column, options.direction, &options.page);
        let rows = db.fetch_all(&sql, &args).await?;
        Ok(Page::from_rows(
            rows,
            options.page.limit,
            &options.sort_tag(),
            key,
        ))
    }
}

/// Binds every [`Arg`] to a query, in order. Use inside [`run!`](crate::run) so that it is
/// compiled for each engine.
#[macro_export]
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                $crate::Arg::Text(v) => query.bind(v.clone()),
                $crate::Arg::Uuid(v) => query.bind(*v),
                $crate::Arg::Int(v) => query.bind(*v),
                $crate::Arg::Time(v) => query.bind($crate::SqlTime(*v)),
            };
        }
        query
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_kernel::page::Cursor;

    #[test]
    fn placeholders_are_numbered_across_conditions() {
        let (sql, args) = ListQuery::new("SELECT id, name FROM t")
            .filter("kind = ?", [Arg::Text("customer".into())])
            .contains("name", "50%_off")
            .page(
                "name",
                "id",
                Direction::Asc,
                &PageRequest {
                    limit: 10,
                    after: None,
                },
            );
        assert_eq!(
            sql,
            "SELECT id, name FROM t WHERE kind = $1 AND lower(name) LIKE $2 ESCAPE '\\' ORDER BY name ASC, id ASC LIMIT 11"
        );
        assert_eq!(
            args,
            [
                Arg::Text("customer".into()),
                Arg::Text("%50\\%\\_off%".into())
            ]
        );
    }

    #[test]
    fn a_cursor_becomes_a_row_value_comparison_in_the_sort_direction() {
        let id = Uuid::now_v7();
        let page = PageRequest {
            limit: 5,
            after: Some(Cursor {
                sort: "name.desc".into(),
                key: "M".into(),
                id,
            }),
        };
        let (sql, args) =
            ListQuery::new("SELECT id FROM t").page("name", "id", Direction::Desc, &page);
        assert!(
            sql.contains("WHERE (name, id) < ($1, $2) ORDER BY name DESC, id DESC LIMIT 6"),
            "{sql}"
        );
        assert_eq!(args, [Arg::Text("M".into()), Arg::Uuid(id)]);
    }
}
