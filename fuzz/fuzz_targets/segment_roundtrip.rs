//! Records → `encode_segment` → `check_segment`: a segment sealed from records that map (the
//! writer's own check) must verify clean, with the times the full mapping gives. This catches
//! any disagreement between the serde mapping used when sealing and the fast scanner used when
//! verifying, on records the fuzzer builds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::event::{InputFormat, Mapping};
use trailscope::segment::{Hash32, encode_segment};
use trailscope::verify::segment_check::check_segment;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let format = [
        InputFormat::Auto,
        InputFormat::Ndjson,
        InputFormat::K8sAudit,
        InputFormat::Cloudtrail,
    ][usize::from(sel & 3)];
    let overrides: Vec<String> = if sel & 4 != 0 {
        vec!["time=meta.at".into()]
    } else {
        vec![]
    };
    let mapping = Mapping::new(format, &overrides).expect("fixed mapping is valid");
    let mut records = Vec::new();
    let mut times = Vec::new();
    for line in rest.split(|&b| b == b'\n') {
        // What the writer accepts: a JSON object (validated) whose time maps.
        if serde_json::from_slice::<serde_json::Value>(line).is_err() || line.is_empty() {
            continue;
        }
        if let Ok(e) = mapping.map_record(line) {
            records.push(line.to_vec());
            times.push(e.time);
        }
    }
    if records.is_empty() {
        return;
    }
    let seg = encode_segment("fuzz", 7, Hash32::ZERO, &mapping, &records, &times);
    let facts = check_segment(7, "segments/00000000000000000007.seg".into(), &seg.bytes);
    assert!(
        facts.issue.is_none(),
        "sealed segment does not verify: {:?}\nrecords: {:?}",
        facts.issue,
        records
            .iter()
            .map(|r| String::from_utf8_lossy(r).into_owned())
            .collect::<Vec<_>>()
    );
    assert_eq!(facts.events, records.len() as u64);
    assert_eq!(facts.chain_hash, Some(seg.chain_hash));
});
