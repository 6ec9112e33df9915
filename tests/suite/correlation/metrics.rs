//! Metric series from a real Prometheus and from `metrics/*.json` store files, through the
//! library API (`trailscope::metrics`).
//!
//! The Prometheus tests write two gauges with planted anomalies and a hole as OpenMetrics text,
//! import it with `promtool`, start `prometheus` on it ([`crate::servers::prometheus_server`]),
//! and check that a range query gives back every written sample and that [`anomalies`] finds
//! exactly the planted onsets. [`Planted`] is shared with other tests of this binary.

use std::fs;
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use trailscope::event::time::{TimeNs, parse_rfc3339_ns};
use trailscope::metrics::{
    MAX_POINTS, MetricsError, PromQuery, Prometheus, Series, anomalies, load_store_metrics,
    query_step,
};
use trailscope::store::DirStore;

use crate::servers::Server;

const SEC: i64 = 1_000_000_000;
/// Spacing of the samples written.
pub(crate) const SPACING: i64 = 15 * SEC;
/// Samples per series over two hours (the hole excepted).
const SAMPLES: i64 = 2 * 3600 / 15;

/// Two gauges `ts_test_load{host="a"}` and `{host="b"}` sampled every 15 s for two hours from
/// 2026-11-24T01:00:00Z, from a seeded formula (a slow wave plus bounded noise, far inside the
/// anomaly threshold), with planted anomalies: a 6-sample burst in host a, a 4-sample drop in
/// host b; and a 10-minute hole in host b.
pub(crate) struct Planted {
    /// The first sample's time.
    pub start: TimeNs,
    /// The last sample's time.
    pub end: TimeNs,
    /// Samples written for host a, then host b: (time, value).
    pub written: [Vec<(TimeNs, f64)>; 2],
    /// Onset of the burst in host a.
    pub burst_start: TimeNs,
    /// The burst's highest sample.
    pub burst_peak: (TimeNs, f64),
    /// Onset of the drop in host b.
    pub drop_start: TimeNs,
    /// First and last missing sample time of host b's hole.
    pub hole: (TimeNs, TimeNs),
}

/// Burst added to host a's samples 200..206 (onset 01:50:00); the peak is the third.
const BURST: [f64; 6] = [20.0, 30.0, 45.0, 35.0, 25.0, 21.0];
const BURST_AT: i64 = 200;
/// Host b's samples 330..334 drop by this much (onset 02:22:30).
const DROP: f64 = -15.0;
const DROP_AT: i64 = 330;
/// Host b has no samples 400..440 (02:40:00 to 02:49:45).
const HOLE: std::ops::Range<i64> = 400..440;

impl Planted {
    pub(crate) fn new() -> Planted {
        let start = parse_rfc3339_ns("2026-11-24T01:00:00Z").expect("fixed date");
        let mut rng = ChaCha20Rng::seed_from_u64(20261124);
        let mut written: [Vec<(TimeNs, f64)>; 2] = [Vec::new(), Vec::new()];
        for i in 0..SAMPLES {
            let t = start + i * SPACING;
            let wave = (i as f64 * std::f64::consts::TAU / 240.0).sin();
            let mut a = 50.0 + wave + rng.gen_range(-0.5..0.5);
            let mut b = 20.0 - 0.5 * wave + rng.gen_range(-0.25..0.25);
            if (BURST_AT..BURST_AT + 6).contains(&i) {
                a += BURST[(i - BURST_AT) as usize];
            }
            if (DROP_AT..DROP_AT + 4).contains(&i) {
                b += DROP;
            }
            written[0].push((t, a));
            if !HOLE.contains(&i) {
                written[1].push((t, b));
            }
        }
        let peak_at = start + (BURST_AT + 2) * SPACING;
        let peak_value = written[0][(BURST_AT + 2) as usize].1;
        Planted {
            start,
            end: start + (SAMPLES - 1) * SPACING,
            burst_start: start + BURST_AT * SPACING,
            burst_peak: (peak_at, peak_value),
            drop_start: start + DROP_AT * SPACING,
            hole: (
                start + HOLE.start * SPACING,
                start + (HOLE.end - 1) * SPACING,
            ),
            written,
        }
    }

    /// The samples as OpenMetrics text (timestamps in seconds), as promtool imports it.
    pub(crate) fn openmetrics(&self) -> String {
        let mut text = String::from(
            "# HELP ts_test_load Load of the test hosts.\n# TYPE ts_test_load gauge\n",
        );
        for (host, samples) in ["a", "b"].iter().zip(&self.written) {
            for (t, v) in samples {
                // `{v}` is the shortest text that reads back as the same f64.
                text.push_str(&format!(
                    "ts_test_load{{host=\"{host}\"}} {v} {}\n",
                    t / SEC
                ));
            }
        }
        text.push_str("# EOF\n");
        text
    }
}

/// A Prometheus serving [`Planted`], or `None` (skipped) without one.
pub(crate) fn planted_server(planted: &Planted) -> Option<(Server, tempfile::TempDir)> {
    let data = tempfile::tempdir().expect("temp dir");
    let server = crate::servers::prometheus_server(data.path(), &planted.openmetrics())?;
    Some((server, data))
}

fn points(s: &Series) -> Vec<(TimeNs, f64)> {
    s.points.iter().map(|p| (p.t, p.v)).collect()
}

fn query(text: &str) -> PromQuery {
    text.parse().expect("query")
}

#[test]
fn prometheus_returns_every_written_sample_and_the_planted_anomalies() {
    let planted = Planted::new();
    let Some((server, _data)) = planted_server(&planted) else {
        return;
    };
    let prom = Prometheus::new(&server.url()).expect("client");
    let series = prom
        .query_range(
            &query("load=ts_test_load"),
            planted.start,
            planted.end,
            SPACING,
        )
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));

    let labels: Vec<&str> = series.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, [r#"load{host="a"}"#, r#"load{host="b"}"#]);
    for (s, host) in series.iter().zip(["a", "b"]) {
        assert_eq!(s.labels.get("host").map(String::as_str), Some(host));
        assert_eq!(
            s.labels.get("__name__").map(String::as_str),
            Some("ts_test_load")
        );
        assert_eq!(
            s.source,
            format!("prometheus {}: ts_test_load", server.url())
        );
        assert_eq!(s.unit, "");
    }
    // Point by point: the same times and the very same values.
    for (s, written) in series.iter().zip(&planted.written) {
        let got = points(s);
        assert_eq!(got.len(), written.len(), "{}", s.label);
        for (g, w) in got.iter().zip(written) {
            assert_eq!(g, w, "{}", s.label);
        }
    }
    // The hole is a hole: no point inside it, and the series around it is intact.
    let b = &series[1];
    assert!(
        b.points
            .iter()
            .all(|p| p.t < planted.hole.0 || p.t > planted.hole.1)
    );
    assert_eq!(b.value_at(planted.hole.0 + SPACING), None);
    assert_eq!(
        b.value_at(planted.hole.0 - SPACING),
        Some(planted.written[1][399].1)
    );
    assert_eq!(series[0].points.len() as i64, SAMPLES, "host a has no hole");

    let found = anomalies(&series);
    let got: Vec<(usize, TimeNs)> = found.iter().map(|a| (a.series, a.start)).collect();
    assert_eq!(
        got,
        [(0, planted.burst_start), (1, planted.drop_start)],
        "{found:#?}"
    );
    let burst = &found[0];
    assert_eq!((burst.peak, burst.value), planted.burst_peak);
    assert_eq!(burst.label, r#"load{host="a"}"#);
    assert!(
        burst.score > 5.0 && (burst.median - 50.0).abs() < 1.0,
        "{burst:?}"
    );
    let drop = &found[1];
    assert!(drop.value < drop.median - 10.0, "{drop:?}");
}

#[test]
fn prometheus_query_too_fine_for_the_point_limit_is_widened_not_refused() {
    let planted = Planted::new();
    let Some((server, _data)) = planted_server(&planted) else {
        return;
    };
    let (start, end) = (planted.start, planted.end);
    // The server really refuses 11,001 points and more: 7185 s at 653 ms is 11,003 steps.
    let refused = reqwest::blocking::get(format!(
        "{}/api/v1/query_range?query=ts_test_load&start={}&end={}&step=0.653",
        server.url(),
        start / SEC,
        end / SEC
    ))
    .expect("direct request");
    assert_eq!(refused.status().as_u16(), 400, "{:?}", refused.text());

    let prom = Prometheus::new(&server.url()).expect("client");
    let q = query("load=ts_test_load{host=\"a\"}");
    let series = prom
        .query_range(&q, start, end, 10_000_000)
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    let step = query_step(start, end, 10_000_000);
    assert_eq!(
        step,
        654 * 1_000_000,
        "the smallest whole ms with 7,185,000 ms / step <= 11,000"
    );
    assert_eq!(series.len(), 1);
    assert_eq!(series[0].label, "load", "one series keeps the plain label");
    let got = &series[0].points;
    assert!(got.len() as i64 <= MAX_POINTS + 1, "{} points", got.len());
    assert_eq!(got.len() as i64, (end - start) / step + 1);
    assert_eq!(series[0].step(), Some(step));
    // Each evaluation sees the last sample written at or before it.
    let written = &planted.written[0];
    for p in got {
        let last = written
            .iter()
            .rev()
            .find(|(t, _)| *t <= p.t)
            .expect("sample");
        assert_eq!(p.v, last.1, "at {}", p.t);
    }
}

#[test]
fn prometheus_errors_quote_the_server_and_hide_credentials() {
    let planted = Planted::new();
    let Some((mut server, _data)) = planted_server(&planted) else {
        return;
    };
    let with_secret = format!("http://probe:hunter22@127.0.0.1:{}/", server.port);
    let prom = Prometheus::new(&with_secret).expect("client");
    let (start, end) = (planted.start, planted.end);

    let e = prom
        .query_range(&query("load=sum(ts_test_load"), start, end, SPACING)
        .expect_err("a syntax error");
    assert!(matches!(e, MetricsError::Status { .. }), "{e:?}");
    let text = e.to_string();
    let prefix = format!(
        "prometheus http://127.0.0.1:{}: sum(ts_test_load: HTTP 400 Bad Request: ",
        server.port
    );
    assert!(text.starts_with(&prefix), "{text}");
    assert!(
        text.contains("parse error") && text.contains("(bad_data)"),
        "{text}"
    );

    server.stop();
    let e = prom
        .query_range(&query("load=ts_test_load"), start, end, SPACING)
        .expect_err("server gone");
    let text = e.to_string();
    assert!(matches!(e, MetricsError::Request { .. }), "{e:?}");
    assert!(text.contains("cannot connect"), "{text}");
    assert!(
        text.contains(&format!("127.0.0.1:{}", server.port)),
        "{text}"
    );
    assert!(
        !text.contains("hunter22") && !text.contains("probe:"),
        "{text}"
    );
}

/// A query_range answer holding `series`: (labels JSON, [time seconds JSON, value JSON]).
fn answer(series: &[(&str, &[(&str, &str)])], extension: &str) -> String {
    let result: Vec<String> = series
        .iter()
        .map(|(metric, values)| {
            let values: Vec<String> = values.iter().map(|(t, v)| format!("[{t},{v}]")).collect();
            format!(r#"{{"metric":{metric},"values":[{}]}}"#, values.join(","))
        })
        .collect();
    format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{}]}}{extension}}}"#,
        result.join(",")
    )
}

fn store_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("metrics")).expect("metrics dir");
    for (name, text) in files {
        fs::write(dir.path().join("metrics").join(name), text).expect("writing a metric file");
    }
    dir
}

fn load(dir: &Path) -> Result<Vec<Series>, MetricsError> {
    load_store_metrics(&DirStore::new(dir))
}

#[test]
fn store_metric_files_are_loaded_with_labels_units_and_values() {
    let cpu = answer(
        &[
            (
                r#"{"__name__":"cpu","host":"a"}"#,
                &[("1795914000.5", r#""12.5""#), ("1795914015.5", r#""NaN""#)],
            ),
            (
                r#"{"__name__":"cpu","host":"b"}"#,
                &[("1795914000.5", r#""80""#), ("1795914015.5", r#""81.25""#)],
            ),
        ],
        r#","trailscope":{"label":"CPU busy","unit":"%"}"#,
    );
    let errors = answer(
        &[(
            r#"{"job":"api"}"#,
            &[
                ("1795914000", r#""0.001""#),
                ("1795914060.123", r#""+Inf""#),
                ("1795914120.123", "2"),
            ],
        )],
        "",
    );
    let dir = store_with(&[
        ("error_rate.json", &errors),
        ("cpu-load.json", &cpu),
        ("notes.txt", "not a metric"),
        (".partial.json", "{"),
    ]);
    let series = load(dir.path()).expect("loading");
    let summary: Vec<(&str, &str, &str)> = series
        .iter()
        .map(|s| (s.label.as_str(), s.unit.as_str(), s.source.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (r#"CPU busy{host="a"}"#, "%", "store metrics/cpu-load.json"),
            (r#"CPU busy{host="b"}"#, "%", "store metrics/cpu-load.json"),
            ("error rate", "", "store metrics/error_rate.json"),
        ]
    );
    let t0 = 1_795_914_000 * SEC;
    assert_eq!(points(&series[0]), [(t0 + SEC / 2, 12.5)], "NaN is a gap");
    assert_eq!(
        points(&series[1]),
        [(t0 + SEC / 2, 80.0), (t0 + 15 * SEC + SEC / 2, 81.25)]
    );
    assert_eq!(
        points(&series[2]),
        [(t0, 0.001), (t0 + 120 * SEC + 123_000_000, 2.0)]
    );
    assert_eq!(series[2].labels.get("job").map(String::as_str), Some("api"));

    // No metrics/ at all: no series, no error.
    let empty = tempfile::tempdir().expect("temp dir");
    assert_eq!(load(empty.path()).expect("empty store"), []);
}

#[test]
fn malformed_store_metric_files_are_named_with_the_json_path() {
    let values: Vec<(String, String)> = (0..20)
        .map(|i| (format!("{}", 1_795_914_000 + 15 * i), format!("\"{i}\"")))
        .collect();
    let mut pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(t, v)| (t.as_str(), v.as_str()))
        .collect();
    pairs[17].1 = r#""abc""#;
    let cases = [
        (
            "cpu.json",
            answer(&[("{}", &pairs)], ""),
            r#"metrics/cpu.json: data.result[0].values[17][1]: "abc" is not a number"#.to_string(),
        ),
        (
            "broken.json",
            "{\"status\": \"success\",\n  \"data\": {\"resultType\": \"matrix\",\n  \"result\": [}}"
                .to_string(),
            "metrics/broken.json: line 3, column 14: not valid JSON: ".to_string(),
        ),
        (
            "instant.json",
            r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#.to_string(),
            r#"metrics/instant.json: data.resultType: "vector", but a "matrix" was expected"#
                .to_string(),
        ),
        (
            "named.json",
            answer(&[("{}", &pairs[..3])], r#","trailscope":{"label":7}"#),
            "metrics/named.json: trailscope.label: expected a string, found a number".to_string(),
        ),
    ];
    for (name, text, expected) in cases {
        let dir = store_with(&[
            ("a_good_one.json", &answer(&[("{}", &pairs[..2])], "")),
            (name, &text),
        ]);
        let e = load(dir.path()).expect_err(name).to_string();
        assert!(
            e.starts_with(&expected),
            "{name}: {e}\nexpected: {expected}"
        );
    }
}
