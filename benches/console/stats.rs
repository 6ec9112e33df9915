//! Timings and their summary: median, 99th percentile (nearest rank) and max, in milliseconds.

use std::time::Duration;

use serde::Serialize;

/// The durations of one kind of thing, in milliseconds.
#[derive(Clone, Debug, Default)]
pub struct Samples {
    ms: Vec<f64>,
    /// What the slowest sample was doing, when the caller said.
    slowest: Option<(f64, String)>,
}

impl Samples {
    /// Adds one duration.
    pub fn push(&mut self, d: Duration) {
        self.ms.push(d.as_secs_f64() * 1e3);
    }

    /// Adds one duration and what it was; the slowest one's description is kept.
    pub fn push_described(&mut self, d: Duration, what: impl FnOnce() -> String) {
        let ms = d.as_secs_f64() * 1e3;
        if self.slowest.as_ref().is_none_or(|(m, _)| ms > *m) {
            self.slowest = Some((ms, what()));
        }
        self.ms.push(ms);
    }

    /// Adds every sample of `other`.
    pub fn extend(&mut self, other: &Samples) {
        self.ms.extend_from_slice(&other.ms);
        if let Some((ms, what)) = &other.slowest
            && self.slowest.as_ref().is_none_or(|(m, _)| ms > m)
        {
            self.slowest = Some((*ms, what.clone()));
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.ms.len()
    }

    /// The first sample (ms), if any.
    pub fn first(&self) -> Option<f64> {
        self.ms.first().copied()
    }

    /// Median, p99 and max.
    pub fn stat(&self) -> Stat {
        let mut ms = self.ms.clone();
        ms.sort_by(|a, b| a.total_cmp(b));
        let rank = |p: f64| {
            let i = ((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len().max(1)) - 1;
            ms.get(i).copied().unwrap_or(f64::NAN)
        };
        Stat {
            n: ms.len(),
            p50_ms: rank(0.50),
            p99_ms: rank(0.99),
            max_ms: ms.last().copied().unwrap_or(f64::NAN),
            mean_ms: ms.iter().sum::<f64>() / ms.len().max(1) as f64,
            slowest: self.slowest.as_ref().map(|(_, w)| w.clone()),
        }
    }
}

/// The summary of some [`Samples`].
#[derive(Clone, Debug, Serialize)]
pub struct Stat {
    /// Samples.
    pub n: usize,
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile, nearest rank (the max when there are fewer than 100 samples).
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// Mean.
    pub mean_ms: f64,
    /// What the slowest sample was (requests only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slowest: Option<String>,
}
