//! The facets overlay: the most frequent values of a field in the window and query, with
//! counts; Enter narrows to the selected value.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::{fit, pad};
use super::{Ctx, outcome_role, popup};
use crate::tui::state::App;
use crate::tui::theme::Role;
use crate::tui::worker::FACET_FIELDS;

/// Draws the overlay.
pub fn draw(f: &mut Frame, area: Rect, app: &App, field: usize, value: usize, ctx: &Ctx) {
    let t = ctx.theme;
    let inner = popup::open(
        f,
        area,
        popup::Size {
            pct: (80, 85),
            min: (60, 14),
        },
        "facets of the window and query",
        "←/→ field · j/k value · Enter narrow to it · Esc close",
        ctx,
    );
    let w = inner.width as usize;
    let mut tabs = vec![Span::raw(" ")];
    for (i, name) in FACET_FIELDS.iter().enumerate() {
        let style = if i == field {
            t.style(Role::SelectionBg).patch(t.style(Role::Key))
        } else {
            t.style(Role::Muted)
        };
        tabs.push(Span::styled(format!(" {name} "), style));
        tabs.push(Span::raw(" "));
    }
    let mut lines = vec![Line::from(tabs), Line::raw("")];
    let height = inner.height.saturating_sub(4) as usize;
    match &app.facets {
        None => lines.push(Line::styled(" counting…", t.style(Role::Muted))),
        Some(Err(e)) => lines.push(Line::styled(
            format!(" {}", fit(e, w)),
            t.style(Role::Alert),
        )),
        Some(Ok(all)) => {
            let Some(fc) = all.get(field) else { return };
            let max = fc.values.first().map_or(1, |v| v.count.max(1));
            let bar_w = (w / 4).max(4);
            let value_w = w.saturating_sub(bar_w + 12);
            let first = value.saturating_sub(height.saturating_sub(1));
            if fc.values.is_empty() {
                lines.push(Line::styled(" no values", t.style(Role::Muted)));
            }
            for (i, v) in fc.values.iter().enumerate().skip(first).take(height) {
                let n = ((v.count as f64 / max as f64) * bar_w as f64).ceil() as usize;
                let role = if fc.field == "outcome" {
                    outcome_role(&v.value)
                } else {
                    Role::Histogram
                };
                let line = Line::from(vec![
                    Span::raw(format!(" {} ", pad(&v.value, value_w))),
                    Span::styled(format!("{:>8} ", v.count), t.style(Role::Text)),
                    Span::styled("█".repeat(n.min(bar_w)), t.style(role)),
                ]);
                lines.push(if i == value {
                    line.patch_style(t.style(Role::SelectionBg))
                } else {
                    line
                });
            }
            lines.push(Line::styled(
                format!(
                    " {} events · {} in other values · {} without {}",
                    fc.total,
                    fc.other,
                    fc.missing,
                    crate::text::sanitize(&fc.field)
                ),
                t.style(Role::Muted),
            ));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}
