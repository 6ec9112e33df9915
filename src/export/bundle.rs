//! The JSON evidence bundle (`trailscope-export/v1`): every event with its exact line (or, when
//! masked, its leaf hash), canonical fields, note and Merkle inclusion proof; the header lines
//! linking its segment to a signed checkpoint; and the checkpoint note itself. `docs/FORMAT.md`
//! ("Export bundles") is the normative description; [`super::prove`] checks one offline.
//!
//! The same types are read back by `prove`, leniently: hashes stay strings so that a damaged
//! one fails its own event instead of the whole bundle.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::event::time::format_ns;

use super::error::ExportError;
use super::evidence::Evidence;
use super::{ExportMeta, Source};

/// Value of the bundle's `format` member.
pub const BUNDLE_FORMAT_V1: &str = "trailscope-export/v1";
/// `status` of an event attested by the bundle's checkpoint.
pub const STATUS_SIGNED: &str = "signed";
/// `status` of an event of the unsigned tail.
pub const STATUS_UNSIGNED_TAIL: &str = "unsigned_tail";

/// A whole bundle.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Bundle {
    /// Always [`BUNDLE_FORMAT_V1`].
    pub format: String,
    /// The store location the events were exported from (informational).
    pub store: String,
    /// The store's origin.
    pub origin: Option<String>,
    /// When the export was made (RFC 3339 UTC; informational).
    pub exported_at: String,
    /// What was selected (informational).
    pub selection: BundleSelection,
    /// Whether masking was applied (the export was not made with `--reveal`).
    pub masked: bool,
    /// The pulled head the local copies were checked against (informational).
    pub head: BundleHead,
    /// The signed checkpoint the events rest on; `null` for a store without one.
    pub checkpoint: Option<BundleCheckpoint>,
    /// Header lines of consecutive segments, ascending.
    pub headers: Vec<BundleHeader>,
    /// The events, in export order.
    pub events: Vec<BundleEvent>,
}

/// What was selected.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BundleSelection {
    /// `query` or `bookmarks`.
    pub kind: String,
    /// The query text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Start of the time range (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// End of the time range, exclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Events matched before the limit.
    pub matched: u64,
}

/// The pulled head.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BundleHead {
    /// Segments pulled.
    pub segments: u64,
    /// Chain hash (hex) of the last one.
    pub hash: Option<String>,
    /// Of those, how many the pull found attested by a checkpoint.
    pub covered: u64,
}

/// The checkpoint.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BundleCheckpoint {
    /// The note exactly as stored: five text lines, a blank line, signature lines.
    pub note: String,
    /// Segments covered (from the note's text).
    pub size: u64,
    /// Chain hash (hex) of segment `size - 1` (from the note's text).
    pub hash: String,
    /// When it was signed (from the note's text).
    pub time: String,
    /// The verifier key the exporter checked the signature with: NOT an independent trust
    /// anchor, since it travels with the bundle.
    pub signer_key: String,
    /// `NAME+KEYID` of that key.
    pub signer: String,
    /// SHA-256 (hex) of that key string.
    pub signer_fingerprint: String,
}

/// One segment's header line.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BundleHeader {
    /// Segment seq.
    pub seq: u64,
    /// The header line exactly as stored, without its LF.
    pub line: String,
}

/// One event.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BundleEvent {
    /// Segment seq.
    pub seq: u64,
    /// Position in the segment.
    pub pos: u64,
    /// Event time (RFC 3339, ns).
    pub time: String,
    /// Event time, ns since the epoch.
    pub time_ns: i64,
    /// [`STATUS_SIGNED`] or [`STATUS_UNSIGNED_TAIL`].
    pub status: String,
    /// Canonical actor.
    pub actor: String,
    /// Canonical action.
    pub action: String,
    /// Canonical resource.
    pub resource: String,
    /// Canonical outcome.
    pub outcome: String,
    /// Source IP.
    #[serde(default)]
    pub source_ip: Option<String>,
    /// User agent.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Trace id.
    #[serde(default)]
    pub trace_id: Option<String>,
    /// Span id.
    #[serde(default)]
    pub span_id: Option<String>,
    /// Request id.
    #[serde(default)]
    pub request_id: Option<String>,
    /// The investigator's note (not proven).
    #[serde(default)]
    pub note: String,
    /// Chain hash (hex) of the event's segment.
    pub segment_hash: String,
    /// Whether the record was masked: then there is no line, the canonical fields are those of
    /// the masked record, and the event is proven by `leaf_hash` alone.
    #[serde(default)]
    pub record_masked: bool,
    /// The exact event line (when not masked and valid UTF-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    /// The exact event line in standard base64 (when not masked and not UTF-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_base64: Option<String>,
    /// `SHA-256(0x00 ‖ line)` (hex): the Merkle leaf.
    pub leaf_hash: String,
    /// The record: the line parsed (masked when `record_masked`).
    pub record: Value,
    /// The inclusion proof.
    pub proof: BundleProof,
}

/// An RFC 6962 inclusion proof against the segment header's `events_root`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BundleProof {
    /// The leaf's index (= `pos`); the tree size is the header's `events`.
    pub leaf_index: u64,
    /// The audit path, bottom-up, hex.
    pub path: Vec<String>,
}

/// The bundle of an export.
pub fn build(ev: &Evidence, meta: &ExportMeta) -> Bundle {
    let selection = match &meta.request.source {
        Source::Bookmarks => BundleSelection {
            kind: "bookmarks".into(),
            query: None,
            from: None,
            to: None,
            matched: meta.matched,
        },
        Source::Query(f) => BundleSelection {
            kind: "query".into(),
            query: Some(f.query.clone()),
            from: f.from.map(format_ns),
            to: f.to.map(format_ns),
            matched: meta.matched,
        },
    };
    let checkpoint = ev.anchor.as_ref().map(|a| BundleCheckpoint {
        note: a.note.clone(),
        size: a.size(),
        hash: a.checkpoint.hash.to_hex(),
        time: a.checkpoint.time.clone(),
        signer_key: a.signer_key.clone(),
        signer: a.signer_short(),
        signer_fingerprint: a.signer_fingerprint(),
    });
    let events = ev
        .items
        .iter()
        .map(|i| {
            let e = &i.event;
            let (line, line_base64) = match &i.line {
                None => (None, None),
                Some(l) => match std::str::from_utf8(l) {
                    Ok(s) => (Some(s.to_string()), None),
                    Err(_) => (
                        None,
                        Some(base64::engine::general_purpose::STANDARD.encode(l)),
                    ),
                },
            };
            BundleEvent {
                seq: i.seq,
                pos: i.pos,
                time: format_ns(e.time),
                time_ns: e.time,
                status: if i.signed {
                    STATUS_SIGNED
                } else {
                    STATUS_UNSIGNED_TAIL
                }
                .into(),
                actor: e.actor.clone(),
                action: e.action.clone(),
                resource: e.resource.clone(),
                outcome: e.outcome.as_str().into(),
                source_ip: e.source_ip.clone(),
                user_agent: e.user_agent.clone(),
                trace_id: e.trace_id.clone(),
                span_id: e.span_id.clone(),
                request_id: e.request_id.clone(),
                note: i.note.clone(),
                segment_hash: i.segment_hash.to_hex(),
                record_masked: i.masked,
                line,
                line_base64,
                leaf_hash: i.leaf.to_hex(),
                record: i.record.clone(),
                proof: BundleProof {
                    leaf_index: i.pos,
                    path: i.path.iter().map(|h| h.to_hex()).collect(),
                },
            }
        })
        .collect();
    Bundle {
        format: BUNDLE_FORMAT_V1.into(),
        store: ev.store.clone(),
        origin: ev.head.origin.clone(),
        exported_at: meta.exported_at.clone(),
        selection,
        masked: !meta.request.reveal,
        head: BundleHead {
            segments: ev.head.segments,
            hash: ev.head.head_hash.clone(),
            covered: ev.head.covered,
        },
        checkpoint,
        headers: ev
            .headers
            .iter()
            .map(|(seq, line)| BundleHeader {
                seq: *seq,
                line: String::from_utf8_lossy(line).into_owned(),
            })
            .collect(),
        events,
    }
}

/// Pretty JSON, terminal-safe (unsafe characters inside strings escaped as `\uXXXX`, which
/// decodes to the same text), ending with LF.
pub fn render(bundle: &Bundle) -> Result<String, ExportError> {
    let pretty = serde_json::to_string_pretty(bundle)?;
    let mut out = String::with_capacity(pretty.len() + 1);
    // serde_json escapes every C0 control inside strings, so the only raw LFs are the layout's;
    // line by line, `json_safe` sees compact pieces.
    for line in pretty.split('\n') {
        out.push_str(&crate::text::json_safe(line));
        out.push('\n');
    }
    Ok(out)
}
