//! Pulling again fetches only what is new: the second pull's counts, the bytes a proxy saw go
//! over the wire, and a store whose already-pulled segments are gone all show that segments
//! are fetched once; the index then holds every event exactly once.

use std::fs;

use crate::common::Sandbox;
use crate::pull_common::proxy::Proxy;
use crate::pull_common::{
    Hit, all_hits, fast_sandbox, ids_by_segment, new_home, pull, seal_events, sorted_ids,
};
use crate::servers::http_server;

/// Events per segment in these stores.
const PER: usize = 5;

/// Sum of the sizes of segment files `seqs` of `store`.
fn file_bytes(sb: &Sandbox, seqs: std::ops::Range<u64>) -> u64 {
    seqs.map(|s| {
        fs::metadata(sb.path(&format!("store/segments/{s:020}.seg")))
            .expect("segment file")
            .len()
    })
    .sum()
}

/// Sorted copy.
fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn a_second_pull_fetches_exactly_the_new_segments_and_indexes_each_event_once() {
    let sb = fast_sandbox();
    sb.keygen("ops");
    let home = sb.home();
    let mut ids = seal_events(&sb, "store", "a", 0, 40, PER, true);
    let (first, run) = pull(&sb, &home, "store", &[], 0);
    assert_eq!(first["fetched_segments"], 8, "{run}");
    assert_eq!(first["indexed_segments"], 8, "{run}");
    assert_eq!(first["fetched_bytes"], file_bytes(&sb, 0..8), "{run}");

    ids.extend(seal_events(&sb, "store", "b", 40, 25, PER, true));
    let (second, run) = pull(&sb, &home, "store", &[], 0);
    // Only the new segments, plus the last attested one (7), fetched again to check that the
    // store still holds what was pulled.
    assert_eq!(
        second["fetched_segments"], 6,
        "only the new segments and seq 7\n{run}"
    );
    assert_eq!(second["refetched_segments"], 1, "{run}");
    assert_eq!(second["indexed_segments"], 5, "{run}");
    assert_eq!(second["indexed_events"], 25, "{run}");
    assert_eq!(second["fetched_bytes"], file_bytes(&sb, 7..13), "{run}");
    assert_eq!(second["head"]["segments"], 13, "{run}");
    assert_eq!(second["head"]["events"], 65, "{run}");
    assert_eq!(second["head"]["covered"], 13, "{run}");
    let hits = all_hits(&sb, &home, "store");
    assert_eq!(sorted_ids(&hits), sorted(ids.clone()), "every event once");
    assert!(hits.iter().all(|h| h.verified));

    // Nothing new: only the last attested segment re-checked, nothing indexed, the same events.
    let (third, run) = pull(&sb, &home, "store", &[], 0);
    assert_eq!(third["fetched_segments"], 1, "{run}");
    assert_eq!(third["fetched_bytes"], file_bytes(&sb, 12..13), "{run}");
    assert_eq!(third["indexed_segments"], 0, "{run}");
    assert_eq!(third["head"], second["head"], "{run}");
    assert_eq!(sorted_ids(&all_hits(&sb, &home, "store")), sorted(ids));
}

/// Pull trusts its verified local copies of attested segments and never reads them from the
/// store again (only the last one, to see the store still holds what was pulled): after the
/// store loses the others, the next pull still succeeds (exit 0) and fetches only the new
/// segments and that last one. Had it tried to fetch an old one, it would have found it missing
/// and reported a gap. `verify` on the store itself does report the gap; auditing the store as
/// it is now is its job, not pull's.
#[test]
fn segments_deleted_from_the_store_after_a_pull_are_not_fetched_again() {
    let sb = fast_sandbox();
    sb.keygen("ops");
    let home = sb.home();
    let mut ids = seal_events(&sb, "store", "a", 0, 40, PER, true);
    pull(&sb, &home, "store", &[], 0);
    ids.extend(seal_events(&sb, "store", "b", 40, 15, PER, true));
    for seq in 0..7u64 {
        fs::remove_file(sb.path(&format!("store/segments/{seq:020}.seg"))).unwrap();
    }

    let (summary, run) = pull(&sb, &home, "store", &[], 0);
    assert_eq!(summary["fetched_segments"], 4, "{run}");
    assert_eq!(summary["refetched_segments"], 1, "{run}");
    assert_eq!(summary["indexed_segments"], 3, "{run}");
    assert_eq!(
        summary["verify"]["problems"],
        serde_json::json!([]),
        "{run}"
    );
    assert_eq!(summary["head"]["segments"], 11, "{run}");
    assert_eq!(summary["head"]["covered"], 11, "{run}");
    let hits = all_hits(&sb, &home, "store");
    assert_eq!(
        sorted_ids(&hits),
        sorted(ids),
        "old and new events, once each"
    );
    assert!(hits.iter().all(|h| h.verified));

    let other = new_home(&sb, "verifier-home");
    let report = sb
        .ts_with_home(&other, &["verify", "--json", "store"])
        .code(1)
        .json();
    assert_eq!(
        crate::pull_common::error_kinds(&report),
        ["gap"],
        "verify reads the store itself: {report:#}"
    );
}

/// An unsigned tail is indexed as not verified; once a later checkpoint covers it, the next
/// pull fetches the new segments, re-checks the tail (and the last attested segment before it)
/// and marks the tail verified.
#[test]
fn an_unsigned_tail_becomes_verified_when_a_later_checkpoint_covers_it() {
    let sb = fast_sandbox();
    sb.keygen("ops");
    let home = sb.home();
    seal_events(&sb, "store", "a", 0, 20, PER, true);
    seal_events(&sb, "store", "b", 20, 15, PER, false);
    let (first, run) = pull(&sb, &home, "store", &[], 0);
    assert_eq!(first["head"]["segments"], 7, "{run}");
    assert_eq!(first["head"]["covered"], 4, "{run}");
    let by_seq = ids_by_segment(&sb.path("store"));
    let want = crate::pull_common::expected_hits(&by_seq, 7, 4);
    crate::pull_common::assert_same_hits(&all_hits(&sb, &home, "store"), &want, "signed + tail");

    seal_events(&sb, "store", "c", 35, 10, PER, true);
    let (second, run) = pull(&sb, &home, "store", &[], 0);
    assert_eq!(second["fetched_segments"], 6, "2 new, 3..=6 again\n{run}");
    assert_eq!(second["refetched_segments"], 4, "{run}");
    assert_eq!(second["head"]["segments"], 9, "{run}");
    assert_eq!(
        second["head"]["covered"], 9,
        "the tail is signed now\n{run}"
    );
    let by_seq = ids_by_segment(&sb.path("store"));
    let want = crate::pull_common::expected_hits(&by_seq, 9, 9);
    let got = all_hits(&sb, &home, "store");
    crate::pull_common::assert_same_hits(&got, &want, "all signed");
    assert!(got.iter().all(|h: &Hit| h.verified));
}

/// A pull that lands between a segment and the checkpoint that covers it indexes that segment
/// as an unsigned tail; when the checkpoint appears and nothing else is new, the next pull still
/// records the tail as attested (its events are shown verified, and `watch` and the console
/// alert on them, without waiting for another segment).
#[test]
fn a_checkpoint_arriving_alone_marks_the_indexed_tail_verified() {
    let sb = fast_sandbox();
    sb.keygen("ops");
    let home = sb.home();
    seal_events(&sb, "store", "a", 0, PER, PER, true);
    seal_events(&sb, "store", "b", PER, PER, PER, true);
    // What a reader sees mid-seal: the segment is there, its checkpoint not yet.
    let cps = sb.path("store/checkpoints");
    let newest = sb.checkpoint_files("store");
    let newest = newest
        .iter()
        .filter(|n| n.as_str() != "latest.note" && n.ends_with(".note"))
        .max()
        .expect("a numbered checkpoint")
        .clone();
    let older = format!("{:020}.note", 1);
    assert_ne!(newest, older, "two checkpoints: {newest}");
    let hidden = sb.path("hidden.note");
    let latest = fs::read(cps.join("latest.note")).unwrap();
    fs::rename(cps.join(&newest), &hidden).unwrap();
    fs::copy(cps.join(&older), cps.join("latest.note")).unwrap();
    let (first, run) = pull(&sb, &home, "store", &[], 0);
    assert_eq!(first["head"]["segments"], 2, "{run}");
    assert_eq!(first["head"]["covered"], 1, "{run}");
    // The checkpoint lands; no new segment.
    fs::rename(&hidden, cps.join(&newest)).unwrap();
    fs::write(cps.join("latest.note"), latest).unwrap();
    let (second, run) = pull(&sb, &home, "store", &[], 0);
    assert_eq!(second["head"]["covered"], 2, "{run}");
    assert!(
        all_hits(&sb, &home, "store")
            .iter()
            .all(|h: &Hit| h.verified)
    );
}

/// The same over HTTP, counted at a proxy: the second pull GETs each new segment once and no
/// old one, and the segment bytes that crossed the wire are exactly the new files' sizes.
#[test]
fn over_http_a_second_pull_requests_only_the_new_segment_paths() {
    let sb = fast_sandbox();
    sb.keygen("ops");
    let mut ids = seal_events(&sb, "store", "a", 0, 40, PER, true);
    let Some(server) = http_server(&sb.path("store")) else {
        return;
    };
    let proxy = Proxy::start(server.port);
    let url = proxy.url();
    let home = sb.home();
    let (first, run) = pull(&sb, &home, &url, &[], 0);
    assert_eq!(first["fetched_segments"], 8, "{run}");
    for seq in 0..8u64 {
        assert_eq!(proxy.count("GET", &format!("/segments/{seq:020}.seg")), 1);
    }

    ids.extend(seal_events(&sb, "store", "b", 40, 15, PER, true));
    proxy.reset();
    let (second, run) = pull(&sb, &home, &url, &[], 0);
    assert_eq!(second["fetched_segments"], 4, "{run}");
    let requests = proxy.requests();
    let mut segment_gets: Vec<String> = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/segments/"))
        .map(|r| r.path.clone())
        .collect();
    segment_gets.sort();
    // The new segments 8..=10 and the last attested one (7), re-checked.
    let new: Vec<String> = (7..11u64)
        .map(|s| format!("/segments/{s:020}.seg"))
        .collect();
    assert_eq!(
        segment_gets, new,
        "segment GETs of the second pull: {requests:#?}"
    );
    for r in &requests {
        let probe_or_checkpoint = r.path.starts_with("/checkpoints/")
            || (r.method == "HEAD" && r.path.starts_with("/segments/"));
        assert!(
            probe_or_checkpoint || new.contains(&r.path),
            "unexpected request {r:?} in {requests:#?}"
        );
    }
    let wire: u64 = proxy
        .bytes()
        .iter()
        .filter(|(p, _)| p.starts_with("/segments/"))
        .map(|(_, b)| b)
        .sum();
    assert_eq!(wire, file_bytes(&sb, 7..11), "segment bytes on the wire");
    assert_eq!(second["fetched_bytes"], wire, "{run}");
    let hits = all_hits(&sb, &home, &url);
    assert_eq!(sorted_ids(&hits), sorted(ids), "every event once");
}
