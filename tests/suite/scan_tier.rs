//! Answers for verified segments the index does not hold yet: `pull --no-index` verifies and
//! keeps new segments without indexing them, and every query then reads their verified copies.
//! The answers must be exactly those of a fully indexed pull of the same store — hits in the
//! same order, totals, histogram buckets, facet counts — and must never include a segment that
//! failed verification. `search --pull` answers from a fresh home the same way, then indexes.

use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use crate::common::{Run, Sandbox};
use crate::pull_common::new_home;
use crate::query_model::{Ev, HOUR, generate, rfc3339};

/// Signed events sealed and indexed first, then more signed events and an unsigned tail that
/// are only verified.
const FIRST: usize = 800;
const SECOND: usize = 900;
const TAIL: usize = 150;

fn ndjson(evs: &[Ev]) -> String {
    evs.iter().map(|e| format!("{}\n", e.line)).collect()
}

struct Fixture {
    sb: Sandbox,
    /// Indexed the first part only; the rest verified and scanned.
    scanned: PathBuf,
    /// Indexed everything.
    indexed: PathBuf,
    now: i64,
}

fn seal(sb: &Sandbox, name: &str, evs: &[Ev], signed: bool) {
    sb.write(name, ndjson(evs));
    let mut args = vec!["seal", "--store", "store", "--segment-events", "100"];
    if signed {
        args.extend(["--key", "keys/ops.key"]);
    }
    args.push(name);
    sb.ts(&args).ok();
}

fn fixture() -> Fixture {
    let now = chrono::Utc::now().timestamp_nanos_opt().expect("now");
    let mut rng = ChaCha8Rng::seed_from_u64(0x5ca9_7135);
    let first = generate(&mut rng, now, FIRST, 0, &[]);
    let second = generate(&mut rng, now, SECOND, FIRST, &first);
    let all: Vec<Ev> = first.iter().chain(&second).cloned().collect();
    let tail = generate(&mut rng, now, TAIL, FIRST + SECOND, &all);

    let sb = Sandbox::new();
    sb.keygen("ops");
    let (scanned, indexed) = (new_home(&sb, "scanned"), new_home(&sb, "indexed"));
    seal(&sb, "first.ndjson", &first, true);
    let p = sb
        .ts_with_home(&scanned, &["pull", "--json", "--no-fulltext", "store"])
        .ok()
        .json();
    assert_eq!(p["head"]["segments"], 8, "{p:#}");
    seal(&sb, "second.ndjson", &second, true);
    seal(&sb, "tail.ndjson", &tail, false);

    let p = sb
        .ts_with_home(&scanned, &["pull", "--json", "--no-index", "store"])
        .ok()
        .json();
    assert_eq!(p["head"]["segments"], 8, "nothing new indexed: {p:#}");
    assert_eq!(p["indexed_segments"], 0, "{p:#}");
    assert_eq!(p["verified_segments"], 19, "{p:#}");
    sb.ts_with_home(&indexed, &["pull", "--json", "--no-fulltext", "store"])
        .ok();
    Fixture {
        sb,
        scanned,
        indexed,
        now,
    }
}

impl Fixture {
    fn run(&self, home: &Path, args: &[&str]) -> Run {
        self.sb.ts_with_home(home, args).ok()
    }

    /// The same command in both homes: stdout must be identical, and the scanned home must say
    /// it scanned (for commands that print coverage).
    fn same(&self, args: &[&str]) -> String {
        let a = self.run(&self.scanned, args);
        let b = self.run(&self.indexed, args);
        assert_eq!(
            a.stdout, b.stdout,
            "{args:?}: answer from index + verified copies differs from the full index"
        );
        assert!(
            !a.stderr.contains("later events were not searched"),
            "{args:?}: {}",
            a.stderr
        );
        a.stdout
    }
}

fn windows(now: i64) -> Vec<(String, String)> {
    vec![
        (rfc3339(now - 2 * HOUR, 0), rfc3339(now - HOUR, 0)),
        (rfc3339(now - 150 * 60 * 1_000_000_000, 0), rfc3339(now, 0)),
    ]
}

const QUERIES: &[&str] = &[
    "*",
    "actor:alice",
    "actor:alice AND action:delete",
    "action:(create OR delete)",
    "action:IN [read update]",
    "* -outcome:success",
    "actor:alice NOT action:delete",
    "NOT outcome:success",
    "outcome:denied OR outcome:unknown",
    r#"actor:"dave smith""#,
    "actor:zoë",
    r#"resource:"db/prod" AND source_ip:"10.1.0.7""#,
    "resource:db*",
    r#"resource:"db/"* AND NOT actor:zo*"#,
    "actor:da* OR source_ip:10.1.*",
    "source_ip:*",
    "NOT source_ip:*",
    "actor:[bob TO dave}",
    "seq:[5 TO 12]",
    "request_id:req-00900",
];

#[test]
fn scanned_answers_equal_the_full_index() {
    let fx = fixture();

    // The scanned home reports what it scanned.
    let c: Value = serde_json::from_str(
        fx.run(&fx.scanned, &["search", "store", "*", "--count", "--json"])
            .stdout
            .trim(),
    )
    .expect("json");
    assert_eq!(c["total"], (FIRST + SECOND + TAIL) as u64, "{c}");
    assert_eq!(c["coverage"]["scanned_segments"], 11, "{c}");
    assert_eq!(c["coverage"]["segments"], 19, "{c}");

    let mut nonempty = 0;
    for q in QUERIES {
        let all = fx.same(&["search", "store", q, "--json", "--limit", "100000"]);
        if !all.trim().is_empty() {
            nonempty += 1;
        }
        fx.same(&[
            "search", "store", q, "--json", "--limit", "7", "--order", "oldest",
        ]);
        fx.same(&["search", "store", q, "--count"]);
        fx.same(&["histogram", "store", q, "--json", "--buckets", "37"]);
        fx.same(&["facets", "store", "actor", q, "--json", "--top", "4"]);
        fx.same(&["facets", "store", "source_ip", q, "--top", "3"]);
        for (from, to) in windows(fx.now) {
            fx.same(&[
                "search", "store", q, "--json", "--limit", "30", "--from", &from, "--to", &to,
            ]);
            fx.same(&[
                "histogram",
                "store",
                q,
                "--json",
                "--from",
                &from,
                "--to",
                &to,
            ]);
        }
    }
    assert!(nonempty >= QUERIES.len() - 2, "the queries match something");

    // Unsigned-tail events read from copies are marked unsigned, as the index marks them.
    let hits = fx.same(&[
        "search",
        "store",
        "seq:[17 TO 18]",
        "--json",
        "--limit",
        "1000",
    ]);
    let lines: Vec<Value> = hits
        .lines()
        .map(|l| serde_json::from_str(l).expect("hit"))
        .collect();
    assert_eq!(lines.len(), TAIL);
    assert!(lines.iter().all(|h| h["verified"] == false));

    // A term on `time` is not mirrored by the scan: answered by the index alone, and it says so.
    let run = fx.run(
        &fx.scanned,
        &[
            "search",
            "store",
            "time:\"2026-01-01T00:00:00Z\"",
            "--count",
        ],
    );
    assert!(
        run.stderr.contains("covers 8 of 19 pulled segments"),
        "{}",
        run.stderr
    );

    // A later pull indexes the kept copies without fetching them again.
    let p = fx
        .run(&fx.scanned, &["pull", "--json", "--no-fulltext", "store"])
        .json();
    assert_eq!(p["head"]["segments"], 19, "{p:#}");
    assert_eq!(p["indexed_segments"], 11, "{p:#}");
    assert!(
        p["fetched_segments"].as_u64().expect("fetched") <= 3,
        "kept copies are not fetched again: {p:#}"
    );
    let c: Value = serde_json::from_str(
        fx.run(&fx.scanned, &["search", "store", "*", "--count", "--json"])
            .stdout
            .trim(),
    )
    .expect("json");
    assert_eq!(c["coverage"]["scanned_segments"], 0, "{c}");
    for q in QUERIES {
        fx.same(&["search", "store", q, "--json", "--limit", "100000"]);
    }
}

#[test]
fn a_segment_that_fails_verification_is_never_scanned() {
    let sb = Sandbox::new();
    sb.keygen("ops");
    let now = chrono::Utc::now().timestamp_nanos_opt().expect("now");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let first = generate(&mut rng, now, 300, 0, &[]);
    let second = generate(&mut rng, now, 500, 300, &first);
    seal(&sb, "first.ndjson", &first, true);
    sb.ts(&["pull", "--no-fulltext", "store"]).ok();
    seal(&sb, "second.ndjson", &second, true);
    // Segment 5 (the third new one) gets one byte changed inside an event.
    let path = crate::common::segments(&sb.path("store"))
        .into_iter()
        .find(|s| s.seq() == 5)
        .map(|s| s.path.clone())
        .expect("segment 5");
    let mut bytes = std::fs::read(&path).expect("segment 5");
    let at = bytes.len() - 10;
    bytes[at] = if bytes[at] == b'a' { b'b' } else { b'a' };
    std::fs::write(&path, bytes).expect("tampering");

    let run = sb.ts(&["pull", "--json", "--no-index", "store"]).code(1);
    let p = run.json();
    assert_eq!(
        p["verified_segments"], 5,
        "kept up to the altered segment: {p:#}"
    );
    let hits = sb
        .ts(&["search", "store", "*", "--json", "--limit", "100000"])
        .ok();
    let seqs: Vec<u64> = hits
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("hit")["seq"]
                .as_u64()
                .expect("seq")
        })
        .collect();
    assert_eq!(seqs.len(), 500, "events of segments 0..5 only");
    assert!(seqs.iter().all(|s| *s < 5), "{seqs:?}");
}

#[test]
fn search_pull_answers_from_a_fresh_home_then_indexes() {
    let sb = Sandbox::new();
    sb.keygen("ops");
    let now = chrono::Utc::now().timestamp_nanos_opt().expect("now");
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let evs = generate(&mut rng, now, 700, 0, &[]);
    let want = evs.iter().filter(|e| e.actor == "alice").count() as u64;
    seal(&sb, "in.ndjson", &evs, true);
    let run = sb
        .ts(&[
            "search",
            "store",
            "actor:alice",
            "--pull",
            "--pubkey",
            "keys/ops.pub",
            "--count",
            "--json",
        ])
        .ok();
    let c: Value = serde_json::from_str(run.stdout.trim()).expect("json");
    assert_eq!(c["total"], want, "{c}");
    assert_eq!(
        c["coverage"]["scanned_segments"], 7,
        "answered before indexing: {c}"
    );
    // Afterwards everything is indexed.
    let c: Value = serde_json::from_str(
        sb.ts(&["search", "store", "actor:alice", "--count", "--json"])
            .ok()
            .stdout
            .trim(),
    )
    .expect("json");
    assert_eq!(c["total"], want, "{c}");
    assert_eq!(c["coverage"]["scanned_segments"], 0, "{c}");
    // A wrong key: the chain still verifies, but no checkpoint is accepted, so every event is
    // an unsigned tail and shown as such (never as verified).
    let other = new_home(&sb, "other");
    sb.keygen("intruder");
    let run = sb.ts_with_home(
        &other,
        &[
            "search",
            "store",
            "*",
            "--pull",
            "--pubkey",
            "keys/intruder.pub",
            "--json",
            "--limit",
            "1000",
        ],
    );
    let hits: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("hit"))
        .collect();
    assert!(
        hits.iter().all(|h| h["verified"] == false),
        "no event is verified by a checkpoint of another key: {}",
        run.stdout
    );
}

#[test]
fn values_written_with_json_escapes_are_found_by_the_scan() {
    let sb = Sandbox::new();
    sb.keygen("ops");
    let mut lines = String::new();
    for i in 0..120 {
        // Every third line spells its actor and resource with escapes, as some writers do.
        let (actor, resource) = if i % 3 == 0 {
            (r"\u0061lice", r"db\/prod")
        } else {
            ("alice", "db/prod")
        };
        lines.push_str(&format!(
            "{{\"time\":\"2026-03-01T00:{:02}:{:02}Z\",\"actor\":\"{actor}\",\"action\":\"get\",\"resource\":\"{resource}\",\"status\":200}}\n",
            i / 60,
            i % 60
        ));
    }
    sb.write("esc.ndjson", lines);
    sb.ts(&[
        "seal",
        "--store",
        "store",
        "--key",
        "keys/ops.key",
        "--segment-events",
        "40",
        "esc.ndjson",
    ])
    .ok();
    let scanned = new_home(&sb, "scanned");
    sb.ts_with_home(&scanned, &["pull", "--no-index", "store"])
        .ok();
    for q in [
        "actor:alice",
        r#"resource:"db/prod""#,
        r#"actor:alice AND resource:"db/prod""#,
    ] {
        let run = sb
            .ts_with_home(&scanned, &["search", "store", q, "--count"])
            .ok();
        assert_eq!(run.stdout.trim(), "120", "{q}: {run}");
    }
}

#[test]
fn the_console_shows_verified_segments_before_they_are_indexed() {
    use crate::console_common::{Console, demo, demo_scanned};
    use trailscope::tui::theme::Theme;
    let theme = || Theme::load(None, None, false).expect("theme");
    let mut scanned = Console::on(demo_scanned(), (160, 48), theme());
    let mut indexed = Console::on(demo(false), (160, 48), theme());
    assert!(scanned.app.scanned > 0, "the console knows what it scans");
    assert_eq!(scanned.app.window, indexed.app.window, "same extent");
    let (a, b) = (scanned.all_in_window(), indexed.all_in_window());
    assert!(!a.is_empty());
    let key =
        |h: &trailscope::query::Hit| (h.seq, h.pos, h.verified, h.actor.clone(), h.outcome.clone());
    assert_eq!(
        a.iter().map(key).collect::<Vec<_>>(),
        b.iter().map(key).collect::<Vec<_>>()
    );
    let total = |c: &Console| {
        c.app.histogram.as_ref().map(|h| {
            (
                h.total,
                h.buckets.iter().map(|b| b.count).collect::<Vec<_>>(),
            )
        })
    };
    assert_eq!(total(&scanned), total(&indexed), "same histogram");
    // A pivot answers from the copies too.
    scanned.keys("/");
    scanned.type_text("outcome:denied");
    scanned.press("enter");
    indexed.keys("/");
    indexed.type_text("outcome:denied");
    indexed.press("enter");
    assert_eq!(
        total(&scanned),
        total(&indexed),
        "same histogram after a search"
    );
    let (sa, sb) = (scanned.screen(), indexed.screen());
    // The title shows the verified head, whether indexed or not (the pull's own status at the
    // end of the line differs: this pull indexed nothing).
    let head = |s: &str| {
        s.lines()
            .next()
            .and_then(|l| l.split('│').nth(3))
            .map(|h| h.trim().to_string())
    };
    assert_eq!(head(&sa), head(&sb));
    assert!(head(&sa).is_some_and(|h| h.starts_with("head 29 ")), "{sa}");
    assert_eq!(
        sa.lines().skip(1).take(40).collect::<Vec<_>>(),
        sb.lines().skip(1).take(40).collect::<Vec<_>>(),
        "same histogram and table"
    );
}
