//! OTLP/JSON trace files, as the OpenTelemetry Collector's file exporter writes them: one
//! `ExportTraceServiceRequest` per line (blank lines skipped), in the protobuf JSON mapping with
//! hex ids. [`parse_otlp`] maps every span to a [`Span`]; errors name the source, the 1-based
//! line and the span's place in the request.
//!
//! A file holding one pretty-printed request (an OTLP/HTTP JSON body saved by hand) is read too:
//! when the first request is cut short at its line's end, the whole text is tried as a stream of
//! JSON documents before the error is reported.

use super::error::{TraceError, quote};
use super::ids::{SPAN_ID_HEX, TRACE_ID_HEX, strict_hex_id};
use super::model::{Span, SpanEvent, SpanStatus};
use super::otlp_json::{RawEvent, RawSpan, Request, attributes, enum_value, id_text, time_ns};

/// Span kinds in protobuf order (0 is unspecified and maps to "").
const KINDS: [&str; 6] = [
    "unspecified",
    "internal",
    "server",
    "client",
    "producer",
    "consumer",
];
/// Status codes in protobuf order.
const STATUS_CODES: [&str; 3] = ["UNSET", "OK", "ERROR"];

/// Parses OTLP/JSON `text` (one request per line); `source` names it in errors (a file name
/// or store path). A line that is not JSON, or a span with a bad id, time or enum, or ending
/// before it starts, is an error naming `source`, the line and the field.
pub fn parse_otlp(text: &str, source: &str) -> Result<Vec<Span>, TraceError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut spans = Vec::new();
    let mut parsed_any = false;
    for (index, line) in text.split('\n').enumerate() {
        let line_no = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let request: Request = match serde_json::from_str(line) {
            Ok(r) => r,
            Err(e) => {
                if !parsed_any && e.is_eof() {
                    if let Some(whole) = parse_as_documents(text, source) {
                        return whole;
                    }
                }
                return Err(TraceError::Otlp {
                    origin: source.to_string(),
                    line: line_no,
                    detail: json_error(&e),
                });
            }
        };
        parsed_any = true;
        request_spans(request, &mut spans).map_err(|detail| TraceError::Otlp {
            origin: source.to_string(),
            line: line_no,
            detail,
        })?;
    }
    Ok(spans)
}

/// `text` as a stream of JSON requests of any layout (pretty-printed); `None` when it is not
/// valid JSON that way either (the caller reports its per-line error). Errors in spans name the
/// line where their request starts.
fn parse_as_documents(text: &str, source: &str) -> Option<Result<Vec<Span>, TraceError>> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Request>();
    let mut spans = Vec::new();
    loop {
        let before = stream.byte_offset();
        let request = match stream.next() {
            None => return Some(Ok(spans)),
            Some(Err(_)) => return None,
            Some(Ok(r)) => r,
        };
        if let Err(detail) = request_spans(request, &mut spans) {
            let rest = &text[before..];
            let start = before + (rest.len() - rest.trim_start().len());
            let line = text[..start].bytes().filter(|&b| b == b'\n').count() + 1;
            return Some(Err(TraceError::Otlp {
                origin: source.to_string(),
                line,
                detail,
            }));
        }
    }
}

/// A serde error without serde's own `at line 1 column N` (the line is the file's, given by
/// the caller), saying what kind of problem it is.
fn json_error(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m);
    let column = e.column();
    match e.classify() {
        serde_json::error::Category::Eof => format!(
            "truncated JSON at column {column} (each line must hold one whole \
             ExportTraceServiceRequest): {message}"
        ),
        serde_json::error::Category::Data => {
            format!("not an OTLP ExportTraceServiceRequest at column {column}: {message}")
        }
        _ => format!("invalid JSON at column {column}: {message}"),
    }
}

/// Appends the spans of one request to `out`; an error names the span's place in the request.
fn request_spans(request: Request, out: &mut Vec<Span>) -> Result<(), String> {
    for (r, resource_spans) in request
        .resource_spans
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let resource = resource_spans
            .resource
            .map(|res| attributes(res.attributes))
            .transpose()
            .map_err(|e| format!("resource of resource spans {r}: {e}"))?
            .unwrap_or_default();
        let service = resource
            .into_iter()
            .find(|(k, _)| k == "service.name")
            .map(|(_, v)| v)
            .unwrap_or_default();
        let groups = [
            ("scope spans", resource_spans.scope_spans),
            (
                "instrumentation library spans",
                resource_spans.instrumentation_library_spans,
            ),
        ];
        for (label, scopes) in groups {
            for (s, scope) in scopes.unwrap_or_default().into_iter().enumerate() {
                for (k, raw) in scope.spans.unwrap_or_default().into_iter().enumerate() {
                    let span = span(raw, &service).map_err(|e| {
                        format!("span {k} of {label} {s} of resource spans {r}: {e}")
                    })?;
                    out.push(span);
                }
            }
        }
    }
    Ok(())
}

/// One span; the message names the field at fault.
fn span(raw: RawSpan, service: &str) -> Result<Span, String> {
    let trace_id = id_text("traceId", raw.trace_id.as_ref())?
        .ok_or_else(|| "traceId is missing".to_string())
        .and_then(|t| strict_hex_id("traceId", t, TRACE_ID_HEX))?;
    let span_id = id_text("spanId", raw.span_id.as_ref())?
        .ok_or_else(|| "spanId is missing".to_string())
        .and_then(|t| strict_hex_id("spanId", t, SPAN_ID_HEX))?;
    let parent_span_id = match id_text("parentSpanId", raw.parent_span_id.as_ref())? {
        // An empty parent (and the all-zero one some exporters write) marks a root.
        None => None,
        Some(p) if p.is_empty() || p.bytes().all(|b| b == b'0') => None,
        Some(p) => Some(strict_hex_id("parentSpanId", p, SPAN_ID_HEX)?),
    };
    let name = raw.name.unwrap_or_default();
    let start = time_ns("startTimeUnixNano", raw.start_time_unix_nano.as_ref())?;
    let end = time_ns("endTimeUnixNano", raw.end_time_unix_nano.as_ref())?;
    if end < start {
        return Err(format!(
            "endTimeUnixNano {end} is before startTimeUnixNano {start} (span {} {span_id})",
            quote(&name)
        ));
    }
    let kind = match enum_value("kind", raw.kind.as_ref(), "SPAN_KIND_", &KINDS)? {
        0 => String::new(),
        k => KINDS[k].to_ascii_lowercase(),
    };
    let (status, status_message) = match raw.status {
        None => (SpanStatus::Unset, String::new()),
        Some(st) => {
            let code = enum_value(
                "status code",
                st.code.as_ref(),
                "STATUS_CODE_",
                &STATUS_CODES,
            )?;
            let status = [SpanStatus::Unset, SpanStatus::Ok, SpanStatus::Error][code];
            (status, st.message.unwrap_or_default())
        }
    };
    let attributes = attributes(raw.attributes)?;
    let events = raw
        .events
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, e)| event(e).map_err(|m| format!("event {i}: {m}")))
        .collect::<Result<_, _>>()?;
    Ok(Span {
        trace_id,
        span_id,
        parent_span_id,
        name,
        service: service.to_string(),
        kind,
        start,
        end,
        status,
        status_message,
        attributes,
        events,
    })
}

/// One span event.
fn event(raw: RawEvent) -> Result<SpanEvent, String> {
    Ok(SpanEvent {
        time: time_ns("timeUnixNano", raw.time_unix_nano.as_ref())?,
        name: raw.name.unwrap_or_default(),
        attributes: attributes(raw.attributes)?,
    })
}
