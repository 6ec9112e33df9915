//! The two status lines: where the data comes from and how far it is trusted; what is on
//! screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::{duration, fit, fit_left, full_time, safe_width};
use crate::tui::action::Action;

const DAY: i64 = 86_400_000_000_000;

/// `HH:MM:SS` (UTC).
fn clock(t: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_nanos(t)
        .format("%H:%M:%S")
        .to_string()
}
use super::{Ctx, spinner};
use crate::pull::Stage;
use crate::segment::keys::short_key;
use crate::tui::state::{App, PullStatus};
use crate::tui::theme::Role;

fn sep<'a>(ctx: &Ctx) -> Span<'a> {
    Span::styled(" │ ", ctx.theme.style(Role::Muted))
}

/// The head: last indexed segment, its short hash, and who signed how far.
fn head_spans<'a>(app: &App, ctx: &Ctx) -> Vec<Span<'a>> {
    let t = ctx.theme;
    let Some(h) = app.head.as_ref().filter(|h| h.segments > 0) else {
        return vec![Span::styled("nothing verified yet", t.style(Role::Muted))];
    };
    let hash = h.head_hash.as_deref().unwrap_or("");
    let mut v = vec![
        Span::raw(format!("head {} ", h.segments - 1)),
        Span::styled(
            fit(&hash.chars().take(8).collect::<String>(), 8),
            t.style(Role::Muted),
        ),
        Span::raw(" "),
    ];
    if h.covered > 0 {
        v.push(Span::styled("✓", t.style(Role::Verified)));
    } else {
        v.push(Span::styled("unsigned", t.style(Role::Unsigned)));
    }
    let signer = app
        .report
        .as_ref()
        .and_then(|r| r.checkpoint.as_ref().map(|c| c.signer.clone()))
        .filter(|s| !s.is_empty())
        .or_else(|| {
            app.report
                .as_ref()
                .and_then(|r| r.signer.as_deref().map(short_key))
        });
    if let Some(s) = signer.filter(|_| app.size.0 >= 120) {
        v.push(Span::styled(
            format!(" {}", fit(&s, 32)),
            t.style(Role::Verified),
        ));
    }
    if h.covered > 0 && h.covered < h.segments {
        v.push(Span::styled(
            format!(" +{} unsigned", h.segments - h.covered),
            t.style(Role::Unsigned),
        ));
    }
    v
}

fn pull_span<'a>(app: &App, ctx: &Ctx) -> Span<'a> {
    let t = ctx.theme;
    if app.live.on && !matches!(app.pull, PullStatus::Running { .. } | PullStatus::Failed(_)) {
        return if app.live.new_events > 0 {
            Span::styled(
                format!("live: +{} new (F follows)", app.live.new_events),
                t.style(Role::Alert),
            )
        } else if app.follow_extent {
            Span::styled("● live", t.style(Role::Success))
        } else {
            Span::styled("live (F follows)", t.style(Role::Muted))
        };
    }
    match &app.pull {
        PullStatus::Off => Span::styled("offline", t.style(Role::Muted)),
        PullStatus::Starting => Span::styled("pull: checking the store…", t.style(Role::Muted)),
        PullStatus::Running { stage, done, total } => {
            let what = match stage {
                Stage::Fetch => "fetch+verify",
                Stage::Index => "index",
                Stage::Fulltext => "full text",
                Stage::Merge => "merge",
            };
            let scanning = match app.scanned {
                0 => String::new(),
                n => format!(" · {n} seg verified, scanned until indexed"),
            };
            Span::styled(
                format!("pull: {what} {done}/{total}{scanning}"),
                t.style(Role::Unsigned),
            )
        }
        PullStatus::Done(s) => Span::styled(fit(s, 40), t.style(Role::Muted)),
        PullStatus::Failed(e) => {
            Span::styled(format!("pull failed: {}", fit(e, 60)), t.style(Role::Alert))
        }
    }
}

/// The breadcrumb in `room` columns, sanitized. The newest steps matter most: earlier steps
/// give way to `…` first; then the newest step's value is cut keeping its end, but never the
/// field it names (`actor=…svc-backup-legacy`, `/…denied`).
fn fit_trail(parts: &[String], room: usize) -> String {
    let whole = parts.join(" › ");
    if safe_width(&whole) <= room {
        return crate::text::sanitize(&whole).into_owned();
    }
    for start in 1..parts.len() {
        let s = format!("… › {}", parts[start..].join(" › "));
        if safe_width(&s) <= room {
            return crate::text::sanitize(&s).into_owned();
        }
    }
    let last = parts.last().map_or("", String::as_str);
    let split = match (last.find('='), last.starts_with('/')) {
        (_, true) => Some(1),
        (Some(i), false) => Some(i + 1),
        (None, false) => None,
    };
    match split {
        Some(i) => {
            let (head, value) = last.split_at(i);
            let head = fit(head, room.saturating_sub(2));
            let rest = room.saturating_sub(safe_width(&head));
            format!("{head}{}", fit_left(value, rest))
        }
        None => fit_left(last, room),
    }
}

/// Draws both lines.
pub fn draw(f: &mut Frame, r: Rect, app: &App, ctx: &Ctx) {
    let t = ctx.theme;
    let w = r.width as usize;
    let problems = app.report.as_ref().map_or(0, |r| r.errors().count());
    let mut l1 = Vec::new();
    if w >= 100 {
        l1.push(Span::styled(
            " trailscope",
            t.style(Role::Title).add_modifier(Modifier::BOLD),
        ));
        l1.push(sep(ctx));
    } else {
        l1.push(Span::raw(" "));
    }
    l1.push(Span::raw(fit_left(
        &app.store,
        if w >= 120 { w / 4 } else { 16 },
    )));
    l1.push(sep(ctx));
    l1.push(match (problems, &app.report) {
        (0, Some(_)) => Span::styled("intact", t.style(Role::Verified)),
        (0, None) => match app.pull {
            PullStatus::Failed(_) => Span::styled(
                "NOT re-verified",
                t.style(Role::Alert).add_modifier(Modifier::BOLD),
            ),
            PullStatus::Off => Span::styled("as last pulled", t.style(Role::Unsigned)),
            _ => Span::styled("checking", t.style(Role::Muted)),
        },
        (n, _) => Span::styled(
            format!("{n} problem{}", if n == 1 { "" } else { "s" }),
            t.style(Role::Tampered).add_modifier(Modifier::BOLD),
        ),
    });
    l1.push(sep(ctx));
    l1.extend(head_spans(app, ctx));
    let mut right = Vec::new();
    if !app.alerts.is_empty() {
        // Alerts stay counted here once the banner is dismissed.
        let n = app.alerts.len() as u64 + app.alerts.dropped;
        right.push(Span::styled(
            format!(
                "{n} alert{} ({})",
                if n == 1 { "" } else { "s" },
                ctx.keymap.first_key(Action::Alerts).unwrap_or_default()
            ),
            t.style(Role::Alert),
        ));
        right.push(sep(ctx));
    }
    right.push(pull_span(app, ctx));
    right.push(Span::raw(format!(" {} ", spinner(app))));
    let right = Line::from(right);

    let mut l2 = vec![Span::raw(" ")];
    match app.window {
        Some(win) => {
            let same_day = win.from.div_euclid(DAY) == (win.to - 1).div_euclid(DAY);
            let text = if w < 100 && same_day {
                // Narrow: the breadcrumb needs the room more than the date and duration.
                format!("{} → {} UTC", clock(win.from), clock(win.to))
            } else if w < 120 && same_day {
                format!(
                    "{} → {} UTC ({})",
                    clock(win.from),
                    clock(win.to),
                    duration(win.width())
                )
            } else {
                format!(
                    "{} → {} ({})",
                    full_time(win.from).trim_end_matches(" UTC"),
                    full_time(win.to),
                    duration(win.width())
                )
            };
            l2.push(Span::raw(text));
            if let Some(h) = &app.histogram {
                l2.push(sep(ctx));
                l2.push(Span::raw(format!("{} events", h.total)));
            }
        }
        None => l2.push(Span::styled("no events yet", t.style(Role::Muted))),
    }
    l2.push(sep(ctx));
    let base = app
        .crumbs
        .first()
        .map_or(app.query.as_str(), |c| c.query.as_str());
    let mut trail = vec![if base.is_empty() {
        "all".to_string()
    } else {
        base.to_string()
    }];
    trail.extend(app.crumbs.iter().map(|c| c.label.clone()));
    let hint = if app.crumbs.is_empty() {
        String::new()
    } else {
        format!(
            " ({} back)",
            ctx.keymap.first_key(Action::Back).unwrap_or_default()
        )
    };
    let used: usize = l2.iter().map(|s| s.width()).sum();
    let room = w.saturating_sub(used + hint.chars().count() + 1).max(8);
    l2.push(Span::styled(fit_trail(&trail, room), t.style(Role::Key)));
    l2.push(Span::styled(hint, t.style(Role::Muted)));
    f.render_widget(Paragraph::new(vec![Line::from(l1), Line::from(l2)]), r);
    // The pull's progress stays visible at the right end, over whatever did not fit.
    let rw = (right.width() as u16 + 3).min(r.width);
    let rr = Rect::new(r.right() - rw, r.y, rw, 1);
    let mut with_sep = vec![sep(ctx)];
    with_sep.extend(right.spans);
    f.render_widget(
        Paragraph::new(Line::from(with_sep)).alignment(ratatui::layout::Alignment::Right),
        rr,
    );
}

#[cfg(test)]
mod tests {
    use super::fit_trail;

    fn parts(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_long_trail_keeps_the_newest_step_and_its_field() {
        let p = parts(&[
            "all",
            "/outcome:denied",
            "actor=arn:aws:iam::111122223333:user/svc-x",
        ]);
        assert_eq!(fit_trail(&p, 100), p.join(" › "));
        assert_eq!(
            fit_trail(&p, 50),
            "… › actor=arn:aws:iam::111122223333:user/svc-x"
        );
        assert_eq!(fit_trail(&p, 20), "actor=…33:user/svc-x");
        assert_eq!(
            fit_trail(&parts(&["all", "/a-very-long-query"]), 10),
            "/…ng-query"
        );
        assert_eq!(fit_trail(&parts(&["x\u{1b}y"]), 40), "x\\u{1B}y");
    }
}
