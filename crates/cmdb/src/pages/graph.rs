//! The relation graph of a CI's page, laid out on the server as SVG: what the CI needs or
//! belongs to on the left, the CI in the middle, what needs or contains it on the right.

use crate::ci::{Ci, OperationalState};
use crate::store::relations::Relation;

const BOX_W: i32 = 220;
const BOX_H: i32 = 40;
const GAP: i32 = 14;
const LEFT_X: i32 = 10;
const MIDDLE_X: i32 = 330;
const RIGHT_X: i32 = 650;
/// Width of the drawing in SVG units.
pub const WIDTH: i32 = RIGHT_X + BOX_W + 10;

/// One CI drawn as a box.
#[derive(Debug, Clone)]
pub struct Box {
    pub x: i32,
    pub y: i32,
    pub href: String,
    pub title: String,
    pub subtitle: String,
    /// CSS class: the operational state (`operational`, `degraded`, `down`), `retired`, or
    /// `self` for the CI of the page.
    pub state: &'static str,
}

/// A line between the middle box and a neighbour, with its reading.
#[derive(Debug, Clone)]
pub struct Line {
    pub x1: i32,
    pub y1: i32,
    pub x2: i32,
    pub y2: i32,
    pub label: &'static str,
    pub label_x: i32,
    pub label_y: i32,
}

/// The drawing.
#[derive(Debug, Clone)]
pub struct Drawing {
    pub width: i32,
    pub height: i32,
    pub boxes: Vec<Box>,
    pub lines: Vec<Line>,
}

fn state_class(state: OperationalState, retired: bool) -> &'static str {
    if retired { "retired" } else { state.as_str() }
}

/// Lays out `ci` and its relations (outgoing on the left, incoming on the right).
pub fn draw(ci: &Ci, relations: &[Relation]) -> Drawing {
    let (left, right): (Vec<&Relation>, Vec<&Relation>) =
        relations.iter().partition(|r| r.outgoing);
    let rows = left.len().max(right.len()).max(1);
    let rows = i32::try_from(rows).unwrap_or(i32::MAX / (BOX_H + GAP));
    let height = rows * (BOX_H + GAP) + GAP;
    let middle_y = (height - BOX_H) / 2;
    let mut boxes = vec![Box {
        x: MIDDLE_X,
        y: middle_y,
        href: format!("/cis/{}", ci.id),
        title: ci.name.clone(),
        subtitle: format!("{} · {}", ci.number_text(), ci.class_name),
        state: "self",
    }];
    let mut lines = Vec::new();
    for (column, x, side) in [(&left, LEFT_X, -1), (&right, RIGHT_X, 1)] {
        let count = i32::try_from(column.len()).unwrap_or(0);
        let top = (height - count * (BOX_H + GAP) + GAP) / 2;
        for (i, relation) in (0..).zip(column.iter()) {
            let y = top + i * (BOX_H + GAP);
            let other = &relation.other;
            boxes.push(Box {
                x,
                y,
                href: format!("/cis/{}", other.id),
                title: other.name.clone(),
                subtitle: format!("{} · {}", other.number_text(), other.class_key),
                state: state_class(
                    other.operational,
                    other.lifecycle == crate::ci::Lifecycle::Retired,
                ),
            });
            let (x1, x2) = if side < 0 {
                (MIDDLE_X, x + BOX_W)
            } else {
                (MIDDLE_X + BOX_W, x)
            };
            let (y1, y2) = (middle_y + BOX_H / 2, y + BOX_H / 2);
            lines.push(Line {
                x1,
                y1,
                x2,
                y2,
                label: relation.reading(),
                label_x: (x1 + x2) / 2,
                label_y: (y1 + y2) / 2 - 4,
            });
        }
    }
    Drawing {
        width: WIDTH,
        height,
        boxes,
        lines,
    }
}
