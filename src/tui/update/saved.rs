//! Saved queries in the console: the `s` picker and the `:` command line (a saved query's
//! name, Tab completing a unique prefix, or `alerts`). Running one sets the search query and,
//! when the query has a window, the time window to the last `window` before now.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Effect;
use super::nav::push_view;
use crate::alert::SavedQuery;
use crate::query::now_ns;
use crate::tui::action::Action;
use crate::tui::state::{App, Input, Level, Overlay, Window};

/// The command that opens the alerts list (it wins over a saved query of the same name).
pub const ALERTS_COMMAND: &str = "alerts";

/// Longest command typed.
const MAX_COMMAND_CHARS: usize = 256;

/// `s`: the picker.
pub(crate) fn open_picker(app: &mut App) {
    app.overlay = Overlay::Saved { selected: 0 };
}

/// `:`: the command line.
pub(crate) fn open_command(app: &mut App) {
    app.overlay = Overlay::Command {
        input: Input::default(),
        error: None,
    };
}

/// An action in the picker.
pub(crate) fn on_picker(app: &mut App, action: Action, selected: usize, out: &mut Vec<Effect>) {
    let last = app.saved.len().saturating_sub(1);
    match action {
        Action::Close | Action::SavedQueries => app.overlay = Overlay::None,
        Action::Command => open_command(app),
        Action::Down
        | Action::Up
        | Action::PageDown
        | Action::PageUp
        | Action::First
        | Action::Last => {
            let mut to = selected;
            super::overlays::scroll(&mut to, action, last);
            app.overlay = Overlay::Saved { selected: to };
        }
        Action::Select => {
            if let Some(q) = app.saved.get(selected).cloned() {
                app.overlay = Overlay::None;
                run(app, &q, out);
            }
        }
        _ => {}
    }
}

/// Runs `q`: its query becomes the search (Backspace comes back), and with a window the view
/// becomes `[now - window, now]`; without one the window stays.
pub(crate) fn run(app: &mut App, q: &SavedQuery, out: &mut Vec<Effect>) {
    let window = q.window_ns.map(|w| {
        let now = now_ns();
        Window::new(now.saturating_sub(w), now)
    });
    if let (None, Some(w)) = (app.window, window) {
        // Nothing on screen yet: the first extent opens this window.
        app.requested_window = (Some(w.from), Some(w.to));
    }
    push_view(
        app,
        format!(":{}", q.name),
        q.query.clone(),
        window,
        false,
        out,
    );
    let about = if q.description.is_empty() {
        q.query.as_str()
    } else {
        q.description.as_str()
    };
    let within = q
        .window
        .as_deref()
        .map(|w| format!(" (last {w})"))
        .unwrap_or_default();
    app.message = Some((Level::Info, format!("{}{within}: {about}", q.name)));
}

/// What `prefix` can complete to on the command line: `alerts`, then the saved queries'
/// names, in that order.
pub fn command_candidates<'a>(app: &'a App, prefix: &str) -> Vec<&'a str> {
    std::iter::once(ALERTS_COMMAND)
        .chain(app.saved.iter().map(|q| q.name.as_str()))
        .filter(|n| n.starts_with(prefix))
        .collect()
}

/// The longest prefix every one of `names` starts with.
fn common_prefix(names: &[&str]) -> String {
    let Some(first) = names.first() else {
        return String::new();
    };
    let mut end = first.len();
    for n in &names[1..] {
        end = first
            .char_indices()
            .zip(n.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(end);
    }
    first[..end].to_string()
}

/// A key while the command line is open (fixed editing keys, like the search prompt).
pub(crate) fn on_command_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let mut out = Vec::new();
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let Overlay::Command { input, error } = &mut app.overlay else {
        return out;
    };
    match key.code {
        KeyCode::Esc => app.overlay = Overlay::None,
        KeyCode::Char('c') if ctrl => app.overlay = Overlay::None,
        KeyCode::Enter => {
            let text = input.text.trim().to_string();
            execute(app, &text, &mut out);
        }
        KeyCode::Tab => {
            let text = input.text.trim().to_string();
            let found: Vec<String> = command_candidates(app, &text)
                .into_iter()
                .map(str::to_owned)
                .collect();
            let refs: Vec<&str> = found.iter().map(String::as_str).collect();
            if let Overlay::Command { input, error } = &mut app.overlay {
                match refs.as_slice() {
                    [] => *error = Some(format!("nothing starts with {text:?}")),
                    [one] => {
                        *input = Input::with(one);
                        *error = None;
                    }
                    many => {
                        *input = Input::with(&common_prefix(many));
                        *error = None;
                    }
                }
            }
        }
        KeyCode::Char(_) if input.text.chars().count() >= MAX_COMMAND_CHARS => {}
        _ => {
            if super::prompt::edit(input, key) {
                *error = None;
            }
        }
    }
    out
}

/// Enter on the command line.
fn execute(app: &mut App, text: &str, out: &mut Vec<Effect>) {
    if text.is_empty() {
        app.overlay = Overlay::None;
        return;
    }
    if text == ALERTS_COMMAND {
        super::alerts::open_list(app);
        return;
    }
    match app.saved.iter().find(|q| q.name == text).cloned() {
        Some(q) => {
            app.overlay = Overlay::None;
            run(app, &q, out);
        }
        None => {
            if let Overlay::Command { error, .. } = &mut app.overlay {
                *error = Some(format!(
                    "no saved query named {text:?} (Tab completes; s lists them)"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::common_prefix;

    #[test]
    fn common_prefix_stops_at_the_first_difference() {
        assert_eq!(common_prefix(&["k8s-a", "k8s-ab", "k8s-b"]), "k8s-");
        assert_eq!(common_prefix(&["abc"]), "abc");
        assert_eq!(common_prefix(&["abc", "abd"]), "ab");
        assert_eq!(common_prefix(&["x", "y"]), "");
        assert_eq!(common_prefix(&[]), "");
    }
}
