//! Input formats and per-record format detection.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The shape of the records in an input (and in a segment, per its header's mapping).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    /// Decide per record: Kubernetes audit, CloudTrail, else generic NDJSON.
    Auto,
    /// Generic JSON objects with common key names.
    Ndjson,
    /// Kubernetes `audit.k8s.io/v1` `Event` objects.
    K8sAudit,
    /// AWS CloudTrail records.
    Cloudtrail,
}

impl InputFormat {
    /// The name used on the command line and in segment headers.
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::Auto => "auto",
            InputFormat::Ndjson => "ndjson",
            InputFormat::K8sAudit => "k8s-audit",
            InputFormat::Cloudtrail => "cloudtrail",
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "auto" => InputFormat::Auto,
            "ndjson" | "json" => InputFormat::Ndjson,
            "k8s-audit" | "k8s" | "kubernetes" => InputFormat::K8sAudit,
            "cloudtrail" => InputFormat::Cloudtrail,
            other => {
                return Err(format!(
                    "unknown format {other:?} (expected auto, ndjson, k8s-audit or cloudtrail)"
                ));
            }
        })
    }
}

/// Top-level keys [`detect_format`] looks at; the fast time path extracts exactly these.
pub const DETECT_KEYS: [&str; 5] = [
    "kind",
    "apiVersion",
    "eventVersion",
    "eventSource",
    "eventName",
];

/// Decides the concrete format of one record from its top-level keys (given by `get`).
pub fn detect_format<'v>(get: impl Fn(&str) -> Option<&'v Value>) -> InputFormat {
    detect_format_by(|k| get(k).and_then(Value::as_str))
}

/// [`detect_format`] over string values only (what the fast scanner provides).
pub fn detect_format_by<'s>(s: impl Fn(&str) -> Option<&'s str>) -> InputFormat {
    if s("kind") == Some("Event") && s("apiVersion").is_some_and(|v| v.starts_with("audit.k8s.io/"))
    {
        return InputFormat::K8sAudit;
    }
    if s("eventVersion").is_some() && s("eventSource").is_some() && s("eventName").is_some() {
        return InputFormat::Cloudtrail;
    }
    InputFormat::Ndjson
}
