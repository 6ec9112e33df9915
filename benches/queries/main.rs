//! `cargo bench --bench queries`: search, histogram and facets latency over an index that
//! `bench/run` pulled, in one process, for every query of `bench/queries.tsv`.
//!
//! For each query, in list order, the three requests run once ("first run": the first time
//! the process asks that question, on a freshly opened [`Workspace`]), then the whole list runs
//! again `TRAILSCOPE_BENCH_WARM_RUNS` times (default 5) and each request's median over those
//! runs is its "warm" time. p50, p99 (nearest rank) and max are taken over the queries.
//!
//! Set by `bench/run` (without them the bench skips itself, so a plain `cargo bench` passes):
//! - `TRAILSCOPE_BENCH_HOME`: the trailscope home the store was pulled into;
//! - `TRAILSCOPE_BENCH_STORE`: the store as given to `trailscope pull`;
//! - `TRAILSCOPE_BENCH_QUERIES`: the list (default `bench/queries.tsv`).
//!
//! Prints one JSON object on stdout; nothing is asserted.

mod latency;
mod list;

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use serde::Serialize;
use trailscope::query::{Order, Workspace, facets, histogram, search};
use trailscope::store::open_store;

use latency::{Summary, median, summarize, timed};
use list::Query;

/// Hits asked of every search (a screenful and a bit, as the console's table).
const LIMIT: usize = 50;
/// Buckets of every histogram.
const BUCKETS: usize = 60;
/// Values asked of every facets request.
const TOP: usize = 10;
/// The request kinds, in the order they run for each query.
const KINDS: [&str; 3] = ["search", "histogram", "facets"];

/// One query's figures.
#[derive(Serialize)]
struct PerQuery {
    line: usize,
    query: String,
    from: Option<String>,
    to: Option<String>,
    /// Events the search matched (its total), when it ran.
    total: Option<u64>,
    /// First-run milliseconds per kind.
    first_ms: BTreeMap<&'static str, f64>,
    /// Warm milliseconds (median of the warm runs) per kind.
    warm_ms: BTreeMap<&'static str, f64>,
    /// Errors per kind.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    errors: BTreeMap<&'static str, String>,
}

/// One kind's summaries.
#[derive(Serialize)]
struct KindFigures {
    first: Summary,
    warm: Summary,
    errors: usize,
}

/// Runs request `kind` for `q`; returns the number of events it matched.
fn run(ws: &Workspace, q: &Query, kind: &str) -> anyhow::Result<u64> {
    let f = q.filter()?;
    Ok(match kind {
        "search" => search(ws, &f, Order::NewestFirst, LIMIT, false)?.total,
        "histogram" => histogram(ws, &f, BUCKETS)?.total,
        _ => facets(ws, &q.facet, &f, TOP)?.total,
    })
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn main() -> anyhow::Result<()> {
    let (Some(home), Some(store)) = (
        env_path("TRAILSCOPE_BENCH_HOME"),
        std::env::var("TRAILSCOPE_BENCH_STORE").ok(),
    ) else {
        eprintln!(
            "queries bench: skipped (run by bench/run, which sets TRAILSCOPE_BENCH_HOME and TRAILSCOPE_BENCH_STORE)"
        );
        return Ok(());
    };
    let list = env_path("TRAILSCOPE_BENCH_QUERIES")
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench/queries.tsv"));
    let warm_runs: usize = match std::env::var("TRAILSCOPE_BENCH_WARM_RUNS") {
        Ok(v) => v
            .parse()
            .with_context(|| format!("TRAILSCOPE_BENCH_WARM_RUNS={v:?} is not a number"))?,
        Err(_) => 5,
    };
    let queries = list::read(&list)?;
    let location = open_store(&store)
        .with_context(|| format!("store {store}"))?
        .location();
    let (ws, open_ms) = timed(|| Workspace::open(&home, &location));
    let ws = ws.with_context(|| format!("opening the index of {location}"))?;

    let mut per: Vec<PerQuery> = queries
        .iter()
        .map(|q| PerQuery {
            line: q.line,
            query: q.query.clone(),
            from: q.from.clone(),
            to: q.to.clone(),
            total: None,
            first_ms: BTreeMap::new(),
            warm_ms: BTreeMap::new(),
            errors: BTreeMap::new(),
        })
        .collect();
    eprintln!("queries bench: first run of {} queries …", queries.len());
    for (q, p) in queries.iter().zip(per.iter_mut()) {
        for kind in KINDS {
            match timed(|| run(&ws, q, kind)) {
                (Ok(total), ms) => {
                    p.first_ms.insert(kind, ms);
                    if kind == "search" {
                        p.total = Some(total);
                    }
                }
                (Err(e), _) => {
                    p.errors.insert(kind, format!("{e:#}"));
                }
            }
        }
    }
    eprintln!("queries bench: {warm_runs} warm runs …");
    let mut warm: Vec<BTreeMap<&str, Vec<f64>>> = vec![BTreeMap::new(); queries.len()];
    for _ in 0..warm_runs {
        for (i, q) in queries.iter().enumerate() {
            for kind in KINDS.iter().filter(|k| !per[i].errors.contains_key(*k)) {
                if let (Ok(_), ms) = timed(|| run(&ws, q, kind)) {
                    warm[i].entry(kind).or_default().push(ms);
                }
            }
        }
    }
    for (p, w) in per.iter_mut().zip(&warm) {
        for (kind, ms) in w {
            let k = KINDS.iter().find(|k| *k == kind).expect("a known kind");
            p.warm_ms.insert(k, median(ms));
        }
    }
    let mut kinds = BTreeMap::new();
    for kind in KINDS {
        let first: Vec<f64> = per
            .iter()
            .filter_map(|p| p.first_ms.get(kind))
            .copied()
            .collect();
        let warm: Vec<f64> = per
            .iter()
            .filter_map(|p| p.warm_ms.get(kind))
            .copied()
            .collect();
        let errors = per.iter().filter(|p| p.errors.contains_key(kind)).count();
        kinds.insert(
            kind,
            KindFigures {
                first: summarize(&first),
                warm: summarize(&warm),
                errors,
            },
        );
    }
    let out = serde_json::json!({
        "location": location,
        "open_ms": open_ms,
        "queries": queries.len(),
        "warm_runs": warm_runs,
        "limit": LIMIT,
        "buckets": BUCKETS,
        "top": TOP,
        "kinds": kinds,
        "per_query": per,
    });
    println!("{out}");
    Ok(())
}
