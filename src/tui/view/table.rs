//! The event table: time, verification mark, actor, outcome, action, resource (and source IP
//! when there is room), columns sized to the terminal.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::{pad, pad_end, row_time};
use super::{Ctx, outcome_role};
use crate::tui::state::App;
use crate::tui::theme::Role;

/// Column widths: (time, actor, outcome, action, resource, source IP).
fn widths(total: usize, span_ns: i64) -> [usize; 6] {
    let time = if span_ns > 86_400_000_000_000 { 14 } else { 12 };
    let outcome = 7;
    let ip = if total >= 120 { 15 } else { 0 };
    // 2 for the mark, 1 space between columns.
    let fixed = 2 + time + 1 + outcome + 1 + if ip > 0 { ip + 1 } else { 0 } + 2;
    let rest = total.saturating_sub(fixed);
    let actor = rest * 28 / 100;
    let action = rest * 24 / 100;
    let resource = rest.saturating_sub(actor + action);
    [time, actor, outcome, action, resource, ip]
}

/// Draws the header and the visible rows.
pub fn draw(f: &mut Frame, r: Rect, app: &App, ctx: &Ctx) {
    let t = ctx.theme;
    let span = app.window.map_or(0, |w| w.width());
    let [tw, aw, ow, cw, rw, iw] = widths(r.width as usize, span);
    let mut header = format!(
        "  {} {} {} {} {}",
        pad("time (UTC)", tw),
        pad("actor", aw),
        pad("outcome", ow),
        pad("action", cw),
        pad("resource", rw)
    );
    if iw > 0 {
        header.push(' ');
        header.push_str(&pad("source ip", iw));
    }
    let mut lines = vec![Line::styled(
        header,
        t.style(Role::Title).add_modifier(Modifier::BOLD),
    )];
    let height = r.height.saturating_sub(1) as usize;
    let rows = &app.rows;
    if rows.hits.is_empty() {
        let msg = if let Some(e) = &rows.error {
            format!("  {}", super::fit::fit(e, r.width as usize - 2))
        } else if rows.loading {
            "  loading…".to_string()
        } else if app.window.is_none() {
            "  nothing indexed yet".to_string()
        } else {
            "  no events match in this window (Backspace: back, -: zoom out, /: edit query)"
                .to_string()
        };
        lines.push(Line::styled(msg, t.style(Role::Muted)));
    }
    for (i, h) in rows.hits.iter().enumerate().skip(rows.scroll).take(height) {
        let (mark, mark_role) = if h.verified {
            ("✓", Role::Verified)
        } else {
            ("·", Role::Unsigned)
        };
        // A bookmarked event has `*` after its mark.
        let booked = if app.bookmark_of(h).is_some() {
            "*"
        } else {
            " "
        };
        let mut spans = vec![
            Span::styled(mark, t.style(mark_role)),
            Span::styled(booked, t.style(Role::Key)),
            Span::raw(pad(&row_time(h.time_ns, span), tw)),
            Span::raw(" "),
            Span::raw(pad_end(&h.actor, aw)),
            Span::raw(" "),
            Span::styled(pad(&h.outcome, ow), t.style(outcome_role(&h.outcome))),
            Span::raw(" "),
            Span::raw(pad(&h.action, cw)),
            Span::raw(" "),
            Span::raw(pad(&h.resource, rw)),
        ];
        if iw > 0 {
            spans.push(Span::raw(" "));
            spans.push(Span::raw(pad(h.source_ip.as_deref().unwrap_or(""), iw)));
        }
        let mut line = Line::from(spans);
        if i == rows.selected {
            line = line.patch_style(t.style(crate::tui::theme::Role::SelectionBg));
        }
        lines.push(line);
    }
    f.render_widget(Paragraph::new(lines), r);
}

#[cfg(test)]
mod tests {
    use super::widths;

    #[test]
    fn columns_fill_the_width() {
        for total in [80usize, 120, 160] {
            let w = widths(total, 3_600_000_000_000);
            let used: usize = w.iter().sum::<usize>() + 2 + 4 + usize::from(w[5] > 0);
            assert!(
                used <= total && used + 3 >= total,
                "{total}: {w:?} uses {used}"
            );
        }
    }
}
