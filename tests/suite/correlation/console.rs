//! The console's metrics and traces with real servers: the pulled demo store beside a real
//! Prometheus serving [`Planted`] (the same two hours as the demo's events), and the Jaeger
//! fixture served by `python3 -m http.server`, driven through the console harness (the real
//! `update` functions, the correlation worker answering synchronously).
//!
//! What Prometheus should answer is worked out from the written samples and its lookback
//! ([`PROMETHEUS_LOOKBACK`]): an evaluation at `e` gives the last sample at or before `e` that
//! is at most the lookback old, or nothing.

use std::path::Path;

use trailscope::event::time::TimeNs;
use trailscope::metrics::{PromQuery, Prometheus, Series};
use trailscope::trace::Trace;
use trailscope::tui::correlate::{CRequest, CResponse, Sources};
use trailscope::tui::state::Overlay;
use trailscope::tui::state::correlation::{TraceLookup, TraceView};
use trailscope::tui::theme::Theme;
use trailscope::tui::update::{Effect, on_resize};
use trailscope::tui::view::layout::histogram_columns;

use super::metrics::{Planted, planted_server};
use crate::console_common::{Console, SMALL, WIDE, demo};
use crate::servers::{PROMETHEUS_LOOKBACK, http_server};

const MS: i64 = 1_000_000;
/// Labels of the demo store's metric files, in file order.
const STORE_LABELS: [&str; 4] = ["cpu", "error rate", "p99 latency", "request rate"];
/// The Prometheus lines follow the store's.
const PROM_LABELS: [&str; 2] = [r#"load{host="a"}"#, r#"load{host="b"}"#];
/// The Jaeger fixture's trace (in no file).
const JAEGER_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

fn query() -> PromQuery {
    "load=ts_test_load".parse().expect("query")
}

fn theme() -> Theme {
    Theme::load(None, None, false).expect("theme")
}

/// The servers' lookback in ns.
fn lookback() -> i64 {
    PROMETHEUS_LOOKBACK
        .strip_suffix("ms")
        .and_then(|ms| ms.parse::<i64>().ok())
        .expect("PROMETHEUS_LOOKBACK in ms")
        * MS
}

/// What an evaluation at `e` sees of `written`: `Some(Some(v))` the last sample at most the
/// lookback old, `Some(None)` nothing; `None` when a sample is exactly the lookback old
/// (Prometheus 2 includes it, 3 does not: such evaluation times are left out of comparisons).
fn seen_at(written: &[(TimeNs, f64)], e: TimeNs) -> Option<Option<f64>> {
    let lb = lookback();
    if written.iter().any(|(t, _)| e - t == lb) {
        return None;
    }
    let i = written.partition_point(|(t, _)| *t <= e);
    Some(
        i.checked_sub(1)
            .map(|j| written[j])
            .filter(|(t, _)| e - t < lb)
            .map(|(_, v)| v),
    )
}

/// The points Prometheus evaluates on the grid `origin + k × step`, `k` in `0..n`.
fn expected_on_grid(
    written: &[(TimeNs, f64)],
    origin: TimeNs,
    step: i64,
    n: usize,
) -> (Vec<(TimeNs, f64)>, Vec<TimeNs>) {
    let mut points = Vec::new();
    let mut ambiguous = Vec::new();
    for k in 0..n as i64 {
        let e = origin + k * step;
        match seen_at(written, e) {
            Some(Some(v)) => points.push((e, v)),
            Some(None) => {}
            None => ambiguous.push(e),
        }
    }
    (points, ambiguous)
}

fn points(s: &Series, skip: &[TimeNs]) -> Vec<(TimeNs, f64)> {
    s.points
        .iter()
        .filter(|p| !skip.contains(&p.t))
        .map(|p| (p.t, p.v))
        .collect()
}

/// The Prometheus lines' `detail` is the window's query: one point per bucket start (the first
/// bucket's rounded down to the millisecond Prometheus is asked from), the values the written
/// samples give there, and exactly what `query_range` answers for that start and step.
#[track_caller]
fn check_detail(c: &Console, url: &str, planted: &Planted) {
    let app = &c.app;
    let w = app.window.expect("a window");
    let cols = histogram_columns(app);
    let (from, width) = (w.bucket_start(0, cols), w.bucket_width(cols));
    let origin = from.div_euclid(MS) * MS;
    for k in 1..cols {
        assert_eq!(origin + k as i64 * width, w.bucket_start(k, cols));
    }
    let asked = Prometheus::new(url)
        .expect("client")
        .query_range(&query(), from, from + width * (cols as i64 - 1), width)
        .expect("the window's query");
    for (i, written) in planted.written.iter().enumerate() {
        let line = &app.correlation.lines[STORE_LABELS.len() + i];
        let detail = line
            .detail
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no detail for {w:?}", PROM_LABELS[i]));
        assert_eq!(detail.label, PROM_LABELS[i]);
        assert_eq!(
            Some(detail),
            asked.get(i),
            "the window's query_range answer"
        );
        let (want, ambiguous) = expected_on_grid(written, origin, width, cols);
        assert!(!want.is_empty(), "no sample in {w:?}");
        assert_eq!(points(detail, &ambiguous), want, "{}", detail.label);
    }
    // Store lines have no finer source: their overview is drawn.
    for line in &app.correlation.lines[..STORE_LABELS.len()] {
        assert_eq!(line.detail, None, "{}", line.overview.label);
    }
}

#[test]
fn prometheus_lines_join_the_demo_s_with_their_anomalies_and_follow_the_window() {
    let planted = Planted::new();
    let Some((server, _data)) = planted_server(&planted) else {
        return;
    };
    let url = server.url();
    let pulled = demo(false);
    let sources = Sources {
        store: Some(pulled.store_dir.to_string_lossy().into_owned()),
        prometheus: Some(url.clone()),
        queries: vec![query()],
        ..Sources::default()
    };
    let mut c = Console::with_sources(pulled, WIDE, theme(), sources);
    let corr = &c.app.correlation;
    assert!(corr.errors.is_empty(), "{:?}", corr.errors);
    let labels: Vec<&str> = corr
        .lines
        .iter()
        .map(|l| l.overview.label.as_str())
        .collect();
    let want: Vec<&str> = STORE_LABELS.iter().chain(&PROM_LABELS).copied().collect();
    assert_eq!(labels, want);
    for line in &corr.lines[4..] {
        assert_eq!(
            line.overview.source,
            format!("prometheus {url}: ts_test_load")
        );
    }

    // The overview covers the store's extent on a regular grid, finer than the samples, and
    // says what the samples say there (host b's hole included).
    let (lo, hi) = c.app.extent.expect("the demo's extent");
    assert_eq!(corr.loaded_for, Some((lo, hi)));
    let mut onsets = Vec::new();
    for (i, written) in planted.written.iter().enumerate() {
        let o = &corr.lines[4 + i].overview;
        let step = o.points[1].t - o.points[0].t;
        assert!(step > 0 && step < 15 * 1_000_000_000, "step {step}");
        assert_eq!(o.points[0].t, lo.div_euclid(MS) * MS, "{}", o.label);
        let n = ((hi.div_euclid(MS) * MS + MS - 1 - o.points[0].t) / step + 1) as usize;
        let (want, ambiguous) = expected_on_grid(written, o.points[0].t, step, n);
        assert_eq!(points(o, &ambiguous), want, "{}", o.label);
        assert!(o.points.len() > 1000, "{} points", o.points.len());
        // The onset on this grid: the first evaluation that sees the first anomalous sample.
        let planted_at = [planted.burst_start, planted.drop_start][i];
        let onset = o
            .points
            .iter()
            .find(|p| p.t >= planted_at)
            .expect("points after the onset")
            .t;
        assert!(onset - planted_at < step);
        onsets.push(onset);
    }
    for (i, onset) in onsets.iter().enumerate() {
        let found: Vec<TimeNs> = corr
            .anomalies
            .iter()
            .filter(|a| a.series == 4 + i)
            .map(|a| a.start)
            .collect();
        assert_eq!(found, [*onset], "{}", PROM_LABELS[i]);
    }
    assert!(
        corr.anomalies.iter().any(|a| a.label == "error rate"),
        "the store's anomalies are still there"
    );
    assert!(corr.anomalies.windows(2).all(|w| w[0].start <= w[1].start));

    // Every window gets the query at its buckets.
    check_detail(&c, &url, &planted);
    for _ in 0..3 {
        c.press("+");
        check_detail(&c, &url, &planted);
    }
    let w = c.app.window.unwrap();
    assert!(w.width() <= (hi - lo) / 7, "zoomed in: {w:?}");

    // `a` from just before the burst reaches it; the window then holds the events around it.
    // (Walked to from the start with `a` alone it is not reached: after a jump the cursor sits
    // before the anomaly jumped to, so `a` finds the same one again; see the report.)
    let burst = onsets[0];
    c.app.window.as_mut().unwrap().set_cursor(burst - 1);
    c.press("a");
    let (before, after) = c.app.correlation.around;
    let w = c.app.window.unwrap();
    assert_eq!((w.from, w.to), (burst - before, burst + after));
    let anomalies = &c.app.correlation.anomalies;
    let nth = anomalies
        .iter()
        .position(|a| a.start == burst)
        .expect("the burst's anomaly");
    let (an, total) = (anomalies[nth].clone(), anomalies.len());
    assert_eq!(an.label, PROM_LABELS[0]);
    let clock = |t: TimeNs| {
        chrono::DateTime::from_timestamp_nanos(t)
            .format("%H:%M:%S")
            .to_string()
    };
    let crumb = &c.app.crumbs.last().expect("a breadcrumb step").label;
    assert_eq!(crumb, &format!("⚠ {} {}", PROM_LABELS[0], clock(burst)));
    let (_, message) = c.app.message.clone().expect("a message");
    assert!(
        message.starts_with(&format!(
            "anomaly {}/{total}: {} from {}, peak ",
            nth + 1,
            PROM_LABELS[0],
            clock(burst)
        )) && message.contains(&format!(" at {} ", clock(an.peak))),
        "{message}"
    );
    // The peak is the burst's highest sample, seen at the first evaluation after it.
    assert_eq!(an.value, planted.burst_peak.1);
    assert!(an.peak >= planted.burst_peak.0 && an.peak - planted.burst_peak.0 < 15_000 * MS);
    check_detail(&c, &url, &planted);

    // The legend names the Prometheus lines once the terminal has room for all six (at 160
    // columns the store's four fill it); the wider window's buckets are asked for again.
    let fx = on_resize(&mut c.app, 260, 48);
    c.run(fx);
    check_detail(&c, &url, &planted);
    let screen = c.screen();
    let legend = screen
        .lines()
        .find(|l| l.starts_with("metrics unverified"))
        .unwrap_or_else(|| panic!("no metrics legend:\n{screen}"));
    for label in PROM_LABELS {
        // ` · LABEL VALUE [MIN–MAX]`: the window holds samples of both hosts.
        let entry = legend
            .split(" · ")
            .find(|e| e.starts_with(&format!("{label} ")))
            .unwrap_or_else(|| panic!("{label} is not in the legend: {legend}"));
        assert!(
            entry.ends_with(']') && !entry.contains("no data here"),
            "{legend}"
        );
    }
    drop(server);
}

/// `(depth, span name)` of the tree rows.
fn tree_names(t: &Trace) -> Vec<(usize, &str)> {
    t.tree()
        .iter()
        .map(|r| (r.depth, t.spans[r.span].name.as_str()))
        .collect()
}

#[test]
fn a_trace_in_no_file_is_fetched_from_jaeger_and_a_missing_one_names_it() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jaeger");
    let Some(mut server) = http_server(&fixture) else {
        return;
    };
    let url = server.url();
    let pulled = demo(false);
    let sources = Sources {
        store: Some(pulled.store_dir.to_string_lossy().into_owned()),
        jaeger: Some(url.clone()),
        ..Sources::default()
    };
    let mut c = Console::with_sources(pulled, SMALL, theme(), sources);
    let loaded = c.app.correlation.trace_count;
    assert!(loaded > 200, "{loaded} traces from the store");

    let ask = |c: &mut Console, id: &str| {
        c.correlator.answer(CRequest::Trace {
            generation: 7,
            trace_id: id.to_string(),
        })
    };
    match ask(&mut c, &JAEGER_ID.to_uppercase()) {
        CResponse::Trace(7, id, Ok(Ok(t))) => {
            assert_eq!(id, JAEGER_ID.to_uppercase(), "the id as asked");
            assert_eq!(t.trace_id, JAEGER_ID);
            assert_eq!(
                tree_names(&t),
                [
                    (0, "GET /dispatch"),
                    (1, "HTTP GET /customer"),
                    (2, "SQL SELECT"),
                    (1, "publish")
                ]
            );
            assert_eq!(t.services(), ["customer", "frontend"]);
            assert!(t.has_error());
        }
        other => panic!("{other:?}\n{}", server.log()),
    }
    // A trace of the store comes from the store: Jaeger is not asked.
    let hit = c
        .all_in_window()
        .into_iter()
        .find(|h| h.trace_id.is_some())
        .expect("an event with a trace id");
    let store_id = hit.trace_id.unwrap();
    match ask(&mut c, &store_id) {
        CResponse::Trace(7, _, Ok(Ok(t))) => assert_eq!(t.trace_id, store_id),
        other => panic!("{other:?}"),
    }
    let log = server.log();
    assert_eq!(
        log.matches("GET /api/traces/").count(),
        1,
        "Jaeger asked once, for its trace only:\n{log}"
    );
    assert!(
        log.contains(&format!("GET /api/traces/{JAEGER_ID} ")),
        "{log}"
    );

    // Nowhere: the message says what was searched, Jaeger included.
    let unknown = "e0000000000000000000000000000009";
    match ask(&mut c, unknown) {
        CResponse::Trace(7, _, Ok(Err(why))) => assert_eq!(
            why,
            format!("trace {unknown} not found (searched: {loaded} loaded traces, Jaeger {url})")
        ),
        other => panic!("{other:?}"),
    }

    // The waterfall's way: the answer lands in the view, the span it was opened from selected.
    c.app.generations.trace += 1;
    let generation = c.app.generations.trace;
    c.app.correlation.trace = Some(TraceView {
        trace_id: JAEGER_ID.to_string(),
        from_span: Some("00000000000000a1".to_string()),
        lookup: TraceLookup::Loading,
    });
    c.app.overlay = Overlay::Waterfall { selected: 0 };
    c.app.pending += 1;
    c.run(vec![Effect::Correlate(Box::new(CRequest::Trace {
        generation,
        trace_id: JAEGER_ID.to_string(),
    }))]);
    let view = c.app.correlation.trace.as_ref().expect("a trace view");
    assert!(
        matches!(&view.lookup, TraceLookup::Found(t) if t.trace_id == JAEGER_ID),
        "{:?}",
        view.lookup
    );
    assert_eq!(c.app.overlay, Overlay::Waterfall { selected: 1 });
    let screen = c.screen();
    assert!(screen.contains(&format!("trace {JAEGER_ID}")), "{screen}");
    assert!(screen.contains("HTTP GET /customer"), "{screen}");

    // Jaeger gone: a failure naming the URL asked, not a "not found".
    server.stop();
    match ask(&mut c, unknown) {
        CResponse::Trace(7, _, Err(e)) => {
            assert!(e.contains(&format!("{url}/api/traces/{unknown}")), "{e}")
        }
        other => panic!("{other:?}"),
    }
}
