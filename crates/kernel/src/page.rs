//! Keyset pagination. A list is read in pages of at most [`PageRequest::MAX_LIMIT`] rows, each
//! page starting after the last row of the previous one (its sort key and id), so that page 1000
//! costs the same as page 1 and rows inserted meanwhile never shift what the reader sees.

use uuid::Uuid;

use crate::FieldError;

/// Sort direction of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

impl Direction {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        match raw {
            "" | "asc" => Ok(Self::Asc),
            "desc" => Ok(Self::Desc),
            _ => Err(FieldError::new(field, "must be `asc` or `desc`")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }

    pub fn reversed(self) -> Self {
        match self {
            Self::Asc => Self::Desc,
            Self::Desc => Self::Asc,
        }
    }
}

/// Where the next page starts: the sort key and id of the last row already seen, and the sort
/// order it belongs to (a cursor of one order means nothing in another). Opaque to callers,
/// who only hand back what they were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The sort column and direction, as in `name.asc`.
    pub sort: String,
    pub key: String,
    pub id: Uuid,
}

const SEPARATOR: char = '\u{1f}';

impl Cursor {
    /// The cursor as a URL-safe token (hex of sort, key and id, separated).
    pub fn encode(&self) -> String {
        let raw = format!("{}{SEPARATOR}{}{SEPARATOR}{}", self.sort, self.key, self.id);
        crate::text::hex(raw.as_bytes())
    }

    pub fn decode(field: &str, token: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new(field, "is not a cursor returned by a previous page");
        if !token.len().is_multiple_of(2) || token.len() > 4 * 1024 {
            return Err(invalid());
        }
        let bytes = (0..token.len())
            .step_by(2)
            .map(|i| {
                u8::from_str_radix(token.get(i..i + 2).ok_or_else(invalid)?, 16)
                    .map_err(|_| invalid())
            })
            .collect::<Result<Vec<u8>, _>>()?;
        let raw = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (sort, rest) = raw.split_once(SEPARATOR).ok_or_else(invalid)?;
        let (key, id) = rest.rsplit_once(SEPARATOR).ok_or_else(invalid)?;
        let id = Uuid::parse_str(id).map_err(|_| invalid())?;
        Ok(Self {
            sort: sort.to_owned(),
            key: key.to_owned(),
            id,
        })
    }
}

/// One request for a page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl PageRequest {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 200;

    pub fn parse(limit: Option<u32>, after: Option<&str>) -> Result<Self, FieldError> {
        let limit = Self::limit(limit)?;
        let after = match after {
            None | Some("") => None,
            Some(token) => Some(Cursor::decode("after", token)?),
        };
        Ok(Self { limit, after })
    }

    /// Reads a page's `limit`: the default when absent, else 1 to [`Self::MAX_LIMIT`]. For lists
    /// whose `after` is not a [`Cursor`] (tickets page by their id).
    pub fn limit(limit: Option<u32>) -> Result<u32, FieldError> {
        let limit = limit.unwrap_or(Self::DEFAULT_LIMIT);
        if limit == 0 || limit > Self::MAX_LIMIT {
            return Err(FieldError::new(
                "limit",
                format!("must be between 1 and {}", Self::MAX_LIMIT),
            ));
        }
        Ok(limit)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: Self::DEFAULT_LIMIT,
            after: None,
        }
    }
}

/// Picks the sort column named by `raw` among the columns a list allows; the first option is the
/// default. Returns the column's public name with its value.
pub fn parse_sort<T: Copy>(
    raw: Option<&str>,
    options: &[(&'static str, T)],
) -> Result<(&'static str, T), FieldError> {
    match raw.filter(|r| !r.is_empty()) {
        None => Ok(options[0]),
        Some(name) => options
            .iter()
            .find(|(n, _)| *n == name)
            .copied()
            .ok_or_else(|| {
                let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                FieldError::new("sort", format!("must be one of: {}", names.join(", ")))
            }),
    }
}

/// How a list is to be read: a free-text search, the sort column (one of the list's allowed
/// columns), the direction, and the page.
#[derive(Debug, Clone, Default)]
pub struct ListOptions<S> {
    pub search: Option<String>,
    /// The public name of the sort column, as it appears in URLs.
    pub sort_name: &'static str,
    pub sort: S,
    pub direction: Direction,
    pub page: PageRequest,
}

/// The raw list parameters of a request, as found in the query string.
#[derive(Debug, Clone, Default)]
pub struct ListParams<'a> {
    pub search: Option<&'a str>,
    pub sort: Option<&'a str>,
    pub direction: Option<&'a str>,
    pub after: Option<&'a str>,
    pub limit: Option<u32>,
}

impl<S> ListOptions<S> {
    /// The sort column and direction, as cursors record them (`name.asc`).
    pub fn sort_tag(&self) -> String {
        format!("{}.{}", self.sort_name, self.direction.as_str())
    }
}

impl<S: Copy> ListOptions<S> {
    /// Checks every list parameter, reporting all bad ones at once.
    pub fn parse(
        params: &ListParams<'_>,
        sort_options: &[(&'static str, S)],
    ) -> crate::Result<Self> {
        use crate::error::AllValid;
        let ((sort_name, sort), direction, page) = (
            parse_sort(params.sort, sort_options),
            Direction::parse("dir", params.direction.unwrap_or_default()),
            PageRequest::parse(params.limit, params.after),
        )
            .all_valid()?;
        let search = params
            .search
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(200).collect());
        let options = Self {
            search,
            sort_name,
            sort,
            direction,
            page,
        };
        if let Some(after) = &options.page.after
            && after.sort != options.sort_tag()
        {
            return Err(crate::Error::invalid(
                "after",
                "belongs to a list in another order; start again from the first page",
            ));
        }
        Ok(options)
    }
}

/// A page of a list and the cursor for the next one, if there is more.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows read in the order `sort` (a
    /// [`ListOptions::sort_tag`]): the extra row, if present, proves that there is a next page;
    /// `key_of` gives a row's sort key and id.
    pub fn from_rows(
        mut rows: Vec<T>,
        limit: u32,
        sort: &str,
        key_of: impl Fn(&T) -> (String, Uuid),
    ) -> Self {
        let limit = limit as usize;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|last| {
                let (key, id) = key_of(last);
                Cursor {
                    sort: sort.to_owned(),
                    key,
                    id,
                }
            })
        } else {
            None
        };
        Self { items: rows, next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn limits_outside_the_range_are_rejected() {
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, 50);
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(201), None).is_err());
        assert_eq!(PageRequest::parse(Some(200), None).unwrap().limit, 200);
    }

    #[test]
    fn sort_columns_are_chosen_from_the_allowed_ones() {
        let options = [("name", 1), ("email", 2)];
        assert_eq!(parse_sort(None, &options).unwrap(), ("name", 1));
        assert_eq!(parse_sort(Some("email"), &options).unwrap(), ("email", 2));
        let err = parse_sort(Some("password"), &options).unwrap_err();
        assert_eq!(err.message, "must be one of: name, email");
    }

    #[test]
    fn list_parameters_report_every_problem() {
        let params = ListParams {
            sort: Some("colour"),
            direction: Some("up"),
            limit: Some(1000),
            ..ListParams::default()
        };
        let err = ListOptions::parse(&params, &[("name", ())]).unwrap_err();
        let fields: Vec<_> = err.field_errors().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["sort", "dir", "limit"]);
    }

    #[test]
    fn a_cursor_is_refused_in_another_sort_order() {
        let cursor = Cursor {
            sort: "name.asc".into(),
            key: "M".into(),
            id: Uuid::nil(),
        }
        .encode();
        let options = [("name", ()), ("email", ())];
        let same = ListParams {
            after: Some(&cursor),
            ..ListParams::default()
        };
        assert!(ListOptions::parse(&same, &options).is_ok());
        let other = ListParams {
            after: Some(&cursor),
            sort: Some("email"),
            ..ListParams::default()
        };
        assert_eq!(
            ListOptions::parse(&other, &options)
                .unwrap_err()
                .field_errors()[0]
                .field,
            "after"
        );
        let reversed = ListParams {
            after: Some(&cursor),
            direction: Some("desc"),
            ..ListParams::default()
        };
        assert!(ListOptions::parse(&reversed, &options).is_err());
    }

    #[test]
    fn blank_searches_are_no_search() {
        let params = ListParams {
            search: Some("  "),
            ..ListParams::default()
        };
        assert_eq!(
            ListOptions::parse(&params, &[("name", ())]).unwrap().search,
            None
        );
    }

    #[test]
    fn garbage_cursors_are_rejected_with_the_field_name() {
        for bad in ["zz", "abc", "00", "41"] {
            let err = Cursor::decode("after", bad).unwrap_err();
            assert_eq!(err.field, "after");
        }
    }

    #[test]
    fn a_page_with_an_extra_row_has_a_next_cursor_at_its_last_item() {
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        let rows: Vec<(String, Uuid)> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (format!("n{i}"), *id))
            .collect();
        let page = Page::from_rows(rows.clone(), 3, "name.asc", |r| r.clone());
        assert_eq!(page.items.len(), 3);
        assert_eq!(
            page.next,
            Some(Cursor {
                sort: "name.asc".into(),
                key: "n2".into(),
                id: ids[2]
            })
        );
        let last = Page::from_rows(rows[..3].to_vec(), 3, "name.asc", |r| r.clone());
        assert_eq!(last.next, None);
    }

    proptest! {
        #[test]
        fn cursors_round_trip(sort in "[a-z_]{1,20}[.](asc|desc)", key in ".{0,100}", id in any::<u128>()) {
            let cursor = Cursor { sort, key, id: Uuid::from_u128(id) };
            prop_assert_eq!(Cursor::decode("after", &cursor.encode()).unwrap(), cursor);
        }

        #[test]
        fn decoding_never_panics(token in ".{0,200}") {
            let _ = Cursor::decode("after", &token);
        }
    }
}
