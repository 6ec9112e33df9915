//! What is timed: opening the console until its first frame with data, and a scripted
//! session of keystrokes, each drawn without waiting for the worker.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use trailscope::pull::PullSummary;
use trailscope::tui::keymap::Keymap;
use trailscope::tui::theme::Theme;
use trailscope::tui::update::{PullEvent, on_pull};

use crate::driver::{Console, KeySamples, Latencies};
use crate::stats::{Samples, Stopwatch};

/// Times the console is opened per terminal size.
pub const OPENS: usize = 40;

/// The first frames of [`OPENS`] openings.
#[derive(Clone, Debug, Default)]
pub struct FirstFrame {
    /// (a) `App::new`, `Worker::new`, the terminal and the frame drawn at once (nothing loaded).
    pub blank: Samples,
    /// (b) The worker's answers, per request kind (reload, extent, histogram, rows).
    pub worker: Latencies,
    /// (b) All of them, plus the state updates between them.
    pub worker_total: Samples,
    /// (c) The frame with the histogram and table filled.
    pub filled: Samples,
    /// (a) + (b) + (c).
    pub total: Samples,
    /// Openings whose last frame lacked the histogram or rows (should be none).
    pub not_filled: usize,
    /// The first opening's data frame, as text.
    pub screen: String,
}

/// Opens the console `OPENS` times at `size` and times each step; returns the figures and the
/// last console (warm, with data) for the keystroke session.
pub fn first_frames(
    home: &std::path::Path,
    location: &str,
    size: (u16, u16),
    theme: &Theme,
    keymap: &Keymap,
) -> (FirstFrame, Console) {
    let mut f = FirstFrame::default();
    let mut last = None;
    for i in 0..OPENS {
        // The previous console (and its open index) is dropped here, outside the timings.
        drop(last.take());
        let (mut c, blank) = Console::open(home, location, size, theme.clone(), keymap.clone());
        let t = Stopwatch::start();
        while c.answer_one(&mut f.worker).is_some() {}
        let worker = t.stop();
        let filled = c.timed_draw();
        if c.app.histogram.is_none() || c.app.rows.hits.is_empty() {
            f.not_filled += 1;
        }
        f.blank.push(blank);
        f.worker_total.push(worker);
        f.filled.push(filled);
        f.total.push(blank + worker + filled);
        if i == 0 {
            f.screen = c.screen();
        }
        last = Some(c);
    }
    (f, last.expect("OPENS > 0"))
}

/// Keystroke kinds, as reported.
pub const KEY_KINDS: [&str; 8] = [
    "cursor l/h",
    "rows j/k",
    "zoom +/-",
    "facets f, Esc",
    "search: / opens the prompt",
    "search: typing (live count)",
    "search: Enter (new query)",
    "Backspace (back to the last query)",
];
const CURSOR: usize = 0;
const ROWS: usize = 1;
const ZOOM: usize = 2;
const FACETS: usize = 3;
const SEARCH_OPEN: usize = 4;
const TYPING: usize = 5;
const ENTER: usize = 6;
const BACK: usize = 7;

/// Rounds of the query list typed.
const QUERY_ROUNDS: usize = 6;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ch(c: char) -> KeyEvent {
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    KeyEvent::new(KeyCode::Char(c), mods)
}

/// The queries typed at the search prompt; `actors` are a frequent, a middling and a rare one.
pub fn queries(actors: &[String]) -> Vec<String> {
    let mut q = vec![
        "outcome:denied".to_string(),
        "action:delete AND outcome:denied".to_string(),
        "NOT outcome:success".to_string(),
        // A bare word: answered by the full-text index.
        "forbidden".to_string(),
    ];
    if let Some(a) = actors.get(1) {
        q.push(format!("actor:\"{a}\""));
    }
    if let Some(a) = actors.last() {
        q.push(format!("actor:\"{a}\" AND action:get"));
    }
    q
}

/// The session: every key with its kind.
pub fn script(queries: &[String]) -> Vec<(usize, KeyEvent)> {
    let mut s = Vec::new();
    // 200 cursor moves, drifting later (so the table has earlier events to page back to).
    for _ in 0..8 {
        s.extend((0..15).map(|_| (CURSOR, ch('l'))));
        s.extend((0..10).map(|_| (CURSOR, ch('h'))));
    }
    // 500 row moves: down past the first page (the next one is asked for), then back up past
    // the top (the previous one is asked for).
    s.extend((0..250).map(|_| (ROWS, ch('j'))));
    s.extend((0..250).map(|_| (ROWS, ch('k'))));
    // 200 zooms, facets at the narrowest window of each round.
    for _ in 0..20 {
        s.extend((0..5).map(|_| (ZOOM, ch('+'))));
        s.push((FACETS, ch('f')));
        s.push((FACETS, key(KeyCode::Esc)));
        s.extend((0..5).map(|_| (ZOOM, ch('-'))));
    }
    // New queries, each undone with Backspace.
    for _ in 0..QUERY_ROUNDS {
        for q in queries {
            s.push((SEARCH_OPEN, ch('/')));
            s.extend(q.chars().map(|c| (TYPING, ch(c))));
            s.push((ENTER, key(KeyCode::Enter)));
            s.push((BACK, key(KeyCode::Backspace)));
        }
    }
    s
}

/// The figures of one session.
#[derive(Clone, Debug, Default)]
pub struct Session {
    /// Per [`KEY_KINDS`].
    pub keys: [KeySamples; KEY_KINDS.len()],
    /// Every keystroke.
    pub all: KeySamples,
    /// From the answers being there to the frame showing them (worker time excluded).
    pub after_answers: Samples,
    /// The worker's answers to the keys' requests.
    pub worker: Latencies,
    /// The frame after the last answer, as text.
    pub screen: String,
}

/// Runs `script` on `c`: after each key's frame (timed), the worker answers what the key asked
/// and the screen catches up (timed apart), so the next key starts from a screen with data, as
/// it would at human typing speed.
pub fn run(c: &mut Console, summary: &PullSummary, script: &[(usize, KeyEvent)]) -> Session {
    let mut s = Session::default();
    // The background pull found nothing new: its report lands, the index is reloaded.
    let done = PullEvent::Done(Box::new(Ok(summary.clone())));
    c.apply(|app| on_pull(app, done));
    let mut warm = Latencies::default();
    c.answer_all(&mut warm);
    for (kind, k) in script {
        let before = c.pending_requests();
        let d = c.key(*k);
        s.keys[*kind].push(d);
        s.keys[*kind].requests += c.pending_requests() - before;
        s.all.push(d);
        if c.has_requests() {
            s.after_answers.push(c.answer_all(&mut s.worker));
        }
    }
    s.screen = c.screen();
    s
}
