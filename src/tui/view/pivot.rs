//! The pivot picker: the selected event's fields, one of which becomes the new query.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::fit;
use super::{Ctx, popup};
use crate::tui::state::App;
use crate::tui::theme::Role;
use crate::tui::update::pivot_choices;

/// Draws the picker.
pub fn draw(f: &mut Frame, area: Rect, app: &App, choice: usize, ctx: &Ctx) {
    let t = ctx.theme;
    let Some(hit) = app.selected() else { return };
    let choices = pivot_choices(hit);
    let h = choices.len() as u16 + 2;
    let inner = popup::open(
        f,
        area,
        popup::Size {
            pct: (60, 0),
            min: (50, h),
        },
        "pivot: everything with…",
        "Enter pivot · Esc cancel",
        ctx,
    );
    let w = inner.width as usize;
    let lines: Vec<Line> = choices
        .iter()
        .enumerate()
        .map(|(i, (name, value))| {
            let line = Line::from(vec![
                Span::styled(format!(" {name:<11}"), t.style(Role::Key)),
                Span::raw(fit(value, w.saturating_sub(13))),
            ]);
            if i == choice {
                line.patch_style(t.style(Role::SelectionBg))
            } else {
                line
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
