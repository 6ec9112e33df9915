//! Finding where a metric misbehaved, robustly: the rule is in the module docs of
//! [`crate::metrics`] (the README quotes it), the numbers are named constants here.

use serde::Serialize;

use super::{Point, Series};
use crate::event::time::TimeNs;

/// A point is anomalous when it is farther than this many scaled MADs from the median.
pub const THRESHOLD: f64 = 5.0;
/// Makes the MAD of normally distributed data an estimate of its standard deviation.
const MAD_SCALE: f64 = 1.4826;
/// Makes the mean absolute deviation of normal data an estimate of its standard deviation
/// (√(π/2)); used when more than half the points sit exactly on the median (MAD = 0).
const MEAN_AD_SCALE: f64 = 1.2533;
/// Series with fewer points than this have no anomalies: too little to know what is normal.
pub const MIN_POINTS: usize = 8;

/// A run of anomalous points in one series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Anomaly {
    /// Index of the series in the slice given to [`anomalies`].
    pub series: usize,
    /// The series' label.
    pub label: String,
    /// The first anomalous point of the run: when it started to hurt.
    pub start: TimeNs,
    /// The point of the run farthest from the median.
    pub peak: TimeNs,
    /// The value at `peak`.
    pub value: f64,
    /// The series' median.
    pub median: f64,
    /// How far the peak is from the median, in scaled MADs (always above [`THRESHOLD`]).
    pub score: f64,
}

/// The anomalies of all `series`, sorted by start time (then series index).
pub fn anomalies(series: &[Series]) -> Vec<Anomaly> {
    let mut out: Vec<Anomaly> = series
        .iter()
        .enumerate()
        .flat_map(|(i, s)| of_series(i, s))
        .collect();
    out.sort_by_key(|a| (a.start, a.series));
    out
}

/// The anomalies of one series.
fn of_series(index: usize, series: &Series) -> Vec<Anomaly> {
    let points = &series.points;
    if points.len() < MIN_POINTS {
        return Vec::new();
    }
    let values: Vec<f64> = points.iter().map(|p| p.v).collect();
    let m = median(values.clone());
    let deviations: Vec<f64> = values.iter().map(|v| (v - m).abs()).collect();
    let mut s = MAD_SCALE * median(deviations.clone());
    if s == 0.0 {
        s = MEAN_AD_SCALE * deviations.iter().sum::<f64>() / deviations.len() as f64;
    }
    if s == 0.0 || !s.is_finite() {
        return Vec::new();
    }
    let step = series.step();
    let anomalous = |p: &Point| (p.v - m).abs() > THRESHOLD * s;
    let mut out = Vec::new();
    let mut run: Option<(Point, Point, Point)> = None; // (first, peak, last)
    for &p in points {
        if !anomalous(&p) {
            out.extend(run.take().map(|r| finish(index, series, r, m, s)));
            continue;
        }
        run = match run {
            Some((first, peak, last)) if close(last.t, p.t, step) => {
                let peak = if (p.v - m).abs() > (peak.v - m).abs() {
                    p
                } else {
                    peak
                };
                Some((first, peak, p))
            }
            other => {
                out.extend(other.map(|r| finish(index, series, r, m, s)));
                Some((p, p, p))
            }
        };
    }
    out.extend(run.map(|r| finish(index, series, r, m, s)));
    out
}

/// Whether `b` follows `a` without a hole in the data (at most 1.5 × step later).
fn close(a: TimeNs, b: TimeNs, step: Option<i64>) -> bool {
    step.is_none_or(|s| 2 * (i128::from(b) - i128::from(a)) <= 3 * i128::from(s))
}

fn finish(index: usize, series: &Series, run: (Point, Point, Point), m: f64, s: f64) -> Anomaly {
    let (first, peak, _) = run;
    Anomaly {
        series: index,
        label: series.label.clone(),
        start: first.t,
        peak: peak.t,
        value: peak.v,
        median: m,
        score: (peak.v - m).abs() / s,
    }
}

/// The median of finite `values` (non-empty).
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        values[mid - 1] / 2.0 + values[mid] / 2.0
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const S: i64 = 1_000_000_000;

    /// A series sampled every 10 s from t = 0 s, with a small regular wobble (median 10,
    /// scaled MAD about 1.5) unless `values` says otherwise.
    fn series(label: &str, values: &[f64]) -> Series {
        Series {
            label: label.into(),
            source: "test".into(),
            labels: BTreeMap::new(),
            unit: String::new(),
            points: values
                .iter()
                .enumerate()
                .map(|(i, &v)| Point {
                    t: i as i64 * 10 * S,
                    v,
                })
                .collect(),
        }
    }

    fn wobble(n: usize) -> Vec<f64> {
        (0..n).map(|i| 10.0 + [-1.0, 0.0, 1.0][i % 3]).collect()
    }

    #[test]
    fn a_burst_is_one_anomaly_starting_at_its_onset_with_its_peak() {
        let mut v = wobble(40);
        v[20] = 25.0;
        v[21] = 40.0;
        v[22] = 60.0;
        v[23] = 30.0;
        let found = anomalies(&[series("load", &v)]);
        assert_eq!(found.len(), 1, "{found:?}");
        let a = &found[0];
        assert_eq!((a.series, a.label.as_str()), (0, "load"));
        assert_eq!(a.start, 200 * S, "onset");
        assert_eq!(a.peak, 220 * S);
        assert_eq!(a.value, 60.0);
        assert_eq!(a.median, 10.0);
        // MAD of the wobble: |dev| is 1 for two thirds of the points, 0 for a third -> 1.
        let expected = 50.0 / (MAD_SCALE * 1.0);
        assert!((a.score - expected).abs() < 1e-9, "{}", a.score);
    }

    #[test]
    fn a_normal_point_or_a_hole_splits_anomalies() {
        let mut v = wobble(60);
        v[10] = 50.0;
        v[11] = 50.0;
        v[12] = 10.0; // back to normal
        v[13] = -40.0; // a drop: deviation the other way
        let mut s = series("x", &v);
        // A hole between two anomalous points: 30..33 anomalous, but 33 comes after a gap.
        for p in &mut s.points[30..34] {
            p.v = 90.0;
        }
        s.points.remove(32); // 31 -> 33 is now 20 s = 2 steps
        let starts: Vec<i64> = anomalies(&[s]).iter().map(|a| a.start / S).collect();
        assert_eq!(starts, vec![100, 130, 300, 330]);
    }

    #[test]
    fn a_point_at_exactly_the_threshold_is_normal() {
        // MAD 1 -> s = 1.4826; 5 s = 7.413: 17.41 is inside, 17.42 outside.
        let mut v = wobble(30);
        v[5] = 10.0 + 7.41;
        v[15] = 10.0 + 7.42;
        let found = anomalies(&[series("x", &v)]);
        assert_eq!(
            found.iter().map(|a| a.start / S).collect::<Vec<_>>(),
            vec![150]
        );
    }

    #[test]
    fn a_flat_series_falls_back_to_the_mean_absolute_deviation() {
        // More than half the points equal the median: MAD = 0.
        let mut v = vec![10.0; 20];
        v[7] = 30.0;
        let found = anomalies(&[series("flat", &v)]);
        assert_eq!(found.len(), 1, "{found:?}");
        let s = MEAN_AD_SCALE * 20.0 / 20.0;
        assert_eq!(found[0].start, 70 * S);
        assert!((found[0].score - 20.0 / s).abs() < 1e-9);
        // Entirely constant: no spread at all, so nothing stands out.
        assert!(anomalies(&[series("const", &[3.0; 50])]).is_empty());
    }

    #[test]
    fn short_series_have_no_anomalies() {
        let v = [1.0, 1.1, 0.9, 1.0, 1.05, 0.95, 1000.0];
        assert!(anomalies(&[series("short", &v)]).is_empty());
        let mut v = v.to_vec();
        v.insert(0, 1.0);
        assert_eq!(anomalies(&[series("eight", &v)]).len(), 1);
    }

    #[test]
    fn anomalies_of_all_series_are_sorted_by_start() {
        let mut a = wobble(30);
        a[20] = 100.0;
        let mut b = wobble(30);
        b[5] = -100.0;
        b[25] = 100.0;
        let found = anomalies(&[series("a", &a), series("b", &b)]);
        let got: Vec<(usize, i64)> = found.iter().map(|x| (x.series, x.start / S)).collect();
        assert_eq!(got, vec![(1, 50), (0, 200), (1, 250)]);
        assert_eq!(found[1].label, "a");
    }
}
