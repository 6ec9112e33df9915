//! The span model every source is mapped to: [`Span`], grouped into a [`Trace`] by id, and the
//! [`TraceSet`] of everything loaded.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ids::normalize_trace_id;
use crate::event::time::TimeNs;

/// Outcome of a span, as OpenTelemetry defines it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanStatus {
    /// Nothing was said (the default).
    Unset,
    /// Marked successful by the application.
    Ok,
    /// Failed.
    Error,
}

/// Something that happened at one instant during a span (an exception, a retry, a log line).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpanEvent {
    /// When.
    pub time: TimeNs,
    /// What (`exception`, or `log` for a Jaeger log without an `event` field).
    pub name: String,
    /// Details, values rendered as text.
    pub attributes: Vec<(String, String)>,
}

/// One operation of a distributed trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Span {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    /// 16 lowercase hex digits.
    pub span_id: String,
    /// The caller's span id (16 lowercase hex), `None` for a root span.
    pub parent_span_id: Option<String>,
    /// The operation.
    pub name: String,
    /// The `service.name` of the process that recorded it; empty when unknown (shown as
    /// `unknown`).
    pub service: String,
    /// `server`, `client`, `internal`, `producer`, `consumer`, or empty when unspecified.
    pub kind: String,
    /// Start time.
    pub start: TimeNs,
    /// End time, never before `start`.
    pub end: TimeNs,
    /// Outcome.
    pub status: SpanStatus,
    /// The status description (usually set with `Error`).
    pub status_message: String,
    /// Span attributes; values rendered as text (numbers and booleans as written in JSON,
    /// arrays and key-value lists as JSON).
    pub attributes: Vec<(String, String)>,
    /// Events during the span, in the source's order.
    pub events: Vec<SpanEvent>,
}

impl Span {
    /// `end - start` in nanoseconds (saturating: hostile times cannot overflow).
    pub fn duration(&self) -> i64 {
        self.end.saturating_sub(self.start)
    }
}

/// The spans of one trace id.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    /// Sorted by start time (ties keep the order they were loaded in).
    pub spans: Vec<Span>,
}

impl Trace {
    /// A trace of `spans` (sorted here by start time).
    pub fn new(trace_id: String, mut spans: Vec<Span>) -> Trace {
        spans.sort_by_key(|s| s.start);
        Trace { trace_id, spans }
    }

    /// Start of the earliest span (0 for a trace without spans).
    pub fn start(&self) -> TimeNs {
        self.spans.iter().map(|s| s.start).min().unwrap_or(0)
    }

    /// End of the latest span (0 for a trace without spans).
    pub fn end(&self) -> TimeNs {
        self.spans.iter().map(|s| s.end).max().unwrap_or(0)
    }

    /// `end() - start()` in nanoseconds (saturating).
    pub fn duration(&self) -> i64 {
        self.end().saturating_sub(self.start())
    }

    /// Whether any span failed.
    pub fn has_error(&self) -> bool {
        self.spans.iter().any(|s| s.status == SpanStatus::Error)
    }

    /// The distinct service names, sorted (an empty name stands for spans without one).
    pub fn services(&self) -> Vec<String> {
        let mut names: Vec<String> = self.spans.iter().map(|s| s.service.clone()).collect();
        names.sort();
        names.dedup();
        names
    }
}

/// Every span loaded, grouped by trace id.
#[derive(Clone, Debug, Default)]
pub struct TraceSet {
    traces: BTreeMap<String, Vec<Span>>,
}

impl TraceSet {
    /// An empty set.
    pub fn new() -> TraceSet {
        TraceSet::default()
    }

    /// Adds spans (of any traces). Spans are kept as given: a span loaded twice is there twice
    /// (the tree lists each copy once, children under the first).
    pub fn add(&mut self, spans: Vec<Span>) {
        for span in spans {
            self.traces
                .entry(span.trace_id.clone())
                .or_default()
                .push(span);
        }
    }

    /// Number of traces.
    pub fn len(&self) -> usize {
        self.traces.len()
    }

    /// Whether no span was added.
    pub fn is_empty(&self) -> bool {
        self.traces.is_empty()
    }

    /// The trace with this id (any spelling [`normalize_trace_id`] accepts), its spans sorted
    /// by start time.
    pub fn get(&self, trace_id: &str) -> Option<Trace> {
        let id = normalize_trace_id(trace_id)?;
        let spans = self.traces.get(&id)?;
        Some(Trace::new(id, spans.clone()))
    }

    /// The trace ids, sorted.
    pub fn trace_ids(&self) -> impl Iterator<Item = &str> {
        self.traces.keys().map(String::as_str)
    }

    /// Every span of every trace (for marks on a timeline), trace by trace.
    pub fn spans(&self) -> impl Iterator<Item = &Span> {
        self.traces.values().flatten()
    }
}
