//! Four metric lines for the frame bench: series as a store's `metrics/*.json` would give them
//! (one point every 15 s over the index's extent, at most [`MAX_POINTS`] each), with a planted
//! burst so the anomaly marks are drawn too. They are put into the state directly: loading
//! them is the correlation worker's job, off the frame path; what is measured is the frame
//! drawing the sparklines and legend on every keystroke.

use std::collections::BTreeMap;

use trailscope::metrics::{Point, Series, anomalies};
use trailscope::tui::state::App;
use trailscope::tui::state::correlation::MetricLine;

/// Points per series at most (a store file over days is coarser than 15 s).
const MAX_POINTS: i64 = 20_000;
/// The usual scrape interval.
const STEP: i64 = 15_000_000_000;

/// Adds four metric lines over `app`'s extent (which must be known).
pub fn show_four(app: &mut App) {
    let (lo, hi) = app
        .extent
        .expect("the extent is known before metrics are added");
    let span = (hi - lo).max(1);
    let step = STEP.max(span / MAX_POINTS);
    let n = span / step + 1;
    let shapes: [(&str, &str, f64, f64); 4] = [
        ("request rate", "req/s", 40.0, 4.0),
        ("error rate", "%", 0.2, 0.05),
        ("p99 latency", "ms", 120.0, 10.0),
        ("cpu", "%", 35.0, 3.0),
    ];
    let series: Vec<Series> = shapes
        .iter()
        .enumerate()
        .map(|(k, (label, unit, base, wobble))| {
            let points = (0..n)
                .map(|i| {
                    let x = i as f64;
                    let mut v = base + wobble * ((x / 37.0 + k as f64).sin());
                    // A burst at two thirds of the range.
                    if (n * 2 / 3..n * 2 / 3 + 8).contains(&i) {
                        v += base * 20.0;
                    }
                    Point {
                        t: lo + i * step,
                        v,
                    }
                })
                .collect();
            Series {
                label: (*label).to_string(),
                source: "bench".to_string(),
                labels: BTreeMap::new(),
                unit: (*unit).to_string(),
                points,
            }
        })
        .collect();
    let c = &mut app.correlation;
    c.anomalies = anomalies(&series);
    c.lines = series
        .into_iter()
        .map(|overview| MetricLine {
            overview,
            detail: None,
        })
        .collect();
    c.loaded_for = Some((lo, hi));
    c.show_metrics = true;
}
