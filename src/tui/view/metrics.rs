//! The metrics area under the histogram: a legend line (value at the cursor, min–max of the
//! window, marked unverified), then one sparkline per metric on the histogram's time axis
//! (column `i` is histogram bucket `i`; a gap in the series is a blank), anomaly onsets in the
//! failure colour, and a line of span marks when they are on.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::Ctx;
use super::fit::{fit, fmt_value, safe_width};
use super::layout::GUTTER;
use crate::tui::state::App;
use crate::tui::state::correlation::MetricLine;
use crate::tui::theme::{Role, Theme};

const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

fn put(buf: &mut Buffer, x: u16, y: u16, c: char, style: Style) {
    if let Some(cell) = buf.cell_mut((x, y)) {
        cell.set_char(c).set_style(style);
    }
}

fn put_str(buf: &mut Buffer, x: u16, y: u16, s: &str, style: Style) -> u16 {
    let mut at = x;
    for c in s.chars() {
        put(buf, at, y, c, style);
        at += unicode_width::UnicodeWidthChar::width(c)
            .unwrap_or(0)
            .max(1) as u16;
    }
    at
}

/// One series' values per column of the window.
fn columns(line: &MetricLine, app: &App, cols: usize) -> Vec<Option<f64>> {
    let Some(w) = app.window else {
        return vec![None; cols];
    };
    line.shown()
        .buckets(w.bucket_start(0, cols), w.bucket_width(cols), cols)
}

/// The sparkline character for `v` between `lo` and `hi`.
fn level(v: f64, lo: f64, hi: f64) -> char {
    if hi <= lo {
        return LEVELS[3];
    }
    let k = ((v - lo) / (hi - lo) * 7.0).round().clamp(0.0, 7.0) as usize;
    LEVELS[k]
}

/// Draws the metrics area into `r`.
pub fn draw(f: &mut Frame, r: Rect, app: &App, ctx: &Ctx) {
    let t = ctx.theme;
    let buf = f.buffer_mut();
    let c = &app.correlation;
    let cols = r.width.saturating_sub(GUTTER) as usize;
    let x0 = r.x + GUTTER.min(r.width);
    let mut y = r.y;
    let bottom = r.bottom();
    let cursor_col = app.window.map(|w| w.cursor_bucket(cols));
    if c.metrics_area() && y < bottom {
        let values: Vec<Vec<Option<f64>>> = c.lines.iter().map(|l| columns(l, app, cols)).collect();
        legend(
            buf,
            Rect::new(r.x, y, r.width, 1),
            app,
            &values,
            cursor_col,
            t,
        );
        y += 1;
        for (i, line) in c.lines.iter().enumerate() {
            if y >= bottom {
                break;
            }
            let s = line.shown();
            let label = gutter_label(&s.label, GUTTER as usize - 1);
            put_str(buf, r.x, y, &label, t.style(Role::Muted));
            let vals = &values[i];
            let (lo, hi) = vals
                .iter()
                .flatten()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            let onsets = anomaly_columns(app, i, cols);
            for (col, v) in vals.iter().enumerate() {
                let x = x0 + col as u16;
                let mut style = if onsets.contains(&col) {
                    t.style(Role::Failure).add_modifier(Modifier::BOLD)
                } else {
                    t.style(Role::Histogram)
                };
                if Some(col) == cursor_col {
                    style = style.bg(t.color(Role::Cursor));
                }
                match v {
                    Some(v) => put(buf, x, y, level(*v, lo, hi), style),
                    None if Some(col) == cursor_col => put(buf, x, y, ' ', style),
                    None => {}
                }
            }
            y += 1;
        }
    }
    if c.show_spans && y < bottom {
        span_marks(buf, Rect::new(r.x, y, r.width, 1), app, cols, t);
    }
}

/// A label cut to `width` for the gutter. Series of one query differ only in their labels
/// (`load{host="a"}`, `load{host="b"}`), so those keep the label values: `lo:a`.
fn gutter_label(label: &str, width: usize) -> String {
    if let Some((base, rest)) = label.split_once('{')
        && rest.ends_with('}')
    {
        let values: Vec<&str> = rest.split('"').skip(1).step_by(2).collect();
        let values = values.join(",");
        if !values.is_empty() {
            let room = width.saturating_sub(safe_width(&values) + 1);
            if room == 0 {
                return fit(&values, width);
            }
            let base: String = base.chars().take(room).collect();
            return fit(&format!("{base}:{values}"), width);
        }
    }
    fit(label, width)
}

/// Columns where an anomaly of line `i` starts.
fn anomaly_columns(app: &App, i: usize, cols: usize) -> Vec<usize> {
    let Some(w) = app.window else {
        return Vec::new();
    };
    let (origin, bw) = (w.bucket_start(0, cols), w.bucket_width(cols));
    app.correlation
        .anomalies
        .iter()
        .filter(|a| a.series == i && a.start >= w.from && a.start < w.to)
        .map(|a| ((a.start - origin).div_euclid(bw).max(0) as usize).min(cols.saturating_sub(1)))
        .collect()
}

/// `metrics (unverified) · label value unit [min–max] · …`, cut to the width; problems last.
fn legend(
    buf: &mut Buffer,
    r: Rect,
    app: &App,
    values: &[Vec<Option<f64>>],
    cursor_col: Option<usize>,
    t: &Theme,
) {
    let c = &app.correlation;
    let width = r.width as usize;
    let mut x = put_str(buf, r.x, r.y, &fit("metrics", width), t.style(Role::Title));
    let mut room = width.saturating_sub(7);
    let mut add = |text: &str, style: Style, x: &mut u16| {
        if room == 0 {
            return;
        }
        let s = fit(text, room);
        room = room.saturating_sub(safe_width(&s));
        *x = put_str(buf, *x, r.y, &s, style);
    };
    add(" unverified", t.style(Role::Unsigned), &mut x);
    for (i, line) in c.lines.iter().enumerate() {
        let s = line.shown();
        let vals = &values[i];
        let at = cursor_col.and_then(|col| vals.get(col).copied().flatten());
        let (lo, hi) = vals
            .iter()
            .flatten()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let unit = if s.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", s.unit)
        };
        let now = at.map_or("–".to_string(), |v| format!("{}{unit}", fmt_value(v)));
        let range = if lo.is_finite() {
            format!(" [{}–{}]", fmt_value(lo), fmt_value(hi))
        } else {
            " [no data here]".to_string()
        };
        add(" · ", t.style(Role::Muted), &mut x);
        add(&format!("{} ", s.label), t.style(Role::Muted), &mut x);
        add(
            &now,
            t.style(Role::Text).add_modifier(Modifier::BOLD),
            &mut x,
        );
        add(&range, t.style(Role::Muted), &mut x);
    }
    for e in &c.errors {
        add(" · ⚠ ", t.style(Role::Failure), &mut x);
        add(e, t.style(Role::Failure), &mut x);
    }
    if c.lines.is_empty() && c.errors.is_empty() && c.loading {
        add(" · loading…", t.style(Role::Muted), &mut x);
    }
}

/// `spans` then, per column, how many spans start there (error spans in the failure colour).
fn span_marks(buf: &mut Buffer, r: Rect, app: &App, cols: usize, t: &Theme) {
    put_str(buf, r.x, r.y, "spans", t.style(Role::Muted));
    let Some(w) = app.window else { return };
    let (origin, bw) = (w.bucket_start(0, cols), w.bucket_width(cols));
    let mut counts = vec![(0u32, false); cols];
    let spans = &app.correlation.spans;
    let first = spans.partition_point(|s| s.start < w.from);
    for s in spans[first..].iter().take_while(|s| s.start < w.to) {
        let col = (s.start - origin).div_euclid(bw);
        if let Some(slot) = usize::try_from(col).ok().and_then(|c| counts.get_mut(c)) {
            slot.0 += 1;
            slot.1 |= s.error;
        }
    }
    let max = counts.iter().map(|c| c.0).max().unwrap_or(0);
    let x0 = r.x + GUTTER.min(r.width);
    for (col, (n, err)) in counts.iter().enumerate() {
        if *n == 0 {
            continue;
        }
        let style = if *err {
            t.style(Role::Failure)
        } else {
            t.style(Role::Muted)
        };
        put(
            buf,
            x0 + col as u16,
            r.y,
            level(f64::from(*n), 0.0, f64::from(max)),
            style,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::gutter_label;

    #[test]
    fn gutter_labels_keep_what_tells_series_apart() {
        assert_eq!(gutter_label("error rate", 6), "error…");
        assert_eq!(gutter_label("cpu", 6), "cpu");
        assert_eq!(gutter_label("load{host=\"a\"}", 6), "load:a");
        assert_eq!(gutter_label("load{host=\"b\"}", 6), "load:b");
        assert_eq!(gutter_label("x{job=\"api\",code=\"500\"}", 6), "api,5…");
    }
}
