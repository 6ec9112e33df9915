//! Metrics and traces next to the audit events (issue 5): Prometheus query_range against a real
//! Prometheus, metric files in the store, OTLP JSON and a Jaeger-shaped HTTP API, the demo's
//! correlated data, and the `metrics` / `trace` commands.
//!
//! One test binary for the whole area (each binary links the whole crate: fewer binaries, a
//! faster CI).

mod cli;
mod console;
mod demo_data;
mod metrics;
mod traces;
