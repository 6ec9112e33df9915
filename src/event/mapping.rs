//! A segment's mapping: input format plus per-field path overrides, and the functions that apply
//! it to raw records.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::canonical::{AuditEvent, Outcome};
use super::detect::{DETECT_KEYS, InputFormat, detect_format};
use super::extract::extract;
use super::path::{first_text, lookup, scalar_text};
use super::time::{TimeNs, time_from_json};
use super::{cloudtrail, generic, k8s};

/// Canonical fields that `--map field=path` may override.
pub const FIELDS: &[&str] = &[
    "time",
    "actor",
    "action",
    "resource",
    "outcome",
    "source_ip",
    "user_agent",
    "trace_id",
    "span_id",
    "request_id",
];

/// Paths for source IP, user agent, trace id, span id and request id, in that order.
type OptionalPaths = (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

/// Why a record could not be mapped. The caller adds file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapError {
    /// The canonical field at fault, or `record` when the record itself is unusable.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for MapError {}

/// How the records of a segment map to canonical events; recorded in every segment header so
/// that verify and index map each record exactly as seal did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Record format (`auto` decides per record).
    pub format: InputFormat,
    /// Overrides: canonical field name → dotted path in the record.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub map: BTreeMap<String, String>,
}

impl Default for Mapping {
    fn default() -> Self {
        Mapping {
            format: InputFormat::Auto,
            map: BTreeMap::new(),
        }
    }
}

impl Mapping {
    /// A mapping with overrides given as `field=path` strings (from `--map`).
    pub fn new(format: InputFormat, overrides: &[String]) -> Result<Mapping, String> {
        let mut map = BTreeMap::new();
        for o in overrides {
            let (field, path) = o
                .split_once('=')
                .ok_or_else(|| format!("--map {o:?}: expected field=path"))?;
            let (field, path) = (field.trim(), path.trim());
            if !FIELDS.contains(&field) {
                return Err(format!(
                    "--map {o:?}: unknown field {field:?} (one of {})",
                    FIELDS.join(", ")
                ));
            }
            if path.is_empty() || path.split('.').any(str::is_empty) {
                return Err(format!("--map {o:?}: empty path component"));
            }
            map.insert(field.to_owned(), path.to_owned());
        }
        Ok(Mapping { format, map })
    }

    /// Checks a mapping read from a segment header the way `--map` is checked.
    pub fn validate(&self) -> Result<(), String> {
        for (field, path) in &self.map {
            if !FIELDS.contains(&field.as_str()) {
                return Err(format!("mapping: unknown field {field:?}"));
            }
            if path.is_empty() || path.split('.').any(str::is_empty) {
                return Err(format!(
                    "mapping: {field}: empty path component in {path:?}"
                ));
            }
        }
        Ok(())
    }

    fn concrete_format<'v>(&self, get: impl Fn(&str) -> Option<&'v Value>) -> InputFormat {
        match self.format {
            InputFormat::Auto => detect_format(get),
            f => f,
        }
    }

    /// Time paths tried for a record of `format`, in order.
    pub(crate) fn time_paths(&self, format: InputFormat) -> Vec<&str> {
        if let Some(p) = self.map.get("time") {
            return vec![p.as_str()];
        }
        match format {
            InputFormat::K8sAudit => k8s::TIME_PATHS.to_vec(),
            InputFormat::Cloudtrail => cloudtrail::TIME_PATHS.to_vec(),
            _ => generic::TIME_PATHS.to_vec(),
        }
    }

    fn decide_time<'v>(
        &self,
        format: InputFormat,
        get: impl Fn(&str) -> Option<&'v Value>,
    ) -> Result<TimeNs, MapError> {
        let paths = self.time_paths(format);
        for p in &paths {
            match get(p) {
                None | Some(Value::Null) => continue,
                Some(v) => {
                    return time_from_json(v).map_err(|reason| MapError {
                        field: "time",
                        reason: format!("{p}: {reason}"),
                    });
                }
            }
        }
        Err(MapError {
            field: "time",
            reason: format!(
                "no time field (looked for {}; use --map time=PATH)",
                paths.join(", ")
            ),
        })
    }

    /// Parses and maps one raw record.
    pub fn map_record(&self, raw: &[u8]) -> Result<AuditEvent, MapError> {
        let v: Value = serde_json::from_slice(raw).map_err(|e| MapError {
            field: "record",
            reason: format!("invalid JSON: {e}"),
        })?;
        self.map_value(&v)
    }

    /// Maps one parsed record.
    pub fn map_value(&self, v: &Value) -> Result<AuditEvent, MapError> {
        if !v.is_object() {
            return Err(MapError {
                field: "record",
                reason: "not a JSON object".into(),
            });
        }
        let format = self.concrete_format(|p| lookup(v, p));
        let time = self.decide_time(format, |p| lookup(v, p))?;
        let over = |field: &str| self.map.get(field).map(|p| lookup(v, p));
        let text_field = |field: &str, default: &dyn Fn() -> Option<String>| match over(field) {
            Some(found) => found.and_then(scalar_text),
            None => default(),
        };
        let g = |paths: &'static [&'static str]| move || first_text(v, paths);
        let (actor, action, resource, outcome) = match format {
            InputFormat::K8sAudit => (
                text_field("actor", &|| Some(k8s::actor(v))),
                text_field("action", &|| first_text(v, &["verb"])),
                text_field("resource", &|| Some(k8s::resource(v))),
                k8s::outcome(v),
            ),
            InputFormat::Cloudtrail => (
                text_field("actor", &|| Some(cloudtrail::actor(v))),
                text_field("action", &|| Some(cloudtrail::action(v))),
                text_field("resource", &|| Some(cloudtrail::resource(v))),
                cloudtrail::outcome(v),
            ),
            _ => (
                text_field("actor", &g(generic::ACTOR_PATHS)),
                text_field("action", &g(generic::ACTION_PATHS)),
                text_field("resource", &g(generic::RESOURCE_PATHS)),
                generic::outcome(v, generic::OUTCOME_PATHS),
            ),
        };
        let outcome = match self.map.get("outcome") {
            Some(p) => lookup(v, p)
                .and_then(|x| generic::outcome_of(x, p))
                .unwrap_or(Outcome::Unknown),
            None => outcome,
        };
        let (ip, ua, trace, span, req): OptionalPaths = match format {
            InputFormat::K8sAudit => (&["sourceIPs.0"], &["userAgent"], &[], &[], &["auditID"]),
            InputFormat::Cloudtrail => (
                &["sourceIPAddress"],
                &["userAgent"],
                &[],
                &[],
                &["requestID", "eventID"],
            ),
            _ => (
                generic::SOURCE_IP_PATHS,
                generic::USER_AGENT_PATHS,
                generic::TRACE_ID_PATHS,
                generic::SPAN_ID_PATHS,
                generic::REQUEST_ID_PATHS,
            ),
        };
        let opt = |field: &str, paths: &[&str]| match over(field) {
            Some(found) => found.and_then(scalar_text),
            None => first_text(v, paths),
        };
        Ok(AuditEvent {
            time,
            actor: actor.unwrap_or_default(),
            action: action.unwrap_or_default(),
            resource: resource.unwrap_or_default(),
            outcome,
            source_ip: opt("source_ip", ip),
            user_agent: opt("user_agent", ua),
            trace_id: opt("trace_id", trace),
            span_id: opt("span_id", span),
            request_id: opt("request_id", req),
        })
    }

    /// The canonical event of a stored line, as the index maps it: a line that is not JSON
    /// or does not map keeps its time (if any) and outcome `unknown`, never fails. Also
    /// returns the parsed JSON, when it is JSON.
    pub fn map_line_lenient(&self, line: &[u8]) -> (AuditEvent, Option<Value>) {
        let parsed: Option<Value> = serde_json::from_slice(line).ok();
        let event = parsed.as_ref().and_then(|v| self.map_value(v).ok());
        let event = event.unwrap_or_else(|| AuditEvent {
            time: self.record_time(line).unwrap_or(0),
            actor: String::new(),
            action: String::new(),
            resource: String::new(),
            outcome: Outcome::Unknown,
            source_ip: None,
            user_agent: None,
            trace_id: None,
            span_id: None,
            request_id: None,
        });
        (event, parsed)
    }

    /// The time of one raw record, without building the whole JSON tree (the verifier's hot
    /// path). Always agrees with `map_record(raw)?.time`.
    pub fn record_time(&self, raw: &[u8]) -> Result<TimeNs, MapError> {
        let mut paths: Vec<&str> = Vec::with_capacity(16);
        if self.format == InputFormat::Auto && !self.map.contains_key("time") {
            paths.extend(DETECT_KEYS);
            for f in [
                InputFormat::K8sAudit,
                InputFormat::Cloudtrail,
                InputFormat::Ndjson,
            ] {
                paths.extend(self.time_paths(f));
            }
        } else {
            paths.extend(self.time_paths(self.format));
        }
        if paths
            .iter()
            .any(|p| p.split('.').any(|c| c.parse::<usize>().is_ok()))
        {
            // Array indexes are not supported by the fast extractor.
            return self.map_record(raw).map(|e| e.time);
        }
        let ex = extract(raw, &paths).map_err(|e| MapError {
            field: "record",
            reason: format!("invalid JSON: {}", e.0),
        })?;
        let get = |p: &str| paths.iter().position(|q| *q == p).and_then(|i| ex.get(i));
        let format = self.concrete_format(get);
        self.decide_time(format, get)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn overrides_are_validated() {
        assert!(Mapping::new(InputFormat::Ndjson, &["time=meta.ts".into()]).is_ok());
        assert!(
            Mapping::new(InputFormat::Ndjson, &["colour=x".into()])
                .unwrap_err()
                .contains("unknown field")
        );
        assert!(
            Mapping::new(InputFormat::Ndjson, &["time".into()])
                .unwrap_err()
                .contains("field=path")
        );
        assert!(Mapping::new(InputFormat::Ndjson, &["time=a..b".into()]).is_err());
    }

    #[test]
    fn generic_mapping_with_override() {
        let m = Mapping::new(
            InputFormat::Ndjson,
            &["actor=who.login".into(), "time=meta.at".into()],
        )
        .unwrap();
        let v = json!({"meta": {"at": "2026-01-01T00:00:00Z"}, "who": {"login": "ann"},
                       "action": "delete", "resource": "db/prod", "status": 403, "ip": "10.1.2.3"});
        let e = m.map_value(&v).unwrap();
        assert_eq!(e.actor, "ann");
        assert_eq!(e.action, "delete");
        assert_eq!(e.outcome, Outcome::Denied);
        assert_eq!(e.source_ip.as_deref(), Some("10.1.2.3"));
        let raw = serde_json::to_vec(&v).unwrap();
        assert_eq!(m.record_time(&raw).unwrap(), e.time);
    }

    #[test]
    fn missing_time_names_the_field() {
        let err = Mapping::default()
            .map_value(&json!({"user": "x"}))
            .unwrap_err();
        assert_eq!(err.field, "time");
        assert!(err.reason.contains("--map time="), "{err}");
        assert_eq!(
            Mapping::default()
                .record_time(br#"{"user":"x"}"#)
                .unwrap_err()
                .field,
            "time"
        );
    }
}
