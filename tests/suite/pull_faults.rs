//! `pull` over HTTP through a fault-injecting proxy (`pull_common/proxy.rs`) in front of
//! Python's `http.server` serving the store directory: transient faults are retried until the
//! index holds exactly the store's events; a segment the server never delivers stops the pull
//! (exit 2, naming it) with nothing unverified indexed; a segment always damaged in transit is
//! reported as tampered (exit 1) and nothing from it is indexed.
//!
//! Each test skips (or fails with `TRAILSCOPE_REQUIRE_SERVERS=1`) without `python3`.

use std::time::Duration;

use crate::common::Sandbox;
use crate::pull_common::proxy::{Fault, Proxy, Request};
use crate::pull_common::{
    all_hits, assert_same_hits, expected_hits, fast_sandbox, ids_by_segment, new_home,
    problem_keys, pull, seal_events, try_search,
};
use crate::servers::{Server, http_server};

/// Events per segment in these stores.
const PER: usize = 5;
/// Fast retries: the faults are on loopback.
const FAST: [&str; 4] = ["--backoff-ms", "10", "--tries", "4"];

/// Store path of segment `seq` as the proxy sees it.
fn seg(seq: u64) -> String {
    format!("/segments/{seq:020}.seg")
}

/// A signed store of `segments` segments in `store/`, served by `http.server` behind a proxy
/// (`None`: python3 is missing and the test skips).
fn served(segments: usize) -> Option<(Sandbox, Server, Proxy)> {
    let sb = fast_sandbox();
    sb.keygen("ops");
    seal_events(&sb, "store", "a", 0, segments * PER, PER, true);
    let server = http_server(&sb.path("store"))?;
    let proxy = Proxy::start(server.port);
    Some((sb, server, proxy))
}

#[test]
fn transient_faults_are_retried_and_the_pull_ends_with_exactly_the_right_events() {
    let Some((sb, _server, proxy)) = served(12) else {
        return;
    };
    let slow = Duration::from_millis(400);
    proxy.set_plan(move |r: &Request| {
        let get = r.method == "GET";
        match r.path.as_str() {
            // The trust stage's first read fails once.
            "/checkpoints/latest.note" if get && r.n == 1 => Fault::Status(503),
            // More 500s than the HTTP client retries on its own: pull must try again.
            p if p == seg(1) && get && r.n <= 4 => Fault::Status(500),
            p if p == seg(2) && get && r.n == 1 => Fault::Status(503),
            p if p == seg(3) && get && r.n == 1 => Fault::CutMidBody,
            p if p == seg(4) && get && r.n == 1 => Fault::Truncate,
            p if p == seg(5) && get => Fault::Slow(slow),
            p if p == seg(6) && get && r.n == 1 => Fault::Flip,
            p if p == seg(7) && get && r.n <= 2 => Fault::CutMidBody,
            _ => Fault::None,
        }
    });
    let url = proxy.url();
    let home = sb.home();
    let (summary, run) = pull(&sb, &home, &url, &FAST, 0);
    assert_eq!(
        summary["verify"]["problems"],
        serde_json::json!([]),
        "{run}"
    );
    assert_eq!(summary["fetched_segments"], 12, "{run}");
    assert_eq!(summary["head"]["segments"], 12, "{run}");
    assert_eq!(summary["head"]["events"], 60, "{run}");
    // The truncated and the flipped body each failed their checks once and were fetched again;
    // so was segment 1 after the client's own retries ran out.
    assert!(summary["retries"].as_u64().unwrap() >= 3, "{run}");
    assert_eq!(
        proxy.count("GET", &seg(4)),
        2,
        "truncated body fetched again"
    );
    assert_eq!(proxy.count("GET", &seg(6)), 2, "flipped body fetched again");
    assert!(
        proxy.count("GET", &seg(1)) >= 5,
        "500s retried past the client's retries"
    );
    assert!(proxy.count("GET", &seg(3)) >= 2, "cut body fetched again");

    let want = expected_hits(&ids_by_segment(&sb.path("store")), 12, 12);
    assert_same_hits(&all_hits(&sb, &home, &url), &want, "after transient faults");
}

#[test]
fn a_permanent_500_on_one_segment_stops_the_pull_with_exit_2_naming_it() {
    let Some((sb, _server, proxy)) = served(8) else {
        return;
    };
    let url = proxy.url();
    let home = sb.home();
    pull(&sb, &home, &url, &FAST, 0);
    let before = all_hits(&sb, &home, &url);
    assert_eq!(before.len(), 40);

    seal_events(&sb, "store", "b", 40, 25, PER, true);
    let broken = seg(10);
    let b = broken.clone();
    proxy.set_plan(move |r: &Request| {
        if r.method == "GET" && r.path == b {
            Fault::Status(500)
        } else {
            Fault::None
        }
    });
    let tries = ["--backoff-ms", "10", "--tries", "2"];
    let (_, run) = pull(&sb, &home, &url, &tries, 2);
    assert!(
        run.stderr.contains("segment 10") && run.stderr.contains(&broken[1..]),
        "the error names segment 10 and its path\n{run}"
    );
    assert!(proxy.count("GET", &broken) >= 2, "tried more than once");
    // The earlier pull's events stay; nothing of the new segments (not even 8 and 9, which
    // arrived: the chain was never concluded) is indexed.
    assert_same_hits(
        &all_hits(&sb, &home, &url),
        &before,
        "after the failed pull",
    );

    // A first pull that cannot get segment 10 indexes nothing.
    let fresh = new_home(&sb, "fresh-home");
    pull(&sb, &fresh, &url, &tries, 2);
    let hits = try_search(&sb, &fresh, &url, "*").unwrap_or_default();
    assert!(hits.is_empty(), "indexed without the whole chain: {hits:?}");

    // Once the server delivers it again, the pull completes.
    proxy.set_plan(|_: &Request| Fault::None);
    let (summary, run) = pull(&sb, &home, &url, &FAST, 0);
    // The 5 new segments, plus the last attested one fetched again to check it is still there.
    assert_eq!(summary["fetched_segments"], 6, "{run}");
    assert_eq!(summary["refetched_segments"], 1, "{run}");
    let want = expected_hits(&ids_by_segment(&sb.path("store")), 13, 13);
    assert_same_hits(
        &all_hits(&sb, &home, &url),
        &want,
        "after the server recovered",
    );
}

#[test]
fn a_segment_always_damaged_in_transit_is_reported_as_tampered_and_not_indexed() {
    let Some((sb, _server, proxy)) = served(10) else {
        return;
    };
    let damaged = seg(6);
    let d = damaged.clone();
    proxy.set_plan(move |r: &Request| {
        if r.method == "GET" && r.path == d {
            Fault::Flip
        } else {
            Fault::None
        }
    });
    let url = proxy.url();
    let home = sb.home();
    let (summary, run) = pull(&sb, &home, &url, &FAST, 1);
    let verifier = new_home(&sb, "verifier-home");
    let report = sb
        .ts_with_home(&verifier, &["verify", "--json", &url])
        .code(1)
        .json();
    assert_eq!(
        problem_keys(&summary["verify"]),
        problem_keys(&report),
        "pull and verify agree\n{run}"
    );
    assert_eq!(
        problem_keys(&report),
        [(
            Some(6),
            "content_modified".to_string(),
            "error".to_string(),
            Some(damaged[1..].to_string())
        )],
        "{report:#}"
    );
    assert_eq!(summary["head"]["segments"], 6, "{run}");
    // The checkpoint still attests segments 0..=5 through the intact header links.
    let want = expected_hits(&ids_by_segment(&sb.path("store")), 6, 6);
    assert_same_hits(
        &all_hits(&sb, &home, &url),
        &want,
        "nothing from segment 6 on",
    );
}
