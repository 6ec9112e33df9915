//! Generic NDJSON: common key names, tried in order. Each list can be overridden per field with
//! `--map field=path`.

use serde_json::Value;

use super::canonical::Outcome;
use super::path::lookup;

/// Time keys, in order of preference.
pub const TIME_PATHS: &[&str] = &[
    "time",
    "timestamp",
    "@timestamp",
    "ts",
    "eventTime",
    "event_time",
    "datetime",
    "date",
    "created_at",
];
/// Actor keys.
pub const ACTOR_PATHS: &[&str] = &[
    "actor",
    "user",
    "username",
    "user_name",
    "userName",
    "user.name",
    "user.id",
    "actor.name",
    "actor.id",
    "principal",
    "subject",
    "identity",
    "who",
];
/// Action keys.
pub const ACTION_PATHS: &[&str] = &[
    "action",
    "event.action",
    "verb",
    "method",
    "operation",
    "op",
    "eventName",
    "event_type",
    "event",
    "type",
];
/// Resource keys.
pub const RESOURCE_PATHS: &[&str] = &[
    "resource",
    "object",
    "target",
    "resource_id",
    "resource.name",
    "path",
    "uri",
    "url",
];
/// Outcome keys.
pub const OUTCOME_PATHS: &[&str] = &[
    "outcome",
    "event.outcome",
    "result",
    "status",
    "status_code",
    "decision",
    "success",
    "allowed",
];
/// Source address keys.
pub const SOURCE_IP_PATHS: &[&str] = &[
    "source_ip",
    "src_ip",
    "client_ip",
    "ip",
    "remote_addr",
    "remote_ip",
    "sourceIPAddress",
    "source.ip",
    "client.ip",
];
/// User agent keys.
pub const USER_AGENT_PATHS: &[&str] = &[
    "user_agent",
    "userAgent",
    "ua",
    "http.user_agent",
    "user_agent.original",
];
/// Trace id keys.
pub const TRACE_ID_PATHS: &[&str] = &["trace_id", "traceId", "traceID", "trace.id"];
/// Span id keys.
pub const SPAN_ID_PATHS: &[&str] = &["span_id", "spanId", "spanID", "span.id"];
/// Request id keys.
pub const REQUEST_ID_PATHS: &[&str] = &["request_id", "requestId", "requestID", "req_id"];

/// Outcome from the first outcome-like key: words, HTTP codes, or booleans (`allowed: false`
/// is denied, `success: false` is failure).
pub fn outcome(v: &Value, paths: &[&str]) -> Outcome {
    for p in paths {
        let Some(val) = lookup(v, p) else { continue };
        if let Some(o) = outcome_of(val, p) {
            return o;
        }
    }
    Outcome::Unknown
}

/// Interprets one outcome-like value found at `path`.
pub fn outcome_of(val: &Value, path: &str) -> Option<Outcome> {
    match val {
        Value::String(s) => Outcome::from_word(s),
        Value::Number(n) => n.as_i64().map(Outcome::from_status_code),
        Value::Bool(true) => Some(Outcome::Success),
        Value::Bool(false) if path.ends_with("allowed") => Some(Outcome::Denied),
        Value::Bool(false) => Some(Outcome::Failure),
        _ => None,
    }
}
