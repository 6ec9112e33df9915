//! The event loop: one channel carries terminal input, worker answers, pull reports and
//! signals; after draining it the screen is drawn once (renders are coalesced).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Context;
use ratatui::crossterm::event::{self, Event};

use super::correlate::{CRequest, CResponse, Correlator, Sources};
use super::keymap::Keymap;
use super::live_alerts::LiveAlerts;
use super::state::{App, PullStatus};
use super::terminal::{self, Guard};
use super::theme::Theme;
use super::update::{
    Effect, PullEvent, on_correlation, on_key, on_mouse, on_pull, on_resize, on_response, on_tick,
    start,
};
use super::view::{self, Ctx};
use super::worker::{Request, Response, Worker};
use crate::alert::SavedQuery;
use crate::event::time::TimeNs;
use crate::pull::{PullOptions, pull};
use crate::store::Store;

/// Time between ticks (spinner frames, index reloads while pulling).
const TICK: Duration = Duration::from_millis(100);
/// Messages queued to the UI before senders wait; the UI drains the queue every frame.
const QUEUE: usize = 1024;
/// Shortest time between two pull progress messages.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Everything `open` needs, resolved by the command line before the terminal is taken.
pub struct OpenOptions {
    /// The store.
    pub store: Box<dyn Store>,
    /// The trailscope home.
    pub home: PathBuf,
    /// Pull options (signer key etc.).
    pub pull: PullOptions,
    /// Whether to pull in the background.
    pub background_pull: bool,
    /// Colours.
    pub theme: Theme,
    /// Keys.
    pub keymap: Keymap,
    /// The initial query.
    pub query: String,
    /// The initial window.
    pub from: Option<TimeNs>,
    /// The initial window's end.
    pub to: Option<TimeNs>,
    /// Where metrics and traces come from.
    pub sources: Sources,
    /// Audit events shown around a metric anomaly (before, after its onset; ns).
    pub around: (i64, i64),
    /// Pull again this long after each pull (live follow), or only once.
    pub follow: Option<Duration>,
    /// Masks record values (the config's `redact` list) unless revealed.
    pub masker: crate::mask::Masker,
    /// The saved queries (`s`, `:`); with `follow`, those marked `alert` are evaluated on
    /// every newly verified batch.
    pub saved_queries: Vec<SavedQuery>,
    /// Whether an alert rings the terminal bell (the config's `bell`).
    pub bell: bool,
}

enum Msg {
    Input(Event),
    Worker(Response),
    Correlation(CResponse),
    Pull(PullEvent),
    Signal,
}

fn start_input(tx: SyncSender<Msg>) {
    thread::spawn(move || {
        while let Ok(ev) = event::read() {
            if tx.send(Msg::Input(ev)).is_err() {
                return;
            }
        }
    });
}

fn start_signals(tx: SyncSender<Msg>) -> anyhow::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])?;
    thread::spawn(move || {
        if signals.forever().next().is_some() {
            let _ = tx.send(Msg::Signal);
        }
    });
    Ok(())
}

fn start_worker(
    home: PathBuf,
    location: String,
    masker: crate::mask::Masker,
    tx: SyncSender<Msg>,
) -> mpsc::Sender<Request> {
    // Requests come from the UI thread, which must never block: this queue is unbounded but
    // the worker coalesces it to one request per kind.
    let (req_tx, req_rx) = mpsc::channel();
    thread::spawn(move || {
        Worker::new(home, location)
            .with_masker(masker)
            .run(req_rx, |r| tx.send(Msg::Worker(r)).is_ok());
    });
    req_tx
}

fn start_correlator(sources: Sources, tx: SyncSender<Msg>) -> mpsc::Sender<CRequest> {
    let (req_tx, req_rx) = mpsc::channel();
    thread::spawn(move || {
        Correlator::new(sources).run(req_rx, |r| tx.send(Msg::Correlation(r)).is_ok());
    });
    req_tx
}

fn start_pull(
    store: Box<dyn Store>,
    home: PathBuf,
    opts: PullOptions,
    follow: Option<(Duration, Vec<SavedQuery>)>,
    tx: SyncSender<Msg>,
) {
    thread::spawn(move || {
        // Live follow: alerts are evaluated here, after each pull, never on the UI thread.
        // The start position is read before the first pull.
        let mut live = follow.as_ref().map(|(_, queries)| {
            let (live, error) = LiveAlerts::new(queries, &home, &store.location());
            if let Some(e) = error {
                let _ = tx.send(Msg::Pull(PullEvent::AlertsFailed(e)));
            }
            live
        });
        loop {
            if !pull_once(store.as_ref(), &home, &opts, live.as_mut(), &tx) {
                return;
            }
            match &follow {
                Some((every, _)) => thread::sleep(*every),
                None => return,
            }
        }
    });
}

/// One pull, reported to the UI, then (live follow) its alerts; false when the UI is gone.
fn pull_once(
    store: &dyn Store,
    home: &Path,
    opts: &PullOptions,
    live: Option<&mut LiveAlerts>,
    tx: &SyncSender<Msg>,
) -> bool {
    let mut last = Instant::now() - PROGRESS_EVERY;
    let progress_tx = tx.clone();
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pull(store, home, opts, &mut |p| {
            if last.elapsed() >= PROGRESS_EVERY || p.segments == p.total_segments {
                last = Instant::now();
                let _ = progress_tx.try_send(Msg::Pull(PullEvent::Progress(p.clone())));
            }
        })
    }))
    .unwrap_or_else(|_| {
        Err(anyhow::anyhow!(
            "the background pull panicked (see the log)"
        ))
    });
    if let Err(e) = &res {
        tracing::warn!("background pull failed: {e:#}");
    }
    let verified = match (&res, &live) {
        (Ok(summary), Some(_)) => Some((summary.head.covered, summary.verify.clone())),
        _ => None,
    };
    let res = res.map_err(|e| format!("{e:#}"));
    if tx.send(Msg::Pull(PullEvent::Done(Box::new(res)))).is_err() {
        return false;
    }
    let (Some(live), Some((attested, report))) = (live, verified) else {
        return true;
    };
    let (alerts, error) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        live.after_pull(attested, &report)
    }))
    .unwrap_or_else(|_| {
        (
            Vec::new(),
            Some("evaluating the alert rules panicked (see the log)".into()),
        )
    });
    if let Some(e) = error {
        tracing::warn!("alert rules: {e}");
        if tx.send(Msg::Pull(PullEvent::AlertsFailed(e))).is_err() {
            return false;
        }
    }
    for a in &alerts {
        tracing::info!(rule = %a.rule, seq = ?a.seq, pos = ?a.pos, "alert");
    }
    alerts.is_empty() || tx.send(Msg::Pull(PullEvent::Alerts(alerts))).is_ok()
}

/// Opens the console and runs it until the user quits.
pub fn run(opts: OpenOptions) -> anyhow::Result<()> {
    let location = opts.store.location();
    let (tx, rx) = mpsc::sync_channel::<Msg>(QUEUE);
    let requests = start_worker(
        opts.home.clone(),
        location.clone(),
        opts.masker.clone(),
        tx.clone(),
    );
    // Bookmarks, journal entries and exports: a worker of their own, so a long export never
    // holds up the index worker's answers.
    let side = start_worker(
        opts.home.clone(),
        location.clone(),
        opts.masker.clone(),
        tx.clone(),
    );
    let configured = opts.sources.has_queries();
    let correlate = start_correlator(opts.sources.clone(), tx.clone());
    start_signals(tx.clone())?;
    // The guard first: a setup that fails halfway is undone too.
    let _guard = Guard;
    let mut term = terminal::enter().context("setting up the terminal")?;
    let size = term.size()?;
    let mut app = App::new(&location, &opts.query, (size.width, size.height));
    app.requested_window = (opts.from, opts.to);
    app.saved = opts.saved_queries.clone();
    app.alerts.bell = opts.bell;
    app.correlation = super::state::Correlation::new(configured, opts.around);
    if opts.background_pull {
        app.pull = PullStatus::Starting;
        app.live.on = opts.follow.is_some();
        start_pull(
            opts.store,
            opts.home.clone(),
            opts.pull,
            opts.follow.map(|every| (every, opts.saved_queries.clone())),
            tx.clone(),
        );
    }
    start_input(tx.clone());
    drop(tx);
    tracing::info!(store = %location, "console opened");
    let ctx = Ctx {
        theme: &opts.theme,
        keymap: &opts.keymap,
    };
    let mut effects = start(&mut app);
    let mut next_tick = Instant::now() + TICK;
    let mut bells = app.alerts.bells;
    loop {
        for e in effects.drain(..) {
            match e {
                Effect::Request(r) => {
                    let to = if r.is_side() { &side } else { &requests };
                    if to.send(*r).is_err() {
                        anyhow::bail!("the query worker stopped");
                    }
                }
                Effect::Correlate(r) => {
                    if correlate.send(*r).is_err() {
                        anyhow::bail!("the metrics and traces worker stopped");
                    }
                }
                Effect::Clipboard(text) => {
                    if let Err(e) = terminal::copy_to_clipboard(&text) {
                        tracing::warn!("OSC 52 write failed: {e}");
                    }
                }
            }
        }
        if app.alerts.bells != bells {
            // `update` asked for the bell (new alerts, `bell` on): one BEL however many.
            bells = app.alerts.bells;
            if let Err(e) = terminal::bell() {
                tracing::warn!("bell write failed: {e}");
            }
        }
        if app.quit {
            break;
        }
        // The layout follows the real size even if its Resize message is still queued.
        let size = term.size()?;
        if (size.width, size.height) != app.size {
            effects.extend(on_resize(&mut app, size.width, size.height));
        }
        term.draw(|f| view::draw(f, &app, &ctx))?;
        let wait = next_tick.saturating_duration_since(Instant::now());
        let first = match rx.recv_timeout(wait) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if Instant::now() >= next_tick {
            next_tick = Instant::now() + TICK;
            effects.extend(on_tick(&mut app));
        }
        let mut batch: Vec<Msg> = first.into_iter().collect();
        batch.extend(drain(&rx));
        for m in batch {
            effects.extend(handle(&mut app, &opts.keymap, m));
        }
    }
    tracing::info!("console closed");
    Ok(())
}

fn drain(rx: &Receiver<Msg>) -> Vec<Msg> {
    rx.try_iter().take(QUEUE).collect()
}

fn handle(app: &mut App, keymap: &Keymap, m: Msg) -> Vec<Effect> {
    match m {
        Msg::Input(Event::Key(k)) => on_key(app, keymap, k),
        Msg::Input(Event::Mouse(me)) => on_mouse(app, me),
        Msg::Input(Event::Resize(c, r)) => on_resize(app, c, r),
        Msg::Input(_) => Vec::new(),
        Msg::Worker(r) => on_response(app, r),
        Msg::Correlation(r) => on_correlation(app, r),
        Msg::Pull(p) => on_pull(app, p),
        Msg::Signal => {
            app.quit = true;
            Vec::new()
        }
    }
}
