//! The correlation worker: a thread of its own that loads metrics and traces, so a slow
//! Prometheus or Jaeger never delays the index worker, and the UI never waits for either.
//!
//! Like the index worker it coalesces its queue to the newest request per kind and tags
//! answers with the request's generation. Window queries to Prometheus are cached per window
//! (zooming back out or panning back costs nothing).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

use crate::event::time::TimeNs;
use crate::metrics::{self, Anomaly, PromQuery, Prometheus, Series};
use crate::store::{Store, open_store};
use crate::trace::{self, Trace, TraceSet};

use super::state::correlation::SpanMark;

/// Most points asked of Prometheus for the overview of the whole store (anomalies are found on
/// it).
const OVERVIEW_POINTS: i64 = 4000;
/// Windows kept in the Prometheus cache.
const CACHE_WINDOWS: usize = 32;

/// Where metrics and traces come from.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// The store (its `metrics/` and `traces/` files), as given on the command line.
    pub store: Option<String>,
    /// A Prometheus-compatible API.
    pub prometheus: Option<String>,
    /// Queries for it.
    pub queries: Vec<PromQuery>,
    /// OTLP JSON files (`--otlp`).
    pub otlp: Vec<PathBuf>,
    /// A Jaeger-compatible query API.
    pub jaeger: Option<String>,
}

impl Sources {
    /// Whether a metric source other than the store's own files is configured.
    pub fn has_queries(&self) -> bool {
        self.prometheus.is_some() && !self.queries.is_empty()
    }
}

/// A question for the correlation worker.
#[derive(Clone, Debug)]
pub enum CRequest {
    /// Load the metrics over the store's extent (overview and anomalies) and the traces.
    Load {
        /// Earliest and latest event time.
        extent: (TimeNs, TimeNs),
    },
    /// Prometheus series for the window's buckets.
    Window {
        /// Generation.
        generation: u64,
        /// Start of the first bucket.
        from: TimeNs,
        /// Bucket width.
        width: i64,
        /// Number of buckets.
        buckets: usize,
    },
    /// A trace by id.
    Trace {
        /// Generation.
        generation: u64,
        /// The trace id.
        trace_id: String,
    },
}

impl CRequest {
    fn kind(&self) -> u8 {
        match self {
            CRequest::Load { .. } => 0,
            CRequest::Window { .. } => 1,
            CRequest::Trace { .. } => 2,
        }
    }
}

/// What [`CRequest::Load`] found.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Loaded {
    /// The extent it was loaded for.
    pub extent: (TimeNs, TimeNs),
    /// Every series: store files first, then the queries'.
    pub series: Vec<Series>,
    /// Their anomalies.
    pub anomalies: Vec<Anomaly>,
    /// Span starts of the loaded traces, by time.
    pub spans: Vec<SpanMark>,
    /// Number of traces loaded.
    pub traces: usize,
    /// What failed (each names its source).
    pub errors: Vec<String>,
}

/// An answer.
#[derive(Clone, Debug)]
pub enum CResponse {
    /// Answer to [`CRequest::Load`].
    Loaded(Box<Loaded>),
    /// Answer to [`CRequest::Window`]: the queries' series for that window.
    Window(u64, Result<Vec<Series>, String>),
    /// Answer to [`CRequest::Trace`]: found, not found (saying where it looked), or failed.
    Trace(u64, String, Result<Result<Box<Trace>, String>, String>),
    /// Dropped for a newer request of its kind.
    Superseded,
}

/// The worker's state.
pub struct Correlator {
    sources: Sources,
    store: Option<Box<dyn Store>>,
    prometheus: Option<Prometheus>,
    traces: TraceSet,
    cache: VecDeque<((TimeNs, i64, usize), Vec<Series>)>,
}

impl Correlator {
    /// A worker for `sources` (nothing is read until asked).
    pub fn new(sources: Sources) -> Correlator {
        Correlator {
            sources,
            store: None,
            prometheus: None,
            traces: TraceSet::new(),
            cache: VecDeque::new(),
        }
    }

    /// Answers one request (all the thread does; tests call it directly).
    pub fn answer(&mut self, req: CRequest) -> CResponse {
        match req {
            CRequest::Load { extent } => CResponse::Loaded(Box::new(self.load(extent))),
            CRequest::Window {
                generation,
                from,
                width,
                buckets,
            } => CResponse::Window(generation, self.window(from, width, buckets)),
            CRequest::Trace {
                generation,
                trace_id,
            } => {
                let found = self.trace(&trace_id);
                CResponse::Trace(generation, trace_id, found)
            }
        }
    }

    /// Serves requests from `rx` until it closes or `send` fails, newest per kind first.
    pub fn run(mut self, rx: Receiver<CRequest>, mut send: impl FnMut(CResponse) -> bool) {
        while let Ok(first) = rx.recv() {
            let mut queue = vec![first];
            queue.extend(rx.try_iter());
            let n = queue.len();
            for i in 0..n {
                let kind = queue[i].kind();
                let superseded = queue[i + 1..].iter().any(|r| r.kind() == kind);
                let answer = if superseded {
                    CResponse::Superseded
                } else {
                    self.answer(queue[i].clone())
                };
                if !send(answer) {
                    return;
                }
            }
        }
    }

    fn store(&mut self) -> Result<Option<&dyn Store>, String> {
        if self.store.is_none()
            && let Some(spec) = &self.sources.store
        {
            self.store = Some(open_store(spec).map_err(|e| format!("store {spec}: {e}"))?);
        }
        Ok(self.store.as_deref())
    }

    fn prometheus(&mut self) -> Result<Option<&Prometheus>, String> {
        if self.prometheus.is_none()
            && self.sources.has_queries()
            && let Some(url) = &self.sources.prometheus
        {
            self.prometheus = Some(Prometheus::new(url).map_err(|e| e.to_string())?);
        }
        Ok(self.prometheus.as_ref())
    }

    fn load(&mut self, extent: (TimeNs, TimeNs)) -> Loaded {
        let mut out = Loaded {
            extent,
            ..Loaded::default()
        };
        // Everything is read again: no span twice, no window answered from older data.
        self.traces = TraceSet::new();
        self.cache.clear();
        match self.store() {
            Ok(Some(store)) => {
                match metrics::load_store_metrics(store) {
                    Ok(s) => out.series.extend(s),
                    Err(e) => out.errors.push(e.to_string()),
                }
                match trace::load_store_traces(store) {
                    Ok(t) => self.traces = t,
                    Err(e) => out.errors.push(e.to_string()),
                }
            }
            Ok(None) => {}
            Err(e) => out.errors.push(e),
        }
        for path in self.sources.otlp.clone() {
            let shown = path.display().to_string();
            let parsed = std::fs::read_to_string(&path)
                .map_err(|e| format!("{shown}: {e}"))
                .and_then(|text| trace::parse_otlp(&text, &shown).map_err(|e| e.to_string()));
            match parsed {
                Ok(spans) => self.traces.add(spans),
                Err(e) => out.errors.push(e),
            }
        }
        let (lo, hi) = extent;
        let span = hi.saturating_sub(lo).max(1);
        let step = (span / OVERVIEW_POINTS).max(1_000_000_000);
        let queries = self.sources.queries.clone();
        match self.prometheus() {
            Ok(Some(p)) => {
                for q in &queries {
                    match p.query_range(q, lo, hi, step) {
                        Ok(s) => out.series.extend(s),
                        Err(e) => out.errors.push(e.to_string()),
                    }
                }
            }
            Ok(None) => {}
            Err(e) => out.errors.push(e),
        }
        out.anomalies = metrics::anomalies(&out.series);
        let mut spans: Vec<SpanMark> = self
            .traces
            .spans()
            .map(|s| SpanMark {
                start: s.start,
                error: s.status == trace::SpanStatus::Error,
            })
            .collect();
        spans.sort_by_key(|m| m.start);
        out.spans = spans;
        out.traces = self.traces.len();
        out
    }

    fn window(&mut self, from: TimeNs, width: i64, buckets: usize) -> Result<Vec<Series>, String> {
        let key = (from, width, buckets);
        if let Some((_, s)) = self.cache.iter().find(|(k, _)| *k == key) {
            return Ok(s.clone());
        }
        let queries = self.sources.queries.clone();
        let Some(p) = self.prometheus()? else {
            return Ok(Vec::new());
        };
        let width = width.max(1_000_000);
        let to = from.saturating_add(width.saturating_mul(buckets.max(1) as i64 - 1));
        let mut out = Vec::new();
        for q in &queries {
            out.extend(
                p.query_range(q, from, to, width)
                    .map_err(|e| e.to_string())?,
            );
        }
        self.cache.push_back((key, out.clone()));
        if self.cache.len() > CACHE_WINDOWS {
            self.cache.pop_front();
        }
        Ok(out)
    }

    fn trace(&mut self, id: &str) -> Result<Result<Box<Trace>, String>, String> {
        let Some(norm) = trace::normalize_trace_id(id) else {
            return Ok(Err(format!("{id:?} is not a trace id")));
        };
        if let Some(t) = self.traces.get(&norm) {
            return Ok(Ok(Box::new(t)));
        }
        let mut searched = vec![format!("{} loaded traces", self.traces.len())];
        if let Some(url) = self.sources.jaeger.clone() {
            match trace::fetch_jaeger(&url, &norm) {
                Ok(Some(t)) => return Ok(Ok(Box::new(t))),
                Ok(None) => searched.push(format!("Jaeger {}", crate::store::redact(&url))),
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(Err(format!(
            "trace {norm} not found (searched: {})",
            searched.join(", ")
        )))
    }
}
