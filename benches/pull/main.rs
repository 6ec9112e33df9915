//! `cargo bench --bench pull`: the whole way from a sealed store to a searchable index, next to
//! baselines measured on the same bytes in the same run.
//!
//! 1. Generates `TRAILSCOPE_BENCH_EVENTS` (default 1,000,000) Kubernetes-audit-like events from
//!    a seeded RNG and seals them into a temporary directory store ([`data`]).
//! 2. Baselines ([`baseline`]): `openssl dgst -sha256` over the segment files (the hashing
//!    floor), reading them, `check_segment` on one thread, and Tantivy indexing the same
//!    events' fields given in memory ("Tantivy alone").
//! 3. `pull` from the directory store, full text included, into a fresh home.
//! 4. `pull` from the same directory served over HTTP ([`server`]), structured index only.
//! 5. Query latency over the index pulled in 3 ([`queries`]), and a few match totals checked
//!    against the generated data.
//!
//! `TRAILSCOPE_BENCH_KEEP=1` keeps the temporary store and homes (their path is printed).
//! Prints a table and writes the figures to `target/bench-pull.json`. Nothing is asserted: it
//! is a measurement, not a test. `bench/README.md` explains the figures.

mod baseline;
mod data;
mod queries;
mod report;
mod server;

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use trailscope::pull::{PullOptions, Timings, pull};
use trailscope::segment::keys::parse_verifier;
use trailscope::store::{DirStore, Store, open_store};

/// Events generated unless `TRAILSCOPE_BENCH_EVENTS` says otherwise.
const DEFAULT_EVENTS: u64 = 1_000_000;

/// One pull's figures.
#[derive(Clone, Debug, Serialize)]
pub struct PullFigures {
    /// Store location pulled.
    pub store: String,
    /// Whether the full-text pass ran.
    pub fulltext: bool,
    /// Events indexed.
    pub events: u64,
    /// Segment bytes fetched.
    pub bytes: u64,
    /// Whether the chain verified.
    pub intact: bool,
    /// Events per second over the whole pull.
    pub events_per_s: f64,
    /// MB (10^6 bytes) per second over the whole pull.
    pub mb_per_s: f64,
    /// Seconds from start until the structured index was committed.
    pub structured_ready_s: f64,
    /// Events per second until then.
    pub structured_events_per_s: f64,
    /// Segment bytes checked per second of summed check time (wall time of each check, so it
    /// counts time a worker waited for a core).
    pub check_mb_per_cpu_s: f64,
    /// CPU seconds the whole process used during the pull (user + system, every thread), when
    /// `/proc/self/stat` is readable.
    pub process_cpu_s: Option<f64>,
    /// CPU seconds other processes used meanwhile (a shared machine skews every figure).
    pub others_cpu_s: Option<f64>,
    /// The pull's own timings.
    pub timings: Timings,
}

fn measure_pull(store: &dyn Store, home: &Path, opts: &PullOptions) -> anyhow::Result<PullFigures> {
    let started = Instant::now();
    let (cpu_before, busy_before) = (process_cpu_s(), machine_busy_s());
    let s = pull(store, home, opts, &mut |_| {})?;
    let wall = started.elapsed().as_secs_f64();
    let process_cpu_s = cpu_before.zip(process_cpu_s()).map(|(a, b)| b - a);
    let busy = busy_before.zip(machine_busy_s()).map(|(a, b)| b - a);
    let others_cpu_s = busy.zip(process_cpu_s).map(|(b, p)| (b - p).max(0.0));
    let total = s.timings.total_s.max(wall);
    let ready = if s.events_per_s > 0.0 {
        s.indexed_events as f64 / s.events_per_s
    } else {
        0.0
    };
    Ok(PullFigures {
        store: s.store.clone(),
        fulltext: opts.fulltext,
        events: s.indexed_events,
        bytes: s.fetched_bytes,
        intact: s.is_intact(),
        events_per_s: s.indexed_events as f64 / total,
        mb_per_s: s.fetched_bytes as f64 / 1e6 / total,
        structured_ready_s: ready,
        structured_events_per_s: s.events_per_s,
        check_mb_per_cpu_s: s.fetched_bytes as f64 / 1e6 / s.timings.check_cpu_s.max(1e-9),
        process_cpu_s,
        others_cpu_s,
        timings: s.timings,
    })
}

/// User plus system CPU seconds of this process so far (Linux; `None` elsewhere). Assumes the
/// usual 100 clock ticks per second.
fn process_cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// Busy (not idle, not waiting for I/O) CPU seconds of the whole machine so far, from
/// `/proc/stat` (Linux; 100 ticks per second assumed).
fn machine_busy_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .map(|t| t.parse().unwrap_or(0))
        .collect();
    let total: u64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3)? + ticks.get(4)?;
    Some((total - idle) as f64 / 100.0)
}

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
        eprintln!("pull bench: skipped (filter {f:?} given)");
        return Ok(());
    }
    let n = events_wanted().max(1);
    let tmp = tempfile::tempdir()?;
    let keep = std::env::var_os("TRAILSCOPE_BENCH_KEEP").is_some_and(|v| v == "1");
    let store_dir = tmp.path().join("store");
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let mut r = report::Report::new(n, cores);

    eprintln!("generating and sealing {n} events …");
    let generated = data::build_store(&store_dir, n)?;
    let files = baseline::segment_files(&store_dir);
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    r.data(&generated, files.len(), bytes);
    if let Some(line) = std::fs::read(&files[0])?.split(|b| *b == b'\n').nth(1) {
        eprintln!("  a record: {}", String::from_utf8_lossy(line));
    }

    eprintln!("baselines …");
    r.openssl(baseline::openssl_sha256(&files));
    r.read(baseline::read_all(&files));
    r.check(baseline::check_one_thread(&files));
    let tantivy_dir = tmp.path().join("tantivy-alone");
    std::fs::create_dir(&tantivy_dir)?;
    let (cpu_before, busy_before) = (process_cpu_s(), machine_busy_s());
    let secs = baseline::tantivy_alone(&tantivy_dir, &generated.pools, &generated.events)?;
    let own = cpu_before.zip(process_cpu_s()).map(|(a, b)| b - a);
    let busy = busy_before.zip(machine_busy_s()).map(|(a, b)| b - a);
    r.tantivy(secs, busy.zip(own).map(|(b, p)| (b - p).max(0.0)));
    std::fs::remove_dir_all(&tantivy_dir)?;
    r.lnav(baseline::lnav_note());

    eprintln!("pull from the directory store (full text included) …");
    let pubkey = Some(parse_verifier(&generated.key.public)?);
    let opts = PullOptions {
        pubkey: pubkey.clone(),
        fulltext: true,
        ..Default::default()
    };
    let dir_store = DirStore::new(&store_dir);
    let home = tmp.path().join("home-dir");
    let dir_pull = measure_pull(&dir_store, &home, &opts)?;
    r.pull_dir(&dir_pull);

    eprintln!("pull over HTTP (structured index only) …");
    r.pull_http(pull_http(&store_dir, tmp.path(), &opts));

    eprintln!("queries …");
    let location = dir_store.location();
    let latencies = queries::run(&home, &location, &generated.pools)?;
    r.queries(&latencies);
    r.sanity(queries::sanity(
        &home,
        &location,
        &expected_totals(&generated),
    )?);
    drop(generated);

    r.print();
    let out = report::json_path();
    r.write_json(&out)?;
    println!("\nfigures written to {}", out.display());
    if keep {
        eprintln!("kept the store and homes in {}", tmp.keep().display());
    }
    Ok(())
}

/// Queries whose totals the generated data answers, including the spellings of "not success"
/// users will try.
fn expected_totals(g: &data::Generated) -> Vec<(String, u64)> {
    let count = |f: &dyn Fn(&data::Extracted) -> bool| g.events.iter().filter(|e| f(e)).count();
    let not_success = count(&|e| e.outcome != "success") as u64;
    let denied_delete = count(&|e| e.outcome == "denied" && e.action() == "delete") as u64;
    let actor = &g.pools.actors[10];
    vec![
        ("*".into(), g.events.len() as u64),
        (
            format!("actor:\"{actor}\""),
            count(&|e| e.actor(&g.pools) == actor) as u64,
        ),
        ("outcome:denied AND action:delete".into(), denied_delete),
        ("* -outcome:success".into(), not_success),
        ("NOT outcome:success".into(), not_success),
        ("* AND NOT outcome:success".into(), not_success),
        ("action:delete AND NOT outcome:success".into(), {
            count(&|e| e.action() == "delete" && e.outcome != "success") as u64
        }),
    ]
}

/// The HTTP pull's figures and the server used, or why there are none.
fn pull_http(
    store_dir: &Path,
    tmp: &Path,
    opts: &PullOptions,
) -> Result<(PullFigures, &'static str), String> {
    let server = server::start(store_dir).map_err(|e| format!("no HTTP server: {e:#}"))?;
    eprintln!("  serving with {} at {}", server.kind, server.url);
    if server.kind.starts_with("python") {
        eprintln!(
            "  (python's server listens with a backlog of 5: the pull's 8 parallel connections \
             overflow it, and each dropped SYN costs a 1 s retransmit in trust and fetch)"
        );
    }
    let store = match open_store(&server.url) {
        Ok(s) => s,
        Err(e) => {
            println!("http: skipped (not supported by this build): {e}");
            return Err(format!("not supported by this build: {e}"));
        }
    };
    let opts = PullOptions {
        fulltext: false,
        ..opts.clone()
    };
    let figures = measure_pull(store.as_ref(), &tmp.join("home-http"), &opts)
        .map_err(|e| format!("pull failed ({}): {e:#}", server.kind));
    let kind = server.kind;
    drop(server);
    figures.map(|f| (f, kind))
}
