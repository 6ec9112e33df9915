//! `trailscope export` (Markdown, JSON evidence, CSV) and `trailscope prove`, end to end on the
//! pulled demo store and on small crafted stores: the timeline matches `search`, the integrity
//! statement names the real head, CSV survives a real RFC 4180 parse, a JSON bundle proves, and
//! one altered byte anywhere that matters (event line, record, proof, header, signature) makes
//! `prove` fail naming the event or segment.

use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serde_json::{Value, json};

use crate::common::{BIN, Run, Sandbox};

/// Exports write the journal of their home; the tests sharing the demo home take turns.
static EXPORTS: Mutex<()> = Mutex::new(());

/// Runs the binary in `sb` with its home and an empty config file (default redaction rules,
/// whatever the machine's own config says).
fn ts(sb: &Sandbox, args: &[&str]) -> Run {
    let config = sb.path("config.toml");
    if !config.exists() {
        std::fs::write(&config, "").expect("writing the empty config");
    }
    let _turn = EXPORTS.lock().unwrap_or_else(|e| e.into_inner());
    let out = Command::new(BIN)
        .args(args)
        .current_dir(sb.dir.path())
        .env("TRAILSCOPE_HOME", sb.home())
        .env("TRAILSCOPE_CONFIG", &config)
        .stdin(Stdio::null())
        .output()
        .expect("running trailscope");
    Run {
        cmd: args.join(" "),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The clean demo store, pulled into a sandbox shared by the read-only tests.
struct Demo {
    sb: Sandbox,
    /// `verify --json` of the store.
    report: Value,
}

fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let sb = Sandbox {
            dir: crate::console_common::scratch_dir(),
        };
        std::fs::create_dir_all(sb.home()).expect("home");
        ts(&sb, &["demo", "--no-open", "--clean", "--dir", "st"]).ok();
        ts(&sb, &["pull", "st"]).ok();
        let report = ts(&sb, &["verify", "--json", "st"]).ok().json();
        Demo { sb, report }
    })
}

/// `search --json` hits of `query`, oldest first.
fn search(sb: &Sandbox, store: &str, query: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["search", store, query, "--json", "--order", "oldest"];
    args.extend_from_slice(&["--limit", "100000"]);
    args.extend_from_slice(extra);
    ts(sb, &args)
        .ok()
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("search line is JSON"))
        .collect()
}

/// A Markdown cell as the export must write it (the escaping rules of the format, applied
/// independently here).
fn md(s: &str) -> String {
    let mut out = String::new();
    for (i, piece) in s.replace("\r\n", "\n").split(['\n', '\r']).enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        for c in piece.chars() {
            if "\\`|*_~[]<>&#!".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// `2026-11-24T01:02:37.123456789Z` as the timeline shows it: `2026-11-24 01:02:37.123`.
fn timeline_time(rfc3339: &str) -> String {
    format!("{} {}", &rfc3339[..10], &rfc3339[11..23])
}

#[test]
fn markdown_timeline_matches_search_and_states_the_real_head() {
    let d = demo();
    let hits = search(&d.sb, "st", "outcome:failure", &[]);
    assert!(hits.len() > 5, "the demo has failures: {hits:?}");
    let out = ts(
        &d.sb,
        &[
            "export",
            "st",
            "--query",
            "outcome:failure",
            "--format",
            "md",
            "--reveal",
        ],
    )
    .ok();
    let rows_of = |run: &Run| -> Vec<String> {
        run.stdout
            .lines()
            .filter(|l| l.starts_with("| 2"))
            .map(String::from)
            .collect()
    };
    let rows = rows_of(&out);
    let want: Vec<String> = hits
        .iter()
        .map(|h| {
            format!(
                "| {} | {} | {} | {} | {} |  | {} |",
                timeline_time(h["time"].as_str().unwrap()),
                md(h["actor"].as_str().unwrap()),
                md(h["action"].as_str().unwrap()),
                md(h["resource"].as_str().unwrap()),
                md(h["outcome"].as_str().unwrap()),
                if h["verified"] == true {
                    "yes"
                } else {
                    "unsigned tail"
                }
            )
        })
        .collect();
    assert_eq!(rows, want, "{out}");
    // Masked (the default), a row differs only where a value was masked.
    let masked = ts(
        &d.sb,
        &[
            "export",
            "st",
            "--query",
            "outcome:failure",
            "--format",
            "md",
        ],
    )
    .ok();
    let masked_rows = rows_of(&masked);
    assert_eq!(masked_rows.len(), want.len(), "{masked}");
    for (m, w) in masked_rows.iter().zip(&want) {
        assert!(m == w || m.contains("«redacted»"), "{m}\n{w}");
    }

    let head = d.report["head"]["hash"].as_str().unwrap();
    let seq = d.report["head"]["seq"].as_u64().unwrap();
    let cp = &d.report["checkpoint"];
    let signer = crate::common::short_key(d.report["signer"].as_str().unwrap());
    let text = &out.stdout;
    assert!(
        text.contains(&format!("- Verified head: segment {seq} (")),
        "{text}"
    );
    assert!(text.contains(&format!("chain hash `{head}`")), "{text}");
    assert!(
        text.contains(&format!(
            "- Checkpoint: size {} (segments 0 to {})",
            cp["size"],
            cp["size"].as_u64().unwrap() - 1
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("- Signer: {}", md(&signer))),
        "{text}"
    );
    let unsigned = hits.iter().filter(|h| h["verified"] != true).count();
    assert!(
        text.contains(&format!(
            "- Events: {} exported, {} attested by the signed checkpoint, {unsigned} from the unsigned tail",
            hits.len(),
            hits.len() - unsigned
        )),
        "{text}"
    );
    let key = format!("{}.pub", signer.split('+').next().unwrap());
    assert!(
        text.contains(&format!("trailscope prove EXPORT.json --pubkey {key}")),
        "{text}"
    );
    assert!(text.contains("trailscope verify "), "{text}");
}

/// Flips one character of `s` at char index `at` to another character that keeps JSON text
/// valid where it matters (a hex digit or letter becomes another).
fn flip(s: &str, at: usize) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if i != at {
                c
            } else if c == '0' {
                '1'
            } else if c.is_ascii_digit() || c.is_ascii_alphabetic() {
                '0'
            } else {
                'x'
            }
        })
        .collect()
}

/// Writes `bundle` to `name` in the sandbox and runs `prove` on it with the store's key.
fn prove(sb: &Sandbox, name: &str, bundle: &Value) -> Run {
    std::fs::write(sb.path(name), serde_json::to_vec(bundle).unwrap()).unwrap();
    ts(
        sb,
        &["prove", name, "--pubkey", "st/checkpoints/signer.pub"],
    )
}

fn place(e: &Value) -> String {
    format!("seq {} pos {} ", e["seq"], e["pos"])
}

#[test]
fn json_bundle_proves_and_each_altered_byte_fails_naming_the_event() {
    let d = demo();
    let sb = &d.sb;
    ts(
        sb,
        &[
            "export",
            "st",
            "--query",
            "outcome:failure",
            "--format",
            "json",
            "--reveal",
            "-o",
            "failures.json",
        ],
    )
    .ok()
    .stderr_has("to failures.json");
    let bundle: Value =
        serde_json::from_slice(&std::fs::read(sb.path("failures.json")).unwrap()).unwrap();
    assert_eq!(bundle["format"], "trailscope-export/v1");
    let events = bundle["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), search(sb, "st", "outcome:failure", &[]).len());
    let good = prove(sb, "good.json", &bundle).ok();
    assert!(good.stdout.contains("result:     PROVEN"), "{good}");
    assert!(good.stdout.contains("(given with --pubkey)"), "{good}");
    let selfish = ts(sb, &["prove", "failures.json"]).ok();
    assert!(
        selfish.stdout.contains("TAKEN FROM THE BUNDLE ITSELF"),
        "{selfish}"
    );

    // A signed event in a segment with more than one event (its proof has siblings).
    let size = bundle["checkpoint"]["size"].as_u64().unwrap();
    let (j, victim) = events
        .iter()
        .enumerate()
        .find(|(_, e)| {
            e["seq"].as_u64().unwrap() < size && !e["proof"]["path"].as_array().unwrap().is_empty()
        })
        .expect("a signed event with a proof path");
    let victim_at = place(victim);
    let expect_fail = |run: Run, needle: &str| {
        let run = run.code(1);
        assert!(run.stdout.contains(needle), "lacks {needle:?}\n{run}");
        assert!(run.stdout.contains("result:     FAILED"), "{run}");
        run
    };

    // (a) one byte of the event line.
    let mut b = bundle.clone();
    let line = b["events"][j]["line"].as_str().unwrap().to_string();
    let at = line.find("\"time\"").map_or(10, |i| i + 10);
    b["events"][j]["line"] = Value::String(flip(&line, at));
    let run = expect_fail(prove(sb, "a.json", &b), &format!("FAIL {victim_at}"));
    assert!(run.stdout.contains("inclusion proof"), "{run}");
    assert!(run.stdout.contains("1 failed"), "{run}");

    // (a') the record shown beside the proven line.
    let mut b = bundle.clone();
    let rec = b["events"][j]["record"].as_object_mut().unwrap();
    let (k, v) = rec
        .iter()
        .find(|(_, v)| v.is_string())
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .unwrap();
    rec.insert(k, Value::String(flip(&v, 0)));
    let run = expect_fail(prove(sb, "a2.json", &b), &format!("FAIL {victim_at}"));
    assert!(run.stdout.contains("record"), "{run}");

    // (b) one hex digit of a proof sibling.
    let mut b = bundle.clone();
    let sib = b["events"][j]["proof"]["path"][0]
        .as_str()
        .unwrap()
        .to_string();
    b["events"][j]["proof"]["path"][0] = Value::String(flip(&sib, 5));
    let run = expect_fail(prove(sb, "b.json", &b), &format!("FAIL {victim_at}"));
    assert!(run.stdout.contains("1 failed"), "{run}");

    // (c) one byte of the header line of the victim's segment (its content_sha256).
    let mut b = bundle.clone();
    let seq = victim["seq"].as_u64().unwrap();
    let hdr = b["headers"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|h| h["seq"] == seq)
        .expect("the victim's header");
    let hline = hdr["line"].as_str().unwrap().to_string();
    let at = hline.find("\"content_sha256\":\"").unwrap() + 20;
    hdr["line"] = Value::String(flip(&hline, at));
    let run = expect_fail(prove(sb, "c.json", &b), &format!("FAIL segment {seq}"));
    assert!(run.stdout.contains(&format!("FAIL {victim_at}")), "{run}");

    // (d) one character of the checkpoint's signature.
    let mut b = bundle.clone();
    let note = b["checkpoint"]["note"].as_str().unwrap().to_string();
    let sig_line = note.find("\n— ").unwrap() + "\n— ".len();
    let b64 = sig_line + note[sig_line..].find(' ').unwrap() + 1;
    // Past the 4-byte key id: a byte of the Ed25519 signature itself.
    let at = note[..b64].chars().count() + 20;
    b["checkpoint"]["note"] = Value::String(flip(&note, at));
    let run = expect_fail(prove(sb, "d.json", &b), "FAIL segment");
    for e in events.iter().filter(|e| e["seq"].as_u64().unwrap() < size) {
        assert!(run.stdout.contains(&format!("FAIL {}", place(e))), "{run}");
    }

    // Another signer's key is not the store's.
    let other = Sandbox::new();
    let other_key = other.keygen("intruder.test");
    let run = ts(sb, &["prove", "good.json", "--pubkey", &other_key]).code(1);
    assert!(
        run.stdout.contains("not signed by the trusted key"),
        "{run}"
    );

    // Unreadable input is exit 2, not a verdict.
    std::fs::write(sb.path("junk.json"), "{ not json").unwrap();
    ts(sb, &["prove", "junk.json"])
        .code(2)
        .stderr_has("not JSON");
    std::fs::write(sb.path("other.json"), r#"{"format":"something/v9"}"#).unwrap();
    ts(sb, &["prove", "other.json"])
        .code(2)
        .stderr_has("not a trailscope export bundle");
}

#[test]
fn unsigned_tail_events_are_marked_in_every_format_and_by_prove() {
    let d = demo();
    let sb = &d.sb;
    let newest = search(sb, "st", "*", &[]);
    let from = newest[newest.len() - 30]["time"]
        .as_str()
        .unwrap()
        .to_string();
    let hits = search(sb, "st", "*", &["--from", &from]);
    let tail = hits.iter().filter(|h| h["verified"] != true).count();
    assert!(tail > 0, "the clean demo ends in an unsigned tail");
    let args = |fmt: &str| {
        vec![
            "export",
            "st",
            "--query",
            "*",
            "--from",
            from.as_str(),
            "--format",
            fmt,
            "-o",
        ]
        .into_iter()
        .map(String::from)
        .chain([format!("tail.{fmt}")])
        .collect::<Vec<_>>()
    };
    for fmt in ["md", "csv", "json"] {
        let a = args(fmt);
        ts(sb, &a.iter().map(String::as_str).collect::<Vec<_>>()).ok();
    }
    let md_text = std::fs::read_to_string(sb.path("tail.md")).unwrap();
    let md_tail = md_text
        .lines()
        .filter(|l| l.starts_with("| 2") && l.ends_with("| unsigned tail |"))
        .count();
    assert_eq!(md_tail, tail, "{md_text}");

    let csv_rows = parse_csv(&std::fs::read_to_string(sb.path("tail.csv")).unwrap());
    assert_eq!(csv_rows[0][1], "verified");
    assert_eq!(
        csv_rows[1..]
            .iter()
            .filter(|r| r[1] == "unsigned tail")
            .count(),
        tail
    );

    let bundle: Value =
        serde_json::from_slice(&std::fs::read(sb.path("tail.json")).unwrap()).unwrap();
    let size = bundle["checkpoint"]["size"].as_u64().unwrap();
    let events = bundle["events"].as_array().unwrap();
    let marked: Vec<&Value> = events
        .iter()
        .filter(|e| e["status"] == "unsigned_tail")
        .collect();
    assert_eq!(marked.len(), tail);
    assert!(marked.iter().all(|e| e["seq"].as_u64().unwrap() >= size));
    let run = ts(
        sb,
        &[
            "prove",
            "tail.json",
            "--pubkey",
            "st/checkpoints/signer.pub",
        ],
    )
    .ok();
    for e in &marked {
        assert!(
            run.stdout.contains(&format!("UNSIGNED {}", place(e))),
            "{run}"
        );
    }
    assert!(
        run.stdout
            .contains(&format!("{tail} unsigned tail (not proven by a signature)")),
        "{run}"
    );

    // Claiming a tail event is signed is caught.
    let mut b = bundle.clone();
    let i = events
        .iter()
        .position(|e| e["status"] == "unsigned_tail")
        .unwrap();
    b["events"][i]["status"] = json!("signed");
    let run = prove(sb, "claims.json", &b).code(1);
    assert!(
        run.stdout.contains(&format!("FAIL {}", place(&events[i]))),
        "{run}"
    );
}

/// A strict RFC 4180 reader: records end in CRLF, quoted fields may hold anything, `""` is a
/// quote; a bare CR or LF or a stray quote outside quotes is an error.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF outside quotes");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                was_quoted = false;
            }
            '\n' => panic!("bare LF outside quotes in {text:?}"),
            '"' => panic!("stray quote in {text:?}"),
            c if was_quoted => panic!("{c:?} after a closing quote in {text:?}"),
            c => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quote");
    assert!(row.is_empty() && field.is_empty(), "last record lacks CRLF");
    rows
}

/// A signed store of `signed` records (two per segment) plus an unsigned tail of `tail`,
/// pulled into the sandbox's home.
fn small_store(signed: &[Value], tail: &[Value]) -> Sandbox {
    let sb = Sandbox::new();
    sb.keygen("ops");
    let ndjson = |rs: &[Value]| -> String {
        rs.iter()
            .map(|r| format!("{}\n", serde_json::to_string(r).unwrap()))
            .collect()
    };
    sb.write("signed.ndjson", ndjson(signed));
    ts(
        &sb,
        &[
            "seal",
            "--store",
            "store",
            "--key",
            "keys/ops.key",
            "--segment-events",
            "2",
            "signed.ndjson",
        ],
    )
    .ok();
    if !tail.is_empty() {
        sb.write("tail.ndjson", ndjson(tail));
        ts(
            &sb,
            &[
                "seal",
                "--store",
                "store",
                "--segment-events",
                "2",
                "tail.ndjson",
            ],
        )
        .ok();
    }
    ts(&sb, &["pull", "store"]).ok();
    sb
}

fn at(second: u32) -> String {
    format!("2026-11-24T10:00:{second:02}Z")
}

#[test]
fn csv_is_rfc_4180_and_formula_safe_and_markdown_cells_are_escaped() {
    let crafted = json!({"time": at(2), "actor": "=cmd()", "action": "say, \"hi\"\nthere",
        "resource": "a|b `x` *y*", "outcome": "success", "user_agent": "@SUM(A1)"});
    let records = vec![
        json!({"time": at(1), "actor": "alice", "action": "login", "resource": "db", "outcome": "success"}),
        crafted.clone(),
        json!({"time": at(3), "actor": "-2+3", "action": "\tindent", "resource": "+1", "outcome": "failure"}),
    ];
    let sb = small_store(&records, &[]);
    ts(
        &sb,
        &[
            "export", "store", "--query", "*", "--format", "csv", "-o", "out.csv",
        ],
    )
    .ok();
    let bytes = std::fs::read_to_string(sb.path("out.csv")).unwrap();
    // Exact bytes of the crafted cells.
    assert!(
        bytes.contains(",'=cmd(),\"say, \"\"hi\"\"\nthere\","),
        "{bytes:?}"
    );
    assert!(bytes.ends_with("\r\n"), "{bytes:?}");
    let rows = parse_csv(&bytes);
    assert_eq!(
        rows[0],
        [
            "time",
            "verified",
            "seq",
            "pos",
            "actor",
            "action",
            "resource",
            "outcome",
            "source_ip",
            "user_agent",
            "trace_id",
            "span_id",
            "request_id",
            "note",
            "record"
        ]
    );
    assert_eq!(rows.len(), 4, "{rows:?}");
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let r = &rows[2];
    assert_eq!(r[col("actor")], "'=cmd()");
    assert_eq!(r[col("action")], "say, \"hi\"\nthere");
    assert_eq!(r[col("resource")], "a|b `x` *y*");
    assert_eq!(r[col("user_agent")], "'@SUM(A1)");
    assert_eq!(r[col("verified")], "yes");
    let record: Value = serde_json::from_str(&r[col("record")]).unwrap();
    assert_eq!(record, crafted);
    let r = &rows[3];
    assert_eq!(r[col("actor")], "'-2+3");
    assert_eq!(r[col("action")], "'\tindent");
    assert_eq!(r[col("resource")], "'+1");
    assert_eq!(r[col("time")], "2026-11-24T10:00:03.000000000Z");

    let out = ts(&sb, &["export", "store", "--query", "*"]).ok();
    let row = out
        .stdout
        .lines()
        .find(|l| l.contains("cmd()"))
        .expect("the crafted row");
    assert_eq!(
        row,
        "| 2026-11-24 10:00:02.000 | =cmd() | say, \"hi\"<br>there | a\\|b \\`x\\` \\*y\\* | success |  | yes |",
        "{out}"
    );
}

#[test]
fn masked_exports_hide_the_secret_and_still_prove_reveal_shows_it() {
    const SECRET: &str = "hunter2-FAKE-SECRET-0001";
    let records = vec![
        json!({"time": at(1), "actor": "alice", "action": "login", "resource": "db/main",
            "outcome": "success", "password": SECRET, "api_token": "tok-FAKE-SECRET-0002"}),
        json!({"time": at(2), "actor": "bob", "action": "read", "resource": "db/main", "outcome": "success"}),
    ];
    let sb = small_store(&records, &[]);
    for fmt in ["md", "csv", "json"] {
        let file = format!("masked.{fmt}");
        ts(
            &sb,
            &[
                "export", "store", "--query", "*", "--format", fmt, "-o", &file,
            ],
        )
        .ok();
        let text = std::fs::read_to_string(sb.path(&file)).unwrap();
        assert!(
            !text.contains("FAKE-SECRET"),
            "the masked {fmt} export shows the secret:\n{text}"
        );
    }
    let bundle: Value =
        serde_json::from_slice(&std::fs::read(sb.path("masked.json")).unwrap()).unwrap();
    let e = &bundle["events"][0];
    assert_eq!(e["record_masked"], true, "{e:#}");
    assert!(e.get("line").is_none(), "{e:#}");
    assert_eq!(e["leaf_hash"].as_str().unwrap().len(), 64);
    let run = ts(
        &sb,
        &[
            "prove",
            "masked.json",
            "--pubkey",
            "store/checkpoints/signer.pub",
        ],
    )
    .ok();
    assert!(
        run.stdout
            .contains("MASKED seq 0 pos 0 at 2026-11-24T10:00:01.000000000Z: proven by leaf hash, content masked"),
        "{run}"
    );

    ts(
        &sb,
        &[
            "export",
            "store",
            "--query",
            "*",
            "--format",
            "json",
            "--reveal",
            "-o",
            "revealed.json",
        ],
    )
    .ok();
    let text = std::fs::read_to_string(sb.path("revealed.json")).unwrap();
    assert!(text.contains(SECRET), "{text}");
    let bundle: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(bundle["events"][0]["record_masked"], false);
    assert!(
        bundle["events"][0]["line"]
            .as_str()
            .unwrap()
            .contains(SECRET)
    );
    let run = ts(
        &sb,
        &[
            "prove",
            "revealed.json",
            "--pubkey",
            "store/checkpoints/signer.pub",
        ],
    )
    .ok();
    assert!(!run.stdout.contains("MASKED"), "{run}");
    assert!(run.stdout.contains("2 proven"), "{run}");
    let md_revealed = ts(&sb, &["export", "store", "--query", "*", "--reveal"]).ok();
    assert!(
        md_revealed
            .stdout
            .contains("- Redaction: none (exported with --reveal)"),
        "{md_revealed}"
    );
}

#[test]
fn bookmarks_export_with_their_notes_and_prove() {
    let records: Vec<Value> = (1..=5)
        .map(|i| json!({"time": at(i), "actor": format!("user{i}"), "action": "read", "resource": "doc", "outcome": "success"}))
        .collect();
    let sb = small_store(&records, &[]);
    let location = trailscope::store::open_store(sb.path("store").to_str().unwrap())
        .unwrap()
        .location();
    let ws = trailscope::query::Workspace::open(&sb.home(), &location).unwrap();
    let hits = trailscope::query::search(
        &ws,
        &trailscope::query::Filter::default(),
        trailscope::query::Order::OldestFirst,
        10,
        false,
    )
    .unwrap()
    .hits;
    let mut marks = trailscope::bookmarks::Bookmarks::load(&sb.home(), &location).unwrap();
    assert!(marks.add(&hits[1]) && marks.add(&hits[3]));
    assert!(marks.set_note(hits[3].seq, hits[3].pos, "root cause | see `runbook`"));
    marks.save().unwrap();
    drop(ws);

    let out = ts(&sb, &["export", "store", "--bookmarks"]).ok();
    let rows: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("| 2"))
        .collect();
    assert_eq!(
        rows,
        [
            "| 2026-11-24 10:00:02.000 | user2 | read | doc | success |  | yes |",
            "| 2026-11-24 10:00:04.000 | user4 | read | doc | success | root cause \\| see \\`runbook\\` | yes |",
        ],
        "{out}"
    );
    ts(
        &sb,
        &[
            "export",
            "store",
            "--bookmarks",
            "--format",
            "json",
            "-o",
            "marks.json",
        ],
    )
    .ok();
    let bundle: Value =
        serde_json::from_slice(&std::fs::read(sb.path("marks.json")).unwrap()).unwrap();
    assert_eq!(bundle["events"][1]["note"], "root cause | see `runbook`");
    ts(
        &sb,
        &[
            "prove",
            "marks.json",
            "--pubkey",
            "store/checkpoints/signer.pub",
        ],
    )
    .ok()
    .stdout_has("2 proven");
}

#[test]
fn library_export_of_the_pulled_demo_proves_with_the_library_check() {
    use trailscope::export::{ExportRequest, Format, Source, Verdict, check_bundle, export};
    let p = crate::console_common::demo(false);
    let filter = trailscope::query::Filter {
        query: "outcome:failure".into(),
        ..Default::default()
    };
    let req = ExportRequest {
        source: Source::Query(filter),
        format: Format::Json,
        reveal: true,
        limit: 1000,
    };
    let masker = trailscope::mask::Masker::new(&[]);
    let out = export(&p.home, &p.location, &req, &masker).expect("export");
    assert!(out.events > 5);
    assert_eq!(out.left_out, 0);
    let signer = std::fs::read_to_string(p.store_dir.join("checkpoints/signer.pub")).unwrap();
    let key = trailscope::segment::keys::parse_verifier(&signer).unwrap();
    let report = check_bundle(out.text.as_bytes(), Some(&key)).expect("a bundle");
    assert!(report.is_ok(), "{}", report.to_human());
    assert_eq!(report.events.len(), out.events);
    assert_eq!(report.count(Verdict::UnsignedTail), out.unsigned);
    assert_eq!(
        report.count(Verdict::Proven) + report.count(Verdict::UnsignedTail),
        out.events
    );
    assert!(!report.key_from_bundle);
}

#[test]
fn exporting_a_store_never_pulled_says_to_pull() {
    let sb = Sandbox::new();
    sb.write("empty/segments/.keep", "");
    let run = ts(&sb, &["export", "empty", "--query", "*"]).code(2);
    assert!(run.stderr.contains("pull"), "{run}");
    ts(&sb, &["export", "empty"]).code(2);
}
