//! The console: `trailscope open` and `trailscope demo`'s interactive timeline.
//!
//! The Elm-style loop: terminal events become [`action::Action`]s through the [`keymap`];
//! [`update`] changes the [`state::App`] and returns effects (requests for the query
//! [`worker`], the [`correlate`] worker for metrics and traces, clipboard writes); [`view`] draws the state, purely. The background pull and the
//! worker run on their own threads and report over a channel, so the screen never waits for
//! I/O or a query. During live follow the pull thread also evaluates the alert rules
//! ([`live_alerts`]) and reports the alerts the same way.

pub mod action;
pub mod config;
pub mod correlate;
pub mod keymap;
pub mod keys;
pub mod live_alerts;
pub mod run;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;
pub mod worker;

pub use run::{OpenOptions, run};
