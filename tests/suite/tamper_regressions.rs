//! Deterministic companions of the tamper properties (`tamper.rs`): one plain test per verifier
//! misattribution the properties found (named after the bug), tests pinning the cases the
//! verifier cannot decide, and an exhaustive header bit-flip sweep.

use std::fs;

use crate::tamper_common::*;
use trailscope::event::Mapping;
use trailscope::segment::encode_segment;
use trailscope::verify::Kind;

/// `Spec::plain` with a checkpoint at 2 as well as at the end.
fn store() -> Fixture {
    let mut spec = Spec::plain(&[2, 3, 1, 2, 1]);
    spec.checkpoints.insert(2);
    build(&spec)
}

/// Replaces the first occurrence of `from` in the value of header field `field` of segment
/// `seq` by `to` (same length).
fn edit_field(fx: &Fixture, seq: u64, field: &str, from: &str, to: &str) {
    assert_eq!(from.len(), to.len());
    let mut bytes = fs::read(fx.seg(seq)).unwrap();
    let span = field_span(&bytes, field);
    let value = std::str::from_utf8(&bytes[span.clone()]).unwrap();
    let at = span.start
        + value
            .find(from)
            .unwrap_or_else(|| panic!("{from:?} not in {value:?}"));
    bytes[at..at + to.len()].copy_from_slice(to.as_bytes());
    fs::write(fx.seg(seq), &bytes).unwrap();
}

fn swap(fx: &Fixture, i: u64, j: u64) {
    let tmp = fx.dir.path().join("swap.tmp");
    fs::rename(fx.seg(i), &tmp).unwrap();
    fs::rename(fx.seg(j), fx.seg(i)).unwrap();
    fs::rename(&tmp, fx.seg(j)).unwrap();
}

/// Bug: a digit flipped in a header's `seq` was reported as `reordered` (a renamed file),
/// although the file fits nowhere in the chain: its header was edited.
#[test]
fn seq_digit_flip_is_header_modified_not_reordered() {
    for (seq, from, to) in [
        (1, "1", "0"),
        (1, "1", "3"),
        (0, "0", "1"),
        (4, "4", "5"),
        (4, "4", "2"),
    ] {
        let fx = store();
        edit_field(&fx, seq, "seq", from, to);
        let r = fx.verify();
        assert_eq!(
            errors(&r),
            vec![(Some(seq), Kind::HeaderModified)],
            "{seq} {from}->{to}\n{}",
            dump(&r)
        );
        assert_nothing_trusted_from(&r, seq);
    }
}

/// Bug: a header time respelled to the same instant (`T`→`t`, `T`→` `, `Z`→`z`) used to leave
/// the segment self-consistent, and the broken link was reported as a `chain_break` at the
/// untouched segment after it. Header times now have one spelling, so the respelling is caught
/// in the altered segment itself.
#[test]
fn respelled_header_time_is_malformed_at_the_altered_segment() {
    for (field, from, to) in [
        ("first_time", "T", "t"),
        ("last_time", "T", " "),
        ("last_time", "Z", "z"),
    ] {
        for seq in [0, 1, 3] {
            let fx = store();
            edit_field(&fx, seq, field, from, to);
            let r = fx.verify();
            assert_eq!(
                errors(&r),
                vec![(Some(seq), Kind::Malformed)],
                "{field} {seq}\n{}",
                dump(&r)
            );
            assert_nothing_trusted_from(&r, seq);
        }
    }
}

/// The same respelling in the last segment (whose only outgoing link is a checkpoint) is also
/// named at the altered seq.
#[test]
fn respelled_header_time_in_last_segment_is_malformed_at_it() {
    let fx = store();
    edit_field(&fx, 4, "first_time", "T", "t");
    let r = fx.verify();
    assert_eq!(errors(&r), vec![(Some(4), Kind::Malformed)], "{}", dump(&r));
    assert_nothing_trusted_from(&r, 4);
}

/// Bug (same cause): a segment re-encoded with other events but the right `prev` is
/// self-consistent; the alteration was reported as a `chain_break` at the next segment.
#[test]
fn reencoded_segment_is_header_modified_not_chain_break_at_next() {
    let fx = store();
    let (mut recs, times) = fx.records(1);
    recs[0] = Rec {
        resource: "forged".into(),
        ..fx.spec.segments[1][0].clone()
    }
    .encode()
    .0;
    let s = encode_segment(
        ORIGIN,
        1,
        fx.chain_hash(0),
        &Mapping::default(),
        &recs,
        &times,
    );
    fs::write(fx.seg(1), &s.bytes).unwrap();
    let r = fx.verify();
    assert_eq!(
        errors(&r),
        vec![(Some(1), Kind::HeaderModified)],
        "{}",
        dump(&r)
    );
    assert_nothing_trusted_from(&r, 1);
}

/// Bug: segment 3 copied over segment 1 was reported as `reordered` at 1 and `duplicate` at 3
/// (the untouched original), because the first file in seq order was taken as the original.
#[test]
fn copy_over_an_earlier_segment_is_duplicate_at_the_copy_not_the_original() {
    let fx = store();
    fs::copy(fx.seg(3), fx.seg(1)).unwrap();
    let r = fx.verify();
    assert_eq!(errors(&r), vec![(Some(1), Kind::Duplicate)], "{}", dump(&r));
    assert_nothing_trusted_from(&r, 1);
}

/// Bug: with older checkpoints present, a damaged newest numbered checkpoint was reported twice
/// (`bad_signature`, then `checkpoint_mismatch` for "latest.note is not the newest
/// checkpoint"), and the chain fell back to the older checkpoint although `latest.note`, an
/// intact signed copy, covers it.
#[test]
fn damaged_numbered_checkpoint_is_not_reported_again_through_latest() {
    let fx = store();
    let mut note = fs::read(fx.cp(5)).unwrap();
    let n = note.len();
    note[n - 10] ^= 0x01;
    fs::write(fx.cp(5), &note).unwrap();
    let r = fx.verify();
    assert_eq!(
        errors(&r),
        vec![(Some(4), Kind::BadSignature)],
        "{}",
        dump(&r)
    );
    assert_eq!(r.verified_segments, 5, "{}", dump(&r));
}

/// Guard for the `seq` fix: renamed files whose hash no link records (an unsigned tail) are
/// still `reordered`, because they fit after the file holding the seq before theirs.
#[test]
fn swaps_in_an_unsigned_tail_stay_reordered() {
    for (i, j) in [(1, 4), (3, 4), (0, 4), (0, 1)] {
        let mut spec = Spec::plain(&[2, 3, 1, 2, 1]);
        spec.key = None;
        let fx = build(&spec);
        swap(&fx, i, j);
        let r = fx.verify();
        assert_eq!(
            errors(&r),
            vec![(Some(i), Kind::Reordered), (Some(j), Kind::Reordered)],
            "{}",
            dump(&r)
        );
    }
}

/// Undecidable case, pinned: an edited `prev` in a last segment that no checkpoint covers has no
/// outgoing link to tell a modified header from a chain break: `chain_break` at that seq.
#[test]
fn prev_edit_in_uncovered_last_segment_is_chain_break() {
    let mut spec = Spec::plain(&[2, 3, 1, 2]);
    spec.checkpoints.insert(2);
    spec.sign_last = false;
    let fx = build(&spec);
    let bytes = fs::read(fx.seg(3)).unwrap();
    let span = field_span(&bytes, "prev");
    let digit = bytes[span.start + 1];
    let to = if digit == b'0' { "1" } else { "0" };
    edit_field(&fx, 3, "prev", &(digit as char).to_string(), to);
    let r = fx.verify();
    assert_eq!(
        errors(&r),
        vec![(Some(3), Kind::ChainBreak)],
        "{}",
        dump(&r)
    );
    assert_nothing_trusted_from(&r, 3);
}

/// Formerly undecidable (a self-consistent edit before an uncovered last segment was reported
/// as a `chain_break` after it); with one spelling for header times the respelling is named
/// at the altered segment.
#[test]
fn respelled_time_before_uncovered_last_segment_is_malformed_at_it() {
    let mut spec = Spec::plain(&[2, 3, 1, 2]);
    spec.checkpoints.insert(2);
    spec.sign_last = false;
    let fx = build(&spec);
    edit_field(&fx, 2, "first_time", "T", "t");
    let r = fx.verify();
    assert_eq!(errors(&r), vec![(Some(2), Kind::Malformed)], "{}", dump(&r));
    // Segment 2 is not signed (checkpoint at 2 covers 0..=1) and is left as an unsigned tail.
    assert_nothing_trusted_from(&r, 2);
    assert_nothing_signed_from(&r, 2);
}

/// Every header byte (and its LF) of a middle segment, and the value bytes of `seq`, `prev` and
/// the times of the first and last segments, flipped with each single-bit mask and `0x74`
/// (`T` → space): exactly one error, at that segment, `header_modified` or `malformed` (or
/// `checkpoint_mismatch` for the last segment).
#[test]
fn header_bit_flip_sweep() {
    let fx = store();
    let n = fx.spec.n();
    let masks = [0x01u8, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x74];
    let mut checked = 0;
    for k in [0, 2, n - 1] {
        let orig = fs::read(fx.seg(k)).unwrap();
        let nl = orig.iter().position(|&b| b == b'\n').unwrap();
        let offsets: Vec<usize> = if k == 2 {
            (0..=nl).collect()
        } else {
            ["seq", "prev", "first_time", "last_time"]
                .iter()
                .flat_map(|f| field_span(&orig, f))
                .collect()
        };
        let kinds: &[Kind] = if k == n - 1 {
            &[
                Kind::HeaderModified,
                Kind::Malformed,
                Kind::CheckpointMismatch,
            ]
        } else {
            &[Kind::HeaderModified, Kind::Malformed]
        };
        for off in offsets {
            for mask in masks {
                let mut bytes = orig.clone();
                bytes[off] ^= mask;
                fs::write(fx.seg(k), &bytes).unwrap();
                let r = fx.verify();
                assert_has(&r, Some(k), kinds);
                assert_eq!(
                    r.errors().count(),
                    1,
                    "seg {k} offset {off} mask {mask:#x}\n{}",
                    dump(&r)
                );
                assert_nothing_trusted_from(&r, k);
                checked += 1;
            }
        }
        fs::write(fx.seg(k), &orig).unwrap();
    }
    assert!(checked > 5000, "{checked}");
    assert_intact(&fx.verify());
}

/// A wrong checkpoint hash that happens to be another segment's hash is still a mismatch at
/// the checkpoint's own seq (not a rename or replay of anything).
#[test]
fn checkpoint_with_another_segments_hash_is_checkpoint_mismatch() {
    let fx = store();
    fx.write_checkpoint(0, 2, fx.chain_hash(0), false);
    let r = fx.verify();
    assert_eq!(
        errors(&r),
        vec![(Some(1), Kind::CheckpointMismatch)],
        "{}",
        dump(&r)
    );
    assert_nothing_trusted_from(&r, 0);
}

/// A body modified after a checkpoint's start used to demote the intact segments before it to
/// "unsigned tail": the checkpoint still signs their headers through the intact header links.
#[test]
fn segments_before_a_modified_body_stay_signed_when_a_later_checkpoint_covers_them() {
    use trailscope::verify::SegmentState;
    let fx = build(&Spec::plain(&[2, 3, 1, 2, 1]));
    let mut bytes = fs::read(fx.seg(3)).unwrap();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x01;
    fs::write(fx.seg(3), &bytes).unwrap();
    let r = fx.verify();
    assert_has(&r, Some(3), &[Kind::ContentModified]);
    assert_only_at(&r, &[Some(3)]);
    let states: Vec<SegmentState> = r.states.iter().map(|s| s.state).collect();
    assert_eq!(states[..3], [SegmentState::Verified; 3], "{}", dump(&r));
    assert_nothing_trusted_from(&r, 3);
    assert_eq!(r.unsigned_segments, 0, "{}", dump(&r));
    let cp = r
        .checkpoint
        .as_ref()
        .expect("the attesting checkpoint is reported");
    assert_eq!(cp.size, 5, "{}", dump(&r));
}

/// After the tail under a checkpoint is deleted, the segments after the newest checkpoint that
/// still agrees used to count as a trusted unsigned tail (they could be a rewrite the missing
/// checkpoint would have caught).
#[test]
fn truncated_tail_distrusts_everything_after_the_last_agreeing_checkpoint() {
    use trailscope::verify::SegmentState;
    let mut spec = Spec::plain(&[1, 1, 1, 1, 1, 1]);
    spec.checkpoints.insert(2);
    let fx = build(&spec);
    fs::remove_file(fx.seg(5)).unwrap();
    let r = fx.verify();
    assert_has(&r, Some(5), &[Kind::TailTruncated]);
    let states: Vec<SegmentState> = r.states.iter().map(|s| s.state).collect();
    assert_eq!(states[..2], [SegmentState::Verified; 2], "{}", dump(&r));
    assert_nothing_trusted_from(&r, 2);
    assert_eq!(r.head.as_ref().map(|h| h.seq), Some(1), "{}", dump(&r));
}

/// A file named with a huge seq used to wrap the position count (hiding deleted segments) or
/// make the verifier enumerate an astronomically long gap.
#[test]
fn absurd_segment_numbers_are_malformed_not_enumerated() {
    let fx = build(&Spec::plain(&[1, 2, 1]));
    let copy = fs::read(fx.seg(2)).unwrap();
    for name in ["18446744073709551615.seg", "00000000100000000000.seg"] {
        fs::write(fx.root.join("segments").join(name), &copy).unwrap();
    }
    fs::remove_file(fx.seg(1)).unwrap();
    let r = fx.verify();
    assert!(!r.is_intact());
    assert_has(&r, Some(1), &[Kind::Gap]);
    assert_has(&r, Some(u64::MAX), &[Kind::Malformed]);
    assert_has(&r, Some(100_000_000_000), &[Kind::Malformed]);
    assert_eq!(r.segments, 3, "{}", dump(&r));
}

/// Deleting every checkpoint used to leave only "unsigned tail" warnings (exit 0), even for a
/// store that was signed when pinned, or when `--pubkey` demands signatures.
#[test]
fn a_store_stripped_of_its_checkpoints_is_an_error_when_signatures_are_expected() {
    let fx = build(&Spec::plain(&[1, 2]));
    assert_intact(&fx.verify_pinned());
    fs::remove_dir_all(fx.root.join("checkpoints")).unwrap();
    fs::create_dir(fx.root.join("checkpoints")).unwrap();
    let r = fx.verify_pinned();
    assert!(!r.is_intact(), "{}", dump(&r));
    assert_has(&r, None, &[Kind::CheckpointMismatch]);
    let r = fx.verify_with(Some(0));
    assert_has(&r, None, &[Kind::UnknownSigner]);
    // Without a pin or --pubkey an unsigned store is only a warning.
    let mut spec = Spec::plain(&[1]);
    spec.key = None;
    assert_intact(&build(&spec).verify());
}
