//! Making untrusted text safe in each output: a Markdown table cell, a CSV field, a shell word.

use crate::text::sanitize;

/// `s` as one Markdown table cell: line breaks become `<br>`, every other control, bidi or
/// zero-width character a visible `\u{…}` escape, and every character Markdown could read as
/// markup (`|` ends the cell, backticks open code, `*`/`_`/`~` emphasis, `[`/`]` links, `<`/`>`
/// HTML, `&` entities, `\` escapes) is backslash-escaped, so the cell shows the text as it is.
pub fn md_cell(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    let mut out = String::with_capacity(s.len() + 8);
    for (i, piece) in s.split(['\n', '\r']).enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        for c in sanitize(piece).chars() {
            if matches!(
                c,
                '\\' | '`' | '|' | '*' | '_' | '~' | '[' | ']' | '<' | '>' | '&' | '#' | '!'
            ) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// `s` as one RFC 4180 field, formula-injection safe: a field a spreadsheet would evaluate
/// (starting with `=`, `+`, `-`, `@`, TAB or CR) gets a leading `'`; a field holding a comma,
/// a quote, CR or LF is quoted, its quotes doubled.
pub fn csv_field(s: &str) -> String {
    let neutral = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if neutral.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

/// `s` as one POSIX shell word (single-quoted unless it is plainly safe).
pub fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@+,%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_cannot_break_the_table_or_the_terminal() {
        assert_eq!(md_cell("plain text"), "plain text");
        assert_eq!(md_cell("a|b"), "a\\|b");
        assert_eq!(md_cell("x\ny\r\nz\rw"), "x<br>y<br>z<br>w");
        assert_eq!(md_cell("`rm -rf`"), "\\`rm -rf\\`");
        assert_eq!(md_cell("**bold** [l](u)"), "\\*\\*bold\\*\\* \\[l\\](u)");
        assert_eq!(md_cell("<b>&amp;"), "\\<b\\>\\&amp;");
        assert_eq!(
            md_cell("a\u{1b}[31m\u{202E}b"),
            "a\\\\u{1B}\\[31m\\\\u{202E}b"
        );
    }

    #[test]
    fn csv_fields_follow_rfc_4180_and_neutralise_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\tx"), "'\tx");
        assert_eq!(csv_field("\rx"), "\"'\rx\"");
        assert_eq!(csv_field("=a,\"b\""), "\"'=a,\"\"b\"\"\"");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("store/dir"), "store/dir");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("$(x)"), "'$(x)'");
    }
}
