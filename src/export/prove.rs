//! `prove`: checks a JSON evidence bundle offline, with nothing but the bundle and a key.
//!
//! 1. The checkpoint note's signature is checked with the given key (else, loudly, with the key
//!    the bundle carries), and its hash with the SHA-256 of its last segment's header line.
//! 2. Walking down from that segment, each header line's SHA-256 must be the next header's
//!    `prev`: those segments are *anchored*. Walking up, headers whose `prev` chains to the
//!    anchored one form the unsigned tail.
//! 3. Each event's leaf (from its line, or the given leaf hash when masked) with its audit path
//!    must lead to its header's `events_root`; an unmasked event's record and canonical fields
//!    must be what its line maps to with the header's mapping.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;

use crate::event::time::format_ns;
use crate::segment::checkpoint::{Checkpoint, open};
use crate::segment::header::{FORMAT_V1, SegmentHeader};
use crate::segment::keys::{Verifier, parse_verifier, short_key};
use crate::segment::merkle::{leaf_hash, verify_inclusion};
use crate::segment::{Hash32, sha256};

use super::bundle::{BUNDLE_FORMAT_V1, Bundle, BundleEvent, STATUS_SIGNED};
use super::error::ProveError;
use super::evidence::canonical;
pub use super::proof_report::{BundleProblem, EventResult, ProofReport, Verdict};

/// One header of the bundle.
struct Header {
    hash: Hash32,
    parsed: Option<SegmentHeader>,
}

/// What the checkpoint and the header chain establish.
struct Links {
    headers: BTreeMap<u64, Header>,
    /// Segments linked to the signed checkpoint (its last one and every one below it).
    anchored: BTreeSet<u64>,
    /// Segments chained after the checkpoint (or, without one, after the first header).
    tail: BTreeSet<u64>,
    /// Why nothing is anchored although there is a checkpoint.
    checkpoint_failure: Option<String>,
}

/// Checks the bundle in `bytes`. `key`: the signer's verifier key from a trusted channel;
/// without it the key in the bundle is used and the report says so.
pub fn check_bundle(bytes: &[u8], key: Option<&Verifier>) -> Result<ProofReport, ProveError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ProveError::NotJson(e.to_string()))?;
    let format = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
    if format != BUNDLE_FORMAT_V1 {
        return Err(ProveError::Format(format.to_string()));
    }
    let bundle: Bundle =
        serde_json::from_value(value).map_err(|e| ProveError::Malformed(e.to_string()))?;
    let mut problems = Vec::new();
    let headers = read_headers(&bundle, &mut problems);

    let mut key_from_bundle = false;
    let key: Option<Verifier> = match (key, &bundle.checkpoint) {
        (Some(k), _) => Some(k.clone()),
        (None, Some(c)) => {
            key_from_bundle = true;
            match parse_verifier(&c.signer_key) {
                Ok(v) => Some(v),
                Err(e) => {
                    problems.push(problem(None, format!("the bundle's signer key: {e}")));
                    None
                }
            }
        }
        (None, None) => None,
    };
    let cp = check_checkpoint(&bundle, key.as_ref(), &mut problems);
    let links = link(headers, &bundle, cp.as_ref(), &mut problems);
    let events = bundle
        .events
        .iter()
        .map(|e| check_event(e, &links, cp.as_ref()))
        .collect();
    Ok(ProofReport {
        store: bundle.store.clone(),
        origin: bundle.origin.clone(),
        exported_at: bundle.exported_at.clone(),
        key: key.as_ref().map(|k| short_key(&k.text)),
        key_from_bundle,
        checkpoint_size: cp.as_ref().map(|c| c.size),
        checkpoint_time: cp.as_ref().map(|c| c.time.clone()),
        has_checkpoint: bundle.checkpoint.is_some(),
        problems,
        events,
    })
}

fn problem(seq: Option<u64>, what: String) -> BundleProblem {
    BundleProblem { seq, what }
}

/// Parses the header lines; malformed ones stay in the map without a parsed header.
fn read_headers(bundle: &Bundle, problems: &mut Vec<BundleProblem>) -> BTreeMap<u64, Header> {
    let mut out = BTreeMap::new();
    let mut expected: Option<u64> = None;
    for h in &bundle.headers {
        let seq = h.seq;
        if expected.is_some_and(|x| x != seq) {
            problems.push(problem(
                Some(seq),
                format!("header lines are not consecutive: expected segment {expected:?}"),
            ));
        }
        expected = seq.checked_add(1);
        let parsed = match serde_json::from_str::<SegmentHeader>(&h.line) {
            Ok(p) if p.seq != seq => Err(format!("the header line says seq {}", p.seq)),
            Ok(p) if p.format != FORMAT_V1 => Err(format!("unknown format {:?}", p.format)),
            Ok(p) if bundle.origin.as_deref().is_some_and(|o| o != p.origin) => {
                Err(format!("origin {:?} is not the bundle's", p.origin))
            }
            Ok(p) => Ok(p),
            Err(e) => Err(format!("not a segment header: {e}")),
        };
        let parsed = parsed
            .map_err(|e| problems.push(problem(Some(seq), format!("header line: {e}"))))
            .ok();
        let header = Header {
            hash: sha256(h.line.as_bytes()),
            parsed,
        };
        if out.insert(seq, header).is_some() {
            problems.push(problem(Some(seq), "header line given twice".into()));
        }
    }
    out
}

/// Checks the note's signature and that its members agree with the note.
fn check_checkpoint(
    bundle: &Bundle,
    key: Option<&Verifier>,
    problems: &mut Vec<BundleProblem>,
) -> Option<Checkpoint> {
    let c = bundle.checkpoint.as_ref()?;
    let at = c.size.checked_sub(1);
    let Some(key) = key else {
        problems.push(problem(
            at,
            "no key to check the checkpoint's signature".into(),
        ));
        return None;
    };
    let cp = match open(c.note.as_bytes(), key) {
        Ok(cp) => cp,
        Err(e) => {
            problems.push(problem(at, format!("checkpoint: {e}")));
            return None;
        }
    };
    if cp.size != c.size || cp.hash.to_hex() != c.hash || cp.time != c.time {
        problems.push(problem(
            cp.size.checked_sub(1),
            "the checkpoint's size, hash or time members differ from its signed note".into(),
        ));
    }
    if bundle.origin.as_deref().is_some_and(|o| o != cp.origin) {
        problems.push(problem(
            cp.size.checked_sub(1),
            format!("the checkpoint is for origin {:?}", cp.origin),
        ));
        return None;
    }
    Some(cp)
}

/// Links headers to the checkpoint (down) and the tail to it (up).
fn link(
    headers: BTreeMap<u64, Header>,
    bundle: &Bundle,
    cp: Option<&Checkpoint>,
    problems: &mut Vec<BundleProblem>,
) -> Links {
    let mut anchored = BTreeSet::new();
    let mut tail = BTreeSet::new();
    let mut checkpoint_failure = None;
    let chains = |lower: u64, upper: u64| -> bool {
        match (headers.get(&lower), headers.get(&upper)) {
            (
                Some(l),
                Some(Header {
                    parsed: Some(u), ..
                }),
            ) => u.prev == l.hash.to_hex(),
            _ => false,
        }
    };
    let base = match (cp, &bundle.checkpoint) {
        (Some(cp), _) => {
            let last = cp.size - 1;
            match headers.get(&last) {
                None => {
                    let what = format!("no header line of segment {last}, the checkpoint's last");
                    problems.push(problem(Some(last), what.clone()));
                    checkpoint_failure = Some(what);
                    None
                }
                Some(h) if h.hash != cp.hash => {
                    let what = format!(
                        "the SHA-256 of the header line of segment {last} is not the checkpoint's hash: the header line was altered"
                    );
                    problems.push(problem(Some(last), what));
                    checkpoint_failure = Some(format!(
                        "segment {last}'s header does not match the checkpoint"
                    ));
                    None
                }
                Some(_) => {
                    anchored.insert(last);
                    let first = headers.keys().next().copied().unwrap_or(last);
                    for k in (first..last).rev() {
                        if !chains(k, k + 1) {
                            if headers.contains_key(&k)
                                && headers.get(&(k + 1)).is_some_and(|h| h.parsed.is_some())
                            {
                                problems.push(problem(Some(k), format!(
                                    "the SHA-256 of the header line of segment {k} is not the prev of segment {}: a header line was altered", k + 1
                                )));
                            }
                            break;
                        }
                        anchored.insert(k);
                    }
                    Some(last)
                }
            }
        }
        (None, Some(_)) => {
            checkpoint_failure = Some("the checkpoint does not verify".into());
            None
        }
        // No checkpoint at all: the first header starts an unsigned chain.
        (None, None) => headers.keys().next().copied().inspect(|f| {
            tail.insert(*f);
        }),
    };
    if let Some(base) = base {
        let last = headers.keys().next_back().copied().unwrap_or(base);
        for k in base + 1..=last {
            if !chains(k - 1, k) {
                problems.push(problem(
                    Some(k),
                    format!(
                        "the prev of segment {k} is not the SHA-256 of the header line of segment {}",
                        k - 1
                    ),
                ));
                break;
            }
            tail.insert(k);
        }
    }
    Links {
        headers,
        anchored,
        tail,
        checkpoint_failure,
    }
}

/// Checks one event.
fn check_event(e: &BundleEvent, links: &Links, cp: Option<&Checkpoint>) -> EventResult {
    let mut reasons = Vec::new();
    let masked = inclusion(e, links, &mut reasons);
    let verdict = if !reasons.is_empty() {
        Verdict::Failed
    } else if links.anchored.contains(&e.seq) {
        if masked {
            Verdict::ProvenMasked
        } else {
            Verdict::Proven
        }
    } else if links.tail.contains(&e.seq) {
        if e.status == STATUS_SIGNED {
            reasons.push(format!(
                "marked signed, but the bundle's checkpoint does not cover segment {}",
                e.seq
            ));
            Verdict::Failed
        } else {
            Verdict::UnsignedTail
        }
    } else {
        reasons.push(match (&links.checkpoint_failure, cp) {
            (Some(f), _) => f.clone(),
            (None, Some(_)) => format!(
                "segment {} is not linked to the signed checkpoint by the header lines",
                e.seq
            ),
            (None, None) => format!(
                "segment {} is not chained to the bundle's first header",
                e.seq
            ),
        });
        Verdict::Failed
    };
    EventResult {
        seq: e.seq,
        pos: e.pos,
        time: e.time.clone(),
        verdict,
        reasons,
    }
}

/// Checks the event's inclusion in its segment and, unmasked, its content; pushes what fails.
/// Returns whether the event was proven from a leaf hash (masked content).
fn inclusion(e: &BundleEvent, links: &Links, reasons: &mut Vec<String>) -> bool {
    let seq = e.seq;
    let Some(h) = links.headers.get(&seq) else {
        reasons.push(format!("the bundle has no header line of segment {seq}"));
        return false;
    };
    let Some(header) = &h.parsed else {
        reasons.push(format!("the header line of segment {seq} is malformed"));
        return false;
    };
    if e.segment_hash != h.hash.to_hex() {
        reasons.push(format!(
            "segment_hash is not the SHA-256 of the header line of segment {seq}"
        ));
    }
    let line: Option<Vec<u8>> = match (&e.line, &e.line_base64) {
        (Some(l), _) => Some(l.as_bytes().to_vec()),
        (None, Some(b)) => match base64::engine::general_purpose::STANDARD.decode(b) {
            Ok(v) => Some(v),
            Err(_) => {
                reasons.push("line_base64 is not base64".into());
                return false;
            }
        },
        (None, None) => None,
    };
    let given = Hash32::from_hex(&e.leaf_hash);
    let leaf = match &line {
        Some(l) => {
            let leaf = leaf_hash(l);
            if given != Some(leaf) {
                reasons.push("leaf_hash is not the hash of the line".into());
            }
            leaf
        }
        None if !e.record_masked => {
            reasons.push("no line, and the record is not marked masked".into());
            return false;
        }
        None => match given {
            Some(g) => g,
            None => {
                reasons.push("leaf_hash is not 64 hex digits".into());
                return false;
            }
        },
    };
    if e.proof.leaf_index != e.pos {
        reasons.push(format!(
            "the proof is for leaf {}, not position {}",
            e.proof.leaf_index, e.pos
        ));
    }
    let mut path = Vec::with_capacity(e.proof.path.len());
    for (i, p) in e.proof.path.iter().enumerate() {
        match Hash32::from_hex(p) {
            Some(h) => path.push(h),
            None => reasons.push(format!("proof path[{i}] is not 64 hex digits")),
        }
    }
    let root = Hash32::from_hex(&header.events_root);
    if path.len() == e.proof.path.len()
        && !root.is_some_and(|r| verify_inclusion(&leaf, e.pos, header.events, &path, &r))
    {
        reasons.push(format!(
            "the inclusion proof does not lead to the events_root of segment {seq}: the event's line, leaf hash or proof was altered"
        ));
    }
    let Some(line) = line else {
        return true;
    };
    if !reasons.is_empty() {
        return false; // the line is not proven: comparing what it maps to would say nothing
    }
    let (ev, record) = canonical(&header.mapping, &line);
    if record != e.record {
        reasons.push("the record is not the one in the proven line".into());
    }
    let fields: [(&str, bool); 12] = [
        ("time_ns", ev.time == e.time_ns),
        ("time", format_ns(ev.time) == e.time),
        ("actor", ev.actor == e.actor),
        ("action", ev.action == e.action),
        ("resource", ev.resource == e.resource),
        ("outcome", ev.outcome.as_str() == e.outcome),
        ("source_ip", ev.source_ip == e.source_ip),
        ("user_agent", ev.user_agent == e.user_agent),
        ("trace_id", ev.trace_id == e.trace_id),
        ("span_id", ev.span_id == e.span_id),
        ("request_id", ev.request_id == e.request_id),
        ("seq", header.seq == seq),
    ];
    let wrong: Vec<&str> = fields.iter().filter(|f| !f.1).map(|f| f.0).collect();
    if !wrong.is_empty() {
        reasons.push(format!(
            "{} not what the proven line maps to",
            wrong.join(", ")
        ));
    }
    false
}

#[cfg(test)]
#[path = "prove_tests.rs"]
mod tests;
