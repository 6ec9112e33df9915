//! The bottom line: the search or jump prompt, else the last message, else key hints.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::fit::fit;
use crate::tui::action::Action;
use crate::tui::state::{App, Input, Level, LiveCount, Overlay};
use crate::tui::theme::Role;

fn hints(ctx: &Ctx) -> String {
    let k = |a| ctx.keymap.first_key(a).unwrap_or_default();
    [
        (Action::Help, "help"),
        (Action::Search, "search"),
        (Action::Select, "detail"),
        (Action::Pivot, "pivot"),
        (Action::Facets, "facets"),
        (Action::Integrity, "integrity"),
        (Action::Jump, "jump"),
        (Action::NextSpike, "spike"),
        (Action::ZoomIn, "zoom"),
        (Action::Quit, "quit"),
    ]
    .iter()
    .map(|(a, what)| format!("{} {what}", k(*a)))
    .collect::<Vec<_>>()
    .join("  ")
}

/// Draws the prompt with its text and a terminal cursor at the edit point.
fn prompt(f: &mut Frame, r: Rect, label: &str, input: &Input, status: Span, ctx: &Ctx) {
    let t = ctx.theme;
    let w = r.width as usize;
    let status_w = status.width().min(w / 2);
    let room = w.saturating_sub(label.chars().count() + status_w + 2);
    // Show the end of a long text (where typing happens).
    let chars: Vec<char> = input.text.chars().collect();
    let start = input.cursor.saturating_sub(room.saturating_sub(1));
    let shown: String = chars.iter().skip(start).take(room).collect();
    let shown = crate::text::sanitize(&shown).into_owned();
    let line = Line::from(vec![
        Span::styled(label.to_string(), t.style(Role::Key).add_modifier(Modifier::BOLD)),
        Span::raw(format!("{shown:<room$}")),
        Span::raw("  "),
        status,
    ]);
    f.render_widget(Paragraph::new(line), r);
    let x = r.x + (label.chars().count() + input.cursor - start) as u16;
    f.set_cursor_position(Position::new(x.min(r.right().saturating_sub(1)), r.y));
}

/// Draws the footer.
pub fn draw(f: &mut Frame, r: Rect, app: &App, ctx: &Ctx) {
    let t = ctx.theme;
    let w = r.width as usize;
    match &app.overlay {
        Overlay::Search { input, count } => {
            let status = match count {
                LiveCount::None | LiveCount::Pending => {
                    Span::styled("counting…", t.style(Role::Muted))
                }
                LiveCount::Count(n) => Span::styled(
                    format!("{n} match{} in window", if *n == 1 { "" } else { "es" }),
                    t.style(Role::Verified),
                ),
                LiveCount::Error(m, pos) => Span::styled(
                    fit(
                        &format!(
                            "✗ {m}{}",
                            pos.map(|p| format!(" (at {p})")).unwrap_or_default()
                        ),
                        w / 2,
                    ),
                    t.style(Role::Failure),
                ),
            };
            prompt(f, r, "/", input, status, ctx);
        }
        Overlay::Jump { input, error } => {
            let status = match error {
                Some(e) => Span::styled(fit(&format!("✗ {e}"), w / 2), t.style(Role::Failure)),
                None => Span::styled("12:07  +15m  -2h  RFC 3339", t.style(Role::Muted)),
            };
            prompt(f, r, "jump to: ", input, status, ctx);
        }
        _ => {
            let line = match &app.message {
                Some((Level::Error, m)) => Line::styled(fit(&format!(" {m}"), w), t.style(Role::Alert)),
                Some((Level::Info, m)) => Line::styled(fit(&format!(" {m}"), w), t.style(Role::Text)),
                None => Line::styled(fit(&format!(" {}", hints(ctx)), w), t.style(Role::Muted)),
            };
            f.render_widget(Paragraph::new(line), r);
        }
    }
}
