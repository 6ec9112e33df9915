//! Checks one segment file on its own: hashes first, then parsing.
//!
//! The body is hashed before any of it is parsed; only a body whose hash matches its header is
//! split into events, Merkle-hashed and its times compared. The result is a [`SegmentFacts`]
//! that the chain analysis combines with its neighbours.

use crate::event::time::{TimeNs, parse_rfc3339_ns};
use crate::segment::header::SegmentHeader;
use crate::segment::merkle::MerkleBuilder;
use crate::segment::{FORMAT_V1, Hash32, sha256, split_segment};

use super::problem::Kind;

/// What one segment file says about itself.
#[derive(Clone, Debug)]
pub struct SegmentFacts {
    /// Seq from the file name.
    pub name_seq: u64,
    /// Store-relative path.
    pub file: String,
    /// SHA-256 of the header line, when the file has one.
    pub chain_hash: Option<Hash32>,
    /// The parsed header, when it parses.
    pub header: Option<SegmentHeader>,
    /// `prev` from the header, when it parses.
    pub prev: Option<Hash32>,
    /// The first inconsistency found inside the file.
    pub issue: Option<(Kind, String)>,
    /// Event count, earliest and latest time (from the header, trusted only when `issue` is
    /// `None`).
    pub events: u64,
    /// Earliest event time.
    pub first_time: TimeNs,
    /// Latest event time.
    pub last_time: TimeNs,
}

/// Checks the bytes of segment file `file` (named seq `name_seq`).
pub fn check_segment(name_seq: u64, file: String, bytes: &[u8]) -> SegmentFacts {
    let mut f = SegmentFacts {
        name_seq,
        file,
        chain_hash: None,
        header: None,
        prev: None,
        issue: None,
        events: 0,
        first_time: 0,
        last_time: 0,
    };
    if let Err((kind, detail)) = check_into(&mut f, bytes) {
        f.issue = Some((kind, detail));
    }
    f
}

/// Facts of a segment whose bytes were verified earlier and kept locally (by `pull`): only the
/// header line is read again; the body is trusted as checked when it was stored.
pub fn facts_from_verified_header(name_seq: u64, file: String, head: &[u8]) -> SegmentFacts {
    let mut f = SegmentFacts {
        name_seq,
        file,
        chain_hash: None,
        header: None,
        prev: None,
        issue: None,
        events: 0,
        first_time: 0,
        last_time: 0,
    };
    if let Err((kind, detail)) = check_header(&mut f, head) {
        f.issue = Some((kind, detail));
    }
    f
}

fn check_into(f: &mut SegmentFacts, bytes: &[u8]) -> Result<(), (Kind, String)> {
    let malformed = |d: String| (Kind::Malformed, d);
    let (head, body) = split_segment(bytes).map_err(|e| malformed(e.to_string()))?;
    check_header(f, head)?;
    check_body(f, body)
}

/// Parses and checks the header line; fills the header-derived facts.
fn check_header(f: &mut SegmentFacts, head: &[u8]) -> Result<(), (Kind, String)> {
    let malformed = |d: String| (Kind::Malformed, d);
    f.chain_hash = Some(sha256(head));
    let head_str =
        std::str::from_utf8(head).map_err(|_| malformed("header is not valid UTF-8".into()))?;
    let header: SegmentHeader =
        serde_json::from_str(head_str).map_err(|e| malformed(format!("header: {e}")))?;
    if header.format != FORMAT_V1 {
        return Err(malformed(format!(
            "header: unknown format {:?}",
            header.format
        )));
    }
    f.prev = Some(Hash32::from_hex(&header.prev).ok_or_else(|| {
        malformed(format!(
            "header: prev {:?} is not 64 hex digits",
            header.prev
        ))
    })?);
    let first = parse_rfc3339_ns(&header.first_time)
        .map_err(|e| malformed(format!("header: first_time: {e}")))?;
    let last = parse_rfc3339_ns(&header.last_time)
        .map_err(|e| malformed(format!("header: last_time: {e}")))?;
    if crate::event::time::format_ns(first) != header.first_time
        || crate::event::time::format_ns(last) != header.last_time
    {
        return Err(malformed(
            "header: first_time/last_time must be RFC 3339 UTC with 9 fractional digits and Z"
                .into(),
        ));
    }
    if !crate::segment::header::valid_origin(&header.origin) {
        return Err(malformed(format!(
            "header: invalid origin {:?}",
            header.origin
        )));
    }
    header
        .mapping
        .validate()
        .map_err(|e| malformed(format!("header: {e}")))?;
    if Hash32::from_hex(&header.content_sha256).is_none() {
        return Err(malformed(
            "header: content_sha256 is not 64 hex digits".into(),
        ));
    }
    if Hash32::from_hex(&header.events_root).is_none() {
        return Err(malformed("header: events_root is not 64 hex digits".into()));
    }
    f.events = header.events;
    f.first_time = first;
    f.last_time = last;
    f.header = Some(header);
    Ok(())
}

/// Hashes, then parses the body against the header already in `f`.
fn check_body(f: &SegmentFacts, body: &[u8]) -> Result<(), (Kind, String)> {
    let malformed = |d: String| (Kind::Malformed, d);
    let header = f.header.as_ref().expect("check_header succeeded");
    let content = Hash32::from_hex(&header.content_sha256).expect("checked in check_header");
    let root = Hash32::from_hex(&header.events_root).expect("checked in check_header");
    let (first, last) = (f.first_time, f.last_time);
    let mapping = header.mapping.clone();
    let (body_bytes, events) = (header.body_bytes, header.events);
    let (first_s, last_s) = (header.first_time.clone(), header.last_time.clone());

    // Hash before parse.
    let actual = sha256(body);
    if (body.len() as u64) < body_bytes {
        return Err(malformed(format!(
            "truncated: body has {} bytes, header says {body_bytes}",
            body.len()
        )));
    }
    if actual != content {
        return Err((
            Kind::ContentModified,
            format!(
                "body SHA-256 is {}, header says {}",
                actual.short(),
                content.short()
            ),
        ));
    }
    if body.len() as u64 != body_bytes {
        return Err((
            Kind::CountMismatch,
            format!("body has {} bytes, header says {body_bytes}", body.len()),
        ));
    }
    if events == 0 {
        return Err(malformed("segment has no events".into()));
    }
    if body.last() != Some(&b'\n') {
        return Err(malformed("body does not end with LF".into()));
    }
    let times = crate::event::TimeReader::new(&mapping);
    let mut merkle = MerkleBuilder::new();
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for (i, line) in LineIter::new(&body[..body.len() - 1]).enumerate() {
        if line.is_empty() {
            return Err(malformed(format!("event line {} is empty", i + 1)));
        }
        merkle.push_line(line);
        let t = times
            .time_of(line)
            .map_err(|e| malformed(format!("event line {}: {e}", i + 1)))?;
        lo = lo.min(t);
        hi = hi.max(t);
    }
    if merkle.len() != events {
        return Err((
            Kind::CountMismatch,
            format!("body has {} events, header says {events}", merkle.len()),
        ));
    }
    let actual_root = merkle.root();
    if actual_root != root {
        return Err((
            Kind::RootMismatch,
            format!(
                "events root is {}, header says {}",
                actual_root.short(),
                root.short()
            ),
        ));
    }
    if lo != first || hi != last {
        return Err((
            Kind::TimeRangeMismatch,
            format!(
                "events span {} .. {}, header says {first_s} .. {last_s}",
                crate::event::time::format_ns(lo),
                crate::event::time::format_ns(hi)
            ),
        ));
    }
    Ok(())
}

/// Lines of `bytes` split at LF with `memchr` (the byte-by-byte `split` showed in profiles).
struct LineIter<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> LineIter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineIter { rest: Some(bytes) }
    }
}

impl<'a> Iterator for LineIter<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match memchr::memchr(b'\n', rest) {
            Some(i) => {
                self.rest = Some(&rest[i + 1..]);
                Some(&rest[..i])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}
