//! A metric series as the console draws it: sorted points with finite values, and the few
//! questions asked of it (its sampling step, a value per histogram bucket, the value at a time,
//! the range of values in a window).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::event::time::TimeNs;

/// One sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Point {
    /// When it was sampled (Prometheus gives milliseconds).
    pub t: TimeNs,
    /// Its value, always finite.
    pub v: f64,
}

/// A named metric series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// What the user sees (`error rate`, or `load{host="a"}` when one query gave several).
    pub label: String,
    /// Where it came from: `prometheus http://host:9090: <promql>` or
    /// `store metrics/error_rate.json`.
    pub source: String,
    /// The series' Prometheus labels (`__name__` included when Prometheus gave it).
    pub labels: BTreeMap<String, String>,
    /// Unit for display (`%`, `req/s`), empty when unknown.
    pub unit: String,
    /// Samples sorted by time, finite values only: NaN and ±Inf samples are dropped, so they
    /// show as gaps.
    pub points: Vec<Point>,
}

impl Series {
    /// Typical spacing of points: the median of the gaps between consecutive points (samples at
    /// the same instant are not a gap). `None` with fewer than two distinct times.
    pub fn step(&self) -> Option<i64> {
        let mut gaps: Vec<i64> = self
            .points
            .windows(2)
            .map(|w| w[1].t.saturating_sub(w[0].t))
            .filter(|&g| g > 0)
            .collect();
        if gaps.is_empty() {
            return None;
        }
        gaps.sort_unstable();
        let mid = gaps.len() / 2;
        Some(if gaps.len() % 2 == 1 {
            gaps[mid]
        } else {
            // Average of the middle two without overflow.
            gaps[mid - 1] + (gaps[mid] - gaps[mid - 1]) / 2
        })
    }

    /// One value per bucket `[start + i*width, start + (i+1)*width)`, `i` in `0..n`: the mean
    /// of the points inside. A bucket without a point holds the value of the last earlier point
    /// when, at the bucket's start, that point is less than 1.5 × [`step`](Self::step) old, so a
    /// series sampled more coarsely than the buckets does not look gappy; otherwise it is `None`
    /// (a gap in the data, or no data yet).
    pub fn buckets(&self, start: TimeNs, width: i64, n: usize) -> Vec<Option<f64>> {
        let mut out = vec![None; n];
        if width <= 0 {
            return out;
        }
        let step = self.step();
        let mut i = self.points.partition_point(|p| p.t < start);
        let mut last = i.checked_sub(1).map(|j| self.points[j]);
        for (b, slot) in out.iter_mut().enumerate() {
            let lo =
                start.saturating_add(i64::try_from(b).unwrap_or(i64::MAX).saturating_mul(width));
            let hi = lo.saturating_add(width);
            let first = i;
            while i < self.points.len() && self.points[i].t < hi {
                i += 1;
            }
            let inside = &self.points[first..i];
            if let Some(&p) = inside.last() {
                *slot = Some(mean(inside));
                last = Some(p);
            } else if let Some(p) = last {
                if fresh(p.t, lo, step) {
                    *slot = Some(p.v);
                }
            }
            if hi == i64::MAX {
                break;
            }
        }
        out
    }

    /// The value at `t`: the last point at or before `t`, when it is less than
    /// 1.5 × [`step`](Self::step) old (a point exactly at `t` always counts).
    pub fn value_at(&self, t: TimeNs) -> Option<f64> {
        let idx = self.points.partition_point(|p| p.t <= t);
        let p = self.points.get(idx.checked_sub(1)?)?;
        fresh(p.t, t, self.step()).then_some(p.v)
    }

    /// Min and max of the points in `[from, to)`; `None` when there is none.
    pub fn min_max(&self, from: TimeNs, to: TimeNs) -> Option<(f64, f64)> {
        let lo = self.points.partition_point(|p| p.t < from);
        let hi = self.points.partition_point(|p| p.t < to).max(lo);
        self.points[lo..hi].iter().fold(None, |acc, p| match acc {
            None => Some((p.v, p.v)),
            Some((a, b)) => Some((a.min(p.v), b.max(p.v))),
        })
    }
}

/// Whether a point taken at `at` still stands for the value at `now`: it is less than
/// 1.5 × `step` old (or exactly at `now`).
pub(crate) fn fresh(at: TimeNs, now: TimeNs, step: Option<i64>) -> bool {
    let age = i128::from(now) - i128::from(at);
    age == 0 || step.is_some_and(|s| age >= 0 && 2 * age < 3 * i128::from(s))
}

/// The mean of `points` (non-empty), without overflowing for huge values.
fn mean(points: &[Point]) -> f64 {
    let n = points.len() as f64;
    let sum: f64 = points.iter().map(|p| p.v).sum();
    if sum.is_finite() {
        sum / n
    } else {
        points.iter().map(|p| p.v / n).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn series(points: &[(i64, f64)]) -> Series {
        Series {
            label: "x".into(),
            source: "test".into(),
            labels: BTreeMap::new(),
            unit: String::new(),
            points: points.iter().map(|&(t, v)| Point { t: t * S, v }).collect(),
        }
    }

    #[test]
    fn step_is_the_median_gap() {
        // Gaps 10, 10, 10, 100 (a hole), 10: the hole does not move the median.
        let s = series(&[
            (0, 1.0),
            (10, 1.0),
            (20, 1.0),
            (30, 1.0),
            (130, 1.0),
            (140, 1.0),
        ]);
        assert_eq!(s.step(), Some(10 * S));
        assert_eq!(series(&[(0, 1.0)]).step(), None);
        assert_eq!(series(&[(5, 1.0), (5, 2.0)]).step(), None);
        assert_eq!(
            series(&[(0, 1.0), (10, 1.0), (30, 1.0)]).step(),
            Some(15 * S)
        );
    }

    #[test]
    fn buckets_average_the_points_inside() {
        let s = series(&[(0, 1.0), (5, 3.0), (10, 10.0), (15, 20.0), (20, 7.0)]);
        // Buckets [0,10), [10,20), [20,30).
        assert_eq!(
            s.buckets(0, 10 * S, 3),
            vec![Some(2.0), Some(15.0), Some(7.0)]
        );
        // Half-open: a point at a bucket's end belongs to the next bucket.
        assert_eq!(s.buckets(5 * S, 5 * S, 2), vec![Some(3.0), Some(10.0)]);
    }

    #[test]
    fn buckets_hold_a_coarse_series_between_its_points() {
        // Sampled every 60 s, drawn in 10 s buckets: each value holds until the next sample.
        let s = series(&[(0, 1.0), (60, 2.0), (120, 3.0)]);
        let b = s.buckets(0, 10 * S, 14);
        let expected: Vec<Option<f64>> = [1.0; 6]
            .into_iter()
            .chain([2.0; 6])
            .map(Some)
            .chain([Some(3.0)])
            // 130 is 10 s after the last point, still within 1.5 × 60 s; 140 too.
            .chain([Some(3.0)])
            .collect();
        assert_eq!(b, expected);
        // After 1.5 × step (90 s) with no point: a gap.
        let b = s.buckets(200 * S, 10 * S, 2);
        assert_eq!(b, vec![Some(3.0), None]); // 200-120 = 80 < 90; 210-120 = 90, not < 90
    }

    #[test]
    fn buckets_show_gaps_in_the_data_and_before_it() {
        let s = series(&[
            (0, 1.0),
            (10, 1.0),
            (20, 1.0),
            (30, 4.0),
            (100, 5.0),
            (110, 5.0),
        ]);
        let b = s.buckets(-20 * S, 10 * S, 15);
        assert_eq!(&b[..2], &[None, None], "nothing before the first point");
        assert_eq!(b[5], Some(4.0), "the point at 30");
        assert_eq!(b[6], Some(4.0), "40 is 10 s after 30: held");
        assert_eq!(b[7], None, "50 is 20 s after 30 = 2 steps: a gap");
        assert_eq!(&b[7..12], &[None; 5]);
        assert_eq!(b[12], Some(5.0));
        assert_eq!(b[14], Some(5.0), "120 is 10 s after 110");
        assert!(s.buckets(0, 0, 3).iter().all(Option::is_none));
        assert!(s.buckets(0, 10 * S, 0).is_empty());
    }

    #[test]
    fn value_at_takes_the_last_fresh_point() {
        let s = series(&[(0, 1.0), (10, 2.0), (20, 3.0), (100, 4.0)]);
        assert_eq!(s.value_at(-1), None);
        assert_eq!(s.value_at(0), Some(1.0));
        assert_eq!(s.value_at(14 * S), Some(2.0));
        assert_eq!(s.value_at(34 * S), Some(3.0), "14 s old < 15 s");
        assert_eq!(s.value_at(35 * S), None, "15 s old = 1.5 × step");
        assert_eq!(s.value_at(100 * S), Some(4.0));
        let one = series(&[(5, 9.0)]);
        assert_eq!(one.value_at(5 * S), Some(9.0));
        assert_eq!(one.value_at(6 * S), None, "no step: only the exact time");
    }

    #[test]
    fn min_max_covers_the_half_open_window() {
        let s = series(&[(0, 5.0), (10, -2.0), (20, 8.0), (30, 100.0)]);
        assert_eq!(s.min_max(0, 30 * S), Some((-2.0, 8.0)));
        assert_eq!(s.min_max(10 * S, 11 * S), Some((-2.0, -2.0)));
        assert_eq!(s.min_max(11 * S, 20 * S), None);
        assert_eq!(s.min_max(30 * S, 0), None, "an inverted window is empty");
    }

    #[test]
    fn mean_of_huge_values_does_not_overflow() {
        let s = series(&[(0, f64::MAX), (1, f64::MAX)]);
        assert_eq!(s.buckets(0, 10 * S, 1), vec![Some(f64::MAX)]);
    }
}
