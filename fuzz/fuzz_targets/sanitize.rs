//! The terminal sanitizer itself: whatever a store holds, the text it gives is safe to print,
//! a cut field is a prefix of the whole, and `json_safe` keeps JSON meaning.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::text::{json_safe, sanitize, sanitize_bytes, sanitize_cut};
use trailscope_fuzz::assert_terminal_safe;

fuzz_target!(|data: &[u8]| {
    let shown = sanitize_bytes(data);
    assert_terminal_safe(&shown, false);
    let s = String::from_utf8_lossy(data);
    let full = sanitize(&s);
    assert_terminal_safe(&full, false);
    let max = data.first().map_or(0, |&b| usize::from(b % 64));
    let cut = sanitize_cut(&s, max);
    assert_terminal_safe(&cut, false);
    if full.chars().count() > max {
        let kept = &cut[..cut.rfind("…[+").expect("a cut field has its marker")];
        assert!(
            kept.chars().count() <= max && full.starts_with(kept),
            "{cut:?}"
        );
    } else {
        assert_eq!(cut, full);
    }
    let json = serde_json::to_string(&*s).expect("a string serialises");
    let safe = json_safe(&json);
    assert_terminal_safe(&safe, false);
    let back: String = serde_json::from_str(&safe).expect("json_safe keeps JSON valid");
    assert_eq!(back, *s, "json_safe keeps the meaning");
});
