//! The segment header: line 1 of every segment file.

use serde::{Deserialize, Serialize};

use crate::event::Mapping;

/// Value of the `format` field for this version of the format.
pub const FORMAT_V1: &str = "trailscope-segment/v1";

/// Longest header line accepted when reading (bytes). Real headers are ~600 bytes.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Whether `o` is a valid origin: 1–256 visible characters, no spaces, nothing that could
/// reorder or hide text in a terminal.
pub fn valid_origin(o: &str) -> bool {
    !o.is_empty()
        && o.len() <= 256
        && o.chars().all(|c| {
            c.is_ascii_graphic()
                || (!c.is_ascii() && !c.is_whitespace() && !crate::text::is_unsafe(c))
        })
}

/// Segment header. Field order here is the order written; readers never re-serialise it
/// (the chain hash is over the bytes as stored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentHeader {
    /// Always [`FORMAT_V1`].
    pub format: String,
    /// The store's name; the same in every segment and checkpoint of a store.
    pub origin: String,
    /// Position in the chain: 0, 1, 2, … without gaps.
    pub seq: u64,
    /// Chain hash (hex) of segment `seq - 1`; 64 zeros for segment 0.
    pub prev: String,
    /// Number of event lines in the body.
    pub events: u64,
    /// Earliest event time in the body (RFC 3339, UTC, 9 fractional digits).
    pub first_time: String,
    /// Latest event time in the body.
    pub last_time: String,
    /// Length of the body in bytes.
    pub body_bytes: u64,
    /// SHA-256 (hex) of the body bytes exactly as stored.
    pub content_sha256: String,
    /// RFC 6962 Merkle root (hex) over the event lines.
    pub events_root: String,
    /// How the body's records map to canonical events.
    pub mapping: Mapping,
}
