//! Kubernetes audit events (`audit.k8s.io/v1`, `kind: Event`), one per line as the API server's
//! log backend writes them.

use serde_json::Value;

use super::canonical::Outcome;
use super::path::{first_text, lookup, text};

/// Paths tried for the event time, in order.
pub const TIME_PATHS: &[&str] = &["requestReceivedTimestamp", "stageTimestamp"];

/// `resource[.group][/subresource]` then `namespace/name` when present, e.g.
/// `deployments.apps/prod/web`, `secrets/kube-system/bootstrap-token`, or the request URI when
/// the event has no `objectRef`.
pub fn resource(v: &Value) -> String {
    let Some(obj) = lookup(v, "objectRef") else {
        return text(v, "requestURI").unwrap_or_default();
    };
    let mut s = text(obj, "resource").unwrap_or_default();
    if let Some(g) = text(obj, "apiGroup") {
        s.push('.');
        s.push_str(&g);
    }
    if let Some(sub) = text(obj, "subresource") {
        s.push('/');
        s.push_str(&sub);
    }
    for part in ["namespace", "name"] {
        if let Some(p) = text(obj, part) {
            s.push('/');
            s.push_str(&p);
        }
    }
    s
}

/// Denied when the authorizer said `forbid` or the status is 401/403, failure for other error
/// codes, success otherwise; unknown when the event has no response status yet.
pub fn outcome(v: &Value) -> Outcome {
    if lookup(v, "annotations")
        .and_then(|a| a.get("authorization.k8s.io/decision"))
        .and_then(Value::as_str)
        == Some("forbid")
    {
        return Outcome::Denied;
    }
    match lookup(v, "responseStatus.code").and_then(Value::as_i64) {
        Some(code) => Outcome::from_status_code(code),
        None => Outcome::Unknown,
    }
}

/// Actor: the authenticated user name.
pub fn actor(v: &Value) -> String {
    first_text(v, &["user.username"]).unwrap_or_default()
}
