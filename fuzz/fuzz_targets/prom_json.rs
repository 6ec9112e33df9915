//! A Prometheus `query_range` answer (or a store's `metrics/*.json`): parse, find anomalies,
//! and ask each series what the console asks (step, buckets, value at, min/max).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::metrics::{anomalies, parse_query_range};

fuzz_target!(|data: &[u8]| {
    let Ok(series) = parse_query_range(data, "fuzz.json", "fuzz") else {
        return;
    };
    for s in &series {
        assert!(
            s.points.iter().all(|p| p.v.is_finite()),
            "non-finite point kept"
        );
        assert!(
            s.points.windows(2).all(|w| w[0].t <= w[1].t),
            "points not sorted"
        );
        let _ = s.step();
        let (lo, hi) = match (s.points.first(), s.points.last()) {
            (Some(a), Some(b)) => (a.t, b.t),
            _ => (0, 1),
        };
        let width = (hi.saturating_sub(lo) / 16).max(1);
        let _ = s.buckets(lo, width, 17);
        let _ = s.buckets(i64::MIN, i64::MAX, 3);
        let _ = s.buckets(i64::MAX - 1, 1, 3);
        let _ = s.value_at(lo);
        let _ = s.value_at(hi);
        let _ = s.min_max(lo, hi);
        let _ = s.min_max(i64::MIN, i64::MAX);
    }
    for a in anomalies(&series) {
        assert!(
            !a.score.is_nan() && !a.value.is_nan(),
            "NaN in anomaly {a:?}"
        );
    }
});
