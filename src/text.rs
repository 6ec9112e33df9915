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
}
