//! The data the console opens: the pull bench's generated store, pulled into a home (full
//! text included, as `trailscope open` pulls). None of this is part of the figures.
//!
//! With `TRAILSCOPE_BENCH_KEEP=1` the store and home live under
//! `target/bench-console-data/N-events/` and the next run with the same setting and the same
//! N reuses them (a `meta.json` written after the pull marks them complete). Otherwise they
//! are in a temporary directory, removed at the end.
//!
//! With `TRAILSCOPE_BENCH_DATA=DIR` (set by `bench/run`) the same layout in DIR is used as it
//! is (`store/`, `home/` pulled with full text, and `meta.json`): nothing is generated, pulled
//! first or removed, and a missing or mismatched `meta.json` is an error.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tempfile::TempDir;
use trailscope::pull::{PullOptions, PullSummary, Timings, pull};
use trailscope::segment::keys::parse_verifier;
use trailscope::store::{DirStore, Store};

use crate::data;

/// What a kept dataset remembers about itself.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Meta {
    /// Events generated.
    pub events: u64,
    /// Actor names the queries look for: a frequent, a middling and a rare one.
    pub actors: Vec<String>,
    /// The checkpoint verifier key.
    pub pubkey: String,
    /// Seconds to generate and seal, when it was done.
    pub generate_s: f64,
    /// The first pull, seconds: total, structured index, full-text pass.
    pub pull_s: PullSeconds,
}

/// The first pull's times, seconds.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct PullSeconds {
    /// Everything.
    pub total: f64,
    /// Structured indexing until its commit.
    pub structured: f64,
    /// The full-text pass.
    pub fulltext: f64,
}

impl From<&Timings> for PullSeconds {
    fn from(t: &Timings) -> PullSeconds {
        PullSeconds {
            total: t.total_s,
            structured: t.index_s,
            fulltext: t.fulltext_s,
        }
    }
}

/// A store pulled into a home, ready to open.
pub struct Dataset {
    /// The trailscope home holding the index.
    pub home: PathBuf,
    /// The store's location, as the console names it.
    pub location: String,
    /// About the data.
    pub meta: Meta,
    /// Where it was reused from, if it was.
    pub reused: Option<PathBuf>,
    /// The up-to-date pull `open` starts in the background: its summary and seconds.
    pub background_pull: (PullSummary, f64),
    store_dir: PathBuf,
    /// Keeps a temporary directory alive.
    _tmp: Option<TempDir>,
}

impl Dataset {
    /// Where the data is (printed when kept).
    pub fn dir(&self) -> &Path {
        self.store_dir.parent().unwrap_or(&self.store_dir)
    }
}

/// `target/` (under `CARGO_TARGET_DIR` when set).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The store and pulled home for `n` events: reused when kept from an earlier run, else made.
pub fn prepare(n: u64, keep: bool) -> anyhow::Result<Dataset> {
    if let Some(dir) = std::env::var_os("TRAILSCOPE_BENCH_DATA").filter(|d| !d.is_empty()) {
        return given(PathBuf::from(dir), n);
    }
    let (dir, tmp) = if keep {
        let d = target_dir()
            .join("bench-console-data")
            .join(format!("{n}-events"));
        (d, None)
    } else {
        let t = tempfile::tempdir()?;
        (t.path().to_path_buf(), Some(t))
    };
    let store_dir = dir.join("store");
    let home = dir.join("home");
    let meta_path = dir.join("meta.json");
    let kept: Option<Meta> = std::fs::read(&meta_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|m: &Meta| m.events == n);
    let reused = kept.is_some().then(|| dir.clone());
    let meta = match kept {
        Some(m) => {
            eprintln!("reusing the store and index kept in {}", dir.display());
            m
        }
        None => {
            if dir.exists() && tmp.is_none() {
                std::fs::remove_dir_all(&dir)?;
            }
            std::fs::create_dir_all(&dir)?;
            let m = make(&store_dir, &home, n)?;
            std::fs::write(&meta_path, serde_json::to_vec_pretty(&m)?)?;
            m
        }
    };
    finish(store_dir, home, meta, reused, tmp)
}

/// The dataset `bench/run` made in `dir`, used as it is.
fn given(dir: PathBuf, n: u64) -> anyhow::Result<Dataset> {
    let meta_path = dir.join("meta.json");
    let bytes = std::fs::read(&meta_path)
        .with_context(|| format!("TRAILSCOPE_BENCH_DATA: reading {}", meta_path.display()))?;
    let meta: Meta = serde_json::from_slice(&bytes)
        .with_context(|| format!("TRAILSCOPE_BENCH_DATA: parsing {}", meta_path.display()))?;
    if meta.events != n {
        anyhow::bail!(
            "TRAILSCOPE_BENCH_DATA: {} says {} events, TRAILSCOPE_BENCH_EVENTS asks for {n}",
            meta_path.display(),
            meta.events
        );
    }
    eprintln!("using the store and index given in {}", dir.display());
    let (store_dir, home) = (dir.join("store"), dir.join("home"));
    finish(store_dir, home, meta, Some(dir), None)
}

/// The background pull `open` starts, on the prepared data.
fn finish(
    store_dir: PathBuf,
    home: PathBuf,
    meta: Meta,
    reused: Option<PathBuf>,
    tmp: Option<TempDir>,
) -> anyhow::Result<Dataset> {
    let store = DirStore::new(&store_dir);
    eprintln!("the background pull `open` starts (up to date) …");
    let opts = PullOptions {
        pubkey: Some(parse_verifier(&meta.pubkey)?),
        fulltext: true,
        ..Default::default()
    };
    let t = Instant::now();
    let summary = pull(&store, &home, &opts, &mut |_| {})?;
    let background_pull = (summary, t.elapsed().as_secs_f64());
    Ok(Dataset {
        home,
        location: store.location(),
        meta,
        reused,
        background_pull,
        store_dir,
        _tmp: tmp,
    })
}

/// Generates and seals `n` events into `store_dir` and pulls them into `home`.
fn make(store_dir: &Path, home: &Path, n: u64) -> anyhow::Result<Meta> {
    eprintln!("generating and sealing {n} events …");
    let g = data::build_store(store_dir, n)?;
    eprintln!("  {:.1} s", g.seconds);
    let actors: Vec<String> = [0usize, 10, 250]
        .iter()
        .map(|&i| g.pools.actors[i].clone())
        .collect();
    let pubkey = g.key.public.clone();
    let generate_s = g.seconds;
    drop(g);
    eprintln!("pulling them (full text included) …");
    let opts = PullOptions {
        pubkey: Some(parse_verifier(&pubkey)?),
        fulltext: true,
        ..Default::default()
    };
    let s = pull(&DirStore::new(store_dir), home, &opts, &mut |_| {})?;
    eprintln!(
        "  {} events in {:.1} s (structured {:.1} s, full text {:.1} s)",
        s.indexed_events, s.timings.total_s, s.timings.index_s, s.timings.fulltext_s
    );
    if !s.is_intact() {
        anyhow::bail!("the generated store did not verify: {:?}", s.verify);
    }
    Ok(Meta {
        events: n,
        actors,
        pubkey,
        generate_s,
        pull_s: PullSeconds::from(&s.timings),
    })
}
