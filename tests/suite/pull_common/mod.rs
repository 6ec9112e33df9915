//! Shared helpers for the `pull` tests: generated inputs whose every event carries a unique
//! request id, stores sealed from them, and the events a pulled index returns, compared by id.
//!
//! Include it after `common` (`mod common; mod pull_common;`); the fault-injecting HTTP proxy is
//! in [`proxy`].

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod proxy;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Run, Sandbox, segments};

/// A free-text word every generated event carries, so a full-text query can list them all.
pub const WORD: &str = "zebra";

/// A sandbox on a RAM file system when there is one: pulls commit (and sync) their index many
/// times, and on a disk the syncs alone would dominate the tests' run time.
pub fn fast_sandbox() -> Sandbox {
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::Builder::new()
            .prefix("trailscope-pull-")
            .tempdir_in(shm)
            .or_else(|_| tempfile::tempdir())
    } else {
        tempfile::tempdir()
    }
    .expect("tempdir");
    fs::create_dir(dir.path().join("home")).expect("creating home");
    Sandbox { dir }
}

/// The request id of generated event `i` of batch `tag`.
pub fn event_id(tag: &str, i: usize) -> String {
    format!("{tag}-{i:06}")
}

/// NDJSON of events `first..first + n` (one second apart from 2026-03-01, so seal never splits a
/// segment by time), each with the unique request id [`event_id`]`(tag, i)`. Returns the bytes
/// and the ids in input order.
pub fn ndjson(tag: &str, first: usize, n: usize) -> (Vec<u8>, Vec<String>) {
    let mut out = Vec::new();
    let mut ids = Vec::with_capacity(n);
    for i in first..first + n {
        let id = event_id(tag, i);
        let (day, s) = (1 + i / 86_400, i % 86_400);
        let line = serde_json::json!({
            "time": format!("2026-03-{day:02}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60),
            "user": format!("u{}", i % 7),
            "action": "get",
            "resource": format!("r{i}"),
            "status": 200,
            "request_id": id,
            "note": WORD,
        });
        out.extend_from_slice(line.to_string().as_bytes());
        out.push(b'\n');
        ids.push(id);
    }
    (out, ids)
}

/// Writes [`ndjson`]`(tag, first, n)` to `rel` in the sandbox; returns the ids.
pub fn write_input(sb: &Sandbox, rel: &str, tag: &str, first: usize, n: usize) -> Vec<String> {
    let (bytes, ids) = ndjson(tag, first, n);
    sb.write(rel, bytes);
    ids
}

/// Seals `n` new events (batch `tag`, from `first`) into `store`, `per` events per segment,
/// signed by `keys/ops.key` when `signed`. Returns the ids.
pub fn seal_events(
    sb: &Sandbox,
    store: &str,
    tag: &str,
    first: usize,
    n: usize,
    per: usize,
    signed: bool,
) -> Vec<String> {
    let input = format!("inputs/{tag}-{first}-{n}.ndjson");
    let ids = write_input(sb, &input, tag, first, n);
    let per = per.to_string();
    let mut args = vec!["seal", "--store", store, "--segment-events", &per];
    if signed {
        args.extend(["--key", "keys/ops.key"]);
    }
    args.push(&input);
    sb.ts(&args).ok();
    ids
}

/// A fresh trailscope home `rel` in the sandbox (another machine, so to speak).
pub fn new_home(sb: &Sandbox, rel: &str) -> PathBuf {
    let p = sb.path(rel);
    fs::create_dir_all(&p).expect("creating a home");
    p
}

/// `trailscope pull --json STORE ARGS…` with `home`, asserting the exit code; the summary
/// (`Value::Null` when the pull printed none, as on an error).
#[track_caller]
pub fn pull(sb: &Sandbox, home: &Path, store: &str, args: &[&str], code: i32) -> (Value, Run) {
    let mut all = vec!["pull", "--json", store];
    all.extend_from_slice(args);
    let run = sb.ts_with_home(home, &all).code(code);
    let summary = if run.stdout.trim().is_empty() {
        Value::Null
    } else {
        run.json()
    };
    (summary, run)
}

/// One event as `search --json` returns it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Segment.
    pub seq: u64,
    /// Position in the segment.
    pub pos: u64,
    /// The generated request id.
    pub id: String,
    /// Whether a signed checkpoint covers its segment.
    pub verified: bool,
}

/// Every event `search STORE QUERY` finds in `home`, oldest first; `None` when nothing was
/// pulled yet (exit 2, "run `trailscope pull` first").
#[track_caller]
pub fn try_search(sb: &Sandbox, home: &Path, store: &str, query: &str) -> Option<Vec<Hit>> {
    let run = sb.ts_with_home(
        home,
        &[
            "search", store, query, "--json", "--limit", "1000000", "--order", "oldest",
        ],
    );
    if run.code == 2 && run.stderr.contains("run `trailscope pull") {
        return None;
    }
    let run = run.ok();
    let hits = run
        .stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("search line is not JSON ({e}): {l}\n{run}"));
            Hit {
                seq: v["seq"].as_u64().expect("seq"),
                pos: v["pos"].as_u64().expect("pos"),
                id: v["request_id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("no request_id in {l}"))
                    .to_string(),
                verified: v["verified"].as_bool().expect("verified"),
            }
        })
        .collect();
    Some(hits)
}

/// Like [`try_search`], requiring an index.
#[track_caller]
pub fn search(sb: &Sandbox, home: &Path, store: &str, query: &str) -> Vec<Hit> {
    try_search(sb, home, store, query)
        .unwrap_or_else(|| panic!("search {store} {query}: nothing was pulled"))
}

/// Every event of the index, sorted by id.
#[track_caller]
pub fn all_hits(sb: &Sandbox, home: &Path, store: &str) -> Vec<Hit> {
    let mut hits = search(sb, home, store, "*");
    hits.sort_by(|a, b| a.id.cmp(&b.id));
    hits
}

/// The ids of `hits`, sorted.
pub fn sorted_ids(hits: &[Hit]) -> Vec<String> {
    let mut ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
    ids.sort();
    ids
}

/// The request ids in each segment file of the store at `store`, by seq (read from the files,
/// so after a tamper they describe what is there now).
pub fn ids_by_segment(store: &Path) -> BTreeMap<u64, Vec<String>> {
    segments(store)
        .into_iter()
        .map(|s| {
            let ids = s
                .body
                .iter()
                .map(|l| {
                    let v: Value = serde_json::from_slice(l).expect("event line is JSON");
                    v["request_id"].as_str().expect("request_id").to_string()
                })
                .collect();
            (s.seq(), ids)
        })
        .collect()
}

/// What the index must hold: the events of segments `0..upto` of `by_seq`, each verified iff its
/// segment is below `covered`; sorted by id, like [`all_hits`].
pub fn expected_hits(by_seq: &BTreeMap<u64, Vec<String>>, upto: u64, covered: u64) -> Vec<Hit> {
    let mut hits: Vec<Hit> = by_seq
        .range(..upto)
        .flat_map(|(&seq, ids)| {
            ids.iter().enumerate().map(move |(pos, id)| Hit {
                seq,
                pos: pos as u64,
                id: id.clone(),
                verified: seq < covered,
            })
        })
        .collect();
    hits.sort_by(|a, b| a.id.cmp(&b.id));
    hits
}

/// Asserts two event lists are equal, naming the first few differences.
#[track_caller]
pub fn assert_same_hits(got: &[Hit], want: &[Hit], what: &str) {
    if got == want {
        return;
    }
    let missing: Vec<&Hit> = want.iter().filter(|h| !got.contains(h)).take(5).collect();
    let extra: Vec<&Hit> = got.iter().filter(|h| !want.contains(h)).take(5).collect();
    panic!(
        "{what}: the index holds {} events, expected {}\n  missing (first 5): {missing:?}\n  unexpected (first 5): {extra:?}",
        got.len(),
        want.len()
    );
}

/// A report's problems as `(seq, kind, severity, file)`, in report order (the detail text is
/// left out: it may word the same finding differently).
pub fn problem_keys(report: &Value) -> Vec<(Option<u64>, String, String, Option<String>)> {
    report["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems array in {report:#}"))
        .iter()
        .map(|p| {
            (
                p["seq"].as_u64(),
                p["kind"].as_str().expect("kind").to_string(),
                p["severity"].as_str().expect("severity").to_string(),
                p["file"].as_str().map(String::from),
            )
        })
        .collect()
}

/// The error kinds of a report, sorted.
pub fn error_kinds(report: &Value) -> Vec<String> {
    let mut kinds: Vec<String> = problem_keys(report)
        .into_iter()
        .filter(|p| p.2 == "error")
        .map(|p| p.1)
        .collect();
    kinds.sort();
    kinds
}
