//! [`Sealer`]: accumulates mapped records and writes segments and checkpoints.

use anyhow::{Context, bail};

use crate::event::time::TimeNs;
use crate::event::{InputFormat, Mapping};
use crate::segment::checkpoint::{Checkpoint, LATEST_PATH, SIGNER_PUB_PATH, checkpoint_path};
use crate::segment::keys::{Signer, parse_verifier, short_key};
use crate::segment::{Hash32, encode_segment, segment_path};
use crate::store::{Store, WRITER_LOCK_NAME, WriterLock};
use crate::verify::{VerifyOptions, verify_store};

/// Default number of events per segment.
pub const DEFAULT_SEGMENT_EVENTS: usize = 10_000;

/// How to seal.
#[derive(Clone)]
pub struct SealOptions {
    /// Record format.
    pub format: InputFormat,
    /// `field=path` overrides.
    pub map: Vec<String>,
    /// Close a segment after this many events.
    pub segment_events: usize,
    /// Close a segment when its events span more than this many seconds (batch), or this many
    /// seconds after its first event arrived (follow).
    pub segment_seconds: Option<u64>,
    /// Origin for a new store (default: the directory name); must match an existing store's.
    pub origin: Option<String>,
    /// Key for checkpoints.
    pub signer: Option<Signer>,
    /// Seal the good records even if some are rejected.
    pub skip_bad: bool,
    /// Fixed checkpoint time (RFC 3339) instead of now; used by the demo for reproducibility.
    pub checkpoint_time: Option<String>,
}

impl Default for SealOptions {
    fn default() -> Self {
        SealOptions {
            format: InputFormat::Auto,
            map: Vec::new(),
            segment_events: DEFAULT_SEGMENT_EVENTS,
            segment_seconds: None,
            origin: None,
            signer: None,
            skip_bad: false,
            checkpoint_time: None,
        }
    }
}

/// A record that could not be mapped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// `file:line` (plus `Records[i]` when it came from a CloudTrail document).
    pub location: String,
    /// Why.
    pub reason: String,
}

/// Appends segments to one store.
pub struct Sealer<'s> {
    store: &'s dyn Store,
    origin: String,
    next_seq: u64,
    prev: Hash32,
    mapping: Mapping,
    opts: SealOptions,
    pending: Vec<Vec<u8>>,
    times: Vec<TimeNs>,
    span: Option<(TimeNs, TimeNs)>,
    /// Segments written by this sealer.
    pub segments_written: u64,
    /// Events sealed by this sealer.
    pub events_sealed: u64,
    checkpointed_seq: Option<u64>,
    /// The store's writer lock, held for the sealer's whole life (from its first segment when
    /// the store's directory did not exist yet).
    lock: Option<WriterLock>,
}

impl<'s> Sealer<'s> {
    /// Takes the store's writer lock (refusing within a second while another writer holds it;
    /// for a directory that does not exist yet, at the first segment), completes a checkpoint a
    /// killed writer left half written (`resume.rs`), verifies the store's current chain and
    /// prepares to extend it. Refuses a store with any
    /// error-level problem. The lock is held until the sealer is dropped, so the head read here
    /// stays the head this sealer extends.
    pub fn open(store: &'s dyn Store, opts: SealOptions) -> anyhow::Result<Sealer<'s>> {
        let mapping = Mapping::new(opts.format, &opts.map).map_err(anyhow::Error::msg)?;
        store.check_writable()?;
        let location = store.location();
        // Refuse a directory holding anything a store does not before the lock file is created
        // in it; what a writer that holds the lock may be creating right now is checked under
        // the lock, below.
        if !store.is_store()? {
            if let Some(p) = location_is_nonempty_dir(&location, &["segments", "checkpoints"]) {
                bail!(
                    "{p} exists and is not a trailscope store (no segments/ directory); seal into a new or empty directory"
                );
            }
        }
        // A directory that does not exist yet is made by the first segment, not by the lock, so
        // a seal that rejects its input leaves nothing behind.
        let absent = std::path::Path::new(&location).is_absolute()
            && !std::path::Path::new(&location).exists();
        let lock = if absent {
            None
        } else {
            Some(store.lock_writer()?)
        };
        let (origin, next_seq, prev) = if store.is_store()? {
            // A store without any checkpoint yet (a keyed writer killed before its first one, or
            // one that lost a race to another writer) is all unsigned tail, which this writer
            // signs like any unsigned tail; with checkpoints, they must be this key's.
            let signed = store
                .list("checkpoints")?
                .iter()
                .any(|n| n.ends_with(".note"));
            let pubkey = opts
                .signer
                .as_ref()
                .filter(|_| signed)
                .map(|s| parse_verifier(&s.public))
                .transpose()?;
            if let (Some(s), Some(published)) = (&opts.signer, store.get(SIGNER_PUB_PATH)?) {
                let published = String::from_utf8_lossy(&published).trim().to_string();
                if published != s.public {
                    bail!(
                        "{location}: the store's checkpoints are signed by {}, not by this key ({})",
                        short_key(&published),
                        short_key(&s.public)
                    );
                }
            }
            if let (Some(s), true) = (&opts.signer, signed) {
                super::resume::complete_interrupted_checkpoint(store, s)?;
            }
            let report = verify_store(store, &VerifyOptions { pubkey, pins: None })?;
            if !report.is_intact() {
                let first = report.errors().next().expect("has errors");
                bail!(
                    "{location}: refusing to extend a store that does not verify ({} problems; first: seq {} {}: {}); run `trailscope verify` for details",
                    report.errors().count(),
                    first.seq.map_or("-".into(), |s| s.to_string()),
                    first.kind.as_str(),
                    first.detail
                );
            }
            match report.head {
                Some(h) => (
                    report
                        .origin
                        .clone()
                        .expect("a store with a head has an origin"),
                    h.seq + 1,
                    Hash32::from_hex(&h.hash).expect("report hashes are hex"),
                ),
                None => (default_origin(store, &opts), 0, Hash32::ZERO),
            }
        } else {
            if let Some(p) = location_is_nonempty_dir(&location, &[]) {
                bail!(
                    "{p} exists and is not a trailscope store (no segments/ directory); seal into a new or empty directory"
                );
            }
            (default_origin(store, &opts), 0, Hash32::ZERO)
        };
        if let Some(o) = &opts.origin {
            if *o != origin {
                bail!("{location}: the store's origin is {origin:?}, not {o:?}");
            }
        }
        if !crate::segment::header::valid_origin(&origin) {
            bail!(
                "origin {origin:?} must be 1..256 visible characters without spaces (use --origin)"
            );
        }
        Ok(Sealer {
            store,
            origin,
            next_seq,
            prev,
            mapping,
            opts,
            pending: Vec::new(),
            times: Vec::new(),
            span: None,
            segments_written: 0,
            events_sealed: 0,
            checkpointed_seq: None,
            lock,
        })
    }

    /// The mapping records are checked against.
    pub fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    /// The store's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Number of records waiting for the next segment.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Adds one already-validated record with its time; seals a segment when one is full.
    pub fn push(&mut self, record: Vec<u8>, time: TimeNs) -> anyhow::Result<()> {
        if let (Some(limit), Some((lo, hi))) = (self.opts.segment_seconds, self.span) {
            let (nlo, nhi) = (lo.min(time), hi.max(time));
            if nhi.saturating_sub(nlo) > (limit as i64).saturating_mul(1_000_000_000) {
                self.flush()?;
            }
        }
        self.span = Some(
            self.span
                .map_or((time, time), |(lo, hi)| (lo.min(time), hi.max(time))),
        );
        self.pending.push(record);
        self.times.push(time);
        if self.pending.len() >= self.opts.segment_events.max(1) {
            self.flush()?;
        }
        Ok(())
    }

    /// Seals the pending records (if any) as the next segment.
    pub fn flush(&mut self) -> anyhow::Result<Option<u64>> {
        if self.pending.is_empty() {
            return Ok(None);
        }
        if self.lock.is_none() {
            self.lock = Some(self.store.lock_writer()?);
            // The store did not exist when this sealer read its head; it must not exist now.
            if self.store.is_store()? {
                bail!(
                    "{}: another writer created this store while this seal was reading its input; seal again",
                    self.store.location()
                );
            }
        }
        let seq = self.next_seq;
        let seg = encode_segment(
            &self.origin,
            seq,
            self.prev,
            &self.mapping,
            &self.pending,
            &self.times,
        );
        let path = segment_path(seq);
        self.store
            .put_new(&path, &seg.bytes)
            .with_context(|| format!("writing segment {seq}"))?;
        self.events_sealed += self.pending.len() as u64;
        self.segments_written += 1;
        self.pending.clear();
        self.times.clear();
        self.span = None;
        self.prev = seg.chain_hash;
        self.next_seq += 1;
        Ok(Some(seq))
    }

    /// Signs a checkpoint for the current head (when a key was given and the head moved).
    pub fn checkpoint(&mut self) -> anyhow::Result<Option<u64>> {
        let Some(signer) = &self.opts.signer else {
            return Ok(None);
        };
        if self.next_seq == 0 || self.checkpointed_seq == Some(self.next_seq) {
            return Ok(None);
        }
        if self.store.get(SIGNER_PUB_PATH)?.is_none() {
            self.store
                .put(SIGNER_PUB_PATH, format!("{}\n", signer.public).as_bytes())?;
        }
        let time = self.opts.checkpoint_time.clone().unwrap_or_else(|| {
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        });
        let cp = Checkpoint {
            origin: self.origin.clone(),
            size: self.next_seq,
            hash: self.prev,
            time,
        };
        let note = cp.sign(signer);
        // A kill between the two leaves `latest.note` one checkpoint behind (an error for
        // readers); the next writer completes it (`resume.rs`).
        self.store
            .put_all(&[(&checkpoint_path(cp.size), &note), (LATEST_PATH, &note)])?;
        self.checkpointed_seq = Some(self.next_seq);
        Ok(Some(cp.size))
    }

    /// Seals what is pending and signs a checkpoint.
    pub fn finish(&mut self) -> anyhow::Result<()> {
        self.flush()?;
        self.checkpoint()?;
        Ok(())
    }
}

fn default_origin(store: &dyn Store, opts: &SealOptions) -> String {
    if let Some(o) = &opts.origin {
        return o.clone();
    }
    let loc = store.location();
    std::path::Path::new(&loc)
        .file_name()
        .map(|n| n.to_string_lossy().replace(char::is_whitespace, "-"))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "trailscope".into())
}

/// `location` when it is a local directory with something in it besides a writer lock file and
/// the names in `also_allowed`. Remote locations (URLs) are never local directories: a bucket
/// prefix without a store is simply empty.
fn location_is_nonempty_dir(location: &str, also_allowed: &[&str]) -> Option<String> {
    if !std::path::Path::new(location).is_absolute() {
        return None;
    }
    let mut rd = std::fs::read_dir(location).ok()?;
    rd.any(|e| {
        e.is_ok_and(|e| {
            let name = e.file_name();
            name != WRITER_LOCK_NAME && !also_allowed.iter().any(|a| name == *a)
        })
    })
    .then(|| location.to_string())
}
