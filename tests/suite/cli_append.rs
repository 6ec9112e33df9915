//! Appending to an existing store: the chain continues, checkpoints grow, and a store that does
//! not verify (or belongs to another key) is never extended.

use std::fs;

use crate::common::{Sandbox, fixture, list_names, problem_kinds};

/// A signed store: 10 k8s events in 4 segments (checkpoint size 4).
fn signed_store(sb: &Sandbox) {
    sb.keygen("ops");
    sb.seal_signed(&["--segment-events", "3", &fixture("k8s-audit.ndjson")])
        .ok();
}

/// Every file of the store with its bytes, to prove a refused command changed nothing.
fn snapshot(sb: &Sandbox) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["segments", "checkpoints"] {
        for name in list_names(&sb.path("store").join(dir)) {
            let rel = format!("{dir}/{name}");
            out.push((rel.clone(), fs::read(sb.path("store").join(&rel)).unwrap()));
        }
    }
    out
}

#[test]
fn second_seal_continues_the_chain_and_grows_the_checkpoint() {
    let sb = Sandbox::new();
    signed_store(&sb);
    let first = sb.verify_json("store", 0);
    assert_eq!(first["checkpoint"]["size"], 4);
    let old = sb.segments("store");
    let old_head = old.last().unwrap().clone();

    sb.seal_signed(&["--segment-events", "3", &fixture("cloudtrail.json")])
        .ok()
        .stdout_has("sealed 6 events into 2 segments");

    let segs = sb.segments("store");
    assert_eq!(segs.len(), 6);
    assert_eq!(
        segs.iter().map(|s| s.seq()).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5]
    );
    for (a, b) in old.iter().zip(&segs) {
        assert_eq!(a.header_line, b.header_line, "old segments untouched");
        assert_eq!(a.body, b.body);
    }
    assert_eq!(
        segs[4].prev(),
        old_head.chain_hash(),
        "first new segment chains to the old head"
    );
    assert_eq!(segs[4].prev(), first["head"]["hash"].as_str().unwrap());
    assert_eq!(segs[5].prev(), segs[4].chain_hash());

    assert_eq!(
        sb.checkpoint_files("store"),
        [
            "00000000000000000004.note",
            "00000000000000000006.note",
            "latest.note",
            "signer.pub"
        ]
    );
    assert_eq!(
        fs::read(sb.path("store/checkpoints/latest.note")).unwrap(),
        fs::read(sb.path("store/checkpoints/00000000000000000006.note")).unwrap()
    );
    let note = fs::read_to_string(sb.path("store/checkpoints/latest.note")).unwrap();
    assert!(
        note.starts_with("trailscope-checkpoint/v1\nstore\n6\n"),
        "{note}"
    );
    assert!(note.contains("\n\n— ops "), "{note}");

    let report = sb.verify_json("store", 0);
    assert_eq!(report["segments"], 6);
    assert_eq!(report["events"], 16);
    assert_eq!(report["head"]["seq"], 5);
    assert_eq!(report["head"]["hash"], segs[5].chain_hash());
    assert_eq!(report["checkpoint"]["size"], 6);
    assert_eq!(report["problems"], serde_json::json!([]));
}

#[test]
fn appending_without_a_key_leaves_an_unsigned_tail_that_a_later_keyed_seal_covers() {
    let sb = Sandbox::new();
    signed_store(&sb);
    sb.ts(&["seal", "--store", "store", &fixture("cloudtrail.json")])
        .ok();
    let report = sb.verify_json("store", 0);
    assert_eq!(report["checkpoint"]["size"], 4);
    assert_eq!(report["unsigned_segments"], 1);
    assert_eq!(report["events"], 16);
    assert_eq!(problem_kinds(&report), ["unsigned_tail"]);
    assert_eq!(crate::common::problem(&report, "unsigned_tail")["seq"], 4);

    sb.seal_signed(&[&fixture("cloudtrail-lines.ndjson")]).ok();
    let report = sb.verify_json("store", 0);
    assert_eq!(report["checkpoint"]["size"], 6);
    assert_eq!(report["events"], 22);
    assert_eq!(report["problems"], serde_json::json!([]));
}

#[test]
fn seal_refuses_to_extend_a_tampered_store() {
    let sb = Sandbox::new();
    signed_store(&sb);
    // Same-length edit of one event in segment 1: the store looks fine to a casual reader.
    let seg1 = sb.path("store/segments/00000000000000000001.seg");
    let text = fs::read_to_string(&seg1).unwrap();
    assert!(text.contains("\"verb\":\"create\""));
    fs::write(
        &seg1,
        text.replacen("\"verb\":\"create\"", "\"verb\":\"update\"", 1),
    )
    .unwrap();
    let before = snapshot(&sb);

    sb.seal_signed(&[&fixture("cloudtrail.json")])
        .code(2)
        .stderr_has("refusing to extend a store that does not verify")
        .stderr_has("seq 1 content_modified");
    // Without a key too: an unsigned append would hide the damage just as well.
    sb.ts(&["seal", "--store", "store", &fixture("cloudtrail.json")])
        .code(2)
        .stderr_has("does not verify");
    assert_eq!(snapshot(&sb), before, "nothing written");

    let report = sb.verify_json("store", 1);
    assert_eq!(
        crate::common::problem(&report, "content_modified")["seq"],
        1
    );
}

#[test]
fn seal_refuses_a_key_other_than_the_stores_signer() {
    let sb = Sandbox::new();
    signed_store(&sb);
    let intruder = sb.keygen("intruder");
    let before = snapshot(&sb);
    sb.ts(&[
        "seal",
        "--store",
        "store",
        "--key",
        "keys/intruder.key",
        &fixture("cloudtrail.json"),
    ])
    .code(2)
    .stderr_has("signed by ops+")
    .stderr_has(&format!(
        "not by this key ({})",
        crate::common::short_key(&intruder)
    ));
    assert_eq!(snapshot(&sb), before, "nothing written");

    // A public key where the private key belongs is a usage error, not a crash.
    sb.ts(&[
        "seal",
        "--store",
        "store",
        "--key",
        "keys/ops.pub",
        &fixture("cloudtrail.json"),
    ])
    .code(2)
    .stderr_has("malformed private key");
    assert_eq!(snapshot(&sb), before);
}

#[test]
fn unsigned_store_verifies_with_an_unsigned_tail_warning() {
    let sb = Sandbox::new();
    sb.ts(&[
        "seal",
        "--store",
        "store",
        "--segment-events",
        "4",
        &fixture("k8s-audit.ndjson"),
    ])
    .ok();
    assert_eq!(
        sb.checkpoint_files("store"),
        Vec::<String>::new(),
        "no key, no checkpoint"
    );

    let human = sb.ts(&["verify", "store"]).ok();
    assert!(human.stdout.contains("unsigned_tail"), "{human}");
    assert!(
        human
            .stdout
            .contains("segments 0..=2 are not covered by a signed checkpoint"),
        "{human}"
    );
    assert!(human.field("checkpoint:").starts_with("none"), "{human}");
    assert!(human.stdout.contains("INTACT"), "{human}");

    let report = sb.verify_json("store", 0);
    assert_eq!(report["events"], 10);
    assert_eq!(report["unsigned_segments"], 3);
    assert_eq!(report["verified_segments"], 0);
    assert_eq!(report["checkpoint"], serde_json::Value::Null);
    assert_eq!(problem_kinds(&report), ["unsigned_tail"]);
    assert_eq!(report["problems"][0]["severity"], "warning");
}
