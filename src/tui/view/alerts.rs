//! The alert banner (the newest alert, how many are unseen) and the `!` list of the session's
//! alerts, newest first. Alert text comes from the store and the config: it is sanitized and
//! cut by [`super::fit`] like every other string.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::{fit, pad};
use super::{Ctx, popup};
use crate::alert::{Alert, AlertKind};
use crate::tui::action::Action;
use crate::tui::state::App;
use crate::tui::theme::Role;

/// The banner's text (unsanitized: drawing sanitizes it), when there is an alert.
pub fn banner_text(app: &App, ctx: &Ctx) -> Option<String> {
    let a = app.alerts.newest()?;
    let list = ctx.keymap.first_key(Action::Alerts).unwrap_or_default();
    let close = ctx.keymap.first_key(Action::Close).unwrap_or_default();
    Some(format!(
        "ALERT ({} unseen) {} · {list} list · {close} dismiss",
        app.alerts.unseen,
        a.summary()
    ))
}

/// Draws the banner in `r`: banner text on the `alert` colour.
pub fn draw_banner(f: &mut Frame, r: Rect, app: &App, ctx: &Ctx) {
    let Some(text) = banner_text(app, ctx) else {
        return;
    };
    let style = ctx
        .theme
        .style(Role::BannerFg)
        .bg(ctx.theme.color(Role::Alert))
        .add_modifier(Modifier::BOLD);
    let line = Line::from(pad(&format!(" ! {text}"), r.width as usize));
    f.render_widget(Paragraph::new(line).style(style), r);
}

/// `HH:MM:SS` of an RFC 3339 time (UTC), or the text itself when it is not one.
fn clock(raised_at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(raised_at).map_or_else(
        |_| fit(raised_at, 8),
        |t| t.with_timezone(&chrono::Utc).format("%H:%M:%S").to_string(),
    )
}

/// What the alert is about: the event (with the count of a threshold), or the problem.
fn what(a: &Alert) -> String {
    match (&a.kind, &a.event) {
        (AlertKind::Integrity, _) | (_, None) => a.description.clone(),
        (kind, Some(e)) => {
            let count = if *kind == AlertKind::Threshold {
                format!(
                    " ({} in {})",
                    a.count.unwrap_or(0),
                    a.window.as_deref().unwrap_or("-")
                )
            } else {
                String::new()
            };
            format!(
                "{} {} {} {}{count}",
                e.actor, e.action, e.resource, e.outcome
            )
        }
    }
}

/// Where: `seq 12:3` for an event, `seq 12` for a problem.
fn place(a: &Alert) -> String {
    match (a.seq, a.pos) {
        (Some(s), Some(p)) => format!("seq {s}:{p}"),
        (Some(s), None) => format!("seq {s}"),
        _ => "-".into(),
    }
}

/// Draws the list.
pub fn draw_list(f: &mut Frame, area: Rect, app: &App, selected: usize, ctx: &Ctx) {
    let t = ctx.theme;
    let n = app.alerts.len();
    let title = match app.alerts.dropped {
        0 => format!("alerts ({n})"),
        d => format!("alerts ({n} newest, {d} older dropped)"),
    };
    let empty = (n == 0).then_some(if app.live.on {
        " no alerts yet: alert rules (alert = true in [[queries]]) are checked on every newly verified batch"
    } else {
        " no alerts: they are raised during live follow only (trailscope open STORE --follow)"
    });
    let Some((inner, first)) = popup::open_list(
        f,
        area,
        &title,
        "Enter event / integrity · j/k move · Esc close",
        empty,
        selected,
        ctx,
    ) else {
        return;
    };
    let (w, h) = (inner.width as usize, inner.height as usize);
    let shown: Vec<(usize, &Alert)> = (first..n.min(first + h))
        .filter_map(|i| app.alerts.nth_newest(i).map(|a| (i, a)))
        .collect();
    // The rule and the place as wide as the rows on screen need (within limits); what the
    // alert is about gets the rest.
    let widest = |f: &dyn Fn(&Alert) -> usize| shown.iter().map(|(_, a)| f(a)).max().unwrap_or(0);
    let (tw, kw) = (8, 9);
    let rw = widest(&|a| super::fit::safe_width(&a.rule)).clamp(8, (w / 3).max(8));
    let pw = widest(&|a| place(a).len()).clamp(5, 20);
    let rest = w.saturating_sub(tw + kw + rw + pw + 5);
    let lines: Vec<Line> = shown
        .into_iter()
        .map(|(i, a)| {
            let (kind, role) = match a.kind {
                AlertKind::Match => ("match", Role::Alert),
                AlertKind::Threshold => ("threshold", Role::Alert),
                AlertKind::Integrity => ("INTEGRITY", Role::Tampered),
            };
            let line = Line::from(vec![
                Span::styled(
                    format!(" {}", pad(&clock(&a.raised_at), tw)),
                    t.style(Role::Muted),
                ),
                Span::raw(" "),
                Span::styled(pad(kind, kw), t.style(role)),
                Span::raw(" "),
                Span::styled(pad(&a.rule, rw), t.style(role)),
                Span::raw(" "),
                Span::styled(pad(&place(a), pw), t.style(Role::Muted)),
                Span::raw(" "),
                Span::raw(pad(&what(a), rest)),
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
