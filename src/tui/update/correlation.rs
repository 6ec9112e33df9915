//! Metrics and traces: loading them, jumping to metric anomalies, the trace waterfall, and
//! the way back from a span to the audit events.

use super::nav::{push_view, request_rows_at_cursor, term_query};
use super::{Effect, buckets};
use crate::text::sanitize;
use crate::tui::action::Action;
use crate::tui::correlate::{CRequest, CResponse, Loaded};
use crate::tui::state::correlation::{MetricLine, TraceLookup, TraceView};
use crate::tui::state::{App, Level, Overlay, Window};
use crate::tui::view::fit::fmt_value;

/// Margin around a trace when its audit events are shown (each side, at least).
const TRACE_MARGIN_NS: i64 = 5_000_000_000;
/// Margin around a span when the audit events during it are shown (each side).
const SPAN_MARGIN_NS: i64 = 1_000_000_000;

fn info(app: &mut App, text: String) {
    app.message = Some((Level::Info, text));
}

/// Queues `r` for the correlation worker (counted for the spinner).
fn ask(app: &mut App, out: &mut Vec<Effect>, r: CRequest) {
    app.pending += 1;
    out.push(Effect::Correlate(Box::new(r)));
}

/// The data's extent is known or changed: (re)load metrics and traces when it is not covered.
pub(crate) fn on_extent(app: &mut App, lo: i64, hi: i64, out: &mut Vec<Effect>) {
    let covered = app
        .correlation
        .loaded_for
        .is_some_and(|(a, b)| a <= lo && b >= hi);
    if covered || app.correlation.loading {
        return;
    }
    app.correlation.loading = true;
    ask(app, out, CRequest::Load { extent: (lo, hi) });
}

/// The window or its bucket count changed: ask Prometheus for the window's buckets (when a
/// query is configured); until the answer comes the overview is drawn.
pub(crate) fn request_window(app: &mut App, out: &mut Vec<Effect>) {
    if !app.correlation.configured || app.correlation.lines.is_empty() {
        return;
    }
    let Some(w) = app.window else { return };
    let b = buckets(app);
    for line in &mut app.correlation.lines {
        line.detail = None;
    }
    app.generations.metrics += 1;
    let r = CRequest::Window {
        generation: app.generations.metrics,
        from: w.bucket_start(0, b),
        width: w.bucket_width(b),
        buckets: b,
    };
    ask(app, out, r);
}

/// Handles an answer of the correlation worker.
pub fn on_correlation(app: &mut App, r: CResponse) -> Vec<Effect> {
    let mut out = Vec::new();
    app.pending = app.pending.saturating_sub(1);
    match r {
        CResponse::Loaded(loaded) => on_loaded(app, *loaded, &mut out),
        CResponse::Window(g, res) if g == app.generations.metrics => match res {
            Ok(series) => {
                for line in &mut app.correlation.lines {
                    line.detail = series
                        .iter()
                        .find(|s| {
                            s.label == line.overview.label && s.source == line.overview.source
                        })
                        .cloned();
                }
            }
            Err(e) => note_error(app, sanitize(&e).into_owned()),
        },
        CResponse::Trace(g, id, res) if g == app.generations.trace => {
            let Some(view) = app.correlation.trace.as_mut() else {
                return out;
            };
            if view.trace_id != id {
                return out;
            }
            view.lookup = match res {
                Ok(Ok(t)) => TraceLookup::Found(t),
                Ok(Err(why)) => TraceLookup::NotFound(sanitize(&why).into_owned()),
                Err(e) => TraceLookup::Failed(sanitize(&e).into_owned()),
            };
            if let TraceLookup::Found(t) = &view.lookup
                && let Some(span) = &view.from_span
            {
                let rows = t.tree();
                let want = span.trim().to_ascii_lowercase();
                if let Some(i) = rows.iter().position(|r| t.spans[r.span].span_id == want)
                    && matches!(app.overlay, Overlay::Waterfall { .. })
                {
                    app.overlay = Overlay::Waterfall { selected: i };
                }
            }
        }
        _ => {}
    }
    out
}

fn note_error(app: &mut App, e: String) {
    if !app.correlation.errors.contains(&e) {
        app.correlation.errors.push(e);
    }
}

fn on_loaded(app: &mut App, loaded: Loaded, out: &mut Vec<Effect>) {
    let c = &mut app.correlation;
    c.loading = false;
    c.loaded_for = Some(loaded.extent);
    c.lines = loaded
        .series
        .into_iter()
        .map(|overview| MetricLine {
            overview,
            detail: None,
        })
        .collect();
    c.anomalies = loaded.anomalies;
    c.anomalies.sort_by_key(|a| (a.start, a.series));
    if let Some(cur) = c.current
        && !c.anomalies.iter().any(|a| (a.start, a.series) == cur)
    {
        c.current = None;
    }
    c.spans = loaded.spans;
    c.trace_count = loaded.traces;
    c.errors = loaded
        .errors
        .iter()
        .map(|e| sanitize(e).into_owned())
        .collect();
    request_window(app, out);
    // The extent may have grown while this loaded.
    if let Some((lo, hi)) = app.extent {
        on_extent(app, lo, hi, out);
    }
}

/// `M`, `S`, `a`, `A`, `T` on the main screen.
pub(crate) fn on_action(app: &mut App, action: Action, out: &mut Vec<Effect>) {
    match action {
        Action::ToggleMetrics => {
            let c = &mut app.correlation;
            c.show_metrics = !c.show_metrics;
            if c.show_metrics && c.lines.is_empty() && c.errors.is_empty() {
                let msg = if c.loading {
                    "metrics are still loading".to_string()
                } else {
                    "no metrics: the store has no metrics/*.json, and no --prometheus with --metric (or [[metrics]] in the config) was given".to_string()
                };
                info(app, msg);
            }
            let h = super::table_height(app);
            app.rows.keep_visible(h);
        }
        Action::ToggleSpans => {
            let c = &mut app.correlation;
            c.show_spans = !c.show_spans;
            if c.show_spans && c.spans.is_empty() {
                info(
                    app,
                    "no spans: the store has no traces/*.json and no --otlp file was given".into(),
                );
            }
            let h = super::table_height(app);
            app.rows.keep_visible(h);
        }
        Action::NextAnomaly => anomaly(app, true, out),
        Action::PrevAnomaly => anomaly(app, false, out),
        Action::Trace => open_trace(app, out),
        _ => {}
    }
}

/// `a` / `A`: the cursor to the next / previous anomaly onset of any metric; the window
/// narrows to the audit events around it (one breadcrumb step for a run of jumps).
fn anomaly(app: &mut App, forward: bool, out: &mut Vec<Effect>) {
    let Some(w) = app.window else { return };
    let c = &app.correlation;
    if c.anomalies.is_empty() {
        let why = if c.lines.is_empty() {
            "no metrics loaded (M shows what is configured)"
        } else {
            "no anomaly in the metrics"
        };
        info(app, why.into());
        return;
    }
    // From the anomaly on screen (the top breadcrumb step is its jump), else from the cursor.
    let here = match (app.crumbs.last(), c.current) {
        (Some(k), Some(cur)) if k.anomaly => Some(cur),
        _ => None,
    };
    let at = (w.cursor, 0);
    let found = match (forward, here) {
        (true, Some(cur)) => c.anomalies.iter().find(|a| (a.start, a.series) > cur),
        (true, None) => c.anomalies.iter().find(|a| (a.start, a.series) > at),
        (false, Some(cur)) => c.anomalies.iter().rev().find(|a| (a.start, a.series) < cur),
        (false, None) => c.anomalies.iter().rev().find(|a| (a.start, a.series) < at),
    };
    let Some(a) = found.cloned() else {
        info(
            app,
            format!(
                "no metric anomaly {} {} ({} in all)",
                if forward { "after" } else { "before" },
                if here.is_some() {
                    "this one"
                } else {
                    "the cursor"
                },
                c.anomalies.len()
            ),
        );
        return;
    };
    app.correlation.current = Some((a.start, a.series));
    let c = &app.correlation;
    let (before, after) = c.around;
    let mut nw = Window::new(
        a.start.saturating_sub(before),
        a.start.saturating_add(after),
    );
    nw.cursor = a.start.clamp(nw.from, nw.to - 1);
    let label = format!("⚠ {} {}", sanitize(&a.label), clock(a.start));
    let query = app.query.clone();
    push_view(app, label, query, Some(nw), true, out);
    // The table starts a little before the onset: what changed just before it.
    if let Some(w) = app.window.as_mut() {
        w.cursor = a.start.saturating_sub(before / 5).max(w.from);
    }
    request_rows_at_cursor(app, out);
    let unit = app
        .correlation
        .lines
        .get(a.series)
        .map(|l| l.overview.unit.trim())
        .filter(|u| !u.is_empty())
        .map_or(String::new(), |u| format!(" {}", sanitize(u)));
    let n = app
        .correlation
        .anomalies
        .iter()
        .position(|x| x.start == a.start && x.series == a.series)
        .map_or(0, |i| i + 1);
    info(
        app,
        format!(
            "anomaly {n}/{}: {} from {}, peak {}{unit} at {} (median {}, {:.0}× the usual spread); events {} before to {} after",
            app.correlation.anomalies.len(),
            sanitize(&a.label),
            clock(a.start),
            fmt_value(a.value),
            clock(a.peak),
            fmt_value(a.median),
            a.score,
            minutes(before),
            minutes(after),
        ),
    );
}

/// `T`: look up the selected event's trace and show it.
fn open_trace(app: &mut App, out: &mut Vec<Effect>) {
    let Some(hit) = app.selected() else {
        info(app, "no event selected".into());
        return;
    };
    let Some(id) = hit.trace_id.clone().filter(|t| !t.is_empty()) else {
        info(app, "this event has no trace id".into());
        return;
    };
    let from_span = hit.span_id.clone();
    app.generations.trace += 1;
    app.correlation.trace = Some(TraceView {
        trace_id: id.clone(),
        from_span,
        lookup: TraceLookup::Loading,
    });
    app.overlay = Overlay::Waterfall { selected: 0 };
    let generation = app.generations.trace;
    ask(
        app,
        out,
        CRequest::Trace {
            generation,
            trace_id: id,
        },
    );
}

/// Keys while the waterfall is open.
pub(crate) fn on_waterfall(app: &mut App, action: Action, selected: usize, out: &mut Vec<Effect>) {
    let found = match app.correlation.trace.as_ref().map(|v| &v.lookup) {
        Some(TraceLookup::Found(t)) => Some(t.clone()),
        _ => None,
    };
    let n = found.as_ref().map_or(0, |t| t.spans.len());
    let last = n.saturating_sub(1);
    let page = super::table_height(app).max(1);
    let mv = |to: usize| Overlay::Waterfall {
        selected: to.min(last),
    };
    match action {
        Action::Close | Action::Trace => app.overlay = Overlay::None,
        Action::Down => app.overlay = mv(selected + 1),
        Action::Up => app.overlay = mv(selected.saturating_sub(1)),
        Action::PageDown => app.overlay = mv(selected + page),
        Action::PageUp => app.overlay = mv(selected.saturating_sub(page)),
        Action::First => app.overlay = mv(0),
        Action::Last => app.overlay = mv(last),
        Action::Select | Action::SpanWindow => {
            let Some(t) = found else { return };
            let rows = t.tree();
            let Some(row) = rows.get(selected.min(last)) else {
                return;
            };
            let span = &t.spans[row.span];
            app.overlay = Overlay::None;
            if action == Action::Select {
                // The audit events of this trace, around the trace's time range.
                let margin = TRACE_MARGIN_NS.max(t.duration() / 10);
                let mut w = Window::new(
                    t.start().saturating_sub(margin),
                    t.end().saturating_add(margin),
                );
                w.cursor = t.start().saturating_sub(margin).max(w.from);
                let short: String = t.trace_id.chars().take(8).collect();
                let label = format!("trace={short}…");
                // The index keeps the id as the event wrote it (case, short Jaeger form…).
                let asked = app
                    .correlation
                    .trace
                    .as_ref()
                    .map_or(t.trace_id.clone(), |v| v.trace_id.clone());
                let query = if asked == t.trace_id {
                    term_query("trace_id", &t.trace_id)
                } else {
                    format!(
                        "{} OR {}",
                        term_query("trace_id", &t.trace_id),
                        term_query("trace_id", &asked)
                    )
                };
                push_view(app, label, query, Some(w), false, out);
            } else {
                let mut w = Window::new(
                    span.start.saturating_sub(SPAN_MARGIN_NS),
                    span.end.saturating_add(SPAN_MARGIN_NS),
                );
                w.cursor = w.from;
                let label = format!("span {}", sanitize(&span.name));
                let query = String::new();
                push_view(app, label, query, Some(w), false, out);
            }
        }
        _ => {}
    }
}

/// `HH:MM:SS` (UTC) of `t`.
fn clock(t: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(t)
        .format("%H:%M:%S")
        .to_string()
}

fn minutes(ns: i64) -> String {
    let s = ns / 1_000_000_000;
    if s % 60 == 0 {
        format!("{} min", s / 60)
    } else {
        format!("{s} s")
    }
}
