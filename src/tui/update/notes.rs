//! Bookmarks, notes, exports and revealing masked values: `m`, `c`, `b`, `e`, `R`, and the
//! journal entries they (and searches and pivots) leave.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::{Effect, ask, window_filter};
use crate::tui::action::Action;
use crate::tui::state::{App, Input, Level, Overlay};
use crate::tui::worker::{BookmarkOp, Request};

/// What `e` offers: (bookmarks, format), in menu order.
pub const EXPORT_CHOICES: [(bool, &str); 6] = [
    (true, "md"),
    (true, "json"),
    (true, "csv"),
    (false, "md"),
    (false, "json"),
    (false, "csv"),
];

/// Longest note typed.
const MAX_NOTE_CHARS: usize = 2000;

fn info(app: &mut App, text: &str) {
    app.message = Some((Level::Info, text.to_string()));
}

/// Asks the worker to record `kind` with `detail` in the journal.
pub(crate) fn journal(app: &mut App, out: &mut Vec<Effect>, kind: &str, detail: serde_json::Value) {
    ask(
        app,
        out,
        Request::Journal {
            kind: kind.to_string(),
            detail,
        },
    );
}

/// Loads the bookmarks (at start).
pub(crate) fn load(app: &mut App, out: &mut Vec<Effect>) {
    ask(app, out, Request::Bookmarks(BookmarkOp::Load));
}

/// `m`, `c`, `b`, `e`, `R` on the main screen.
pub(crate) fn on_action(app: &mut App, action: Action, out: &mut Vec<Effect>) {
    match action {
        Action::Bookmark => match app.selected().cloned() {
            Some(hit) => ask(
                app,
                out,
                Request::Bookmarks(BookmarkOp::Toggle(Box::new(hit))),
            ),
            None => info(app, "no event selected"),
        },
        Action::Note => match app.selected().cloned() {
            Some(hit) => {
                let note = app.bookmark_of(&hit).map_or("", |b| b.note.as_str());
                app.overlay = Overlay::Note {
                    input: Input::with(note),
                };
                app.note_for = Some(Box::new(hit));
            }
            None => info(app, "no event selected"),
        },
        Action::Bookmarks => app.overlay = Overlay::Bookmarks { selected: 0 },
        Action::Export => app.overlay = Overlay::Export { choice: 0 },
        Action::Reveal => reveal(app, out),
        _ => {}
    }
}

/// `R`: show the selected event's masked values, or mask them again.
fn reveal(app: &mut App, out: &mut Vec<Effect>) {
    let Some(hit) = app.selected().cloned() else {
        info(app, "no event selected");
        return;
    };
    let key = (hit.seq, hit.pos);
    let now = if app.revealed.remove(&key) {
        info(app, "masked again");
        false
    } else {
        app.revealed.insert(key);
        info(
            app,
            "revealed: masked values of this event are shown (R masks again)",
        );
        true
    };
    journal(
        app,
        out,
        if now { "reveal" } else { "mask" },
        json!({"seq": hit.seq, "pos": hit.pos, "time": hit.time}),
    );
    if matches!(app.overlay, Overlay::Detail { .. }) || app.size.0 >= crate::tui::view::layout::WIDE
    {
        super::overlays::request_detail(app, out);
    }
}

/// Keys while the note prompt is open (fixed editing keys, like the search prompt).
pub(crate) fn on_note_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let mut out = Vec::new();
    let Overlay::Note { input } = &mut app.overlay else {
        return out;
    };
    match key.code {
        KeyCode::Enter => {
            let note = input.text.trim().to_string();
            app.overlay = Overlay::None;
            if let Some(hit) = app.note_for.take() {
                ask(
                    app,
                    &mut out,
                    Request::Bookmarks(BookmarkOp::Note(hit, note)),
                );
            }
        }
        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            app.overlay = Overlay::None;
            app.note_for = None;
        }
        KeyCode::Char(_) if input.text.chars().count() >= MAX_NOTE_CHARS => {
            app.message = Some((
                Level::Error,
                format!("a note holds at most {MAX_NOTE_CHARS} characters"),
            ));
        }
        _ => {
            super::prompt::edit(input, key);
        }
    }
    out
}

/// Keys in the bookmarks list.
pub(crate) fn on_list(app: &mut App, action: Action, selected: usize, out: &mut Vec<Effect>) {
    let n = app.bookmarks.len();
    let last = n.saturating_sub(1);
    let mv = |to: usize| Overlay::Bookmarks {
        selected: to.min(last),
    };
    match action {
        Action::Close | Action::Bookmarks => app.overlay = Overlay::None,
        Action::Export => app.overlay = Overlay::Export { choice: 0 },
        Action::Down => app.overlay = mv(selected + 1),
        Action::Up => app.overlay = mv(selected.saturating_sub(1)),
        Action::First => app.overlay = mv(0),
        Action::Last => app.overlay = mv(last),
        Action::Select => {
            let Some(b) = app.bookmarks.get(selected).cloned() else {
                return;
            };
            app.overlay = Overlay::None;
            super::nav::show_event(app, b.time_ns, b.seq, b.pos, out);
        }
        Action::Delete => {
            if let Some(b) = app.bookmarks.get(selected) {
                let (seq, pos) = (b.seq, b.pos);
                ask(app, out, Request::Bookmarks(BookmarkOp::Remove(seq, pos)));
            }
        }
        Action::Note => {
            // The note of a bookmark: the prompt needs the event's row; rebuild a minimal one
            // from the bookmark (seq, pos and time are what the worker uses).
            if let Some(b) = app.bookmarks.get(selected) {
                let hit = crate::query::Hit {
                    time: String::new(),
                    time_ns: b.time_ns,
                    seq: b.seq,
                    pos: b.pos,
                    verified: false,
                    actor: b.actor.clone(),
                    action: b.action.clone(),
                    resource: b.resource.clone(),
                    outcome: b.outcome.clone(),
                    source_ip: None,
                    user_agent: None,
                    trace_id: None,
                    span_id: None,
                    request_id: None,
                    record: None,
                    offset: 0,
                };
                app.overlay = Overlay::Note {
                    input: Input::with(&b.note),
                };
                app.note_for = Some(Box::new(hit));
            }
        }
        _ => {}
    }
}

/// Keys in the export menu.
pub(crate) fn on_export_menu(app: &mut App, action: Action, choice: usize, out: &mut Vec<Effect>) {
    let last = EXPORT_CHOICES.len() - 1;
    match action {
        Action::Close | Action::Export => app.overlay = Overlay::None,
        Action::Down => {
            app.overlay = Overlay::Export {
                choice: (choice + 1).min(last),
            }
        }
        Action::Up => {
            app.overlay = Overlay::Export {
                choice: choice.saturating_sub(1),
            }
        }
        Action::Select => {
            let (bookmarks, format) = EXPORT_CHOICES[choice.min(last)];
            app.overlay = Overlay::None;
            if bookmarks && app.bookmarks.is_empty() {
                info(
                    app,
                    "no bookmarks to export (m bookmarks the selected event)",
                );
                return;
            }
            let filter = window_filter(app);
            ask(
                app,
                out,
                Request::Export {
                    bookmarks,
                    filter,
                    format: format.to_string(),
                    reveal: false,
                },
            );
            info(app, "exporting…");
        }
        _ => {}
    }
}
