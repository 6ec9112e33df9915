//! Bookmarks and the investigator's journal end to end: bookmarks made through the library on
//! a pulled demo store survive more pulls and are listed by `trailscope bookmarks`; the journal
//! written through the library is listed and checked by `trailscope journal`, which finds an
//! altered or deleted line; concurrent appends keep one chain.

use std::path::Path;

use serde_json::{Value, json};
use trailscope::bookmarks::{Bookmark, Bookmarks, FORMAT};
use trailscope::journal;
use trailscope::query::Hit;

use crate::common::{Run, Sandbox, sha256_hex};

/// `trailscope::store::open_store(spec).location()`: how the binary names the store.
fn location(spec: &str) -> String {
    trailscope::store::open_store(spec).unwrap().location()
}

/// A `Hit` from one line of `trailscope search --json`.
fn hit_from_json(v: &Value) -> Hit {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let o = |k: &str| v[k].as_str().map(String::from);
    Hit {
        time: s("time"),
        time_ns: v["time_ns"].as_i64().expect("time_ns"),
        seq: v["seq"].as_u64().expect("seq"),
        pos: v["pos"].as_u64().expect("pos"),
        verified: v["verified"].as_bool().expect("verified"),
        actor: s("actor"),
        action: s("action"),
        resource: s("resource"),
        outcome: s("outcome"),
        source_ip: o("source_ip"),
        user_agent: o("user_agent"),
        trace_id: o("trace_id"),
        span_id: o("span_id"),
        request_id: o("request_id"),
        record: None,
        offset: 0,
    }
}

fn json_lines(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{run}")))
        .collect()
}

/// A sandbox with the clean demo store in `demo`, pulled (structured index only); returns it
/// and the store's path as given to the binary.
fn pulled_demo() -> (Sandbox, String) {
    let sb = Sandbox::new();
    let store = sb.path("demo").display().to_string();
    sb.ts(&["demo", "--clean", "--no-open", "--dir", &store])
        .ok();
    sb.ts(&["pull", "--no-fulltext", &store]).ok();
    (sb, store)
}

#[test]
fn bookmarks_survive_re_pulls_and_are_listed_as_saved() {
    let (sb, store) = pulled_demo();
    let search = sb
        .ts(&[
            "search",
            &store,
            "outcome:failure",
            "--json",
            "--limit",
            "3",
        ])
        .ok();
    let hits: Vec<Hit> = json_lines(&search).iter().map(hit_from_json).collect();
    assert_eq!(hits.len(), 3, "{search}");

    let loc = location(&store);
    let mut marks = Bookmarks::load(&sb.home(), &loc).unwrap();
    for h in &hits {
        assert!(marks.add(h));
    }
    assert!(marks.set_note(hits[1].seq, hits[1].pos, "first denial\n— see runbook ✓"));
    assert!(marks.set_note(hits[2].seq, hits[2].pos, "then \u{1b}[2J this"));
    assert!(marks.remove(hits[0].seq, hits[0].pos));
    marks.save().unwrap();
    let saved: Vec<Bookmark> = marks.items().to_vec();
    assert_eq!(saved.len(), 2);

    // More events arrive; the next pulls index them and the full text beside the bookmarks.
    sb.write(
        "more.ndjson",
        "{\"time\":\"2026-11-24T03:10:00Z\",\"actor\":\"late\",\"action\":\"login\",\"outcome\":\"success\"}\n",
    );
    sb.ts(&["seal", "--store", &store, "more.ndjson"]).ok();
    sb.ts(&["pull", &store]).ok();
    sb.ts(&["search", &store, "actor:late", "--json"])
        .ok()
        .stdout_has("\"actor\":\"late\"");
    sb.ts(&["pull", &store]).ok();

    let again = Bookmarks::load(&sb.home(), &loc).unwrap();
    assert_eq!(again.items(), &saved[..]);

    // The headless list is exactly what was saved.
    let listed: Vec<Bookmark> = json_lines(&sb.ts(&["bookmarks", &store, "--json"]).ok())
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
    assert_eq!(listed, saved);

    // The human list shows each event and its note, with nothing that could steer a terminal.
    let human = sb.ts(&["bookmarks", &store]).ok();
    for b in &saved {
        assert!(
            human.stdout.contains(&format!("{}:{}", b.seq, b.pos)),
            "{human}"
        );
    }
    assert!(
        human
            .stdout
            .contains("    first denial\n    — see runbook ✓\n"),
        "{human}"
    );
    assert!(human.stdout.contains("then \\u{1B}[2J this"), "{human}");
    assert!(!human.stdout.contains('\u{1b}'), "{human}");
    assert!(human.stdout.contains("2 bookmarks"), "{human}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(again.path())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    let file: Value = serde_json::from_slice(&std::fs::read(again.path()).unwrap()).unwrap();
    assert_eq!(file["format"], FORMAT);
}

#[test]
fn a_malformed_bookmarks_file_is_an_error_naming_it_and_left_alone() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("store")).unwrap();
    let store = sb.path("store").display().to_string();
    sb.ts(&["bookmarks", &store])
        .ok()
        .stdout_has("no bookmarks for");
    assert_eq!(sb.ts(&["bookmarks", &store, "--json"]).ok().stdout, "");

    let path = trailscope::bookmarks::path_for(&sb.home(), &location(&store));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let broken = "{\"format\":\"trailscope-bookmarks/v1\",\"bookmarks\":[{\"seq\":1,";
    std::fs::write(&path, broken).unwrap();
    let run = sb
        .ts(&["bookmarks", &store])
        .code(2)
        .stderr_has(&path.display().to_string())
        .stderr_has("not a bookmarks file");
    assert_eq!(run.stdout, "");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    let e = Bookmarks::load(&sb.home(), &location(&store)).unwrap_err();
    assert!(e.to_string().contains(&path.display().to_string()));
}

/// Appends `n` search entries about `store` through the library.
fn append_searches(home: &Path, store: &str, n: usize) {
    for i in 0..n {
        journal::append(
            home,
            store,
            "search",
            json!({"query": format!("actor:u{i}")}),
        )
        .unwrap();
    }
}

fn journal_lines(home: &Path) -> Vec<Vec<u8>> {
    crate::common::lines(&std::fs::read(journal::journal_path(home)).unwrap())
}

fn write_journal(home: &Path, lines: &[Vec<u8>]) {
    let mut bytes = lines.join(&b'\n');
    bytes.push(b'\n');
    std::fs::write(journal::journal_path(home), bytes).unwrap();
}

#[test]
fn journal_lists_filters_and_verifies() {
    let sb = Sandbox::new();
    let home = sb.home();
    let spec_b = sb.path("store-b").display().to_string();
    let (a, b) = (
        location(&sb.path("store-a").display().to_string()),
        location(&spec_b),
    );
    append_searches(&home, &a, 3);
    journal::append(
        &home,
        &b,
        "export",
        json!({"file": "pm.md", "format": "md"}),
    )
    .unwrap();
    append_searches(&home, &a, 1);

    let lines = journal_lines(&home);
    let head = sha256_hex(lines.last().unwrap());
    sb.ts(&["journal", "--verify"])
        .ok()
        .stdout_has(&format!("journal intact: 5 entries, head {head}"));
    let report = sb.ts(&["journal", "--verify", "--json"]).ok().json();
    assert_eq!(report["entries"], 5);
    assert_eq!(report["problem"], Value::Null);

    let all = json_lines(&sb.ts(&["journal", "--json"]).ok());
    let raw: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(all, raw);
    let only_b = json_lines(&sb.ts(&["journal", "--json", "--store", &spec_b]).ok());
    assert_eq!(only_b, vec![raw[3].clone()]);
    sb.ts(&["journal", "--store", &spec_b])
        .ok()
        .stdout_has("export")
        .stdout_has("file=pm.md format=md")
        .stdout_has("1 of 5 entries");
}

#[test]
fn journal_verify_names_an_altered_line() {
    let sb = Sandbox::new();
    let home = sb.home();
    append_searches(&home, &location(&sb.path("store").display().to_string()), 5);
    let mut lines = journal_lines(&home);
    let at = lines[2].windows(8).position(|w| w == b"actor:u2").unwrap();
    lines[2][at + 7] = b'9';
    write_journal(&home, &lines);
    let run = sb
        .ts(&["journal", "--verify"])
        .code(1)
        .stdout_has("journal BROKEN at line 3")
        .stdout_has("line 3 was altered");
    assert!(!run.stdout.contains("intact:"), "{run}");
    let report = sb.ts(&["journal", "--verify", "--json"]).code(1).json();
    assert_eq!(report["problem"]["line"], 3);
    assert_eq!(report["entries"], 2);
    assert_eq!(report["head"], sha256_hex(&lines[1]));
}

#[test]
fn journal_verify_finds_a_deleted_line() {
    let sb = Sandbox::new();
    let home = sb.home();
    append_searches(&home, &location(&sb.path("store").display().to_string()), 5);
    let mut lines = journal_lines(&home);
    lines.remove(1);
    write_journal(&home, &lines);
    sb.ts(&["journal", "--verify"])
        .code(1)
        .stdout_has("journal BROKEN at line 2")
        .stdout_has("1 entry missing");
}

#[test]
fn concurrent_appends_keep_one_chain() {
    let sb = Sandbox::new();
    let home = sb.home();
    let loc = location(&sb.path("store").display().to_string());
    std::thread::scope(|s| {
        for t in 0..2 {
            let (home, loc) = (&home, &loc);
            s.spawn(move || {
                for i in 0..50 {
                    journal::append(home, loc, "search", json!({"thread": t, "i": i})).unwrap();
                }
            });
        }
    });
    let report = journal::verify(&home).unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries, 100);
    let entries = journal::entries(&home).unwrap();
    assert_eq!(
        entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (0..100).collect::<Vec<u64>>()
    );
    for t in 0..2 {
        let mine: Vec<i64> = entries
            .iter()
            .filter(|e| e.detail["thread"] == t)
            .map(|e| e.detail["i"].as_i64().unwrap())
            .collect();
        assert_eq!(mine, (0..50).collect::<Vec<i64>>(), "thread {t}'s entries");
    }
    sb.ts(&["journal", "--verify"])
        .ok()
        .stdout_has("journal intact: 100 entries");
}
