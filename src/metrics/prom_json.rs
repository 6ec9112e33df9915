//! The JSON answer of Prometheus' `/api/v1/query_range`, turned into [`Series`]. Store files
//! `metrics/*.json` have the same shape, so both sources go through here.
//!
//! ```json
//! {"status":"success","data":{"resultType":"matrix","result":[
//!   {"metric":{"__name__":"x","job":"a"},"values":[[1700000000.123,"1.5"],[1700000015.123,"NaN"]]}]}}
//! ```
//!
//! Timestamps are float seconds with millisecond precision (rounded to the nearest millisecond
//! here, so `1700000000.123` is exactly `…123_000_000` ns); values are strings so that `NaN` and
//! `±Inf` survive JSON, and those samples are dropped (they show as gaps). Every error names the
//! origin and the JSON path of the value at fault.

use std::collections::BTreeMap;

use crate::event::time::kind_of;
use serde_json::{Map, Value};

use super::{MetricsError, Point, Series};

/// Parses a `query_range` answer. `source` names where the bytes came from (a file, or the URL
/// and query); it starts every error message and becomes each series' [`Series::source`].
/// With one series in the result it is called `label`; with several, `label{k="v",…}` using the
/// Prometheus labels whose values differ between them.
pub fn parse_query_range(
    json: &[u8],
    source: &str,
    label: &str,
) -> Result<Vec<Series>, MetricsError> {
    let root = read_json(json, source)?;
    series_from(&root, source, label)
}

/// The bytes as a JSON value, or a [`MetricsError::Syntax`] naming line and column.
pub(crate) fn read_json(json: &[u8], origin: &str) -> Result<Value, MetricsError> {
    serde_json::from_slice(json).map_err(|e| {
        let text = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        MetricsError::Syntax {
            origin: origin.to_string(),
            line: e.line(),
            column: e.column(),
            detail: text.strip_suffix(&suffix).unwrap_or(&text).to_string(),
        }
    })
}

/// The series of an already parsed answer (see [`parse_query_range`]).
pub(crate) fn series_from(
    root: &Value,
    origin: &str,
    label: &str,
) -> Result<Vec<Series>, MetricsError> {
    let at = |path: &str, detail: String| MetricsError::Shape {
        origin: origin.to_string(),
        path: path.to_string(),
        detail,
    };
    let Some(top) = root.as_object() else {
        return Err(at(
            "(top level)",
            format!(
                "expected an object (a query_range answer), found {}",
                kind_of(root)
            ),
        ));
    };
    match top.get("status") {
        Some(Value::String(s)) if s == "success" => {}
        Some(Value::String(s)) if s == "error" => {
            return Err(MetricsError::Reported {
                origin: origin.to_string(),
                error_type: text_field(top, "errorType")
                    .unwrap_or("unknown")
                    .to_string(),
                message: text_field(top, "error")
                    .unwrap_or("(no error text)")
                    .to_string(),
            });
        }
        Some(other) => {
            return Err(at(
                "status",
                format!("{other} is neither \"success\" nor \"error\""),
            ));
        }
        None => {
            return Err(at(
                "status",
                "missing (not a Prometheus API answer?)".to_string(),
            ));
        }
    }
    let data = object(top.get("data"), "data", &at)?;
    match data.get("resultType") {
        Some(Value::String(t)) if t == "matrix" => {}
        Some(Value::String(t)) => {
            return Err(at(
                "data.resultType",
                format!(
                    "{t:?}, but a \"matrix\" was expected (the answer of a range query, \
                     /api/v1/query_range; /api/v1/query gives a vector or scalar)"
                ),
            ));
        }
        Some(other) => {
            return Err(at(
                "data.resultType",
                format!("expected the string \"matrix\", found {}", kind_of(other)),
            ));
        }
        None => return Err(at("data.resultType", "missing".to_string())),
    }
    let Some(result) = data.get("result").and_then(Value::as_array) else {
        return Err(at(
            "data.result",
            match data.get("result") {
                None => "missing".to_string(),
                Some(v) => format!("expected an array, found {}", kind_of(v)),
            },
        ));
    };
    let mut out = Vec::with_capacity(result.len());
    for (i, item) in result.iter().enumerate() {
        let path = format!("data.result[{i}]");
        let item = object(Some(item), &path, &at)?;
        let labels = labels_of(item.get("metric"), &format!("{path}.metric"), &at)?;
        let points = points_of(item, &path, &at)?;
        out.push(Series {
            label: label.to_string(),
            source: origin.to_string(),
            labels,
            unit: String::new(),
            points,
        });
    }
    name_series(&mut out, label);
    Ok(out)
}

/// Gives each of several series `label{k="v",…}` with the labels that tell them apart.
fn name_series(series: &mut [Series], label: &str) {
    if series.len() < 2 {
        return;
    }
    let mut keys: Vec<&String> = series.iter().flat_map(|s| s.labels.keys()).collect();
    keys.sort();
    keys.dedup();
    let differing: Vec<String> = keys
        .into_iter()
        .filter(|k| {
            let first = series[0].labels.get(*k);
            series.iter().any(|s| s.labels.get(*k) != first)
        })
        .cloned()
        .collect();
    if differing.is_empty() {
        return;
    }
    for s in series.iter_mut() {
        let pairs: Vec<String> = differing
            .iter()
            .map(|k| {
                let v = s.labels.get(k).map_or("", String::as_str);
                format!("{k}=\"{}\"", escape(v))
            })
            .collect();
        s.label = format!("{label}{{{}}}", pairs.join(","));
    }
}

/// A label value escaped the way PromQL writes it inside `"…"`.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn labels_of(
    metric: Option<&Value>,
    path: &str,
    at: &impl Fn(&str, String) -> MetricsError,
) -> Result<BTreeMap<String, String>, MetricsError> {
    let Some(metric) = metric else {
        return Ok(BTreeMap::new()); // an expression without labels (e.g. a scalar)
    };
    let map = object(Some(metric), path, at)?;
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            other => Err(at(
                &format!("{path}.{k}"),
                format!("a label value must be a string, found {}", kind_of(other)),
            )),
        })
        .collect()
}

fn points_of(
    item: &Map<String, Value>,
    path: &str,
    at: &impl Fn(&str, String) -> MetricsError,
) -> Result<Vec<Point>, MetricsError> {
    let values = match item.get("values") {
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(at(
                &format!("{path}.values"),
                format!(
                    "expected an array of [time, \"value\"] pairs, found {}",
                    kind_of(other)
                ),
            ));
        }
        // Only native histogram samples: nothing a sparkline can draw.
        None if item.contains_key("histograms") => return Ok(Vec::new()),
        None => return Err(at(&format!("{path}.values"), "missing".to_string())),
    };
    let mut points = Vec::with_capacity(values.len());
    for (j, pair) in values.iter().enumerate() {
        let ppath = format!("{path}.values[{j}]");
        let (t, v) = match pair.as_array().map(Vec::as_slice) {
            Some([t, v]) => (t, v),
            _ => {
                return Err(at(
                    &ppath,
                    format!("expected a [time, \"value\"] pair, found {}", brief(pair)),
                ));
            }
        };
        let t = timestamp(t).map_err(|d| at(&format!("{ppath}[0]"), d))?;
        let v = sample_value(v).map_err(|d| at(&format!("{ppath}[1]"), d))?;
        if v.is_finite() {
            points.push(Point { t, v });
        }
    }
    // Prometheus sorts them; a hand-written file may not.
    if !points.is_sorted_by_key(|p| p.t) {
        points.sort_by_key(|p| p.t);
    }
    Ok(points)
}

/// Float seconds rounded to the nearest millisecond, in nanoseconds.
fn timestamp(v: &Value) -> Result<i64, String> {
    let secs = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .ok_or_else(|| format!("{} is not a time in seconds", brief(v)))?;
    // i64 nanoseconds reach 2262; ms * 1e6 must stay inside.
    if !secs.is_finite() || secs.abs() >= 9.2e9 {
        return Err(format!("{} is out of range for a time", brief(v)));
    }
    Ok((secs * 1000.0).round() as i64 * 1_000_000)
}

/// A sample value: a string (Prometheus' way, so `NaN` and `±Inf` survive) or a plain number.
/// Non-finite values are returned as they are; the caller drops them.
fn sample_value(v: &Value) -> Result<f64, String> {
    match v {
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("{s:?} is not a number")),
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("{n} is not a number")),
        other => Err(format!(
            "expected a number in a string, found {}",
            brief(other)
        )),
    }
}

fn object<'a>(
    v: Option<&'a Value>,
    path: &str,
    at: &impl Fn(&str, String) -> MetricsError,
) -> Result<&'a Map<String, Value>, MetricsError> {
    match v {
        Some(Value::Object(m)) => Ok(m),
        Some(other) => Err(at(
            path,
            format!("expected an object, found {}", kind_of(other)),
        )),
        None => Err(at(path, "missing".to_string())),
    }
}

fn text_field<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

/// `v` as JSON text, cut to a readable length.
fn brief(v: &Value) -> String {
    const MAX: usize = 60;
    let text = v.to_string();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Vec<Series>, MetricsError> {
        parse_query_range(json.as_bytes(), "metrics/cpu.json", "cpu")
    }

    fn err(json: &str) -> String {
        match parse(json) {
            Ok(s) => panic!("parsed: {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn matrix(result: &str) -> String {
        format!(r#"{{"status":"success","data":{{"resultType":"matrix","result":{result}}}}}"#)
    }

    #[test]
    fn one_series_keeps_the_label_and_exact_milliseconds() {
        let s = parse(&matrix(
            r#"[{"metric":{"__name__":"x","job":"a"},"values":[[1700000000.123,"1.5"],[1700000015,"2"],[1700000030.001,"-0.25"]]}]"#,
        ))
        .unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].label, "cpu");
        assert_eq!(s[0].source, "metrics/cpu.json");
        assert_eq!(s[0].labels.get("job").map(String::as_str), Some("a"));
        let got: Vec<(i64, f64)> = s[0].points.iter().map(|p| (p.t, p.v)).collect();
        assert_eq!(
            got,
            vec![
                (1_700_000_000_123_000_000, 1.5),
                (1_700_000_015_000_000_000, 2.0),
                (1_700_000_030_001_000_000, -0.25)
            ]
        );
    }

    #[test]
    fn non_finite_samples_are_gaps_and_points_are_sorted() {
        let s = parse(&matrix(
            r#"[{"metric":{},"values":[[30,"3"],[10,"NaN"],[20,"+Inf"],[0,"-Inf"],[5,"1"],[40,4]]}]"#,
        ))
        .unwrap();
        let got: Vec<(i64, f64)> = s[0]
            .points
            .iter()
            .map(|p| (p.t / 1_000_000_000, p.v))
            .collect();
        assert_eq!(got, vec![(5, 1.0), (30, 3.0), (40, 4.0)]);
    }

    #[test]
    fn several_series_are_named_by_the_labels_that_differ() {
        let s = parse(&matrix(
            r#"[{"metric":{"__name__":"x","job":"api","host":"a"},"values":[]},
                {"metric":{"__name__":"x","job":"api","host":"b\"q"},"values":[]},
                {"metric":{"__name__":"x","job":"db"},"values":[]}]"#,
        ))
        .unwrap();
        let labels: Vec<&str> = s.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            vec![
                r#"cpu{host="a",job="api"}"#,
                r#"cpu{host="b\"q",job="api"}"#,
                r#"cpu{host="",job="db"}"#
            ]
        );
    }

    #[test]
    fn errors_name_the_origin_and_the_json_path() {
        let e = err(&matrix(r#"[{"metric":{},"values":[[1,"1"],[2,"abc"]]}]"#));
        assert_eq!(
            e,
            r#"metrics/cpu.json: data.result[0].values[1][1]: "abc" is not a number"#
        );
        let e = err(&matrix(
            r#"[{"metric":{},"values":[[1,"1"]]},{"metric":{"a":1},"values":[]}]"#,
        ));
        assert!(
            e.starts_with("metrics/cpu.json: data.result[1].metric.a: "),
            "{e}"
        );
        let e = err(&matrix(r#"[{"metric":{},"values":[[1,"1",3]]}]"#));
        assert!(
            e.starts_with("metrics/cpu.json: data.result[0].values[0]: expected a [time"),
            "{e}"
        );
        let e = err(&matrix(r#"[{"metric":{},"values":[["soon","1"]]}]"#));
        assert!(
            e.contains("data.result[0].values[0][0]: \"soon\" is not a time"),
            "{e}"
        );
        let e = err(&matrix(r#"[{"metric":{},"values":[[1e300,"1"]]}]"#));
        assert!(
            e.contains("values[0][0]") && e.contains("out of range"),
            "{e}"
        );
        let e = err(&matrix(r#"{"a":1}"#));
        assert!(
            e.contains("data.result: expected an array, found an object"),
            "{e}"
        );
        let e = err(r#"{"data":{}}"#);
        assert!(e.contains("status: missing"), "{e}");
        let e = err("[1,2]");
        assert!(e.contains("(top level): expected an object"), "{e}");
    }

    #[test]
    fn bad_json_names_line_and_column() {
        let e = err("{\"status\":\"success\",\n \"data\": {,}}");
        assert!(
            e.starts_with("metrics/cpu.json: line 2, column 11: not valid JSON: "),
            "{e}"
        );
        assert!(!e.contains("at line"), "the location is said once: {e}");
    }

    #[test]
    fn instant_answers_and_failures_are_refused_with_the_reason() {
        let e = err(r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#);
        assert!(
            e.contains("data.resultType") && e.contains("\"matrix\" was expected"),
            "{e}"
        );
        assert!(e.contains("query_range"), "{e}");
        let e = err(r#"{"status":"error","errorType":"bad_data","error":"parse error at char 5"}"#);
        assert_eq!(
            e,
            "metrics/cpu.json: Prometheus reported an error (bad_data): parse error at char 5"
        );
    }

    #[test]
    fn histogram_only_series_have_no_points() {
        let s = parse(&matrix(
            r#"[{"metric":{},"histograms":[[1,{"count":"1"}]]}]"#,
        ))
        .unwrap();
        assert!(s[0].points.is_empty());
        let e = err(&matrix(r#"[{"metric":{}}]"#));
        assert!(e.contains("data.result[0].values: missing"), "{e}");
    }
}
