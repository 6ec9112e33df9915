//! Appending, listing and checking the journal.

use serde_json::json;

use super::*;

const LOC: &str = "/stores/audit";

/// A home with `n` entries.
fn journal(n: u64) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    for i in 0..n {
        append(
            home.path(),
            LOC,
            "search",
            json!({"query": format!("actor:u{i}")}),
        )
        .unwrap();
    }
    home
}

fn lines(home: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(journal_path(home)).unwrap();
    assert!(bytes.ends_with(b"\n"));
    bytes[..bytes.len() - 1]
        .split(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn write_lines(home: &Path, lines: &[Vec<u8>]) {
    let mut bytes = lines.join(&b'\n');
    bytes.push(b'\n');
    std::fs::write(journal_path(home), bytes).unwrap();
}

#[track_caller]
fn broken_at(home: &Path) -> (u64, String) {
    let r = verify(home).unwrap();
    let p = r.problem.clone().expect("the journal should be broken");
    assert_eq!(r.entries, p.line - 1, "{r:?}");
    (p.line, p.reason)
}

#[test]
fn appends_chain_like_segments() {
    let home = journal(4);
    let raw = lines(home.path());
    assert_eq!(raw.len(), 4);
    let mut prev = "0".repeat(64);
    for (i, line) in raw.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_slice(line).unwrap();
        let members: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(members, ["seq", "time", "store", "kind", "detail", "prev"]);
        assert_eq!(v["seq"], i as u64);
        assert_eq!(v["prev"], prev);
        assert_eq!(v["store"], LOC);
        assert_eq!(v["detail"]["query"], format!("actor:u{i}"));
        assert!(crate::event::time::parse_rfc3339_ns(v["time"].as_str().unwrap()).is_ok());
        prev = sha256(line).to_hex();
    }
    let r = verify(home.path()).unwrap();
    assert!(r.is_intact(), "{r:?}");
    assert_eq!((r.lines, r.entries), (4, 4));
    assert_eq!(r.head, prev);
    let listed = entries(home.path()).unwrap();
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[3].kind, "search");
}

#[test]
fn append_entry_returns_what_it_wrote() {
    let home = journal(1);
    let e = append_entry(home.path(), "s3://b/p", "export", json!({"file": "pm.md"})).unwrap();
    assert_eq!(e.seq, 1);
    assert_eq!(entries(home.path()).unwrap()[1], e);
    assert!(append(home.path(), LOC, "", json!({})).is_err());
}

#[test]
fn no_journal_is_an_empty_intact_one() {
    let home = tempfile::tempdir().unwrap();
    let r = verify(home.path()).unwrap();
    assert!(r.is_intact());
    assert_eq!((r.lines, r.entries), (0, 0));
    assert_eq!(r.head, "0".repeat(64));
    assert!(entries(home.path()).unwrap().is_empty());
}

#[cfg(unix)]
#[test]
fn journal_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = journal(1);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&journal_path(home.path())), 0o600);
    assert_eq!(mode(&home.path().join(DIR_NAME)), 0o700);
    assert!(!home.path().join(DIR_NAME).join(LOCK_NAME).exists());
}

#[test]
fn an_altered_line_is_named() {
    let home = journal(5);
    let mut raw = lines(home.path());
    let at = raw[2].windows(7).position(|w| w == b"actor:u").unwrap();
    raw[2][at + 7] = b'X';
    write_lines(home.path(), &raw);
    let (line, reason) = broken_at(home.path());
    assert_eq!(line, 3);
    assert!(reason.contains("line 3 was altered"), "{reason}");
    assert_eq!(verify(home.path()).unwrap().lines, 5);
}

#[test]
fn an_altered_prev_names_the_line_before() {
    let home = journal(3);
    let mut raw = lines(home.path());
    let text = String::from_utf8(raw[1].clone()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let prev = v["prev"].as_str().unwrap();
    let other = if prev.starts_with('a') { "b" } else { "a" };
    raw[1] = text
        .replace(prev, &format!("{other}{}", &prev[1..]))
        .into_bytes();
    write_lines(home.path(), &raw);
    let (line, reason) = broken_at(home.path());
    assert_eq!(line, 1);
    assert!(reason.contains("line 2's prev"), "{reason}");
    // The head is what the chain still vouches for: nothing.
    assert_eq!(verify(home.path()).unwrap().head, "0".repeat(64));
}

#[test]
fn a_deleted_line_is_found() {
    let home = journal(5);
    let mut raw = lines(home.path());
    raw.remove(2);
    write_lines(home.path(), &raw);
    let (line, reason) = broken_at(home.path());
    assert_eq!(line, 3);
    assert!(reason.contains("1 entry missing"), "{reason}");
    // The first line gone: the new first line does not start the chain.
    let home = journal(3);
    let raw = lines(home.path());
    write_lines(home.path(), &raw[1..]);
    let (line, reason) = broken_at(home.path());
    assert_eq!(line, 1);
    assert!(reason.contains("beginning is missing"), "{reason}");
}

#[test]
fn reordered_and_foreign_lines_are_found() {
    let home = journal(4);
    let mut raw = lines(home.path());
    raw.swap(1, 2);
    write_lines(home.path(), &raw);
    assert_eq!(broken_at(home.path()).0, 2);

    let home = journal(3);
    let mut raw = lines(home.path());
    raw.insert(1, b"not json".to_vec());
    write_lines(home.path(), &raw);
    let (line, reason) = broken_at(home.path());
    assert_eq!(line, 2);
    assert!(reason.contains("not a journal entry"), "{reason}");
    assert!(
        entries(home.path())
            .unwrap_err()
            .to_string()
            .contains("line 2")
    );

    let home = journal(2);
    let mut raw = lines(home.path());
    let text = String::from_utf8(raw[1].clone()).unwrap();
    raw[1] = text.replacen("{", "{\"extra\":1,", 1).into_bytes();
    write_lines(home.path(), &raw);
    let (line, reason) = broken_at(home.path());
    assert_eq!(line, 2);
    assert!(reason.contains("extra"), "{reason}");
}

#[test]
fn a_torn_last_line_is_reported_and_not_appended_to() {
    let home = journal(2);
    let path = journal_path(home.path());
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"{\"seq\":2,\"ti");
    std::fs::write(&path, &bytes).unwrap();
    let (line, reason) = broken_at(home.path());
    assert_eq!(line, 3);
    assert!(reason.contains("incomplete"), "{reason}");
    let e = append(home.path(), LOC, "search", json!({})).unwrap_err();
    assert!(format!("{e:#}").contains("incomplete line"), "{e:#}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn long_lines_are_found_from_the_end() {
    let home = journal(1);
    let big = "x".repeat(20_000);
    append(home.path(), LOC, "search", json!({"query": big})).unwrap();
    append(home.path(), LOC, "pivot", json!({})).unwrap();
    let r = verify(home.path()).unwrap();
    assert!(r.is_intact(), "{r:?}");
    assert_eq!(r.entries, 3);
    let huge = "y".repeat(MAX_LINE_BYTES);
    assert!(append(home.path(), LOC, "search", json!({"q": huge})).is_err());
    assert_eq!(verify(home.path()).unwrap().entries, 3);
}
