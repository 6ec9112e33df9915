//! Pinned heads and signers through the CLI: a store that goes back (rollback) or sideways
//! (fork), or changes its signer, is caught by the pin an earlier `verify` left in the home;
//! `forget` clears it. `--pubkey` overrides trust on first use.

use std::fs;

use crate::common::{Sandbox, fixture, list_names, problem, problem_kinds, short_key};

/// 6 segments in two seal runs (checkpoints of size 4 and 6), verified once (pinned at seq 5).
/// Returns the pinned head hash.
fn pinned_store(sb: &Sandbox) -> String {
    sb.keygen("ops");
    sb.seal_signed(&["--segment-events", "3", &fixture("k8s-audit.ndjson")])
        .ok();
    sb.seal_signed(&["--segment-events", "3", &fixture("cloudtrail.json")])
        .ok();
    assert!(
        list_names(&sb.path("home/pins")).is_empty(),
        "seal pins nothing"
    );
    let report = sb.verify_json("store", 0);
    assert_eq!(report["head"]["seq"], 5);
    assert_eq!(
        list_names(&sb.path("home/pins")).len(),
        1,
        "verify pinned the store"
    );
    report["head"]["hash"].as_str().unwrap().to_string()
}

/// Drops segments 4 and 5 and the checkpoint covering them, and puts the older checkpoint back
/// as latest: a shorter store that is consistent in itself.
fn rewind_to_four_segments(sb: &Sandbox) {
    for f in [
        "segments/00000000000000000004.seg",
        "segments/00000000000000000005.seg",
        "checkpoints/00000000000000000006.note",
    ] {
        fs::remove_file(sb.path("store").join(f)).unwrap();
    }
    fs::copy(
        sb.path("store/checkpoints/00000000000000000004.note"),
        sb.path("store/checkpoints/latest.note"),
    )
    .unwrap();
}

#[test]
fn rollback_to_an_older_consistent_store_is_caught_by_the_pin() {
    let sb = Sandbox::new();
    let pinned = pinned_store(&sb);
    rewind_to_four_segments(&sb);

    // Someone who never saw the longer store finds nothing wrong: the rewind is consistent.
    let fresh_home = sb.path("other-home");
    fs::create_dir(&fresh_home).unwrap();
    let fresh = sb
        .ts_with_home(&fresh_home, &["verify", "--json", "store"])
        .ok()
        .json();
    assert_eq!(fresh["problems"], serde_json::json!([]));
    assert_eq!(fresh["head"]["seq"], 3);
    let store_head = fresh["head"]["hash"].as_str().unwrap().to_string();

    // We did see it.
    let report = sb.verify_json("store", 1);
    assert_eq!(problem_kinds(&report), ["rollback"]);
    let rollback = problem(&report, "rollback");
    assert_eq!(rollback["severity"], "error");
    let detail = rollback["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("seq 5 {}", &pinned[..12])),
        "pinned head in {detail:?}"
    );
    assert!(
        detail.contains(&format!("seq 3 {}", &store_head[..12])),
        "store head in {detail:?}"
    );
    let human = sb.ts(&["verify", "store"]).code(1);
    assert!(human.stdout.contains("rollback"), "{human}");
    assert!(human.stdout.contains("PROBLEMS FOUND"), "{human}");

    // The pin did not move back: still caught, under any spelling of the path.
    sb.verify_json("store", 1);
    let again = sb.verify_json("store/", 1);
    assert_eq!(problem_kinds(&again), ["rollback"]);
    sb.verify_json("./store", 1);

    // `forget` accepts the store again and pins its current head.
    sb.ts(&["forget", "store/"])
        .ok()
        .stdout_has("forgot the pinned head and signer of ");
    let report = sb.verify_json("store", 0);
    assert_eq!(report["problems"], serde_json::json!([]));
    assert_eq!(report["head"]["hash"], store_head);
    sb.ts(&["forget", "store"]).ok();
    sb.ts(&["forget", "store"])
        .ok()
        .stdout_has("nothing was pinned for ");
}

#[test]
fn store_rewritten_with_other_events_is_a_fork() {
    let sb = Sandbox::new();
    let pinned = pinned_store(&sb);

    // Same directory, same origin, same key, as many segments, different history.
    fs::remove_dir_all(sb.path("store")).unwrap();
    sb.seal_signed(&["--segment-events", "1", &fixture("k8s-audit.ndjson")])
        .ok();
    let fresh_home = sb.path("other-home");
    fs::create_dir(&fresh_home).unwrap();
    let fresh = sb
        .ts_with_home(&fresh_home, &["verify", "--json", "store"])
        .ok()
        .json();
    assert_eq!(fresh["origin"], "store");
    assert_eq!(fresh["segments"], 10);

    let report = sb.verify_json("store", 1);
    assert_eq!(problem_kinds(&report), ["fork"]);
    let fork = problem(&report, "fork");
    assert_eq!(fork["seq"], 5);
    let detail = fork["detail"].as_str().unwrap();
    let now_5 = sb.segments("store")[5].chain_hash();
    assert!(detail.contains(&pinned[..12]), "pinned hash in {detail:?}");
    assert!(
        detail.contains(&now_5[..12]),
        "the store's segment 5 in {detail:?}"
    );
    assert_eq!(
        report["head"],
        serde_json::Value::Null,
        "nothing is verified on a fork"
    );
    assert_eq!(report["events"], 0);

    sb.ts(&["forget", "store"]).ok();
    let report = sb.verify_json("store", 0);
    assert_eq!(report["events"], 10);
    assert_eq!(report["head"]["seq"], 9);
}

#[test]
fn rewrite_with_another_key_is_a_signer_change() {
    let sb = Sandbox::new();
    pinned_store(&sb);
    let other = sb.keygen("other");

    // The same events, re-sealed from scratch and signed by another key.
    fs::remove_dir_all(sb.path("store")).unwrap();
    for input in ["k8s-audit.ndjson", "cloudtrail.json"] {
        sb.ts(&[
            "seal",
            "--store",
            "store",
            "--key",
            "keys/other.key",
            "--segment-events",
            "3",
            &fixture(input),
        ])
        .ok();
    }

    let report = sb.verify_json("store", 1);
    let kinds = problem_kinds(&report);
    assert!(kinds.contains(&"signer_changed".to_string()), "{kinds:?}");
    assert!(kinds.contains(&"unknown_signer".to_string()), "{kinds:?}");
    let changed = problem(&report, "signer_changed")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(changed.contains("pinned signer is ops+"), "{changed}");
    assert!(changed.contains(&short_key(&other)), "{changed}");
    assert_eq!(
        report["checkpoint"],
        serde_json::Value::Null,
        "no checkpoint by the pinned key"
    );
    assert!(
        !kinds.contains(&"fork".to_string()) && !kinds.contains(&"rollback".to_string()),
        "{kinds:?}"
    );

    // Naming the new key explicitly is the owner's call; so is forgetting the pin.
    let explicit = sb
        .ts(&["verify", "--json", "--pubkey", "keys/other.pub", "store"])
        .ok()
        .json();
    assert_eq!(explicit["checkpoint"]["size"], 6);
    sb.verify_json("store", 1);
    sb.ts(&["forget", "store"]).ok();
    let report = sb.verify_json("store", 0);
    assert_eq!(report["signer"], other);
    assert_eq!(report["problems"], serde_json::json!([]));
}

#[test]
fn pubkey_accepts_a_file_or_the_key_string_and_rejects_other_signers() {
    let sb = Sandbox::new();
    let ops = sb.keygen("ops");
    let other = sb.keygen("other");
    sb.seal_signed(&[&fixture("k8s-audit.ndjson")]).ok();

    let wrong = sb
        .ts(&["verify", "--json", "--pubkey", "keys/other.pub", "store"])
        .code(1)
        .json();
    let kinds = problem_kinds(&wrong);
    assert!(
        kinds
            .iter()
            .all(|k| k == "unknown_signer" || k == "unsigned_tail"),
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| *k == "unknown_signer").count(),
        2,
        "numbered note and latest.note"
    );
    let detail = problem(&wrong, "unknown_signer")["detail"]
        .as_str()
        .unwrap();
    assert!(
        detail.contains(&short_key(&other)) && detail.contains(&short_key(&ops)),
        "{detail}"
    );
    assert_eq!(wrong["checkpoint"], serde_json::Value::Null);
    assert_eq!(wrong["signer"], other);
    sb.ts(&["verify", "--pubkey", &other, "store"])
        .code(1)
        .stdout_has("unknown_signer");

    for pubkey in ["keys/ops.pub", ops.as_str()] {
        let report = sb
            .ts(&["verify", "--json", "--pubkey", pubkey, "store"])
            .ok()
            .json();
        assert_eq!(report["checkpoint"]["size"], 1, "--pubkey {pubkey}");
        assert_eq!(report["signer"], ops);
        assert_eq!(report["problems"], serde_json::json!([]));
    }

    sb.ts(&["verify", "--pubkey", "keys/nope.pub", "store"])
        .code(2)
        .stderr_has("keys/nope.pub");
    sb.ts(&["verify", "--pubkey", "keys/ops.key", "store"])
        .code(2)
        .stderr_has("malformed public key");
    sb.ts(&["verify", "--pubkey", "ops+00000000+AAAA", "store"])
        .code(2)
        .stderr_has("malformed public key");
}
