//! `pull` over HTTP through a fault-injecting proxy (`pull_common/proxy.rs`) in front of
//! Python's `http.server` serving a sealed store: 5xx answers, a connection reset mid-body, a
//! truncated body with a matching `Content-Length`, a `Content-Length` too long or too short, a
//! slow body, and bodies that change between two reads (altered first and correct later, or
//! the reverse).
//!
//! Each pull must either end with exactly what a pull of the clean store gives (the same head,
//! the same `search --json` lines, the same full-text hits) or stop with an error naming the
//! object at fault; and whatever it stops with, every indexed event is one of the clean store's,
//! never shown as more verified than there, and no altered event is ever indexed.
//!
//! About slowness: HTTP stores time a request out after 30 s (`src/store/remote.rs`), which no
//! option shortens, so the slow body here is a moderate 1.5 s per object; a server that stalls
//! for good is the timeout's business and would make this test last minutes.
//!
//! Each test skips (or fails with `TRAILSCOPE_REQUIRE_SERVERS=1`) without `python3`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::common::{Run, Sandbox};
use crate::pull_common::proxy::{Fault, Proxy, Request};
use crate::pull_common::{WORD, fast_sandbox, new_home, seal_events};
use crate::servers::{Server, http_server};

/// Events per segment.
const PER: usize = 5;
/// Segments in the served store.
const SEGMENTS: u64 = 12;
/// Quick retries: the faults are on loopback.
const FAST: [&str; 4] = ["--backoff-ms", "10", "--tries", "4"];

/// Store path of segment `seq` as the proxy sees it.
fn seg(seq: u64) -> String {
    format!("/segments/{seq:020}.seg")
}

/// What a home's index shows of the store.
#[derive(Clone, Debug, PartialEq)]
struct Indexed {
    /// `search --json` lines, parsed, sorted by (seq, pos).
    events: Vec<Value>,
    /// Request ids the full-text index finds for the word every event carries, sorted.
    fulltext: Vec<String>,
}

impl Indexed {
    /// `(seq, pos)` of an event line.
    fn key(v: &Value) -> (u64, u64) {
        (
            v["seq"].as_u64().expect("seq"),
            v["pos"].as_u64().expect("pos"),
        )
    }
}

/// `trailscope pull --json URL ARGS…` into `home`.
fn pull(sb: &Sandbox, home: &Path, url: &str, args: &[&str]) -> (Option<Value>, Run) {
    let mut all = vec!["pull", "--json", url];
    all.extend_from_slice(args);
    let run = sb.ts_with_home(home, &all);
    let summary = (!run.stdout.trim().is_empty()).then(|| run.json());
    (summary, run)
}

/// What `home` holds for `url` (`None`: nothing was ever committed).
fn indexed(sb: &Sandbox, home: &Path, url: &str) -> Option<Indexed> {
    let all = ["--json", "--limit", "1000000", "--order", "oldest"];
    let run = sb.ts_with_home(home, &[&["search", url, "*"][..], &all].concat());
    if run.code == 2 && run.stderr.contains("run `trailscope pull") {
        return None;
    }
    let run = run.ok();
    let mut events: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{run}")))
        .collect();
    events.sort_by_key(Indexed::key);
    let run = sb.ts_with_home(home, &[&["search", url, WORD][..], &all].concat());
    // A pull that stopped before its full-text pass leaves no full-text index: nothing there.
    let run = if run.code == 2 && run.stderr.contains("has not been built yet") {
        Run {
            stdout: String::new(),
            ..run
        }
    } else {
        run.ok()
    };
    let mut fulltext: Vec<String> = run
        .stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("JSON line");
            v["request_id"].as_str().expect("request_id").to_string()
        })
        .collect();
    fulltext.sort();
    Some(Indexed { events, fulltext })
}

/// A signed store served through the proxy, and what a clean pull of it indexes.
struct Served {
    sb: Sandbox,
    _server: Server,
    proxy: Proxy,
    url: String,
    /// The clean pull's summary head.
    head: Value,
    /// The clean pull's index.
    clean: Indexed,
    homes: usize,
}

impl Served {
    /// `None`: python3 is missing and the test skips.
    fn new() -> Option<Served> {
        let sb = fast_sandbox();
        sb.keygen("ops");
        seal_events(&sb, "store", "a", 0, SEGMENTS as usize * PER, PER, true);
        let server = http_server(&sb.path("store"))?;
        let proxy = Proxy::start(server.port);
        let url = proxy.url();
        let home = new_home(&sb, "clean-home");
        let (summary, run) = pull(&sb, &home, &url, &FAST);
        assert_eq!(run.code, 0, "the clean pull\n{run}");
        let summary = summary.expect("summary");
        assert_eq!(summary["head"]["segments"], SEGMENTS, "{run}");
        assert_eq!(summary["head"]["covered"], SEGMENTS, "{run}");
        let clean = indexed(&sb, &home, &url).expect("the clean pull indexed");
        assert_eq!(clean.events.len(), SEGMENTS as usize * PER);
        assert_eq!(clean.fulltext.len(), SEGMENTS as usize * PER);
        Some(Served {
            sb,
            _server: server,
            proxy,
            url,
            head: summary["head"].clone(),
            clean,
            homes: 0,
        })
    }

    /// A fresh trailscope home.
    fn home(&mut self) -> std::path::PathBuf {
        self.homes += 1;
        new_home(&self.sb, &format!("home-{}", self.homes))
    }

    /// Asserts `home` holds exactly the clean pull's events.
    #[track_caller]
    fn assert_clean(&self, home: &Path, what: &str) {
        let got = indexed(&self.sb, home, &self.url).unwrap_or_else(|| panic!("{what}: no index"));
        assert!(
            got == self.clean,
            "{what}: the index differs from a clean pull's\n got {} events {:?}\nwant {} events",
            got.events.len(),
            got.events.iter().map(Indexed::key).collect::<Vec<_>>(),
            self.clean.events.len()
        );
    }

    /// Asserts every event in `home` is one of the clean pull's, identical but for `verified`,
    /// which may be false where the clean pull has true but never the reverse; returns how many
    /// events it holds.
    #[track_caller]
    fn assert_subset(&self, home: &Path, what: &str) -> usize {
        let Some(got) = indexed(&self.sb, home, &self.url) else {
            return 0;
        };
        let clean: BTreeMap<(u64, u64), &Value> = self
            .clean
            .events
            .iter()
            .map(|v| (Indexed::key(v), v))
            .collect();
        for v in &got.events {
            let want = clean
                .get(&Indexed::key(v))
                .unwrap_or_else(|| panic!("{what}: event not in the clean store: {v}"));
            let strip = |v: &Value| {
                let mut v = v.clone();
                v.as_object_mut().expect("object").remove("verified");
                v
            };
            assert_eq!(
                strip(v),
                strip(want),
                "{what}: an altered event was indexed"
            );
            assert!(
                v["verified"] == want["verified"] || v["verified"] == false,
                "{what}: shown as verified when a clean pull does not: {v}"
            );
        }
        for id in &got.fulltext {
            assert!(
                self.clean.fulltext.contains(id),
                "{what}: full text holds an event not in the store: {id}"
            );
        }
        got.events.len()
    }
}

#[test]
fn every_transient_fault_ends_with_exactly_the_clean_pulls_events() {
    let Some(mut s) = Served::new() else {
        return;
    };
    let slow = Duration::from_millis(1500);
    type Case = (&'static str, fn(&Request, Duration) -> Fault, String, u32);
    // (name, plan, the path that must have been fetched, at least this many times).
    let cases: Vec<Case> = vec![
        ("no fault (control)", |_, _| Fault::None, seg(0), 1),
        (
            "5xx, more than the client retries on its own",
            |r, _| match (r.method.as_str(), r.path.as_str(), r.n) {
                ("GET", "/checkpoints/latest.note", 1) => Fault::Status(503),
                ("GET", p, n) if p == seg(1) && n <= 4 => Fault::Status(500),
                ("HEAD", p, 1) if p == seg(SEGMENTS) => Fault::Status(502),
                _ => Fault::None,
            },
            seg(1),
            5,
        ),
        (
            "connection reset mid-body",
            |r, _| match (r.method.as_str(), r.n) {
                ("GET", n) if r.path == seg(3) && n <= 2 => Fault::Reset,
                _ => Fault::None,
            },
            seg(3),
            3,
        ),
        (
            "truncated body with a matching Content-Length",
            |r, _| match (r.method.as_str(), r.n) {
                ("GET", 1) if r.path == seg(4) => Fault::Truncate,
                _ => Fault::None,
            },
            seg(4),
            2,
        ),
        (
            "Content-Length too long, then the connection closes",
            |r, _| match (r.method.as_str(), r.n) {
                ("GET", n) if r.path == seg(5) && n <= 2 => Fault::LengthTooLong,
                _ => Fault::None,
            },
            seg(5),
            3,
        ),
        (
            "Content-Length too short, stray bytes on the kept-alive connection",
            |r, _| match (r.method.as_str(), r.n) {
                ("GET", 1) if r.path == seg(6) || r.path == seg(2) => Fault::LengthTooShort,
                _ => Fault::None,
            },
            seg(6),
            2,
        ),
        (
            "slow bodies",
            |r, slow| match r.method.as_str() {
                "GET" if r.path == seg(7) || r.path == seg(8) => Fault::Dribble(slow),
                _ => Fault::None,
            },
            seg(8),
            1,
        ),
        (
            "a body altered on the first read, correct on the second",
            |r, _| match (r.method.as_str(), r.n) {
                ("GET", 1) if r.path == seg(9) || r.path == seg(0) => Fault::Altered,
                _ => Fault::None,
            },
            seg(9),
            2,
        ),
        (
            "all of them at once",
            |r, slow| {
                let get = r.method == "GET";
                let p = r.path.as_str();
                match r.n {
                    1 if get && p == "/checkpoints/latest.note" => Fault::Status(503),
                    n if get && p == seg(1) && n <= 4 => Fault::Status(500),
                    n if get && p == seg(3) && n <= 2 => Fault::Reset,
                    1 if get && p == seg(4) => Fault::Truncate,
                    1 if get && p == seg(5) => Fault::LengthTooLong,
                    1 if get && p == seg(6) => Fault::LengthTooShort,
                    _ if get && p == seg(7) => Fault::Dribble(slow),
                    1 if get && p == seg(9) => Fault::Altered,
                    1 if get && p == seg(11) => Fault::Altered,
                    _ => Fault::None,
                }
            },
            seg(11),
            2,
        ),
    ];
    for (name, plan, path, at_least) in cases {
        s.proxy.replan(move |r: &Request| plan(r, slow));
        let home = s.home();
        let (summary, run) = pull(&s.sb, &home, &s.url, &FAST);
        assert_eq!(run.code, 0, "{name}: the pull failed\n{run}");
        let summary = summary.expect("summary");
        assert_eq!(
            summary["verify"]["problems"],
            serde_json::json!([]),
            "{name}\n{run}"
        );
        assert_eq!(summary["head"], s.head, "{name}: head\n{run}");
        let fetched = s.proxy.count("GET", &path);
        assert!(
            fetched >= at_least,
            "{name}: {path} fetched {fetched} times, expected at least {at_least}: the fault was not served"
        );
        s.assert_clean(&home, name);
    }
}

#[test]
fn a_fault_that_never_clears_stops_the_pull_naming_the_segment_and_indexes_nothing_unverified() {
    let Some(mut s) = Served::new() else {
        return;
    };
    const BAD: u64 = 5;
    let file = &seg(BAD)[1..];
    // Faults the store cannot get past: the pull stops (exit 2) naming the segment.
    for fault in [Fault::Status(503), Fault::Reset, Fault::LengthTooLong] {
        s.proxy.replan(move |r: &Request| {
            if r.method == "GET" && r.path == seg(BAD) {
                fault
            } else {
                Fault::None
            }
        });
        let home = s.home();
        let (_, run) = pull(
            &s.sb,
            &home,
            &s.url,
            &["--backoff-ms", "10", "--tries", "2"],
        );
        assert_eq!(run.code, 2, "{fault:?}\n{run}");
        assert!(
            run.stderr.contains(&format!("segment {BAD} ({file})")),
            "{fault:?}: the error names the segment\n{run}"
        );
        assert!(s.proxy.count("GET", &seg(BAD)) >= 2, "{fault:?}: retried");
        let held = s.assert_subset(&home, &format!("{fault:?}"));
        assert_eq!(held, 0, "{fault:?}: indexed without the whole chain");
    }
    // Bodies that arrive complete but wrong, every time: reported at the segment (exit 1), and
    // only the events before it are indexed (still attested through the intact header links).
    for fault in [Fault::Truncate, Fault::LengthTooShort, Fault::Altered] {
        s.proxy.replan(move |r: &Request| {
            if r.method == "GET" && r.path == seg(BAD) {
                fault
            } else {
                Fault::None
            }
        });
        let home = s.home();
        let (summary, run) = pull(&s.sb, &home, &s.url, &FAST);
        assert_eq!(run.code, 1, "{fault:?}\n{run}");
        let summary = summary.expect("summary");
        let problems = summary["verify"]["problems"].as_array().expect("problems");
        assert!(
            problems
                .iter()
                .any(|p| p["seq"] == BAD && p["file"] == file && p["severity"] == "error"),
            "{fault:?}: a problem at the segment\n{run}"
        );
        assert_eq!(summary["head"]["segments"], BAD, "{fault:?}\n{run}");
        let held = s.assert_subset(&home, &format!("{fault:?}"));
        assert_eq!(held, BAD as usize * PER, "{fault:?}: the events before it");
        // Once the store answers properly again, the pull completes.
        s.proxy.replan(|_: &Request| Fault::None);
        let (_, run) = pull(&s.sb, &home, &s.url, &FAST);
        assert_eq!(run.code, 0, "{fault:?}: after the fault cleared\n{run}");
        s.assert_clean(&home, &format!("{fault:?}, then clean"));
    }
}

#[test]
fn a_segment_correct_on_one_pull_and_altered_on_the_next_never_reaches_the_index() {
    let Some(mut s) = Served::new() else {
        return;
    };
    let home = s.home();
    let (_, run) = pull(&s.sb, &home, &s.url, &FAST);
    assert_eq!(run.code, 0, "{run}");
    s.assert_clean(&home, "first pull");

    // The store grows; the last segment the first pull had attested is re-read by the next
    // pull (to see the store still holds it) and now arrives altered, every time.
    seal_events(
        &s.sb,
        "store",
        "b",
        SEGMENTS as usize * PER,
        4 * PER,
        PER,
        true,
    );
    let last = SEGMENTS - 1;
    s.proxy.replan(move |r: &Request| {
        if r.method == "GET" && r.path == seg(last) {
            Fault::Altered
        } else {
            Fault::None
        }
    });
    let (summary, run) = pull(&s.sb, &home, &s.url, &FAST);
    assert_eq!(run.code, 1, "{run}");
    let summary = summary.expect("summary");
    let problems = summary["verify"]["problems"].as_array().expect("problems");
    assert!(
        problems
            .iter()
            .any(|p| p["seq"] == last && p["file"] == seg(last)[1..]),
        "the altered segment is named\n{run}"
    );
    assert!(s.proxy.count("GET", &seg(last)) >= 1, "re-read");
    // Nothing new (the store's later segments hang on the altered one), nothing altered, and
    // the events attested on the first pull are kept.
    s.assert_clean(&home, "after the altered re-read");

    // A clean read again: the pull completes with the grown store's events.
    s.proxy.replan(|_: &Request| Fault::None);
    let (summary, run) = pull(&s.sb, &home, &s.url, &FAST);
    assert_eq!(run.code, 0, "{run}");
    let reference = s.home();
    let (ref_summary, ref_run) = pull(&s.sb, &reference, &s.url, &FAST);
    assert_eq!(ref_run.code, 0, "{ref_run}");
    assert_eq!(
        summary.expect("summary")["head"],
        ref_summary.expect("summary")["head"]
    );
    assert_eq!(
        indexed(&s.sb, &home, &s.url),
        indexed(&s.sb, &reference, &s.url),
        "after the store answered properly again"
    );
}

#[test]
fn a_checkpoint_that_changes_between_two_reads_never_upgrades_an_event() {
    let Some(mut s) = Served::new() else {
        return;
    };
    let note = "/checkpoints/latest.note";
    // The checkpoint is read more than once per pull (listing, then trust): spoil one read.
    for spoiled in 1..=3u32 {
        s.proxy.replan(move |r: &Request| {
            if r.method == "GET" && r.path == note && r.n == spoiled {
                Fault::Altered
            } else {
                Fault::None
            }
        });
        let home = s.home();
        let (summary, run) = pull(&s.sb, &home, &s.url, &FAST);
        let what = format!("checkpoint altered on read {spoiled}");
        match run.code {
            0 => {
                assert_eq!(summary.expect("summary")["head"], s.head, "{what}\n{run}");
                s.assert_clean(&home, &what);
            }
            1 | 2 => {
                assert!(
                    run.stdout.contains("checkpoints/latest.note")
                        || run.stderr.contains("checkpoints/latest.note"),
                    "{what}: the checkpoint is named\n{run}"
                );
                s.assert_subset(&home, &what);
                s.proxy.replan(|_: &Request| Fault::None);
                let (_, run) = pull(&s.sb, &home, &s.url, &FAST);
                assert_eq!(run.code, 0, "{what}: then clean\n{run}");
                s.assert_clean(&home, &format!("{what}, then clean"));
            }
            _ => panic!("{what}: unexpected exit\n{run}"),
        }
    }
}
