//! The metrics of `payments` next to the audit log: `metrics/*.json`, each a Prometheus
//! `/api/v1/query_range` response (one series, a sample every 15 s over the timeline) with a
//! `trailscope` object naming the series' label and unit for the console.
//!
//! Each series is a function of [`Phase`] (the same phases that drive the charges in the audit
//! log), averaged over the 30 s before each sample like a `rate(…[30s])`, plus a small bounded
//! noise. Only integers are computed (values in thousandths), so every platform writes the same
//! bytes. The error rate is the clearest signal: about 0.2 % with noise well inside five scaled
//! median absolute deviations, and tens of percent from the first sample after the config change.

use serde_json::{Value, json};

use super::background::{END, START};
use super::health::{self, Phase, WARMING};
use super::rng::{Gen, MIN, Micros, SEC, hms};
use super::story::RESTORED;

/// Time between samples (the scrape and evaluation interval).
pub(crate) const STEP: Micros = 15 * SEC;
/// Each sample averages the instantaneous value over this long before it.
const WINDOW: Micros = 30 * SEC;
/// CPU samples lost while the pods crash-loop (cAdvisor dropped the short-lived containers).
pub(crate) const CPU_GAP: [Micros; 2] = [hms(1, 53, 0), hms(1, 53, 15)];

/// One metric file.
struct Series {
    /// File name under `metrics/`.
    file: &'static str,
    /// The recording rule's name.
    name: &'static str,
    /// What the console calls it.
    label: &'static str,
    /// Its unit.
    unit: &'static str,
    /// Seed of its noise.
    seed: u64,
    /// Instantaneous value at a time, in thousandths of the unit (`None`: no series then).
    value: fn(Micros) -> Option<i64>,
    /// Bound of the noise added to a sample at a time, in thousandths.
    noise: fn(Phase) -> i64,
    /// Samples missing although the series exists.
    lost: &'static [Micros],
}

const SERIES: [Series; 4] = [
    Series {
        file: "request_rate.json",
        name: "service:http_requests:rate30s",
        label: "request rate",
        unit: "req/s",
        seed: 303,
        value: request_rate,
        lost: &[],
        noise: |p| if p == Phase::Gone { 150 } else { 1_500 },
    },
    Series {
        file: "error_rate.json",
        name: "service:http_requests_5xx:percent30s",
        label: "error rate",
        unit: "%",
        seed: 304,
        value: error_rate,
        lost: &[],
        noise: |p| match p {
            Phase::Normal | Phase::Idle => 60,
            Phase::Warming => 150,
            Phase::Gone => 0,
            _ => 2_500,
        },
    },
    Series {
        file: "p99_latency.json",
        name: "service:http_request_duration_ms:p99_30s",
        label: "p99 latency",
        unit: "ms",
        seed: 305,
        value: p99_latency,
        lost: &[],
        noise: |p| match p {
            Phase::Normal => 8_000,
            Phase::Gone => 500,
            _ => 40_000,
        },
    },
    Series {
        file: "cpu.json",
        name: "service:container_cpu_usage:percent_of_request",
        label: "cpu",
        unit: "%",
        seed: 306,
        value: cpu,
        lost: &CPU_GAP,
        noise: |p| if p == Phase::Normal { 1_500 } else { 4_000 },
    },
];

/// The metric files: (file name under `metrics/`, contents).
pub(crate) fn files() -> Vec<(&'static str, Vec<u8>)> {
    SERIES
        .iter()
        .map(|s| {
            let mut bytes = serde_json::to_vec(&query_range(s)).expect("JSON values serialise");
            bytes.push(b'\n');
            (s.file, bytes)
        })
        .collect()
}

/// Sample times of every series (before gaps).
pub(crate) fn sample_times() -> impl Iterator<Item = Micros> {
    (0..(END - START) / STEP).map(|k| START + k * STEP)
}

/// The samples of one series: (time, thousandths).
fn samples(s: &Series) -> Vec<(Micros, i64)> {
    let mut g = Gen::new(s.seed);
    let mut out = Vec::new();
    for t in sample_times() {
        let bound = (s.noise)(health::phase(t));
        let noise = (0..3).map(|_| g.between(-bound, bound + 1)).sum::<i64>() / 3;
        if (s.value)(t).is_none() || s.lost.contains(&t) {
            continue;
        }
        let window: Vec<i64> = (0..WINDOW / SEC)
            .filter_map(|i| (s.value)(t - i * SEC))
            .collect();
        let mean = window.iter().sum::<i64>() / window.len() as i64;
        let v = (mean + noise).max(0);
        let v = if s.unit == "%" { v.min(100_000) } else { v };
        out.push((t, v));
    }
    out
}

/// A Prometheus `query_range` response holding `s`.
fn query_range(s: &Series) -> Value {
    let values: Vec<Value> = samples(s)
        .into_iter()
        .map(|(t, v)| json!([t / SEC, format!("{}.{:03}", v / 1000, v % 1000)]))
        .collect();
    json!({
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [{
                "metric": {
                    "__name__": s.name,
                    "cluster": "prod-eu",
                    "namespace": "prod",
                    "service": "payments",
                },
                "values": values,
            }],
        },
        "trailscope": {"label": s.label, "unit": s.unit},
    })
}

/// A slow wave in thousandths (−1000..=1000) of period `period`, shifted by `shift`: a
/// parabolic sine, in integers.
fn wave(t: Micros, period: Micros, shift: Micros) -> i64 {
    let x = (t + shift).rem_euclid(period) * 1_000_000 / period;
    let half = |x: i64| 8 * x * (1_000_000 - 2 * x) / 1_000_000_000;
    if x < 500_000 {
        half(x)
    } else {
        -half(x - 500_000)
    }
}

/// Traffic relative to its mean, in thousandths: the night's slow swell and ebb.
fn load(t: Micros) -> i64 {
    1000 + 60 * wave(t, 97 * MIN, 0) / 1000 + 25 * wave(t, 23 * MIN, 7 * MIN) / 1000
}

/// Goes from `from` to `to` (thousandths) over the span `span`, at `t`.
fn fade(t: Micros, span: (Micros, Micros), from: i64, to: i64) -> i64 {
    from + (to - from) * health::progress(t, span.0, span.1) / 1000
}

fn warming() -> (Micros, Micros) {
    (RESTORED, RESTORED + WARMING)
}

fn request_rate(t: Micros) -> Option<i64> {
    let base = 40_000 * load(t) / 1000;
    Some(match health::phase(t) {
        Phase::Normal => base,
        // Shoppers and checkout retry.
        Phase::BadConfig | Phase::CrashLoop => base * 13 / 10,
        Phase::Recovering => base * fade(t, health::recovering(), 1300, 1000) / 1000,
        // Only the payment provider's webhooks still arrive.
        Phase::Gone | Phase::Idle => 2_000,
        Phase::Warming => base * fade(t, warming(), 1350, 1000) / 1000,
    })
}

fn error_rate(t: Micros) -> Option<i64> {
    Some(match health::phase(t) {
        Phase::Normal => 200,
        Phase::BadConfig => 45_000,
        Phase::CrashLoop => 50_000 + 6_000 * wave(t, 3 * MIN, 0) / 1000,
        Phase::Recovering => fade(t, health::recovering(), 50_000, 200),
        Phase::Gone => 100_000,
        Phase::Idle => 300,
        Phase::Warming => fade(t, warming(), 1_500, 200),
    })
}

fn p99_latency(t: Micros) -> Option<i64> {
    let base = 120_000 * load(t) / 1000;
    Some(match health::phase(t) {
        Phase::Normal => base,
        Phase::BadConfig => 180_000,
        // Requests wait for the 2 s timeout.
        Phase::CrashLoop => 1_960_000,
        Phase::Recovering => fade(t, health::recovering(), 1_960_000, base),
        // The mesh answers 503 itself.
        Phase::Gone => 4_000,
        Phase::Idle => 350_000,
        Phase::Warming => fade(t, warming(), 650_000, base),
    })
}

fn cpu(t: Micros) -> Option<i64> {
    let base = 35_000 * load(t) / 1000;
    match health::phase(t) {
        Phase::Normal => Some(base),
        Phase::BadConfig => Some(31_000),
        // Mostly waiting in back-off, with a burst at each start.
        Phase::CrashLoop => Some(11_000 + 4_000 * wave(t, 50 * SEC, 0) / 1000),
        Phase::Recovering => Some(fade(t, health::recovering(), 58_000, 38_000)),
        Phase::Gone => None,
        Phase::Idle => Some(48_000),
        Phase::Warming => Some(fade(t, warming(), 62_000, base)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::story::CONFIG_CHANGE;

    #[test]
    fn the_wave_is_a_sine_in_thousandths() {
        let p = 400 * SEC;
        assert_eq!(wave(0, p, 0), 0);
        assert_eq!(wave(100 * SEC, p, 0), 1000);
        assert_eq!(wave(300 * SEC, p, 0), -1000);
        assert!((wave(50 * SEC, p, 0) - 750).abs() <= 1);
    }

    /// The rule the console's anomaly marks use: outside median ± 5 × 1.4826 × MAD.
    #[test]
    fn the_error_rate_anomaly_starts_right_after_the_config_change() {
        let s = samples(&SERIES[1]);
        assert_eq!(s.len(), 480);
        let mut v: Vec<i64> = s.iter().map(|(_, v)| *v).collect();
        v.sort_unstable();
        let median = v[v.len() / 2];
        let mut dev: Vec<i64> = v.iter().map(|x| (x - median).abs()).collect();
        dev.sort_unstable();
        let limit = median + 5 * 14_826 * dev[dev.len() / 2] / 10_000;
        let first = s.iter().find(|(_, v)| *v > limit).unwrap();
        let after = sample_times().find(|t| *t > CONFIG_CHANGE).unwrap();
        assert_eq!(first.0, after, "median {median}, limit {limit}");
    }
}
