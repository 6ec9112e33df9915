//! What the user means: the actions a key can be bound to, with their config names, help text
//! and default keys.
//!
//! One table ([`ACTIONS`]) is the single source for the keymap's defaults, the names accepted
//! in the config file's `[keys]` section and the help overlay, so the three cannot drift apart.

/// A user intent. Its effect depends on what is on screen (e.g. `Down` moves the table's
/// selection, or the list in an open overlay).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Leave the console.
    Quit,
    /// Show the key help.
    Help,
    /// Close the open overlay or prompt; with none open, dismiss the banner.
    Close,
    /// Start typing a search query.
    Search,
    /// Next row / line.
    Down,
    /// Previous row / line.
    Up,
    /// A page down.
    PageDown,
    /// A page up.
    PageUp,
    /// First event of the window (or top of a list).
    First,
    /// Last event of the window (or bottom of a list).
    Last,
    /// Move the time cursor one bucket earlier (or the previous facet field).
    CursorLeft,
    /// Move the time cursor one bucket later (or the next facet field).
    CursorRight,
    /// Pan the window half a width earlier.
    PanLeft,
    /// Pan the window half a width later.
    PanRight,
    /// Halve the window around the cursor.
    ZoomIn,
    /// Double the window around the cursor.
    ZoomOut,
    /// Jump the cursor to a time.
    Jump,
    /// Open the selected event's detail (or choose in a list).
    Select,
    /// Pivot on a field of the selected event.
    Pivot,
    /// Back along the pivot breadcrumb.
    Back,
    /// Show the facets panel.
    Facets,
    /// Show the integrity view.
    Integrity,
    /// Copy the selected event as JSON (OSC 52).
    Copy,
    /// Move the cursor to the next spike.
    NextSpike,
    /// Move the cursor to the previous spike.
    PrevSpike,
    /// The cursor to the next metric anomaly; the table shows the audit events around it.
    NextAnomaly,
    /// The cursor to the previous metric anomaly.
    PrevAnomaly,
    /// Show or hide the metrics lines.
    ToggleMetrics,
    /// Open the selected event's trace as a waterfall.
    Trace,
    /// Show or hide span marks on the timeline.
    ToggleSpans,
    /// In a trace: the audit events during the selected span.
    SpanWindow,
    /// Follow the newest events (live follow).
    Follow,
    /// Bookmark the selected event (again: remove the bookmark).
    Bookmark,
    /// Add or edit the selected event's note (bookmarking it).
    Note,
    /// The bookmarks list.
    Bookmarks,
    /// Export bookmarks or the view (Markdown, JSON with proofs, CSV).
    Export,
    /// Reveal the selected event's masked values (again: mask them).
    Reveal,
    /// In lists: delete the selected item.
    Delete,
    /// The alerts raised during live follow (`open --follow`).
    Alerts,
    /// The saved queries (the config's `[[queries]]` and the shipped defaults).
    SavedQueries,
    /// The command line: a saved query's name, or `alerts`.
    Command,
}

/// One row of the action table.
#[derive(Clone, Copy, Debug)]
pub struct ActionInfo {
    /// The action.
    pub action: Action,
    /// Its name in the config file's `[keys]` section.
    pub name: &'static str,
    /// One line of help.
    pub desc: &'static str,
    /// Default keys (key specs as in the config file).
    pub keys: &'static [&'static str],
}

const fn a(
    action: Action,
    name: &'static str,
    desc: &'static str,
    keys: &'static [&'static str],
) -> ActionInfo {
    ActionInfo {
        action,
        name,
        desc,
        keys,
    }
}

/// Every action, in the order the help overlay lists them.
pub const ACTIONS: &[ActionInfo] = &[
    a(Action::Help, "help", "this help", &["?", "f1"]),
    a(Action::Quit, "quit", "quit", &["q", "ctrl-c"]),
    a(
        Action::Close,
        "close",
        "close overlay / prompt, dismiss banner",
        &["esc"],
    ),
    a(
        Action::Search,
        "search",
        "search (Tantivy syntax, live count)",
        &["/"],
    ),
    a(Action::Down, "down", "next event / line", &["j", "down"]),
    a(Action::Up, "up", "previous event / line", &["k", "up"]),
    a(
        Action::PageDown,
        "page_down",
        "page down",
        &["pagedown", "ctrl-d"],
    ),
    a(Action::PageUp, "page_up", "page up", &["pageup", "ctrl-u"]),
    a(
        Action::First,
        "first",
        "first event in the window",
        &["g", "home"],
    ),
    a(
        Action::Last,
        "last",
        "last event in the window",
        &["G", "end"],
    ),
    a(
        Action::CursorLeft,
        "cursor_left",
        "time cursor one bucket earlier",
        &["h", "left"],
    ),
    a(
        Action::CursorRight,
        "cursor_right",
        "time cursor one bucket later",
        &["l", "right"],
    ),
    a(
        Action::PanLeft,
        "pan_left",
        "pan the window earlier",
        &["H", "shift-left"],
    ),
    a(
        Action::PanRight,
        "pan_right",
        "pan the window later",
        &["L", "shift-right"],
    ),
    a(
        Action::ZoomIn,
        "zoom_in",
        "zoom in around the cursor",
        &["+", "="],
    ),
    a(
        Action::ZoomOut,
        "zoom_out",
        "zoom out around the cursor",
        &["-", "_"],
    ),
    a(
        Action::Jump,
        "jump",
        "jump to a time (12:07, -15m, RFC 3339)",
        &["t"],
    ),
    a(Action::NextSpike, "next_spike", "next spike", &["n"]),
    a(Action::PrevSpike, "prev_spike", "previous spike", &["N"]),
    a(
        Action::Select,
        "select",
        "event detail / choose",
        &["enter"],
    ),
    a(
        Action::Pivot,
        "pivot",
        "pivot on a field of the event",
        &["p"],
    ),
    a(
        Action::Back,
        "back",
        "back along the pivot breadcrumb",
        &["backspace"],
    ),
    a(
        Action::Facets,
        "facets",
        "facets: top values, Enter pivots",
        &["f"],
    ),
    a(
        Action::Integrity,
        "integrity",
        "integrity: segments and problems",
        &["i"],
    ),
    a(
        Action::Copy,
        "copy",
        "copy the event as JSON (OSC 52)",
        &["y"],
    ),
    a(
        Action::NextAnomaly,
        "next_anomaly",
        "next metric anomaly (table shows the events around it)",
        &["a"],
    ),
    a(
        Action::PrevAnomaly,
        "prev_anomaly",
        "previous metric anomaly",
        &["A"],
    ),
    a(
        Action::ToggleMetrics,
        "toggle_metrics",
        "show / hide the metrics lines",
        &["M"],
    ),
    a(
        Action::Trace,
        "trace",
        "the selected event's trace as a waterfall (Enter there: the trace's events)",
        &["T"],
    ),
    a(
        Action::ToggleSpans,
        "toggle_spans",
        "show / hide span marks on the timeline",
        &["S"],
    ),
    a(
        Action::SpanWindow,
        "span_window",
        "in a trace: all audit events during the selected span",
        &["w"],
    ),
    a(
        Action::Follow,
        "follow",
        "follow the newest events (with --follow: live)",
        &["F"],
    ),
    a(
        Action::Bookmark,
        "bookmark",
        "bookmark the selected event (again: remove)",
        &["m"],
    ),
    a(
        Action::Note,
        "note",
        "add or edit the event's note (bookmarks it)",
        &["c"],
    ),
    a(
        Action::Bookmarks,
        "bookmarks",
        "bookmarks: Enter jumps, c edits the note, d deletes",
        &["b"],
    ),
    a(
        Action::Export,
        "export",
        "export bookmarks or the view: Markdown, JSON with proofs, CSV",
        &["e"],
    ),
    a(
        Action::Reveal,
        "reveal",
        "reveal the event's masked values (again: mask)",
        &["R"],
    ),
    a(Action::Delete, "delete", "in lists: delete", &["d"]),
    a(
        Action::Alerts,
        "alerts",
        "alerts raised while following (--follow): Enter jumps to the event",
        &["!"],
    ),
    a(
        Action::SavedQueries,
        "saved_queries",
        "saved queries: Enter runs one (its window, if it has one)",
        &["s"],
    ),
    a(
        Action::Command,
        "command",
        "command line: a saved query's name (Tab completes), or alerts",
        &[":"],
    ),
];

impl Action {
    /// The action's row in [`ACTIONS`].
    pub fn info(self) -> &'static ActionInfo {
        ACTIONS
            .iter()
            .find(|i| i.action == self)
            .expect("every action is in ACTIONS")
    }

    /// The action named `name` in the config file.
    pub fn from_name(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|i| i.name == name).map(|i| i.action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut names: Vec<&str> = ACTIONS.iter().map(|i| i.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ACTIONS.len());
        for i in ACTIONS {
            assert_eq!(Action::from_name(i.name), Some(i.action));
            assert_eq!(i.action.info().name, i.name);
        }
        assert_eq!(Action::from_name("nope"), None);
    }
}
