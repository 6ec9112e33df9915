//! A segment file as fetched from a store: header line + body, checked the way `verify` and
//! `pull` check it. Hostile bytes must give a finding (an `issue`), never a panic.
//!
//! A mutated body almost never matches its header's SHA-256, which would keep the fuzzer out
//! of the body checks (event lines, Merkle root, times). So each input is also checked once
//! "fixed up": its header's `body_bytes`, `content_sha256`, `events` and `events_root` rewritten
//! to match the body, leaving the rest (times, mapping, origin…) as the fuzzer made it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use trailscope::segment::codec::split_segment;
use trailscope::segment::merkle::root_of;
use trailscope::segment::{SegmentHeader, sha256};
use trailscope::verify::segment_check::{check_segment, facts_from_verified_header};

fn check(data: &[u8]) {
    let facts = check_segment(0, "segments/00000000000000000000.seg".into(), data);
    if facts.issue.is_none() {
        // A clean segment has a parsed header whose counts are the facts'.
        let header = facts.header.as_ref().expect("clean segment has a header");
        assert_eq!(header.events, facts.events);
        assert!(facts.first_time <= facts.last_time);
    }
    if let Ok((head, _body)) = split_segment(data) {
        let _ = serde_json::from_slice::<SegmentHeader>(head);
        let h = facts_from_verified_header(0, "h".into(), head);
        assert_eq!(h.chain_hash, facts.chain_hash);
    }
}

/// `data` with the header's body-derived fields made to match its body, when the header is a
/// JSON object.
fn fixed_up(data: &[u8]) -> Option<Vec<u8>> {
    let (head, body) = split_segment(data).ok()?;
    let Value::Object(mut h) = serde_json::from_slice::<Value>(head).ok()? else {
        return None;
    };
    let lines: Vec<&[u8]> = match body.strip_suffix(b"\n") {
        Some(b) => b.split(|&c| c == b'\n').collect(),
        None => Vec::new(),
    };
    h.insert("body_bytes".into(), body.len().into());
    h.insert("content_sha256".into(), sha256(body).to_hex().into());
    h.insert("events".into(), lines.len().into());
    h.insert("events_root".into(), root_of(&lines).to_hex().into());
    let mut out = serde_json::to_vec(&Value::Object(h)).ok()?;
    out.push(b'\n');
    out.extend_from_slice(body);
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some(fixed) = fixed_up(data) {
        check(&fixed);
    }
});
