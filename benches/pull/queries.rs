//! Query latency over the pulled index: searches, histograms and facets as the console issues
//! them, each timed on its own.

use std::path::Path;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use trailscope::query::{Filter, Order, QueryError, Workspace, facets, histogram, search};

use crate::data::{Pools, SEED, SPAN_US, START_US};

/// Searches, histograms and facets run.
pub const SEARCHES: usize = 200;
/// Histograms run.
pub const HISTOGRAMS: usize = 50;
/// Facet requests run.
pub const FACETS: usize = 50;
/// Hits asked of every search (a screenful and a bit).
const LIMIT: usize = 50;
/// Buckets of every histogram.
const BUCKETS: usize = 60;

/// Latency figures of one kind of request, in milliseconds.
#[derive(Clone, Debug, Serialize)]
pub struct Latency {
    /// What was asked.
    pub kind: String,
    /// Requests timed.
    pub n: usize,
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile (nearest rank).
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// Mean number of events matched per request (a sanity check on the query mix).
    pub mean_matched: f64,
    /// Requests that failed (not timed), and the first error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<(usize, String)>,
}

/// Milliseconds of each successful request, and the failures.
#[derive(Clone, Default)]
struct Samples {
    ms: Vec<f64>,
    matched: Vec<u64>,
    errors: Vec<String>,
}

impl Samples {
    /// Times `f`; `total` says how many events a result matched.
    fn time<T>(&mut self, f: impl FnOnce() -> Result<T, QueryError>, total: impl Fn(&T) -> u64) {
        let t = Instant::now();
        match f() {
            Ok(v) => {
                let ms = t.elapsed().as_secs_f64() * 1e3;
                self.matched.push(total(&v));
                self.ms.push(ms);
            }
            Err(e) => self.errors.push(e.to_string()),
        }
    }

    fn latency(mut self, kind: &str) -> Latency {
        let ms = &mut self.ms;
        ms.sort_by(|a, b| a.total_cmp(b));
        let rank = |p: f64| {
            let i = ((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len().max(1)) - 1;
            ms.get(i).copied().unwrap_or(f64::NAN)
        };
        Latency {
            kind: kind.to_string(),
            n: ms.len(),
            p50_ms: rank(0.50),
            p99_ms: rank(0.99),
            max_ms: ms.last().copied().unwrap_or(f64::NAN),
            mean_matched: self.matched.iter().sum::<u64>() as f64
                / self.matched.len().max(1) as f64,
            error: self.errors.first().map(|e| (self.errors.len(), e.clone())),
        }
    }
}

/// A random window of 5, 30 or 60 minutes inside the data's time span.
fn window(rng: &mut ChaCha8Rng) -> (i64, i64) {
    let len_us = [5, 30, 60][rng.gen_range(0..3)] * 60 * 1_000_000i64;
    let from_us = START_US + rng.gen_range(0..SPAN_US - len_us);
    (from_us * 1000, (from_us + len_us) * 1000)
}

fn filter(query: &str, w: Option<(i64, i64)>) -> Filter {
    Filter {
        query: query.to_string(),
        from: w.map(|w| w.0),
        to: w.map(|w| w.1),
    }
}

/// Runs the query mix against the index of `location` under `home`; returns one figure per
/// search shape, all searches together, histograms and facets.
pub fn run(home: &Path, location: &str, pools: &Pools) -> anyhow::Result<Vec<Latency>> {
    let ws = Workspace::open(home, location)?;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ 0x51);
    // Actors to look for: frequent, middling and rare ones.
    let actors: Vec<String> = [0usize, 3, 10, 60, 150, 250, 299]
        .iter()
        .map(|&i| format!("actor:\"{}\"", pools.actors[i]))
        .collect();
    // Warm-up (opens the fast-field columns once); not timed.
    search(&ws, &filter("*", None), Order::NewestFirst, LIMIT, false)?;

    let shapes = [
        "search * newest",
        "search actor:…",
        "search denied AND delete",
        "search NOT success oldest",
    ];
    let mut by_shape: Vec<Samples> = vec![Samples::default(); shapes.len()];
    for i in 0..SEARCHES {
        let shape = i % shapes.len();
        let w = ((i / shapes.len()) % 2 == 1).then(|| window(&mut rng));
        let (query, order) = match shape {
            0 => ("*".to_string(), Order::NewestFirst),
            1 => (
                actors[rng.gen_range(0..actors.len())].clone(),
                Order::NewestFirst,
            ),
            2 => (
                "outcome:denied AND action:delete".into(),
                Order::NewestFirst,
            ),
            _ => ("NOT outcome:success".into(), Order::OldestFirst),
        };
        let f = filter(&query, w);
        by_shape[shape].time(|| search(&ws, &f, order, LIMIT, false), |r| r.total);
    }
    let all = Samples {
        ms: by_shape.iter().flat_map(|s| s.ms.clone()).collect(),
        matched: by_shape.iter().flat_map(|s| s.matched.clone()).collect(),
        errors: by_shape.iter().flat_map(|s| s.errors.clone()).collect(),
    };
    let mut out: Vec<Latency> = shapes
        .iter()
        .zip(by_shape)
        .map(|(name, s)| s.latency(name))
        .collect();
    out.push(all.latency("search (all)"));

    let mut ms = Samples::default();
    for i in 0..HISTOGRAMS {
        let query = if i % 2 == 0 { "*" } else { "outcome:denied" };
        let w = (i % 4 >= 2).then(|| window(&mut rng));
        let f = filter(query, w);
        ms.time(|| histogram(&ws, &f, BUCKETS), |h| h.total);
    }
    out.push(ms.latency("histogram 60 buckets"));

    let mut ms = Samples::default();
    for i in 0..FACETS {
        let w = (i % 2 == 1).then(|| window(&mut rng));
        let f = filter("*", w);
        ms.time(|| facets(&ws, "actor", &f, 10), |x| x.total);
    }
    out.push(ms.latency("facets actor top 10"));
    Ok(out)
}

/// One query whose total is known from the generated data.
#[derive(Clone, Debug, Serialize)]
pub struct Sanity {
    /// The query text (no time window).
    pub query: String,
    /// Events it should match.
    pub expected: u64,
    /// What the search said: the total, or the error.
    pub got: Result<u64, String>,
}

impl Sanity {
    /// Whether the search matched what it should.
    pub fn ok(&self) -> bool {
        self.got.as_ref().is_ok_and(|&g| g == self.expected)
    }
}

/// Runs each `(query, expected total)` once over everything and reports what matched.
pub fn sanity(home: &Path, location: &str, cases: &[(String, u64)]) -> anyhow::Result<Vec<Sanity>> {
    let ws = Workspace::open(home, location)?;
    Ok(cases
        .iter()
        .map(|(q, expected)| Sanity {
            query: q.clone(),
            expected: *expected,
            got: search(&ws, &filter(q, None), Order::NewestFirst, 1, false)
                .map(|r| r.total)
                .map_err(|e| e.to_string()),
        })
        .collect())
}
