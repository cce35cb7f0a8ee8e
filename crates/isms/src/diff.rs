//! A line diff between two versions of a document: which lines stayed, which were added and
//! which were removed, with their line numbers, and the changed regions a page shows. Pure.
//!
//! Lines compare by their content alone: Windows (CRLF), old Mac (CR) and Unix (LF) line endings
//! are the same, and so are a text that ends with a line break and one that does not.

use std::ops::Range;
use std::time::Duration;

use similar::{Algorithm, ChangeTag, TextDiff};

/// How long the diff may search for the shortest difference before it settles for a longer one.
/// Documents of ordinary size finish far sooner; this bounds the work for two large texts that
/// share nothing.
const SEARCH_LIMIT: Duration = Duration::from_secs(1);

/// How a line fared from the old text to the new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineChange {
    /// In both texts.
    Same,
    /// Only in the new text.
    Added,
    /// Only in the old text.
    Removed,
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub change: LineChange,
    /// The line's number in the old text, from 1; none for an added line.
    pub old: Option<usize>,
    /// The line's number in the new text, from 1; none for a removed line.
    pub new: Option<usize>,
    /// The line without its line ending.
    pub text: String,
}

/// The lines of both texts in reading order, with how many were added and removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineDiff {
    pub lines: Vec<DiffLine>,
    pub added: usize,
    pub removed: usize,
}

/// The line diff from `old` to `new` (Myers' algorithm). Where a line was replaced, the removed
/// line comes before the added one.
pub fn lines(old: &str, new: &str) -> LineDiff {
    let old = normalise(old);
    let new = normalise(new);
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(SEARCH_LIMIT)
        .diff_lines(old.as_str(), new.as_str());
    let mut result = LineDiff::default();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => LineChange::Same,
            ChangeTag::Insert => {
                result.added += 1;
                LineChange::Added
            }
            ChangeTag::Delete => {
                result.removed += 1;
                LineChange::Removed
            }
        };
        let text = change.value();
        result.lines.push(DiffLine {
            change: kind,
            old: change.old_index().map(|index| index + 1),
            new: change.new_index().map(|index| index + 1),
            text: text.strip_suffix('\n').unwrap_or(text).to_owned(),
        });
    }
    result
}

/// `text` with every line ending a line feed, the last line included, so that lines compare by
/// their content alone.
fn normalise(text: &str) -> String {
    let mut text = text.replace("\r\n", "\n").replace('\r', "\n");
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

impl LineDiff {
    /// Whether the two texts have the same lines: nothing was added or removed.
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.removed == 0
    }

    /// The changed regions, each with up to `context` unchanged lines before and after it, in
    /// reading order. Regions whose context would meet or overlap are one region, so no line is
    /// shown twice; an empty diff has none.
    pub fn hunks(&self, context: usize) -> Vec<&[DiffLine]> {
        let mut regions: Vec<Range<usize>> = Vec::new();
        for (at, line) in self.lines.iter().enumerate() {
            if line.change == LineChange::Same {
                continue;
            }
            let start = at.saturating_sub(context);
            let end = at
                .saturating_add(context)
                .saturating_add(1)
                .min(self.lines.len());
            match regions.last_mut() {
                Some(last) if start <= last.end => last.end = end,
                _ => regions.push(start..end),
            }
        }
        regions
            .into_iter()
            .map(|region| &self.lines[region])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(change: LineChange, old: Option<usize>, new: Option<usize>, text: &str) -> DiffLine {
        DiffLine {
            change,
            old,
            new,
            text: text.to_owned(),
        }
    }

    /// Twenty numbered lines, those numbered in `changed` reworded.
    fn twenty_lines(changed: &[usize]) -> String {
        (1..=20)
            .map(|number| {
                if changed.contains(&number) {
                    format!("reworded {number}\n")
                } else {
                    format!("line {number}\n")
                }
            })
            .collect()
    }

    #[test]
    fn identical_texts_make_an_empty_diff() {
        let diff = lines("Purpose\nScope\n", "Purpose\nScope\n");
        assert!(diff.is_empty());
        assert_eq!(
            diff.lines,
            vec![
                line(LineChange::Same, Some(1), Some(1), "Purpose"),
                line(LineChange::Same, Some(2), Some(2), "Scope"),
            ]
        );
        assert!(diff.hunks(3).is_empty());
        assert!(lines("", "").lines.is_empty());
    }

    #[test]
    fn a_changed_line_is_removed_then_added() {
        let diff = lines("one\ntwo\nthree\n", "one\n2\nthree\n");
        assert!(!diff.is_empty());
        assert_eq!((diff.added, diff.removed), (1, 1));
        assert_eq!(
            diff.lines,
            vec![
                line(LineChange::Same, Some(1), Some(1), "one"),
                line(LineChange::Removed, Some(2), None, "two"),
                line(LineChange::Added, None, Some(2), "2"),
                line(LineChange::Same, Some(3), Some(3), "three"),
            ]
        );
    }

    #[test]
    fn a_line_added_at_the_end_without_a_final_line_break() {
        let diff = lines("a\nb", "a\nb\nc");
        assert_eq!((diff.added, diff.removed), (1, 0));
        assert_eq!(
            diff.lines,
            vec![
                line(LineChange::Same, Some(1), Some(1), "a"),
                line(LineChange::Same, Some(2), Some(2), "b"),
                line(LineChange::Added, None, Some(3), "c"),
            ]
        );
    }

    #[test]
    fn a_final_line_break_alone_is_no_change() {
        assert!(lines("a\nb\n", "a\nb").is_empty());
        assert!(lines("a\nb", "a\nb\n").is_empty());
    }

    #[test]
    fn line_endings_do_not_matter() {
        let diff = lines("a\r\nb\r\n", "a\nb\n");
        assert!(diff.is_empty());
        assert_eq!(diff.lines[0].text, "a");
        assert!(lines("a\rb\r", "a\nb").is_empty());

        let diff = lines("a\r\nb\r\nc\r\n", "a\nB\nc\n");
        assert_eq!(
            diff.lines,
            vec![
                line(LineChange::Same, Some(1), Some(1), "a"),
                line(LineChange::Removed, Some(2), None, "b"),
                line(LineChange::Added, None, Some(2), "B"),
                line(LineChange::Same, Some(3), Some(3), "c"),
            ]
        );
    }

    #[test]
    fn every_line_of_a_new_text_is_added() {
        let diff = lines("", "first\nsecond");
        assert_eq!((diff.added, diff.removed), (2, 0));
        assert_eq!(
            diff.lines,
            vec![
                line(LineChange::Added, None, Some(1), "first"),
                line(LineChange::Added, None, Some(2), "second"),
            ]
        );
    }

    #[test]
    fn close_changes_share_a_hunk() {
        let diff = lines(&twenty_lines(&[]), &twenty_lines(&[5, 8]));
        assert_eq!((diff.added, diff.removed), (2, 2));

        let hunks = diff.hunks(2);
        assert_eq!(hunks.len(), 1);
        let hunk = hunks[0];
        assert_eq!(hunk.len(), 10);
        assert_eq!(hunk[0], line(LineChange::Same, Some(3), Some(3), "line 3"));
        assert_eq!(hunk[2], line(LineChange::Removed, Some(5), None, "line 5"));
        assert_eq!(
            hunk[3],
            line(LineChange::Added, None, Some(5), "reworded 5")
        );
        assert_eq!(
            hunk[9],
            line(LineChange::Same, Some(10), Some(10), "line 10")
        );

        // Two unchanged lines lie between the changes: one line of context on each side meets.
        assert_eq!(diff.hunks(1).len(), 1);
        assert_eq!(diff.hunks(0).len(), 2);
    }

    #[test]
    fn distant_changes_make_separate_hunks() {
        let diff = lines(&twenty_lines(&[]), &twenty_lines(&[2, 15]));

        let hunks = diff.hunks(2);
        assert_eq!(hunks.len(), 2);
        let olds = |hunk: &[DiffLine]| hunk.iter().map(|entry| entry.old).collect::<Vec<_>>();
        assert_eq!(
            olds(hunks[0]),
            vec![Some(1), Some(2), None, Some(3), Some(4)]
        );
        assert_eq!(
            olds(hunks[1]),
            vec![Some(13), Some(14), Some(15), None, Some(16), Some(17)]
        );

        let bare = diff.hunks(0);
        assert_eq!(bare.len(), 2);
        assert!(
            bare.iter()
                .flat_map(|hunk| hunk.iter())
                .all(|entry| entry.change != LineChange::Same)
        );
        assert_eq!(diff.hunks(100).len(), 1);
        assert_eq!(diff.hunks(100)[0].len(), diff.lines.len());
    }
}
