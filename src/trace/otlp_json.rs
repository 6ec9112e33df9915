//! The OTLP/JSON shapes of an `ExportTraceServiceRequest` (the protobuf JSON mapping), read with
//! serde, and the conversions of their scalar fields.
//!
//! Every field is optional here (protobuf JSON omits defaults and allows `null`), keys are
//! lowerCamelCase with the snake_case proto names accepted as aliases, and unknown fields are
//! ignored. Fields whose bad values need a precise message (ids, times, enums, integer and
//! double values) are kept as raw [`Value`]s and converted by the functions below, which return
//! the message naming the field; the caller adds where the span is.

use serde::Deserialize;
use serde_json::{Map, Number, Value};

use super::error::quote;
use crate::event::time::TimeNs;

/// One line of a collector's file exporter.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Request {
    #[serde(alias = "resource_spans")]
    pub resource_spans: Option<Vec<ResourceSpans>>,
}

/// Spans from one resource (a process: `service.name` and other resource attributes).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ResourceSpans {
    pub resource: Option<Resource>,
    #[serde(alias = "scope_spans")]
    pub scope_spans: Option<Vec<ScopeSpans>>,
    /// The name of `scopeSpans` before OTLP 0.15 (older exporters still write it).
    #[serde(alias = "instrumentation_library_spans")]
    pub instrumentation_library_spans: Option<Vec<ScopeSpans>>,
}

/// The resource's attributes.
#[derive(Deserialize)]
pub(super) struct Resource {
    pub attributes: Option<Vec<KeyValue>>,
}

/// Spans from one instrumentation scope (the scope itself is not kept).
#[derive(Deserialize)]
pub(super) struct ScopeSpans {
    pub spans: Option<Vec<RawSpan>>,
}

/// A span as written.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RawSpan {
    #[serde(alias = "trace_id")]
    pub trace_id: Option<Value>,
    #[serde(alias = "span_id")]
    pub span_id: Option<Value>,
    #[serde(alias = "parent_span_id")]
    pub parent_span_id: Option<Value>,
    pub name: Option<String>,
    pub kind: Option<Value>,
    #[serde(alias = "start_time_unix_nano")]
    pub start_time_unix_nano: Option<Value>,
    #[serde(alias = "end_time_unix_nano")]
    pub end_time_unix_nano: Option<Value>,
    pub attributes: Option<Vec<KeyValue>>,
    pub events: Option<Vec<RawEvent>>,
    pub status: Option<RawStatus>,
}

/// A span event as written.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RawEvent {
    #[serde(alias = "time_unix_nano")]
    pub time_unix_nano: Option<Value>,
    pub name: Option<String>,
    pub attributes: Option<Vec<KeyValue>>,
}

/// A span status as written.
#[derive(Deserialize)]
pub(super) struct RawStatus {
    pub code: Option<Value>,
    pub message: Option<String>,
}

/// An attribute.
#[derive(Deserialize)]
pub(super) struct KeyValue {
    pub key: Option<String>,
    pub value: Option<AnyValue>,
}

/// OTLP's `AnyValue`: at most one of these is set (none: an empty value).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AnyValue {
    #[serde(alias = "string_value")]
    string_value: Option<String>,
    #[serde(alias = "bool_value")]
    bool_value: Option<bool>,
    #[serde(alias = "int_value")]
    int_value: Option<Value>,
    #[serde(alias = "double_value")]
    double_value: Option<Value>,
    #[serde(alias = "array_value")]
    array_value: Option<Values<AnyValue>>,
    #[serde(alias = "kvlist_value")]
    kvlist_value: Option<Values<KeyValue>>,
    #[serde(alias = "bytes_value")]
    bytes_value: Option<String>,
}

/// `ArrayValue` and `KeyValueList`: a `values` list.
#[derive(Deserialize)]
pub(super) struct Values<T> {
    values: Option<Vec<T>>,
}

/// Attributes as `(key, text)` pairs, in the order written.
pub(super) fn attributes(list: Option<Vec<KeyValue>>) -> Result<Vec<(String, String)>, String> {
    list.unwrap_or_default()
        .into_iter()
        .map(|kv| {
            let key = kv.key.unwrap_or_default();
            let text = kv
                .value
                .map(AnyValue::into_text)
                .transpose()
                .map_err(|e| format!("attribute {}: {e}", quote(&key)))?
                .unwrap_or_default();
            Ok((key, text))
        })
        .collect()
}

impl AnyValue {
    /// The value as text: strings as they are, numbers and booleans as JSON writes them, arrays
    /// and key-value lists as compact JSON, bytes as their base64 text, an empty value as "".
    pub(super) fn into_text(self) -> Result<String, String> {
        Ok(match self.into_json()? {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        })
    }

    /// The value as JSON (an empty value is `null`; a NaN or infinite double is a string).
    fn into_json(self) -> Result<Value, String> {
        if let Some(s) = self.string_value {
            Ok(Value::String(s))
        } else if let Some(b) = self.bool_value {
            Ok(Value::Bool(b))
        } else if let Some(i) = self.int_value {
            int_value(&i).map(Value::from)
        } else if let Some(d) = self.double_value {
            let f = double_value(&d)?;
            Ok(Number::from_f64(f).map_or_else(|| Value::String(f.to_string()), Value::Number))
        } else if let Some(a) = self.array_value {
            let values = a.values.unwrap_or_default();
            let items = values.into_iter().enumerate().map(|(i, v)| {
                v.into_json()
                    .map_err(|e| format!("arrayValue item {i}: {e}"))
            });
            Ok(Value::Array(items.collect::<Result<_, _>>()?))
        } else if let Some(kv) = self.kvlist_value {
            let mut map = Map::new();
            for pair in kv.values.unwrap_or_default() {
                let key = pair.key.unwrap_or_default();
                let value = match pair.value {
                    Some(v) => v
                        .into_json()
                        .map_err(|e| format!("kvlistValue key {}: {e}", quote(&key)))?,
                    None => Value::Null,
                };
                map.insert(key, value);
            }
            Ok(Value::Object(map))
        } else if let Some(b) = self.bytes_value {
            Ok(Value::String(b))
        } else {
            Ok(Value::Null)
        }
    }
}

/// An `intValue`: a decimal string (the protobuf JSON form of int64) or a JSON integer.
fn int_value(v: &Value) -> Result<i64, String> {
    let parsed = match v {
        Value::String(s) => s.trim().parse::<i64>().ok(),
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                .map(|f| f as i64)
        }),
        _ => None,
    };
    parsed.ok_or_else(|| format!("intValue {} is not a 64-bit integer", show(v)))
}

/// A `doubleValue`: a JSON number, or a string holding one (also `NaN`, `Infinity`,
/// `-Infinity`).
fn double_value(v: &Value) -> Result<f64, String> {
    let parsed = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| format!("doubleValue {} is not a number", show(v)))
}

/// A `fixed64` nanosecond time: a decimal string (the protobuf JSON form) or a JSON integer.
/// `field` names it in the message.
pub(super) fn time_ns(field: &str, v: Option<&Value>) -> Result<TimeNs, String> {
    let v = v
        .filter(|v| !v.is_null())
        .ok_or_else(|| format!("{field} is missing"))?;
    let unsigned = match v {
        Value::String(s) => s.trim().parse::<u64>().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    };
    let ns = unsigned
        .ok_or_else(|| format!("{field} {} is not a whole number of nanoseconds", show(v)))?;
    i64::try_from(ns).map_err(|_| format!("{field} {ns} is after the year 2262"))
}

/// The hex text of an id field (`None` when absent or `null`), or a message when it is not a
/// string.
pub(super) fn id_text<'a>(field: &str, v: Option<&'a Value>) -> Result<Option<&'a str>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err(format!("{field} {} is not a hex string", show(other))),
    }
}

/// A protobuf enum written as its number or its name (`prefix` + the names in `names`, any
/// case); the index into `names` is the number.
pub(super) fn enum_value(
    field: &str,
    v: Option<&Value>,
    prefix: &str,
    names: &[&str],
) -> Result<usize, String> {
    let index = match v {
        None | Some(Value::Null) => Some(0),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
            .filter(|&i| i < names.len()),
        Some(Value::String(s)) => {
            let upper = s.trim().to_ascii_uppercase();
            let short = upper.strip_prefix(prefix).unwrap_or(&upper);
            names.iter().position(|n| n.eq_ignore_ascii_case(short))
        }
        Some(_) => None,
    };
    index.ok_or_else(|| {
        format!(
            "{field} {} is not one of 0 to {} or {prefix}{}",
            show(v.unwrap_or(&Value::Null)),
            names.len() - 1,
            names.join(&format!("/{prefix}"))
        )
    })
}

/// A raw value for a message: strings quoted (and cut), anything else as compact JSON (cut).
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        other => {
            let text = other.to_string();
            match text.char_indices().nth(80) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text,
            }
        }
    }
}
