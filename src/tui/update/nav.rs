//! Moving through time and events: cursor, zoom, pan, spikes, paging, pivots.

use super::{Effect, ask, buckets, table_height, window_filter};
use crate::query::{Filter, Hit, Order};
use crate::tui::state::rows::PAGE;
use crate::tui::state::spikes::{next_after, prev_before};
use crate::tui::state::{App, Crumb, Level, Window};
use crate::tui::worker::{Request, RowsMode};

fn info(app: &mut App, text: &str) {
    app.message = Some((Level::Info, text.to_string()));
}

/// Asks for the histogram of the window.
pub(crate) fn request_histogram(app: &mut App, out: &mut Vec<Effect>) {
    if app.window.is_none() {
        return;
    }
    super::correlation::request_window(app, out);
    app.generations.histogram += 1;
    let r = Request::Histogram {
        generation: app.generations.histogram,
        filter: window_filter(app),
        buckets: buckets(app),
    };
    ask(app, out, r);
}

/// Asks for the table page starting at the cursor's column.
pub(crate) fn request_rows_at_cursor(app: &mut App, out: &mut Vec<Effect>) {
    let Some(w) = app.window else { return };
    let b = buckets(app);
    let anchor = w.bucket_start(w.cursor_bucket(b), b);
    app.generations.rows += 1;
    app.rows.loading = true;
    app.rows.from_end = false;
    app.rows.more_before = anchor > w.from;
    let r = Request::Rows {
        generation: app.generations.rows,
        filter: Filter {
            query: app.query.clone(),
            from: Some(anchor),
            to: Some(w.to),
        },
        order: Order::OldestFirst,
        limit: PAGE,
        mode: RowsMode::Replace,
    };
    ask(app, out, r);
}

/// Asks for everything the screen shows again (query or window changed).
pub(crate) fn refresh(app: &mut App, out: &mut Vec<Effect>) {
    request_histogram(app, out);
    request_rows_at_cursor(app, out);
    app.facets = None;
    if matches!(app.overlay, crate::tui::state::Overlay::Facets { .. }) {
        super::overlays::request_facets(app, out);
    }
}

/// Moves the selection by `d` rows, loading the next or previous page when it gets close.
pub(crate) fn move_rows(app: &mut App, d: isize, out: &mut Vec<Effect>) {
    let h = table_height(app);
    if d < 0 && app.rows.wants_previous() {
        // The move happens when the earlier rows are there.
        app.rows.pending_up = d.unsigned_abs();
        request_page(app, RowsMode::Prepend, out);
        return;
    }
    app.rows.move_by(d, h);
    if let (Some(hit), Some(w)) = (app.rows.selected_hit(), app.window.as_mut()) {
        w.cursor = hit.time_ns.clamp(w.from, w.to - 1);
    }
    if app.rows.wants_next(h) {
        request_page(app, RowsMode::Append, out);
    } else if d < 0 && app.rows.wants_previous() {
        request_page(app, RowsMode::Prepend, out);
    }
}

fn request_page(app: &mut App, mode: RowsMode, out: &mut Vec<Effect>) {
    let Some(w) = app.window else { return };
    let (filter, order) = match mode {
        RowsMode::Append => {
            let Some(last) = app.rows.hits.last() else {
                return;
            };
            (
                Filter {
                    query: app.query.clone(),
                    from: Some(last.time_ns),
                    to: Some(w.to),
                },
                Order::OldestFirst,
            )
        }
        RowsMode::Prepend => {
            // With no rows (nothing at or after the cursor), the events before the cursor.
            let to = app
                .rows
                .hits
                .first()
                .map_or(w.to, |first| first.time_ns.saturating_add(1));
            (
                Filter {
                    query: app.query.clone(),
                    from: Some(w.from),
                    to: Some(to),
                },
                Order::NewestFirst,
            )
        }
        RowsMode::Replace => unreachable!("pages only extend"),
    };
    app.rows.loading = true;
    let r = Request::Rows {
        generation: app.generations.rows,
        filter,
        order,
        limit: PAGE,
        mode,
    };
    ask(app, out, r);
}

/// The window with the cursor on `time`: the current one, or (when `time` is outside it) one
/// of the same width centred on `time`. None before the first extent.
pub(crate) fn window_at(app: &App, time: i64) -> Option<Window> {
    let w = app.window?;
    let mut nw = if time < w.from || time >= w.to {
        let width = w.width();
        Window::new(
            time.saturating_sub(width / 2),
            time.saturating_add(width / 2),
        )
    } else {
        w
    };
    nw.cursor = time.clamp(nw.from, nw.to - 1);
    Some(nw)
}

/// Shows the event (`seq`, `pos`) at `time` (a bookmark, an alert): the cursor moves to it,
/// the window recentred on it when it is outside, and the table selects it once its page
/// arrives. With live follow on, the view leaves the live edge (the next pull must not move
/// it away from the event).
pub(crate) fn show_event(app: &mut App, time: i64, seq: u64, pos: u64, out: &mut Vec<Effect>) {
    let Some(nw) = window_at(app, time) else {
        return;
    };
    if app.live.on {
        app.follow_extent = false;
    }
    let moved = app
        .window
        .is_some_and(|w| (w.from, w.to) != (nw.from, nw.to));
    app.window = Some(nw);
    if moved {
        app.follow_extent = false;
        request_histogram(app, out);
    }
    request_rows_at_cursor(app, out);
    app.rows.want = Some((seq, pos));
}

/// `g`: the first event of the window.
pub(crate) fn first(app: &mut App, out: &mut Vec<Effect>) {
    if let Some(w) = app.window.as_mut() {
        w.cursor = w.from;
        request_rows_at_cursor(app, out);
    }
}

/// `F`: the whole extent, the window growing with it, the newest events in the table.
pub(crate) fn follow(app: &mut App, out: &mut Vec<Effect>) {
    let Some((lo, hi)) = app.extent else { return };
    app.live.new_events = 0;
    app.follow_extent = true;
    app.window = Some(Window::new(lo, hi.saturating_add(1)));
    request_histogram(app, out);
    last(app, out);
}

/// `G`: the last event of the window.
pub(crate) fn last(app: &mut App, out: &mut Vec<Effect>) {
    let Some(w) = app.window else { return };
    app.generations.rows += 1;
    app.rows.loading = true;
    app.rows.from_end = true;
    let r = Request::Rows {
        generation: app.generations.rows,
        filter: window_filter(app),
        order: Order::NewestFirst,
        limit: PAGE,
        mode: RowsMode::Replace,
    };
    ask(app, out, r);
    if let Some(win) = app.window.as_mut() {
        win.cursor = w.to - 1;
    }
}

/// `h`/`l`: the cursor by `n` columns.
pub(crate) fn cursor_by(app: &mut App, n: i64, out: &mut Vec<Effect>) {
    let b = buckets(app);
    let Some(w) = app.window.as_mut() else { return };
    let before = (w.from, w.to);
    w.move_cursor(n, b);
    let moved = before != (w.from, w.to);
    if moved {
        app.follow_extent = false;
        request_histogram(app, out);
    }
    request_rows_at_cursor(app, out);
}

/// `H`/`L`: pan by `fraction` of the width.
pub(crate) fn pan(app: &mut App, fraction: f64, out: &mut Vec<Effect>) {
    let Some(w) = app.window.as_mut() else { return };
    w.pan(fraction);
    app.follow_extent = false;
    refresh(app, out);
}

/// `+`/`-`: zoom around the cursor.
pub(crate) fn zoom(app: &mut App, zoom_in: bool, out: &mut Vec<Effect>) {
    let extent = app.extent;
    let Some(w) = app.window.as_mut() else { return };
    let changed = if zoom_in {
        w.zoom_in()
    } else {
        w.zoom_out(extent)
    };
    if !changed {
        info(
            app,
            if zoom_in {
                "zoomed in as far as it goes (1 s)"
            } else {
                "already showing everything"
            },
        );
        return;
    }
    app.follow_extent =
        !zoom_in && extent.is_some_and(|(lo, hi)| w_covers(app.window.as_ref(), lo, hi));
    if app.follow_extent {
        app.live.new_events = 0;
    }
    refresh(app, out);
}

fn w_covers(w: Option<&Window>, lo: i64, hi: i64) -> bool {
    w.is_some_and(|w| w.from <= lo && w.to >= hi)
}

/// `n`/`N`: the cursor to the next or previous spike.
pub(crate) fn spike(app: &mut App, forward: bool, out: &mut Vec<Effect>) {
    let b = buckets(app);
    let Some(w) = app.window.as_mut() else { return };
    let col = w.cursor_bucket(b);
    let found = if forward {
        next_after(&app.spikes, col)
    } else {
        prev_before(&app.spikes, col)
    };
    match found {
        Some(s) => {
            w.cursor = w.bucket_start(s, b);
            request_rows_at_cursor(app, out);
        }
        None => info(
            app,
            if forward {
                "no spike after the cursor in this window"
            } else {
                "no spike before the cursor in this window"
            },
        ),
    }
}

/// A query matching events whose `field` is exactly `value`.
pub fn term_query(field: &str, value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("{field}:\"{escaped}\"")
}

/// The fields of `hit` one can pivot on, with their values.
pub fn pivot_choices(hit: &Hit) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = vec![
        ("actor", hit.actor.clone()),
        ("resource", hit.resource.clone()),
        ("action", hit.action.clone()),
        ("outcome", hit.outcome.clone()),
    ];
    for (name, v) in [
        ("source_ip", &hit.source_ip),
        ("trace_id", &hit.trace_id),
        ("request_id", &hit.request_id),
        ("user_agent", &hit.user_agent),
        ("span_id", &hit.span_id),
    ] {
        if let Some(v) = v {
            out.push((name, v.clone()));
        }
    }
    out.retain(|(_, v)| !v.is_empty());
    out
}

/// Replaces the query with `query` (labelled `label` in the breadcrumb), remembering how to
/// come back. With `widen`, the window becomes the whole extent (a pivot asks for everything
/// the actor or resource did), the cursor staying at `at`.
pub(crate) fn push_query(
    app: &mut App,
    label: String,
    query: String,
    widen: bool,
    at: Option<&Hit>,
    out: &mut Vec<Effect>,
) {
    let pivot_from = at.map(|h| (h.seq, h.pos));
    let at = at.map(|h| h.time_ns);
    let kind = if label.starts_with('/') {
        "search"
    } else {
        "pivot"
    };
    super::notes::journal(
        app,
        out,
        kind,
        serde_json::json!({"label": label, "query": query}),
    );
    let Some(window) = app.window else {
        app.query = query;
        return;
    };
    app.crumbs.push(Crumb {
        label,
        query: std::mem::replace(&mut app.query, query),
        window,
        follow_extent: app.follow_extent,
        anomaly: false,
    });
    if widen && let Some((lo, hi)) = app.extent {
        let mut w = Window::new(lo, hi);
        w.cursor = at.unwrap_or(window.cursor).clamp(w.from, w.to - 1);
        app.window = Some(w);
        app.follow_extent = true;
    }
    refresh(app, out);
    // Keep the event pivoted from selected.
    app.rows.want = pivot_from;
}

/// Shows `query` in `window` (None: the current one), labelled `label` in the breadcrumb,
/// remembering how to come back. An `anomaly` step right after another one replaces it (a
/// run of `a` presses is one step back).
pub(crate) fn push_view(
    app: &mut App,
    label: String,
    query: String,
    window: Option<Window>,
    anomaly: bool,
    out: &mut Vec<Effect>,
) {
    let Some(current) = app.window else {
        app.query = query;
        return;
    };
    super::notes::journal(
        app,
        out,
        "view",
        serde_json::json!({"label": label, "query": query,
            "from": window.map(|w| w.from), "to": window.map(|w| w.to)}),
    );
    match app.crumbs.last_mut() {
        Some(c) if anomaly && c.anomaly => c.label = label,
        _ => app.crumbs.push(Crumb {
            label,
            query: app.query.clone(),
            window: current,
            follow_extent: app.follow_extent,
            anomaly,
        }),
    }
    app.query = query;
    if let Some(w) = window {
        app.window = Some(w);
        app.follow_extent = false;
    }
    refresh(app, out);
}

/// Backspace: undo the last pivot or search.
pub(crate) fn back(app: &mut App, out: &mut Vec<Effect>) {
    match app.crumbs.pop() {
        Some(c) => {
            app.query = c.query;
            app.window = Some(c.window);
            app.follow_extent = c.follow_extent;
            refresh(app, out);
        }
        None => info(app, "nothing to go back to"),
    }
}
