//! Unit and property tests of the terminal sanitizer.

use proptest::prelude::*;

use super::*;

/// Bidi embeddings, overrides, isolates and marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Zero-width characters.
fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// The property every sanitized text must have, checked independently of `is_unsafe`.
fn assert_safe(out: &str) {
    for c in out.chars() {
        assert!(!c.is_control(), "control U+{:04X} in {out:?}", c as u32);
        assert!(!is_bidi_control(c), "bidi U+{:04X} in {out:?}", c as u32);
        assert!(
            !is_zero_width(c),
            "zero-width U+{:04X} in {out:?}",
            c as u32
        );
    }
}

/// Escape and C1 introducers, CR, bidi controls, zero-width and other invisible characters, and
/// plain text around them.
const HOSTILE: &str = "\u{1B}\r\u{9B}\u{9D}\u{90}\u{061C}\u{200B}\u{200C}\u{200D}\u{200E}\u{200F}\
    \u{202A}\u{202B}\u{202C}\u{202D}\u{202E}\u{2060}\u{2066}\u{2067}\u{2068}\u{2069}\u{FEFF}\
    \u{E0041}\u{2028}\u{00AD}[]\\aé✓中";

/// Characters a hostile record would use, mixed with any character at all.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        any::<char>(),
        (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
        (0x7Fu32..0xA0).prop_map(|c| char::from_u32(c).unwrap()),
        prop::sample::select(HOSTILE.chars().collect::<Vec<_>>()),
    ]
}

fn hostile_string() -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_char(), 0..64).prop_map(|v| v.into_iter().collect())
}

#[test]
fn escapes_controls_bidi_and_zero_width() {
    assert_eq!(sanitize("plain é ✓"), "plain é ✓");
    assert_eq!(sanitize("a\x1b[31mred"), "a\\u{1B}[31mred");
    assert_eq!(
        sanitize("x\r\ny\u{7f}\u{9b}"),
        "x\\u{D}\\u{A}y\\u{7F}\\u{9B}"
    );
    assert_eq!(sanitize("abc\u{202E}fed"), "abc\\u{202E}fed");
    assert_eq!(
        sanitize("a\u{200B}b\u{2066}c\u{FEFF}"),
        "a\\u{200B}b\\u{2066}c\\u{FEFF}"
    );
    assert_eq!(
        sanitize("\x1b]8;;http://x\x07"),
        "\\u{1B}]8;;http://x\\u{7}"
    );
    // DCS and a C1 CSI, soft hyphen, tag characters, line separator.
    assert_eq!(sanitize("\x1bP1$r\x1b\\"), "\\u{1B}P1$r\\u{1B}\\");
    assert_eq!(
        sanitize("a\u{AD}b\u{E0041}\u{2028}"),
        "a\\u{AD}b\\u{E0041}\\u{2028}"
    );
}

#[test]
fn invalid_utf8_becomes_visible_escapes() {
    assert_eq!(sanitize_bytes(b"plain"), "plain");
    assert_eq!(sanitize_bytes(b"a\xffb"), "a\\xFFb");
    assert_eq!(sanitize_bytes(b"\xe2\x80"), "\\xE2\\x80");
    assert_eq!(sanitize_bytes(b"\x1b[2J\xc0"), "\\u{1B}[2J\\xC0");
    // Valid UTF-8 around an invalid byte is kept and still sanitized.
    assert_eq!(
        sanitize_bytes("é\u{202E}\u{80}".as_bytes()),
        "é\\u{202E}\\u{80}"
    );
}

#[test]
fn long_fields_are_cut_with_a_marker() {
    assert_eq!(sanitize_cut("short", 10), "short");
    assert_eq!(sanitize_cut("abcdefghij", 10), "abcdefghij");
    assert_eq!(sanitize_cut("abcdefghijk", 10), "abcdefghij…[+1 chars]");
    // An escape is never split: `\u{1B}` (6 characters) does not fit in the last 3.
    assert_eq!(sanitize_cut("abcdefg\x1bhij", 9), "abcdefg…[+4 chars]");
    let long = "x".repeat(MAX_FIELD_CHARS * 10);
    let cut = sanitize_cut(&long, MAX_FIELD_CHARS);
    assert!(cut.starts_with(&"x".repeat(MAX_FIELD_CHARS)));
    assert!(cut.ends_with(&format!("…[+{} chars]", MAX_FIELD_CHARS * 9)));
}

#[test]
fn json_safe_keeps_meaning() {
    let v = serde_json::json!({"a": "x\u{202E}y\u{9B}z\u{1b}[31m\u{E0041}", "b": "plain"});
    let text = serde_json::to_string(&v).unwrap();
    let safe = json_safe(&text);
    assert!(!safe.chars().any(is_unsafe), "{safe}");
    let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
    assert_eq!(back, v);
}

proptest! {
    #[test]
    fn sanitized_strings_hold_no_control_bidi_or_zero_width(s in hostile_string()) {
        let out = sanitize(&s);
        assert_safe(&out);
        // Nothing is lost: a string without unsafe characters is unchanged.
        if !s.chars().any(is_unsafe) {
            prop_assert_eq!(&*out, s.as_str());
        }
    }

    #[test]
    fn any_string_is_made_safe(s in any::<String>()) {
        assert_safe(&sanitize(&s));
        assert_safe(&sanitize_cut(&s, 16));
    }

    #[test]
    fn any_bytes_are_made_safe(
        b in prop::collection::vec(any::<u8>(), 0..96),
        s in hostile_string(),
    ) {
        assert_safe(&sanitize_bytes(&b));
        // Valid UTF-8 with stray bytes spliced in.
        let mut mixed = s.into_bytes();
        mixed.extend_from_slice(&b);
        let out = sanitize_bytes(&mixed);
        assert_safe(&out);
        if let Ok(text) = std::str::from_utf8(&mixed) {
            prop_assert_eq!(out, sanitize(text));
        }
    }

    #[test]
    fn cut_fields_are_safe_short_and_a_prefix(s in hostile_string(), max in 0usize..40) {
        let out = sanitize_cut(&s, max);
        assert_safe(&out);
        let full = sanitize(&s);
        match out.rfind("…[+") {
            Some(at) if full.chars().count() > max => {
                let (kept, marker) = out.split_at(at);
                prop_assert!(kept.chars().count() <= max);
                prop_assert!(full.starts_with(kept), "cut is not a prefix of the sanitized text");
                let left: usize = marker["…[+".len()..marker.len() - " chars]".len()].parse().unwrap();
                prop_assert!(left >= 1 && left <= s.chars().count());
            }
            _ => prop_assert_eq!(out, full),
        }
    }

    #[test]
    fn json_safe_output_is_safe_and_decodes_the_same(s in hostile_string()) {
        let text = serde_json::to_string(&s).unwrap();
        let safe = json_safe(&text);
        assert_safe(&safe);
        let back: String = serde_json::from_str(&safe).unwrap();
        prop_assert_eq!(back, s);
    }
}
