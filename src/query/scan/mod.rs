//! Answering for verified segments the index does not hold yet, by reading their local copies.
//!
//! A pull verifies and copies new segments first and indexes them afterwards (see
//! [`crate::pull`]); between the two, the [`ScanTier`] of a [`super::Workspace`] names the
//! segments only the copies hold. Every query function adds their matches to the index's
//! answer, so the first answer after a pull never waits for the index, and it is complete:
//! nothing is read that was not verified (the copies are moved into place only after their
//! content hash, Merkle root and chain link were checked), and nothing verified is left out.
//! Queries the scan cannot answer exactly like the index ([`matcher::Unsupported`]) are answered
//! by the index alone and say how far it covers.

pub mod collect;
pub mod matcher;

use std::ops::Range;

use anyhow::Context;
use rayon::prelude::*;

use crate::event::AuditEvent;
use crate::event::time::{TimeNs, parse_rfc3339_ns};
use crate::pull::LocalState;
use crate::segment::header::SegmentHeader;
use crate::segment::split_segment;

pub use matcher::{Matcher, Unsupported};

/// The verified segments beyond the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanTier {
    /// Segments to scan: from the index's head to the verified head.
    pub range: Range<u64>,
    /// Segments `0..covered` are attested by a signed checkpoint.
    pub covered: u64,
    /// Chain hash (hex) of the last segment of `range`.
    pub head_hash: Option<String>,
    /// Events in `range`.
    pub events: u64,
}

/// One event read from a verified copy.
pub struct Scanned {
    /// Segment seq.
    pub seq: u64,
    /// Position in the segment.
    pub pos: u64,
    /// Byte offset of the line in the segment file.
    pub offset: u64,
    /// Its canonical fields, mapped exactly as the indexer maps them.
    pub event: AuditEvent,
}

impl Scanned {
    /// Value of keyword `KEYWORDS[k]` (empty counts as absent).
    pub fn keyword_value(&self, k: usize) -> Option<&str> {
        let e = &self.event;
        let v = match k {
            0 => Some(e.actor.as_str()),
            1 => Some(e.action.as_str()),
            2 => Some(e.resource.as_str()),
            3 => Some(e.outcome.as_str()),
            4 => e.source_ip.as_deref(),
            5 => e.user_agent.as_deref(),
            6 => e.trace_id.as_deref(),
            7 => e.span_id.as_deref(),
            8 => e.request_id.as_deref(),
            _ => None,
        };
        v.filter(|v| !v.is_empty())
    }
}

impl matcher::Fields for Scanned {
    fn time(&self) -> i64 {
        self.event.time
    }
    fn seq(&self) -> u64 {
        self.seq
    }
    fn pos(&self) -> u64 {
        self.pos
    }
    fn offset(&self) -> u64 {
        self.offset
    }
    fn keyword(&self, k: usize) -> Option<&str> {
        self.keyword_value(k)
    }
}

/// What to scan for: a compiled query and the time window `[from, to)`.
pub struct Scan<'a> {
    /// The local copies.
    pub local: &'a LocalState,
    /// Segments to read.
    pub range: Range<u64>,
    /// The query.
    pub matcher: &'a Matcher,
    /// Earliest time, inclusive.
    pub from: Option<TimeNs>,
    /// Latest time, exclusive.
    pub to: Option<TimeNs>,
    /// [`matcher::witnesses`] of the query, ready to search for.
    pub witnesses: Vec<Vec<memchr::memmem::Finder<'static>>>,
}

impl<'a> Scan<'a> {
    /// The scan of segments `range` of `local` (verified copies) for `matcher`, in the window
    /// `from..to`.
    pub fn new(
        local: &'a LocalState,
        range: Range<u64>,
        matcher: &'a Matcher,
        from: Option<TimeNs>,
        to: Option<TimeNs>,
    ) -> Scan<'a> {
        let witnesses = matcher::witnesses(matcher)
            .into_iter()
            .map(|alts| {
                alts.into_iter()
                    .map(|w| memchr::memmem::Finder::new(w.as_bytes()).into_owned())
                    .collect()
            })
            .collect();
        Scan {
            local,
            range,
            matcher,
            from,
            to,
            witnesses,
        }
    }

    /// Whether `line` may match: it holds one alternative of every witness clause. A line with
    /// JSON escapes is checked with its escapes decoded (so `\u0061lice` holds `alice`); one
    /// whose escapes cannot be decoded is always parsed.
    fn may_match(&self, line: &[u8], scratch: &mut Vec<u8>) -> bool {
        if self.witnesses.is_empty() {
            return true;
        }
        let view = if memchr::memchr(b'\\', line).is_some() {
            if !unescape(line, scratch) {
                return true;
            }
            scratch.as_slice()
        } else {
            line
        };
        self.witnesses
            .iter()
            .all(|alts| alts.iter().any(|f| f.find(view).is_some()))
    }

    /// Folds every matching event into an accumulator, one per segment on the rayon pool, then
    /// merges them. Errors name the segment.
    pub fn fold<A, I, F, M>(&self, init: I, each: F, merge: M) -> anyhow::Result<A>
    where
        A: Send,
        I: Fn() -> A + Sync + Send,
        F: Fn(&mut A, Scanned) + Sync + Send,
        M: Fn(A, A) -> A + Sync + Send,
    {
        self.range
            .clone()
            .into_par_iter()
            .map(|seq| {
                let mut acc = init();
                self.segment(seq, &mut |s| each(&mut acc, s))?;
                Ok(acc)
            })
            .try_reduce(&init, |a, b| Ok(merge(a, b)))
    }

    fn segment(&self, seq: u64, each: &mut dyn FnMut(Scanned)) -> anyhow::Result<()> {
        if self.from.is_some() || self.to.is_some() {
            // The header's first and last times are the segment's earliest and latest (checked
            // when it was verified): a segment wholly outside the window is not read.
            let line = self.local.header_line(seq)?;
            let header: SegmentHeader = serde_json::from_slice(&line)
                .with_context(|| format!("segment {seq}: header of the local copy"))?;
            let first = parse_rfc3339_ns(&header.first_time).ok();
            let last = parse_rfc3339_ns(&header.last_time).ok();
            if let (Some(first), Some(last)) = (first, last) {
                if self.to.is_some_and(|t| t <= first) || self.from.is_some_and(|f| f > last) {
                    return Ok(());
                }
            }
        }
        let bytes = self.local.read_segment(seq)?;
        let (head, body) =
            split_segment(&bytes).map_err(|e| anyhow::anyhow!("segment {seq}: {e}"))?;
        let header: SegmentHeader = serde_json::from_slice(head)
            .with_context(|| format!("segment {seq}: header of the local copy"))?;
        let body_start = head.len() as u64 + 1;
        let mut start = 0usize;
        let mut pos = 0u64;
        let mut scratch = Vec::new();
        while start < body.len() {
            let end = memchr::memchr(b'\n', &body[start..]).map_or(body.len(), |i| start + i);
            let line = &body[start..end];
            // With a window, the time alone (found without building the record) rules most
            // events out; it always agrees with the mapped event's time.
            let in_window = |time: TimeNs| {
                self.from.is_none_or(|f| time >= f) && self.to.is_none_or(|t| time < t)
            };
            let windowed = self.from.is_some() || self.to.is_some();
            if self.may_match(line, &mut scratch)
                && (!windowed || in_window(header.mapping.record_time(line).unwrap_or(0)))
            {
                let (event, _) = header.mapping.map_line_lenient(line);
                let s = Scanned {
                    seq,
                    pos,
                    offset: body_start + start as u64,
                    event,
                };
                if in_window(s.event.time) && self.matcher.matches(&s) {
                    each(s);
                }
            }
            pos += 1;
            start = end + 1;
        }
        Ok(())
    }
}

/// Decodes the JSON string escapes of `line` into `out` (everything else is copied); `false`
/// when an escape is malformed or a `\u` is a lone surrogate.
fn unescape(line: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'\\', &line[i..]) {
        out.extend_from_slice(&line[i..i + at]);
        i += at;
        let Some(&c) = line.get(i + 1) else {
            return false;
        };
        let simple = match c {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(8),
            b'f' => Some(12),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            i += 2;
            continue;
        }
        if c != b'u' {
            return false;
        }
        let hex = |at: usize| {
            line.get(at..at + 4)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u32::from_str_radix(h, 16).ok())
        };
        let Some(hi) = hex(i + 2) else {
            return false;
        };
        let (code, used) = if (0xD800..0xDC00).contains(&hi) {
            match (line.get(i + 6..i + 8), hex(i + 8)) {
                (Some(b"\\u"), Some(lo)) if (0xDC00..0xE000).contains(&lo) => {
                    (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), 12)
                }
                _ => return false,
            }
        } else {
            (hi, 6)
        };
        let Some(ch) = char::from_u32(code) else {
            return false;
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        i += used;
    }
    out.extend_from_slice(&line[i..]);
    true
}

#[cfg(test)]
mod tests {
    use super::unescape;

    #[test]
    fn decodes_json_escapes() {
        let mut out = Vec::new();
        assert!(unescape(
            br#"{"a":"\u0061lice","r":"db\/prod","q":"\"x\\","e":"\ud83d\ude00"}"#,
            &mut out
        ));
        assert_eq!(
            String::from_utf8(out.clone()).expect("utf-8"),
            "{\"a\":\"alice\",\"r\":\"db/prod\",\"q\":\"\"x\\\",\"e\":\"\u{1F600}\"}"
        );
        assert!(!unescape(br#""\ud83d""#, &mut out));
        assert!(!unescape(br#""\x""#, &mut out));
        assert!(!unescape(br#""\"#, &mut out));
    }
}
