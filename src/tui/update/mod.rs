//! `update`: the only place the console's state changes. Keys become actions through the
//! keymap; actions, worker answers and pull reports change the [`App`] and return
//! [`Effect`]s (requests for the worker, bytes for the terminal) for the loop to carry out.
//! Nothing here does I/O, so every transition is a plain unit test.

mod alerts;
mod answers;
mod correlation;
mod mouse;
mod nav;
mod notes;
mod overlays;
mod prompt;
mod saved;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub use answers::{PullEvent, on_pull, on_response, on_tick};
pub use correlation::on_correlation;
pub use mouse::on_mouse;
pub use nav::{pivot_choices, term_query};
pub use notes::EXPORT_CHOICES;
pub use saved::{ALERTS_COMMAND, command_candidates};

use super::action::Action;
use super::keymap::Keymap;
use super::state::{App, Overlay};
use super::view::layout;
use super::worker::Request;
use crate::query::Filter;

/// Something the loop must do for the state.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Send a request to the worker.
    Request(Box<Request>),
    /// Send a request to the correlation worker (metrics, traces).
    Correlate(Box<super::correlate::CRequest>),
    /// Put text on the clipboard (OSC 52).
    Clipboard(String),
}

/// Queues `r` (counted for the spinner).
pub(crate) fn ask(app: &mut App, out: &mut Vec<Effect>, r: Request) {
    app.pending += 1;
    out.push(Effect::Request(Box::new(r)));
}

/// The filter of what the screen shows: the query in the window.
pub(crate) fn window_filter(app: &App) -> Filter {
    Filter {
        query: app.query.clone(),
        from: app.window.map(|w| w.from),
        to: app.window.map(|w| w.to),
    }
}

/// Histogram columns at the current size.
pub(crate) fn buckets(app: &App) -> usize {
    layout::histogram_columns(app)
}

/// Table rows visible at the current size.
pub(crate) fn table_height(app: &App) -> usize {
    layout::table_rows(app)
}

/// Handles a key press.
pub fn on_key(app: &mut App, keymap: &Keymap, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    if matches!(app.overlay, Overlay::Search { .. } | Overlay::Jump { .. }) {
        return prompt::on_key(app, key);
    }
    if matches!(app.overlay, Overlay::Command { .. }) {
        return saved::on_command_key(app, key);
    }
    if matches!(app.overlay, Overlay::Note { .. }) {
        if key.code == KeyCode::Esc {
            app.overlay = Overlay::None;
            return Vec::new();
        }
        return notes::on_note_key(app, key);
    }
    match keymap.action_for(&key) {
        Some(a) => update(app, a),
        None => match unbound_alt(&key) {
            // Terminals send Esc then a key typed quickly after it as Alt+key: when Alt+key
            // means nothing, it is taken as the two keys it probably was.
            Some(plain) => {
                let mut out = update(app, Action::Close);
                out.extend(on_key(app, keymap, plain));
                out
            }
            None => Vec::new(),
        },
    }
}

/// `key` without Alt, when it is an Alt+character.
fn unbound_alt(key: &KeyEvent) -> Option<KeyEvent> {
    let KeyCode::Char(_) = key.code else {
        return None;
    };
    key.modifiers.contains(KeyModifiers::ALT).then(|| {
        let mut plain = *key;
        plain.modifiers.remove(KeyModifiers::ALT);
        plain
    })
}

/// Applies one action.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut out = Vec::new();
    if action == Action::Quit {
        app.quit = true;
        return out;
    }
    // A message describes the last action only.
    let had_message = app.message.take().is_some();
    if !matches!(app.overlay, Overlay::None) {
        overlays::on_action(app, action, &mut out);
        return out;
    }
    // Live: looking at an older event leaves the live edge (the next pull must not move the
    // selection away from it); `F` comes back.
    if app.live.on
        && matches!(
            action,
            Action::Up
                | Action::PageUp
                | Action::First
                | Action::CursorLeft
                | Action::CursorRight
                | Action::PrevSpike
                | Action::NextSpike
                | Action::Select
                | Action::Jump
        )
    {
        app.follow_extent = false;
    }
    match action {
        Action::Quit => {}
        Action::Close => {
            // Esc first clears a message, then dismisses the alert banner, then the integrity
            // banner.
            if !had_message {
                if app.alerts.banner_shown() {
                    app.alerts.banner = false;
                } else if app.banner.take().is_some() {
                    app.banner_problems.1 = app.banner_problems.0.clone();
                }
            }
        }
        Action::Help => app.overlay = Overlay::Help { scroll: 0 },
        Action::Search => prompt::open_search(app, &mut out),
        Action::Jump => prompt::open_jump(app),
        Action::Integrity => app.overlay = Overlay::Integrity { scroll: 0 },
        Action::Facets => overlays::open_facets(app, &mut out),
        Action::Select => overlays::open_detail(app, &mut out),
        Action::Pivot => {
            if app.selected().is_some() {
                app.overlay = Overlay::Pivot { choice: 0 };
            } else {
                app.message = Some((super::state::Level::Info, "no event selected".into()));
            }
        }
        Action::Back => nav::back(app, &mut out),
        Action::Copy => {
            if let Some(hit) = app.selected().cloned() {
                let reveal = app.is_revealed(&hit);
                ask(app, &mut out, Request::Copy { hit, reveal });
            }
        }
        Action::Down => nav::move_rows(app, 1, &mut out),
        Action::Up => nav::move_rows(app, -1, &mut out),
        Action::PageDown => nav::move_rows(app, table_height(app) as isize, &mut out),
        Action::PageUp => nav::move_rows(app, -(table_height(app) as isize), &mut out),
        Action::First => nav::first(app, &mut out),
        Action::Last => nav::last(app, &mut out),
        Action::CursorLeft => nav::cursor_by(app, -1, &mut out),
        Action::CursorRight => nav::cursor_by(app, 1, &mut out),
        Action::PanLeft => nav::pan(app, -0.5, &mut out),
        Action::PanRight => nav::pan(app, 0.5, &mut out),
        Action::ZoomIn => nav::zoom(app, true, &mut out),
        Action::ZoomOut => nav::zoom(app, false, &mut out),
        Action::NextSpike => nav::spike(app, true, &mut out),
        Action::PrevSpike => nav::spike(app, false, &mut out),
        Action::NextAnomaly
        | Action::PrevAnomaly
        | Action::ToggleMetrics
        | Action::Trace
        | Action::ToggleSpans => correlation::on_action(app, action, &mut out),
        Action::SpanWindow => {}
        Action::Follow => nav::follow(app, &mut out),
        Action::Bookmark | Action::Note | Action::Bookmarks | Action::Export | Action::Reveal => {
            notes::on_action(app, action, &mut out)
        }
        Action::Delete => {}
        Action::Alerts => alerts::open_list(app),
        Action::SavedQueries => saved::open_picker(app),
        Action::Command => saved::open_command(app),
    }
    out
}

/// What the console does first: open the index (the answer asks for the rest).
pub fn start(app: &mut App) -> Vec<Effect> {
    let mut out = Vec::new();
    ask(app, &mut out, Request::Reload);
    notes::load(app, &mut out);
    out
}

/// Handles a terminal resize.
pub fn on_resize(app: &mut App, cols: u16, rows: u16) -> Vec<Effect> {
    let mut out = Vec::new();
    let before = buckets(app);
    app.size = (cols, rows);
    let h = table_height(app);
    app.rows.keep_visible(h);
    if buckets(app) != before {
        nav::request_histogram(app, &mut out);
    }
    out
}
