//! `pull`: brings a store's new segments into the local index, verified, in chain order.
//!
//! 1. **Trust**: the pin, the trusted key and the store's checkpoints are read and checked
//!    exactly as `verify` does ([`crate::verify::establish_trust`]).
//! 2. **Fetch**: only segments after the local head are fetched, several at a time, with
//!    retries ([`fetch`]); each body is hashed before it is parsed and goes to the spool.
//! 3. **Verify**: the new segments' facts, joined to the headers of the local verified copies,
//!    are linked and checked against checkpoints and the pin by the same code as `verify`
//!    ([`crate::verify::conclude`]). The result says how far the chain is intact.
//! 4. **Keep**: the intact new segments are moved from the spool to the local copies and the
//!    verified chain is recorded ([`VerifiedHead`]). From here on, queries answer for them by
//!    scanning the copies ([`crate::query::scan`]) while the index catches up.
//! 5. **Index**: they are indexed in seq order from the copies; each commit records the head it
//!    reached in the same atomic step ([`crate::index::IndexHead`]). Nothing after a break is
//!    kept or indexed. [`PullOptions::index`] `false` stops before this step;
//!    [`index_verified`] does it later.
//! 6. **Full text**: a second pass adds the same segments to the full index, then both indexes
//!    are merged.
//!
//! Killed at any moment, the index is as of its last commit and the next pull resumes there.

pub mod fetch;
pub mod local;
pub mod lock;
pub mod verified;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::index::{EventIndex, IndexHead, IndexKind, Indexer};
use crate::segment::Hash32;
use crate::store::Store;
use crate::verify::segment_check::{SegmentFacts, facts_from_verified_header};
use crate::verify::{
    Kind, PinStore, Problem, Report, SegmentState, VerifyError, VerifyOptions, conclude,
    establish_trust, segment_names,
};

pub use fetch::FetchOptions;
pub use local::LocalState;
pub use verified::VerifiedHead;

/// How to pull.
#[derive(Clone)]
pub struct PullOptions {
    /// Accept only checkpoints signed by this key.
    pub pubkey: Option<crate::segment::keys::Verifier>,
    /// Fetching.
    pub fetch: FetchOptions,
    /// Indexing threads.
    pub index_threads: usize,
    /// Build the full-text index after the structured one.
    pub fulltext: bool,
    /// Commit the index at least every this many segments (progress kept if killed).
    pub commit_every: u64,
    /// Index what was verified. Without it the pull stops once the new segments are verified
    /// and copied: queries answer for them by scanning until [`index_verified`] runs.
    pub index: bool,
}

impl Default for PullOptions {
    fn default() -> Self {
        PullOptions {
            pubkey: None,
            fetch: FetchOptions::default(),
            index_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            fulltext: true,
            commit_every: 64,
            index: true,
        }
    }
}

/// Stage of a pull, for progress display.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Fetching and checking segments.
    Fetch,
    /// Indexing structured fields.
    Index,
    /// Building the full-text index.
    Fulltext,
    /// Merging index segments.
    Merge,
}

/// A progress report.
#[derive(Clone, Debug)]
pub struct Progress {
    /// Current stage.
    pub stage: Stage,
    /// Segments done in this stage.
    pub segments: u64,
    /// Segments this stage will handle.
    pub total_segments: u64,
    /// Bytes done in this stage.
    pub bytes: u64,
    /// Bytes this stage will handle, when known.
    pub total_bytes: Option<u64>,
    /// Events done in this stage.
    pub events: u64,
}

/// Seconds spent in each stage.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Timings {
    /// Trust and listing.
    pub trust_s: f64,
    /// Fetching and checking (wall clock).
    pub fetch_s: f64,
    /// Of which checking (hashing, parsing): wall time summed over the fetch workers, so with
    /// more workers than cores it includes time spent waiting for a core.
    pub check_cpu_s: f64,
    /// Chain analysis, and moving the verified copies into place.
    pub verify_s: f64,
    /// Structured indexing until its last commit.
    pub index_s: f64,
    /// Full-text pass.
    pub fulltext_s: f64,
    /// Merging.
    pub merge_s: f64,
    /// Everything.
    pub total_s: f64,
}

/// What a pull did.
#[derive(Clone, Debug, Serialize)]
pub struct PullSummary {
    /// Store location.
    pub store: String,
    /// Segments fetched this run (new ones plus `refetched_segments`).
    pub fetched_segments: u64,
    /// Of those, segments pulled before and fetched again to check the store still holds them
    /// (the unsigned tail and the last attested segment).
    pub refetched_segments: u64,
    /// Bytes fetched this run.
    pub fetched_bytes: u64,
    /// Fetch attempts beyond the first, over all segments.
    pub retries: u64,
    /// Segments verified and copied locally after this run (the verified head).
    pub verified_segments: u64,
    /// Seconds from the start until the new segments were verified and copied (from then on
    /// queries answer for them).
    pub verified_after_s: f64,
    /// Segments indexed this run.
    pub indexed_segments: u64,
    /// Events indexed this run.
    pub indexed_events: u64,
    /// The local head after the pull.
    pub head: IndexHead,
    /// Events indexed per second (structured index, fetch to commit).
    pub events_per_s: f64,
    /// Time per stage.
    pub timings: Timings,
    /// The verification report over the whole chain (local copies plus new segments), in the
    /// same shape as `verify --json`.
    pub verify: Report,
}

impl PullSummary {
    /// Whether the chain is intact (no error problem).
    pub fn is_intact(&self) -> bool {
        self.verify.is_intact()
    }
}

/// Pulls `store` into its local state under `home`.
pub fn pull(
    store: &dyn Store,
    home: &Path,
    opts: &PullOptions,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> anyhow::Result<PullSummary> {
    let _lock = lock::acquire(home, &store.location())?;
    let started = Instant::now();
    let location = store.location();
    if !store.is_store()? {
        return Err(VerifyError::NotAStore(location).into());
    }
    let local = LocalState::at(home, &location);
    local.create()?;
    local.clear_spool()?;
    let structured = EventIndex::open_or_create(
        &local.index_dir(IndexKind::Structured),
        IndexKind::Structured,
    )?;
    let mut indexer = Indexer::new(&structured, opts.index_threads)?;
    let mut timings = Timings::default();
    // Segments an earlier pull verified and kept but did not index are indexed from their
    // copies first: nothing is fetched twice.
    let mut carried = Indexed::default();
    if opts.index {
        if let Some(v) = local.load_verified()? {
            carried = index_structured(&local, &mut indexer, &v, opts, progress)?;
        }
    }
    let start_head = indexer.head.clone();

    // 1. Trust.
    let vopts = VerifyOptions {
        pubkey: opts.pubkey.clone(),
        pins: Some(PinStore::new(home)),
    };
    let mut trust = establish_trust(store, &vopts)?;
    let names = segment_names(store, &mut trust.problems)?;
    let remote_positions = names.last().map_or(0, |(s, _)| s + 1);
    let pinned = trust.pin.as_ref().is_some_and(|p| p.head.is_some());
    if remote_positions < start_head.segments && !pinned {
        // With a pin, `conclude` reports this exactly as `verify` does.
        let seq = start_head.segments - 1;
        trust.problems.push(Problem::new(
            Some(seq),
            Kind::Rollback,
            Some(crate::segment::segment_path(seq)),
            format!(
                "the local index holds segments 0..{} but the store now has only {remote_positions}",
                start_head.segments
            ),
        ));
    }
    // Local copies stand in for the store only where a checkpoint attested them when they were
    // pulled. The unsigned tail, and the last attested segment (where the pin usually sits),
    // are fetched again on every pull, so a store rewritten behind our back is seen as the fork
    // or rollback it is.
    let refetch_from = start_head
        .covered
        .saturating_sub(1)
        .min(start_head.segments);
    let mut facts: BTreeMap<u64, SegmentFacts> = BTreeMap::new();
    for seq in 0..refetch_from {
        let line = local.header_line(seq)?;
        facts.insert(
            seq,
            facts_from_verified_header(seq, crate::segment::segment_path(seq), &line),
        );
    }
    timings.trust_s = started.elapsed().as_secs_f64();

    // 2. Fetch the new segments.
    let t = Instant::now();
    let new_seqs: Vec<u64> = names
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| *s >= refetch_from)
        .collect();
    let mut fetched_bytes = 0u64;
    let mut retries = 0u64;
    let mut check_time = Duration::ZERO;
    let mut new_facts: Vec<SegmentFacts> = Vec::new();
    let mut done = 0u64;
    let total = new_seqs.len() as u64;
    {
        let mut each = |f: fetch::Fetched| -> anyhow::Result<()> {
            retries += u64::from(f.tries - 1);
            check_time += f.check_time;
            done += 1;
            if let Some(bytes) = &f.bytes {
                fetched_bytes += bytes.len() as u64;
                if f.facts.as_ref().is_some_and(|x| x.issue.is_none()) {
                    local.spool(f.seq, bytes)?;
                }
            }
            if let Some(x) = f.facts {
                new_facts.push(x);
            }
            progress(&Progress {
                stage: Stage::Fetch,
                segments: done,
                total_segments: total,
                bytes: fetched_bytes,
                total_bytes: None,
                events: 0,
            });
            Ok(())
        };
        fetch::fetch_segments(store, &new_seqs, &opts.fetch, &mut each)?;
    }
    for f in new_facts {
        facts.insert(f.name_seq, f);
    }
    timings.fetch_s = t.elapsed().as_secs_f64();
    timings.check_cpu_s = check_time.as_secs_f64();

    // 3. Verify the whole chain: local copies plus new segments. If the store no longer holds
    //    what was pulled (the re-fetched segments differ from the local copies, or are gone),
    //    local copies cannot stand in for it: the store is verified in full, exactly as `verify`
    //    would, and nothing new is indexed.
    let t = Instant::now();
    let mut diverged = false;
    for seq in refetch_from..start_head.segments {
        let local_hash = facts_from_verified_header(
            seq,
            crate::segment::segment_path(seq),
            &local.header_line(seq)?,
        )
        .chain_hash;
        if facts.get(&seq).and_then(|f| f.chain_hash) != local_hash {
            diverged = true;
            break;
        }
    }
    let report = if diverged {
        drop(trust);
        crate::verify::verify_store(store, &vopts)?
    } else {
        conclude(location.clone(), &facts, trust, &vopts)?
    };
    let intact = report
        .states
        .iter()
        .take_while(|s| matches!(s.state, SegmentState::Verified | SegmentState::UnsignedTail))
        .count() as u64;
    let covered = report
        .states
        .iter()
        .take_while(|s| s.state == SegmentState::Verified)
        .count() as u64;
    timings.verify_s = t.elapsed().as_secs_f64();

    // 4. Keep the intact new segments: move them to the local copies and record the verified
    //    chain, so queries can answer for them (by scanning) before they are indexed.
    let t = Instant::now();
    // The indexed unsigned tail must still be the store's: same chain hash at the local head.
    // If not, it is removed from the index and the intact part is indexed again. Events that
    // were attested by a checkpoint when they were pulled are never removed (a store that now
    // disagrees with them is reported, and nothing after the disagreement is indexed).
    let intact = if diverged { 0 } else { intact };
    let tail_agrees = start_head.segments == 0
        || (intact >= start_head.segments
            && facts
                .get(&(start_head.segments - 1))
                .and_then(|f| f.chain_hash)
                .map(|h| h.to_hex())
                == start_head.head_hash);
    let index_from = if tail_agrees {
        start_head.segments
    } else {
        let keep = start_head.covered;
        let mut events = 0;
        let mut hash = None;
        for seq in 0..keep {
            let line = local.header_line(seq)?;
            let f = facts_from_verified_header(seq, crate::segment::segment_path(seq), &line);
            events += f.events;
            hash = f.chain_hash.map(|h| h.to_hex());
        }
        indexer.truncate_to(keep, hash, events)?;
        indexer.commit()?;
        keep
    };
    let mut verified = VerifiedHead {
        base: index_from,
        base_hash: indexer.head.head_hash.clone(),
        hashes: Vec::new(),
        covered: 0,
        counts: Vec::new(),
    };
    // Each copy is synced before it is moved into place (several at a time: the disk, not the
    // CPU, is the limit), and the directory after.
    {
        use rayon::prelude::*;
        (index_from..intact.max(index_from))
            .into_par_iter()
            .try_for_each(|seq| local.sync_spooled(seq))?;
    }
    for seq in index_from..intact {
        let f = facts
            .get(&seq)
            .ok_or_else(|| anyhow::anyhow!("segment {seq}: verified without its facts"))?;
        let hash = f
            .chain_hash
            .map(|h: Hash32| h.to_hex())
            .ok_or_else(|| anyhow::anyhow!("segment {seq}: verified without a chain hash"))?;
        local.move_synced(seq)?;
        verified.hashes.push(hash);
        verified.counts.push(f.events);
    }
    local.sync_segments_dir()?;
    verified.covered = covered_at(covered, &start_head, verified.segments());
    local.save_verified(&verified)?;
    local.clear_spool()?;
    timings.verify_s += t.elapsed().as_secs_f64();
    let verified_ready = started.elapsed().as_secs_f64();

    // 5. Index them in order, then the full text, then merge (unless asked to stop here).
    let mut indexed = Indexed::default();
    if opts.index {
        indexed = index_range(
            &local,
            &mut indexer,
            &verified,
            opts,
            progress,
            &mut timings,
        )?;
    }
    let head = indexer.head.clone();
    let structured_ready = started.elapsed().as_secs_f64() - timings.fulltext_s - timings.merge_s;
    if opts.index {
        let t = Instant::now();
        progress(&merge_progress());
        indexer.merge()?;
        timings.merge_s = t.elapsed().as_secs_f64();
    }
    timings.total_s = started.elapsed().as_secs_f64();

    Ok(PullSummary {
        store: location,
        fetched_segments: total,
        refetched_segments: start_head.segments - refetch_from,
        fetched_bytes,
        retries,
        verified_segments: verified.segments(),
        indexed_segments: indexed.segments + carried.segments,
        indexed_events: indexed.events + carried.events,
        events_per_s: if structured_ready > 0.0 {
            (indexed.events + carried.events) as f64 / structured_ready
        } else {
            0.0
        },
        verified_after_s: verified_ready,
        head,
        timings,
        verify: report,
    })
}

/// What an indexing pass added.
#[derive(Clone, Copy, Debug, Default)]
struct Indexed {
    segments: u64,
    events: u64,
}

fn merge_progress() -> Progress {
    Progress {
        stage: Stage::Merge,
        segments: 0,
        total_segments: 0,
        bytes: 0,
        total_bytes: None,
        events: 0,
    }
}

/// Indexes the verified copies the structured index does not hold yet (from `verified`), in
/// seq order, committing every `commit_every` segments with the head reached; then the full
/// text. Fills `timings.index_s` and `timings.fulltext_s`.
fn index_range(
    local: &LocalState,
    indexer: &mut Indexer<'_>,
    verified: &VerifiedHead,
    opts: &PullOptions,
    progress: &mut (dyn FnMut(&Progress) + Send),
    timings: &mut Timings,
) -> anyhow::Result<Indexed> {
    let t = Instant::now();
    let done = index_structured(local, indexer, verified, opts, progress)?;
    timings.index_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    if opts.fulltext {
        catch_up_fulltext(local, &indexer.head, opts, progress)?;
    }
    timings.fulltext_s = t.elapsed().as_secs_f64();
    Ok(done)
}

/// The structured part of [`index_range`].
fn index_structured(
    local: &LocalState,
    indexer: &mut Indexer<'_>,
    verified: &VerifiedHead,
    opts: &PullOptions,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> anyhow::Result<Indexed> {
    let before = indexer.head.clone();
    let Some(range) = verified.scan_range(&before) else {
        // Nothing new to index; but a checkpoint may now cover segments indexed as an unsigned
        // tail: the head records that they are attested (else they would stay shown as
        // unsigned, and raise no alert, until another segment arrives).
        let at_end = before.segments == verified.segments()
            && (before.segments == 0
                || verified.hash_of(before.segments - 1) == before.head_hash.as_deref());
        let covered = covered_at(verified.covered, &before, before.segments);
        if at_end && covered != before.covered {
            indexer.head.covered = covered;
            indexer.commit()?;
        }
        return Ok(Indexed::default());
    };
    let to_index = range.end - range.start;
    let mut done = Indexed::default();
    let mut since_commit = 0u64;
    for seq in range {
        let hash = verified
            .hash_of(seq)
            .ok_or_else(|| anyhow::anyhow!("segment {seq}: verified without a chain hash"))?
            .to_string();
        let bytes = local.read_segment(seq)?;
        done.events += indexer.add_segment(seq, &bytes, &hash)?;
        done.segments += 1;
        since_commit += 1;
        if since_commit >= opts.commit_every.max(1) {
            indexer.head.covered = covered_at(verified.covered, &before, indexer.head.segments);
            indexer.commit()?;
            since_commit = 0;
        }
        progress(&Progress {
            stage: Stage::Index,
            segments: done.segments,
            total_segments: to_index,
            bytes: 0,
            total_bytes: None,
            events: done.events,
        });
    }
    indexer.head.covered = covered_at(verified.covered, &before, indexer.head.segments);
    indexer.commit()?;
    Ok(done)
}

/// What [`index_verified`] did.
#[derive(Clone, Debug, Serialize)]
pub struct IndexSummary {
    /// Segments indexed.
    pub indexed_segments: u64,
    /// Events indexed.
    pub indexed_events: u64,
    /// The local head after indexing.
    pub head: IndexHead,
    /// Time per stage (index, full text, merge, total).
    pub timings: Timings,
}

/// Indexes what an earlier pull verified but did not index (a pull with `index: false`, or one
/// that was stopped), from the local verified copies; nothing is fetched and nothing unverified
/// is read. Then the full text and the merge, as a pull does.
pub fn index_verified(
    home: &Path,
    location: &str,
    opts: &PullOptions,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> anyhow::Result<IndexSummary> {
    let started = Instant::now();
    let local = LocalState::at(home, location);
    let structured = EventIndex::open_or_create(
        &local.index_dir(IndexKind::Structured),
        IndexKind::Structured,
    )?;
    let mut indexer = Indexer::new(&structured, opts.index_threads)?;
    let verified = local.load_verified()?.unwrap_or_default();
    let mut timings = Timings::default();
    let done = index_range(
        &local,
        &mut indexer,
        &verified,
        opts,
        progress,
        &mut timings,
    )?;
    let head = indexer.head.clone();
    let t = Instant::now();
    progress(&merge_progress());
    indexer.merge()?;
    timings.merge_s = t.elapsed().as_secs_f64();
    timings.total_s = started.elapsed().as_secs_f64();
    Ok(IndexSummary {
        indexed_segments: done.segments,
        indexed_events: done.events,
        head,
        timings,
    })
}

/// How many of `segments` indexed segments count as attested: those covered by a checkpoint
/// now, and never fewer than were attested before this pull (they were checked against a
/// signed checkpoint then, and their local copies have not changed).
fn covered_at(covered_now: u64, before: &IndexHead, segments: u64) -> u64 {
    covered_now.max(before.covered).min(segments)
}

/// Brings the full index to `head` from the local verified copies (and back, if the structured
/// index was truncated), then merges it.
pub fn catch_up_fulltext(
    local: &LocalState,
    head: &IndexHead,
    opts: &PullOptions,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> anyhow::Result<()> {
    let full = EventIndex::open_or_create(&local.index_dir(IndexKind::Full), IndexKind::Full)?;
    let mut w = Indexer::new(&full, opts.index_threads)?;
    if w.head.segments > head.segments
        || (w.head.segments == head.segments && w.head.head_hash != head.head_hash)
    {
        w.truncate_to(0, None, 0)?;
    }
    let from = w.head.segments;
    let mut since_commit = 0u64;
    let mut events = 0u64;
    for seq in from..head.segments {
        let bytes = local.read_segment(seq)?;
        let hash = if seq + 1 == head.segments {
            head.head_hash.clone().unwrap_or_default()
        } else {
            let line = local.header_line(seq + 1)?;
            let next: crate::segment::header::SegmentHeader = serde_json::from_slice(&line)?;
            next.prev
        };
        events += w.add_segment(seq, &bytes, &hash)?;
        since_commit += 1;
        if since_commit >= opts.commit_every.max(1) {
            w.head.covered = head.covered.min(w.head.segments);
            w.commit()?;
            since_commit = 0;
        }
        progress(&Progress {
            stage: Stage::Fulltext,
            segments: seq + 1 - from,
            total_segments: head.segments - from,
            bytes: 0,
            total_bytes: None,
            events,
        });
    }
    w.head.covered = head.covered.min(w.head.segments);
    w.commit()?;
    w.merge()
}
