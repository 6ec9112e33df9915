//! The help overlay, generated from the keymap (so rebinding a key changes the help).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::popup::{self, Size};
use super::wrap::wrap;
use crate::tui::theme::Role;

/// The overlay's size.
pub const SIZE: Size = Size {
    pct: (70, 90),
    min: (60, 16),
};

/// The help text, unwrapped.
pub fn lines(ctx: &Ctx) -> Vec<Line<'static>> {
    let t = ctx.theme;
    let help = ctx.keymap.help();
    let kw = help
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(8)
        .min(20);
    let mut lines: Vec<Line> = help
        .iter()
        .map(|(keys, desc)| {
            Line::from(vec![
                Span::styled(format!(" {keys:>kw$}  "), t.style(Role::Key)),
                Span::raw(desc.to_string()),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    for (what, desc) in [
        ("click", "select a row / move the cursor on the histogram"),
        ("wheel", "scroll the table or an overlay"),
        (
            "typing",
            "in prompts: Enter apply, Esc cancel, Ctrl-U clear",
        ),
    ] {
        lines.push(Line::from(vec![
            Span::styled(format!(" {what:>kw$}  "), t.style(Role::Muted)),
            Span::raw(desc),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " ✓ verified (signed checkpoint)  · unsigned tail  △ spike  ▲ cursor",
        t.style(Role::Muted),
    ));
    lines.push(Line::styled(
        " keys can be rebound in the config file's [keys] table (see README)",
        t.style(Role::Muted),
    ));
    lines
}

/// Draws the overlay.
pub fn draw(f: &mut Frame, area: Rect, scroll: usize, ctx: &Ctx) {
    let inner = popup::open(f, area, SIZE, "keys", "j/k scroll · Esc close", ctx);
    let lines = wrap(lines(ctx), inner.width as usize);
    let scroll = scroll.min(lines.len().saturating_sub(inner.height as usize));
    f.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), inner);
}
