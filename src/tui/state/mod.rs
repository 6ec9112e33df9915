//! The console's state: everything a frame is drawn from. Only [`super::update`] changes it.

pub mod alerts;
pub mod correlation;
pub mod jump;
pub mod rows;
pub mod spikes;
pub mod window;

use crate::event::time::TimeNs;
use crate::index::IndexHead;
use crate::pull::Stage;
use crate::query::{Facets, Histogram};
use crate::verify::Report;

pub use alerts::Alerts;
pub use correlation::Correlation;
pub use rows::Rows;
pub use window::Window;

use super::worker::Detail;

/// What the background pull is doing.
#[derive(Clone, Debug, PartialEq)]
pub enum PullStatus {
    /// Not started (e.g. `--offline`).
    Off,
    /// Finding out what is new.
    Starting,
    /// Working through a stage.
    Running {
        /// The stage.
        stage: Stage,
        /// Segments done.
        done: u64,
        /// Segments to do.
        total: u64,
    },
    /// Finished: what it did, in a few words.
    Done(String),
    /// Stopped with an error (already sanitized for display).
    Failed(String),
}

/// Live follow (`open --follow`): the store is pulled again and again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Live {
    /// Whether the console follows the store.
    pub on: bool,
    /// Events that arrived while the user was away from the live edge (shown as a marker).
    pub new_events: u64,
}

/// A line of text being typed, with a cursor (a char index).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    /// The text.
    pub text: String,
    /// Cursor position in chars.
    pub cursor: usize,
}

impl Input {
    /// An input holding `text`, cursor at the end.
    pub fn with(text: &str) -> Input {
        Input {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_idx)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Inserts `c` at the cursor.
    pub fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Deletes the char before the cursor.
    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            let at = self.byte_at(self.cursor - 1);
            self.text.remove(at);
            self.cursor -= 1;
        }
    }

    /// Moves the cursor by `d` chars, within the text.
    pub fn move_by(&mut self, d: isize) {
        let n = self.text.chars().count() as isize;
        self.cursor = (self.cursor as isize + d).clamp(0, n) as usize;
    }

    /// Deletes everything.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }
}

/// The live count under the search prompt.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LiveCount {
    /// Nothing asked yet.
    #[default]
    None,
    /// Asked, waiting.
    Pending,
    /// Events matching.
    Count(u64),
    /// The query is wrong: message and byte position.
    Error(String, Option<usize>),
}

/// What covers the main screen, if anything.
#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    /// The main screen only.
    None,
    /// Key help, scrolled by `scroll` lines.
    Help {
        /// First line shown.
        scroll: usize,
    },
    /// The selected event in detail.
    Detail {
        /// First line shown.
        scroll: usize,
    },
    /// Top values per field.
    Facets {
        /// Index into the facet fields.
        field: usize,
        /// Selected value.
        value: usize,
    },
    /// Segments and problems.
    Integrity {
        /// First line shown.
        scroll: usize,
    },
    /// Choosing a field of the selected event to pivot on.
    Pivot {
        /// Selected field.
        choice: usize,
    },
    /// Typing a query.
    Search {
        /// The text.
        input: Input,
        /// Its live count.
        count: LiveCount,
    },
    /// A trace as a waterfall ([`App::correlation`] holds it).
    Waterfall {
        /// Selected span row.
        selected: usize,
    },
    /// The bookmarks list.
    Bookmarks {
        /// Selected bookmark.
        selected: usize,
    },
    /// Typing a note for [`App::note_for`].
    Note {
        /// The text.
        input: Input,
    },
    /// Choosing what to export and how.
    Export {
        /// Selected choice (see `update::notes::EXPORT_CHOICES`).
        choice: usize,
    },
    /// Typing a time.
    Jump {
        /// The text.
        input: Input,
        /// Why the last attempt failed.
        error: Option<String>,
    },
    /// The alerts of the session, newest first ([`App::alerts`]).
    Alerts {
        /// Selected alert (0 = the newest).
        selected: usize,
    },
    /// Choosing a saved query to run ([`App::saved`]).
    Saved {
        /// Selected query.
        selected: usize,
    },
    /// The `:` command line: a saved query's name, or `alerts`.
    Command {
        /// The text.
        input: Input,
        /// Why the last attempt failed.
        error: Option<String>,
    },
}

/// One step of the pivot breadcrumb: what to go back to.
#[derive(Clone, Debug, PartialEq)]
pub struct Crumb {
    /// What the pivot was (`actor=bob`), shown in the breadcrumb.
    pub label: String,
    /// The query before the pivot.
    pub query: String,
    /// The window before the pivot.
    pub window: Window,
    /// Whether that window followed the data's extent.
    pub follow_extent: bool,
    /// Whether this step is a jump to a metric anomaly (the next jump replaces it rather than
    /// stacking another step).
    pub anomaly: bool,
}

/// A severity for the one-line status message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Information.
    Info,
    /// Something failed.
    Error,
}

/// Generations of the requests in flight, one per kind; an answer with another generation is
/// stale and dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Generations {
    /// Extent.
    pub extent: u64,
    /// Histogram.
    pub histogram: u64,
    /// Rows.
    pub rows: u64,
    /// Live count.
    pub count: u64,
    /// Facets.
    pub facets: u64,
    /// Detail.
    pub detail: u64,
    /// Metrics of the window.
    pub metrics: u64,
    /// Trace lookup.
    pub trace: u64,
}

/// The whole state of the console.
#[derive(Clone, Debug)]
pub struct App {
    /// The store, as given (sanitized when drawn).
    pub store: String,
    /// The head of what is indexed.
    pub head: Option<IndexHead>,
    /// Verified segments the index does not hold yet (answered by scanning their copies).
    pub scanned: u64,
    /// The report of the last verification (from the background pull).
    pub report: Option<Report>,
    /// The background pull.
    pub pull: PullStatus,
    /// The red banner, until dismissed.
    pub banner: Option<String>,
    /// The problems (`kind:seq,…`) the integrity banner was raised for, and those the user
    /// dismissed it for: a later pull finding exactly the same problems does not raise it
    /// again (new or different ones do).
    pub banner_problems: (Option<String>, Option<String>),
    /// Earliest and latest indexed event time.
    pub extent: Option<(TimeNs, TimeNs)>,
    /// The window on screen.
    pub window: Option<Window>,
    /// Whether the window is the whole extent (and grows with it).
    pub follow_extent: bool,
    /// The window asked for on the command line (`--from`, `--to`).
    pub requested_window: (Option<TimeNs>, Option<TimeNs>),
    /// The active query ("" = everything).
    pub query: String,
    /// Pivots taken, oldest first.
    pub crumbs: Vec<Crumb>,
    /// The histogram of the window.
    pub histogram: Option<Histogram>,
    /// Spike columns of that histogram.
    pub spikes: Vec<usize>,
    /// The event table.
    pub rows: Rows,
    /// Facets of the window and query.
    pub facets: Option<Result<Vec<Facets>, String>>,
    /// Detail of the selected event.
    pub detail: Option<Result<Detail, String>>,
    /// What covers the screen.
    pub overlay: Overlay,
    /// One-line message in the footer.
    pub message: Option<(Level, String)>,
    /// Requests in flight (for the spinner).
    pub pending: u32,
    /// Ticks seen (animates the spinner).
    pub tick: u64,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Request generations.
    pub generations: Generations,
    /// Metrics and traces.
    pub correlation: Correlation,
    /// Live follow.
    pub live: Live,
    /// The store's bookmarks, by time.
    pub bookmarks: Vec<crate::bookmarks::Bookmark>,
    /// The event the note prompt is for (its row, so it can be bookmarked with the note).
    pub note_for: Option<Box<crate::query::Hit>>,
    /// Events whose masked values the user revealed (`R`), by (seq, pos).
    pub revealed: std::collections::BTreeSet<(u64, u64)>,
    /// Alerts raised during live follow.
    pub alerts: Alerts,
    /// The saved queries (`s`, `:`), in config order.
    pub saved: Vec<crate::alert::SavedQuery>,
    /// Set when the user asked to quit.
    pub quit: bool,
}

impl App {
    /// A fresh console on `store` in a terminal of `size`.
    pub fn new(store: &str, query: &str, size: (u16, u16)) -> App {
        App {
            store: store.to_string(),
            head: None,
            scanned: 0,
            report: None,
            pull: PullStatus::Off,
            banner: None,
            banner_problems: (None, None),
            extent: None,
            window: None,
            follow_extent: true,
            requested_window: (None, None),
            query: query.to_string(),
            crumbs: Vec::new(),
            histogram: None,
            spikes: Vec::new(),
            rows: Rows::default(),
            facets: None,
            detail: None,
            overlay: Overlay::None,
            message: None,
            pending: 0,
            tick: 0,
            size,
            generations: Generations::default(),
            correlation: Correlation::new(
                false,
                (correlation::DEFAULT_BEFORE, correlation::DEFAULT_AFTER),
            ),
            live: Live::default(),
            bookmarks: Vec::new(),
            note_for: None,
            revealed: std::collections::BTreeSet::new(),
            alerts: Alerts::default(),
            saved: Vec::new(),
            quit: false,
        }
    }

    /// The selected event, if any.
    pub fn selected(&self) -> Option<&crate::query::Hit> {
        self.rows.selected_hit()
    }

    /// Whether the user revealed the masked values of `hit`.
    pub fn is_revealed(&self, hit: &crate::query::Hit) -> bool {
        self.revealed.contains(&(hit.seq, hit.pos))
    }

    /// The bookmark of `hit`, if it has one.
    pub fn bookmark_of(&self, hit: &crate::query::Hit) -> Option<&crate::bookmarks::Bookmark> {
        self.bookmarks
            .iter()
            .find(|b| (b.seq, b.pos) == (hit.seq, hit.pos))
    }
}
