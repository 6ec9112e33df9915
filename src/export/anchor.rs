//! The signed checkpoint an export rests on.
//!
//! The pull records how many segments a checkpoint attested (`covered`) but keeps no copy of
//! the note, so the note is read from the store again and checked here: its signature with the
//! signer pinned for the store, its origin, and its hash against the local verified copies.
//! Normally the checkpoint covering exactly `covered` segments is used. When the store has none
//! of that size (a store altered after a checkpoint: the pull then trusts the segments before
//! the damage through a later checkpoint), the smallest later one whose chain still links to
//! the local head through the store's intact header lines is used, and those header lines go
//! into the bundle; failing that, the newest earlier one.

use crate::index::IndexHead;
use crate::pull::LocalState;
use crate::segment::checkpoint::{Checkpoint, checkpoint_path, open, parse_checkpoint_name};
use crate::segment::header::SegmentHeader;
use crate::segment::keys::{Verifier, parse_verifier, short_key};
use crate::segment::{segment_path, sha256, split_segment};
use crate::store::Store;
use crate::verify::PinStore;

/// Checkpoints tried before giving up (each is one small read from the store).
const MAX_CANDIDATES: usize = 16;
/// Segments read from the store beyond the local head to link a later checkpoint.
const MAX_EXTRA_SEGMENTS: u64 = 64;

/// A checked checkpoint and what links it to the local copies.
#[derive(Clone, Debug)]
pub struct Anchor {
    /// The note exactly as stored (text, blank line, signature lines).
    pub note: String,
    /// Its parsed text.
    pub checkpoint: Checkpoint,
    /// The verifier key its signature was checked with (the store's pinned signer).
    pub signer_key: String,
    /// Header lines (seq, bytes) of segments after the local head up to the checkpoint's last
    /// segment, read from the store and chained to the local head; usually none.
    pub extra_headers: Vec<(u64, Vec<u8>)>,
}

impl Anchor {
    /// Segments covered: `0..size`.
    pub fn size(&self) -> u64 {
        self.checkpoint.size
    }

    /// `NAME+KEYID` of the signer.
    pub fn signer_short(&self) -> String {
        short_key(&self.signer_key)
    }

    /// SHA-256 (hex) of the signer's verifier key string: compare with
    /// `printf %s "$(cat NAME.pub)" | sha256sum`.
    pub fn signer_fingerprint(&self) -> String {
        sha256(self.signer_key.as_bytes()).to_hex()
    }
}

/// Finds the checkpoint attesting the pulled segments. `Ok(None)`: nothing was attested when
/// pulled (an unsigned store). `Err`: a reason, for the integrity statement or the error.
pub fn find(
    home: &std::path::Path,
    location: &str,
    head: &IndexHead,
    local: &LocalState,
) -> Result<Option<Anchor>, String> {
    if head.covered == 0 {
        return Ok(None);
    }
    let pin = PinStore::new(home)
        .load(location)
        .map_err(|e| format!("reading the pin: {e:#}"))?;
    let key = pin
        .and_then(|p| p.signer)
        .ok_or("no checkpoint signer is pinned for this store (pull it again)")?;
    let verifier = parse_verifier(&key).map_err(|e| format!("pinned signer: {e}"))?;
    let store =
        crate::store::open_store(location).map_err(|e| format!("opening the store: {e}"))?;
    if !store.is_store().unwrap_or(false) {
        return Err(format!(
            "the store {location} cannot be read now, and it holds the checkpoint note"
        ));
    }
    let mut reasons = Vec::new();
    let mut try_size = |size: u64| -> Option<Anchor> {
        candidate(store.as_ref(), size, head, local, &verifier)
            .map_err(|r| reasons.push(format!("{}: {r}", checkpoint_path(size))))
            .ok()
    };
    if let Some(a) = try_size(head.covered) {
        return Ok(Some(a));
    }
    let mut sizes: Vec<u64> = store
        .list("checkpoints")
        .map_err(|e| format!("listing checkpoints: {e}"))?
        .iter()
        .filter_map(|n| parse_checkpoint_name(n))
        .filter(|s| *s != head.covered && *s > 0)
        .collect();
    sizes.sort_unstable();
    let later = sizes
        .iter()
        .copied()
        .filter(|s| *s > head.covered && *s <= head.segments + MAX_EXTRA_SEGMENTS);
    let earlier = sizes.iter().rev().copied().filter(|s| *s < head.covered);
    for size in later.chain(earlier).take(MAX_CANDIDATES) {
        if let Some(a) = try_size(size) {
            return Ok(Some(a));
        }
    }
    Err(format!(
        "no checkpoint of the store attests the {} pulled segments ({})",
        head.covered,
        if reasons.is_empty() {
            "none found".to_string()
        } else {
            reasons.join("; ")
        }
    ))
}

/// Checks the checkpoint of `size` segments against the local copies (and, beyond the local
/// head, against the store's header lines).
fn candidate(
    store: &dyn Store,
    size: u64,
    head: &IndexHead,
    local: &LocalState,
    verifier: &Verifier,
) -> Result<Anchor, String> {
    let note = store
        .get(&checkpoint_path(size))
        .map_err(|e| e.to_string())?
        .ok_or("not in the store")?;
    let checkpoint = open(&note, verifier).map_err(|e| e.to_string())?;
    if checkpoint.size != size {
        return Err(format!("its text says size {}", checkpoint.size));
    }
    if head
        .origin
        .as_deref()
        .is_some_and(|o| o != checkpoint.origin)
    {
        return Err(format!("origin {:?} is not the store's", checkpoint.origin));
    }
    let mut extra_headers = Vec::new();
    let last_hash = if size <= head.segments {
        let line = local.header_line(size - 1).map_err(|e| format!("{e:#}"))?;
        sha256(&line)
    } else {
        let mut prev = head
            .head_hash
            .clone()
            .ok_or("the local head has no chain hash")?;
        let mut hash = None;
        for seq in head.segments..size {
            let bytes = store
                .get(&segment_path(seq))
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("segment {seq} is not in the store"))?;
            let (line, _) = split_segment(&bytes).map_err(|e| format!("segment {seq}: {e}"))?;
            let header: SegmentHeader =
                serde_json::from_slice(line).map_err(|e| format!("segment {seq}: header: {e}"))?;
            if header.seq != seq || header.prev != prev {
                return Err(format!(
                    "segment {seq} in the store does not chain to the local head"
                ));
            }
            let h = sha256(line);
            prev = h.to_hex();
            hash = Some(h);
            extra_headers.push((seq, line.to_vec()));
        }
        hash.ok_or("no segments")?
    };
    if last_hash != checkpoint.hash {
        return Err(format!(
            "its hash is not the chain hash of segment {}",
            size - 1
        ));
    }
    Ok(Anchor {
        note: String::from_utf8(note).map_err(|_| "note is not UTF-8")?,
        checkpoint,
        signer_key: verifier.text.clone(),
        extra_headers,
    })
}
