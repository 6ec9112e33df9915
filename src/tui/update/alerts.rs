//! Alerts from the background pull (live follow): the banner, the bell, and the `!` list whose
//! Enter shows the alert's event (or, for an integrity alert, the integrity view).

use super::Effect;
use super::nav::{push_view, show_event, window_at};
use crate::alert::{Alert, AlertKind};
use crate::tui::action::Action;
use crate::tui::state::{App, Level, Overlay};

/// New alerts from the pull thread, oldest first: kept, counted as unseen, shown in the
/// banner, and the bell asked for (when the config has it on).
pub(crate) fn on_alerts(app: &mut App, alerts: Vec<Alert>) {
    let n = alerts.len();
    if n == 0 {
        return;
    }
    app.alerts.push(alerts);
    if let Overlay::Alerts { selected } = &mut app.overlay {
        // The list is open: the new ones appear on top, in sight; the selection stays on the
        // alert it was on.
        *selected = (*selected + n).min(app.alerts.len().saturating_sub(1));
    } else {
        app.alerts.unseen += n as u64;
        app.alerts.banner = true;
    }
    if app.alerts.bell {
        app.alerts.bells += 1;
    }
}

/// Evaluating the alert rules failed in the pull thread.
pub(crate) fn on_failure(app: &mut App, error: String) {
    app.message = Some((Level::Error, format!("alert rules: {error}")));
}

/// `!`: the list, newest first; opening it marks every alert seen and hides the banner.
pub(crate) fn open_list(app: &mut App) {
    app.overlay = Overlay::Alerts { selected: 0 };
    app.alerts.unseen = 0;
    app.alerts.banner = false;
}

/// An action in the list.
pub(crate) fn on_list(app: &mut App, action: Action, selected: usize, out: &mut Vec<Effect>) {
    let last = app.alerts.len().saturating_sub(1);
    match action {
        Action::Close | Action::Alerts => app.overlay = Overlay::None,
        Action::Down
        | Action::Up
        | Action::PageDown
        | Action::PageUp
        | Action::First
        | Action::Last => {
            let mut to = selected;
            super::overlays::scroll(&mut to, action, last);
            app.overlay = Overlay::Alerts { selected: to };
        }
        Action::Select => {
            if let Some(a) = app.alerts.nth_newest(selected).cloned() {
                select(app, &a, out);
            }
        }
        _ => {}
    }
}

/// Enter on `alert`: its event in the table, or the integrity view for a problem.
fn select(app: &mut App, alert: &Alert, out: &mut Vec<Effect>) {
    if alert.kind == AlertKind::Integrity {
        app.overlay = Overlay::Integrity { scroll: 0 };
        return;
    }
    let Some(hit) = alert.event.as_ref() else {
        return;
    };
    app.overlay = Overlay::None;
    if app.window.is_none() {
        app.message = Some((Level::Info, "nothing indexed yet".into()));
        return;
    }
    let (time, seq, pos) = (hit.time_ns, hit.seq, hit.pos);
    // The query on screen may hide the event; the rule's own query matched it. Backspace
    // comes back to the query before.
    let rule = app.saved.iter().find(|q| q.name == alert.rule).cloned();
    match rule {
        Some(rule) if !app.query.is_empty() && app.query != rule.query => {
            let window = window_at(app, time);
            if app.live.on {
                app.follow_extent = false;
            }
            push_view(
                app,
                format!("!{}", alert.rule),
                rule.query,
                window,
                false,
                out,
            );
            app.rows.want = Some((seq, pos));
        }
        _ => show_event(app, time, seq, pos, out),
    }
}
