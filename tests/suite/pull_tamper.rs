//! `pull` on tampered stores: for every kind of alteration, pull exits 1, reports the same
//! problems as `verify --json` on the same store, and the index holds exactly the events of the
//! segments before the break, verified only where a checkpoint covers them. Alterations made
//! after a clean pull (then more sealed) must not cost the events pulled before, and nothing
//! after the break is indexed.
//!
//! The base store: segments 0..=5 signed (checkpoint 6), 6..=11 signed (checkpoint 12), and an
//! unsigned tail 12..=14; five events each, every event with a unique request id.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{Run, Sandbox, sha256_hex};
use crate::pull_common::{
    Hit, all_hits, assert_same_hits, error_kinds, expected_hits, fast_sandbox, ids_by_segment,
    ndjson, new_home, problem_keys, pull, seal_events, try_search,
};
use serde_json::Value;
use trailscope::event::Mapping;
use trailscope::segment::checkpoint::{Checkpoint, LATEST_PATH, SIGNER_PUB_PATH, checkpoint_path};
use trailscope::segment::keys::parse_signer;
use trailscope::segment::{Hash32, encode_segment, segment_path, sha256, split_segment};

/// Events per segment.
const PER: usize = 5;
/// Segments in the base store, and how many the checkpoints cover.
const SEGMENTS: u64 = 15;
const SIGNED: u64 = 12;

/// The base store, and the request ids of each of its segments before any alteration.
fn base() -> (Sandbox, BTreeMap<u64, Vec<String>>) {
    let sb = fast_sandbox();
    sb.keygen("ops");
    sb.keygen("other");
    seal_events(&sb, "store", "a", 0, 30, PER, true);
    seal_events(&sb, "store", "b", 30, 30, PER, true);
    seal_events(&sb, "store", "c", 60, 15, PER, false);
    let ids = ids_by_segment(&sb.path("store"));
    assert_eq!(ids.len() as u64, SEGMENTS);
    (sb, ids)
}

fn seg(sb: &Sandbox, seq: u64) -> PathBuf {
    sb.path("store").join(segment_path(seq))
}

/// Chain hash of the stored segment `seq`.
fn chain_hash(sb: &Sandbox, seq: u64) -> Hash32 {
    let bytes = fs::read(seg(sb, seq)).unwrap();
    sha256(split_segment(&bytes).unwrap().0)
}

/// Flips one bit in the last event line of segment `seq`.
fn flip_body(sb: &Sandbox, seq: u64) {
    let mut bytes = fs::read(seg(sb, seq)).unwrap();
    let i = bytes.len() - 5;
    bytes[i] ^= 0x01;
    fs::write(seg(sb, seq), bytes).unwrap();
}

/// Rewrites segment `seq` as `edit` leaves its header (as JSON, members in order) and body.
fn rewrite(
    sb: &Sandbox,
    seq: u64,
    edit: impl FnOnce(&mut serde_json::Map<String, Value>, &mut Vec<u8>),
) {
    let bytes = fs::read(seg(sb, seq)).unwrap();
    let (h, b) = split_segment(&bytes).unwrap();
    let mut header: Value = serde_json::from_slice(h).unwrap();
    let mut body = b.to_vec();
    edit(header.as_object_mut().unwrap(), &mut body);
    let mut out = serde_json::to_vec(&header).unwrap();
    out.push(b'\n');
    out.extend_from_slice(&body);
    fs::write(seg(sb, seq), out).unwrap();
}

/// Updates `body_bytes` and `content_sha256` to the (edited) body: the header is re-hashed, and
/// only what the edit left stale (event count, Merkle root) still tells.
fn rehash(h: &mut serde_json::Map<String, Value>, body: &[u8]) {
    h["body_bytes"] = body.len().into();
    h["content_sha256"] = sha256_hex(body).into();
}

fn swap(sb: &Sandbox, i: u64, j: u64) {
    let tmp = sb.path("swap.tmp");
    fs::rename(seg(sb, i), &tmp).unwrap();
    fs::rename(seg(sb, j), seg(sb, i)).unwrap();
    fs::rename(&tmp, seg(sb, j)).unwrap();
}

/// Encodes segment `seq` of forged events (batch `tag`, from `first`) chained onto `prev`;
/// returns its bytes and chain hash.
fn forge(seq: u64, prev: Hash32, tag: &str, first: usize) -> (Vec<u8>, Hash32) {
    let (bytes, _) = ndjson(tag, first, PER);
    let recs: Vec<Vec<u8>> = bytes
        .split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    let map = Mapping::default();
    let times: Vec<i64> = recs.iter().map(|r| map.record_time(r).unwrap()).collect();
    let s = encode_segment("store", seq, prev, &map, &recs, &times);
    (s.bytes, s.chain_hash)
}

/// Re-signs checkpoint `size` (and `latest.note` when `latest`) with the key in `keys/KEY.key`,
/// for the chain hash it already names, and publishes that key as the store's signer.
fn resign(sb: &Sandbox, key: &str, size: u64, latest: bool) {
    let note = fs::read(sb.path("store").join(checkpoint_path(size))).unwrap();
    let text_end = note.windows(2).position(|w| w == b"\n\n").unwrap() + 1;
    let cp = Checkpoint::parse_text(&note[..text_end]).unwrap();
    let signer =
        parse_signer(&fs::read_to_string(sb.path(&format!("keys/{key}.key"))).unwrap()).unwrap();
    let note = cp.sign(&signer);
    fs::write(sb.path("store").join(checkpoint_path(size)), &note).unwrap();
    if latest {
        fs::write(sb.path("store").join(LATEST_PATH), &note).unwrap();
    }
    fs::write(
        sb.path("store").join(SIGNER_PUB_PATH),
        format!("{}\n", signer.public),
    )
    .unwrap();
}

/// `verify --json store ARGS` with `home`, which must find problems.
#[track_caller]
fn verify(sb: &Sandbox, home: &Path, args: &[&str]) -> Value {
    let mut all = vec!["verify", "--json", "store"];
    all.extend_from_slice(args);
    sb.ts_with_home(home, &all).code(1).json()
}

/// Pulls `store` into `pull_home` (exit 1) and verifies it with `verify_home` (exit 1).
#[track_caller]
fn pull_and_verify(
    sb: &Sandbox,
    pull_home: &Path,
    verify_home: &Path,
    args: &[&str],
) -> (Value, Run, Value) {
    let report = verify(sb, verify_home, args);
    let (summary, run) = pull(sb, pull_home, "store", args, 1);
    (summary, run, report)
}

/// Asserts verify's errors are `kinds`, pull found the same kinds, and it attributes them to
/// the same seqs and files (with the same warnings) as verify.
#[track_caller]
fn assert_agree(summary: &Value, run: &Run, report: &Value, kinds: &[&str]) {
    assert_eq!(error_kinds(report), kinds, "verify's findings: {report:#}");
    assert_eq!(
        error_kinds(&summary["verify"]),
        kinds,
        "pull must find the kinds verify finds\n{run}\nverify --json: {report:#}"
    );
    assert_eq!(
        problem_keys(&summary["verify"]),
        problem_keys(report),
        "same kinds, but pull reports other seqs, files or warnings than verify\n{run}\nverify --json: {report:#}"
    );
}

/// Asserts the index of `home` holds exactly the events of segments `0..upto` (ids as sealed),
/// verified below `covered`.
#[track_caller]
fn assert_index(
    sb: &Sandbox,
    home: &Path,
    ids: &BTreeMap<u64, Vec<String>>,
    upto: u64,
    covered: u64,
    what: &str,
) {
    let want = expected_hits(ids, upto, covered);
    let got: Vec<Hit> = if upto == 0 {
        try_search(sb, home, "store", "*").unwrap_or_default()
    } else {
        all_hits(sb, home, "store")
    };
    assert_same_hits(&got, &want, what);
}

/// Asserts the index of `home` is one of `choices` (`(upto, covered)` as for
/// [`assert_index`]).
#[track_caller]
fn assert_index_either(
    sb: &Sandbox,
    home: &Path,
    ids: &BTreeMap<u64, Vec<String>>,
    choices: &[(u64, u64)],
    what: &str,
) {
    let got = all_hits(sb, home, "store");
    if choices
        .iter()
        .any(|&(upto, covered)| got == expected_hits(ids, upto, covered))
    {
        return;
    }
    let (upto, covered) = choices[0];
    assert_same_hits(
        &got,
        &expected_hits(ids, upto, covered),
        &format!("{what} (or any of {choices:?} as (segments, covered))"),
    );
}

/// After an alteration that contradicts what was pulled: the signed events pulled before stay,
/// still verified; the unsigned tail pulled before (never attested) stays whole or goes whole.
#[track_caller]
fn assert_pulled_events_stay(sb: &Sandbox, home: &Path, ids: &BTreeMap<u64, Vec<String>>) {
    assert_index_either(
        sb,
        home,
        ids,
        &[(SEGMENTS, SIGNED), (SIGNED, SIGNED)],
        "the events pulled before",
    );
}

/// One alteration of a store nobody pulled before: pull and verify agree, the index holds
/// segments `0..upto`, verified below `covered`.
#[track_caller]
fn fresh_case(
    tamper: impl FnOnce(&Sandbox),
    args: &[&str],
    kinds: &[&str],
    upto: u64,
    covered: u64,
) {
    let (sb, ids) = base();
    tamper(&sb);
    let (p, v) = (new_home(&sb, "pull-home"), new_home(&sb, "verify-home"));
    let (summary, run, report) = pull_and_verify(&sb, &p, &v, args);
    assert_agree(&summary, &run, &report, kinds);
    assert_eq!(summary["head"]["segments"], upto, "{run}");
    assert_eq!(summary["head"]["covered"], covered, "{run}");
    assert_index(&sb, &p, &ids, upto, covered, &format!("{kinds:?}"));
}

#[test]
fn body_byte_changed_is_content_modified() {
    // The checkpoint still attests 0..=7 through the intact header links.
    fresh_case(|sb| flip_body(sb, 8), &[], &["content_modified"], 8, 8);
}

/// A body edit with `content_sha256` re-computed: the events root is stale and the header no
/// longer hashes to what segment 9 records; verify names the header.
#[test]
fn body_edited_and_header_rehashed_is_header_modified() {
    let tamper = |sb: &Sandbox| {
        rewrite(sb, 8, |h, body| {
            let i = body.len() - 5;
            body[i] ^= 0x01;
            rehash(h, body);
        })
    };
    fresh_case(tamper, &[], &["header_modified"], 8, 6);
}

/// An event dropped with the body hashes re-computed: the count and root are stale.
#[test]
fn event_dropped_and_header_rehashed_is_header_modified() {
    let tamper = |sb: &Sandbox| {
        rewrite(sb, 8, |h, body| {
            let cut = body[..body.len() - 1]
                .iter()
                .rposition(|&c| c == b'\n')
                .unwrap();
            body.truncate(cut + 1);
            rehash(h, body);
        })
    };
    fresh_case(tamper, &[], &["header_modified"], 8, 6);
}

/// Only the header's event count changed.
#[test]
fn header_event_count_changed_is_header_modified() {
    let tamper = |sb: &Sandbox| rewrite(sb, 8, |h, _| h["events"] = 4.into());
    fresh_case(tamper, &[], &["header_modified"], 8, 6);
}

#[test]
fn deleted_segment_is_a_gap() {
    // Nothing links 6..=7 to checkpoint 12 any more: they are an unsigned tail.
    fresh_case(
        |sb| fs::remove_file(seg(sb, 8)).unwrap(),
        &[],
        &["gap"],
        8,
        6,
    );
}

#[test]
fn deleted_signed_tail_is_tail_truncated() {
    let tamper = |sb: &Sandbox| {
        for s in 10..SEGMENTS {
            fs::remove_file(seg(sb, s)).unwrap();
        }
    };
    fresh_case(tamper, &[], &["tail_truncated"], 6, 6);
}

#[test]
fn swapped_segments_are_reordered() {
    fresh_case(|sb| swap(sb, 8, 9), &[], &["reordered", "reordered"], 8, 6);
}

/// A forged segment inserted at 8, chained onto 7, the genuine ones renamed one up. Checkpoint
/// 12 is valid and covers position 8, so the forgery must never be indexed, not even as
/// unsigned; the genuine 6..=7 may be (unsigned) or not.
#[test]
fn inserted_segment_is_caught_and_not_indexed() {
    let (sb, ids) = base();
    for s in (8..SEGMENTS).rev() {
        fs::rename(seg(&sb, s), seg(&sb, s + 1)).unwrap();
    }
    let (bytes, _) = forge(8, chain_hash(&sb, 7), "forged", 1000);
    fs::write(seg(&sb, 8), bytes).unwrap();
    let (p, v) = (new_home(&sb, "pull-home"), new_home(&sb, "verify-home"));
    let (summary, run, report) = pull_and_verify(&sb, &p, &v, &[]);
    assert_agree(&summary, &run, &report, &["reordered"; 7]);
    let forged: Vec<Hit> = all_hits(&sb, &p, "store")
        .into_iter()
        .filter(|h| h.id.starts_with("forged"))
        .collect();
    assert!(
        forged.is_empty(),
        "the inserted segment was indexed: {forged:?}\n{run}"
    );
    assert_index_either(&sb, &p, &ids, &[(6, 6), (8, 6)], "before the insertion");
}

#[test]
fn rechained_segments_contradict_the_checkpoint() {
    // Segments 8.. replaced by a forged history, correctly chained, not re-signed.
    let tamper = |sb: &Sandbox| {
        let mut prev = chain_hash(sb, 7);
        for s in 8..SEGMENTS {
            let (bytes, hash) = forge(s, prev, "forged", 1000 + s as usize * PER);
            fs::write(seg(sb, s), bytes).unwrap();
            prev = hash;
        }
    };
    fresh_case(tamper, &[], &["checkpoint_mismatch"], 6, 6);
}

#[test]
fn checkpoint_signed_by_another_key_is_not_trusted_with_pubkey() {
    // Segments 6.. lose their signature: still chained, indexed as not verified.
    let tamper = |sb: &Sandbox| resign(sb, "other", SIGNED, true);
    fresh_case(
        tamper,
        &["--pubkey", "keys/ops.pub"],
        &["unknown_signer", "unknown_signer"],
        SEGMENTS,
        6,
    );
}

// ---- Alterations after a clean pull -------------------------------------------------------

/// The base store pulled into `pull-home` and verified (pinned) in `verify-home`.
fn pulled() -> (Sandbox, BTreeMap<u64, Vec<String>>, PathBuf, PathBuf) {
    let (sb, ids) = base();
    let (p, v) = (new_home(&sb, "pull-home"), new_home(&sb, "verify-home"));
    pull(&sb, &p, "store", &[], 0);
    sb.ts_with_home(&v, &["verify", "--json", "store"]).ok();
    assert_index(&sb, &p, &ids, SEGMENTS, SIGNED, "clean pull");
    (sb, ids, p, v)
}

/// Seals 5 more signed segments (15..=19, checkpoint 20); returns every segment's ids.
fn seal_more(sb: &Sandbox, ids: &BTreeMap<u64, Vec<String>>) -> BTreeMap<u64, Vec<String>> {
    seal_events(sb, "store", "d", 75, 25, PER, true);
    let now = ids_by_segment(&sb.path("store"));
    for (s, v) in ids {
        assert_eq!(&now[s], v);
    }
    now
}

#[test]
fn body_changed_in_a_new_segment_after_a_pull_keeps_the_earlier_events() {
    let (sb, ids, p, v) = pulled();
    let ids = seal_more(&sb, &ids);
    flip_body(&sb, 17);
    let (summary, run, report) = pull_and_verify(&sb, &p, &v, &[]);
    assert_eq!(summary["indexed_segments"], 2, "15 and 16 only\n{run}");
    // Checkpoint 20 still attests 0..=16 through the intact header links.
    assert_index(&sb, &p, &ids, 17, 17, "up to the altered segment");
    assert_agree(&summary, &run, &report, &["content_modified"]);
}

#[test]
fn new_segment_deleted_after_a_pull_keeps_the_earlier_events() {
    let (sb, ids, p, v) = pulled();
    let ids = seal_more(&sb, &ids);
    fs::remove_file(seg(&sb, 17)).unwrap();
    let (summary, run, report) = pull_and_verify(&sb, &p, &v, &[]);
    // Nothing links 12..=16 to checkpoint 20 any more: they stay an unsigned tail.
    assert_index(&sb, &p, &ids, 17, SIGNED, "up to the gap");
    assert_agree(&summary, &run, &report, &["gap"]);
}

#[test]
fn new_segments_swapped_after_a_pull_keep_the_earlier_events() {
    let (sb, ids, p, v) = pulled();
    let ids = seal_more(&sb, &ids);
    swap(&sb, 16, 17);
    let (summary, run, report) = pull_and_verify(&sb, &p, &v, &[]);
    assert_index(&sb, &p, &ids, 16, SIGNED, "up to the swap");
    assert_agree(&summary, &run, &report, &["reordered", "reordered"]);
}

/// The whole store rewritten with the same key (same shape, other events): a fork. The events
/// pulled before were verified then and stay, as they were; nothing of the rewrite is indexed.
#[test]
fn store_rewritten_after_a_pull_is_a_fork_and_the_pulled_events_stay() {
    let (sb, ids, p, v) = pulled();
    fs::remove_dir_all(sb.path("store")).unwrap();
    seal_events(&sb, "store", "x", 0, 30, PER, true);
    seal_events(&sb, "store", "y", 30, 30, PER, true);
    seal_events(&sb, "store", "z", 60, 15, PER, false);
    let (summary, run, report) = pull_and_verify(&sb, &p, &v, &[]);
    assert_pulled_events_stay(&sb, &p, &ids);
    assert_agree(&summary, &run, &report, &["fork"]);
}

/// The same, and the rewritten store grew: still a fork, nothing new indexed.
#[test]
fn store_rewritten_and_extended_after_a_pull_is_a_fork_and_nothing_new_is_indexed() {
    let (sb, ids, p, v) = pulled();
    fs::remove_dir_all(sb.path("store")).unwrap();
    seal_events(&sb, "store", "x", 0, 100, PER, true);
    let (summary, run, report) = pull_and_verify(&sb, &p, &v, &[]);
    assert_eq!(summary["indexed_segments"], 0, "{run}");
    assert_pulled_events_stay(&sb, &p, &ids);
    assert_agree(&summary, &run, &report, &["fork"]);
}

/// Rewound to its first checkpoint (a consistent, shorter store): a rollback. The events pulled
/// before stay as they were.
#[test]
fn store_rolled_back_after_a_pull_is_a_rollback_and_the_pulled_events_stay() {
    let (sb, ids, p, v) = pulled();
    rewind_to_first_checkpoint(&sb);
    let (summary, run, report) = pull_and_verify(&sb, &p, &v, &[]);
    assert_pulled_events_stay(&sb, &p, &ids);
    assert_agree(&summary, &run, &report, &["rollback"]);
}

/// Rolled back, then sealed anew past the old length: the new history is a fork of the pulled
/// one; nothing of it is indexed.
#[test]
fn store_rolled_back_and_resealed_after_a_pull_indexes_nothing_new() {
    let (sb, ids, p, v) = pulled();
    rewind_to_first_checkpoint(&sb);
    seal_events(&sb, "store", "r", 30, 60, PER, true);
    let (summary, run, report) = pull_and_verify(&sb, &p, &v, &[]);
    assert_eq!(summary["indexed_segments"], 0, "{run}");
    assert_pulled_events_stay(&sb, &p, &ids);
    assert_agree(&summary, &run, &report, &["fork"]);
}

/// Deletes segments 6.. and checkpoint 12, and makes checkpoint 6 the latest again.
fn rewind_to_first_checkpoint(sb: &Sandbox) {
    for s in 6..SEGMENTS {
        fs::remove_file(seg(sb, s)).unwrap();
    }
    let store = sb.path("store");
    fs::remove_file(store.join(checkpoint_path(SIGNED))).unwrap();
    fs::copy(store.join(checkpoint_path(6)), store.join(LATEST_PATH)).unwrap();
}

/// The checkpoints re-signed by another key and that key published: the pinned signer changed.
#[test]
fn checkpoint_signed_by_another_key_after_a_pull_is_a_signer_change() {
    let (sb, ids, p, v) = pulled();
    let ids = seal_more(&sb, &ids);
    resign(&sb, "other", 20, true);
    let (summary, run, report) = pull_and_verify(&sb, &p, &v, &[]);
    // The new segments are chained but their only checkpoint is not by the pinned key: at most
    // an unsigned tail.
    assert_eq!(summary["head"]["covered"], SIGNED, "{run}");
    let upto = summary["head"]["segments"].as_u64().unwrap();
    assert!(upto == SEGMENTS || upto == 20, "{run}");
    assert_index(&sb, &p, &ids, upto, SIGNED, "no new signed events");
    assert_agree(
        &summary,
        &run,
        &report,
        &["signer_changed", "unknown_signer", "unknown_signer"],
    );
}

/// The unsigned tail that was pulled (12..=14) is replaced by another one, and a checkpoint
/// then signs the replacement: the pulled tail is contradicted by a signed checkpoint. None of
/// its events may stay; the signed events before it do.
#[test]
fn pulled_unsigned_tail_contradicted_by_a_later_checkpoint_is_dropped() {
    let (sb, ids, p, v) = pulled();
    for s in SIGNED..SEGMENTS {
        fs::remove_file(seg(&sb, s)).unwrap();
    }
    seal_events(&sb, "store", "y", 60, 15, PER, false);
    seal_events(&sb, "store", "z", 75, 5, PER, true);
    let (summary, run, report) = pull_and_verify(&sb, &p, &v, &[]);
    assert_index(&sb, &p, &ids, SIGNED, SIGNED, "the signed events only");
    assert_agree(&summary, &run, &report, &["fork"]);
}

/// Not a tamper pull can see: an incremental pull never reads the segments it already holds
/// (see `pull_incremental.rs`), so a body altered in one of them after the pull goes unnoticed
/// by pull, which keeps its verified copy and indexes the new segments that chain onto it.
/// `verify` reads the store itself and reports the alteration.
#[test]
fn body_changed_in_an_already_pulled_segment_is_left_to_verify() {
    let (sb, ids, p, v) = pulled();
    let ids = seal_more(&sb, &ids);
    flip_body(&sb, 3);
    let report = verify(&sb, &v, &[]);
    assert_eq!(error_kinds(&report), ["content_modified"], "{report:#}");
    let (summary, run) = pull(&sb, &p, "store", &[], 0);
    // 5 new segments, plus the unsigned tail 12..=14 and the last attested segment 11, fetched
    // again to check the store still holds them (it does: only segment 3 changed).
    assert_eq!(summary["fetched_segments"], 9, "{run}");
    assert_eq!(summary["refetched_segments"], 4, "{run}");
    assert_index(&sb, &p, &ids, 20, 20, "old copies and new segments");
}
