//! Distributed traces next to the audit events: an event's `trace_id` leads to the spans of
//! that request, shown as a waterfall in the console and as a span tree by `trailscope trace`.
//!
//! Data enters as
//! - OTLP/JSON files, one `ExportTraceServiceRequest` per line as the OpenTelemetry Collector's
//!   file exporter writes them ([`parse_otlp`], [`load_otlp_file`], and the `traces/*.json`
//!   files of a store, [`load_store_traces`]);
//! - a Jaeger-compatible query API (Jaeger, Grafana Tempo): [`fetch_jaeger`] over HTTP,
//!   [`parse_jaeger`] for its answers;
//!
//! and leaves as [`Span`]s grouped into a [`TraceSet`], a [`Trace`] per id with its
//! [`Trace::tree`] of rows, and the plain-text tree of [`render_tree`]. Ids are normalised
//! everywhere ([`normalize_trace_id`]): 32 (trace) and 16 (span) lowercase hex digits.
//!
//! Parsers keep the data as written; only [`render_tree`] makes text terminal-safe.

mod error;
mod ids;
mod jaeger;
mod jaeger_http;
mod load;
mod model;
mod otlp;
mod otlp_json;
mod tree;

pub use error::TraceError;
pub use ids::normalize_trace_id;
pub use jaeger::parse_jaeger;
pub use jaeger_http::{MAX_ANSWER_BYTES, fetch_jaeger};
pub use load::{TRACES_DIR, load_otlp_file, load_store_traces};
pub use model::{Span, SpanEvent, SpanStatus, Trace, TraceSet};
pub use otlp::parse_otlp;
pub use tree::{TreeRow, render_tree};
