//! Terminal safety for human-readable output.
//!
//! Everything a store or an input file contains is attacker-controlled: file names, origins,
//! event fields, JSON keys quoted in parser errors. Before such text reaches a terminal,
//! [`sanitize`] turns every character that could move the cursor, change colours, run an
//! OSC/DCS command, reorder text (bidi overrides, isolates and marks) or hide text (zero-width
//! and other invisible format characters) into a visible `\u{…}` escape. Bytes that are not
//! UTF-8 go through [`sanitize_bytes`], which shows each invalid byte as `\xFF`. One-line
//! output cuts very long fields with [`sanitize_cut`], which says how much was left out (the
//! full value stays available elsewhere: `--json`, the console's detail pane). The console
//! applies the same functions to every cell.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Longest field, in characters of sanitized text, that one-line human output shows before
/// cutting it with [`sanitize_cut`]: a line stays readable, and a megabyte-long field cannot
/// flood the terminal.
pub const MAX_FIELD_CHARS: usize = 200;

/// Whether `c` must not reach a terminal as is.
///
/// That is: every control character (C0 including ESC, CR, LF and TAB; DEL; C1 including CSI
/// U+9B, OSC U+9D and DCS U+90), every Unicode format character (general category `Cf`: bidi
/// embeddings, overrides, isolates and marks, zero-width spaces and joiners, the byte order
/// mark, invisible operators, tag characters), the line and paragraph separators, and the
/// Hangul fillers that draw as blank.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() // C0 (incl. ESC, CR, LF, TAB), DEL, C1
        || matches!(c,
            // Format characters (Cf), Unicode 16.
            '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
            | '\u{0890}'..='\u{0891}' | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}' | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
            // Line and paragraph separators (Zl, Zp).
            | '\u{2028}' | '\u{2029}'
            // Fillers that draw as nothing.
            | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}')
}

/// Appends `c`'s visible escape (`\u{1B}`).
fn push_escape(out: &mut String, c: char) {
    let _ = write!(out, "\\u{{{:X}}}", c as u32);
}

/// Appends `s` with every unsafe character escaped.
fn push_sanitized(out: &mut String, s: &str) {
    for c in s.chars() {
        if is_unsafe(c) {
            push_escape(out, c);
        } else {
            out.push(c);
        }
    }
}

/// `s` with every unsafe character replaced by a visible `\u{XX}` escape.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    push_sanitized(&mut out, s);
    Cow::Owned(out)
}

/// Bytes that should be UTF-8 but may not be (a stored record, a file name): the valid parts
/// as [`sanitize`] gives them, each byte of an invalid sequence as a visible `\xFF` escape.
pub fn sanitize_bytes(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return sanitize(s);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        push_sanitized(&mut out, chunk.valid());
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02X}");
        }
    }
    Cow::Owned(out)
}

/// `s` sanitized and, when that is longer than `max` characters, cut to at most `max`
/// characters followed by `…[+N chars]`, N counting the characters of `s` left out. An escape
/// is never split: it is shown whole or not at all.
pub fn sanitize_cut(s: &str, max: usize) -> Cow<'_, str> {
    let safe = sanitize(s);
    if safe.chars().count() <= max {
        return safe;
    }
    let mut out = String::with_capacity(max + 16);
    let (mut shown, mut taken) = (0usize, 0usize);
    let mut piece = String::new();
    for c in s.chars() {
        piece.clear();
        push_sanitized(&mut piece, c.encode_utf8(&mut [0; 4]));
        let n = piece.chars().count();
        if shown + n > max {
            break;
        }
        out.push_str(&piece);
        shown += n;
        taken += 1;
    }
    let _ = write!(out, "…[+{} chars]", s.chars().count() - taken);
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
                let _ = write!(out, "\\u{:04x}", u);
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests;
