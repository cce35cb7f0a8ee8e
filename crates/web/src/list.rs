//! Links of list pages: sorting by a column and paging keep the other parameters.

use tandem_kernel::page::Direction;

/// The state of a list page as it appears in its URL.
#[derive(Debug, Clone, Default)]
pub struct ListLinks {
    /// The list page's path, such as `/people`.
    pub path: &'static str,
    /// Filter parameters, kept on every link.
    pub filters: Vec<(&'static str, String)>,
    pub sort: String,
    pub direction: Direction,
    /// The cursor token of the next page, if there is one.
    pub next: Option<String>,
    /// Whether this is a later page (so a link back to the first makes sense).
    pub paged: bool,
}

impl ListLinks {
    fn href(&self, sort: &str, direction: Direction, after: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .filters
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        pairs.push(("sort", sort));
        pairs.push(("dir", direction.as_str()));
        if let Some(after) = after {
            pairs.push(("after", after));
        }
        let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
        format!("{}?{query}", self.path)
    }

    /// The link of a column header: sorts by `column`, flipping the direction if it already
    /// sorts by it.
    pub fn sort_href(&self, column: &str) -> String {
        let direction = if self.sort == column {
            self.direction.reversed()
        } else {
            Direction::Asc
        };
        self.href(column, direction, None)
    }

    /// `aria-sort` of a column header.
    pub fn aria_sort(&self, column: &str) -> &'static str {
        match (self.sort == column, self.direction) {
            (false, _) => "none",
            (true, Direction::Asc) => "ascending",
            (true, Direction::Desc) => "descending",
        }
    }

    pub fn next_href(&self) -> Option<String> {
        self.next
            .as_deref()
            .map(|after| self.href(&self.sort, self.direction, Some(after)))
    }

    pub fn first_href(&self) -> String {
        self.href(&self.sort, self.direction, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> ListLinks {
        ListLinks {
            path: "/people",
            filters: vec![("q", "ada & co".into()), ("organisation", String::new())],
            sort: "name".into(),
            direction: Direction::Asc,
            next: Some("abcd".into()),
            paged: false,
        }
    }

    #[test]
    fn sorting_by_the_current_column_flips_the_direction_and_keeps_filters() {
        let links = links();
        assert_eq!(
            links.sort_href("name"),
            "/people?q=ada+%26+co&sort=name&dir=desc"
        );
        assert_eq!(
            links.sort_href("email"),
            "/people?q=ada+%26+co&sort=email&dir=asc"
        );
        assert_eq!(links.aria_sort("name"), "ascending");
        assert_eq!(links.aria_sort("email"), "none");
    }

    #[test]
    fn the_next_page_link_carries_the_cursor() {
        assert_eq!(
            links().next_href().unwrap(),
            "/people?q=ada+%26+co&sort=name&dir=asc&after=abcd"
        );
    }
}
