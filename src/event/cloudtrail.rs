//! AWS CloudTrail records, from `{"Records":[…]}` files or one record per line.

use serde_json::Value;

use super::canonical::Outcome;
use super::path::{first_text, text};

/// Paths tried for the event time.
pub const TIME_PATHS: &[&str] = &["eventTime"];

/// The principal: ARN when present, else user name, principal id, calling service or type.
pub fn actor(v: &Value) -> String {
    first_text(
        v,
        &[
            "userIdentity.arn",
            "userIdentity.userName",
            "userIdentity.principalId",
            "userIdentity.invokedBy",
            "userIdentity.type",
        ],
    )
    .unwrap_or_default()
}

/// IAM-style action: `s3:DeleteBucket`.
pub fn action(v: &Value) -> String {
    let name = text(v, "eventName").unwrap_or_default();
    match text(v, "eventSource") {
        Some(src) => {
            let svc = src.strip_suffix(".amazonaws.com").unwrap_or(&src);
            format!("{svc}:{name}")
        }
        None => name,
    }
}

/// The first resource ARN, else the most specific request parameter naming the target.
pub fn resource(v: &Value) -> String {
    first_text(
        v,
        &[
            "resources.0.ARN",
            "requestParameters.bucketName",
            "requestParameters.roleName",
            "requestParameters.userName",
            "requestParameters.policyArn",
            "requestParameters.functionName",
            "requestParameters.instanceId",
            "requestParameters.instancesSet.items.0.instanceId",
            "requestParameters.groupId",
            "requestParameters.secretId",
            "requestParameters.name",
            "requestParameters.key",
        ],
    )
    .unwrap_or_default()
}

/// Denied for access errors and failed console logins, failure for other error codes.
pub fn outcome(v: &Value) -> Outcome {
    if text(v, "responseElements.ConsoleLogin").as_deref() == Some("Failure") {
        return Outcome::Denied;
    }
    match text(v, "errorCode") {
        None => Outcome::Success,
        Some(code) => {
            let c = code.to_ascii_lowercase();
            if c.contains("accessdenied") || c.contains("unauthorized") || c.contains("forbidden") {
                Outcome::Denied
            } else {
                Outcome::Failure
            }
        }
    }
}
