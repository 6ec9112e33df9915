//! Saved queries and alerts: named queries from the config file (and the defaults shipped in
//! `assets/queries/`), evaluated on every newly verified batch by `watch` and `open --follow`.
//!
//! - [`rules`]: the `[[queries]]` entries and the shipped defaults;
//! - [`engine`]: which events of newly verified segments match an alert rule (never an event of
//!   a segment that no signed checkpoint attests);
//! - [`integrity`]: alerts on what the verifier found (tamper, rollback, fork, stale head);
//! - [`position`]: how far `watch` has alerted, persisted so a restart repeats nothing;
//! - [`deliver`]: one JSON line per alert, on stdout or to a command's stdin.

pub mod deliver;
pub mod engine;
pub mod integrity;
pub mod position;
pub mod rules;

use serde::Serialize;

use crate::query::Hit;

pub use engine::Evaluator;
pub use rules::{SavedQuery, default_queries};

/// What raised an alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// An event matched an alert rule.
    Match,
    /// An alert rule's matches reached its threshold within its window.
    Threshold,
    /// The verifier found the store altered, rolled back, forked or stale.
    Integrity,
}

/// One alert: what `watch` prints as a JSON line and the console lists.
#[derive(Clone, Debug, Serialize)]
pub struct Alert {
    /// What raised it.
    pub kind: AlertKind,
    /// The rule's name; for integrity alerts the problem kind (`content_modified`, `fork`,
    /// `stale_head`…).
    pub rule: String,
    /// The rule's description, or the verifier's detail.
    pub description: String,
    /// The store it concerns.
    pub store: String,
    /// Segment seq of the event (or of the problem).
    pub seq: Option<u64>,
    /// Position of the event in its segment.
    pub pos: Option<u64>,
    /// Chain hash (hex) of the event's segment, as verified.
    pub hash: Option<String>,
    /// The event (matches and thresholds: the one that reached it).
    pub event: Option<Hit>,
    /// Threshold alerts: matches within the window, the threshold and the window.
    pub count: Option<u64>,
    /// The rule's threshold.
    pub threshold: Option<u64>,
    /// The rule's window as written.
    pub window: Option<String>,
    /// Integrity alerts: the store file at fault.
    pub file: Option<String>,
    /// When the alert was raised (RFC 3339, UTC).
    pub raised_at: String,
}

impl Alert {
    /// A one-line summary for a terminal (not sanitized: callers sanitize).
    pub fn summary(&self) -> String {
        match (&self.kind, &self.event) {
            (AlertKind::Integrity, _) => format!(
                "INTEGRITY {} at seq {}: {}",
                self.rule,
                self.seq.map_or("-".into(), |s| s.to_string()),
                self.description
            ),
            (kind, Some(e)) => {
                let lead = if *kind == AlertKind::Threshold {
                    format!(
                        "{} ({} in {})",
                        self.rule,
                        self.count.unwrap_or(0),
                        self.window.as_deref().unwrap_or("-")
                    )
                } else {
                    self.rule.clone()
                };
                format!(
                    "{lead}: {} {} {} {} ({})",
                    e.actor, e.action, e.resource, e.outcome, e.time
                )
            }
            (_, None) => self.rule.clone(),
        }
    }
}

/// Now as RFC 3339 (UTC, seconds).
pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
