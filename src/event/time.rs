//! Event times: parsed from what the sources write, kept as UTC nanoseconds since the Unix epoch,
//! and written back in one fixed RFC 3339 spelling (`2026-11-25T20:18:16.123456789Z`).

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde_json::Value;

/// UTC nanoseconds since 1970-01-01T00:00:00Z.
pub type TimeNs = i64;

/// Formats a time in the fixed spelling used in segment headers: RFC 3339, UTC, nine
/// fractional digits, `Z`.
pub fn format_ns(t: TimeNs) -> String {
    DateTime::<Utc>::from_timestamp_nanos(t).to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// Parses an RFC 3339 time (any offset, `T` or space separator, any number of fractional
/// digits). Times without an offset are refused: guessing a zone would silently alter the data.
pub fn parse_rfc3339_ns(s: &str) -> Result<TimeNs, String> {
    let s = s.trim();
    let dt = DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%:z"))
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%#z"))
        .map_err(|_| {
            if NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
                || NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").is_ok()
            {
                format!("{s:?} has no UTC offset (add Z or +hh:mm)")
            } else {
                format!("{s:?} is not RFC 3339")
            }
        })?;
    dt.with_timezone(&Utc)
        .timestamp_nanos_opt()
        .ok_or_else(|| format!("{s:?} is outside the representable range (1677..2262)"))
}

/// Interprets a JSON time value: an RFC 3339 string, or a Unix epoch number whose unit is
/// inferred from its magnitude (s < 1e11 ≤ ms < 1e14 ≤ µs < 1e17 ≤ ns); fractional numbers are
/// seconds.
pub fn time_from_json(v: &Value) -> Result<TimeNs, String> {
    match v {
        Value::String(s) => parse_rfc3339_ns(s),
        Value::Number(n) => time_from_number(n),
        other => Err(format!(
            "time must be a string or a number, found {}",
            kind_of(other)
        )),
    }
}

/// Interprets a JSON number as Unix time (see [`time_from_json`]).
pub fn time_from_number(n: &serde_json::Number) -> Result<TimeNs, String> {
    if let Some(i) = n.as_i64() {
        let a = i.unsigned_abs();
        let mult: i64 = if a < 100_000_000_000 {
            1_000_000_000
        } else if a < 100_000_000_000_000 {
            1_000_000
        } else if a < 100_000_000_000_000_000 {
            1_000
        } else {
            1
        };
        i.checked_mul(mult)
            .ok_or_else(|| format!("epoch time {i} is out of range"))
    } else if let Some(ns) = decimal_seconds_to_ns(&n.to_string()) {
        Ok(ns)
    } else if let Some(f) = n.as_f64() {
        let ns = f * 1e9;
        if ns.is_finite() && ns.abs() < 9.2e18 {
            Ok(ns.round() as i64)
        } else {
            Err(format!("epoch time {f} is out of range"))
        }
    } else {
        Err(format!("epoch time {n} is out of range"))
    }
}

/// Exact conversion of a plain decimal `seconds.fraction` to nanoseconds (floats would round).
fn decimal_seconds_to_ns(s: &str) -> Option<i64> {
    let (int, frac) = s.split_once('.')?;
    if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let neg = int.starts_with('-');
    let secs: i64 = int.parse().ok()?;
    let mut digits: String = frac.chars().take(9).collect();
    while digits.len() < 9 {
        digits.push('0');
    }
    let sub: i64 = digits.parse().ok()?;
    let base = secs.checked_mul(1_000_000_000)?;
    if neg {
        base.checked_sub(sub)
    } else {
        base.checked_add(sub)
    }
}

/// The JSON type of `v` in words, for messages ("a string", "an array", …).
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc3339_variants_parse_to_the_same_instant() {
        let a = parse_rfc3339_ns("2026-11-25T20:18:16.5Z").unwrap();
        let b = parse_rfc3339_ns("2026-11-25T21:18:16.500+01:00").unwrap();
        let c = parse_rfc3339_ns("2026-11-25 20:18:16.500000Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(format_ns(a), "2026-11-25T20:18:16.500000000Z");
        assert_eq!(parse_rfc3339_ns(&format_ns(a)).unwrap(), a);
    }

    #[test]
    fn naive_times_are_refused_with_a_reason() {
        let e = parse_rfc3339_ns("2026-11-25T20:18:16").unwrap_err();
        assert!(e.contains("no UTC offset"), "{e}");
        assert!(
            parse_rfc3339_ns("yesterday")
                .unwrap_err()
                .contains("not RFC 3339")
        );
    }

    #[test]
    fn epoch_numbers_by_magnitude() {
        let s = 1_764_101_896i64;
        let want = s * 1_000_000_000;
        assert_eq!(time_from_json(&json!(s)).unwrap(), want);
        assert_eq!(time_from_json(&json!(s * 1000)).unwrap(), want);
        assert_eq!(time_from_json(&json!(s * 1_000_000)).unwrap(), want);
        assert_eq!(time_from_json(&json!(want)).unwrap(), want);
        assert_eq!(
            time_from_json(&json!(1_764_101_896.25)).unwrap(),
            want + 250_000_000
        );
        assert!(time_from_json(&json!(true)).is_err());
        assert!(time_from_json(&json!(1e300)).is_err());
    }
}
