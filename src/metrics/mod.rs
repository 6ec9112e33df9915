//! Metric series shown under the audit histogram: from a Prometheus-compatible API or from
//! `metrics/*.json` files in the store. (Being written.)
