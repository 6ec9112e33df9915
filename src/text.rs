//! Terminal safety for human-readable output.
//!
//! Everything a store or an input file contains is attacker-controlled: file names, origins,
//! JSON keys quoted in parser errors. Before such text reaches a terminal, [`sanitize`] turns
//! every character that could move the cursor, change colours, run an OSC/DCS command, reorder
//! text (bidi overrides and isolates) or hide text (zero-width characters) into a visible
//! `\u{…}` escape. (The console of a later issue applies the same function to every cell.)

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() // C0 (incl. ESC, CR, LF, TAB), DEL, C1
        || matches!(c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// `s` with every unsafe character replaced by a visible `\u{XX}` escape.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Compact JSON text with every unsafe character escaped as `\uXXXX`: still valid JSON that
/// decodes to the same strings, but safe to print to a terminal (`serde_json` leaves C1
/// controls and bidi overrides as they are). `json` must be compact (no raw newlines).
pub fn json_safe(json: &str) -> Cow<'_, str> {
    if !json.chars().any(is_unsafe) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if is_unsafe(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", u));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn json_safe_keeps_meaning() {
        let v = serde_json::json!({"a": "x\u{202E}y\u{9B}z\u{1b}[31m", "b": "plain"});
        let text = serde_json::to_string(&v).unwrap();
        let safe = json_safe(&text);
        assert!(!safe.chars().any(is_unsafe), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, v);
    }
}
