//! Spikes in the histogram: columns well above the window's usual level.
//!
//! The rule is robust to the spikes themselves: a column is a spike when its count exceeds
//! `median + 5 × MAD` (median absolute deviation, scaled by 1.4826 to estimate a standard
//! deviation), is at least twice the median, and is the highest of its run of neighbouring
//! above-threshold columns (so one burst is one spike).

use crate::metrics::median;

/// Indexes of spike columns in `counts`, in time order.
pub fn spikes(counts: &[u64]) -> Vec<usize> {
    if counts.len() < 3 {
        return Vec::new();
    }
    let median = median(counts.iter().map(|&c| c as f64).collect());
    let mad = median_abs_dev(counts, median) * 1.4826;
    // A floor of one event keeps a flat series (MAD 0) from calling every bump a spike.
    let threshold = (median + 5.0 * mad.max(1.0)).max(2.0 * median);
    let above: Vec<bool> = counts.iter().map(|&c| c as f64 > threshold).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < counts.len() {
        if !above[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < counts.len() && above[i] {
            i += 1;
        }
        let peak = (start..i)
            .max_by_key(|&j| (counts[j], std::cmp::Reverse(j)))
            .expect("non-empty run");
        out.push(peak);
    }
    out
}

fn median_abs_dev(counts: &[u64], m: f64) -> f64 {
    median(counts.iter().map(|&c| (c as f64 - m).abs()).collect())
}

/// The first spike after column `from`, if any.
pub fn next_after(spikes: &[usize], from: usize) -> Option<usize> {
    spikes.iter().copied().find(|&s| s > from)
}

/// The last spike before column `from`, if any.
pub fn prev_before(spikes: &[usize], from: usize) -> Option<usize> {
    spikes.iter().copied().rev().find(|&s| s < from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_one_peak_per_burst() {
        let mut c = vec![10u64; 40];
        c[5] = 60;
        c[6] = 80;
        c[7] = 55;
        c[30] = 200;
        c[20] = 13; // noise, not a spike
        assert_eq!(spikes(&c), vec![6, 30]);
        assert_eq!(next_after(&[6, 30], 6), Some(30));
        assert_eq!(next_after(&[6, 30], 30), None);
        assert_eq!(prev_before(&[6, 30], 30), Some(6));
        assert_eq!(prev_before(&[6, 30], 6), None);
    }

    #[test]
    fn flat_sparse_and_tiny_series_have_no_spikes() {
        assert!(spikes(&[5; 50]).is_empty());
        assert!(spikes(&[0, 1, 0]).is_empty());
        assert!(spikes(&[]).is_empty());
        assert!(spikes(&[0, 0, 0, 1, 0, 0, 0, 0]).is_empty());
        // A burst in an otherwise empty window is one.
        assert_eq!(spikes(&[0, 0, 0, 9, 0, 0, 0, 0]), vec![3]);
    }
}
