//! Metric series shown under the audit-event histogram, on the same time axis, and their
//! anomalies (which the console can jump to).
//!
//! Data enters from two places, both in the JSON shape of a Prometheus `query_range` answer
//! (parsed by [`parse_query_range`]):
//! - a Prometheus-compatible HTTP API: [`Prometheus::query_range`] for a [`PromQuery`] written
//!   `LABEL=PROMQL` (blocking: never call it inside a tokio runtime);
//! - `metrics/*.json` files in the store: [`load_store_metrics`].
//!
//! It leaves as [`Series`] (sorted finite points; NaN/±Inf samples are gaps), which the console
//! turns into one value per histogram bucket with [`Series::buckets`], and as [`Anomaly`]s from
//! [`anomalies`].
//!
//! # The anomaly rule
//!
//! For each series with at least 8 points, over all its points: the median `m`, and the median
//! absolute deviation `MAD = median |x − m|`, scaled to `s = 1.4826 × MAD` (an estimate of the
//! standard deviation that a few wild points cannot move). If `s` is 0 (more than half the points
//! sit exactly on the median), `s = 1.2533 × mean |x − m|` instead; if that is 0 too, the series
//! is constant and has no anomalies. A point is anomalous when `|x − m| > 5 × s`. Consecutive
//! anomalous points, with no hole in the data longer than 1.5 × the series' step between them,
//! form one anomaly: it starts at its first point (the onset, "when did it start to hurt"), its
//! peak is the point farthest from `m`, and its score is `|peak − m| / s`.

mod anomaly;
mod error;
mod prom_json;
mod prom_query;
mod prometheus;
mod series;
mod store_files;

pub(crate) use anomaly::median;
pub use anomaly::{Anomaly, anomalies};
pub use error::MetricsError;
pub use prom_json::parse_query_range;
pub use prom_query::PromQuery;
pub use prometheus::{MAX_POINTS, MAX_RESPONSE_BYTES, Prometheus, query_step};
pub use series::{Point, Series};
pub use store_files::{METRICS_DIR, load_store_metrics};
