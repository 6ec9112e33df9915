//! Property tests: every way of altering a store is named by the verifier, at the right seq and
//! with the right kind; consequences of one alteration are attributed to it rather than repeated
//! at other seqs; and no segment at or after an alteration is reported as verified (or as a
//! verified unsigned tail).
//!
//! Kinds accepted for each alteration (seq = the altered segment `k` unless said otherwise):
//!
//! | alteration                                             | kind(s) at seq                          |
//! |--------------------------------------------------------|-----------------------------------------|
//! | byte flipped in the header line (or its LF)            | `header_modified` or `malformed`; for   |
//! |                                                        | the last segment also                   |
//! |                                                        | `checkpoint_mismatch` (see below)       |
//! | byte flipped in the body                               | `content_modified`                      |
//! | middle segment(s) deleted                              | `gap` at the first missing seq          |
//! | last segment(s) deleted, a checkpoint covers them      | `tail_truncated` at the first missing   |
//! | two segment files swapped                              | `reordered` at both seqs                |
//! | segment i copied over j, or appended as seq n          | `duplicate` at j (or n)                 |
//! | segment file truncated at any length                   | `malformed`                             |
//! | store re-sealed with key B, verified with key A        | `unknown_signer` at every checkpoint    |
//! |                                                        | (size-1; `latest.note`: no seq)         |
//! | pinned signer A, store now publishes key B             | `signer_changed` (no seq) and           |
//! |                                                        | `unknown_signer` on the checkpoints     |
//! | validly signed checkpoint with a wrong hash            | `checkpoint_mismatch` at size-1         |
//! | byte flipped in a note's signature line                | `bad_signature` (`unknown_signer` when  |
//! |                                                        | the flip lands in the key id: base64    |
//! |                                                        | chars 0..=5); numbered: size-1,         |
//! |                                                        | `latest.note`: no seq                   |
//! | `latest.note` replaced by an older checkpoint          | `checkpoint_mismatch` at its size-1     |
//! | `latest.note` deleted                                  | `checkpoint_mismatch` at newest size-1  |
//! | header `events` / `body_bytes` (smaller) edited,       | `count_mismatch`                        |
//! | links re-forged                                        |                                         |
//! | header `body_bytes` edited larger, links re-forged     | `malformed` (truncated)                 |
//! | header `first_time`/`last_time` edited, re-forged      | `time_range_mismatch`                   |
//! | header `events_root` edited, re-forged                 | `root_mismatch`                         |
//! | header `content_sha256` edited, re-forged              | `content_modified`                      |
//! | header `origin` edited, re-forged                      | `origin_mismatch`                       |
//! | pinned head, store rolled back to an older checkpoint  | `rollback` at the pinned seq            |
//! | pinned head, history rewritten (same origin and key)   | `fork` at the pinned seq                |
//!
//! A header flip in the last segment that leaves the header self-consistent (e.g. `T` → `t` in
//! a time, which parses to the same instant) is indistinguishable from a validly signed
//! checkpoint with a wrong hash, hence `checkpoint_mismatch` there (still at seq k).
//!
//! Deterministic regressions for the verifier bugs these properties found, and an exhaustive
//! header bit-flip sweep, are in `tamper_regressions.rs`.

use std::collections::BTreeSet;
use std::fs;

use crate::tamper_common::*;
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;
use proptest::sample::Index;
use trailscope::event::time::{format_ns, parse_rfc3339_ns};
use trailscope::segment::Hash32;
use trailscope::verify::{Kind, SegmentState};

/// `cases` per property; `TAMPER_CASES=N` overrides it for longer soak runs.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("TAMPER_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        max_shrink_iters: 512,
        ..ProptestConfig::default()
    }
}

/// Where in a segment file to flip a byte.
#[derive(Clone, Debug)]
enum Where {
    /// Anywhere in the file.
    Anywhere(Index),
    /// In the header line or its LF.
    Header(Index),
    /// In the value of one header field (see [`HEADER_FIELDS`]).
    Field(usize, Index),
    /// In the body.
    Body(Index),
}

fn where_strategy() -> impl Strategy<Value = Where> {
    prop_oneof![
        any::<Index>().prop_map(Where::Anywhere),
        any::<Index>().prop_map(Where::Header),
        (0..HEADER_FIELDS.len(), any::<Index>()).prop_map(|(f, i)| Where::Field(f, i)),
        any::<Index>().prop_map(Where::Body),
    ]
}

/// XOR masks: any, or the ones that keep text text (one bit: a digit to a digit, `T` to `t`;
/// `0x74`: `T` to a space).
fn mask_strategy() -> impl Strategy<Value = u8> {
    prop_oneof![1u8..=255, (0u32..8).prop_map(|b| 1u8 << b), Just(0x74u8)]
}

fn header_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| b == b'\n')
        .expect("segment has a header line")
}

fn offset(bytes: &[u8], w: &Where) -> usize {
    let nl = header_len(bytes);
    match w {
        Where::Anywhere(i) => i.index(bytes.len()),
        Where::Header(i) => i.index(nl + 1),
        Where::Field(f, i) => {
            let span = field_span(bytes, HEADER_FIELDS[*f]);
            span.start + i.index(span.len())
        }
        Where::Body(i) => nl + 1 + i.index(bytes.len() - nl - 1),
    }
}

/// A copy of `spec` with segment `j`'s first record altered (so every chain hash from `j` on
/// differs).
fn rewritten(spec: &Spec, j: usize) -> Spec {
    let mut s = spec.clone();
    s.segments[j][0].resource.push_str("-forged");
    s
}

/// Renames segment `i` to `j` and `j` to `i`.
fn swap(fx: &Fixture, i: u64, j: u64) {
    let tmp = fx.dir.path().join("swap.tmp");
    fs::rename(fx.seg(i), &tmp).unwrap();
    fs::rename(fx.seg(j), fx.seg(i)).unwrap();
    fs::rename(&tmp, fx.seg(j)).unwrap();
}

/// Byte range of the base64 in the (single) signature line of a note.
fn sig_b64_span(note: &[u8]) -> std::ops::Range<usize> {
    let text = std::str::from_utf8(note).unwrap();
    let line_start = text.rfind("\n\n").unwrap() + 2;
    let line = &text[line_start..];
    assert!(line.starts_with("— "), "{line:?}");
    let b64_start = line_start + line["— ".len()..].find(' ').unwrap() + "— ".len() + 1;
    let end = text.len() - 1; // the final LF
    b64_start..end
}

proptest! {
    #![proptest_config(config(64))]

    /// 1. Untouched stores (signed or not, any records, checkpoints anywhere) verify intact, and
    ///    exactly the segments covered by the newest checkpoint are verified and signed.
    #[test]
    fn untouched_stores_verify_intact(
        segments in segments_strategy(1..=8),
        signed in any::<bool>(),
        cps in btree_set(1u64..8, 0..3),
        sign_last in any::<bool>(),
        tofu in any::<bool>(),
    ) {
        let spec = Spec { segments, key: signed.then_some(0), checkpoints: cps, sign_last };
        let fx = build(&spec);
        let r = if tofu { fx.verify_with(None) } else { fx.verify() };
        let n = spec.n();
        if signed && !tofu && spec.checkpoint_sizes().is_empty() {
            // --pubkey demands signatures: a store without any checkpoint is an error.
            assert_has(&r, None, &[Kind::UnknownSigner]);
            prop_assert_eq!(r.errors().count(), 1, "{}", dump(&r));
            return Ok(());
        }
        assert_intact(&r);
        let covered = spec.checkpoint_sizes().into_iter().next_back().unwrap_or(0);
        prop_assert_eq!(r.segments, n);
        for st in &r.states {
            let want = if st.seq < covered { SegmentState::Verified } else { SegmentState::UnsignedTail };
            prop_assert_eq!(st.state, want, "{}", dump(&r));
        }
        prop_assert_eq!(r.verified_segments, covered);
        prop_assert_eq!(r.head.as_ref().map(|h| h.seq), Some(n - 1));
        let events: usize = spec.segments.iter().map(Vec::len).sum();
        prop_assert_eq!(r.events, events as u64);
        if covered == n {
            prop_assert!(r.problems.is_empty(), "{}", dump(&r));
        }
    }
}

proptest! {
    #![proptest_config(config(96))]

    /// 2. One flipped byte anywhere in one segment file of a fully checkpointed store is named
    ///    at that segment, with one error only.
    #[test]
    fn flipped_byte_is_named_at_its_segment(
        spec in signed_spec(),
        flips in vec((any::<Index>(), where_strategy(), mask_strategy()), 1..=6),
    ) {
        let fx = build(&spec);
        let n = spec.n();
        for (ki, w, mask) in flips {
            let k = ki.index(n as usize) as u64;
            let orig = fs::read(fx.seg(k)).unwrap();
            let off = offset(&orig, &w);
            let mut bytes = orig.clone();
            bytes[off] ^= mask;
            fs::write(fx.seg(k), &bytes).unwrap();
            let r = fx.verify();
            let kinds: &[Kind] = if off > header_len(&orig) {
                &[Kind::ContentModified]
            } else if k == n - 1 {
                &[Kind::HeaderModified, Kind::Malformed, Kind::CheckpointMismatch]
            } else {
                &[Kind::HeaderModified, Kind::Malformed]
            };
            assert_has(&r, Some(k), kinds);
            prop_assert_eq!(r.errors().count(), 1, "offset {} mask {:#x}:\n{}", off, mask, dump(&r));
            assert_nothing_trusted_from(&r, k);
            fs::write(fx.seg(k), &orig).unwrap();
        }
        assert_intact(&fx.verify());
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// 3a. Deleting one or more middle segments is a gap at the first missing seq.
    #[test]
    fn deleted_middle_segments_are_a_gap(spec in signed_spec(), a in any::<Index>(), len in 1u64..=3) {
        let fx = build(&spec);
        let n = spec.n();
        let a = a.index(n as usize - 1) as u64;
        let b = (a + len).min(n - 1);
        for s in a..b {
            fs::remove_file(fx.seg(s)).unwrap();
        }
        let r = fx.verify();
        assert_has(&r, Some(a), &[Kind::Gap]);
        prop_assert_eq!(r.errors().count(), 1, "{}", dump(&r));
        assert_nothing_trusted_from(&r, a);
    }

    /// 3b. Deleting the last segment(s) that a checkpoint covers is `tail_truncated` at the
    ///     first missing seq.
    #[test]
    fn deleted_tail_is_tail_truncated(spec in signed_spec(), t in any::<Index>()) {
        let fx = build(&spec);
        let n = spec.n();
        let m = n - 1 - t.index(n as usize - 1) as u64;
        for s in m..n {
            fs::remove_file(fx.seg(s)).unwrap();
        }
        let r = fx.verify();
        assert_has(&r, Some(m), &[Kind::TailTruncated]);
        prop_assert_eq!(r.errors().count(), 1, "{}", dump(&r));
        prop_assert_eq!(r.segments, m);
        assert_nothing_trusted_from(&r, m);
    }

    /// 4. Swapping two segment files is `reordered` at both seqs, and nothing else.
    #[test]
    fn swapped_segments_are_reordered(spec in signed_spec(), signed in any::<bool>(), i in any::<Index>(), d in any::<Index>()) {
        let mut spec = spec;
        if !signed {
            spec.key = None;
        }
        let fx = build(&spec);
        let n = spec.n() as usize;
        let i = i.index(n - 1);
        let j = i + 1 + d.index(n - 1 - i);
        let (i, j) = (i as u64, j as u64);
        swap(&fx, i, j);
        let r = fx.verify();
        assert_has(&r, Some(i), &[Kind::Reordered]);
        assert_has(&r, Some(j), &[Kind::Reordered]);
        prop_assert_eq!(r.errors().count(), 2, "{}", dump(&r));
        assert_nothing_trusted_from(&r, i);
    }

    /// 5a. A segment copied over another is a `duplicate` at the copy (either direction).
    #[test]
    fn segment_copied_over_another_is_duplicate_at_the_copy(spec in signed_spec(), i in any::<Index>(), d in any::<Index>()) {
        let fx = build(&spec);
        let n = spec.n() as usize;
        let i = i.index(n);
        let j = (i + 1 + d.index(n - 1)) % n;
        let (i, j) = (i as u64, j as u64);
        fs::copy(fx.seg(i), fx.seg(j)).unwrap();
        let r = fx.verify();
        assert_has(&r, Some(j), &[Kind::Duplicate]);
        prop_assert_eq!(r.errors().count(), 1, "{}", dump(&r));
        assert_nothing_trusted_from(&r, j);
    }

    /// 5b. A segment replayed as the next seq is a `duplicate` at that seq.
    #[test]
    fn segment_replayed_at_the_end_is_duplicate(spec in signed_spec(), i in any::<Index>()) {
        let fx = build(&spec);
        let n = spec.n();
        let i = i.index(n as usize) as u64;
        fs::copy(fx.seg(i), fx.seg(n)).unwrap();
        let r = fx.verify();
        assert_has(&r, Some(n), &[Kind::Duplicate]);
        prop_assert_eq!(r.errors().count(), 1, "{}", dump(&r));
        assert_nothing_trusted_from(&r, n);
    }

    /// 6. A segment file truncated at any length is `malformed` at that seq.
    #[test]
    fn truncated_segment_is_malformed(spec in signed_spec(), k in any::<Index>(), len in any::<Index>()) {
        let fx = build(&spec);
        let k = k.index(spec.n() as usize) as u64;
        let bytes = fs::read(fx.seg(k)).unwrap();
        let len = len.index(bytes.len());
        fs::write(fx.seg(k), &bytes[..len]).unwrap();
        let r = fx.verify();
        assert_has(&r, Some(k), &[Kind::Malformed]);
        prop_assert_eq!(r.errors().count(), 1, "truncated to {}:\n{}", len, dump(&r));
        assert_nothing_trusted_from(&r, k);
    }

    /// 7a. A store re-sealed with key B (same or rewritten records) and verified with key A:
    ///     every checkpoint is `unknown_signer`, and nothing is verified and signed.
    #[test]
    fn resealed_with_another_key_is_unknown_signer(spec in signed_spec(), rewrite in any::<bool>()) {
        let fx = build(&spec);
        fs::remove_dir_all(&fx.root).unwrap();
        let mut spec_b = if rewrite { rewritten(&spec, 0) } else { spec.clone() };
        spec_b.key = Some(1);
        seal_into(&fx.root, &spec_b);
        let r = fx.verify_with(Some(0));
        for size in spec_b.checkpoint_sizes() {
            assert_has(&r, Some(size - 1), &[Kind::UnknownSigner]);
        }
        assert_has(&r, None, &[Kind::UnknownSigner]);
        prop_assert!(r.errors().all(|p| p.kind == Kind::UnknownSigner), "{}", dump(&r));
        prop_assert!(r.checkpoint.is_none());
        assert_nothing_signed_from(&r, 0);
    }

    /// 7b. Signer A pinned by a first verify, then the store re-sealed with key B (its
    ///     `signer.pub` replaced): `signer_changed`, key A still trusted, nothing signed.
    #[test]
    fn pinned_signer_replaced_is_signer_changed(spec in signed_spec(), rewrite in any::<bool>()) {
        let fx = build(&spec);
        assert_intact(&fx.verify_pinned());
        fs::remove_dir_all(&fx.root).unwrap();
        let mut spec_b = if rewrite { rewritten(&spec, 0) } else { spec.clone() };
        spec_b.key = Some(1);
        seal_into(&fx.root, &spec_b);
        let r = fx.verify_pinned();
        assert_has(&r, None, &[Kind::SignerChanged]);
        for size in spec_b.checkpoint_sizes() {
            assert_has(&r, Some(size - 1), &[Kind::UnknownSigner]);
        }
        if rewrite {
            assert_has(&r, Some(spec.n() - 1), &[Kind::Fork]);
            assert_nothing_trusted_from(&r, 0);
        }
        assert_nothing_signed_from(&r, 0);
        // The pin is not moved to the new signer.
        let again = fx.verify_pinned();
        assert_has(&again, None, &[Kind::SignerChanged]);
    }

    /// 8a. A checkpoint validly signed with the real key but whose hash is wrong for its size is
    ///     `checkpoint_mismatch` at size-1; nothing from there on is trusted.
    #[test]
    fn validly_signed_wrong_checkpoint_is_checkpoint_mismatch(
        spec in signed_spec(),
        s in any::<Index>(),
        other in any::<Index>(),
        random in any::<Option<[u8; 32]>>(),
    ) {
        let fx = build(&spec);
        let n = spec.n();
        let size = 1 + s.index(n as usize) as u64;
        let hash = match random {
            Some(b) => Hash32(b),
            // Another segment's hash: a plausible but wrong value.
            None => fx.chain_hash((size - 1 + 1 + other.index(n as usize - 1) as u64) % n),
        };
        prop_assume!(hash != fx.chain_hash(size - 1));
        fx.write_checkpoint(0, size, hash, size == n);
        let r = fx.verify();
        assert_has(&r, Some(size - 1), &[Kind::CheckpointMismatch]);
        prop_assert_eq!(r.errors().count(), 1, "{}", dump(&r));
        assert_nothing_trusted_from(&r, size - 1);
    }

    /// 8b. A flipped byte in the signature line of `latest.note`, of the newest numbered
    ///     checkpoint, of both, or of an older one, is `bad_signature` at that checkpoint
    ///     (`unknown_signer` when it hits the key id); an intact copy still verifies the chain.
    #[test]
    fn flipped_signature_byte_is_bad_signature(
        spec in signed_spec(),
        target in 0usize..4,
        pos in any::<Index>(),
        mask in 1u8..=255,
    ) {
        let fx = build(&spec);
        let n = spec.n();
        let sizes = spec.checkpoint_sizes();
        let older = sizes.iter().rev().nth(1).copied();
        let flip = |path: &std::path::Path| -> usize {
            let mut note = fs::read(path).unwrap();
            let span = sig_b64_span(&note);
            let p = pos.index(span.len());
            note[span.start + p] ^= mask;
            fs::write(path, &note).unwrap();
            p
        };
        let mut expected: Vec<Option<u64>> = Vec::new();
        let mut p = 0;
        if target == 0 || target == 2 {
            p = flip(&fx.latest());
            expected.push(None);
        }
        if target == 1 || target == 2 {
            p = flip(&fx.cp(n));
            expected.push(Some(n - 1));
        }
        if target == 3 {
            let s = older.unwrap_or(n);
            p = flip(&fx.cp(s));
            expected.push(Some(s - 1));
        }
        let r = fx.verify();
        let kinds: &[Kind] = if p <= 5 { &[Kind::BadSignature, Kind::UnknownSigner] } else { &[Kind::BadSignature] };
        for seq in &expected {
            assert_has(&r, *seq, kinds);
        }
        prop_assert_eq!(r.errors().count(), expected.len(), "{}", dump(&r));
        assert_only_at(&r, &expected);
        if target == 2 {
            // No intact copy of the newest checkpoint: at most the older one signs.
            assert_nothing_signed_from(&r, older.unwrap_or(0));
        } else {
            prop_assert_eq!(r.verified_segments, n, "{}", dump(&r));
        }
    }

    /// 8c. `latest.note` replaced by an older checkpoint is `checkpoint_mismatch` at the last seq
    ///     the stale copy covers; deleted, at the newest checkpoint's last seq. The numbered
    ///     checkpoints still verify the chain.
    #[test]
    fn stale_or_missing_latest_is_checkpoint_mismatch(spec in signed_spec(), m in any::<Index>(), delete in any::<bool>()) {
        let mut spec = spec;
        let n = spec.n();
        let m = 1 + m.index(n as usize - 1) as u64;
        spec.checkpoints.insert(m);
        let fx = build(&spec);
        let seq = if delete {
            fs::remove_file(fx.latest()).unwrap();
            n - 1
        } else {
            fs::copy(fx.cp(m), fx.latest()).unwrap();
            m - 1
        };
        let r = fx.verify();
        assert_has(&r, Some(seq), &[Kind::CheckpointMismatch]);
        prop_assert_eq!(r.errors().count(), 1, "{}", dump(&r));
        prop_assert_eq!(r.verified_segments, n);
    }
}

/// A header edit that leaves the chain links re-forged around it.
#[derive(Clone, Debug)]
enum Edit {
    Events(i64),
    FirstTime(i64),
    LastTime(i64),
    Root([u8; 32]),
    BodyBytes(i64),
    Content([u8; 32]),
    Origin,
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let delta = prop_oneof![-100i64..=-1, 1i64..=100];
    prop_oneof![
        delta.clone().prop_map(Edit::Events),
        delta.clone().prop_map(Edit::FirstTime),
        delta.clone().prop_map(Edit::LastTime),
        any::<[u8; 32]>().prop_map(Edit::Root),
        delta.prop_map(Edit::BodyBytes),
        any::<[u8; 32]>().prop_map(Edit::Content),
        Just(Edit::Origin),
    ]
}

fn shift_time(t: &str, secs: i64) -> String {
    format_ns(parse_rfc3339_ns(t).unwrap() + secs * 1_000_000_000)
}

proptest! {
    #![proptest_config(config(64))]

    /// 9. A header field edited to contradict the body, with every later `prev` and the
    ///    checkpoints re-forged so that only the contradiction remains, is named by its own kind
    ///    at that seq (count, time range, root, content, origin).
    #[test]
    fn edited_header_with_reforged_links_names_the_inconsistency(spec in signed_spec(), k in any::<Index>(), edit in edit_strategy()) {
        let fx = build(&spec);
        let k = k.index(spec.n() as usize) as u64;
        let (mut hd, body) = parse_segment(&fs::read(fx.seg(k)).unwrap());
        let want = match &edit {
            Edit::Events(d) => {
                hd.events = hd.events.checked_add_signed(*d).filter(|&e| e > 0).unwrap_or(hd.events + d.unsigned_abs());
                Kind::CountMismatch
            }
            Edit::FirstTime(d) => {
                hd.first_time = shift_time(&hd.first_time, *d);
                Kind::TimeRangeMismatch
            }
            Edit::LastTime(d) => {
                hd.last_time = shift_time(&hd.last_time, *d);
                Kind::TimeRangeMismatch
            }
            Edit::Root(b) => {
                prop_assume!(Hash32(*b).to_hex() != hd.events_root);
                hd.events_root = Hash32(*b).to_hex();
                Kind::RootMismatch
            }
            Edit::BodyBytes(d) => match hd.body_bytes.checked_add_signed(*d) {
                Some(b) if *d < 0 => {
                    hd.body_bytes = b;
                    Kind::CountMismatch
                }
                _ => {
                    hd.body_bytes += d.unsigned_abs();
                    Kind::Malformed
                }
            },
            Edit::Content(b) => {
                prop_assume!(Hash32(*b).to_hex() != hd.content_sha256);
                hd.content_sha256 = Hash32(*b).to_hex();
                Kind::ContentModified
            }
            Edit::Origin => {
                hd.origin = format!("{ORIGIN}-other");
                Kind::OriginMismatch
            }
        };
        fs::write(fx.seg(k), assemble(&hd, &body)).unwrap();
        fx.rechain_after(k);
        let r = fx.verify();
        assert_has(&r, Some(k), &[want]);
        prop_assert_eq!(r.errors().count(), 1, "{:?}:\n{}", edit, dump(&r));
        assert_nothing_trusted_from(&r, k);
    }

    /// 10a. After a pinned verify, rolling the store back to an older checkpoint (tail deleted,
    ///      checkpoints rewound) is a `rollback` at the pinned seq, and the pin stays.
    #[test]
    fn rollback_after_pinning_is_named(spec in signed_spec(), m in any::<Index>()) {
        let mut spec = spec;
        let n = spec.n();
        let m = 1 + m.index(n as usize - 1) as u64;
        spec.checkpoints.insert(m);
        let fx = build(&spec);
        assert_intact(&fx.verify_pinned());
        for s in m..n {
            fs::remove_file(fx.seg(s)).unwrap();
        }
        for size in spec.checkpoint_sizes().into_iter().filter(|&s| s > m) {
            fs::remove_file(fx.cp(size)).unwrap();
        }
        fs::copy(fx.cp(m), fx.latest()).unwrap();
        // Without the pin, the rolled-back store is consistent.
        assert_intact(&fx.verify());
        for _ in 0..2 {
            let r = fx.verify_pinned();
            assert_has(&r, Some(n - 1), &[Kind::Rollback]);
            prop_assert_eq!(r.errors().count(), 1, "{}", dump(&r));
        }
    }

    /// 10b. After a pinned verify, history rewritten from segment `j` on (same origin, same key,
    ///      possibly longer) is a `fork` at the pinned seq, and nothing is trusted from `j` on.
    #[test]
    fn rewritten_history_after_pinning_is_a_fork(spec in signed_spec(), j in any::<Index>(), extra in segments_strategy(0..=2)) {
        let fx = build(&spec);
        let n = spec.n();
        assert_intact(&fx.verify_pinned());
        let j = j.index(n as usize);
        let mut forged = rewritten(&spec, j);
        forged.segments.extend(extra);
        fs::remove_dir_all(&fx.root).unwrap();
        seal_into(&fx.root, &forged);
        // Without the pin, the forged store is consistent.
        assert_intact(&fx.verify());
        let r = fx.verify_pinned();
        assert_has(&r, Some(n - 1), &[Kind::Fork]);
        prop_assert_eq!(r.errors().count(), 1, "{}", dump(&r));
        assert_nothing_trusted_from(&r, j as u64);
    }
}

/// The exhaustive counterpart of property 2 lives in `tamper_regressions.rs`; this checks the
/// helper that property 2 relies on.
#[test]
fn field_spans_cover_the_header_values() {
    let fx = build(&Spec::plain(&[2, 1, 3]));
    let bytes = fs::read(fx.seg(1)).unwrap();
    let line = std::str::from_utf8(&bytes[..header_len(&bytes)]).unwrap();
    let spans: BTreeSet<_> = HEADER_FIELDS
        .iter()
        .map(|f| {
            let s = field_span(&bytes, f);
            assert!(!s.is_empty(), "{f}");
            (s.start, s.end)
        })
        .collect();
    assert_eq!(spans.len(), HEADER_FIELDS.len());
    assert_eq!(&line[field_span(&bytes, "seq")], "1");
    assert!(line[field_span(&bytes, "mapping")].starts_with('{'));
    assert!(line[field_span(&bytes, "mapping")].ends_with('}'));
}
