//! What the console knows about metrics and traces: the series under the histogram, their
//! anomalies, span marks, and the trace open as a waterfall.
//!
//! None of it is covered by the store's hash chain: metric files, OTLP files, Prometheus and
//! Jaeger are context, shown as such ("unverified"), never with the verified mark.

use crate::event::time::TimeNs;
use crate::metrics::{Anomaly, Series};
use crate::trace::Trace;

/// One metric line under the histogram.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricLine {
    /// The series over the whole store's time range (anomalies are found on it).
    pub overview: Series,
    /// The series at the window's bucket width, when its source can be asked for one
    /// (Prometheus) and the answer is for the window on screen.
    pub detail: Option<Series>,
}

impl MetricLine {
    /// The best series there is for drawing the window.
    pub fn shown(&self) -> &Series {
        self.detail.as_ref().unwrap_or(&self.overview)
    }
}

/// A span start drawn on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanMark {
    /// When the span started.
    pub start: TimeNs,
    /// Whether its status is error.
    pub error: bool,
}

/// The metrics and traces side of the console.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Correlation {
    /// Whether any metric source is configured (store files are looked for in any case).
    pub configured: bool,
    /// Whether the metrics lines are shown (`M`).
    pub show_metrics: bool,
    /// Metric lines, in source order (store files first, then queries).
    pub lines: Vec<MetricLine>,
    /// Anomalies of all lines, by onset (then line).
    pub anomalies: Vec<Anomaly>,
    /// The anomaly last jumped to (onset, line): `a`/`A` go on from it while its breadcrumb
    /// step is the top one.
    pub current: Option<(TimeNs, usize)>,
    /// Problems loading metrics or traces (shown in the legend, already sanitized).
    pub errors: Vec<String>,
    /// Whether the metrics are being loaded.
    pub loading: bool,
    /// The extent the overview was loaded for.
    pub loaded_for: Option<(TimeNs, TimeNs)>,
    /// Span starts from the loaded traces, by time.
    pub spans: Vec<SpanMark>,
    /// Traces loaded (store files and `--otlp`).
    pub trace_count: usize,
    /// Whether span marks are shown (`S`).
    pub show_spans: bool,
    /// The trace being looked up or shown.
    pub trace: Option<TraceView>,
    /// Audit events shown around an anomaly: before its onset, after it (ns).
    pub around: (i64, i64),
}

/// The waterfall's trace.
#[derive(Clone, Debug, PartialEq)]
pub enum TraceLookup {
    /// Being looked up.
    Loading,
    /// Found.
    Found(Box<Trace>),
    /// Not in any source (message says which were searched).
    NotFound(String),
    /// A source failed.
    Failed(String),
}

/// The trace overlay's content.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceView {
    /// The trace id asked for.
    pub trace_id: String,
    /// The span id of the event it was opened from (selected first).
    pub from_span: Option<String>,
    /// What was found.
    pub lookup: TraceLookup,
}

/// Default time shown before an anomaly's onset.
pub const DEFAULT_BEFORE: i64 = 5 * 60 * 1_000_000_000;
/// Default time shown after an anomaly's onset.
pub const DEFAULT_AFTER: i64 = 60 * 1_000_000_000;

impl Correlation {
    /// A fresh state; metrics shown by default.
    pub fn new(configured: bool, around: (i64, i64)) -> Correlation {
        Correlation {
            configured,
            show_metrics: true,
            around,
            ..Correlation::default()
        }
    }

    /// The metric lines drawn under the histogram (none when hidden).
    pub fn visible_lines(&self) -> usize {
        if self.show_metrics {
            self.lines.len()
        } else {
            0
        }
    }

    /// Whether the metrics area takes space: lines to show, or something to say about them.
    pub fn metrics_area(&self) -> bool {
        self.show_metrics && (!self.lines.is_empty() || !self.errors.is_empty())
    }
}
