//! Jaeger query API answers (`GET /api/traces/{id}`, also what Grafana Tempo's
//! Jaeger-compatible endpoint returns) mapped to [`Trace`]s.
//!
//! The mapping: the parent is the first `CHILD_OF` reference (else the first `FOLLOWS_FROM`,
//! else a legacy `parentSpanID`); times are microseconds; the service is the span's process's
//! `serviceName`; the tags `error`, `span.kind`, `otel.status_code` and
//! `otel.status_description` become the status and kind, the other tags attributes; logs become
//! events named by their `event` field (else `log`). Ids are normalised like
//! [`normalize_trace_id`](super::normalize_trace_id) (Jaeger drops leading zeros).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::error::{TraceError, quote};
use super::ids::{normalize_span_id, normalize_trace_id};
use super::model::{Span, SpanEvent, SpanStatus, Trace, TraceSet};
use crate::event::time::TimeNs;

/// The answer's envelope.
#[derive(Deserialize)]
pub(super) struct Answer {
    data: Option<Vec<RawTrace>>,
    errors: Option<Vec<RawError>>,
}

/// One entry of `errors`.
#[derive(Deserialize)]
struct RawError {
    code: Option<Value>,
    msg: Option<String>,
}

#[derive(Deserialize)]
struct RawTrace {
    #[serde(rename = "traceID")]
    trace_id: Option<String>,
    spans: Option<Vec<RawSpan>>,
    processes: Option<HashMap<String, Process>>,
}

#[derive(Deserialize)]
struct RawSpan {
    #[serde(rename = "traceID")]
    trace_id: Option<String>,
    #[serde(rename = "spanID")]
    span_id: Option<String>,
    #[serde(rename = "parentSpanID")]
    parent_span_id: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    references: Option<Vec<Reference>>,
    #[serde(rename = "startTime")]
    start_time: Option<Value>,
    duration: Option<Value>,
    tags: Option<Vec<Tag>>,
    logs: Option<Vec<Log>>,
    #[serde(rename = "processID")]
    process_id: Option<String>,
    /// Some producers embed the process in each span instead of `processes`.
    process: Option<Process>,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(rename = "refType")]
    ref_type: Option<String>,
    #[serde(rename = "spanID")]
    span_id: Option<String>,
}

#[derive(Deserialize)]
struct Process {
    #[serde(rename = "serviceName")]
    service_name: Option<String>,
}

/// A tag or log field (`type` is not needed: the JSON value says it).
#[derive(Deserialize)]
struct Tag {
    key: Option<String>,
    value: Option<Value>,
}

#[derive(Deserialize)]
struct Log {
    timestamp: Option<Value>,
    fields: Option<Vec<Tag>>,
}

/// Parses a query API answer; `source` (its URL or file) names it in errors. An answer whose
/// `errors` array is set and whose `data` is empty is [`TraceError::Server`] with the server's
/// messages. Traces come back sorted by id, their spans by start time.
pub fn parse_jaeger(json: &[u8], source: &str) -> Result<Vec<Trace>, TraceError> {
    let bad = |detail: String| TraceError::Jaeger {
        origin: source.to_string(),
        detail,
    };
    let answer: Answer = serde_json::from_slice(json)
        .map_err(|e| bad(format!("not a Jaeger query API answer: {e}")))?;
    let data = answer.data.unwrap_or_default();
    if data.is_empty() {
        if let Some(message) = server_messages(answer.errors) {
            return Err(TraceError::Server {
                url: source.to_string(),
                message,
            });
        }
    }
    let mut set = TraceSet::new();
    for (t, raw) in data.into_iter().enumerate() {
        let spans = trace_spans(raw).map_err(|e| bad(format!("trace {t}: {e}")))?;
        set.add(spans);
    }
    Ok(set
        .trace_ids()
        .filter_map(|id| set.get(id))
        .collect::<Vec<_>>())
}

/// The server's `errors` messages joined with `; ` (`None` when there are none).
pub(super) fn server_messages_of(json: &[u8]) -> Option<String> {
    let answer: Answer = serde_json::from_slice(json).ok()?;
    server_messages(answer.errors)
}

fn server_messages(errors: Option<Vec<RawError>>) -> Option<String> {
    let messages: Vec<String> = errors
        .unwrap_or_default()
        .into_iter()
        .map(|e| match (e.msg, e.code) {
            (Some(m), _) if !m.is_empty() => m,
            (_, Some(code)) => format!("error code {code}"),
            _ => "an unspecified error".to_string(),
        })
        .collect();
    (!messages.is_empty()).then(|| messages.join("; "))
}

/// The spans of one `data` entry.
fn trace_spans(raw: RawTrace) -> Result<Vec<Span>, String> {
    let processes = raw.processes.unwrap_or_default();
    let default_trace = raw.trace_id.unwrap_or_default();
    let mut spans = Vec::new();
    for (i, s) in raw.spans.unwrap_or_default().into_iter().enumerate() {
        let place = match &s.span_id {
            Some(id) => format!("span {i} (spanID {})", quote(id)),
            None => format!("span {i}"),
        };
        let service = match (&s.process, &s.process_id) {
            (Some(p), _) => p.service_name.clone(),
            (None, Some(pid)) => processes.get(pid).and_then(|p| p.service_name.clone()),
            (None, None) => None,
        };
        let span = span(s, &default_trace, service.unwrap_or_default())
            .map_err(|e| format!("{place}: {e}"))?;
        spans.push(span);
    }
    Ok(spans)
}

/// One span; the message names the field at fault.
fn span(s: RawSpan, default_trace: &str, service: String) -> Result<Span, String> {
    let trace_text = s.trace_id.as_deref().unwrap_or(default_trace);
    let trace_id = normalize_trace_id(trace_text)
        .ok_or_else(|| format!("traceID {} is not a trace id", quote(trace_text)))?;
    let span_text = s.span_id.as_deref().ok_or("spanID is missing")?;
    let span_id = normalize_span_id(span_text)
        .ok_or_else(|| format!("spanID {} is not a span id", quote(span_text)))?;
    let parent_span_id = parent(&s)?;
    let name = s.operation_name.unwrap_or_default();
    let start = micros("startTime", s.start_time.as_ref())?;
    let duration = micros("duration", s.duration.as_ref())?;
    if duration < 0 {
        return Err(format!(
            "duration {} µs is negative: the span {} ends before it starts",
            duration / 1000,
            quote(&name)
        ));
    }
    let end = start
        .checked_add(duration)
        .ok_or("startTime + duration is after the year 2262")?;

    let mut error_tag = false;
    let mut status_code = None;
    let mut status_message = String::new();
    let mut kind = String::new();
    let mut attributes = Vec::new();
    for tag in s.tags.unwrap_or_default() {
        let key = tag.key.unwrap_or_default();
        let value = text(tag.value);
        match key.as_str() {
            "error" => error_tag = value.eq_ignore_ascii_case("true"),
            "span.kind" => kind = value.to_ascii_lowercase(),
            "otel.status_code" => status_code = Some(value.to_ascii_uppercase()),
            "otel.status_description" => status_message = value,
            _ => attributes.push((key, value)),
        }
    }
    let status = match status_code.as_deref() {
        _ if error_tag => SpanStatus::Error,
        Some("ERROR") => SpanStatus::Error,
        Some("OK") => SpanStatus::Ok,
        _ => SpanStatus::Unset,
    };
    let events = s
        .logs
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, log)| event(log).map_err(|e| format!("log {i}: {e}")))
        .collect::<Result<_, _>>()?;
    Ok(Span {
        trace_id,
        span_id,
        parent_span_id,
        name,
        service,
        kind,
        start,
        end,
        status,
        status_message,
        attributes,
        events,
    })
}

/// The parent span id: first `CHILD_OF`, else first `FOLLOWS_FROM`, else `parentSpanID`.
fn parent(s: &RawSpan) -> Result<Option<String>, String> {
    let refs = s.references.as_deref().unwrap_or_default();
    let of_type = |t: &str| {
        refs.iter()
            .find(|r| {
                r.ref_type
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(t))
            })
            .and_then(|r| r.span_id.as_deref())
    };
    let Some(text) = of_type("CHILD_OF")
        .or_else(|| of_type("FOLLOWS_FROM"))
        .or(s.parent_span_id.as_deref())
    else {
        return Ok(None);
    };
    // Jaeger writes a root's legacy parentSpanID as "0".
    if text.trim().bytes().all(|b| b == b'0') {
        return Ok(None);
    }
    normalize_span_id(text)
        .map(Some)
        .ok_or_else(|| format!("parent spanID {} is not a span id", quote(text)))
}

/// A log as a span event.
fn event(log: Log) -> Result<SpanEvent, String> {
    let time = micros("timestamp", log.timestamp.as_ref())?;
    let mut name = None;
    let mut attributes = Vec::new();
    for field in log.fields.unwrap_or_default() {
        let key = field.key.unwrap_or_default();
        let value = text(field.value);
        if key == "event" && name.is_none() {
            name = Some(value);
        } else {
            attributes.push((key, value));
        }
    }
    Ok(SpanEvent {
        time,
        name: name.unwrap_or_else(|| "log".to_string()),
        attributes,
    })
}

/// A tag value as text: strings as they are, other JSON as written, `null` as "".
fn text(v: Option<Value>) -> String {
    match v {
        Some(Value::String(s)) => s,
        None | Some(Value::Null) => String::new(),
        Some(other) => other.to_string(),
    }
}

/// A microsecond count (a JSON integer or a decimal string) in nanoseconds.
fn micros(field: &str, v: Option<&Value>) -> Result<TimeNs, String> {
    let v = v
        .filter(|v| !v.is_null())
        .ok_or_else(|| format!("{field} is missing"))?;
    let us = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
    .ok_or_else(|| format!("{field} {} is not a whole number of microseconds", shown(v)))?;
    us.checked_mul(1000)
        .ok_or_else(|| format!("{field} {us} µs is out of range (1677..2262)"))
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        other => quote(&other.to_string()),
    }
}
