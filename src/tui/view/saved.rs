//! The saved-query picker (`s`): name, alert marker, window and description of every saved
//! query (the config's `[[queries]]` and the shipped defaults), sanitized.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::pad;
use super::{Ctx, popup};
use crate::tui::action::Action;
use crate::tui::state::App;
use crate::tui::theme::Role;

/// Draws the picker.
pub fn draw(f: &mut Frame, area: Rect, app: &App, selected: usize, ctx: &Ctx) {
    let t = ctx.theme;
    let n = app.saved.len();
    let command = ctx.keymap.first_key(Action::Command).unwrap_or_default();
    let empty = (n == 0)
        .then_some(" no saved queries: add [[queries]] entries (name, query) to the config file");
    let Some((inner, first)) = popup::open_list(
        f,
        area,
        &format!("saved queries ({n})"),
        &format!("Enter run · {command} by name · ! alert rule · Esc close"),
        empty,
        selected,
        ctx,
    ) else {
        return;
    };
    let (w, h) = (inner.width as usize, inner.height as usize);
    let longest = app
        .saved
        .iter()
        .map(|q| super::fit::safe_width(&q.name))
        .max()
        .unwrap_or(0);
    let nw = longest.clamp(8, (w / 3).max(8));
    let ww = 6;
    let rest = w.saturating_sub(nw + ww + 5);
    let lines: Vec<Line> = app
        .saved
        .iter()
        .enumerate()
        .skip(first)
        .take(h)
        .map(|(i, q)| {
            let about = if q.description.is_empty() {
                Span::styled(pad(&q.query, rest), t.style(Role::Muted))
            } else {
                Span::raw(pad(&q.description, rest))
            };
            let line = Line::from(vec![
                Span::styled(if q.alert { " !" } else { "  " }, t.style(Role::Alert)),
                Span::raw(" "),
                Span::styled(pad(&q.name, nw), t.style(Role::Key)),
                Span::raw(" "),
                Span::styled(
                    pad(q.window.as_deref().unwrap_or(""), ww),
                    t.style(Role::Muted),
                ),
                Span::raw(" "),
                about,
            ]);
            if i == selected {
                line.patch_style(t.style(Role::SelectionBg))
            } else {
                line
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
