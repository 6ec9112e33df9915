//! An input file as `seal` reads it: lines, pretty-printed multi-line objects and CloudTrail
//! `{"Records":[…]}` documents. Every record yielded must be one JSON object without an LF
//! (it becomes one line of a segment body); every rejected line is reported, never a panic.
//! Each input is read twice: with and without splitting `Records` documents.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use trailscope::event::reader::{ReadItem, RecordReader};

fuzz_target!(|data: &[u8]| {
    for split in [false, true] {
        for item in RecordReader::new(Cursor::new(data), split) {
            match item.expect("reading from memory cannot fail") {
                ReadItem::Record(r) => {
                    assert!(!r.bytes.contains(&b'\n'), "record holds an LF: {r:?}");
                    // Grammatically valid JSON, an object. (Whether its numbers fit an f64 is
                    // the mapping's check: `seal` rejects a record `map_record` cannot read.)
                    let raw: &serde_json::value::RawValue = serde_json::from_slice(&r.bytes)
                        .unwrap_or_else(|e| panic!("record is not JSON ({e}): {r:?}"));
                    assert!(raw.get().starts_with('{'), "record is not an object: {r:?}");
                    assert!(r.line >= 1);
                }
                ReadItem::Bad { line, .. } => assert!(line >= 1),
            }
        }
    }
});
