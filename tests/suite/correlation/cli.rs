//! `trailscope metrics` and `trailscope trace` end to end: the real binary against a real
//! Prometheus serving [`Planted`], the demo store's own `metrics/*.json` and `traces/*.json`,
//! the OTLP fixture, and the Jaeger fixture served by `python3 -m http.server`.
//!
//! The metrics JSON is read into typed structs whose values stay JSON text ([`RawValue`]) until
//! Rust's correctly rounded `str::parse` reads them, so every value is compared exactly
//! (serde_json's default float parsing may be one ULP off). The demo's files are read
//! independently with `serde_json`, never with the crate's loaders.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use trailscope::event::time::{TimeNs, parse_rfc3339_ns};
use trailscope::event::{AuditEvent, Mapping, Outcome};

use super::metrics::{Planted, planted_server};
use crate::common::{Run, Sandbox, all_body_lines};
use crate::console_common::scratch_dir;
use crate::servers::http_server;

const SEC: TimeNs = 1_000_000_000;
/// The demo's metric files, in the order the store lists them.
const METRIC_FILES: [&str; 4] = [
    "cpu.json",
    "error_rate.json",
    "p99_latency.json",
    "request_rate.json",
];
/// Trace A of the OTLP fixture.
const SHOP_A: &str = "5b8efff798038103d269b633813fc60c";
/// Trace B of the OTLP fixture.
const SHOP_B: &str = "0af7651916cd43dd8448eb211c80319c";
/// The Jaeger fixture's trace (not in the OTLP fixture).
const JAEGER_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
/// An id no source has (the Jaeger fixture answers it with 404).
const UNKNOWN_ID: &str = "e0000000000000000000000000000009";

/// `trailscope metrics --json`.
#[derive(Debug, Deserialize)]
struct Report {
    from: TimeNs,
    to: TimeNs,
    series: Vec<JsonSeries>,
    anomalies: Vec<JsonAnomaly>,
    errors: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct JsonSeries {
    label: String,
    source: String,
    labels: BTreeMap<String, String>,
    unit: String,
    points: Vec<JsonPoint>,
}

#[derive(Debug, Deserialize)]
struct JsonPoint {
    t: TimeNs,
    v: Box<RawValue>,
}

#[derive(Debug, Deserialize)]
struct JsonAnomaly {
    series: usize,
    label: String,
    start: TimeNs,
    peak: TimeNs,
    value: Box<RawValue>,
    median: f64,
    score: f64,
}

/// A JSON number's exact value.
fn exact(v: &RawValue) -> f64 {
    v.get()
        .parse()
        .unwrap_or_else(|e| panic!("{} is not a number: {e}", v.get()))
}

impl JsonSeries {
    fn points(&self) -> Vec<(TimeNs, f64)> {
        self.points.iter().map(|p| (p.t, exact(&p.v))).collect()
    }
}

#[track_caller]
fn report(run: &Run) -> Report {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not a metrics report ({e})\n{run}"))
}

/// `YYYY-MM-DD HH:MM:SS UTC`, as the human output writes times.
fn utc(t: TimeNs) -> String {
    chrono::DateTime::from_timestamp_nanos(t)
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

fn at(rfc3339: &str) -> TimeNs {
    parse_rfc3339_ns(rfc3339).expect("a fixed time")
}

fn fixture(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    assert!(p.exists(), "missing fixture {}", p.display());
    p.to_str().expect("UTF-8 path").to_string()
}

/// A clean demo store written by `trailscope demo --no-open --clean`, once per process, under
/// the scratch directory (removed by a later run); never pulled.
fn demo_store() -> &'static str {
    static STORE: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();
    let (_, path) = STORE.get_or_init(|| {
        let dir = scratch_dir();
        let store = dir.path().join("demo");
        let path = store.to_str().expect("UTF-8 path").to_string();
        let sb = Sandbox::new();
        sb.ts(&["demo", "--no-open", "--clean", "--dir", &path])
            .ok()
            .stdout_has("metrics/");
        (dir, path)
    });
    path
}

/// One metric file of the demo, read with serde_json alone.
struct MetricFile {
    name: &'static str,
    label: String,
    unit: String,
    labels: BTreeMap<String, String>,
    points: Vec<(TimeNs, f64)>,
}

fn metric_files(store: &Path) -> Vec<MetricFile> {
    METRIC_FILES
        .iter()
        .map(|name| {
            let path = store.join("metrics").join(name);
            let v: Value = serde_json::from_slice(&fs::read(&path).expect("metric file"))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let result = v["data"]["result"].as_array().expect("result");
            assert_eq!(result.len(), 1, "{name}");
            let labels = result[0]["metric"]
                .as_object()
                .expect("metric")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("label").to_string()))
                .collect();
            let points = result[0]["values"]
                .as_array()
                .expect("values")
                .iter()
                .map(|p| {
                    let secs = p[0].as_i64().unwrap_or_else(|| panic!("{name}: {p}"));
                    let v: f64 = p[1].as_str().expect("value").parse().expect("number");
                    assert!(v.is_finite(), "{name}: {p}");
                    (secs * SEC, v)
                })
                .collect();
            let text = |k: &str| v["trailscope"][k].as_str().expect(k).to_string();
            MetricFile {
                name,
                label: text("label"),
                unit: text("unit"),
                labels,
                points,
            }
        })
        .collect()
}

/// The demo's audit events.
fn demo_events() -> Vec<AuditEvent> {
    let m = Mapping::default();
    all_body_lines(Path::new(demo_store()))
        .iter()
        .map(|l| m.map_record(l).expect("demo events map"))
        .collect()
}

/// The first line of `text` starting with `prefix`.
#[track_caller]
fn line_starting<'t>(text: &'t str, prefix: &str) -> &'t str {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with {prefix:?} in\n{text}"))
}

#[test]
fn metrics_from_a_real_prometheus_give_every_sample_and_the_planted_onsets_then_it_stops() {
    let planted = Planted::new();
    let Some((mut server, _data)) = planted_server(&planted) else {
        return;
    };
    let url = server.url();
    let sb = Sandbox::new();
    fs::create_dir(sb.path("empty")).expect("empty store dir");
    let args = |json: bool| {
        let mut a = vec![
            "metrics",
            "empty",
            "--prometheus",
            &url,
            "--metric",
            "load=ts_test_load",
            "--from",
            "2026-11-24T01:00:00Z",
            "--to",
            "2026-11-24T03:00:00Z",
            "--step",
            "15s",
        ];
        if json {
            a.push("--json");
        }
        a
    };
    let run = sb.ts(&args(true)).ok();
    let r = report(&run);
    assert_eq!(
        (r.from, r.to),
        (planted.start, at("2026-11-24T03:00:00Z")),
        "{run}"
    );
    assert!(r.errors.is_empty(), "{run}");
    let labels: Vec<&str> = r.series.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, [r#"load{host="a"}"#, r#"load{host="b"}"#]);
    for ((s, host), written) in r.series.iter().zip(["a", "b"]).zip(&planted.written) {
        assert_eq!(s.source, format!("prometheus {url}: ts_test_load"));
        assert_eq!(s.unit, "");
        let want: BTreeMap<String, String> = [("__name__", "ts_test_load"), ("host", host)]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        assert_eq!(s.labels, want);
        // Every written sample, at its time, with its very value; nothing else.
        assert_eq!(&s.points(), written, "{}", s.label);
    }
    assert_eq!(r.series[0].points.len(), 480);
    assert_eq!(r.series[1].points.len(), 440, "40 samples of b are a hole");
    assert!(
        r.series[1]
            .points
            .iter()
            .all(|p| p.t < planted.hole.0 || p.t > planted.hole.1),
        "a point inside the hole"
    );

    let onsets: Vec<(usize, &str, TimeNs)> = r
        .anomalies
        .iter()
        .map(|a| (a.series, a.label.as_str(), a.start))
        .collect();
    assert_eq!(
        onsets,
        [
            (0, r#"load{host="a"}"#, planted.burst_start),
            (1, r#"load{host="b"}"#, planted.drop_start)
        ],
        "{run}"
    );
    let burst = &r.anomalies[0];
    assert_eq!((burst.peak, exact(&burst.value)), planted.burst_peak);
    assert!(
        burst.score > 5.0 && (burst.median - 50.0).abs() < 1.0,
        "{burst:?}"
    );
    let dip = &r.anomalies[1];
    assert!(
        dip.score > 5.0 && exact(&dip.value) < dip.median - 10.0,
        "{dip:?}"
    );

    // The same as text: the range, each series' count, and the onsets with their times.
    let run = sb.ts(&args(false)).ok();
    let out = &run.stdout;
    assert_eq!(
        out.lines().next(),
        Some(
            "metrics from 2026-11-24 01:00:00 UTC to 2026-11-24 03:00:00 UTC (unverified: not covered by the store's chain)"
        ),
        "{run}"
    );
    line_starting(out, r#"load{host="a"}  480 points  min "#);
    line_starting(out, r#"load{host="b"}  440 points  min "#);
    assert!(out.contains(&format!("  source: prometheus {url}: ts_test_load\n")));
    let anomalies: Vec<&str> = out.lines().filter(|l| l.starts_with("anomaly")).collect();
    assert_eq!(anomalies.len(), 2, "{run}");
    assert!(
        anomalies[0].starts_with(&format!(
            r#"anomaly  load{{host="a"}}  from {}  peak "#,
            utc(planted.burst_start)
        )) && anomalies[0].contains(&format!(" at {}  (median ", utc(planted.burst_peak.0))),
        "{run}"
    );
    assert!(
        anomalies[1].starts_with(&format!(
            r#"anomaly  load{{host="b"}}  from {}  peak "#,
            utc(planted.drop_start)
        )),
        "{run}"
    );
    assert_eq!(utc(planted.burst_start), "2026-11-24 01:50:00 UTC");
    assert_eq!(utc(planted.drop_start), "2026-11-24 02:22:30 UTC");

    // Prometheus gone: exit 1, the error names the server and the query, the store's own
    // series are still printed.
    server.stop();
    let demo = demo_store();
    let files = metric_files(Path::new(demo));
    let down = |json: bool| {
        let mut a = vec![
            "metrics",
            demo,
            "--prometheus",
            &url,
            "--metric",
            "load=ts_test_load",
        ];
        if json {
            a.push("--json");
        }
        sb.ts(&a).code(1)
    };
    let run = down(true);
    let r = report(&run);
    let labels: Vec<&str> = r.series.iter().map(|s| s.label.as_str()).collect();
    let want: Vec<&str> = files.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(labels, want, "{run}");
    for (s, f) in r.series.iter().zip(&files) {
        assert_eq!(s.points(), f.points, "{}", f.name);
    }
    let prefix = format!("prometheus {url}: ts_test_load: cannot connect");
    assert_eq!(r.errors.len(), 1, "{run}");
    assert!(r.errors[0].starts_with(&prefix), "{run}");
    let err_lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(err_lines.len(), 1, "{run}");
    assert!(
        err_lines[0].starts_with(&format!("trailscope: error: {prefix}")),
        "{run}"
    );
    let run = down(false);
    for f in &files {
        line_starting(
            &run.stdout,
            &format!("{} {}  {} points  ", f.label, f.unit, f.points.len()),
        );
        assert!(
            run.stdout
                .contains(&format!("  source: store metrics/{}\n", f.name))
        );
    }
    assert!(
        run.stderr
            .starts_with(&format!("trailscope: error: {prefix}")),
        "{run}"
    );
}

#[test]
fn metrics_of_the_demo_store_are_its_files_with_the_error_rate_onset_after_the_change() {
    let demo = demo_store();
    let files = metric_files(Path::new(demo));
    let sb = Sandbox::new();
    let run = sb.ts(&["metrics", demo, "--json"]).ok();
    let r = report(&run);
    assert!(r.errors.is_empty(), "{run}");
    assert_eq!(r.series.len(), files.len(), "{run}");
    for (s, f) in r.series.iter().zip(&files) {
        assert_eq!(
            (s.label.as_str(), s.unit.as_str(), s.source.as_str()),
            (
                f.label.as_str(),
                f.unit.as_str(),
                format!("store metrics/{}", f.name).as_str()
            )
        );
        assert_eq!(s.labels, f.labels, "{}", f.name);
        assert_eq!(s.points.len(), f.points.len(), "{}", f.name);
        assert_eq!(s.points(), f.points, "{}", f.name);
    }
    assert_eq!(
        files.iter().map(|f| f.label.as_str()).collect::<Vec<_>>(),
        ["cpu", "error rate", "p99 latency", "request rate"]
    );
    // Not pulled and no --from/--to: the files whole, and the range they cover.
    let first = files.iter().map(|f| f.points[0].0).min().unwrap();
    let last = files
        .iter()
        .map(|f| f.points.last().unwrap().0)
        .max()
        .unwrap();
    assert_eq!((r.from, r.to), (first, last + 1));

    // The anomalies are sorted by onset and name their series.
    assert!(r.anomalies.windows(2).all(|w| w[0].start <= w[1].start));
    for a in &r.anomalies {
        assert_eq!(a.label, r.series[a.series].label);
    }
    // The config change, from the audit events themselves.
    let change = demo_events()
        .iter()
        .filter(|e| e.action == "patch" && e.resource == "configmaps/prod/payments-config")
        .map(|e| e.time)
        .min()
        .expect("the config change");
    assert_eq!(utc(change), "2026-11-24 01:49:12 UTC");
    let error_rate = &files[1];
    let first_after = error_rate
        .points
        .iter()
        .find(|(t, _)| *t > change)
        .expect("a sample after the change")
        .0;
    let onset = r
        .anomalies
        .iter()
        .find(|a| a.label == "error rate")
        .expect("an error-rate anomaly")
        .start;
    assert_eq!(onset, first_after, "{run}");
    assert_eq!(utc(onset), "2026-11-24 01:49:15 UTC");

    let run = sb.ts(&["metrics", demo]).ok();
    for f in &files {
        line_starting(
            &run.stdout,
            &format!("{} {}  {} points  min ", f.label, f.unit, f.points.len()),
        );
    }
    line_starting(
        &run.stdout,
        &format!("anomaly  error rate  from {}  peak ", utc(onset)),
    );
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with("anomaly"))
            .count(),
        r.anomalies.len()
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn metrics_usage_errors_exit_2_and_say_what_is_wrong() {
    let sb = Sandbox::new();
    fs::create_dir(sb.path("empty")).expect("empty store dir");
    let run = sb
        .ts(&["metrics", "empty", "--metric", "load=ts_test_load"])
        .code(2);
    assert_eq!(
        run.stderr,
        "trailscope: error: --metric (or [[metrics]] in the config) needs a Prometheus: --prometheus URL or prometheus = \"URL\" in the config\n",
        "{run}"
    );
    assert_eq!(run.stdout, "");

    let run = sb
        .ts(&[
            "metrics",
            "empty",
            "--prometheus",
            "http://127.0.0.1:9",
            "--metric",
            "noequals",
        ])
        .code(2);
    assert!(
        run.stderr.starts_with(
            "error: invalid value 'noequals' for '--metric <LABEL=PROMQL>': \"noequals\": no '=' between the label and the PromQL"
        ),
        "{run}"
    );
    assert!(run.stderr.contains("expected LABEL=PROMQL"), "{run}");
    assert_eq!(run.stdout, "");

    // A selector where the label should be: the PromQL's own `=` is not taken for the split.
    let run = sb
        .ts(&[
            "metrics",
            "empty",
            "--prometheus",
            "http://127.0.0.1:9",
            "--metric",
            "up{job=\"api\"}",
        ])
        .code(2);
    assert!(run.stderr.contains("looks like PromQL"), "{run}");
}

/// `(trace id, span id)` of every span of an OTLP file (one request per line), read with
/// serde_json.
fn otlp_spans(path: &Path) -> Vec<(String, String)> {
    let text = fs::read_to_string(path).expect("OTLP file");
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).expect("an OTLP line");
        for r in v["resourceSpans"].as_array().expect("resourceSpans") {
            for ss in r["scopeSpans"].as_array().expect("scopeSpans") {
                for s in ss["spans"].as_array().expect("spans") {
                    let id = |k: &str| s[k].as_str().expect(k).to_string();
                    out.push((id("traceId"), id("spanId")));
                }
            }
        }
    }
    out
}

fn span_ids(trace: &Value) -> BTreeSet<String> {
    trace["spans"]
        .as_array()
        .expect("spans")
        .iter()
        .map(|s| s["span_id"].as_str().expect("span_id").to_string())
        .collect()
}

#[test]
fn trace_from_an_otlp_file_prints_the_tree_and_the_spans_as_json() {
    let sb = Sandbox::new();
    fs::create_dir(sb.path("empty")).expect("empty store dir");
    let shop = fixture("otlp/shop.json");
    let run = sb
        .ts(&["trace", "empty", &SHOP_A.to_uppercase(), "--otlp", &shop])
        .ok();
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        [
            "trace 5b8efff798038103d269b633813fc60c  4 spans  2 services  1.042 s  ERROR",
            "  0.000 s  1.042 s  checkout  POST /checkout  [server]",
            "    0.010 s  1.020 s  payments  POST /charge  [server]  ERROR: boom",
            "      0.015 s  0.900 s  payments  SELECT orders  [client]",
            "    1.035 s  0.005 s  checkout  publish receipt  [producer]",
        ],
        "{run}"
    );
    // A W3C traceparent names the same trace.
    let tp = format!("00-{SHOP_B}-b7ad6b7169203331-01");
    let run = sb.ts(&["trace", "empty", &tp, "--otlp", &shop]).ok();
    assert_eq!(
        run.stdout.lines().next(),
        Some("trace 0af7651916cd43dd8448eb211c80319c  3 spans  1 service  0.400 s  ERROR"),
        "{run}"
    );

    let run = sb
        .ts(&["trace", "empty", SHOP_A, "--otlp", &shop, "--json"])
        .ok();
    let t = run.json();
    assert_eq!(t["trace_id"], SHOP_A);
    let spans = t["spans"].as_array().expect("spans");
    // name | span id | parent | service | status
    let got: Vec<String> = spans
        .iter()
        .map(|s| {
            let f = |k: &str| s[k].as_str().unwrap_or("-").to_string();
            [
                f("name"),
                f("span_id"),
                f("parent_span_id"),
                f("service"),
                f("status"),
            ]
            .join(" | ")
        })
        .collect();
    assert_eq!(
        got,
        [
            "POST /checkout | eee19b7ec3c1b173 | - | checkout | unset",
            "POST /charge | eee19b7ec3c1b174 | eee19b7ec3c1b173 | payments | error",
            "SELECT orders | eee19b7ec3c1b175 | eee19b7ec3c1b174 | payments | unset",
            "publish receipt | eee19b7ec3c1b176 | eee19b7ec3c1b173 | checkout | ok",
        ],
        "{run}"
    );
    assert_eq!(spans[0]["parent_span_id"], Value::Null);
    let t0 = 1_544_712_660_000_000_000_i64;
    assert_eq!(
        (spans[1]["start"].as_i64(), spans[1]["end"].as_i64()),
        (Some(t0 + 10_000_000), Some(t0 + 1_030_000_000))
    );
    assert_eq!(spans[1]["status_message"], "boom");
    assert_eq!(spans[1]["events"][0]["name"], "exception");

    // A malformed id never reaches a source.
    let run = sb.ts(&["trace", "empty", "../../etc/passwd"]).code(2);
    assert_eq!(
        run.stderr,
        "trailscope: error: \"../../etc/passwd\" is not a trace id (32 hex digits, or a W3C traceparent)\n",
        "{run}"
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn trace_of_a_failing_charge_comes_from_the_demo_store_s_traces() {
    let demo = demo_store();
    let sb = Sandbox::new();
    let failed = demo_events()
        .into_iter()
        .filter(|e| e.action == "payments.charge" && e.outcome == Outcome::Failure)
        .min_by_key(|e| e.time)
        .expect("a failing charge");
    let id = failed.trace_id.clone().expect("charges carry a trace id");
    let all_spans = otlp_spans(&PathBuf::from(demo).join("traces/payments.json"));
    let want: BTreeSet<String> = all_spans
        .iter()
        .filter(|(t, _)| *t == id)
        .map(|(_, s)| s.clone())
        .collect();
    assert!(want.len() >= 3, "{want:?}");

    let run = sb.ts(&["trace", demo, &id]).ok();
    let head = run.stdout.lines().next().unwrap_or_default();
    assert!(
        head.starts_with(&format!("trace {id}  {} spans  ", want.len())) && head.ends_with("ERROR"),
        "{run}"
    );
    assert_eq!(run.stdout.lines().count(), want.len() + 1, "{run}");
    assert!(
        run.stdout
            .lines()
            .any(|l| l.contains("  payments  POST /charge  [server]  ERROR")),
        "{run}"
    );
    let t = sb.ts(&["trace", demo, &id, "--json"]).ok().json();
    assert_eq!(span_ids(&t), want);
    let logged = t["spans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["span_id"].as_str() == failed.span_id.as_deref())
        .expect("the span the audit line names");
    assert_eq!(
        (&logged["name"], &logged["status"]),
        (&Value::from("POST /charge"), &Value::from("error"))
    );

    // Not among them: exit 1, counting the traces searched.
    let run = sb.ts(&["trace", demo, UNKNOWN_ID]).code(1);
    let n = all_spans
        .iter()
        .map(|(t, _)| t)
        .collect::<BTreeSet<_>>()
        .len();
    assert_eq!(
        run.stderr,
        format!(
            "trailscope: trace {UNKNOWN_ID} not found (searched: {n} traces in {}/traces)\n",
            fs::canonicalize(demo).unwrap().display()
        ),
        "{run}"
    );
}

#[test]
fn trace_not_in_a_file_comes_from_jaeger_and_a_missing_one_says_where_it_looked() {
    let Some(mut server) = http_server(Path::new(&fixture("jaeger"))) else {
        return;
    };
    let jaeger = server.url();
    let sb = Sandbox::new();
    fs::create_dir(sb.path("empty")).expect("empty store dir");
    let shop = fixture("otlp/shop.json");
    let with_both = |id: &str| sb.ts(&["trace", "empty", id, "--otlp", &shop, "--jaeger", &jaeger]);
    let run = with_both(JAEGER_ID).ok();
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        [
            "trace 4bf92f3577b34da6a3ce929d0e0e4736  4 spans  2 services  0.250 s  ERROR",
            "  0.000 s  0.250 s  frontend  GET /dispatch  [server]  ERROR: upstream failed",
            "    0.005 s  0.100 s  frontend  HTTP GET /customer  [client]",
            "      0.010 s  0.080 s  customer  SQL SELECT  [client]  ERROR: deadlock",
            "    0.200 s  0.010 s  customer  publish",
        ],
        "{run}"
    );
    // In a file: Jaeger is not asked.
    with_both(SHOP_A).ok().stdout_has("POST /checkout");
    let log = server.log();
    assert!(
        log.contains(&format!("GET /api/traces/{JAEGER_ID} ")),
        "{log}"
    );
    assert!(
        !log.contains(SHOP_A),
        "Jaeger was asked for a trace in a file:\n{log}"
    );

    // Nowhere: exit 1, saying where it looked.
    let run = with_both(UNKNOWN_ID).code(1);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "trailscope: trace {UNKNOWN_ID} not found (searched: 0 traces in {}/traces, {shop}, Jaeger {jaeger})\n",
            fs::canonicalize(sb.path("empty")).unwrap().display()
        ),
        "{run}"
    );

    // Jaeger gone: an error (exit 2) naming the URL asked, not a "not found".
    server.stop();
    let run = sb
        .ts(&["trace", "empty", UNKNOWN_ID, "--jaeger", &jaeger])
        .code(2);
    assert!(
        run.stderr.starts_with(&format!(
            "trailscope: error: {jaeger}/api/traces/{UNKNOWN_ID}: "
        )),
        "{run}"
    );
}
