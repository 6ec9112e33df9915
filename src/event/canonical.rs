//! The canonical event: the fields every view, index and export relies on.

use serde::{Deserialize, Serialize};

use super::time::TimeNs;

/// What became of the audited action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The action was carried out.
    Success,
    /// The action was attempted and failed for a reason other than authorization.
    Failure,
    /// Authentication or authorization refused the action.
    Denied,
    /// The record does not say (generic NDJSON without an outcome-like field).
    Unknown,
}

impl Outcome {
    /// The lower-case name used in output and queries.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
            Outcome::Unknown => "unknown",
        }
    }

    /// Maps an HTTP-like status code: 401/403 denied, other ≥ 400 failure, else success.
    pub fn from_status_code(code: i64) -> Outcome {
        match code {
            401 | 403 | 407 => Outcome::Denied,
            c if c >= 400 => Outcome::Failure,
            _ => Outcome::Success,
        }
    }

    /// Maps the words sources use for outcomes (case-insensitive); `None` when unrecognised.
    pub fn from_word(word: &str) -> Option<Outcome> {
        let w = word.trim().to_ascii_lowercase();
        Some(match w.as_str() {
            "success" | "succeeded" | "successful" | "ok" | "allow" | "allowed" | "true"
            | "pass" | "passed" | "accept" | "accepted" => Outcome::Success,
            "failure" | "failed" | "fail" | "error" | "false" | "err" => Outcome::Failure,
            "denied" | "deny" | "forbidden" | "unauthorized" | "unauthorised" | "reject"
            | "rejected" | "blocked" => Outcome::Denied,
            _ => {
                if let Ok(code) = w.parse::<i64>() {
                    return Some(Outcome::from_status_code(code));
                }
                return None;
            }
        })
    }
}

/// One audit event in canonical form. Optional fields are `None` when the record has no value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// When it happened, UTC nanoseconds since the epoch.
    pub time: TimeNs,
    /// Who did it (user name, ARN, service account).
    pub actor: String,
    /// What was done (`verb`, `service:EventName`, …).
    pub action: String,
    /// What it was done to.
    pub resource: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Client address, when known.
    pub source_ip: Option<String>,
    /// Client software, when known.
    pub user_agent: Option<String>,
    /// W3C / OpenTelemetry trace id, when the record carries one.
    pub trace_id: Option<String>,
    /// Span id, when the record carries one.
    pub span_id: Option<String>,
    /// The source's own request or event id.
    pub request_id: Option<String>,
}
