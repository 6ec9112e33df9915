//! Wrapping styled lines to a width ourselves (rather than in the `Paragraph`), so the number
//! of screen rows is known: scrolling can then reach the last row exactly.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// Splits each line into rows of at most `width` columns, breaking after a space when one is
/// in the second half of the row. Continuation rows are indented by the line's `hang` (its
/// leading spaces, or the width of a `name ` label when the line starts with one), capped at a
/// third of the width.
pub fn wrap(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(8);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let total: usize = line.spans.iter().map(|s| s.width()).sum();
        if total <= width {
            out.push(line);
            continue;
        }
        let hang = hang_of(&line).min(width / 3);
        let cells: Vec<(char, Style, usize)> = line
            .spans
            .iter()
            .flat_map(|s| {
                s.content
                    .chars()
                    .map(move |c| (c, s.style, c.width().unwrap_or(0)))
            })
            .collect();
        let mut i = 0;
        let mut first = true;
        while i < cells.len() {
            let indent = if first { 0 } else { hang };
            let room = width - indent;
            // The longest run of cells from `i` that fits.
            let (mut end, mut used) = (i, 0);
            while end < cells.len() && used + cells[end].2 <= room {
                used += cells[end].2;
                end += 1;
            }
            if end == i {
                end = i + 1; // a cell wider than the row: show it anyway
            }
            if end < cells.len()
                && let Some(sp) = (i..end).rev().find(|&k| cells[k].0 == ' ')
                && sp + 1 > i + (end - i) / 2
            {
                end = sp + 1;
            }
            let mut spans = Vec::new();
            if indent > 0 {
                spans.push(Span::raw(" ".repeat(indent)));
            }
            let mut k = i;
            while k < end {
                let style = cells[k].1;
                let mut text = String::new();
                while k < end && cells[k].1 == style {
                    text.push(cells[k].0);
                    k += 1;
                }
                spans.push(Span::styled(text, style));
            }
            out.push(Line::from(spans).style(line.style));
            i = end;
            first = false;
        }
    }
    out
}

fn hang_of(line: &Line) -> usize {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let lead = text.chars().take_while(|c| *c == ' ').count();
    // A `label      value` line: hang under the value.
    match line.spans.first() {
        Some(first) if line.spans.len() > 1 && first.content.trim_end() != first.content => {
            first.width()
        }
        _ => lead + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn breaks_after_a_space_in_the_second_half() {
        let line = Line::raw(" covered by segments 0–11 and more".to_string());
        let out = rows(&wrap(vec![line], 26));
        assert_eq!(out, vec![" covered by segments 0–11 ", "  and more"]);
    }

    #[test]
    fn long_lines_wrap_under_their_value() {
        let line = Line::from(vec![Span::raw(" name       "), Span::raw("x".repeat(30))]);
        let out = rows(&wrap(vec![line, Line::raw("short")], 24));
        assert_eq!(
            out,
            vec![
                format!(" name       {}", "x".repeat(12)),
                format!("{}{}", " ".repeat(8), "x".repeat(16)),
                format!("{}{}", " ".repeat(8), "x".repeat(2)),
                "short".to_string(),
            ]
        );
        for r in &out {
            assert!(r.chars().count() <= 24);
        }
    }
}
