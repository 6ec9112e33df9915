//! Bookmarks in memory and on disk.

use super::*;

const LOC: &str = "/stores/audit";

fn hit(seq: u64, pos: u64, time_ns: i64) -> Hit {
    Hit {
        time: crate::event::time::format_ns(time_ns),
        time_ns,
        seq,
        pos,
        verified: true,
        actor: format!("actor-{seq}-{pos}"),
        action: "delete".into(),
        resource: "pods/web-1".into(),
        outcome: "failure".into(),
        source_ip: None,
        user_agent: None,
        trace_id: None,
        span_id: None,
        request_id: None,
        record: None,
        offset: 0,
    }
}

fn keys(b: &Bookmarks) -> Vec<(u64, u64)> {
    b.items().iter().map(|b| (b.seq, b.pos)).collect()
}

#[test]
fn add_keeps_time_order_and_refuses_duplicates() {
    let home = tempfile::tempdir().unwrap();
    let mut b = Bookmarks::load(home.path(), LOC).unwrap();
    assert!(b.items().is_empty());
    assert!(b.add(&hit(2, 0, 300)));
    assert!(b.add(&hit(0, 5, 100)));
    assert!(b.add(&hit(1, 1, 200)));
    assert!(b.add(&hit(1, 0, 200))); // same time: seq, then pos
    assert!(!b.add(&hit(0, 5, 100)));
    assert_eq!(keys(&b), vec![(0, 5), (1, 0), (1, 1), (2, 0)]);
    let one = b.get(1, 1).unwrap();
    assert_eq!(one.actor, "actor-1-1");
    assert_eq!(
        (
            one.action.as_str(),
            one.resource.as_str(),
            one.outcome.as_str()
        ),
        ("delete", "pods/web-1", "failure")
    );
    assert_eq!(one.time_ns, 200);
    assert_eq!(one.note, "");
    assert!(one.created.ends_with('Z'), "{}", one.created);
    assert!(chrono::DateTime::parse_from_rfc3339(&one.created).is_ok());
    assert_eq!(one.updated, one.created);
}

#[test]
fn notes_and_removal() {
    let home = tempfile::tempdir().unwrap();
    let mut b = Bookmarks::load(home.path(), LOC).unwrap();
    b.add(&hit(3, 4, 10));
    b.items[0].updated = "2000-01-01T00:00:00Z".into();
    assert!(b.set_note(3, 4, "first line\nsecond — ✓ ünïcode"));
    let got = b.get(3, 4).unwrap();
    assert_eq!(got.note, "first line\nsecond — ✓ ünïcode");
    assert_ne!(got.updated, "2000-01-01T00:00:00Z");
    assert!(!b.set_note(9, 9, "nobody"));
    assert!(b.remove(3, 4));
    assert!(!b.remove(3, 4));
    assert!(b.items().is_empty());
}

#[test]
fn overlong_notes_are_refused_and_change_nothing() {
    let home = tempfile::tempdir().unwrap();
    let mut b = Bookmarks::load(home.path(), LOC).unwrap();
    b.add(&hit(0, 0, 1));
    b.set_note(0, 0, "kept");
    let long = "x".repeat(MAX_NOTE_BYTES + 1);
    assert!(!b.set_note(0, 0, &long));
    assert_eq!(
        b.try_set_note(0, 0, &long),
        Err(NoteTooLong {
            bytes: MAX_NOTE_BYTES + 1
        })
    );
    assert_eq!(b.get(0, 0).unwrap().note, "kept");
    let exact = "é".repeat(MAX_NOTE_BYTES / 2);
    assert_eq!(b.try_set_note(0, 0, &exact), Ok(true));
    assert!(check_note(&long).unwrap_err().to_string().contains("10240"));
}

#[test]
fn save_and_load_round_trip() {
    let home = tempfile::tempdir().unwrap();
    let mut b = Bookmarks::load(home.path(), LOC).unwrap();
    b.add(&hit(1, 2, 50));
    b.add(&hit(0, 7, 20));
    b.set_note(1, 2, "line 1\nline 2 \u{1b}[31m kept as typed");
    b.save().unwrap();
    let again = Bookmarks::load(home.path(), LOC).unwrap();
    assert_eq!(again.items(), b.items());
    assert_eq!(again.path(), path_for(home.path(), LOC));
    // Another store's bookmarks are elsewhere.
    assert!(
        Bookmarks::load(home.path(), "/stores/other")
            .unwrap()
            .items()
            .is_empty()
    );
    // The file is the versioned object, and nothing else is left beside it.
    let text = std::fs::read_to_string(b.path()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["format"], FORMAT);
    assert_eq!(v["bookmarks"].as_array().unwrap().len(), 2);
    let dir = b.path().parent().unwrap();
    let names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from(FILE_NAME)]);
}

#[cfg(unix)]
#[test]
fn file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let mut b = Bookmarks::load(home.path(), LOC).unwrap();
    b.add(&hit(0, 0, 0));
    b.save().unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(b.path()), 0o600);
    assert_eq!(mode(b.path().parent().unwrap()), 0o700);
    // A file someone loosened is private again after the next save.
    std::fs::set_permissions(b.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    b.save().unwrap();
    assert_eq!(mode(b.path()), 0o600);
}

/// Writes `text` as the bookmarks file and returns the load error's text; the file must be
/// left exactly as it was.
#[track_caller]
fn load_error(text: &str) -> String {
    let home = tempfile::tempdir().unwrap();
    let path = path_for(home.path(), LOC);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let err = Bookmarks::load(home.path(), LOC).unwrap_err().to_string();
    assert!(
        err.starts_with(&path.display().to_string()),
        "error does not name the file: {err}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    err
}

#[test]
fn malformed_files_are_errors_naming_the_problem() {
    let one = r#"{"seq":1,"pos":2,"time_ns":3,"actor":"a","action":"b","resource":"c","outcome":"d","note":"","created":"x","updated":"x"}"#;
    let e = load_error("{\"format\":\"trailscope-bookmarks/v1\",\"bookmarks\":[");
    assert!(e.contains("line 1, column"), "{e}");
    assert!(e.contains("will not overwrite"), "{e}");
    let e = load_error(&format!(
        "{{\"format\":\"trailscope-bookmarks/v9\",\"bookmarks\":[{one}]}}"
    ));
    assert!(e.contains("trailscope-bookmarks/v9"), "{e}");
    let e = load_error(&format!(
        "{{\"format\":\"trailscope-bookmarks/v1\",\"bookmarks\":[{one},{one}]}}"
    ));
    assert!(e.contains("second bookmark of event 1:2"), "{e}");
    let e = load_error(&format!(
        "{{\"format\":\"trailscope-bookmarks/v1\",\"bookmarks\":[{}]}}",
        one.replace("\"note\":\"\"", "\"note\":\"\",\"colour\":\"red\"")
    ));
    assert!(e.contains("colour"), "{e}");
    let e = load_error(&format!(
        "{{\"format\":\"trailscope-bookmarks/v1\",\"bookmarks\":[{}]}}",
        one.replace("\"seq\":1", "\"seq\":-1")
    ));
    assert!(e.contains("line 1"), "{e}");
    load_error("[]");
    load_error("");
}

#[test]
fn a_malformed_file_is_not_overwritten_by_save_of_a_fresh_list() {
    // `load` failing leaves the caller without a `Bookmarks` to save; the default one has no
    // path and refuses to save anywhere.
    let e = Bookmarks::default().save().unwrap_err().to_string();
    assert!(e.contains("no parent directory"), "{e}");
}
