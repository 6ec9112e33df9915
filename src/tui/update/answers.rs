//! Answers from the worker and reports from the background pull.

use super::nav::{refresh, request_histogram};
use super::{Effect, ask};
use crate::pull::{Progress, PullSummary};
use crate::tui::state::spikes::spikes;
use crate::tui::state::{App, Level, LiveCount, Overlay, PullStatus, Window};
use crate::tui::worker::{Request, Response, RowsMode};

/// Ticks between index reloads while a pull is indexing (the loop ticks every 100 ms).
const RELOAD_EVERY_TICKS: u64 = 20;

/// What the background pull reports.
#[derive(Clone, Debug)]
pub enum PullEvent {
    /// Progress of a stage.
    Progress(Progress),
    /// The pull ended: its summary, or the error (as text).
    Done(Box<Result<PullSummary, String>>),
    /// Live follow: what the pull's newly attested segments and its verification raised,
    /// oldest first (evaluated on the pull thread).
    Alerts(Vec<crate::alert::Alert>),
    /// Live follow: evaluating the alert rules failed (the message).
    AlertsFailed(String),
}

/// Handles a worker answer.
pub fn on_response(app: &mut App, r: Response) -> Vec<Effect> {
    let mut out = Vec::new();
    app.pending = app.pending.saturating_sub(1);
    let g = &app.generations;
    match r {
        Response::Opened(Ok(None)) => {
            app.head = None;
        }
        Response::Opened(Err(e)) => app.message = Some((Level::Error, e)),
        Response::Opened(Ok(Some((head, _full, scanned)))) => {
            // Segments verified but not indexed yet count too: they are answered by scanning.
            let changed = app.head.as_ref() != Some(&head) || app.scanned != scanned;
            app.head = Some(head);
            app.scanned = scanned;
            if changed || app.extent.is_none() {
                app.generations.extent += 1;
                let generation = app.generations.extent;
                ask(app, &mut out, Request::Extent { generation });
            }
        }
        Response::Extent(gen_, res) if gen_ == g.extent => match res {
            Ok(Some((lo, hi))) => on_extent(app, lo, hi, &mut out),
            Ok(None) => {}
            Err(e) => app.message = Some((Level::Error, e)),
        },
        Response::Histogram(gen_, res) if gen_ == g.histogram => match res {
            Ok(h) => {
                let counts: Vec<u64> = h.buckets.iter().map(|b| b.count).collect();
                app.spikes = spikes(&counts);
                app.histogram = Some(h);
            }
            Err(e) => {
                app.histogram = None;
                app.spikes.clear();
                app.message = Some((Level::Error, e));
            }
        },
        Response::Rows(gen_, mode, res) if gen_ == g.rows => {
            let h = super::table_height(app);
            match res {
                Ok((hits, _total)) => {
                    let full = hits.len() >= crate::tui::state::rows::PAGE;
                    match mode {
                        RowsMode::Replace if app.rows.from_end => {
                            // `G`: a page of the newest events, shown oldest first.
                            let mut hits = hits;
                            hits.reverse();
                            let last = hits.len().saturating_sub(1);
                            app.rows.replace(hits, last, full, false);
                        }
                        RowsMode::Replace => {
                            let more_before = app.rows.more_before;
                            app.rows.replace(hits, 0, more_before, full);
                        }
                        RowsMode::Append => {
                            app.rows.append(hits, full);
                        }
                        RowsMode::Prepend => {
                            app.rows.prepend(hits, full);
                        }
                    }
                    app.rows.keep_visible(h);
                    // An open detail follows the selection if a refresh moved it.
                    if let (Overlay::Detail { .. }, Some(hit)) =
                        (&app.overlay, app.rows.selected_hit())
                    {
                        let shown = app
                            .detail
                            .as_ref()
                            .and_then(|d| d.as_ref().ok())
                            .map(|d| d.key);
                        if shown.is_some_and(|k| k != (hit.seq, hit.pos)) {
                            let hit = hit.clone();
                            app.generations.detail += 1;
                            let generation = app.generations.detail;
                            let reveal = app.is_revealed(&hit);
                            ask(
                                app,
                                &mut out,
                                Request::Detail {
                                    generation,
                                    hit,
                                    reveal,
                                },
                            );
                        }
                    }
                    if let (Some(hit), Some(w)) = (app.rows.selected_hit(), app.window.as_mut())
                        && mode == RowsMode::Replace
                        && app.rows.from_end
                    {
                        w.cursor = hit.time_ns.clamp(w.from, w.to - 1);
                    }
                }
                Err(e) => {
                    app.rows.loading = false;
                    app.rows.error = Some(e);
                }
            }
        }
        Response::Count(gen_, res) if gen_ == g.count => {
            if let Overlay::Search { count, .. } = &mut app.overlay {
                *count = match res {
                    Ok(n) => LiveCount::Count(n),
                    Err((m, pos)) => LiveCount::Error(m, pos),
                };
            }
        }
        Response::Facets(gen_, res) if gen_ == g.facets => app.facets = Some(res),
        Response::Detail(gen_, res) if gen_ == g.detail => app.detail = Some(res),
        Response::Copy(res) => match res {
            Ok(json) => {
                app.message = Some((
                    Level::Info,
                    format!("copied the event as JSON ({} bytes, OSC 52)", json.len()),
                ));
                out.push(Effect::Clipboard(json));
            }
            Err(e) => app.message = Some((Level::Error, format!("copy failed: {e}"))),
        },
        Response::Bookmarks(res) => match res {
            Ok((list, said)) => {
                app.bookmarks = list;
                if !said.is_empty() {
                    app.message = Some((Level::Info, said));
                }
                if let Overlay::Bookmarks { selected } = &mut app.overlay {
                    *selected = (*selected).min(app.bookmarks.len().saturating_sub(1));
                }
            }
            Err(e) => app.message = Some((Level::Error, format!("bookmarks: {e}"))),
        },
        Response::Journaled(Err(e)) => {
            app.message = Some((Level::Error, format!("journal: {e}")));
        }
        Response::Exported(res) => match res {
            Ok((path, events, masked)) => {
                let masked = if masked > 0 {
                    format!(", {masked} values masked")
                } else {
                    String::new()
                };
                app.message = Some((
                    Level::Info,
                    format!(
                        "exported {events} events to {}{masked}",
                        crate::text::sanitize(&path.display().to_string())
                    ),
                ));
            }
            Err(e) => app.message = Some((Level::Error, format!("export failed: {e}"))),
        },
        // Stale: a newer request of the same kind is in flight.
        _ => {}
    }
    out
}

fn on_extent(app: &mut App, lo: i64, hi: i64, out: &mut Vec<Effect>) {
    app.extent = Some((lo, hi));
    super::correlation::on_extent(app, lo, hi, out);
    match app.window {
        None => {
            let (from, to) = app.requested_window;
            let from = from.unwrap_or(lo);
            let to = to.unwrap_or(hi).max(from.saturating_add(1));
            app.follow_extent = app.requested_window == (None, None);
            app.window = Some(Window::new(from, to));
            refresh(app, out);
        }
        Some(w) if app.follow_extent && app.live.on && w.to <= hi => {
            // Live: the window grows with the store and the table shows the newest events.
            super::nav::follow(app, out);
        }
        Some(w) if app.follow_extent && (w.from != lo || w.to != hi) => {
            let mut nw = Window::new(lo, hi);
            nw.cursor = w.cursor.clamp(nw.from, nw.to - 1);
            app.window = Some(nw);
            refresh(app, out);
        }
        Some(_) => {
            // New events may have landed inside the window.
            request_histogram(app, out);
        }
    }
}

/// Handles a report from the background pull.
pub fn on_pull(app: &mut App, ev: PullEvent) -> Vec<Effect> {
    let mut out = Vec::new();
    match ev {
        PullEvent::Progress(p) => {
            app.pull = PullStatus::Running {
                stage: p.stage,
                done: p.segments,
                total: p.total_segments,
            };
        }
        PullEvent::Done(res) => match *res {
            Ok(summary) => {
                let problems: Vec<_> = summary.verify.errors().cloned().collect();
                app.pull = PullStatus::Done(if summary.indexed_segments == 0 {
                    "up to date".to_string()
                } else {
                    format!("pulled +{} seg", summary.indexed_segments)
                });
                let key = problems
                    .iter()
                    .map(|p| format!("{}:{:?}", p.kind.as_str(), p.seq))
                    .collect::<Vec<_>>()
                    .join(",");
                let dismissed = app.banner_problems.1.as_deref() == Some(key.as_str());
                app.banner_problems.0 = Some(key);
                if let Some(first) = problems.first().filter(|_| !dismissed) {
                    let at = first
                        .seq
                        .map(|s| format!(" at segment {s}"))
                        .unwrap_or_default();
                    let more = match problems.len() {
                        1 => String::new(),
                        n => format!(" (+{} more)", n - 1),
                    };
                    // Kind and seq first, the hint next, the (long) detail last, where a
                    // narrow screen cuts it.
                    app.banner = Some(format!(
                        "INTEGRITY: {}{at}{more} · nothing unverified is shown · i details · Esc dismiss · {}",
                        first.kind.as_str(),
                        first.detail
                    ));
                }
                if app.live.on && !app.follow_extent {
                    app.live.new_events += summary.indexed_events;
                }
                app.report = Some(summary.verify);
                ask(app, &mut out, Request::Reload);
            }
            Err(e) => {
                app.pull = PullStatus::Failed(e);
                ask(app, &mut out, Request::Reload);
            }
        },
        PullEvent::Alerts(alerts) => super::alerts::on_alerts(app, alerts),
        PullEvent::AlertsFailed(e) => super::alerts::on_failure(app, e),
    }
    out
}

/// Handles a clock tick (every 100 ms): animates the spinner, and reloads the index now and
/// then while a pull is adding to it.
pub fn on_tick(app: &mut App) -> Vec<Effect> {
    let mut out = Vec::new();
    app.tick += 1;
    let indexing =
        matches!(app.pull, PullStatus::Running { stage, .. } if stage != crate::pull::Stage::Fetch);
    if indexing && app.tick % RELOAD_EVERY_TICKS == 0 {
        ask(app, &mut out, Request::Reload);
    }
    out
}
