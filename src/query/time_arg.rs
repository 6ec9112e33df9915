//! Time arguments: RFC 3339 (`2026-11-25T02:00:00Z`, any offset), `now`, or relative to now
//! (`-15m`, `-2h`, `-7d`, `-30s`, `-1w`).

use chrono::{DateTime, Utc};

use crate::event::time::TimeNs;

/// Parses `s` relative to `now` (nanoseconds since the epoch).
pub fn parse_time_arg(s: &str, now: TimeNs) -> Result<TimeNs, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if let Some(rel) = t.strip_prefix('-') {
        let split = rel
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(|| format!("{s:?}: relative time needs a unit (s, m, h, d, w)"))?;
        let (digits, unit) = rel.split_at(split);
        let n: i64 = digits
            .parse()
            .map_err(|_| format!("{s:?}: expected a number before the unit"))?;
        let secs: i64 = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => {
                return Err(format!(
                    "{s:?}: unknown unit {unit:?} (use s, m, h, d or w)"
                ));
            }
        };
        let back = n
            .checked_mul(secs)
            .and_then(|x| x.checked_mul(1_000_000_000))
            .ok_or_else(|| format!("{s:?}: too far back"))?;
        return now
            .checked_sub(back)
            .ok_or_else(|| format!("{s:?}: too far back"));
    }
    let dt = DateTime::parse_from_rfc3339(t).map_err(|e| {
        format!("{s:?}: expected RFC 3339 (2026-11-25T02:00:00Z), now, or -15m/-2h/-7d ({e})")
    })?;
    dt.with_timezone(&Utc)
        .timestamp_nanos_opt()
        .ok_or_else(|| format!("{s:?}: out of range"))
}

/// Now, in nanoseconds since the epoch.
pub fn now_ns() -> TimeNs {
    Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: TimeNs = 1_764_000_000_000_000_000;

    #[test]
    fn relative_and_absolute() {
        assert_eq!(parse_time_arg("now", NOW).unwrap(), NOW);
        assert_eq!(parse_time_arg("-15m", NOW).unwrap(), NOW - 900_000_000_000);
        assert_eq!(parse_time_arg("-2h", NOW).unwrap(), NOW - 7_200_000_000_000);
        assert_eq!(
            parse_time_arg("2026-11-25T02:00:00.5+01:00", NOW).unwrap(),
            parse_time_arg("2026-11-25T01:00:00.5Z", NOW).unwrap()
        );
        assert!(parse_time_arg("-15", NOW).is_err());
        assert!(parse_time_arg("-15y", NOW).is_err());
        assert!(parse_time_arg("yesterday", NOW).is_err());
        assert!(parse_time_arg("-99999999999999w", NOW).is_err());
    }
}
