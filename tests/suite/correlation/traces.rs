//! Traces: OTLP/JSON files (the collector's file exporter format) and a Jaeger-shaped query API
//! served by a real HTTP server, through the public `trailscope::trace` API.
//!
//! Fixtures: `tests/fixtures/otlp/shop.json` (two traces, one split across lines, written
//! following the OTLP/JSON mapping) and `tests/fixtures/jaeger/api/traces/<id>` (answers of
//! `GET /api/traces/<id>`, served by `python3 -m http.server`).

use std::path::{Path, PathBuf};

use trailscope::store::DirStore;
use trailscope::trace::{
    Span, SpanStatus, Trace, TraceError, TraceSet, fetch_jaeger, load_otlp_file, load_store_traces,
    normalize_trace_id, parse_jaeger, parse_otlp, render_tree,
};

use crate::servers::http_server;

/// Trace A of the OTLP fixture (checkout → charge → SELECT, checkout → publish).
const SHOP_A: &str = "5b8efff798038103d269b633813fc60c";
/// Trace B of the OTLP fixture (written with uppercase ids, snake_case keys, an orphan).
const SHOP_B: &str = "0af7651916cd43dd8448eb211c80319c";
/// Start of trace A.
const T0: i64 = 1_544_712_660_000_000_000;
const MS: i64 = 1_000_000;
/// The Jaeger fixture's 128-bit trace.
const JAEGER_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
/// Its start in nanoseconds.
const JAEGER_T0: i64 = 1_700_000_000_000_000_000;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn shop() -> TraceSet {
    load_otlp_file(&fixture("otlp/shop.json")).expect("loading the OTLP fixture")
}

fn span<'a>(trace: &'a Trace, name: &str) -> &'a Span {
    trace
        .spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span {name:?} in {trace:#?}"))
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `(depth, name)` of every tree row.
fn tree_names(trace: &Trace) -> Vec<(usize, String)> {
    trace
        .tree()
        .iter()
        .map(|r| (r.depth, trace.spans[r.span].name.clone()))
        .collect()
}

/// The error of parsing `text` as OTLP from source `bad.json`, as text.
#[track_caller]
fn otlp_error(text: &str) -> String {
    match parse_otlp(text, "bad.json") {
        Ok(spans) => panic!("parsed without error: {spans:#?}"),
        Err(e) => e.to_string(),
    }
}

#[track_caller]
fn assert_has(haystack: &str, needles: &[&str]) {
    for n in needles {
        assert!(haystack.contains(n), "{haystack:?} lacks {n:?}");
    }
}

/// One OTLP line with one span whose fields are `span_json` (an object body without braces).
fn one_span_line(span_json: &str) -> String {
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[]}},"scopeSpans":[{{"spans":[{{{span_json}}}]}}]}}]}}"#
    )
}

const GOOD_SPAN: &str = r#""traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b173","name":"op","startTimeUnixNano":"10","endTimeUnixNano":"20""#;

#[test]
fn otlp_fixture_spans_parse_exactly() {
    let set = shop();
    assert_eq!(set.len(), 2);
    assert_eq!(set.spans().count(), 7);
    let a = set.get(SHOP_A).expect("trace A");
    assert_eq!(a.trace_id, SHOP_A);
    let names: Vec<&str> = a.spans.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "POST /checkout",
            "POST /charge",
            "SELECT orders",
            "publish receipt"
        ],
        "spans sorted by start"
    );
    assert_eq!(
        (a.start(), a.end(), a.duration()),
        (T0, T0 + 1042 * MS, 1042 * MS)
    );
    assert!(a.has_error());
    assert_eq!(a.services(), ["checkout", "payments"]);

    let root = span(&a, "POST /checkout");
    assert_eq!(root.span_id, "eee19b7ec3c1b173");
    assert_eq!(root.parent_span_id, None, "an empty parentSpanId is a root");
    assert_eq!(root.service, "checkout");
    assert_eq!(root.kind, "server");
    assert_eq!((root.start, root.end), (T0, T0 + 1042 * MS));
    assert_eq!(root.status, SpanStatus::Unset, "an empty status object");
    assert_eq!(
        root.attributes,
        pairs(&[("http.method", "POST"), ("http.status_code", "502")])
    );
    assert!(root.events.is_empty());

    let charge = span(&a, "POST /charge");
    assert_eq!(charge.parent_span_id.as_deref(), Some("eee19b7ec3c1b173"));
    assert_eq!(charge.service, "payments");
    assert_eq!(charge.kind, "server", "kind given by name");
    assert_eq!(
        (charge.status, charge.status_message.as_str()),
        (SpanStatus::Error, "boom")
    );
    assert_eq!(charge.events.len(), 1);
    assert_eq!(charge.events[0].time, T0 + 500 * MS);
    assert_eq!(charge.events[0].name, "exception");
    assert_eq!(
        charge.events[0].attributes,
        pairs(&[
            ("exception.type", "CardDeclined"),
            ("exception.escaped", "false")
        ])
    );

    // Line 4: numeric times, instrumentationLibrarySpans, every AnyValue kind.
    let select = span(&a, "SELECT orders");
    assert_eq!(select.parent_span_id.as_deref(), Some("eee19b7ec3c1b174"));
    assert_eq!((select.start, select.end), (T0 + 15 * MS, T0 + 915 * MS));
    assert_eq!(
        (select.kind.as_str(), select.status),
        ("client", SpanStatus::Unset)
    );
    assert_eq!(
        select.attributes,
        pairs(&[
            ("db.system", "postgresql"),
            ("db.rows", "42"),
            ("db.retries", "3"),
            ("db.cached", "false"),
            ("db.ratio", "0.25"),
            ("db.tags", r#"["a",7,true,1.5]"#),
            ("db.params", r#"{"id":9,"name":"x"}"#),
            ("db.hash", "3q2+7w=="),
            ("db.empty", ""),
        ])
    );
    let publish = span(&a, "publish receipt");
    assert_eq!(publish.service, "checkout");
    assert_eq!(publish.kind, "producer");
    assert_eq!(publish.status, SpanStatus::Ok, "status code 1");
}

#[test]
fn otlp_snake_case_uppercase_ids_and_orphans() {
    let set = shop();
    // Trace B was written with uppercase ids: any spelling finds it.
    let b = set.get(&SHOP_B.to_uppercase()).expect("trace B");
    assert_eq!(b.trace_id, SHOP_B);
    let stock = span(&b, "GET /stock");
    assert_eq!(stock.span_id, "b7ad6b7169203331", "ids lowercased");
    assert_eq!(stock.service, "", "no service.name in the resource");
    assert_eq!(
        (stock.kind.as_str(), stock.status),
        ("client", SpanStatus::Ok)
    );
    assert_eq!((stock.start, stock.end), (T0 + 2000 * MS, T0 + 2300 * MS));
    let reserve = span(&b, "reserve");
    assert_eq!(reserve.parent_span_id.as_deref(), Some("00f067aa0ba902b7"));
    assert_eq!(reserve.kind, "internal");
    let db = span(&b, "reserve.db");
    assert_eq!(
        (db.start, db.end),
        (T0 + 1950 * MS, T0 + 1950 * MS),
        "zero length"
    );
    assert_eq!(db.status, SpanStatus::Error);
    // The orphan (its parent is in no file) is a root, listed by start before the real root.
    assert_eq!(
        tree_names(&b),
        [
            (0, "reserve".to_string()),
            (1, "reserve.db".to_string()),
            (0, "GET /stock".to_string()),
        ]
    );
    assert_eq!(b.services(), [""]);
}

#[test]
fn otlp_tree_joins_spans_from_several_lines() {
    let a = shop().get(SHOP_A).expect("trace A");
    assert_eq!(
        tree_names(&a),
        [
            (0, "POST /checkout".to_string()),
            (1, "POST /charge".to_string()),
            (2, "SELECT orders".to_string()),
            (1, "publish receipt".to_string()),
        ]
    );
}

#[test]
fn render_tree_prints_the_waterfall_as_text() {
    let a = shop().get(SHOP_A).expect("trace A");
    let text = render_tree(&a);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "trace 5b8efff798038103d269b633813fc60c  4 spans  2 services  1.042 s  ERROR",
            "  0.000 s  1.042 s  checkout  POST /checkout  [server]",
            "    0.010 s  1.020 s  payments  POST /charge  [server]  ERROR: boom",
            "      0.015 s  0.900 s  payments  SELECT orders  [client]",
            "    1.035 s  0.005 s  checkout  publish receipt  [producer]",
        ]
    );
    assert!(text.ends_with('\n'));

    let b = shop().get(SHOP_B).expect("trace B");
    let lines: Vec<String> = render_tree(&b).lines().map(String::from).collect();
    assert_eq!(
        lines,
        [
            "trace 0af7651916cd43dd8448eb211c80319c  3 spans  1 service  0.400 s  ERROR",
            "  0.000 s  0.200 s  unknown  reserve  [internal]",
            "    0.050 s  0.000 s  unknown  reserve.db  [client]  ERROR",
            "  0.100 s  0.300 s  unknown  GET /stock  [client]",
        ]
    );
}

#[test]
fn render_tree_escapes_terminal_controls() {
    let line = one_span_line(&format!(
        r#"{GOOD_SPAN},"status":{{"code":2,"message":"\u001b]52;c;AAAA\u0007"}},"kind":3"#
    ))
    .replace(r#""name":"op""#, r#""name":"evil\u001b[2J\u202e""#);
    let spans = parse_otlp(&line, "evil.json").expect("parsing");
    assert_eq!(
        spans[0].name, "evil\x1b[2J\u{202e}",
        "the parser keeps the data"
    );
    let set = {
        let mut s = TraceSet::new();
        s.add(spans);
        s
    };
    let text = render_tree(&set.get(SHOP_A).expect("trace"));
    assert!(!text.contains('\x1b') && !text.contains('\u{202e}') && !text.contains('\x07'));
    assert_has(
        &text,
        &["evil\\u{1B}[2J\\u{202E}", "ERROR: \\u{1B}]52;c;AAAA\\u{7}"],
    );
}

#[test]
fn otlp_invalid_json_names_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("payments.json");
    let good = one_span_line(GOOD_SPAN);
    std::fs::write(
        &path,
        format!("{good}\n\n{{\"resourceSpans\": [}}\n{good}\n"),
    )
    .unwrap();
    let err = load_otlp_file(&path)
        .expect_err("line 3 is not JSON")
        .to_string();
    assert_has(&err, &["payments.json", "line 3", "invalid JSON"]);
    assert!(matches!(
        load_otlp_file(&path),
        Err(TraceError::Otlp { line: 3, .. })
    ));

    let missing = dir.path().join("nope.json");
    let err = load_otlp_file(&missing).expect_err("no file").to_string();
    assert_has(&err, &["nope.json"]);
}

#[test]
fn otlp_bad_fields_are_named_with_their_place() {
    let bad_hex = GOOD_SPAN.replace("5b8efff798038103d269b633813fc60c", "xyz");
    assert_has(
        &otlp_error(&one_span_line(&bad_hex)),
        &[
            "bad.json line 1: span 0 of scope spans 0 of resource spans 0",
            r#"traceId "xyz" is not hex"#,
        ],
    );
    let odd = GOOD_SPAN.replace("eee19b7ec3c1b173", "eee19b7ec3c1b17");
    assert_has(
        &otlp_error(&one_span_line(&odd)),
        &[
            "line 1",
            "spanId \"eee19b7ec3c1b17\" has an odd number of hex digits",
        ],
    );
    let short = GOOD_SPAN.replace("eee19b7ec3c1b173", "eee1");
    assert_has(
        &otlp_error(&one_span_line(&short)),
        &["spanId \"eee1\" is 2 bytes, want 8"],
    );
    let no_trace = GOOD_SPAN.replace(r#""traceId":"5b8efff798038103d269b633813fc60c","#, "");
    assert_has(
        &otlp_error(&one_span_line(&no_trace)),
        &["line 1", "traceId is missing"],
    );
    let bad_parent = format!(r#"{GOOD_SPAN},"parentSpanId":"nothex!!nothex!!""#);
    assert_has(
        &otlp_error(&one_span_line(&bad_parent)),
        &["parentSpanId \"nothex!!nothex!!\" is not hex"],
    );
    let soon = GOOD_SPAN.replace(
        r#""startTimeUnixNano":"10""#,
        r#""startTimeUnixNano":"soon""#,
    );
    assert_has(
        &otlp_error(&one_span_line(&soon)),
        &["startTimeUnixNano \"soon\" is not a whole number of nanoseconds"],
    );
    let no_end = GOOD_SPAN.replace(r#","endTimeUnixNano":"20""#, "");
    assert_has(
        &otlp_error(&one_span_line(&no_end)),
        &["endTimeUnixNano is missing"],
    );
    let backwards = GOOD_SPAN.replace(r#""endTimeUnixNano":"20""#, r#""endTimeUnixNano":"5""#);
    assert_has(
        &otlp_error(&one_span_line(&backwards)),
        &[
            "endTimeUnixNano 5 is before startTimeUnixNano 10",
            "\"op\"",
            "eee19b7ec3c1b173",
        ],
    );
    let kind = format!(r#"{GOOD_SPAN},"kind":9"#);
    assert_has(
        &otlp_error(&one_span_line(&kind)),
        &["kind 9 is not one of 0 to 5"],
    );
    let status = format!(r#"{GOOD_SPAN},"status":{{"code":"STATUS_CODE_MAYBE"}}"#);
    assert_has(
        &otlp_error(&one_span_line(&status)),
        &["status code \"STATUS_CODE_MAYBE\""],
    );
    let int = format!(r#"{GOOD_SPAN},"attributes":[{{"key":"n","value":{{"intValue":"abc"}}}}]"#);
    assert_has(
        &otlp_error(&one_span_line(&int)),
        &[r#"attribute "n": intValue "abc" is not a 64-bit integer"#],
    );
    let event = format!(r#"{GOOD_SPAN},"events":[{{"name":"e","timeUnixNano":true}}]"#);
    assert_has(
        &otlp_error(&one_span_line(&event)),
        &["event 0: timeUnixNano true is not a whole number"],
    );
    let wrong_shape = r#"{"resourceSpans":{"spans":1}}"#;
    assert_has(
        &otlp_error(wrong_shape),
        &["line 1", "not an OTLP ExportTraceServiceRequest"],
    );
}

#[test]
fn otlp_error_places_count_resources_scopes_and_lines() {
    let good = one_span_line(GOOD_SPAN);
    let bad = GOOD_SPAN.replace("eee19b7ec3c1b173", "zz");
    let text = format!(
        "{good}\n\n{{\"resourceSpans\":[{{\"scopeSpans\":[]}},{{\"instrumentationLibrarySpans\":[{{\"spans\":[]}},{{\"spans\":[{{{GOOD_SPAN}}},{{{bad}}}]}}]}}]}}\n"
    );
    assert_has(
        &otlp_error(&text),
        &[
            "bad.json line 3: span 1 of instrumentation library spans 1 of resource spans 1: spanId \"zz\"",
        ],
    );
}

#[test]
fn otlp_truncated_or_hostile_input_never_panics() {
    let text = std::fs::read_to_string(fixture("otlp/shop.json")).unwrap();
    let complete = parse_otlp(&text, "shop.json").expect("whole file").len();
    for cut in 0..text.len() {
        // Every prefix: either whole lines (fewer spans) or an error naming the cut line.
        match parse_otlp(&text[..cut], "shop.json") {
            Ok(spans) => assert!(spans.len() <= complete),
            Err(e) => assert_has(&e.to_string(), &["shop.json line "]),
        }
    }
    // serde_json's recursion limit turns absurd nesting into an error, not a stack overflow.
    let deep = format!(
        r#"{GOOD_SPAN},"attributes":[{{"key":"k","value":{}"#,
        r#"{"arrayValue":{"values":["#.repeat(5000)
    );
    assert_has(&otlp_error(&one_span_line(&deep)), &["line 1"]);
    // Binary junk and a BOM.
    assert_has(
        &otlp_error("\u{0}\u{1}garbage"),
        &["line 1", "invalid JSON"],
    );
    let bom = format!("\u{FEFF}{}", one_span_line(GOOD_SPAN));
    assert_eq!(parse_otlp(&bom, "bom.json").expect("BOM skipped").len(), 1);
}

#[test]
fn otlp_accepts_a_pretty_printed_request_and_blank_input() {
    let compact = one_span_line(GOOD_SPAN);
    let value: serde_json::Value = serde_json::from_str(&compact).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    assert!(pretty.lines().count() > 10);
    let spans = parse_otlp(&pretty, "pretty.json").expect("pretty-printed request");
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].span_id, "eee19b7ec3c1b173");
    assert!(parse_otlp("", "empty.json").unwrap().is_empty());
    assert!(parse_otlp("\n  \n\r\n", "blank.json").unwrap().is_empty());
    assert!(
        parse_otlp("{}\n{\"resourceSpans\":null}", "x")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn normalize_trace_id_cases() {
    let id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let ok = |s: &str| normalize_trace_id(s);
    assert_eq!(ok(id).as_deref(), Some(id));
    assert_eq!(
        ok(&format!("  {}\n", id.to_uppercase())).as_deref(),
        Some(id)
    );
    assert_eq!(
        ok("4bf92f3577b34da6").as_deref(),
        Some("00000000000000004bf92f3577b34da6"),
        "a 64-bit id is left-padded"
    );
    assert_eq!(
        ok("abc").as_deref(),
        Some("00000000000000000000000000000abc")
    );
    assert_eq!(
        ok(&format!("00-{id}-00f067aa0ba902b7-01")).as_deref(),
        Some(id)
    );
    assert_eq!(
        ok(&format!("00-{}-00F067AA0BA902B7-01", id.to_uppercase())).as_deref(),
        Some(id)
    );
    for bad in [
        "",
        "   ",
        "0",
        "00000000000000000000000000000000",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "xyz",
        "4bf92f3577b34da6a3ce929d0e0e4736a",
        "4bf9 2f35",
        "0x4bf9",
        "-4bf9",
        "４bf9",
        "4bf92f3577b34da6a3ce929d0e0e4736/../../admin",
        &format!("00-{id}-00f067aa0ba902b7"),
    ] {
        assert_eq!(normalize_trace_id(bad), None, "{bad:?} must be refused");
    }
}

#[test]
fn trace_set_groups_by_id_and_misses_cleanly() {
    let set = shop();
    assert!(!set.is_empty());
    assert!(
        set.get(&format!("00-{SHOP_A}-eee19b7ec3c1b173-01"))
            .is_some()
    );
    assert!(set.get("ffffffffffffffffffffffffffffffff").is_none());
    assert!(set.get("not an id").is_none());
    let mut empty = TraceSet::new();
    assert!(empty.is_empty() && empty.spans().next().is_none());
    assert_eq!(empty.len(), 0);
    empty.add(Vec::new());
    assert!(empty.is_empty());
}

#[test]
fn store_traces_load_every_json_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = DirStore::new(dir.path());
    assert!(
        load_store_traces(&store)
            .expect("no traces/ dir")
            .is_empty()
    );

    let traces = dir.path().join("traces");
    std::fs::create_dir(&traces).unwrap();
    let shop_text = std::fs::read_to_string(fixture("otlp/shop.json")).unwrap();
    std::fs::write(traces.join("shop.json"), &shop_text).unwrap();
    std::fs::write(traces.join("README.txt"), "not a trace file").unwrap();
    let other = one_span_line(&GOOD_SPAN.replace(SHOP_A, "11111111111111111111111111111111"));
    std::fs::write(traces.join("more.json"), other).unwrap();
    let set = load_store_traces(&store).expect("loading the store's traces");
    assert_eq!(set.len(), 3);
    assert_eq!(set.spans().count(), 8);
    assert_eq!(set.get(SHOP_A).expect("A").spans.len(), 4);

    std::fs::write(traces.join("payments.json"), format!("{shop_text}{{oops\n")).unwrap();
    let err = load_store_traces(&store)
        .expect_err("a broken file")
        .to_string();
    assert_has(&err, &["traces/payments.json line 5", "invalid JSON"]);
    std::fs::write(traces.join("payments.json"), b"\n\xff\xfe").unwrap();
    let err = load_store_traces(&store)
        .expect_err("not UTF-8")
        .to_string();
    assert_has(&err, &["traces/payments.json line 2", "not UTF-8"]);
}

#[test]
fn jaeger_answer_maps_parents_tags_and_logs() {
    let body = std::fs::read(fixture(&format!("jaeger/api/traces/{JAEGER_ID}"))).unwrap();
    let traces = parse_jaeger(&body, "answer.json").expect("parsing the fixture");
    assert_eq!(traces.len(), 1);
    check_jaeger_trace(&traces[0]);
}

/// The Jaeger fixture trace, however it was obtained.
#[track_caller]
fn check_jaeger_trace(t: &Trace) {
    assert_eq!(t.trace_id, JAEGER_ID);
    assert_eq!(
        tree_names(t),
        [
            (0, "GET /dispatch".to_string()),
            (1, "HTTP GET /customer".to_string()),
            (2, "SQL SELECT".to_string()),
            (1, "publish".to_string()),
        ],
        "CHILD_OF wins over an earlier FOLLOWS_FROM; FOLLOWS_FROM alone is a parent"
    );
    assert_eq!(t.services(), ["customer", "frontend"]);
    assert_eq!((t.start(), t.duration()), (JAEGER_T0, 250_000_000));

    let root = span(t, "GET /dispatch");
    assert_eq!(root.span_id, "00f067aa0ba902b7", "leading zeros restored");
    assert_eq!(root.parent_span_id, None);
    assert_eq!(
        (root.service.as_str(), root.kind.as_str()),
        ("frontend", "server")
    );
    assert_eq!((root.start, root.end), (JAEGER_T0, JAEGER_T0 + 250_000_000));
    assert_eq!(root.status, SpanStatus::Error, "tag error=true");
    assert_eq!(root.status_message, "upstream failed");
    assert_eq!(root.attributes, pairs(&[("http.status_code", "500")]));

    let call = span(t, "HTTP GET /customer");
    assert_eq!(call.span_id, "00000000000000a1");
    assert_eq!(call.parent_span_id.as_deref(), Some("00f067aa0ba902b7"));
    assert_eq!(
        (call.status, call.kind.as_str()),
        (SpanStatus::Ok, "client")
    );
    assert_eq!(call.attributes, pairs(&[("net.peer.port", "8081")]));

    let sql = span(t, "SQL SELECT");
    assert_eq!(sql.parent_span_id.as_deref(), Some("00000000000000a1"));
    assert_eq!(sql.service, "customer");
    assert_eq!(
        (sql.status, sql.status_message.as_str()),
        (SpanStatus::Error, "deadlock")
    );
    assert_eq!(
        sql.attributes,
        pairs(&[
            ("sql.query", "SELECT * FROM customer WHERE id = ?"),
            ("db.ratio", "0.5")
        ])
    );
    assert_eq!(sql.events.len(), 2);
    assert_eq!(
        (sql.events[0].time, sql.events[0].name.as_str()),
        (JAEGER_T0 + 20_000_000, "retry")
    );
    assert_eq!(sql.events[0].attributes, pairs(&[("attempt", "2")]));
    assert_eq!(sql.events[1].name, "log", "no event field");
    assert_eq!(sql.events[1].attributes, pairs(&[("message", "slow")]));

    let publish = span(t, "publish");
    assert_eq!(publish.parent_span_id.as_deref(), Some("00f067aa0ba902b7"));
    assert_eq!(
        (publish.kind.as_str(), publish.status),
        ("", SpanStatus::Unset)
    );
}

#[test]
fn jaeger_malformed_answers_are_named() {
    let err = parse_jaeger(b"{\"data\":[", "http://x/api/traces/1").unwrap_err();
    assert_has(
        &err.to_string(),
        &["http://x/api/traces/1", "not a Jaeger query API answer"],
    );
    let body =
        br#"{"data":[{"traceID":"ab","spans":[{"spanID":"1","startTime":5,"duration":-3}]}]}"#;
    let err = parse_jaeger(body, "t.json").unwrap_err().to_string();
    assert_has(
        &err,
        &["t.json: trace 0: span 0 (spanID \"1\")", "negative"],
    );
    let body =
        br#"{"data":[{"spans":[{"traceID":"zz","spanID":"1","startTime":5,"duration":3}]}]}"#;
    assert_has(
        &parse_jaeger(body, "t.json").unwrap_err().to_string(),
        &["traceID \"zz\""],
    );
    let body = br#"{"data":[{"traceID":"ab","spans":[{"spanID":"1","duration":3}]}]}"#;
    assert_has(
        &parse_jaeger(body, "t.json").unwrap_err().to_string(),
        &["startTime is missing"],
    );
    let body = br#"{"data":null,"errors":[{"code":400,"msg":"bad id"},{"code":7}]}"#;
    let err = parse_jaeger(body, "u").unwrap_err();
    assert!(matches!(err, TraceError::Server { .. }), "{err:?}");
    assert_has(&err.to_string(), &["u: ", "bad id; error code 7"]);
    assert!(
        parse_jaeger(br#"{"data":[],"errors":null}"#, "u")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn jaeger_fetch_from_a_real_http_server() {
    let Some(mut server) = http_server(&fixture("jaeger")) else {
        return;
    };
    let base = server.url();
    // Any spelling of the id: it is normalised before it goes into the URL.
    let trace = fetch_jaeger(&format!("{base}/"), &JAEGER_ID.to_uppercase())
        .expect("fetching")
        .expect("the trace is there");
    check_jaeger_trace(&trace);
    let tp = format!("00-{JAEGER_ID}-00f067aa0ba902b7-01");
    assert_eq!(fetch_jaeger(&base, &tp).unwrap().as_ref(), Some(&trace));

    // A 64-bit id whose leading zeros both sides dropped; a span without a known process.
    let short = fetch_jaeger(&base, "abcdef").unwrap().expect("short id");
    assert_eq!(short.trace_id, "00000000000000000000000000abcdef");
    assert_eq!(short.spans.len(), 1);
    assert_eq!(short.spans[0].span_id, "0000000000000001");
    assert_eq!(
        (short.spans[0].start, short.spans[0].end),
        (JAEGER_T0, JAEGER_T0)
    );
    assert_eq!(short.spans[0].service, "");

    // 404 and an empty answer: no trace, no error.
    assert_eq!(
        fetch_jaeger(&base, "e0000000000000000000000000000009").unwrap(),
        None
    );
    assert_eq!(
        fetch_jaeger(&base, "e0000000000000000000000000000002").unwrap(),
        None
    );

    // An answer with only errors.
    let url = format!("{base}/api/traces/e0000000000000000000000000000001");
    let err = fetch_jaeger(&base, "E0000000000000000000000000000001").unwrap_err();
    assert!(matches!(err, TraceError::Server { .. }), "{err:?}");
    assert_has(&err.to_string(), &[&url, "storage backend unavailable"]);

    // An id that is not one never reaches the server.
    let err = fetch_jaeger(&base, "../../etc/passwd").unwrap_err();
    assert!(matches!(err, TraceError::TraceId(_)), "{err:?}");
    let err = fetch_jaeger("ftp://127.0.0.1/", JAEGER_ID)
        .unwrap_err()
        .to_string();
    assert_has(
        &err,
        &[
            "ftp://127.0.0.1/api/traces/",
            "not an http:// or https:// URL",
        ],
    );

    // The server gone: an error naming the URL.
    server.stop();
    let err = fetch_jaeger(&base, JAEGER_ID).unwrap_err();
    assert!(matches!(err, TraceError::Http { .. }), "{err:?}");
    assert_has(
        &err.to_string(),
        &[&format!("{base}/api/traces/{JAEGER_ID}")],
    );
}

#[test]
fn jaeger_fetch_names_a_non_json_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let traces = dir.path().join("api/traces");
    std::fs::create_dir_all(&traces).unwrap();
    // A directory where the answer should be: http.server redirects, then lists it as HTML.
    std::fs::create_dir(traces.join(JAEGER_ID)).unwrap();
    let other = "0123456789abcdef0123456789abcdef";
    std::fs::write(traces.join(other), "<html>not json</html>").unwrap();
    let Some(server) = http_server(dir.path()) else {
        return;
    };
    let base = server.url();
    for id in [other, JAEGER_ID] {
        let err = fetch_jaeger(&base, id).unwrap_err().to_string();
        assert_has(
            &err,
            &[
                &format!("{base}/api/traces/{id}"),
                "not a Jaeger query API answer",
            ],
        );
    }
}

/// A server on 127.0.0.1 that answers one request with `response` and closes; its base URL.
fn one_shot_server(response: String) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accepting");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
            line.clear();
        }
        let _ = reader.get_mut().write_all(response.as_bytes());
    });
    (base, handle)
}

#[test]
fn jaeger_fetch_names_a_server_error_status() {
    let body = r#"{"data":null,"errors":[{"code":500,"msg":"cassandra timeout"}]}"#;
    let (base, server) = one_shot_server(format!(
        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    let err = fetch_jaeger(&base, JAEGER_ID).unwrap_err();
    server.join().unwrap();
    assert!(matches!(err, TraceError::Http { .. }), "{err:?}");
    assert_has(
        &err.to_string(),
        &[
            &format!("{base}/api/traces/{JAEGER_ID}"),
            "HTTP 500",
            "cassandra timeout",
        ],
    );
}

#[test]
fn jaeger_fetch_refuses_an_oversized_answer() {
    // Announces more than the cap and sends nothing: refused before any body is read.
    let (base, server) = one_shot_server(format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{{",
        trailscope::trace::MAX_ANSWER_BYTES + 1
    ));
    let err = fetch_jaeger(&base, JAEGER_ID).unwrap_err().to_string();
    server.join().unwrap();
    assert_has(
        &err,
        &[
            &format!("{base}/api/traces/{JAEGER_ID}"),
            "larger than 256 MiB",
        ],
    );
}
