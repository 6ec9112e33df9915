//! The bookmarks list (`b`) and the export menu (`e`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::{fit, pad, pad_end, row_time};
use super::{Ctx, popup};
use crate::tui::state::App;
use crate::tui::theme::Role;
use crate::tui::update::EXPORT_CHOICES;

/// Draws the bookmarks list.
pub fn draw(f: &mut Frame, area: Rect, app: &App, selected: usize, ctx: &Ctx) {
    let t = ctx.theme;
    let n = app.bookmarks.len();
    let title = format!("bookmarks ({n})");
    let empty =
        (n == 0).then_some(" no bookmarks yet: m bookmarks the selected event, c adds a note");
    let Some((inner, first)) = popup::open_list(
        f,
        area,
        &title,
        "Enter jump · c note · d delete · e export · Esc close",
        empty,
        selected,
        ctx,
    ) else {
        return;
    };
    let (w, h) = (inner.width as usize, inner.height as usize);
    // The note matters most: it gets what the event's columns leave.
    let (tw, aw, cw, rw) = (
        12,
        (w / 6).clamp(6, 30),
        (w / 8).clamp(6, 24),
        (w / 7).clamp(6, 40),
    );
    let nw = w.saturating_sub(tw + aw + cw + rw + 5);
    let lines: Vec<Line> = app
        .bookmarks
        .iter()
        .enumerate()
        .skip(first)
        .take(h)
        .map(|(i, b)| {
            let line = Line::from(vec![
                Span::raw(pad(&row_time(b.time_ns, 86_400_000_000_000), tw)),
                Span::raw(" "),
                Span::raw(pad_end(&b.actor, aw)),
                Span::raw(" "),
                Span::raw(pad(&b.action, cw)),
                Span::raw(" "),
                Span::raw(pad(&b.resource, rw)),
                Span::raw(" "),
                Span::styled(pad(&b.note.replace('\n', " ⏎ "), nw), t.style(Role::Title)),
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

/// Draws the export menu.
pub fn draw_export(f: &mut Frame, area: Rect, app: &App, choice: usize, ctx: &Ctx) {
    let t = ctx.theme;
    let inner = popup::open(
        f,
        area,
        popup::Size {
            pct: (60, 0),
            min: (50, EXPORT_CHOICES.len() as u16 + 3),
        },
        "export to the trailscope home's exports/",
        "Enter export · Esc cancel · masked (trailscope export --reveal unmasks)",
        ctx,
    );
    let w = inner.width as usize;
    let n = app.bookmarks.len();
    let lines: Vec<Line> = EXPORT_CHOICES
        .iter()
        .enumerate()
        .map(|(i, (bookmarks, format))| {
            let what = if *bookmarks {
                format!("the {n} bookmarks")
            } else {
                "the events of this view (query and window)".to_string()
            };
            let how = match *format {
                "md" => "Markdown timeline + integrity statement",
                "json" => "JSON with proofs (trailscope prove checks it)",
                _ => "CSV for spreadsheets",
            };
            let line = Line::from(vec![
                Span::styled(format!(" {format:<5}"), t.style(Role::Key)),
                Span::raw(fit(&format!("{what}: {how}"), w.saturating_sub(6))),
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
