//! Encoding a batch of records into segment bytes, and splitting segment bytes back into header
//! line and body.

use crate::event::Mapping;
use crate::event::time::{TimeNs, format_ns};

use super::hash::{Hash32, sha256};
use super::header::{FORMAT_V1, MAX_HEADER_BYTES, SegmentHeader};
use super::merkle::MerkleBuilder;

/// The store-relative path of segment `seq`: `segments/{seq:020}.seg`.
pub fn segment_path(seq: u64) -> String {
    format!("segments/{seq:020}.seg")
}

/// Parses a file name `{seq:020}.seg` back into its seq.
pub fn parse_segment_name(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".seg")?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A segment ready to be stored.
#[derive(Clone, Debug)]
pub struct SealedSegment {
    /// The parsed header.
    pub header: SegmentHeader,
    /// SHA-256 of the header line: this segment's chain hash.
    pub chain_hash: Hash32,
    /// The whole file: header line, LF, body.
    pub bytes: Vec<u8>,
}

/// Builds segment `seq` from records (each without LF) and their times.
///
/// Panics if `records` is empty or lengths differ: the writer never seals an empty segment.
pub fn encode_segment(
    origin: &str,
    seq: u64,
    prev: Hash32,
    mapping: &Mapping,
    records: &[Vec<u8>],
    times: &[TimeNs],
) -> SealedSegment {
    assert!(!records.is_empty() && records.len() == times.len());
    let body_len: usize = records.iter().map(|r| r.len() + 1).sum();
    let mut body = Vec::with_capacity(body_len);
    let mut merkle = MerkleBuilder::new();
    for r in records {
        debug_assert!(!r.contains(&b'\n'));
        merkle.push_line(r);
        body.extend_from_slice(r);
        body.push(b'\n');
    }
    let header = SegmentHeader {
        format: FORMAT_V1.to_string(),
        origin: origin.to_string(),
        seq,
        prev: prev.to_hex(),
        events: records.len() as u64,
        first_time: format_ns(*times.iter().min().expect("non-empty")),
        last_time: format_ns(*times.iter().max().expect("non-empty")),
        body_bytes: body.len() as u64,
        content_sha256: sha256(&body).to_hex(),
        events_root: merkle.root().to_hex(),
        mapping: mapping.clone(),
    };
    let line = serde_json::to_vec(&header).expect("header serialises");
    let chain_hash = sha256(&line);
    let mut bytes = line;
    bytes.push(b'\n');
    bytes.extend_from_slice(&body);
    SealedSegment {
        header,
        chain_hash,
        bytes,
    }
}

/// Why segment bytes could not even be split into header and body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// The file is empty.
    #[error("file is empty")]
    Empty,
    /// No LF within the first [`MAX_HEADER_BYTES`].
    #[error("no header line (no LF in the first {MAX_HEADER_BYTES} bytes)")]
    NoHeaderLine,
}

/// Splits a segment file into header line (without LF) and body.
pub fn split_segment(bytes: &[u8]) -> Result<(&[u8], &[u8]), SplitError> {
    if bytes.is_empty() {
        return Err(SplitError::Empty);
    }
    let limit = bytes.len().min(MAX_HEADER_BYTES + 1);
    let nl = bytes[..limit]
        .iter()
        .position(|&b| b == b'\n')
        .ok_or(SplitError::NoHeaderLine)?;
    Ok((&bytes[..nl], &bytes[nl + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(segment_path(42), "segments/00000000000000000042.seg");
        assert_eq!(parse_segment_name("00000000000000000042.seg"), Some(42));
        assert_eq!(parse_segment_name("42.seg"), None);
        assert_eq!(parse_segment_name("0000000000000000004x.seg"), None);
    }

    #[test]
    fn encoded_segment_hashes_are_over_the_stored_bytes() {
        let recs = vec![b"{\"a\":1}".to_vec(), b"{\"a\":2}".to_vec()];
        let s = encode_segment("o", 0, Hash32::ZERO, &Mapping::default(), &recs, &[5, 3]);
        let (h, body) = split_segment(&s.bytes).unwrap();
        assert_eq!(sha256(h), s.chain_hash);
        assert_eq!(body, b"{\"a\":1}\n{\"a\":2}\n");
        assert_eq!(sha256(body).to_hex(), s.header.content_sha256);
        assert_eq!(s.header.first_time, format_ns(3));
        assert_eq!(s.header.last_time, format_ns(5));
        let parsed: SegmentHeader = serde_json::from_slice(h).unwrap();
        assert_eq!(parsed, s.header);
    }
}
