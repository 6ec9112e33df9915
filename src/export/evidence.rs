//! Everything the formats need about the selected events, read from the local verified segment
//! copies: each event's exact line, canonical fields, leaf hash and inclusion proof, its
//! segment's chain hash, whether a signed checkpoint attests it, and the header lines that link
//! its segment to that checkpoint.
//!
//! The local copies were verified by the pull, but they sit on disk since then; before anything
//! is exported their header chain is checked again against the pulled head, and each segment
//! read is checked against its header (chain hash, event count, Merkle root).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::event::{AuditEvent, Mapping};
use crate::index::IndexHead;
use crate::query::Workspace;
use crate::segment::header::SegmentHeader;
use crate::segment::merkle::{MerkleBuilder, inclusion_proof, leaf_hash};
use crate::segment::{Hash32, sha256, split_segment};

use super::anchor::{self, Anchor};
use super::error::ExportError;
use super::select::Wanted;

/// One exported event.
#[derive(Clone, Debug)]
pub struct Item {
    /// Segment seq.
    pub seq: u64,
    /// Position in the segment (the Merkle leaf index).
    pub pos: u64,
    /// Canonical fields, mapped from the line with its segment's mapping (masked when
    /// `masked`).
    pub event: AuditEvent,
    /// The record (masked when `masked`); a line that is not JSON is kept as a string.
    pub record: Value,
    /// The exact line; `None` once masking changed anything about the event.
    pub line: Option<Vec<u8>>,
    /// `SHA-256(0x00 ‖ line)`: the Merkle leaf.
    pub leaf: Hash32,
    /// The RFC 6962 audit path to the segment's `events_root`, bottom-up.
    pub path: Vec<Hash32>,
    /// The segment's chain hash.
    pub segment_hash: Hash32,
    /// Attested by the export's checkpoint (else: the unsigned tail).
    pub signed: bool,
    /// The investigator's note.
    pub note: String,
    /// Whether masking changed the record (then the canonical fields are mapped from the
    /// masked record).
    pub masked: bool,
    /// The segment's mapping (to map a masked record again).
    pub mapping: Mapping,
}

/// The selected events and their proofs' context.
#[derive(Clone, Debug)]
pub struct Evidence {
    /// The store location.
    pub store: String,
    /// The pulled head the local copies were checked against.
    pub head: IndexHead,
    /// The signed checkpoint attesting the events, when there is one.
    pub anchor: Option<Anchor>,
    /// Why no checkpoint could be used although the pull attested segments.
    pub anchor_error: Option<String>,
    /// Header lines (seq, bytes) of consecutive segments from the first exported event's
    /// segment (or the checkpoint's last, if lower) to the checkpoint's last segment or the last
    /// exported event's segment, whichever is later.
    pub headers: Vec<(u64, Vec<u8>)>,
    /// The events, in selection order.
    pub items: Vec<Item>,
}

/// Canonical fields and record of one line, exactly as the index maps it: a line that does not
/// map keeps its time (if any) and outcome `unknown`.
pub fn canonical(mapping: &Mapping, line: &[u8]) -> (AuditEvent, Value) {
    let (event, parsed) = mapping.map_line_lenient(line);
    let record =
        parsed.unwrap_or_else(|| Value::String(String::from_utf8_lossy(line).into_owned()));
    (event, record)
}

/// Reads and checks what the `wanted` events need. With `need_anchor`, a pulled store whose
/// attesting checkpoint cannot be found is an error (a JSON bundle must not claim less than the
/// pull verified, nor more than it can prove).
pub fn gather(
    home: &Path,
    ws: &Workspace,
    wanted: &[Wanted],
    need_anchor: bool,
) -> Result<Evidence, ExportError> {
    let head = ws.head().clone();
    let (anchor, anchor_error) = match anchor::find(home, &ws.location, &head, &ws.local) {
        Ok(a) => (a, None),
        Err(e) if need_anchor => return Err(ExportError::Checkpoint(e)),
        Err(e) => (None, Some(e)),
    };
    let wanted: Vec<&Wanted> = wanted.iter().filter(|w| w.seq < head.segments).collect();
    let anchor_last = anchor.as_ref().map(|a| a.size() - 1);
    let lo = wanted
        .iter()
        .map(|w| w.seq)
        .chain(anchor_last.filter(|s| *s < head.segments))
        .min();
    let hi = wanted.iter().map(|w| w.seq).chain(anchor_last).max();
    let local = match lo {
        Some(lo) => local_headers(ws, &head, lo)?,
        None => BTreeMap::new(),
    };
    let mut headers: Vec<(u64, Vec<u8>)> = match (lo, hi) {
        (Some(lo), Some(hi)) => local
            .range(lo..=hi)
            .map(|(s, h)| (*s, h.line.clone()))
            .collect(),
        _ => Vec::new(),
    };
    if let Some(a) = &anchor {
        headers.extend(a.extra_headers.iter().cloned());
    }

    let signed = |seq: u64| match (&anchor, &anchor_error) {
        (Some(a), _) => seq < a.size(),
        // The checkpoint could not be read now: say what the pull found.
        (None, Some(_)) => head.is_verified(seq),
        (None, None) => false,
    };
    let mut by_seq: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, w) in wanted.iter().enumerate() {
        by_seq.entry(w.seq).or_default().push(i);
    }
    let mut slots: Vec<Option<Item>> = vec![None; wanted.len()];
    for (seq, idxs) in by_seq {
        let h = local.get(&seq).ok_or_else(|| ExportError::LocalCopy {
            seq,
            detail: "header not read".into(),
        })?;
        let lines = segment_lines(ws, seq, &h.line, &h.header)?;
        let leaves: Vec<Hash32> = lines.iter().map(|l| leaf_hash(l)).collect();
        for i in idxs {
            let w = wanted[i];
            let Some(bytes) = lines.get(w.pos as usize) else {
                continue; // a bookmark of a position the segment does not have
            };
            let (event, record) = canonical(&h.header.mapping, bytes);
            slots[i] = Some(Item {
                seq,
                pos: w.pos,
                event,
                record,
                line: Some(bytes.to_vec()),
                leaf: leaves[w.pos as usize],
                path: inclusion_proof(&leaves, w.pos as usize).unwrap_or_default(),
                segment_hash: h.hash,
                signed: signed(seq),
                note: w.note.clone(),
                masked: false,
                mapping: h.header.mapping.clone(),
            });
        }
    }
    Ok(Evidence {
        store: ws.location.clone(),
        head,
        anchor,
        anchor_error,
        headers,
        items: slots.into_iter().flatten().collect(),
    })
}

/// A local copy's header: its line, chain hash and parsed form.
struct LocalHeader {
    line: Vec<u8>,
    hash: Hash32,
    header: SegmentHeader,
}

/// Header lines of the local copies `lo..head.segments`, checked to chain to the pulled head.
fn local_headers(
    ws: &Workspace,
    head: &IndexHead,
    lo: u64,
) -> Result<BTreeMap<u64, LocalHeader>, ExportError> {
    let bad = |seq: u64, detail: String| ExportError::LocalCopy { seq, detail };
    let mut out = BTreeMap::new();
    let mut prev: Option<Hash32> = None;
    for seq in lo..head.segments {
        let line = ws
            .local
            .header_line(seq)
            .map_err(|e| bad(seq, format!("{e:#}")))?;
        let header: SegmentHeader = serde_json::from_slice(&line)
            .map_err(|e| bad(seq, format!("header is not a segment header: {e}")))?;
        if header.seq != seq {
            return Err(bad(seq, format!("header says seq {}", header.seq)));
        }
        if let Some(p) = prev
            && header.prev != p.to_hex()
        {
            return Err(bad(
                seq,
                format!("prev does not match the chain hash of segment {}", seq - 1),
            ));
        }
        let hash = sha256(&line);
        prev = Some(hash);
        out.insert(seq, LocalHeader { line, hash, header });
    }
    if let Some(p) = prev
        && head.head_hash.as_deref() != Some(p.to_hex().as_str())
    {
        return Err(bad(
            head.segments - 1,
            "its chain hash is not the pulled head's".into(),
        ));
    }
    Ok(out)
}

/// The event lines of the local copy of `seq`, checked against its header.
fn segment_lines(
    ws: &Workspace,
    seq: u64,
    header_line: &[u8],
    header: &SegmentHeader,
) -> Result<Vec<Vec<u8>>, ExportError> {
    let bad = |detail: String| ExportError::LocalCopy { seq, detail };
    let bytes = ws
        .local
        .read_segment(seq)
        .map_err(|e| bad(format!("{e:#}")))?;
    let (line, body) = split_segment(&bytes).map_err(|e| bad(e.to_string()))?;
    if line != header_line {
        return Err(bad("header line changed while reading".into()));
    }
    let body = body
        .strip_suffix(b"\n")
        .ok_or_else(|| bad("body does not end with LF".into()))?;
    let lines: Vec<Vec<u8>> = body.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    if lines.len() as u64 != header.events {
        return Err(bad(format!(
            "{} event lines, header says {}",
            lines.len(),
            header.events
        )));
    }
    let mut m = MerkleBuilder::new();
    for l in &lines {
        m.push_line(l);
    }
    if m.root().to_hex() != header.events_root {
        return Err(bad("event lines do not match events_root".into()));
    }
    Ok(lines)
}
