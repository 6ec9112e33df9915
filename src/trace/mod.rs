//! Distributed traces: OTLP JSON files and a Jaeger-compatible query API. (Being written.)
