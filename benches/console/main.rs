//! `cargo bench --bench console`: the console's frames, drawn headless on a `TestBackend`, over
//! an index of `TRAILSCOPE_BENCH_EVENTS` (default 1,000,000) events.
//!
//! 1. Setup, not timed into the figures ([`setup`]): the pull bench's seeded Kubernetes-audit
//!    store (`benches/pull/data.rs`), pulled with full text into a home, or the one kept by an
//!    earlier run with `TRAILSCOPE_BENCH_KEEP=1`.
//! 2. The first frame after open ([`session::first_frames`]), opened [`session::OPENS`] times
//!    per size: (a) the frame drawn at once, nothing loaded; (b) the worker answering reload,
//!    extent, histogram and rows; (c) the frame with histogram and table filled.
//! 3. Keystroke to frame ([`session::run`]): cursor moves, row moves, zoom, facets and new
//!    queries typed at the prompt; each timed as `on_key` plus `view::draw`, without waiting
//!    for the worker. The worker then answers (timed apart: the query latency) and the screen
//!    catches up before the next key.
//!
//! 4. The same session again with four metric lines shown under the histogram
//!    ([`metrics::show_four`]): the frame cost of the sparklines and their legend.
//!
//! Both at 160×48 and 80×24. Prints tables and writes `target/bench-console.json`. Nothing is
//! asserted: it is a measurement, not a test. `bench/README.md` explains the figures.

#[path = "../pull/data.rs"]
#[allow(dead_code)]
mod data;
mod driver;
mod machine;
mod metrics;
mod report;
mod session;
mod setup;
mod stats;

use trailscope::tui::keymap::Keymap;
use trailscope::tui::theme::Theme;

/// Events generated unless `TRAILSCOPE_BENCH_EVENTS` says otherwise.
const DEFAULT_EVENTS: u64 = 1_000_000;
/// Terminal sizes measured: a roomy one (with the side panel) and the classic one.
const SIZES: [(u16, u16); 2] = [(160, 48), (80, 24)];

fn events_wanted() -> u64 {
    match std::env::var("TRAILSCOPE_BENCH_EVENTS") {
        Ok(v) => v
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("TRAILSCOPE_BENCH_EVENTS={v:?} is not a number")),
        Err(_) => DEFAULT_EVENTS,
    }
}

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; a filter argument means another bench was asked for.
    if let Some(f) = std::env::args().skip(1).find(|a| !a.starts_with('-')) {
        eprintln!("console bench: skipped (filter {f:?} given)");
        return Ok(());
    }
    let n = events_wanted().max(1);
    let keep = std::env::var_os("TRAILSCOPE_BENCH_KEEP").is_some_and(|v| v == "1");
    let d = setup::prepare(n, keep)?;
    let theme = Theme::default();
    let keymap = Keymap::default();
    let queries = session::queries(&d.meta.actors);
    let script = session::script(&queries);

    let meter = machine::CpuMeter::start();
    let mut sizes = Vec::new();
    for size in SIZES {
        eprintln!(
            "{}×{}: opening the console {} times …",
            size.0,
            size.1,
            session::OPENS
        );
        let (first, mut console) =
            session::first_frames(&d.home, &d.location, size, &theme, &keymap);
        eprintln!("{}×{}: {} keystrokes …", size.0, size.1, script.len());
        let session = session::run(&mut console, &d.background_pull.0, &script);
        eprintln!("{}×{}: again with 4 metrics shown …", size.0, size.1);
        let (_, mut console) = session::first_frames(&d.home, &d.location, size, &theme, &keymap);
        metrics::show_four(&mut console.app);
        let with_metrics = session::run(&mut console, &d.background_pull.0, &script);
        sizes.push(report::AtSize {
            size,
            first,
            session,
            with_metrics,
        });
    }
    let cpu_use = meter.stop();
    if let Some(s) = sizes.iter().find(|s| s.size == (80, 24)) {
        eprintln!("the first frame with data at 80×24:\n{}", s.first.screen);
        eprintln!("the last frame of the session:\n{}", s.session.screen);
    }

    let r = report::Report {
        date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        cores: std::thread::available_parallelism().map_or(1, |c| c.get()),
        cpu: machine::cpu_model(),
        sizes,
        cpu_use,
    };
    r.print(&d);
    let out = report::json_path();
    r.write_json(&d, &out)?;
    println!("\nfigures written to {}", out.display());
    if keep {
        eprintln!("kept the store and index in {}", d.dir().display());
    }
    Ok(())
}
