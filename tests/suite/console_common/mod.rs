//! A deterministic console for screen and state tests: the demo store (or a small hostile one)
//! pulled once per process into a temp home, and a [`Console`] that drives the real
//! `update` functions and answers every request with a synchronous [`Worker`], so each key
//! press is followed by the state the real console reaches once the worker has caught up.
//!
//! Nothing on screen depends on the clock or the temp paths: the store label is fixed, no tick
//! ever happens (the spinner is a space once nothing is pending) and the demo's times are
//! fixed.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use tempfile::TempDir;
use trailscope::event::InputFormat;
use trailscope::pull::{PullOptions, PullSummary, pull};
use trailscope::query::{Filter, Hit, Order};
use trailscope::seal::{SealOptions, Sealer};
use trailscope::segment::keys::{generate_with, parse_signer};
use trailscope::store::{DirStore, Store};
use trailscope::tui::correlate::{Correlator, Sources};
use trailscope::tui::keymap::Keymap;
use trailscope::tui::keys::KeySpec;
use trailscope::tui::state::App;
use trailscope::tui::state::Correlation;
use trailscope::tui::theme::Theme;
use trailscope::tui::update::{
    Effect, PullEvent, on_correlation, on_key, on_mouse, on_pull, on_response, start, update,
};
use trailscope::tui::view::{self, Ctx};
use trailscope::tui::worker::{Request, Response, RowsMode, Worker};
use unicode_width::UnicodeWidthStr;

/// The store label shown instead of the temp path.
pub const STORE_LABEL: &str = "demo-store";
/// Small and wide terminal sizes every view is checked at.
pub const SMALL: (u16, u16) = (80, 24);
/// See [`SMALL`].
pub const WIDE: (u16, u16) = (160, 48);
/// A settle loop answering more requests than this has a request cycle.
const MAX_ANSWERS: usize = 10_000;

/// A store pulled into its own home, kept for the whole process.
pub struct Pulled {
    /// Holds the store and the home. Statics are never dropped, so the directory outlives
    /// the process; [`scratch_dir`] removes those of finished runs.
    _dir: TempDir,
    /// The trailscope home the store was pulled into.
    pub home: PathBuf,
    /// The store's location as the pull saw it (keys the local index).
    pub location: String,
    /// What the pull reported.
    pub summary: PullSummary,
    /// The store directory (its metrics/ and traces/ are read by the correlator).
    pub store_dir: PathBuf,
}

/// A fresh directory under `target/tmp/console-tests`, named after this process. Directories
/// left by processes that have ended are removed first (a pulled demo is about 10 MB).
pub fn scratch_dir() -> TempDir {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    let root = ROOT.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("console-tests");
        std::fs::create_dir_all(&root).expect("scratch root");
        let alive = |pid: &str| Path::new("/proc").join(pid).exists();
        for entry in std::fs::read_dir(&root).expect("scratch root").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some((pid, _)) = name.split_once('-')
                && Path::new("/proc/self").exists()
                && !alive(pid)
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        root
    });
    tempfile::Builder::new()
        .prefix(&format!("{}-", std::process::id()))
        .tempdir_in(root)
        .expect("scratch dir")
}

fn pull_into(dir: TempDir, store_dir: &Path) -> Pulled {
    let home = dir.path().join("home");
    let store = DirStore::new(store_dir);
    let summary = pull(&store, &home, &PullOptions::default(), &mut |_| {}).expect("pull");
    Pulled {
        location: store.location(),
        home,
        summary,
        store_dir: store_dir.to_path_buf(),
        _dir: dir,
    }
}

/// The demo store (`tamper`: with segment 12 altered), pulled once per process.
pub fn demo(tamper: bool) -> &'static Pulled {
    static CLEAN: OnceLock<Pulled> = OnceLock::new();
    static TAMPERED: OnceLock<Pulled> = OnceLock::new();
    let cell = if tamper { &TAMPERED } else { &CLEAN };
    cell.get_or_init(|| {
        let dir = scratch_dir();
        let store = dir.path().join("store");
        trailscope::demo::write_demo_store(&store, tamper).expect("demo store");
        pull_into(dir, &store)
    })
}

/// The clean demo store verified and kept but not indexed (`pull` with `index: false`): the
/// console answers every query by scanning the verified copies.
pub fn demo_scanned() -> &'static Pulled {
    static CELL: OnceLock<Pulled> = OnceLock::new();
    CELL.get_or_init(|| {
        let dir = scratch_dir();
        let store_dir = dir.path().join("store");
        trailscope::demo::write_demo_store(&store_dir, false).expect("demo store");
        let home = dir.path().join("home");
        let store = DirStore::new(&store_dir);
        let opts = PullOptions {
            index: false,
            ..PullOptions::default()
        };
        let summary = pull(&store, &home, &opts, &mut |_| {}).expect("pull");
        assert_eq!(summary.head.segments, 0, "nothing indexed");
        Pulled {
            location: store.location(),
            home,
            summary,
            store_dir,
            _dir: dir,
        }
    })
}

/// A small signed store holding `records` (NDJSON objects, one per element), sealed through
/// the library with a fixed key and checkpoint time, then pulled.
pub fn sealed(records: &[serde_json::Value]) -> Pulled {
    let dir = scratch_dir();
    let store_dir = dir.path().join("store");
    let store = DirStore::new(&store_dir);
    let key = generate_with(&mut ChaCha20Rng::seed_from_u64(7), "hostile.test").expect("key");
    let opts = SealOptions {
        format: InputFormat::Ndjson,
        origin: Some("hostile.test".into()),
        signer: Some(parse_signer(&key.private).expect("signer")),
        checkpoint_time: Some("2026-11-24T03:00:00Z".into()),
        ..SealOptions::default()
    };
    {
        let mut sealer = Sealer::open(&store, opts).expect("open sealer");
        for r in records {
            let raw = serde_json::to_vec(r).expect("json");
            let t = sealer.mapping().record_time(&raw).expect("record time");
            sealer.push(raw, t).expect("push");
        }
        sealer.finish().expect("finish");
    }
    pull_into(dir, &store_dir)
}

/// The key event a key spec (`j`, `enter`, `shift-left`, `G`) stands for.
pub fn key(spec: &str) -> KeyEvent {
    let s = KeySpec::parse(spec).unwrap_or_else(|e| panic!("key spec {spec:?}: {e}"));
    KeyEvent::new(s.code, s.mods)
}

/// A left click at (`column`, `row`).
pub fn click(column: u16, row: u16) -> MouseEvent {
    MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

/// The console under test.
pub struct Console {
    /// Its state.
    pub app: App,
    /// Answers requests synchronously.
    pub worker: Worker,
    /// Answers metric and trace requests synchronously.
    pub correlator: Correlator,
    /// Default keys.
    pub keymap: Keymap,
    /// Colours.
    pub theme: Theme,
    /// Effects not carried out yet (only non-empty between `*_deferred` calls and `settle`).
    pub queue: VecDeque<Effect>,
    /// Clipboard writes asked for so far.
    pub clipboard: Vec<String>,
    /// Requests answered so far.
    pub answered: usize,
    /// The store's location (keys the local index).
    location: String,
}

impl Console {
    /// The demo console at `size`: opened, pulled, every answer in.
    pub fn open(size: (u16, u16), tamper: bool) -> Console {
        Console::on(
            demo(tamper),
            size,
            Theme::load(None, None, false).expect("theme"),
        )
    }

    /// A console on `pulled` at `size` with `theme`, in the state the real one reaches after
    /// its start-up reload and the background pull's report.
    pub fn on(pulled: &Pulled, size: (u16, u16), theme: Theme) -> Console {
        let sources = Sources {
            store: Some(pulled.store_dir.to_string_lossy().into_owned()),
            ..Sources::default()
        };
        Console::with_sources(pulled, size, theme, sources)
    }

    /// [`Console::on`] with metrics and traces from `sources`.
    pub fn with_sources(
        pulled: &Pulled,
        size: (u16, u16),
        theme: Theme,
        sources: Sources,
    ) -> Console {
        let mut app = App::new(&pulled.location, "", size);
        app.store = STORE_LABEL.into();
        app.correlation = Correlation::new(
            sources.has_queries(),
            (
                trailscope::tui::state::correlation::DEFAULT_BEFORE,
                trailscope::tui::state::correlation::DEFAULT_AFTER,
            ),
        );
        let mut c = Console {
            app,
            worker: Worker::new(pulled.home.clone(), pulled.location.clone()),
            correlator: Correlator::new(sources),
            keymap: Keymap::default(),
            theme,
            queue: VecDeque::new(),
            clipboard: Vec::new(),
            answered: 0,
            location: pulled.location.clone(),
        };
        // As `run` does: the index is opened, the bookmarks read.
        let fx = start(&mut c.app);
        c.run(fx);
        let done = PullEvent::Done(Box::new(Ok(pulled.summary.clone())));
        let fx = on_pull(&mut c.app, done);
        c.run(fx);
        c.assert_idle();
        c
    }

    /// Queues `fx` and settles.
    pub fn run(&mut self, fx: Vec<Effect>) {
        self.queue.extend(fx);
        self.settle();
    }

    /// Carries out queued effects (answering requests, feeding the answers back) until none
    /// is left.
    pub fn settle(&mut self) {
        let mut n = 0;
        while let Some(e) = self.queue.pop_front() {
            match e {
                Effect::Request(r) => {
                    n += 1;
                    assert!(n < MAX_ANSWERS, "requests never stop");
                    let resp = self.worker.answer(*r);
                    self.answered += 1;
                    let fx = on_response(&mut self.app, resp);
                    self.queue.extend(fx);
                }
                Effect::Correlate(r) => {
                    n += 1;
                    assert!(n < MAX_ANSWERS, "requests never stop");
                    let resp = self.correlator.answer(*r);
                    self.answered += 1;
                    let fx = on_correlation(&mut self.app, resp);
                    self.queue.extend(fx);
                }
                Effect::Clipboard(text) => self.clipboard.push(text),
            }
        }
    }

    /// Takes the queued effects without carrying them out.
    pub fn take(&mut self) -> Vec<Effect> {
        self.queue.drain(..).collect()
    }

    /// Presses one key (a key spec) and settles.
    pub fn press(&mut self, spec: &str) {
        let fx = on_key(&mut self.app, &self.keymap, key(spec));
        self.run(fx);
    }

    /// Presses one key without settling; returns its effects (also left queued).
    pub fn press_deferred(&mut self, spec: &str) -> Vec<Effect> {
        let fx = on_key(&mut self.app, &self.keymap, key(spec));
        self.queue.extend(fx.iter().cloned());
        fx
    }

    /// Presses keys one after the other (specs separated by spaces), settling after each.
    pub fn keys(&mut self, specs: &str) {
        for s in specs.split_whitespace() {
            self.press(s);
        }
    }

    /// Types `text` character by character (into a prompt), settling after each.
    pub fn type_text(&mut self, text: &str) {
        for ch in text.chars() {
            let ev = KeyEvent::new(
                ratatui::crossterm::event::KeyCode::Char(ch),
                KeyModifiers::NONE,
            );
            let fx = on_key(&mut self.app, &self.keymap, ev);
            self.run(fx);
        }
    }

    /// Applies an action directly and settles.
    pub fn act(&mut self, a: trailscope::tui::action::Action) {
        let fx = update(&mut self.app, a);
        self.run(fx);
    }

    /// A mouse event, settled.
    pub fn mouse(&mut self, ev: MouseEvent) {
        let fx = on_mouse(&mut self.app, ev);
        self.run(fx);
    }

    /// Answers one request now (without feeding the answer back).
    pub fn answer(&mut self, r: Request) -> Response {
        self.worker.answer(r)
    }

    /// Checks that nothing is in flight (the spinner shows a space).
    pub fn assert_idle(&self) {
        assert!(self.queue.is_empty(), "effects left: {:?}", self.queue);
        assert_eq!(self.app.pending, 0, "requests in flight after settling");
        assert_eq!(self.app.tick, 0);
    }

    /// Draws the console into a `w`×`h` test terminal (the app's size is set to match).
    pub fn buffer(&self, w: u16, h: u16) -> Buffer {
        assert_eq!(
            self.app.size,
            (w, h),
            "render at the size the state was laid out for"
        );
        self.assert_idle();
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
        let ctx = Ctx {
            theme: &self.theme,
            keymap: &self.keymap,
        };
        term.draw(|f| view::draw(f, &self.app, &ctx)).expect("draw");
        term.backend().buffer().clone()
    }

    /// The screen as text, one line per row (trailing spaces dropped).
    pub fn render(&self, w: u16, h: u16) -> String {
        screen_text(&self.buffer(w, h))
    }

    /// The screen at the app's size.
    pub fn screen(&self) -> String {
        let (w, h) = self.app.size;
        self.render(w, h)
    }

    /// Every event of the window matching the query, oldest first (straight from the worker;
    /// remembered per store, query and window, as several tests ask the same).
    pub fn all_in_window(&mut self) -> Vec<Hit> {
        type Key = (String, String, i64, i64);
        static SEEN: OnceLock<Mutex<HashMap<Key, Vec<Hit>>>> = OnceLock::new();
        let w = self.app.window.expect("a window");
        let key = (self.location.clone(), self.app.query.clone(), w.from, w.to);
        let seen = SEEN.get_or_init(Mutex::default);
        if let Some(hits) = seen.lock().unwrap().get(&key) {
            return hits.clone();
        }
        let r = Request::Rows {
            generation: 0,
            filter: Filter {
                query: self.app.query.clone(),
                from: Some(w.from),
                to: Some(w.to),
            },
            order: Order::OldestFirst,
            limit: 100_000,
            mode: RowsMode::Replace,
        };
        let hits = match self.worker.answer(r) {
            Response::Rows(_, _, Ok((hits, total))) => {
                assert_eq!(hits.len() as u64, total, "the limit holds everything");
                hits
            }
            other => panic!("rows: {other:?}"),
        };
        seen.lock().unwrap().insert(key, hits.clone());
        hits
    }
}

/// The text of a buffer, one line per row, wide characters counted once, trailing spaces
/// dropped.
pub fn screen_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = sym.width().saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The row of `text` (from [`screen_text`]) that contains `needle`, if any.
pub fn row_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle))
}

/// The table's event rows on a main screen: lines starting with a verification mark.
pub fn table_rows(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.starts_with("✓ ") || l.starts_with("· "))
        .collect()
}
