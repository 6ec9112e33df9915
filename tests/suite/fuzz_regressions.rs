//! Regression tests for what the `cargo fuzz` targets (`fuzz/`, see its README) found. Each file
//! under `tests/fuzz_cases/<target>/` is a minimized input that crashed, hung or broke an
//! invariant of that target; the tests here run it through the same library entry point and
//! check the fixed behaviour: a clear error naming the place, never a panic. One test per bug,
//! named after it, plus one per target that replays every stored case.

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use trailscope::event::reader::{ReadItem, RecordReader};
use trailscope::segment::checkpoint::{Checkpoint, note_signers, open};
use trailscope::segment::keys::{generate, parse_signer, parse_verifier};

fn cases_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_cases")
        .join(target)
}

/// Every stored case of `target`, by file name.
fn cases(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(cases_dir(target))
        .unwrap_or_else(|e| panic!("{}: {e}", cases_dir(target).display()))
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no cases for {target}");
    out
}

fn case(target: &str, name: &str) -> Vec<u8> {
    fs::read(cases_dir(target).join(name)).unwrap()
}

/// What the `checkpoint` target does with one input: it must not panic, and a text that
/// parses must sign and open again to the same checkpoint.
fn run_checkpoint_target(data: &[u8]) {
    let kp = generate("fuzz.example").unwrap();
    let signer = parse_signer(&kp.private).unwrap();
    let verifier = parse_verifier(&kp.public).unwrap();
    let _ = note_signers(data);
    let _ = open(data, &verifier);
    let text = match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => &data[..=i],
        None => data,
    };
    for t in [text, data] {
        if let Ok(cp) = Checkpoint::parse_text(t) {
            assert_eq!(open(&cp.sign(&signer), &verifier), Ok(cp));
        }
    }
}

#[test]
fn checkpoint_cases_replay_without_panicking() {
    for (name, data) in cases("checkpoint") {
        eprintln!("checkpoint case {name}");
        run_checkpoint_target(&data);
    }
}

/// The checkpoint text parser accepted an origin holding a control character (U+0001); such a
/// text is not a valid signed note, so signing it again panicked ("checkpoint text is a valid
/// note"). The origin now follows the format's rule (1–256 visible characters, no spaces).
#[test]
fn checkpoint_origin_with_a_control_character_is_refused() {
    let data = case("checkpoint", "origin-control-char.note");
    assert!(data.contains(&0x01));
    let err = Checkpoint::parse_text(&data).unwrap_err();
    assert!(err.contains("origin"), "{err}");
    assert!(
        err.contains("\\u{1}"),
        "the bad origin is quoted escaped: {err}"
    );
}

/// Records and rejected line numbers of `input`, as `seal` reads it.
fn read_all(input: &[u8]) -> Vec<ReadItem> {
    RecordReader::new(input, false)
        .map(|r| r.expect("reading from memory cannot fail"))
        .collect()
}

/// `seal`'s input reader looked for the end of a multi-line record by scanning forward from
/// every line that opened one and did not close it, so `{` alone on each of n lines cost n²/2
/// line scans (8 000 lines: 2.7 s; 100 000 lines: minutes). Each line is now scanned once.
#[test]
fn unterminated_record_starts_are_read_in_linear_time() {
    let n = 100_000;
    let mut input = "{\n".repeat(n);
    input.push_str("{\"time\":\"2026-01-01T00:00:00Z\"}\n");
    let started = Instant::now();
    let items = read_all(input.as_bytes());
    let took = started.elapsed();
    assert_eq!(items.len(), n + 1);
    for (i, item) in items[..n].iter().enumerate() {
        match item {
            ReadItem::Bad { line, reason } => {
                assert_eq!(*line, i as u64 + 1);
                assert_eq!(reason, "record not terminated before end of input");
            }
            other => panic!("line {}: {other:?}", i + 1),
        }
    }
    assert!(matches!(&items[n], ReadItem::Record(r) if r.line == n as u64 + 1));
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

/// The same with every start balanced by a close at the far end (`{` × n, then `}` × n): each
/// candidate record but the innermost spans most of the input and is invalid JSON at its
/// second line.
#[test]
fn nested_invalid_record_starts_are_read_in_linear_time() {
    let n = 50_000;
    let input = format!("{}{}", "{\n".repeat(n), "}\n".repeat(n));
    let started = Instant::now();
    let items = read_all(input.as_bytes());
    let took = started.elapsed();
    // Only the innermost pair is a record (`{}`); every other line is reported once.
    assert_eq!(items.len(), 2 * n - 1);
    let records: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            ReadItem::Record(r) => Some((r.line, r.bytes.clone())),
            ReadItem::Bad { .. } => None,
        })
        .collect();
    assert_eq!(records, vec![(n as u64, b"{}".to_vec())]);
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

/// A good pretty-printed record after a truncated one is still read, and a record whose lines
/// are valid JSON but not UTF-8 is refused (the streaming parse skips strings unchecked).
#[test]
fn multi_line_records_after_a_truncated_one_are_kept() {
    let input =
        b"{\n  \"a\": 1,\n{\n  \"time\": \"2026-01-01T00:00:00Z\"\n}\n{\n\"x\": \"\xff\"\n}\n";
    let items = read_all(input);
    let summary: Vec<(bool, u64)> = items
        .iter()
        .map(|i| match i {
            ReadItem::Record(r) => (true, r.line),
            ReadItem::Bad { line, .. } => (false, *line),
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (false, 1),
            (false, 2),
            (true, 3),
            (false, 6),
            (false, 7),
            (false, 8)
        ]
    );
    match &items[2] {
        ReadItem::Record(r) => assert_eq!(r.bytes, br#"{"time":"2026-01-01T00:00:00Z"}"#),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&items[3], ReadItem::Bad { reason, .. } if reason.contains("UTF-8")),
        "{:?}",
        items[3]
    );
}
