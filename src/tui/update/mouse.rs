//! Mouse: a click selects a row or moves the cursor on the histogram; the wheel scrolls.

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use super::nav::{move_rows, request_rows_at_cursor};
use super::{Effect, update};
use crate::tui::action::Action;
use crate::tui::state::{App, Overlay};
use crate::tui::view::layout::areas;

/// Rows the wheel scrolls per notch.
const WHEEL_ROWS: isize = 3;

/// Handles a mouse event.
pub fn on_mouse(app: &mut App, ev: MouseEvent) -> Vec<Effect> {
    let mut out = Vec::new();
    let overlay_open = !matches!(app.overlay, Overlay::None);
    match ev.kind {
        MouseEventKind::ScrollDown if overlay_open => {
            for _ in 0..WHEEL_ROWS {
                out.extend(update(app, Action::Down));
            }
        }
        MouseEventKind::ScrollUp if overlay_open => {
            for _ in 0..WHEEL_ROWS {
                out.extend(update(app, Action::Up));
            }
        }
        MouseEventKind::ScrollDown => move_rows(app, WHEEL_ROWS, &mut out),
        MouseEventKind::ScrollUp => move_rows(app, -WHEEL_ROWS, &mut out),
        MouseEventKind::Down(MouseButton::Left) if !overlay_open => {
            let a = areas(app);
            let p = Position::new(ev.column, ev.row);
            if a.table.contains(p) && ev.row > a.table.y {
                let row = app.rows.scroll + (ev.row - a.table.y - 1) as usize;
                if row < app.rows.hits.len() {
                    let d = row as isize - app.rows.selected as isize;
                    move_rows(app, d, &mut out);
                }
            } else if a.chart.contains(p) || a.axis.contains(p) {
                let cols = a.chart.width as usize;
                let col = (ev.column - a.chart.x) as usize;
                if let Some(w) = app.window.as_mut() {
                    w.cursor = w.bucket_start(col, cols);
                    request_rows_at_cursor(app, &mut out);
                }
            }
        }
        _ => {}
    }
    out
}
