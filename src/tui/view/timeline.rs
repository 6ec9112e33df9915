//! The histogram of events over the window, bars split by outcome, with the time axis and
//! the cursor.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::style::Style;

use super::Ctx;
use super::fit::{axis_labels, duration};
use super::layout::Areas;
use crate::query::Histogram;
use crate::tui::state::App;
use crate::tui::theme::Role;

const BLOCKS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Outcome bands of a bar, bottom to top, in eighths of a cell.
fn bands(h: &Histogram, i: usize, max: u64, rows: u16) -> Vec<(Role, u32)> {
    let b = &h.buckets[i];
    if b.count == 0 || max == 0 {
        return Vec::new();
    }
    let total = ((b.count as f64 / max as f64) * f64::from(rows) * 8.0)
        .round()
        .max(1.0) as u32;
    let get = |k: &str| b.outcomes.get(k).copied().unwrap_or(0);
    let (s, fl, d) = (get("success"), get("failure"), get("denied"));
    let other = b.count.saturating_sub(s + fl + d);
    let parts = [
        (Role::Success, s),
        (Role::Muted, other),
        (Role::Failure, fl),
        (Role::Denied, d),
    ];
    let mut out: Vec<(Role, u32)> = parts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(r, n)| {
            let e = ((*n as f64 / b.count as f64) * f64::from(total)).round() as u32;
            (*r, e.max(1))
        })
        .collect();
    // Make the bands add up to the bar (the largest absorbs rounding).
    let sum: u32 = out.iter().map(|(_, e)| e).sum();
    if let Some(big) = out.iter_mut().max_by_key(|(_, e)| *e) {
        big.1 = (big.1 + total).saturating_sub(sum).max(1);
    }
    out
}

/// The role covering most of cell row `r` (from the bottom), favouring the rarer outcomes.
fn cell_role(bands: &[(Role, u32)], r: u32) -> Option<(Role, u32)> {
    let (lo, hi) = (r * 8, r * 8 + 8);
    let mut at = 0;
    let mut best: Option<(Role, u32)> = None;
    let mut filled = 0;
    for (role, e) in bands {
        let (a, b) = (at, at + e);
        at = b;
        let overlap = b.min(hi).saturating_sub(a.max(lo));
        filled += overlap;
        if overlap > 0 && best.is_none_or(|(_, o)| overlap >= o) {
            best = Some((*role, overlap));
        }
    }
    best.map(|(role, _)| (role, filled))
}

fn put(buf: &mut Buffer, x: u16, y: u16, c: char, style: Style) {
    if let Some(cell) = buf.cell_mut((x, y)) {
        cell.set_char(c).set_style(style);
    }
}

/// Draws gutter, bars, cursor and axis.
pub fn draw(f: &mut Frame, a: &Areas, app: &App, ctx: &Ctx) {
    let t = ctx.theme;
    let buf = f.buffer_mut();
    let Some(win) = app.window else {
        let msg = "no verified events indexed yet";
        for (i, c) in msg.chars().enumerate() {
            put(
                buf,
                a.chart.x + 1 + i as u16,
                a.chart.y,
                c,
                t.style(Role::Muted),
            );
        }
        return;
    };
    let cols = a.chart.width as usize;
    let cursor_col = win.cursor_bucket(cols);
    let spikes = &app.spikes;
    if let Some(h) = app.histogram.as_ref().filter(|h| h.buckets.len() <= cols) {
        let max = h.buckets.iter().map(|b| b.count).max().unwrap_or(0);
        // Gutter: the scale at the top, the bucket width at the bottom.
        let top = format!("{max:>6}");
        let bottom = format!("{:>6}", format!("/{}", duration(h.width_ns)));
        for (i, c) in top.chars().take(6).enumerate() {
            put(
                buf,
                a.gutter.x + i as u16,
                a.gutter.y,
                c,
                t.style(Role::Muted),
            );
        }
        for (i, c) in bottom.chars().take(6).enumerate() {
            put(
                buf,
                a.gutter.x + i as u16,
                a.gutter.bottom() - 1,
                c,
                t.style(Role::Muted),
            );
        }
        for i in 0..h.buckets.len() {
            let x = a.chart.x + i as u16;
            let bands = bands(h, i, max, a.chart.height);
            for r in 0..u32::from(a.chart.height) {
                let y = a.chart.bottom() - 1 - r as u16;
                match cell_role(&bands, r) {
                    Some((role, filled)) => {
                        let mut style = t.style(role);
                        if i == cursor_col {
                            style = style.bg(t.color(Role::Cursor));
                        }
                        put(buf, x, y, BLOCKS[filled.min(8) as usize], style);
                    }
                    None if i == cursor_col => put(buf, x, y, '│', t.style(Role::Cursor)),
                    None => {}
                }
            }
        }
    } else {
        for r in 0..a.chart.height {
            put(
                buf,
                a.chart.x + cursor_col as u16,
                a.chart.y + r,
                '│',
                t.style(Role::Cursor),
            );
        }
    }
    // Axis: tick labels, spike marks, then the cursor on top.
    for (col, label) in axis_labels(win.from, win.to, cols) {
        let x0 = a.axis.x + col as u16;
        let len = label.chars().count() + 1;
        // A label never hides a spike mark.
        if col + len > cols || spikes.iter().any(|&s| s >= col && s < col + len) {
            continue;
        }
        put(buf, x0, a.axis.y, '╵', t.style(Role::Muted));
        for (k, c) in label.chars().enumerate() {
            put(buf, x0 + 1 + k as u16, a.axis.y, c, t.style(Role::Muted));
        }
    }
    for &s in spikes.iter().filter(|&&s| s < cols) {
        put(
            buf,
            a.axis.x + s as u16,
            a.axis.y,
            '△',
            t.style(Role::Alert),
        );
    }
    put(
        buf,
        a.axis.x + cursor_col as u16,
        a.axis.y,
        '▲',
        t.style(Role::Cursor),
    );
}
