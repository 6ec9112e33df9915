//! The side panel on wide terminals: the selected event's fields and proof at a glance.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Ctx;
use super::detail::{event_lines, proof_lines};
use crate::tui::state::App;
use crate::tui::theme::Role;

/// Draws the panel.
pub fn draw(f: &mut Frame, r: Rect, app: &App, ctx: &Ctx) {
    let t = ctx.theme;
    let block = Block::default()
        .borders(Borders::LEFT)
        .border_style(t.style(Role::Border));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    match app.selected() {
        Some(hit) => {
            lines.push(Line::styled(" selected event", t.style(Role::Title)));
            lines.extend(event_lines(hit, w, ctx));
            lines.push(Line::raw(""));
            lines.push(Line::styled(" proof", t.style(Role::Title)));
            lines.extend(proof_lines(app, hit, None, w, ctx));
            lines.push(Line::from(vec![Span::styled(
                format!(
                    " {} for the record",
                    ctx.keymap.keys_of(crate::tui::action::Action::Select)
                ),
                t.style(Role::Muted),
            )]));
        }
        None => lines.push(Line::styled(" no event selected", t.style(Role::Muted))),
    }
    f.render_widget(Paragraph::new(lines), inner);
}
