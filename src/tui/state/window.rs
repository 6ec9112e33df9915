//! The time window on screen and the cursor in it: zoom, pan and cursor moves, with limits.

use crate::event::time::TimeNs;

/// Narrowest window zoom allows (one second): finer than that the histogram's millisecond
/// buckets would be empty columns.
pub const MIN_WIDTH_NS: i64 = 1_000_000_000;

const MS: i64 = 1_000_000;

/// Times a window may reach: the i64 nanosecond range less a margin, so window arithmetic
/// (widths, bucket ends, pans) never overflows, whatever times a hostile store carries.
pub const SAFE: (TimeNs, TimeNs) = (i64::MIN / 4, i64::MAX / 4);

fn safe(t: TimeNs) -> TimeNs {
    t.clamp(SAFE.0, SAFE.1)
}

/// A time range `[from, to)` and a cursor inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Start, inclusive.
    pub from: TimeNs,
    /// End, exclusive.
    pub to: TimeNs,
    /// The cursor: the time the table starts at.
    pub cursor: TimeNs,
}

impl Window {
    /// A window over `[from, to)` (widened to [`MIN_WIDTH_NS`] if narrower) with the cursor at
    /// its start.
    pub fn new(from: TimeNs, to: TimeNs) -> Window {
        let (from, to) = (safe(from), safe(to));
        let to = to.max(from + MIN_WIDTH_NS);
        Window {
            from,
            to,
            cursor: from,
        }
    }

    /// Width in ns.
    pub fn width(&self) -> i64 {
        self.to - self.from
    }

    /// Width of one of `buckets` columns: whole milliseconds, exactly as
    /// [`crate::query::histogram`] buckets the same window, so column `i` here is bucket `i`
    /// there.
    pub fn bucket_width(&self, buckets: usize) -> i64 {
        let span_ms = (self.to + MS - 1).div_euclid(MS) - self.from.div_euclid(MS);
        let b = buckets.max(1) as i64;
        ((span_ms.max(1) + b - 1) / b).max(1) * MS
    }

    /// Where column 0 starts (the window's start rounded down to a millisecond).
    fn origin(&self) -> TimeNs {
        self.from.div_euclid(MS) * MS
    }

    /// The column (of `buckets`) the cursor is in.
    pub fn cursor_bucket(&self, buckets: usize) -> usize {
        let b = (self.cursor - self.origin()).div_euclid(self.bucket_width(buckets));
        (b.max(0) as usize).min(buckets.saturating_sub(1))
    }

    /// Start of column `i` of `buckets` (never before the window's start).
    pub fn bucket_start(&self, i: usize, buckets: usize) -> TimeNs {
        (self.origin() + i as i64 * self.bucket_width(buckets)).max(self.from)
    }

    /// Puts the cursor at `t`, panning the window (same width) if `t` is outside it.
    pub fn set_cursor(&mut self, t: TimeNs) {
        let t = safe(t);
        let w = self.width();
        if t < self.from {
            self.from = t;
            self.to = t + w;
        } else if t >= self.to {
            self.to = t + 1;
            self.from = self.to - w;
        }
        self.cursor = t;
    }

    /// Moves the cursor by `n` columns of `buckets` (negative = earlier), snapping it to the
    /// start of the column it lands in; panning past either edge.
    pub fn move_cursor(&mut self, n: i64, buckets: usize) {
        let bw = self.bucket_width(buckets);
        let col = (self.cursor - self.origin()).div_euclid(bw);
        let t = self.origin() + (col + n) * bw;
        self.set_cursor(t);
    }

    /// Shifts the whole window (and cursor) by `fraction` of its width.
    pub fn pan(&mut self, fraction: f64) {
        let d = (self.width() as f64 * fraction) as i64;
        let d = d.clamp(SAFE.0 - self.from, SAFE.1 - self.to);
        self.from += d;
        self.to += d;
        self.cursor += d;
    }

    /// Halves the width around the cursor; false when already at [`MIN_WIDTH_NS`].
    pub fn zoom_in(&mut self) -> bool {
        if self.width() <= MIN_WIDTH_NS {
            return false;
        }
        let w = (self.width() / 2).max(MIN_WIDTH_NS);
        self.set_width_around_cursor(w);
        true
    }

    /// Doubles the width around the cursor, up to `limit` (the data's extent, which then
    /// becomes the window); false when the window already holds `limit`.
    pub fn zoom_out(&mut self, limit: Option<(TimeNs, TimeNs)>) -> bool {
        if let Some((lo, hi)) = limit
            && self.from <= lo
            && self.to >= hi
        {
            return false;
        }
        let w = self.width().saturating_mul(2).min(SAFE.1);
        self.set_width_around_cursor(w);
        if let Some((lo, hi)) = limit
            && self.from <= lo
            && self.to >= hi
        {
            let cursor = self.cursor;
            *self = Window::new(lo, hi);
            self.cursor = cursor.clamp(lo, self.to - 1);
        }
        true
    }

    fn set_width_around_cursor(&mut self, w: i64) {
        // Keep the cursor at the same relative position.
        let rel = (self.cursor - self.from) as f64 / self.width().max(1) as f64;
        self.from = safe(self.cursor - (w as f64 * rel) as i64);
        self.to = safe(self.from.saturating_add(w));
        if self.cursor >= self.to {
            self.cursor = self.to - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    #[test]
    fn zoom_in_stops_at_one_second_and_keeps_the_cursor_inside() {
        let mut w = Window::new(0, 100 * S);
        w.cursor = 75 * S;
        assert!(w.zoom_in());
        assert_eq!(w.width(), 50 * S);
        assert!(w.from <= w.cursor && w.cursor < w.to);
        assert_eq!(w.cursor, 75 * S);
        let mut steps = 0;
        while w.zoom_in() {
            steps += 1;
            assert!(steps < 64);
        }
        assert_eq!(w.width(), MIN_WIDTH_NS);
        assert!(w.from <= w.cursor && w.cursor < w.to);
    }

    #[test]
    fn zoom_out_stops_at_the_extent() {
        let mut w = Window::new(40 * S, 60 * S);
        w.cursor = 50 * S;
        let extent = Some((0, 100 * S));
        assert!(w.zoom_out(extent));
        assert_eq!((w.from, w.to), (30 * S, 70 * S));
        assert!(w.zoom_out(extent));
        assert!(w.zoom_out(extent));
        assert_eq!((w.from, w.to), (0, 100 * S));
        assert_eq!(w.cursor, 50 * S);
        assert!(!w.zoom_out(extent));
    }

    #[test]
    fn cursor_moves_by_buckets_and_pans_at_the_edges() {
        let mut w = Window::new(0, 100 * S);
        w.move_cursor(1, 10);
        assert_eq!(w.cursor, 10 * S);
        assert_eq!(w.cursor_bucket(10), 1);
        w.move_cursor(-2, 10);
        assert_eq!(w.cursor, -10 * S);
        assert_eq!((w.from, w.to), (-10 * S, 90 * S));
        w.set_cursor(200 * S);
        assert_eq!(w.to, 200 * S + 1);
        assert_eq!(w.width(), 100 * S);
        assert_eq!(w.cursor_bucket(10), 9);
    }

    #[test]
    fn times_at_the_ends_of_the_range_never_overflow() {
        for (from, to) in [
            (i64::MAX - 5, i64::MAX),
            (i64::MIN, i64::MIN + 5),
            (i64::MIN, i64::MAX),
        ] {
            let mut w = Window::new(from, to);
            w.set_cursor(i64::MAX);
            w.pan(0.5);
            w.move_cursor(3, 80);
            assert!(w.zoom_out(None));
            w.zoom_in();
            w.set_cursor(i64::MIN);
            w.pan(-0.5);
            w.move_cursor(-3, 80);
            assert!(
                w.from < w.to && w.from <= w.cursor && w.cursor < w.to,
                "{w:?}"
            );
            assert!(w.bucket_width(80) > 0);
            let labels = crate::tui::view::fit::axis_labels(w.from, w.to, 80);
            assert!(labels.len() <= 81);
        }
    }

    #[test]
    fn pan_moves_window_and_cursor_together() {
        let mut w = Window::new(0, 100 * S);
        w.cursor = 10 * S;
        w.pan(-0.5);
        assert_eq!((w.from, w.to, w.cursor), (-50 * S, 50 * S, -40 * S));
    }
}
