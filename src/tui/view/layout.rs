//! Where each part of the main screen goes, as a pure function of the terminal size and the
//! state. Drawing and mouse hit-testing both use it, so they always agree.

use ratatui::layout::Rect;

use crate::tui::state::App;

/// Columns left of the histogram for its scale labels.
pub const GUTTER: u16 = 7;
/// From this width on, a side panel shows the selected event next to the table.
pub const WIDE: u16 = 140;

/// The main screen's areas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    /// Two status lines.
    pub status: Rect,
    /// The integrity banner, when there is one.
    pub banner: Option<Rect>,
    /// The alert banner, when it shows.
    pub alert: Option<Rect>,
    /// The histogram's scale labels.
    pub gutter: Rect,
    /// The histogram bars.
    pub chart: Rect,
    /// Metric lines and span marks between the bars and the axis (full width: the gutter
    /// holds their labels), when shown.
    pub metrics: Option<Rect>,
    /// The time axis under the bars.
    pub axis: Rect,
    /// The event table (header row included).
    pub table: Rect,
    /// The selected event's summary (wide terminals).
    pub side: Option<Rect>,
    /// The footer line: prompt, message or key hints.
    pub footer: Rect,
}

fn histogram_height(rows: u16) -> u16 {
    (rows.saturating_sub(12) / 3).clamp(3, 14)
}

/// Table rows kept however many metrics there are.
const MIN_TABLE: u16 = 5;

/// Rows the metrics area wants: a legend line and one line per metric, plus one for span
/// marks.
pub fn metrics_height(app: &App) -> u16 {
    let c = &app.correlation;
    let mut h = 0u16;
    if c.metrics_area() {
        h += 1 + (c.visible_lines().min(32) as u16);
    }
    if c.show_spans {
        h += 1;
    }
    h
}

/// Splits a terminal of `size` for `app`.
pub fn areas(app: &App) -> Areas {
    let (cols, rows) = app.size;
    let cols = cols.max(20);
    let rows = rows.max(10);
    let mut y = 0;
    let status = Rect::new(0, y, cols, 2);
    y += 2;
    let banner = app.banner.as_ref().map(|_| {
        let r = Rect::new(0, y, cols, 1);
        y += 1;
        r
    });
    let alert = app.alerts.banner_shown().then(|| {
        let r = Rect::new(0, y, cols, 1);
        y += 1;
        r
    });
    let hh = histogram_height(rows);
    let gutter = Rect::new(0, y, GUTTER.min(cols), hh);
    let chart = Rect::new(GUTTER.min(cols), y, cols.saturating_sub(GUTTER), hh);
    y += hh;
    // What is left under the axis for the table, the footer and the metrics.
    let room = rows.saturating_sub(y + 2 + MIN_TABLE);
    let mh = metrics_height(app).min(room);
    let metrics = (mh > 0).then(|| {
        let r = Rect::new(0, y, cols, mh);
        y += mh;
        r
    });
    let axis = Rect::new(GUTTER.min(cols), y, cols.saturating_sub(GUTTER), 1);
    y += 1;
    let footer = Rect::new(0, rows - 1, cols, 1);
    let body_h = rows.saturating_sub(1).saturating_sub(y);
    let (table, side) = if cols >= WIDE {
        let tw = (u32::from(cols) * 62 / 100) as u16;
        (
            Rect::new(0, y, tw, body_h),
            Some(Rect::new(tw, y, cols - tw, body_h)),
        )
    } else {
        (Rect::new(0, y, cols, body_h), None)
    };
    Areas {
        status,
        banner,
        alert,
        gutter,
        chart,
        metrics,
        axis,
        table,
        side,
        footer,
    }
}

/// Histogram columns (one bucket each).
pub fn histogram_columns(app: &App) -> usize {
    areas(app).chart.width.max(1) as usize
}

/// Event rows the table shows (its header excluded).
pub fn table_rows(app: &App) -> usize {
    areas(app).table.height.saturating_sub(1).max(1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_tile_the_screen_at_both_sizes() {
        for (size, side) in [((80, 24), false), ((160, 48), true)] {
            let mut app = App::new("s", "", size);
            app.banner = Some("x".into());
            let a = areas(&app);
            assert_eq!(a.side.is_some(), side);
            assert_eq!(
                a.status.height + 1 + a.chart.height + 1 + a.table.height + 1,
                size.1
            );
            assert_eq!(a.metrics, None);
            assert_eq!(a.gutter.width + a.chart.width, size.0);
            assert!(table_rows(&app) >= 10, "{size:?}: {}", table_rows(&app));
        }
    }
}
