//! Latency samples and their summary (p50, p99 by nearest rank, max), in milliseconds.

use std::time::Instant;

use serde::Serialize;

/// Summary of one set of samples.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Samples.
    pub n: usize,
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile, nearest rank (the max below 100 samples).
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

/// The summary of `ms` (any order).
pub fn summarize(ms: &[f64]) -> Summary {
    let mut v = ms.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = |p: f64| {
        let i = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len().max(1)) - 1;
        v.get(i).copied().unwrap_or(f64::NAN)
    };
    Summary {
        n: v.len(),
        p50_ms: rank(0.5),
        p99_ms: rank(0.99),
        max_ms: v.last().copied().unwrap_or(f64::NAN),
    }
}

/// The median of `ms` (any order).
pub fn median(ms: &[f64]) -> f64 {
    summarize(ms).p50_ms
}

/// Runs `f`, returning its value and its wall time in milliseconds.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed().as_secs_f64() * 1e3)
}
