//! The console without a terminal: the real state, update functions, view and query worker,
//! drawn on a `TestBackend`. It does what `tui::run`'s loop does, one step at a time, so each
//! step can be timed on its own; the worker is called on this thread (the console runs it on
//! its own), which is what lets a keystroke's frame be timed without waiting for any answer.

use std::path::Path;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyEvent;
use trailscope::tui::keymap::Keymap;
use trailscope::tui::state::{App, PullStatus};
use trailscope::tui::theme::Theme;
use trailscope::tui::update::{Effect, on_key, on_response};
use trailscope::tui::view::{self, Ctx};
use trailscope::tui::worker::{Request, Response, RowsMode, Worker};

use crate::stats::{Samples, Stopwatch, Timed};

/// Kinds of worker request, as reported.
pub const REQUEST_KINDS: [&str; 7] = [
    "reload (open the index)",
    "extent",
    "histogram",
    "rows: page at the cursor",
    "rows: next/previous page",
    "count (live, per key)",
    "facets (5 fields, top 50)",
];

/// Worker answer times per request kind ([`REQUEST_KINDS`] order, plus "other").
#[derive(Clone, Debug, Default)]
pub struct Latencies {
    /// One entry per kind.
    pub by_kind: [Samples; REQUEST_KINDS.len() + 1],
}

impl Latencies {
    /// Adds every sample of `other`.
    pub fn extend(&mut self, other: &Latencies) {
        for (a, b) in self.by_kind.iter_mut().zip(&other.by_kind) {
            a.extend(b);
        }
    }
}

/// The index of `r`'s kind in [`REQUEST_KINDS`] (its length for anything else).
pub fn kind_of(r: &Request) -> usize {
    match r {
        Request::Reload => 0,
        Request::Extent { .. } => 1,
        Request::Histogram { .. } => 2,
        Request::Rows {
            mode: RowsMode::Replace,
            ..
        } => 3,
        Request::Rows { .. } => 4,
        Request::Count { .. } => 5,
        Request::Facets { .. } => 6,
        Request::Detail { .. }
        | Request::Copy { .. }
        | Request::Bookmarks(_)
        | Request::Journal { .. }
        | Request::Export { .. } => REQUEST_KINDS.len(),
    }
}

/// What a request asked, in a few words (for the slowest of each kind).
pub fn describe(r: &Request) -> String {
    let window = |f: &trailscope::query::Filter| match (f.from, f.to) {
        (Some(a), Some(b)) => format!("{:.0} s window", (b - a) as f64 / 1e9),
        _ => "no window".to_string(),
    };
    match r {
        Request::Histogram {
            filter, buckets, ..
        } => format!("{:?}, {}, {buckets} buckets", filter.query, window(filter)),
        Request::Rows {
            filter,
            order,
            limit,
            mode,
            ..
        } => format!(
            "{:?}, {}, {order:?}, limit {limit}, {mode:?}",
            filter.query,
            window(filter)
        ),
        Request::Count { filter, .. } | Request::Facets { filter, .. } => {
            format!("{:?}, {}", filter.query, window(filter))
        }
        Request::Reload => "reload".into(),
        Request::Extent { .. } => "extent".into(),
        Request::Detail { .. } => "detail".into(),
        Request::Copy { .. } => "copy".into(),
        Request::Bookmarks(_) => "bookmarks".into(),
        Request::Journal { .. } => "journal".into(),
        Request::Export { .. } => "export".into(),
    }
}

/// One open console on a headless terminal.
pub struct Console {
    /// The state.
    pub app: App,
    worker: Worker,
    term: Terminal<TestBackend>,
    theme: Theme,
    keymap: Keymap,
    /// Requests sent and not answered yet, oldest first.
    queue: Vec<Request>,
}

impl Console {
    /// Opens the console on the store at `location` (pulled into `home`), the way `trailscope
    /// open` does: a fresh state, the worker, the terminal, a reload request in flight and the
    /// pull starting; then draws the first frame. Returns the console and the time all that
    /// took. Theme and keymap are loaded by the caller (the command line does that before).
    pub fn open(
        home: &Path,
        location: &str,
        size: (u16, u16),
        theme: Theme,
        keymap: Keymap,
    ) -> (Console, Timed) {
        let t = Stopwatch::start();
        let mut app = App::new(location, "", size);
        app.pull = PullStatus::Starting;
        let worker = Worker::new(home.to_path_buf(), location.to_string());
        let term = Terminal::new(TestBackend::new(size.0, size.1)).expect("test backend");
        app.pending += 1;
        let mut c = Console {
            app,
            worker,
            term,
            theme,
            keymap,
            queue: vec![Request::Reload],
        };
        c.draw();
        (c, t.stop())
    }

    /// Draws one frame.
    pub fn draw(&mut self) {
        let ctx = Ctx {
            theme: &self.theme,
            keymap: &self.keymap,
        };
        let app = &self.app;
        self.term
            .draw(|f| view::draw(f, app, &ctx))
            .expect("drawing on a test backend");
    }

    /// Draws one frame and says how long it took.
    pub fn timed_draw(&mut self) -> Timed {
        let t = Stopwatch::start();
        self.draw();
        t.stop()
    }

    fn carry_out(&mut self, effects: Vec<Effect>) {
        for e in effects {
            if let Effect::Request(r) = e {
                self.queue.push(*r);
            }
        }
    }

    /// A key press: the update, then the frame, without waiting for any answer. Returns the
    /// time of each.
    pub fn key(&mut self, key: KeyEvent) -> (Timed, Timed) {
        let t = Stopwatch::start();
        let effects = on_key(&mut self.app, &self.keymap, key);
        let update = t.stop();
        self.carry_out(effects);
        (update, self.timed_draw())
    }

    /// Whether requests are waiting for the worker.
    pub fn has_requests(&self) -> bool {
        !self.queue.is_empty()
    }

    /// How many requests are waiting for the worker.
    pub fn pending_requests(&self) -> usize {
        self.queue.len()
    }

    /// The worker answers the oldest waiting request (timed into `lat`); the answer goes
    /// through `on_response`, whose requests join the queue. Returns the time of that state
    /// update (the worker's excluded), or `None` when nothing was waiting.
    pub fn answer_one(&mut self, lat: &mut Latencies) -> Option<Timed> {
        if self.queue.is_empty() {
            return None;
        }
        let r = self.queue.remove(0);
        let kind = kind_of(&r);
        let what = describe(&r);
        let t = Stopwatch::start();
        let resp = self.worker.answer(r);
        lat.by_kind[kind].push_described(t.stop(), || what);
        let t = Stopwatch::start();
        self.respond(resp);
        Some(t.stop())
    }

    /// Hands an answer to the state.
    pub fn respond(&mut self, resp: Response) {
        let effects = on_response(&mut self.app, resp);
        self.carry_out(effects);
    }

    /// Applies a state change from outside (a pull report) and queues its requests.
    pub fn apply(&mut self, f: impl FnOnce(&mut App) -> Vec<Effect>) {
        let effects = f(&mut self.app);
        self.carry_out(effects);
    }

    /// Answers every waiting request (and those the answers lead to), then draws. Returns the
    /// time of the state updates and the frame, the worker's time excluded: how long the
    /// screen takes to catch up once the answers are there.
    pub fn answer_all(&mut self, lat: &mut Latencies) -> Timed {
        let mut ui = Timed {
            wall: Duration::ZERO,
            on_core: Some(Duration::ZERO),
        };
        while let Some(t) = self.answer_one(lat) {
            ui = ui + t;
        }
        ui + self.timed_draw()
    }

    /// The rendered screen as text (for a look at what was measured).
    pub fn screen(&self) -> String {
        let buf = self.term.backend().buffer();
        let area = buf.area;
        let mut out = String::new();
        for y in 0..area.height {
            for x in 0..area.width {
                out.push_str(buf[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }
}

/// Samples of one keystroke kind: the update, the frame, and both together.
#[derive(Clone, Debug, Default)]
pub struct KeySamples {
    /// `on_key`.
    pub update: Samples,
    /// `view::draw` on the test backend.
    pub draw: Samples,
    /// Keystroke to frame: both.
    pub total: Samples,
    /// Requests the keys sent to the worker.
    pub requests: usize,
}

impl KeySamples {
    /// Adds one keystroke's times.
    pub fn push(&mut self, (update, draw): (Timed, Timed)) {
        self.update.push(update);
        self.draw.push(draw);
        self.total.push(update + draw);
    }
}
