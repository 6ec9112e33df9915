//! The demo's correlated data: `trailscope demo` writes `metrics/*.json` and
//! `traces/payments.json` beside the sealed store, and they tell the same story as the audit
//! events: the failing `payments` charges carry trace ids whose traces show the error, and the
//! error rate jumps right after the config change.
//!
//! The files are read with `serde_json` directly, so these tests check the demo data itself,
//! independently of the crate's metric and trace loaders.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;
use trailscope::event::time::{TimeNs, parse_rfc3339_ns};
use trailscope::event::{AuditEvent, Mapping, Outcome};

use crate::common::{Sandbox, all_body_lines, list_names};

const SEC: TimeNs = 1_000_000_000;
const METRIC_FILES: [&str; 4] = [
    "cpu.json",
    "error_rate.json",
    "p99_latency.json",
    "request_rate.json",
];

/// Runs `trailscope demo --no-open --dir DIR` in `sb`; returns the store's path.
fn run_demo(sb: &Sandbox, dir: &str) -> PathBuf {
    sb.ts(&["demo", "--no-open", "--dir", dir])
        .ok()
        .stdout_has("traces/payments.json")
        .stdout_has("metrics/")
        .stdout_has("payments application audit");
    sb.path(dir)
}

/// One demo store shared by the read-only tests.
fn store() -> &'static Path {
    static STORE: OnceLock<(Sandbox, PathBuf)> = OnceLock::new();
    let (_, p) = STORE.get_or_init(|| {
        let sb = Sandbox::new();
        let p = run_demo(&sb, "demo");
        (sb, p)
    });
    p
}

/// Every event of the shared store, mapped as the store maps it.
fn events() -> &'static [AuditEvent] {
    static EVENTS: OnceLock<Vec<AuditEvent>> = OnceLock::new();
    EVENTS.get_or_init(|| {
        let m = Mapping::default();
        all_body_lines(store())
            .iter()
            .map(|l| m.map_record(l).expect("demo events map"))
            .collect()
    })
}

fn at(hms: &str) -> TimeNs {
    parse_rfc3339_ns(&format!("2026-11-24T{hms}Z")).unwrap()
}

/// The first event matching `f`, by time.
#[track_caller]
fn first(what: &str, f: impl Fn(&AuditEvent) -> bool) -> &'static AuditEvent {
    events()
        .iter()
        .filter(|e| f(e))
        .min_by_key(|e| e.time)
        .unwrap_or_else(|| panic!("no {what} in the demo store"))
}

/// When the engineer patched the payments ConfigMap.
fn config_change() -> TimeNs {
    first("config change", |e| {
        e.action == "patch" && e.resource == "configmaps/prod/payments-config"
    })
    .time
}

/// One span of `traces/payments.json`, with the service that reported it.
#[derive(Debug)]
struct Span {
    service: String,
    name: String,
    id: String,
    parent: String,
    kind: i64,
    start: u128,
    end: u128,
    status: i64,
    events: Vec<String>,
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `value.stringValue` of the attribute `key` in an OTLP attribute list.
fn string_attr<'v>(attrs: &'v Value, key: &str) -> Option<&'v str> {
    attrs.as_array()?.iter().find(|a| a["key"] == key)?["value"]["stringValue"].as_str()
}

/// Spans by trace id, read line by line; panics naming the line on a malformed span.
fn traces(path: &Path) -> HashMap<String, Vec<Span>> {
    let text = fs::read_to_string(path).unwrap();
    let mut out: HashMap<String, Vec<Span>> = HashMap::new();
    let mut lines = 0;
    for (n, line) in text.lines().enumerate() {
        lines += 1;
        let at = format!("{}:{}", path.display(), n + 1);
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{at}: {e}"));
        let rs = v["resourceSpans"].as_array().expect("resourceSpans");
        assert!(rs.len() >= 2, "{at}: {} resourceSpans", rs.len());
        for r in rs {
            let service = string_attr(&r["resource"]["attributes"], "service.name")
                .unwrap_or_else(|| panic!("{at}: a resource without service.name"));
            for ss in r["scopeSpans"].as_array().expect("scopeSpans") {
                assert!(ss["scope"]["name"].as_str().is_some_and(|s| !s.is_empty()));
                for s in ss["spans"].as_array().expect("spans") {
                    let text = |k: &str| {
                        s[k].as_str()
                            .unwrap_or_else(|| panic!("{at}: span without {k}: {s}"))
                            .to_string()
                    };
                    let nanos = |k: &str| {
                        text(k)
                            .parse::<u128>()
                            .unwrap_or_else(|e| panic!("{at}: {k}: {e}"))
                    };
                    let span = Span {
                        service: service.to_string(),
                        name: text("name"),
                        id: text("spanId"),
                        parent: text("parentSpanId"),
                        kind: s["kind"].as_i64().expect("kind"),
                        start: nanos("startTimeUnixNano"),
                        end: nanos("endTimeUnixNano"),
                        status: s["status"]["code"].as_i64().unwrap_or(0),
                        events: s["events"]
                            .as_array()
                            .map(|es| {
                                es.iter()
                                    .map(|e| e["name"].as_str().unwrap().to_string())
                                    .collect()
                            })
                            .unwrap_or_default(),
                    };
                    let tid = text("traceId");
                    assert!(is_hex(&tid, 32), "{at}: trace id {tid:?}");
                    assert!(is_hex(&span.id, 16), "{at}: span id {:?}", span.id);
                    assert!(
                        span.parent.is_empty() || is_hex(&span.parent, 16),
                        "{at}: parent {:?}",
                        span.parent
                    );
                    assert!((1..=5).contains(&span.kind), "{at}: kind {}", span.kind);
                    assert!((0..=2).contains(&span.status), "{at}: status {s}");
                    assert!(
                        span.start <= span.end,
                        "{at}: {} ends before it starts",
                        span.name
                    );
                    out.entry(tid).or_default().push(span);
                }
            }
        }
    }
    assert!(lines > 10, "{lines} lines in {}", path.display());
    out
}

#[test]
fn every_failed_charge_leads_to_a_trace_that_shows_the_error() {
    let charges: Vec<&AuditEvent> = events()
        .iter()
        .filter(|e| e.action == "payments.charge")
        .collect();
    let failed: Vec<&AuditEvent> = charges
        .iter()
        .copied()
        .filter(|e| e.outcome == Outcome::Failure)
        .collect();
    assert!(charges.len() > 200, "{} charges", charges.len());
    assert!(failed.len() >= 50, "{} failed charges", failed.len());
    let traces = traces(&store().join("traces/payments.json"));
    assert_eq!(traces.len(), charges.len(), "one trace per charge");

    for e in &charges {
        let tid = e.trace_id.as_deref().expect("charges carry a trace id");
        let spans = traces
            .get(tid)
            .unwrap_or_else(|| panic!("no trace {tid} for the charge at {}", e.time));
        // One tree: a single root, every parent present, children inside their parents.
        let roots: Vec<&Span> = spans.iter().filter(|s| s.parent.is_empty()).collect();
        assert_eq!(roots.len(), 1, "trace {tid}: {spans:#?}");
        assert_eq!(
            (roots[0].service.as_str(), roots[0].name.as_str()),
            ("checkout", "POST /checkout")
        );
        for s in spans.iter().filter(|s| !s.parent.is_empty()) {
            let p = spans
                .iter()
                .find(|p| p.id == s.parent)
                .unwrap_or_else(|| panic!("trace {tid}: {} has no parent span", s.name));
            assert!(
                p.start <= s.start && s.end <= p.end,
                "trace {tid}: {}",
                s.name
            );
        }
        // The audit line's span is payments' server span, and it was written while it ran.
        let sid = e.span_id.as_deref().expect("charges carry a span id");
        let serve = spans
            .iter()
            .find(|s| s.id == sid)
            .unwrap_or_else(|| panic!("trace {tid} lacks span {sid}"));
        assert_eq!(
            (serve.service.as_str(), serve.name.as_str(), serve.kind),
            ("payments", "POST /charge", 2)
        );
        let t = e.time as u128;
        assert!(serve.start <= t && t <= serve.end, "trace {tid}");
        let failed = e.outcome == Outcome::Failure;
        assert_eq!(serve.status == 2, failed, "trace {tid}: {serve:?}");
        if failed {
            assert!(serve.events.iter().any(|n| n == "exception"), "{serve:?}");
            assert_eq!(
                roots[0].status, 2,
                "trace {tid}: checkout's span is not errored"
            );
        } else {
            assert!(spans.iter().all(|s| s.status != 2), "trace {tid}");
        }
    }

    // The failures are the outage's, with a few stray ones.
    let change = config_change();
    let during = failed
        .iter()
        .filter(|e| e.time >= change && e.time < at("01:59:00"))
        .count();
    assert!(
        during * 10 >= failed.len() * 8,
        "{during} of {}",
        failed.len()
    );
    let before = charges.iter().filter(|e| e.time < change).count();
    let failed_before = failed.iter().filter(|e| e.time < change).count();
    assert!(failed_before * 20 < before, "{failed_before} of {before}");
}

/// `(unix seconds, value)` of the only series of a metric file, after checking the file's shape.
fn samples(file: &str) -> Vec<(TimeNs, f64)> {
    let path = store().join("metrics").join(file);
    let v: Value = serde_json::from_slice(&fs::read(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(v["status"], "success", "{file}");
    assert_eq!(v["data"]["resultType"], "matrix", "{file}");
    let result = v["data"]["result"].as_array().expect("result");
    assert_eq!(result.len(), 1, "{file}");
    let metric = &result[0]["metric"];
    assert!(metric["__name__"].as_str().is_some_and(|n| !n.is_empty()));
    assert_eq!(metric["service"], "payments", "{file}");
    for k in ["label", "unit"] {
        assert!(
            v["trailscope"][k].as_str().is_some_and(|s| !s.is_empty()),
            "{file}: trailscope.{k}"
        );
    }
    result[0]["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|p| {
            let secs = p[0].as_f64().unwrap_or_else(|| panic!("{file}: {p}"));
            let val: f64 = p[1]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("{file}: {p}"));
            assert!(val.is_finite() && val >= 0.0, "{file}: {p}");
            ((secs * 1e9).round() as TimeNs, val)
        })
        .collect()
}

#[test]
fn metric_files_are_query_range_answers_every_15s_with_the_story_s_gaps() {
    assert_eq!(list_names(&store().join("metrics")), METRIC_FILES);
    let step = 15 * SEC;
    let (start, end) = (at("01:00:00"), at("03:00:00"));
    let mut missing: BTreeMap<&str, Vec<TimeNs>> = BTreeMap::new();
    for file in METRIC_FILES {
        let s = samples(file);
        assert!(
            s.windows(2).all(|w| w[0].0 < w[1].0),
            "{file}: out of order"
        );
        assert!(
            s.iter()
                .all(|(t, _)| (start..end).contains(t) && (t - start) % step == 0),
            "{file}: a sample off the 15 s grid"
        );
        let have: Vec<TimeNs> = s.iter().map(|(t, _)| *t).collect();
        let gone: Vec<TimeNs> = (0..480)
            .map(|k| start + k * step)
            .filter(|t| !have.contains(t))
            .collect();
        missing.insert(file, gone);
    }
    for file in ["error_rate.json", "p99_latency.json", "request_rate.json"] {
        assert!(
            missing[file].len() <= 3,
            "{file}: missing {:?}",
            missing[file]
        );
    }
    // CPU: a couple of scrapes lost in the crash loop, and no payments pods to measure while the
    // intruder's deletion lasts.
    let change = config_change();
    let restart = first("restart", |e| {
        e.action == "patch" && e.resource == "deployments.apps/prod/payments" && e.time > change
    })
    .time;
    let deleted = first("deletion", |e| {
        e.action == "delete" && e.resource == "deployments.apps/prod/payments"
    })
    .time;
    let recreated = first("recreation", |e| {
        e.action == "create" && e.resource == "deployments.apps/prod/payments" && e.time > deleted
    })
    .time;
    let cpu = &missing["cpu.json"];
    let crash: Vec<_> = cpu
        .iter()
        .filter(|t| (restart..at("01:58:40")).contains(*t))
        .collect();
    assert!((1..=4).contains(&crash.len()), "crash-loop gap {crash:?}");
    let during_deletion = |t: &TimeNs| (deleted..recreated + 30 * SEC).contains(t);
    assert!(
        cpu.iter().all(|t| crash.contains(&t) || during_deletion(t)),
        "cpu misses samples outside the story's gaps: {cpu:?}"
    );
    let expected_deleted = (0..480)
        .map(|k| start + k * step)
        .filter(|t| (deleted + 15 * SEC..recreated).contains(t))
        .count();
    assert!(
        cpu.iter().filter(|t| during_deletion(t)).count() >= expected_deleted,
        "cpu has samples while payments is deleted"
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[test]
fn the_error_rate_jumps_right_after_the_config_change() {
    let change = config_change();
    let s = samples("error_rate.json");
    let (t10, v10) = *s
        .iter()
        .find(|(_, v)| *v > 10.0)
        .expect("error rate above 10 %");
    assert!(
        t10 > change && t10 <= change + 60 * SEC,
        "first sample above 10 % ({v10}) at {t10}, config change at {change}"
    );
    // The robust rule: outside median ± 5 × 1.4826 × MAD. Its first anomalous point is the
    // first sample after the change; nothing before it is flagged.
    let values: Vec<f64> = s.iter().map(|(_, v)| *v).collect();
    let m = median(values.clone());
    let scale = 1.4826 * median(values.iter().map(|v| (v - m).abs()).collect());
    assert!(scale > 0.0, "MAD is 0: the noise is gone");
    let flagged = |v: f64| (v - m).abs() > 5.0 * scale;
    let (first_flagged, _) = *s.iter().find(|(_, v)| flagged(*v)).expect("an anomaly");
    let first_after = s.iter().find(|(t, _)| *t > change).unwrap().0;
    assert_eq!(
        first_flagged, first_after,
        "median {m}, scaled MAD {scale}, config change at {change}"
    );
    // It lasts until after the revert, then the rate is back to normal.
    let outage: Vec<f64> = s
        .iter()
        .filter(|(t, _)| (change + 30 * SEC..at("01:58:00")).contains(t))
        .map(|(_, v)| *v)
        .collect();
    assert!(
        outage.iter().all(|v| flagged(*v) && *v >= 25.0),
        "{outage:?}"
    );
    let after: Vec<f64> = s
        .iter()
        .filter(|(t, _)| (at("02:00:00")..at("02:20:00")).contains(t))
        .map(|(_, v)| *v)
        .collect();
    assert!(after.iter().all(|v| !flagged(*v)), "{after:?}");
}

#[test]
fn two_runs_write_identical_telemetry_and_replace_an_earlier_one() {
    let sb = Sandbox::new();
    let a = run_demo(&sb, "a");
    let b = run_demo(&sb, "b");
    let telemetry = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        for sub in ["metrics", "traces"] {
            for n in list_names(&dir.join(sub)) {
                out.insert(
                    format!("{sub}/{n}"),
                    fs::read(dir.join(sub).join(&n)).unwrap(),
                );
            }
        }
        out
    };
    let ta = telemetry(&a);
    assert_eq!(ta.len(), METRIC_FILES.len() + 1, "{:?}", ta.keys());
    assert!(ta == telemetry(&b), "the two runs differ");
    // A rerun over an earlier demo store replaces its telemetry too.
    sb.write("a/metrics/stale.json", "{}");
    sb.write("a/traces/old.json", "");
    run_demo(&sb, "a");
    assert!(telemetry(&a) == ta);
    // Anything else beside the store still makes it refuse.
    sb.write("a/notes.txt", "mine");
    sb.ts(&["demo", "--no-open", "--dir", "a"])
        .code(2)
        .stderr_has("notes.txt");
    assert!(a.join("traces/payments.json").is_file());
}
