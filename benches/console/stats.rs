//! Timings and their summary: median, 99th percentile (nearest rank) and max, in milliseconds.
//!
//! Every timing is taken twice: wall clock (the figure the targets are about) and wall clock
//! less the time the thread spent runnable but waiting for a core: the kernel's run delay, the
//! second field of `/proc/thread-self/schedstat` (ns, brought up to date each time the thread
//! gets a core back). On a shared machine the two differ by the time other processes held the
//! cores: the second says what the code costs, the first what a user there would have seen.
//! (The first field, time run, would measure that directly, but for a running thread the kernel
//! updates it only at a scheduler tick, every few ms.)

use std::ops::Add;
use std::time::{Duration, Instant};

use serde::Serialize;

/// How long this thread has waited for a core, in total (Linux with scheduler statistics;
/// `None` elsewhere).
fn run_delay() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().nth(1)?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// One timing: wall clock, and wall clock less the time spent waiting for a core.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timed {
    /// Wall clock.
    pub wall: Duration,
    /// Wall clock less the time the thread waited for a core, when known.
    pub on_core: Option<Duration>,
}

impl Add for Timed {
    type Output = Timed;
    fn add(self, o: Timed) -> Timed {
        Timed {
            wall: self.wall + o.wall,
            on_core: self.on_core.zip(o.on_core).map(|(a, b)| a + b),
        }
    }
}

/// Measures a [`Timed`] from [`Stopwatch::start`] to [`Stopwatch::stop`].
pub struct Stopwatch {
    delay: Option<Duration>,
    wall: Instant,
}

impl Stopwatch {
    /// Starts.
    pub fn start() -> Stopwatch {
        // The delay first, so reading it is not inside the wall interval.
        let delay = run_delay();
        Stopwatch {
            delay,
            wall: Instant::now(),
        }
    }

    /// The time since the start.
    pub fn stop(&self) -> Timed {
        let wall = self.wall.elapsed();
        let waited = self
            .delay
            .zip(run_delay())
            .map(|(a, b)| b.saturating_sub(a));
        Timed {
            wall,
            on_core: waited.map(|w| wall.saturating_sub(w)),
        }
    }
}

/// The timings of one kind of thing, in milliseconds.
#[derive(Clone, Debug, Default)]
pub struct Samples {
    ms: Vec<f64>,
    core_ms: Vec<f64>,
    /// What the slowest sample was doing, when the caller said.
    slowest: Option<(f64, String)>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

impl Samples {
    /// Adds one timing.
    pub fn push(&mut self, t: Timed) {
        self.ms.push(ms(t.wall));
        if let Some(c) = t.on_core {
            self.core_ms.push(ms(c));
        }
    }

    /// Adds one timing and what it was; the slowest one's description is kept.
    pub fn push_described(&mut self, t: Timed, what: impl FnOnce() -> String) {
        let m = ms(t.wall);
        if self.slowest.as_ref().is_none_or(|(s, _)| m > *s) {
            self.slowest = Some((m, what()));
        }
        self.push(t);
    }

    /// Adds every sample of `other`.
    pub fn extend(&mut self, other: &Samples) {
        self.ms.extend_from_slice(&other.ms);
        self.core_ms.extend_from_slice(&other.core_ms);
        if let Some((m, what)) = &other.slowest
            && self.slowest.as_ref().is_none_or(|(s, _)| m > s)
        {
            self.slowest = Some((*m, what.clone()));
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.ms.len()
    }

    /// The first sample (wall, ms), if any.
    pub fn first(&self) -> Option<f64> {
        self.ms.first().copied()
    }

    /// Median, p99 and max.
    pub fn stat(&self) -> Stat {
        let wall = Quantiles::of(&self.ms);
        // Only when every sample has it.
        let on_core = (self.core_ms.len() == self.ms.len() && !self.ms.is_empty())
            .then(|| Quantiles::of(&self.core_ms));
        Stat {
            n: self.ms.len(),
            p50_ms: wall.p50,
            p99_ms: wall.p99,
            max_ms: wall.max,
            mean_ms: wall.mean,
            on_core,
            slowest: self.slowest.as_ref().map(|(_, w)| w.clone()),
        }
    }
}

/// Median, p99 (nearest rank), max and mean of some milliseconds.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Quantiles {
    /// Median.
    pub p50: f64,
    /// 99th percentile, nearest rank (the max when there are fewer than 100 samples).
    pub p99: f64,
    /// Largest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

impl Quantiles {
    fn of(xs: &[f64]) -> Quantiles {
        let mut v = xs.to_vec();
        v.sort_by(|a, b| a.total_cmp(b));
        let rank = |p: f64| {
            let i = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len().max(1)) - 1;
            v.get(i).copied().unwrap_or(f64::NAN)
        };
        Quantiles {
            p50: rank(0.50),
            p99: rank(0.99),
            max: v.last().copied().unwrap_or(f64::NAN),
            mean: v.iter().sum::<f64>() / v.len().max(1) as f64,
        }
    }
}

/// The summary of some [`Samples`].
#[derive(Clone, Debug, Serialize)]
pub struct Stat {
    /// Samples.
    pub n: usize,
    /// Median, wall clock.
    pub p50_ms: f64,
    /// 99th percentile (nearest rank; the max when there are fewer than 100 samples).
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// Mean.
    pub mean_ms: f64,
    /// The same of the wall time less the time the thread waited for a core (ms), when the
    /// kernel reports it.
    pub on_core: Option<Quantiles>,
    /// What the slowest sample was (requests only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slowest: Option<String>,
}
