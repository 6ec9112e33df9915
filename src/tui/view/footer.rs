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

/// The part of `input` to show in `room` columns, sanitized piece by piece (an unsafe
/// character becomes its escape, never split), and the cursor's column in it.
fn visible(input: &Input, room: usize) -> (String, usize) {
    let pieces: Vec<(String, usize)> = input
        .text
        .chars()
        .map(|c| {
            let p = crate::text::sanitize(c.encode_utf8(&mut [0; 4])).into_owned();
            let w = super::fit::safe_width(&p);
            (p, w)
        })
        .collect();
    let cursor_col: usize = pieces.iter().take(input.cursor).map(|(_, w)| w).sum();
    // Scroll so the cursor (and one cell after it) is on screen.
    let start = (cursor_col + 1).saturating_sub(room);
    let (mut shown, mut col, mut shown_w) = (String::new(), 0, 0);
    let mut cursor_at = 0;
    for (i, (p, w)) in pieces.iter().enumerate() {
        if i == input.cursor {
            cursor_at = shown_w;
        }
        if col >= start && shown_w + w <= room {
            shown.push_str(p);
            shown_w += w;
        }
        col += w;
    }
    if input.cursor >= pieces.len() {
        cursor_at = shown_w;
    }
    (shown, cursor_at)
}

/// Draws the prompt with its text and a terminal cursor at the edit point.
fn prompt(f: &mut Frame, r: Rect, label: &str, input: &Input, status: Span, ctx: &Ctx) {
    let t = ctx.theme;
    let w = r.width as usize;
    let status_w = status.width().min(w / 2);
    let room = w
        .saturating_sub(label.chars().count() + status_w + 2)
        .max(1);
    let (shown, cursor_at) = visible(input, room);
    let pad = room.saturating_sub(super::fit::safe_width(&shown));
    let line = Line::from(vec![
        Span::styled(
            label.to_string(),
            t.style(Role::Key).add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!("{shown}{}", " ".repeat(pad))),
        Span::raw("  "),
        status,
    ]);
    f.render_widget(Paragraph::new(line), r);
    let x = r.x + (label.chars().count() + cursor_at) as u16;
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
        Overlay::Note { input } => {
            let about = app
                .note_for
                .as_ref()
                .map_or(String::new(), |h| format!(" · {} {}", h.actor, h.action));
            let status = Span::styled(
                fit(&format!("Enter saves · Esc cancels{about}"), w / 3),
                t.style(Role::Muted),
            );
            prompt(f, r, "note: ", input, status, ctx);
        }
        Overlay::Command { input, error } => {
            let status = match error {
                Some(e) => Span::styled(fit(&format!("✗ {e}"), w / 2), t.style(Role::Failure)),
                None => {
                    let found = crate::tui::update::command_candidates(app, input.text.trim());
                    let text = match found.as_slice() {
                        [] => "no saved query starts with that".to_string(),
                        all if input.text.trim().is_empty() => format!(
                            "a saved query's name (Tab completes), or {} · {} names",
                            crate::tui::update::ALERTS_COMMAND,
                            all.len()
                        ),
                        some => format!("Tab: {}", some.join(" ")),
                    };
                    Span::styled(fit(&text, w / 2), t.style(Role::Muted))
                }
            };
            prompt(f, r, ":", input, status, ctx);
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
                Some((Level::Error, m)) => {
                    Line::styled(fit(&format!(" {m}"), w), t.style(Role::Alert))
                }
                Some((Level::Info, m)) => {
                    Line::styled(fit(&format!(" {m}"), w), t.style(Role::Text))
                }
                None => Line::styled(fit(&format!(" {}", hints(ctx)), w), t.style(Role::Muted)),
            };
            f.render_widget(Paragraph::new(line), r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_counts_escapes_by_their_width() {
        let input = Input::with("a\u{202E}b");
        let (shown, at) = visible(&input, 40);
        assert_eq!(shown, "a\\u{202E}b");
        assert_eq!(at, shown.chars().count());
        let mut mid = input.clone();
        mid.cursor = 2; // after the bidi override
        assert_eq!(visible(&mid, 40).1, 1 + "\\u{202E}".len());
        // A long text scrolls to keep the cursor visible.
        let long = Input::with(&"x".repeat(100));
        let (shown, at) = visible(&long, 10);
        assert_eq!(shown.len(), 9);
        assert_eq!(at, 9);
    }
}
