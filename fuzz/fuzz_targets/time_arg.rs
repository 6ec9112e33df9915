//! Time expressions typed by the user or read from the config file (`--from -15m`,
//! `window = "2026-11-25T02:00:00Z"`), durations (`correlation.before = "5m"`) and event times
//! as records write them. The first 8 bytes are "now".
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::event::time::{format_ns, parse_rfc3339_ns};
use trailscope::query::parse_time_arg;
use trailscope::tui::config::duration_ns;

fuzz_target!(|data: &[u8]| {
    let (now, text) = if data.len() >= 8 {
        let (n, t) = data.split_at(8);
        (i64::from_le_bytes(n.try_into().expect("8 bytes")), t)
    } else {
        (1_764_000_000_000_000_000, data)
    };
    let Ok(s) = std::str::from_utf8(text) else {
        return;
    };
    if let Ok(t) = parse_time_arg(s, now) {
        // A relative time never lies after now.
        if s.trim().starts_with('-') {
            assert!(t <= now, "{s:?} at {now} gave {t}");
        }
    }
    let _ = duration_ns(s);
    if let Ok(t) = parse_rfc3339_ns(s) {
        // The canonical spelling parses back to the same instant.
        assert_eq!(parse_rfc3339_ns(&format_ns(t)), Ok(t), "{s:?}");
    }
});
