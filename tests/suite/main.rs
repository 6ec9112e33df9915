//! The integration tests, in one binary: each test binary links the whole crate and its
//! dependencies, so one binary instead of two dozen saves CI minutes of linking. Each module
//! is the suite of one area (its doc says what it covers); the shared helpers come first.
//!
//! Run one area with `cargo test --test suite console_state::` (a name filter).

// Helpers shared by the areas (each area uses a different subset).
mod common;
mod console_common;
mod console_tmux_common;
mod pull_common;
mod query_model;
mod servers;
mod tamper_common;

mod bookmarks_journal;
mod cli_append;
mod cli_errors;
mod cli_follow;
mod cli_keygen;
mod cli_pins;
mod cli_seal;
mod console_alerts;
mod console_notes;
mod console_snapshots;
mod console_state;
mod console_tmux;
mod correlation;
mod crash_seal;
mod demo;
mod export;
mod faults_disk;
mod faults_http;
mod format_walkthrough;
mod fuzz_regressions;
mod golden;
mod locks;
mod permissions;
mod pull_faults;
mod pull_incremental;
mod pull_kill;
mod pull_state;
mod pull_tamper;
mod query;
mod readme_keys;
mod remote_stores;
mod saved_queries;
mod scan_tier;
mod secrets;
mod tamper;
mod tamper_regressions;
mod watch;
