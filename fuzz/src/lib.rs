//! Checks shared by the fuzz targets in `fuzz_targets/`.
//!
//! Each target feeds raw bytes to one of trailscope's entry points for untrusted input. Beyond
//! "never panics", the targets assert what the code promises: the fast time paths agree with
//! the full mapping, a segment sealed from valid records verifies, and text drawn for a terminal
//! holds no character that could take the terminal over.

use serde_json::Value;
use trailscope::event::{InputFormat, MapError, Mapping, TimeReader};

/// Field overrides tried with every input format: none, a nested time path, a time path with
/// an array index (which sends `record_time` down the serde path), and text-field overrides.
const OVERRIDES: [&[&str]; 4] = [
    &[],
    &["time=meta.at"],
    &["time=times.0"],
    &["actor=user.name", "outcome=status", "source_ip=net.ip"],
];

/// The mappings a mapper target exercises: `format` and `auto`, each with every override set.
pub fn mappings(format: InputFormat) -> Vec<Mapping> {
    let mut out = Vec::new();
    for f in [format, InputFormat::Auto] {
        for o in OVERRIDES {
            let o: Vec<String> = o.iter().map(|s| s.to_string()).collect();
            out.push(Mapping::new(f, &o).expect("fixed overrides are valid"));
        }
    }
    out
}

fn same_time(what: &str, raw: &[u8], full: &Result<i64, MapError>, other: &Result<i64, MapError>) {
    match (full, other) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}: time differs for {:?}", lossy(raw)),
        (Err(a), Err(b)) => assert_eq!(
            a.field,
            b.field,
            "{what}: error field differs for {:?}: {a} vs {b}",
            lossy(raw)
        ),
        _ => panic!(
            "{what}: map_record gives {full:?}, {what} gives {other:?} for {:?}",
            lossy(raw)
        ),
    }
}

fn lossy(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

/// Runs every mapping entry point on one record and checks that they agree where they
/// promise to. `data` is a selector byte (which of [`mappings`] to use) and the record.
///
/// `TimeReader::time_of` and `Mapping::record_time` promise the time `map_record` gives. The
/// fast scanner only bracket-matches values it skips (the segment body's JSON was validated
/// when sealed), so on invalid JSON only "no panic" is checked.
pub fn check_mapping(format: InputFormat, data: &[u8]) {
    let Some((&sel, raw)) = data.split_first() else {
        return;
    };
    let all = mappings(format);
    let mapping = &all[usize::from(sel) % all.len()];
    let valid_json = serde_json::from_slice::<Value>(raw).is_ok();
    let full = mapping.map_record(raw);
    let full_time = full.as_ref().map(|e| e.time).map_err(Clone::clone);
    let fast = TimeReader::new(mapping).time_of(raw);
    let slow = mapping.record_time(raw);
    let (lenient, parsed) = mapping.map_line_lenient(raw);
    assert_eq!(
        parsed.is_some(),
        valid_json,
        "map_line_lenient JSON verdict"
    );
    if valid_json {
        same_time("TimeReader::time_of", raw, &full_time, &fast);
        same_time("Mapping::record_time", raw, &full_time, &slow);
    }
    match &full {
        Ok(e) => assert_eq!(&lenient, e, "map_line_lenient differs from map_record"),
        Err(_) => assert_eq!(lenient.time, slow.as_ref().copied().unwrap_or(0)),
    }
}

/// Whether `c` is a bidi control: embeddings, overrides, isolates and marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Whether `c` is a zero-width character that hides text.
pub fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Panics when `s` holds a control, bidi or zero-width character (`\n` allowed as a line end
/// when `lines`).
pub fn assert_terminal_safe(s: &str, lines: bool) {
    for c in s.chars() {
        if lines && c == '\n' {
            continue;
        }
        assert!(
            !c.is_control() && !is_bidi_control(c) && !is_zero_width(c),
            "unsafe char U+{:04X} in {s:?}",
            c as u32
        );
    }
}
