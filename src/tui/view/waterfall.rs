//! The trace overlay: spans nested by parent, each with a bar scaled to the whole trace
//! (error spans in the failure colour), and the selected span's attributes and events below.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::{duration, fit, full_time, pad};
use super::{Ctx, popup};
use crate::trace::{SpanStatus, Trace};
use crate::tui::state::App;
use crate::tui::state::correlation::TraceLookup;
use crate::tui::theme::Role;

/// Rows of the selected span's details under the waterfall (at most).
const DETAIL_ROWS: u16 = 9;

/// Draws the overlay.
pub fn draw(f: &mut Frame, area: Rect, app: &App, selected: usize, ctx: &Ctx) {
    let t = ctx.theme;
    let Some(view) = app.correlation.trace.as_ref() else {
        return;
    };
    let size = popup::Size {
        pct: (96, 90),
        min: (50, 12),
    };
    let hint = "j/k span · Enter this trace's events · w events during the span · Esc close";
    let trace = match &view.lookup {
        TraceLookup::Found(trace) => trace,
        other => {
            let (role, text) = match other {
                TraceLookup::Loading => {
                    (Role::Muted, format!("looking up trace {}…", view.trace_id))
                }
                TraceLookup::NotFound(why) => (Role::Alert, why.clone()),
                TraceLookup::Failed(why) => (Role::Failure, format!("trace lookup failed: {why}")),
                TraceLookup::Found(_) => unreachable!("handled above"),
            };
            let inner = popup::open(f, area, size, "trace", "Esc close", ctx);
            let text = fit(&text, inner.width as usize);
            f.render_widget(Paragraph::new(text).style(t.style(role)), inner);
            return;
        }
    };
    let title = title(trace);
    let inner = popup::open(f, area, size, &title, hint, ctx);
    let rows = trace.tree();
    if rows.is_empty() {
        return;
    }
    let selected = selected.min(rows.len() - 1);
    let detail_h = DETAIL_ROWS.min(inner.height / 3);
    let list_h = inner.height.saturating_sub(detail_h + 1).max(1) as usize;
    let first = selected
        .saturating_sub(list_h.saturating_sub(1) / 2)
        .min(rows.len().saturating_sub(list_h));
    let w = inner.width as usize;
    let name_w = (w * 2 / 5).clamp(12, 48);
    let svc_w = 12.min(w / 8).max(6);
    let dur_w = 9;
    let bar_w = w.saturating_sub(name_w + svc_w + dur_w + 3).max(1);
    let (t0, total) = (trace.start(), trace.duration().max(1));
    let mut lines = Vec::with_capacity(list_h);
    for (i, row) in rows.iter().enumerate().skip(first).take(list_h) {
        let s = &trace.spans[row.span];
        let indent = "  ".repeat(row.depth.min(12));
        let name = pad(&format!("{indent}{}", s.name), name_w);
        let service = pad(&s.service, svc_w);
        let dur = format!("{:>8} ", duration(s.end.saturating_sub(s.start)));
        let a = ((s.start.saturating_sub(t0) as f64 / total as f64) * bar_w as f64) as usize;
        let b = (((s.end.saturating_sub(t0) as f64 / total as f64) * bar_w as f64).ceil() as usize)
            .max(a + 1)
            .min(bar_w);
        let a = a.min(b.saturating_sub(1));
        let bar_role = if s.status == SpanStatus::Error {
            Role::Failure
        } else {
            Role::Histogram
        };
        let mut spans = vec![
            Span::styled(name, t.style(Role::Text)),
            Span::raw(" "),
            Span::styled(service, t.style(Role::Muted)),
            Span::raw(" "),
            Span::styled(dur, t.style(Role::Muted)),
            Span::raw(" ".repeat(a)),
            Span::styled("█".repeat(b - a), t.style(bar_role)),
        ];
        if s.status == SpanStatus::Error {
            spans[0] = Span::styled(
                pad(&format!("{indent}{}", s.name), name_w),
                t.style(Role::Failure).add_modifier(Modifier::BOLD),
            );
        }
        let line = Line::from(spans);
        lines.push(if i == selected {
            line.patch_style(t.style(Role::SelectionBg))
        } else {
            line
        });
    }
    f.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, inner.y, inner.width, list_h as u16),
    );
    let sel = &trace.spans[rows[selected].span];
    let dy = inner.y + list_h as u16;
    let rule = Line::from(Span::styled("─".repeat(w), t.style(Role::Border)));
    f.render_widget(Paragraph::new(rule), Rect::new(inner.x, dy, inner.width, 1));
    let detail = span_detail(sel, t0, w);
    let detail: Vec<Line> = detail
        .into_iter()
        .take(detail_h as usize)
        .map(|(role, text)| Line::from(Span::styled(text, t.style(role))))
        .collect();
    f.render_widget(
        Paragraph::new(detail),
        Rect::new(inner.x, dy + 1, inner.width, detail_h),
    );
}

fn title(trace: &Trace) -> String {
    // Most important first: a narrow popup cuts the end.
    let services = trace.services().len();
    format!(
        "trace {}{} · {} · unverified · {} spans · {} service{}",
        trace.trace_id,
        if trace.has_error() { " · ERROR" } else { "" },
        duration(trace.duration()),
        trace.spans.len(),
        services,
        if services == 1 { "" } else { "s" },
    )
}

/// The selected span's lines (role, text), already cut to `w`.
fn span_detail(s: &crate::trace::Span, t0: i64, w: usize) -> Vec<(Role, String)> {
    let status = match s.status {
        SpanStatus::Error if s.status_message.is_empty() => "ERROR".to_string(),
        SpanStatus::Error => format!("ERROR: {}", s.status_message),
        SpanStatus::Ok => "ok".into(),
        SpanStatus::Unset => "status unset".into(),
    };
    let kind = if s.kind.is_empty() {
        String::new()
    } else {
        format!(" · {}", s.kind)
    };
    let head_role = if s.status == SpanStatus::Error {
        Role::Failure
    } else {
        Role::Title
    };
    let mut out = vec![
        (
            head_role,
            fit(&format!("{} · {}{kind} · {status}", s.name, s.service), w),
        ),
        (
            Role::Muted,
            fit(
                &format!(
                    "+{} ({}) · {} · span {} · parent {}",
                    duration(s.start.saturating_sub(t0)),
                    full_time(s.start),
                    duration(s.end.saturating_sub(s.start)),
                    s.span_id,
                    s.parent_span_id.as_deref().unwrap_or("none")
                ),
                w,
            ),
        ),
    ];
    for (k, v) in &s.attributes {
        out.push((Role::Text, fit(&format!("  {k} = {v}"), w)));
    }
    for e in &s.events {
        let attrs: Vec<String> = e
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out.push((
            Role::Alert,
            fit(
                &format!(
                    "  +{} {}: {}",
                    duration(e.time.saturating_sub(t0)),
                    e.name,
                    attrs.join(" ")
                ),
                w,
            ),
        ));
    }
    out
}
