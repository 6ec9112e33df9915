//! trailscope: a terminal incident-investigation console for tamper-evident audit logs.
//!
//! A tour in data order:
//! - [`event`]: the canonical audit event and the mappers from Kubernetes audit, CloudTrail and
//!   generic NDJSON records;
//! - [`segment`]: the sealed format — segments chained by hash, Merkle roots over events,
//!   signed checkpoints, keys (normative text: `docs/FORMAT.md`);
//! - [`store`]: where segments live (a directory, a static HTTP server, an S3 bucket prefix);
//! - [`seal`]: the writer that appends segments and signs checkpoints;
//! - [`verify`]: the chain verifier, pinned heads and problem reports;
//! - [`pull`]: fetches new segments, verifies them in chain order, indexes the intact ones;
//! - [`index`]: the local Tantivy index (schema, documents, head recorded in each commit);
//! - [`query`]: search, histogram and facets over a pulled store (what the console calls);
//! - [`alert`]: saved queries and alert rules, evaluated on newly verified segments (`watch`,
//!   `open --follow`), integrity alerts, and their delivery;
//! - [`metrics`]: metric series from Prometheus or the store, and their anomalies;
//! - [`trace`]: distributed traces from OTLP JSON files or a Jaeger-compatible API;
//! - [`demo`]: the built-in demo store;
//! - [`text`]: terminal-safe rendering of untrusted strings;
//! - [`bookmarks`], [`mask`], [`journal`], [`export`]: bookmarks and notes, redaction, the
//!   investigator's own journal, and postmortem / evidence exports with offline proofs;
//! - [`tui`]: the interactive console (state, update, views, themes, keymap);
//! - [`cli`]: the command-line front end (thin: parsing and printing only).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alert;
pub mod bookmarks;
pub mod cli;
pub mod demo;
pub mod event;
pub mod export;
pub mod home;
pub mod index;
pub mod journal;
pub mod mask;
pub mod metrics;
pub mod pull;
pub mod query;
pub mod seal;
pub mod segment;
pub mod store;
pub mod text;
pub mod trace;
pub mod tui;
pub mod verify;
