//! Fetching segments several at a time, with retries, checking each one as it arrives.
//!
//! Workers take seqs from a shared counter; each fetched body is checked on its own
//! ([`check_segment`]: content hash before parsing). A transient store fault, or a body that
//! fails its checks, is fetched again after a backoff with jitter; a segment that still fails
//! is handed on with its problem, and a store that still cannot answer stops the pull with an
//! error naming the segment.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::Rng;

use crate::segment::segment_path;
use crate::store::{Store, StoreError};
use crate::verify::segment_check::{SegmentFacts, check_segment};

/// How to fetch.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Segments fetched at once.
    pub jobs: usize,
    /// Attempts per segment (the first included).
    pub tries: u32,
    /// First backoff; doubled at every further try, with up to 50 % jitter.
    pub backoff: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            jobs: 8,
            tries: 4,
            backoff: Duration::from_millis(200),
        }
    }
}

/// One fetched and checked segment.
pub struct Fetched {
    /// Its seq.
    pub seq: u64,
    /// The bytes, `None` when the store does not have it.
    pub bytes: Option<Vec<u8>>,
    /// What checking the bytes found.
    pub facts: Option<SegmentFacts>,
    /// Attempts it took.
    pub tries: u32,
    /// Time spent checking (hashing, parsing) the bytes.
    pub check_time: Duration,
}

/// The store could not deliver a segment after every try.
#[derive(Debug, thiserror::Error)]
#[error("segment {seq} ({path}): {source} (after {tries} tries)")]
pub struct FetchError {
    /// The segment.
    pub seq: u64,
    /// Its store path.
    pub path: String,
    /// Attempts made.
    pub tries: u32,
    /// The last error.
    pub source: StoreError,
}

/// Fetches and checks every seq in `seqs`, `opts.jobs` at a time, calling `each` (from one
/// thread at a time, in no particular order) for every segment. Stops at the first segment the
/// store cannot deliver, or the first error `each` returns.
pub fn fetch_segments(
    store: &dyn Store,
    seqs: &[u64],
    opts: &FetchOptions,
    each: &mut (dyn FnMut(Fetched) -> anyhow::Result<()> + Send),
) -> anyhow::Result<()> {
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let each = Mutex::new(each);
    let first_error: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let jobs = opts.jobs.clamp(1, 64).min(seqs.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                    let Some(&seq) = seqs.get(i) else { return };
                    let result = fetch_one(store, seq, opts)
                        .map_err(anyhow::Error::from)
                        .and_then(|f| (each.lock().expect("fetch callback poisoned"))(f));
                    if let Err(e) = result {
                        stop.store(true, Ordering::Relaxed);
                        let mut slot = first_error.lock().expect("error slot poisoned");
                        if slot.is_none() {
                            *slot = Some(e);
                        }
                        return;
                    }
                }
            });
        }
    });
    match first_error.into_inner().expect("error slot poisoned") {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Fetches one segment, retrying transient faults and bodies that fail their checks.
pub fn fetch_one(store: &dyn Store, seq: u64, opts: &FetchOptions) -> Result<Fetched, FetchError> {
    let path = segment_path(seq);
    let tries = opts.tries.max(1);
    let mut attempt = 0;
    loop {
        attempt += 1;
        match store.get(&path) {
            Ok(None) => {
                return Ok(Fetched {
                    seq,
                    bytes: None,
                    facts: None,
                    tries: attempt,
                    check_time: Duration::ZERO,
                });
            }
            Ok(Some(bytes)) => {
                let started = Instant::now();
                let facts = check_segment(seq, path.clone(), &bytes);
                let check_time = started.elapsed();
                // A body that fails its checks is fetched once more (it may have been cut or
                // damaged in transit) before it is called tampered.
                if facts.issue.is_none() || attempt >= tries.min(2) {
                    return Ok(Fetched {
                        seq,
                        bytes: Some(bytes),
                        facts: Some(facts),
                        tries: attempt,
                        check_time,
                    });
                }
            }
            Err(e) if e.is_transient() && attempt < tries => {}
            Err(source) => {
                return Err(FetchError {
                    seq,
                    path,
                    tries: attempt,
                    source,
                });
            }
        }
        std::thread::sleep(backoff(opts.backoff, attempt));
    }
}

/// Backoff before try `attempt + 1`: base × 2^(attempt-1), plus up to 50 % jitter, at most 10 s.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1 << (attempt - 1).min(6));
    let jitter = rand::thread_rng().gen_range(0.0..0.5);
    exp.mul_f64(1.0 + jitter).min(Duration::from_secs(10))
}
