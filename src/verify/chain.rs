//! Combines per-segment facts and checkpoints into chain findings, attributing each
//! inconsistency to the segment that caused it.
//!
//! One altered byte shows up in two places: the altered segment and the link that points at it
//! (the next segment's `prev`, or a checkpoint). Attribution rules, in order:
//! - a segment that contradicts itself and whose outgoing link is broken has a modified
//!   **header**; the broken outgoing link is a consequence and is not reported again;
//! - a segment that contradicts itself with its outgoing link intact (or unknown) reports its
//!   own kind (`content_modified`, `count_mismatch`, …);
//! - a self-consistent segment whose `prev` does not match an intact predecessor has either a
//!   modified `prev` (when its own outgoing link is broken too: `header_modified`) or is a
//!   `chain_break`;
//! - a self-consistent segment that chains from its predecessor but whose outgoing link is
//!   broken, while the segment after it is confirmed by its own outgoing link (the segment after
//!   that, or a checkpoint), had its header altered without contradicting itself (a time
//!   respelled `t`/`z`, or the whole segment re-encoded): `header_modified` at that segment, not
//!   a `chain_break` at the confirmed one after it (when the link leaving it is a checkpoint, the
//!   two cannot be told apart from a wrongly signed checkpoint: `checkpoint_mismatch`);
//! - missing, renamed and replayed segments are reported as such and explain the broken links
//!   around them. Of several identical files, the one whose name matches its header's seq is the
//!   original and the others are `duplicate`s (else the first is the original). A file whose
//!   header names another seq is `reordered`, unless it fits nowhere in the chain (no `prev` or
//!   checkpoint records its hash, and its `prev` is not the hash of a file whose header names
//!   the seq before) while the link leaving its position is broken: then its `seq` was edited,
//!   `header_modified`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::segment::Hash32;

use super::checkpoints::ValidCheckpoint;
use super::problem::{Kind, Problem};
use super::segment_check::SegmentFacts;

/// The outcome of chain analysis.
#[derive(Debug, Default)]
pub struct ChainAnalysis {
    /// Problems found, in seq order.
    pub problems: Vec<Problem>,
    /// Seqs with a problem of their own (or missing).
    pub bad: BTreeSet<u64>,
    /// First seq that cannot be verified; every seq below it chains cleanly from 0.
    pub break_at: u64,
    /// Number of segments (from 0, at most `break_at`) attested by a checkpoint that agrees with
    /// the chain, directly or through intact header links.
    pub covered: u64,
    /// Size of the checkpoint that attests `covered` (it may cover more segments than are
    /// verified, when a later segment has a problem).
    pub covering_checkpoint: Option<u64>,
    /// The store's origin (from a valid checkpoint, else the most common header origin).
    pub origin: Option<String>,
    /// Number of segment positions (highest seq + 1).
    pub positions: u64,
}

/// Analyses `facts` (keyed by the seq in the file name) against `cps` (valid checkpoints by size).
pub fn analyse(
    facts: &BTreeMap<u64, SegmentFacts>,
    cps: &BTreeMap<u64, ValidCheckpoint>,
) -> ChainAnalysis {
    let mut a = ChainAnalysis {
        positions: facts.keys().next_back().map_or(0, |m| m + 1),
        ..Default::default()
    };
    a.origin = store_origin(facts, cps);
    let mut displaced: BTreeSet<u64> = BTreeSet::new();

    // Replays and renames first: such a file says nothing about its position.
    // The original of identical files is the one in its own place, else the first.
    let in_place = |seq: u64, f: &SegmentFacts| f.header.as_ref().is_some_and(|hd| hd.seq == seq);
    let mut original: HashMap<Hash32, u64> = HashMap::new();
    for (&seq, f) in facts.iter().filter(|(s, f)| in_place(**s, f)).chain(facts) {
        if let Some(h) = f.chain_hash {
            original.entry(h).or_insert(seq);
        }
    }
    // Hashes recorded by a link (any file's `prev`, any valid checkpoint).
    let recorded: HashSet<Hash32> = facts
        .values()
        .filter_map(|f| f.prev)
        .chain(cps.values().map(|c| c.checkpoint.hash))
        .collect();
    for (&seq, f) in facts {
        if let Some(h) = f.chain_hash {
            let first = original[&h];
            if first != seq {
                a.problems.push(Problem::new(
                    Some(seq),
                    Kind::Duplicate,
                    Some(f.file.clone()),
                    format!("identical to segment {first} (replayed)"),
                ));
                displaced.insert(seq);
                continue;
            }
        }
        if let (Some(hd), Some(h), Some(prev)) = (&f.header, f.chain_hash, f.prev) {
            if hd.seq != seq {
                // Does the file fit where its header says it belongs?
                let fits_after = if hd.seq == 0 {
                    prev == Hash32::ZERO
                } else {
                    facts.values().any(|g| {
                        g.header
                            .as_ref()
                            .is_some_and(|gh| gh.seq.checked_add(1) == Some(hd.seq))
                            && g.chain_hash == Some(prev)
                    })
                };
                // The link leaving this position, from a file in its own place or a checkpoint.
                let out = facts
                    .get(&(seq + 1))
                    .filter(|n| in_place(seq + 1, n))
                    .and_then(|n| n.prev)
                    .or_else(|| cps.get(&(seq + 1)).map(|c| c.checkpoint.hash));
                if !recorded.contains(&h) && !fits_after && out.is_some_and(|o| o != h) {
                    let detail = format!(
                        "header says seq {}, but the file fits nowhere in the chain and the \
                         segment after (or a checkpoint) records another hash for this header",
                        hd.seq
                    );
                    let file = Some(f.file.clone());
                    let p = Problem::new(Some(seq), Kind::HeaderModified, file, detail);
                    a.problems.push(p);
                } else {
                    a.problems.push(Problem::new(
                        Some(seq),
                        Kind::Reordered,
                        Some(f.file.clone()),
                        format!("file name says seq {seq}, header says seq {}", hd.seq),
                    ));
                }
                displaced.insert(seq);
            }
        }
    }
    a.bad.extend(displaced.iter().copied());

    // Gaps.
    let mut missing_start: Option<u64> = None;
    for seq in 0..=a.positions {
        let present = facts.contains_key(&seq) || seq == a.positions;
        match (present, missing_start) {
            (false, None) => missing_start = Some(seq),
            (true, Some(s)) => {
                let what = if s + 1 == seq {
                    format!("segment {s} is missing")
                } else {
                    format!("segments {s}..={} are missing", seq - 1)
                };
                a.problems.push(Problem::new(
                    Some(s),
                    Kind::Gap,
                    Some(crate::segment::segment_path(s)),
                    what,
                ));
                a.bad.extend(s..seq);
                missing_start = None;
            }
            _ => {}
        }
    }

    let hash_of = |k: u64| {
        facts
            .get(&k)
            .filter(|_| !displaced.contains(&k))
            .and_then(|f| f.chain_hash)
    };
    // Whether the link leaving segment k (to k+1 or a checkpoint of size k+1) contradicts h_k.
    let out_broken = |k: u64, h: Hash32| -> Option<bool> {
        if let Some(next) = facts
            .get(&(k + 1))
            .filter(|_| !displaced.contains(&(k + 1)))
        {
            if let Some(p) = next.prev {
                return Some(p != h);
            }
        }
        cps.get(&(k + 1)).map(|cp| cp.checkpoint.hash != h)
    };

    let mut explained_in: BTreeSet<u64> = BTreeSet::new();
    let mut explained_cp: BTreeSet<u64> = BTreeSet::new();
    for (&k, f) in facts {
        if displaced.contains(&k) {
            continue;
        }
        let mut issue = f.issue.clone();
        if issue.is_none() {
            if let (Some(hd), Some(o)) = (&f.header, &a.origin) {
                if &hd.origin != o {
                    issue = Some((
                        Kind::OriginMismatch,
                        format!("origin is {:?}, the store's is {o:?}", hd.origin),
                    ));
                }
            }
        }
        let file = Some(f.file.clone());
        if let Some((kind, detail)) = issue {
            let broken_out = f.chain_hash.and_then(|h| out_broken(k, h)) == Some(true);
            if broken_out && f.header.is_some() {
                a.problems.push(Problem::new(
                    Some(k),
                    Kind::HeaderModified,
                    file,
                    format!("header hash no longer matches the chain, and {detail}"),
                ));
                explained_in.insert(k + 1);
                explained_cp.insert(k + 1);
            } else {
                if broken_out {
                    explained_in.insert(k + 1);
                    explained_cp.insert(k + 1);
                }
                a.problems.push(Problem::new(Some(k), kind, file, detail));
            }
            a.bad.insert(k);
            continue;
        }
        let (Some(prev), Some(h)) = (f.prev, f.chain_hash) else {
            continue;
        };
        let in_broken = if k == 0 {
            Some(prev != Hash32::ZERO)
        } else {
            hash_of(k - 1).map(|hp| hp != prev)
        };
        if in_broken == Some(false) && out_broken(k, h) == Some(true) {
            // Chains from its predecessor, but the segment after records another hash for it:
            // if that segment is itself confirmed by the link after it, this header was altered.
            let next_confirmed = facts
                .get(&(k + 1))
                .filter(|_| !displaced.contains(&(k + 1)))
                .and_then(|n| n.chain_hash.filter(|_| n.prev.is_some()))
                .is_some_and(|hn| out_broken(k + 1, hn) == Some(false));
            if next_confirmed {
                let detail = "header no longer hashes to what the segment after records, and \
                              that segment is confirmed by the link after it";
                let p = Problem::new(Some(k), Kind::HeaderModified, file, detail);
                a.problems.push(p);
                explained_in.insert(k + 1);
                explained_cp.insert(k + 1);
                a.bad.insert(k);
                continue;
            }
        }
        if in_broken != Some(true)
            || explained_in.contains(&k)
            || (k > 0 && a.bad.contains(&(k - 1)))
        {
            continue;
        }
        if out_broken(k, h) == Some(true) {
            a.problems.push(Problem::new(Some(k), Kind::HeaderModified, file,
                "prev no longer matches segment before, and the segment after (or a checkpoint) records another hash for this header".to_string()));
            explained_in.insert(k + 1);
            explained_cp.insert(k + 1);
        } else {
            let want = if k == 0 {
                Hash32::ZERO
            } else {
                hash_of(k - 1).unwrap_or_default()
            };
            a.problems.push(Problem::new(
                Some(k),
                Kind::ChainBreak,
                file,
                format!(
                    "prev is {}, chain hash of segment {} is {}",
                    prev.short(),
                    k.saturating_sub(1),
                    want.short()
                ),
            ));
        }
        a.bad.insert(k);
    }

    // Checkpoints against the chain.
    let mut break_at = a.bad.iter().next().copied().unwrap_or(a.positions);
    let mut truncated: Option<(u64, String)> = None;
    for (&size, cp) in cps {
        let k = size - 1;
        let file = Some(cp.file.clone());
        if let Some(o) = &a.origin {
            if &cp.checkpoint.origin != o {
                a.problems.push(Problem::new(
                    Some(k),
                    Kind::OriginMismatch,
                    file,
                    format!(
                        "checkpoint origin is {:?}, the store's is {o:?}",
                        cp.checkpoint.origin
                    ),
                ));
                continue;
            }
        }
        if size > a.positions {
            truncated = Some((size, cp.file.clone()));
            continue;
        }
        let Some(h) = facts.get(&k).and_then(|f| f.chain_hash) else {
            continue;
        };
        if h != cp.checkpoint.hash && !explained_cp.contains(&size) {
            // Reported only when nothing else explains it; but a signed checkpoint that the
            // chain contradicts always ends trust at the newest checkpoint that still agrees:
            // what follows cannot pass for an unsigned tail (e.g. a forged segment inserted
            // before a checkpointed one).
            if !a.bad.contains(&k) {
                a.problems.push(Problem::new(
                    Some(k),
                    Kind::CheckpointMismatch,
                    file,
                    format!(
                        "signed hash {} for segment {k}, the store's segment hashes to {}",
                        cp.checkpoint.hash.short(),
                        h.short()
                    ),
                ));
            }
            // The rewrite began somewhere after the newest checkpoint that still agrees.
            let agreeing = cps
                .range(..size)
                .rev()
                .find(|(s, c)| {
                    facts.get(&(*s - 1)).and_then(|f| f.chain_hash) == Some(c.checkpoint.hash)
                })
                .map_or(0, |(s, _)| *s);
            break_at = break_at.min(agreeing);
        }
    }
    if let Some((size, file)) = truncated {
        // A signed statement about segments that are gone: what follows the newest checkpoint
        // that still agrees cannot be checked against it, so it is not trusted either.
        let agreeing = cps
            .iter()
            .rev()
            .filter(|(s, _)| **s <= a.positions)
            .find(|(s, c)| {
                facts.get(&(*s - 1)).and_then(|f| f.chain_hash) == Some(c.checkpoint.hash)
            })
            .map_or(0, |(s, _)| *s);
        break_at = break_at.min(agreeing);
        a.problems.push(Problem::new(
            Some(a.positions),
            Kind::TailTruncated,
            Some(file),
            format!(
                "checkpoint covers {size} segments, the store holds {}",
                a.positions
            ),
        ));
    }
    a.break_at = break_at;
    // A checkpoint attests the segments before the break when it matches its own last segment
    // and every header link from the break back to it is intact (a body modified after the
    // break does not change the headers the checkpoint signed).
    let hash_at = |j: u64| facts.get(&j).and_then(|f| f.chain_hash);
    let links_intact = |from: u64, to: u64| {
        (from..to).all(|j| {
            let prev = facts.get(&(j + 1)).and_then(|f| f.prev);
            prev.is_some() && prev == hash_at(j)
        })
    };
    let best = cps
        .iter()
        .filter(|(s, c)| **s <= a.positions && a.origin.as_ref() == Some(&c.checkpoint.origin))
        .filter(|(s, c)| hash_at(*s - 1) == Some(c.checkpoint.hash))
        .map(|(&s, _)| {
            let covered = if s <= break_at {
                s
            } else if break_at > 0 && links_intact(break_at - 1, s - 1) {
                break_at
            } else {
                0
            };
            (covered, s)
        })
        .filter(|(covered, _)| *covered > 0)
        .max();
    a.covered = best.map_or(0, |(c, _)| c);
    a.covering_checkpoint = best.map(|(_, s)| s);
    a.problems.sort_by_key(|p| (p.seq, p.kind));
    a
}

fn store_origin(
    facts: &BTreeMap<u64, SegmentFacts>,
    cps: &BTreeMap<u64, ValidCheckpoint>,
) -> Option<String> {
    if let Some((_, cp)) = cps.iter().next_back() {
        return Some(cp.checkpoint.origin.clone());
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for f in facts.values() {
        if let Some(h) = &f.header {
            *counts.entry(h.origin.as_str()).or_default() += 1;
        }
    }
    let first = facts
        .values()
        .find_map(|f| f.header.as_ref().map(|h| h.origin.as_str()));
    counts
        .into_iter()
        .max_by_key(|(o, c)| (*c, Some(*o) == first))
        .map(|(o, _)| o.to_string())
}
