//! The two prompts: `/` search (with a live count) and `t` jump to a time. Editing keys are
//! fixed (Enter, Esc, Backspace, ←/→, Home/End, Ctrl-U); everything else is typed.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::nav::{push_query, request_histogram, request_rows_at_cursor};
use super::{Effect, ask};
use crate::query::{Filter, now_ns};
use crate::tui::state::jump::parse_jump;
use crate::tui::state::{App, Input, LiveCount, Overlay};
use crate::tui::worker::Request;

/// Longest query or time accepted from the keyboard (a paste of a whole log line stops here).
const MAX_INPUT_CHARS: usize = 4096;

/// Opens the search prompt on the current query.
pub(crate) fn open_search(app: &mut App, out: &mut Vec<Effect>) {
    let input = Input::with(&app.query);
    app.overlay = Overlay::Search {
        input,
        count: LiveCount::None,
    };
    request_count(app, out);
}

/// Opens the jump prompt.
pub(crate) fn open_jump(app: &mut App) {
    app.overlay = Overlay::Jump {
        input: Input::default(),
        error: None,
    };
}

fn request_count(app: &mut App, out: &mut Vec<Effect>) {
    let Overlay::Search { input, count } = &mut app.overlay else {
        return;
    };
    *count = LiveCount::Pending;
    let query = input.text.clone();
    app.generations.count += 1;
    let r = Request::Count {
        generation: app.generations.count,
        filter: Filter {
            query,
            from: app.window.map(|w| w.from),
            to: app.window.map(|w| w.to),
        },
    };
    ask(app, out, r);
}

/// Applies an editing key to `input`; true when the text changed.
pub(crate) fn edit(input: &mut Input, key: KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Backspace => {
            let before = input.text.len();
            input.backspace();
            before != input.text.len()
        }
        KeyCode::Left => {
            input.move_by(-1);
            false
        }
        KeyCode::Right => {
            input.move_by(1);
            false
        }
        KeyCode::Home => {
            input.cursor = 0;
            false
        }
        KeyCode::End => {
            input.cursor = input.text.chars().count();
            false
        }
        KeyCode::Char('u') if ctrl => {
            input.clear();
            true
        }
        KeyCode::Char(c)
            if !ctrl && !c.is_control() && input.text.chars().count() < MAX_INPUT_CHARS =>
        {
            input.insert(c);
            true
        }
        _ => false,
    }
}

/// A key while a prompt is open.
pub(crate) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let mut out = Vec::new();
    if key.code == KeyCode::Esc
        || (key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL))
    {
        app.overlay = Overlay::None;
        return out;
    }
    match &mut app.overlay {
        Overlay::Search { input, count } => {
            if key.code == KeyCode::Enter {
                if let LiveCount::Error(..) = count {
                    // Keep the prompt: the error stays shown next to the text.
                    return out;
                }
                let q = input.text.trim().to_string();
                app.overlay = Overlay::None;
                if q != app.query {
                    let label = if q.is_empty() {
                        "/*".to_string()
                    } else {
                        format!("/{q}")
                    };
                    push_query(app, label, q, false, None, &mut out);
                }
                return out;
            }
            if edit(input, key) {
                request_count(app, &mut out);
            }
        }
        Overlay::Jump { input, error } => {
            if key.code == KeyCode::Enter {
                let cursor = app.window.map_or(0, |w| w.cursor);
                match parse_jump(&input.text, cursor, now_ns()) {
                    Ok(t) => {
                        app.overlay = Overlay::None;
                        jump_to(app, t, &mut out);
                    }
                    Err(e) => *error = Some(e),
                }
                return out;
            }
            if edit(input, key) {
                *error = None;
            }
        }
        _ => {}
    }
    out
}

/// Moves the cursor to `t` (panning if needed).
pub(crate) fn jump_to(app: &mut App, t: i64, out: &mut Vec<Effect>) {
    let Some(w) = app.window.as_mut() else { return };
    let before = (w.from, w.to);
    w.set_cursor(t);
    if before != (w.from, w.to) {
        app.follow_extent = false;
        request_histogram(app, out);
    }
    request_rows_at_cursor(app, out);
}
