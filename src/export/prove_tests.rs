//! `check_bundle` on bundles built here from two sealed segments and a signed checkpoint: the
//! verdicts of proven, masked and unsigned events, and what a wrong key or leaf does.

use serde_json::{Value, json};

use super::*;
use crate::event::Mapping;
use crate::segment::checkpoint::Checkpoint;
use crate::segment::encode_segment;
use crate::segment::keys::{generate, parse_signer, parse_verifier};
use crate::segment::merkle::inclusion_proof;

const LINES: [&str; 3] = [
    r#"{"time":"2026-11-24T10:00:01Z","actor":"alice","action":"login","outcome":"success"}"#,
    r#"{"time":"2026-11-24T10:00:02Z","actor":"bob","action":"read","password":"x"}"#,
    r#"{"time":"2026-11-24T10:00:03Z","actor":"carol","action":"drop"}"#,
];

struct Fixture {
    /// Bundle with segment 0 (lines 0, 1) signed and segment 1 (line 2) chained after it.
    bundle: Value,
    key: Verifier,
}

fn fixture() -> Fixture {
    let kp = generate("unit.test").unwrap();
    let signer = parse_signer(&kp.private).unwrap();
    let m = Mapping::default();
    let recs = |ls: &[&str]| ls.iter().map(|l| l.as_bytes().to_vec()).collect::<Vec<_>>();
    let s0 = encode_segment("o", 0, Hash32::ZERO, &m, &recs(&LINES[..2]), &[1, 2]);
    let s1 = encode_segment("o", 1, s0.chain_hash, &m, &recs(&LINES[2..]), &[3]);
    let cp = Checkpoint {
        origin: "o".into(),
        size: 1,
        hash: s0.chain_hash,
        time: "2026-11-24T11:00:00Z".into(),
    };
    let note = String::from_utf8(cp.sign(&signer)).unwrap();
    let leaves0: Vec<Hash32> = LINES[..2].iter().map(|l| leaf_hash(l.as_bytes())).collect();
    let header_line = |s: &crate::segment::SealedSegment| {
        let (h, _) = crate::segment::split_segment(&s.bytes).unwrap();
        String::from_utf8(h.to_vec()).unwrap()
    };
    let event = |seq: u64,
                 pos: u64,
                 line: &str,
                 seg: &crate::segment::SealedSegment,
                 path: Vec<Hash32>,
                 status: &str| {
        let (ev, record) = canonical(&m, line.as_bytes());
        json!({
            "seq": seq, "pos": pos, "time": format_ns(ev.time), "time_ns": ev.time,
            "status": status, "actor": ev.actor, "action": ev.action, "resource": ev.resource,
            "outcome": ev.outcome.as_str(), "note": "", "segment_hash": seg.chain_hash.to_hex(),
            "record_masked": false, "line": line, "leaf_hash": leaf_hash(line.as_bytes()).to_hex(),
            "record": record,
            "proof": {"leaf_index": pos, "path": path.iter().map(|h| h.to_hex()).collect::<Vec<_>>()},
        })
    };
    let bundle = json!({
        "format": "trailscope-export/v1", "store": "s", "origin": "o", "exported_at": "now",
        "selection": {"kind": "query", "query": "*", "matched": 3}, "masked": false,
        "head": {"segments": 2, "hash": s1.chain_hash.to_hex(), "covered": 1},
        "checkpoint": {"note": note, "size": 1, "hash": s0.chain_hash.to_hex(),
            "time": "2026-11-24T11:00:00Z", "signer_key": kp.public, "signer": "unit.test",
            "signer_fingerprint": ""},
        "headers": [{"seq": 0, "line": header_line(&s0)}, {"seq": 1, "line": header_line(&s1)}],
        "events": [
            event(0, 0, LINES[0], &s0, inclusion_proof(&leaves0, 0).unwrap(), "signed"),
            event(0, 1, LINES[1], &s0, inclusion_proof(&leaves0, 1).unwrap(), "signed"),
            event(1, 0, LINES[2], &s1, vec![], "unsigned_tail"),
        ],
    });
    Fixture {
        bundle,
        key: parse_verifier(&kp.public).unwrap(),
    }
}

fn check(b: &Value, key: Option<&Verifier>) -> ProofReport {
    check_bundle(&serde_json::to_vec(b).unwrap(), key).unwrap()
}

fn verdicts(r: &ProofReport) -> Vec<Verdict> {
    r.events.iter().map(|e| e.verdict).collect()
}

#[test]
fn a_sound_bundle_proves_signed_events_and_lists_the_tail() {
    let f = fixture();
    let r = check(&f.bundle, Some(&f.key));
    assert!(r.is_ok(), "{}", r.to_human());
    assert_eq!(
        verdicts(&r),
        [Verdict::Proven, Verdict::Proven, Verdict::UnsignedTail]
    );
    assert!(!r.key_from_bundle);
    let r = check(&f.bundle, None);
    assert!(r.is_ok() && r.key_from_bundle);
    assert!(r.to_human().contains("TAKEN FROM THE BUNDLE ITSELF"));
}

#[test]
fn a_masked_event_is_proven_by_its_leaf_hash_only() {
    let f = fixture();
    let mut b = f.bundle.clone();
    let e = b["events"][1].as_object_mut().unwrap();
    e.remove("line");
    e.insert("record_masked".into(), json!(true));
    e.insert("record".into(), json!({"password": "«redacted»"}));
    let r = check(&b, Some(&f.key));
    assert!(r.is_ok(), "{}", r.to_human());
    assert_eq!(r.events[1].verdict, Verdict::ProvenMasked);
    assert!(r.to_human().contains("MASKED seq 0 pos 1"));

    // The leaf hash of another line does not prove.
    b["events"][1]["leaf_hash"] = json!(leaf_hash(b"forged").to_hex());
    let r = check(&b, Some(&f.key));
    assert_eq!(r.events[1].verdict, Verdict::Failed);
    // A line that is missing without being marked masked is a failure, not a masked event.
    let mut b = f.bundle.clone();
    b["events"][0].as_object_mut().unwrap().remove("line");
    assert_eq!(check(&b, Some(&f.key)).events[0].verdict, Verdict::Failed);
}

#[test]
fn another_key_or_no_checkpoint_proves_nothing_signed() {
    let f = fixture();
    let other = parse_verifier(&generate("unit.test").unwrap().public).unwrap();
    let r = check(&f.bundle, Some(&other));
    assert!(!r.is_ok());
    assert_eq!(verdicts(&r), [Verdict::Failed; 3]);

    let mut b = f.bundle.clone();
    b["checkpoint"] = Value::Null;
    for e in b["events"].as_array_mut().unwrap() {
        e["status"] = json!("unsigned_tail");
    }
    let r = check(&b, Some(&f.key));
    assert!(r.is_ok(), "{}", r.to_human());
    assert_eq!(verdicts(&r), [Verdict::UnsignedTail; 3]);
    assert!(r.to_human().contains("nothing in this bundle is signed"));
}

#[test]
fn canonical_fields_must_be_what_the_line_maps_to() {
    let f = fixture();
    let mut b = f.bundle.clone();
    b["events"][0]["actor"] = json!("mallory");
    let r = check(&b, Some(&f.key));
    assert_eq!(r.events[0].verdict, Verdict::Failed);
    assert!(
        r.events[0].reasons[0].contains("actor"),
        "{:?}",
        r.events[0]
    );
    let mut b = f.bundle.clone();
    b["headers"][1]["line"] = json!(
        b["headers"][1]["line"]
            .as_str()
            .unwrap()
            .replace("\"seq\":1", "\"seq\":2")
    );
    let r = check(&b, Some(&f.key));
    assert_eq!(r.events[2].verdict, Verdict::Failed);
    assert_eq!(r.problems[0].seq, Some(1));
}

#[test]
fn unreadable_input_is_an_error_not_a_verdict() {
    assert!(matches!(
        check_bundle(b"nope", None),
        Err(ProveError::NotJson(_))
    ));
    assert!(matches!(
        check_bundle(br#"{"format":"x"}"#, None),
        Err(ProveError::Format(_))
    ));
    assert!(matches!(
        check_bundle(br#"{"format":"trailscope-export/v1"}"#, None),
        Err(ProveError::Malformed(_))
    ));
}
