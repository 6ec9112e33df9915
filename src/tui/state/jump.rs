//! The `t` prompt's time expressions, read relative to the cursor (not to now: an
//! investigation is usually about the past).

use chrono::{DateTime, NaiveTime, Utc};

use crate::event::time::TimeNs;
use crate::query::parse_time_arg;

/// Parses `s`: `+15m` / `-2h` (from the cursor; units s, m, h, d, w), `12:07` or `12:07:30`
/// (that UTC time on the cursor's day), `now`, or an RFC 3339 time.
pub fn parse_jump(s: &str, cursor: TimeNs, now: TimeNs) -> Result<TimeNs, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("type a time: 12:07, +15m, -2h, now or 2026-11-24T02:07:00Z".into());
    }
    if let Some(rest) = t.strip_prefix('+') {
        let back = parse_time_arg(&format!("-{rest}"), 0)?;
        return cursor
            .checked_sub(back)
            .ok_or_else(|| format!("{t:?}: out of range"));
    }
    if t.starts_with('-') {
        return parse_time_arg(t, cursor);
    }
    if t.contains(':') && !t.contains('T') && !t.contains(' ') {
        let time = NaiveTime::parse_from_str(t, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
            .map_err(|_| format!("{t:?}: expected HH:MM or HH:MM:SS"))?;
        let day = DateTime::<Utc>::from_timestamp_nanos(cursor).date_naive();
        return day
            .and_time(time)
            .and_utc()
            .timestamp_nanos_opt()
            .ok_or_else(|| format!("{t:?}: out of range"));
    }
    parse_time_arg(&t.replacen(' ', "T", 1), now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> TimeNs {
        parse_time_arg(s, 0).unwrap()
    }

    #[test]
    fn relative_times_are_from_the_cursor() {
        let c = at("2026-11-24T02:00:00Z");
        assert_eq!(
            parse_jump("+15m", c, 0).unwrap(),
            at("2026-11-24T02:15:00Z")
        );
        assert_eq!(parse_jump("-2h", c, 0).unwrap(), at("2026-11-24T00:00:00Z"));
        assert_eq!(
            parse_jump("01:49", c, 0).unwrap(),
            at("2026-11-24T01:49:00Z")
        );
        assert_eq!(
            parse_jump("01:49:30", c, 0).unwrap(),
            at("2026-11-24T01:49:30Z")
        );
        assert_eq!(
            parse_jump("2026-11-24 02:07:00Z", c, 0).unwrap(),
            at("2026-11-24T02:07:00Z")
        );
        assert_eq!(parse_jump("now", c, 42).unwrap(), 42);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for bad in [
            "",
            "25:00",
            "+",
            "+5x",
            "yesterday",
            "-99999999999999w",
            "12:",
        ] {
            assert!(parse_jump(bad, 0, 0).is_err(), "{bad}");
        }
    }
}
