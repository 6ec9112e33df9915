//! Text that fits: store strings sanitized and cut to a display width, times formatted for
//! the span on screen.

use chrono::{DateTime, Utc};
use unicode_width::UnicodeWidthChar;

use crate::event::time::TimeNs;
use crate::text::sanitize;

/// The visible pieces of `s`: each char, or its escape (`\u{1B}`) when it is unsafe. Cutting
/// between pieces never splits an escape.
fn pieces(s: &str) -> Vec<(String, usize)> {
    s.chars()
        .map(|c| {
            let piece = sanitize(c.encode_utf8(&mut [0; 4])).into_owned();
            let w = piece.chars().map(|c| c.width().unwrap_or(0)).sum();
            (piece, w)
        })
        .collect()
}

/// Display width of `s` once sanitized.
pub fn safe_width(s: &str) -> usize {
    sanitize(s).chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `s` made terminal-safe and cut to `width` columns, ending in `…` when cut.
pub fn fit(s: &str, width: usize) -> String {
    if safe_width(s) <= width {
        return sanitize(s).into_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for (piece, w) in pieces(s) {
        if used + w + 1 > width {
            break;
        }
        out.push_str(&piece);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// `s` made safe and cut to `width` columns keeping its end (for paths and actors).
pub fn fit_left(s: &str, width: usize) -> String {
    if safe_width(s) <= width {
        return sanitize(s).into_owned();
    }
    let mut kept: Vec<String> = Vec::new();
    let mut used = 1;
    for (piece, w) in pieces(s).into_iter().rev() {
        if used + w > width {
            break;
        }
        used += w;
        kept.push(piece);
    }
    let mut out = String::from("…");
    out.extend(kept.into_iter().rev());
    out
}

/// Pads or cuts `s` (already safe) to exactly `width` columns.
pub fn pad(s: &str, width: usize) -> String {
    let f = fit(s, width);
    let w: usize = f.chars().map(|c| c.width().unwrap_or(0)).sum();
    format!("{f}{}", " ".repeat(width.saturating_sub(w)))
}

fn utc(t: TimeNs) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_nanos(t)
}

/// Like [`pad`], but a cut keeps the end (`…:user/svc-backup`): for actors, whose
/// distinguishing part is last in ARNs and service-account names.
pub fn pad_end(s: &str, width: usize) -> String {
    let f = fit_left(s, width);
    let w: usize = f.chars().map(|c| c.width().unwrap_or(0)).sum();
    format!("{f}{}", " ".repeat(width.saturating_sub(w)))
}

/// A time for the table: milliseconds within a day-long window, the date too when the
/// window spans days.
pub fn row_time(t: TimeNs, span_ns: i64) -> String {
    if span_ns > DAY {
        utc(t).format("%m-%d %H:%M:%S").to_string()
    } else {
        utc(t).format("%H:%M:%S%.3f").to_string()
    }
}

/// A full UTC time (status bar, detail).
pub fn full_time(t: TimeNs) -> String {
    utc(t).format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

const SEC: i64 = 1_000_000_000;
const DAY: i64 = 86_400 * SEC;

/// A duration in the largest sensible unit: `90s` → `1m30s`.
pub fn duration(ns: i64) -> String {
    let s = ns / SEC;
    if ns < SEC {
        return format!("{}ms", ns / 1_000_000);
    }
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    let mut out = String::new();
    for (v, u) in [(d, "d"), (h, "h"), (m, "m"), (sec, "s")] {
        if v > 0 {
            out.push_str(&format!("{v}{u}"));
        }
    }
    out
}

/// Axis label steps, smallest first.
const STEPS: &[i64] = &[
    SEC,
    2 * SEC,
    5 * SEC,
    10 * SEC,
    15 * SEC,
    30 * SEC,
    60 * SEC,
    120 * SEC,
    300 * SEC,
    600 * SEC,
    900 * SEC,
    1800 * SEC,
    3600 * SEC,
    7200 * SEC,
    10800 * SEC,
    21600 * SEC,
    43200 * SEC,
    DAY,
    2 * DAY,
    7 * DAY,
    30 * DAY,
];

/// Labelled times on an axis of `cols` columns over `[from, to)`: (column, label).
pub fn axis_labels(from: TimeNs, to: TimeNs, cols: usize) -> Vec<(usize, String)> {
    let span = to.saturating_sub(from).max(1);
    if cols == 0 {
        return Vec::new();
    }
    // A label is at most 11 wide ("11-24 02:07") plus a space.
    let max_labels = (cols / 12).max(1) as i64;
    let step = STEPS
        .iter()
        .copied()
        .find(|s| span / s <= max_labels)
        .unwrap_or(span);
    let fmt = if step >= DAY {
        "%m-%d"
    } else if span > DAY {
        "%m-%d %H:%M"
    } else if step >= 60 * SEC {
        "%H:%M"
    } else {
        "%H:%M:%S"
    };
    let mut out = Vec::new();
    let mut t = from.div_euclid(step) * step;
    if t < from {
        t += step;
    }
    while t < to && out.len() <= cols {
        let col = ((t as i128 - from as i128) * cols as i128 / span as i128) as usize;
        out.push((col, utc(t).format(fmt).to_string()));
        match t.checked_add(step) {
            Some(next) => t = next,
            None => break,
        }
    }
    out
}

/// A metric value in a few significant digits (`1234`, `48.2`, `0.125`).
pub fn fmt_value(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_sanitizes_then_cuts_by_display_width() {
        assert_eq!(fit("abc", 5), "abc");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("a\u{1b}[31mb", 40), "a\\u{1B}[31mb");
        assert_eq!(fit("日本語です", 5), "日本…");
        assert_eq!(fit_left("/very/long/path/store", 8), "…h/store");
        // An escape is never split by a cut.
        assert_eq!(fit("ab\u{1b}cd", 8), "ab…");
        assert_eq!(fit_left("ab\u{1b}cd", 8), "…cd");
        assert_eq!(pad("ab", 4), "ab  ");
    }

    #[test]
    fn axis_labels_are_round_times_inside_the_range() {
        let from = 1_764_000_000 * SEC + 17 * SEC; // not on a minute
        let labels = axis_labels(from, from + 3600 * SEC, 80);
        assert!(labels.len() >= 2 && labels.len() <= 6, "{labels:?}");
        for (col, l) in &labels {
            assert!(*col < 80);
            assert_eq!(l.len(), 5, "{l}");
            assert!(l.ends_with('0') || l.ends_with('5'), "{l}");
        }
        assert_eq!(duration(90 * SEC), "1m30s");
        assert_eq!(duration(2 * DAY + 3600 * SEC), "2d1h");
        assert_eq!(row_time(0, 60 * SEC), "00:00:00.000");
    }
}
