//! `trailscope seal` then `verify`, end to end: every input format, how records are stored,
//! and how they are cut into segments.

use std::io::Write;

use crate::common::{Sandbox, fixture, fixture_bytes, fixture_lines, short_key};
use serde_json::Value;

/// keygen → seal --key → verify, human and JSON.
#[test]
fn signed_store_verifies_and_reports_its_head() {
    let sb = Sandbox::new();
    let public = sb.keygen("audit.example.com");
    sb.ts(&[
        "seal",
        "--store",
        "store",
        "--key",
        "keys/audit.example.com.key",
        &fixture("k8s-audit.ndjson"),
    ])
    .ok()
    .stdout_has("sealed 10 events into 1 segments")
    .stdout_has("(origin store)");

    let human = sb.ts(&["verify", "store"]).ok();
    assert!(
        human
            .field("segments:")
            .starts_with("1 (1 verified and signed"),
        "{human}"
    );
    assert!(human.field("events:").starts_with("10 "), "{human}");
    assert!(human.field("origin:").starts_with("store"), "{human}");
    assert!(human.field("checkpoint:").starts_with("size 1 "), "{human}");
    assert_eq!(human.field("signer:"), short_key(&public), "{human}");
    assert!(human.stdout.contains("INTACT"), "{human}");
    assert!(!human.stdout.contains("ERROR"), "{human}");

    let report = sb.verify_json("store", 0);
    assert_eq!(report["segments"], 1);
    assert_eq!(report["events"], 10);
    assert_eq!(report["head"]["seq"], 0);
    let head = report["head"]["hash"].as_str().unwrap();
    assert_eq!(head.len(), 64);
    assert!(
        head.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{head}"
    );
    assert_eq!(report["checkpoint"]["size"], 1);
    assert_eq!(report["checkpoint"]["hash"], head);
    assert_eq!(report["problems"], serde_json::json!([]));
    assert_eq!(report["signer"], public);

    // The human head line names the same hash, which is the SHA-256 of the header line.
    assert_eq!(human.field("head:"), format!("seq 0 {head}"));
    assert_eq!(sb.segments("store")[0].chain_hash(), head);
    // The public key was published for trust on first use.
    assert_eq!(
        std::fs::read_to_string(sb.path("store/checkpoints/signer.pub"))
            .unwrap()
            .trim(),
        public
    );
}

/// Seals `input` with `--format format` into a new store, verifies it, returns the report.
fn seal_and_verify(sb: &Sandbox, store: &str, format: &str, input: &str, extra: &[&str]) -> Value {
    let mut args = vec!["seal", "--store", store, "--format", format];
    args.extend_from_slice(extra);
    args.push(input);
    sb.ts(&args).ok();
    sb.verify_json(store, 0)
}

#[test]
fn k8s_audit_lines_are_stored_byte_for_byte() {
    let sb = Sandbox::new();
    let input = fixture_lines("k8s-audit.ndjson");
    assert_eq!(input.len(), 10);
    for (store, format) in [("auto", "auto"), ("explicit", "k8s-audit")] {
        let report = seal_and_verify(&sb, store, format, &fixture("k8s-audit.ndjson"), &[]);
        assert_eq!(report["events"], 10, "{format}");
        assert_eq!(
            report["first_time"], "2026-11-24T09:14:02.118204000Z",
            "microseconds kept ({format})"
        );
        assert_eq!(report["last_time"], "2026-11-24T09:21:17.084456000Z");
        let segs = sb.segments(store);
        assert_eq!(segs.len(), 1);
        assert_eq!(
            segs[0].path.file_name().unwrap(),
            "00000000000000000000.seg"
        );
        assert_eq!(segs[0].header["mapping"]["format"], format);
        assert_eq!(
            segs[0].body, input,
            "{format}: body lines are the input lines, byte for byte"
        );
    }
}

#[test]
fn cloudtrail_records_document_is_split_and_each_record_compacted() {
    let sb = Sandbox::new();
    let doc: Value = serde_json::from_slice(&fixture_bytes("cloudtrail.json")).unwrap();
    let records = doc["Records"].as_array().unwrap();
    assert_eq!(records.len(), 6);
    assert!(
        fixture_lines("cloudtrail.json").len() > 100,
        "the fixture is pretty-printed"
    );
    let one_per_line = fixture_lines("cloudtrail-lines.ndjson");

    for (store, format) in [("auto", "auto"), ("explicit", "cloudtrail")] {
        let report = seal_and_verify(&sb, store, format, &fixture("cloudtrail.json"), &[]);
        assert_eq!(
            report["events"], 6,
            "{format}: one event per record, not one per document"
        );
        assert_eq!(report["first_time"], "2026-11-24T08:02:11.000000000Z");
        assert_eq!(report["last_time"], "2026-11-24T08:11:37.000000000Z");
        let body = &sb.segments(store)[0].body;
        assert_eq!(body.len(), 6);
        for (i, line) in body.iter().enumerate() {
            assert_eq!(
                String::from_utf8_lossy(line),
                String::from_utf8_lossy(&crate::common::compact(&records[i])),
                "{format}: record {i} stored compacted, keys in their order"
            );
            assert_eq!(
                line, &one_per_line[i],
                "the same record delivered one per line is stored the same"
            );
        }
    }
}

#[test]
fn cloudtrail_one_record_per_line_is_stored_byte_for_byte() {
    let sb = Sandbox::new();
    let input = fixture_lines("cloudtrail-lines.ndjson");
    for (store, format) in [("auto", "auto"), ("explicit", "cloudtrail")] {
        let report = seal_and_verify(&sb, store, format, &fixture("cloudtrail-lines.ndjson"), &[]);
        assert_eq!(report["events"], 6, "{format}");
        assert_eq!(sb.segments(store)[0].body, input, "{format}");
    }
}

#[test]
fn gzipped_input_is_read_transparently() {
    let sb = Sandbox::new();
    for name in ["cloudtrail.json", "k8s-audit.ndjson"] {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&fixture_bytes(name)).unwrap();
        sb.write(&format!("{name}.gz"), gz.finish().unwrap());
    }

    seal_and_verify(&sb, "plain", "auto", &fixture("cloudtrail.json"), &[]);
    let report = seal_and_verify(&sb, "gz", "auto", "cloudtrail.json.gz", &[]);
    assert_eq!(report["events"], 6);
    assert_eq!(sb.segments("gz")[0].body, sb.segments("plain")[0].body);

    let report = seal_and_verify(&sb, "gz-k8s", "k8s-audit", "k8s-audit.ndjson.gz", &[]);
    assert_eq!(report["events"], 10);
    assert_eq!(
        sb.segments("gz-k8s")[0].body,
        fixture_lines("k8s-audit.ndjson")
    );
}

#[test]
fn generic_ndjson_with_various_keys_and_a_mapped_time() {
    let sb = Sandbox::new();
    let input = fixture_lines("generic.ndjson");
    assert_eq!(input.len(), 8);
    let mapped_line = 7; // {"meta": {"when": …}, …}: no time key the defaults know
    let needs_map = input[mapped_line - 1].clone();
    assert!(String::from_utf8_lossy(&needs_map).contains("\"when\""));

    for (store, format) in [("auto", "auto"), ("explicit", "ndjson")] {
        // Without a mapping the record is rejected, naming the field and the way out.
        sb.ts(&[
            "seal",
            "--store",
            store,
            "--format",
            format,
            &fixture("generic.ndjson"),
        ])
        .code(1)
        .stderr_has(&format!(
            "generic.ndjson:{mapped_line}: time: no time field"
        ))
        .stderr_has("--map time=");
        assert!(sb.segments(store).is_empty(), "nothing sealed");

        // The other seven are sealed byte for byte.
        let report = seal_and_verify(
            &sb,
            store,
            format,
            &fixture("generic.ndjson"),
            &["--skip-bad"],
        );
        assert_eq!(report["events"], 7);
        let mut want = input.clone();
        want.remove(mapped_line - 1);
        assert_eq!(sb.segments(store)[0].body, want);

        // The eighth goes in with --map; the mapping is recorded in its segment's header, and
        // the store (two segments, two mappings) still verifies.
        sb.write("vault.ndjson", [needs_map.as_slice(), b"\n"].concat());
        sb.ts(&[
            "seal",
            "--store",
            store,
            "--format",
            format,
            "--map",
            "time=meta.when",
            "vault.ndjson",
        ])
        .ok()
        .stdout_has("sealed 1 events into 1 segments");
        let report = sb.verify_json(store, 0);
        assert_eq!(report["events"], 8);
        assert_eq!(report["last_time"], "2026-11-24T09:00:08.000000000Z");
        let segs = sb.segments(store);
        assert_eq!(segs[1].body, vec![needs_map.clone()]);
        assert_eq!(
            segs[1].header["mapping"],
            serde_json::json!({"format": format, "map": {"time": "meta.when"}})
        );
        assert!(segs[0].header["mapping"].get("map").is_none());
    }

    // A --map override replaces the default keys: the other records now lack a time.
    sb.ts(&[
        "seal",
        "--store",
        "mapped-all",
        "--map",
        "time=meta.when",
        &fixture("generic.ndjson"),
    ])
    .code(1)
    .stderr_has("generic.ndjson:1: time: no time field (looked for meta.when")
    .stderr_has("7 records rejected; nothing was sealed");
}

#[test]
fn generic_times_are_normalised_from_every_spelling() {
    // Epoch millis, RFC 3339 with an offset, space separator, epoch seconds and fractional
    // seconds all land on the instants they name.
    let sb = Sandbox::new();
    sb.ts(&[
        "seal",
        "--store",
        "s",
        "--skip-bad",
        "--segment-events",
        "1",
        &fixture("generic.ndjson"),
    ])
    .ok();
    let firsts: Vec<String> = sb
        .segments("s")
        .iter()
        .map(|s| s.header["first_time"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        firsts,
        [
            "2026-11-24T09:00:00.123000000Z",
            "2026-11-24T09:00:01.250000000Z",
            "2026-11-24T09:00:03.000417000Z",
            "2026-11-24T09:00:04.500000000Z",
            "2026-11-24T09:00:05.000000000Z",
            "2026-11-24T09:00:06.750000000Z",
            "2026-11-24T09:00:08.000000000Z",
        ]
    );
}

#[test]
fn stdin_is_read_when_the_input_is_a_dash() {
    let sb = Sandbox::new();
    let run = sb
        .ts_stdin(
            &["seal", "--store", "s", "-"],
            &fixture_bytes("cloudtrail.json"),
        )
        .ok();
    assert!(run.stdout.contains("sealed 6 events"), "{run}");
    assert_eq!(sb.verify_json("s", 0)["events"], 6);
}

#[test]
fn segment_events_cuts_every_n_records() {
    let sb = Sandbox::new();
    sb.ts(&[
        "seal",
        "--store",
        "s",
        "--segment-events",
        "3",
        &fixture("k8s-audit.ndjson"),
    ])
    .ok()
    .stdout_has("sealed 10 events into 4 segments");
    let segs = sb.segments("s");
    let names: Vec<String> = segs
        .iter()
        .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "00000000000000000000.seg",
            "00000000000000000001.seg",
            "00000000000000000002.seg",
            "00000000000000000003.seg"
        ]
    );
    assert_eq!(
        segs.iter().map(|s| s.events()).collect::<Vec<_>>(),
        [3, 3, 3, 1]
    );
    assert_eq!(
        segs.iter().map(|s| s.seq()).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    assert_eq!(segs[0].prev(), "0".repeat(64));
    for w in segs.windows(2) {
        assert_eq!(
            w[1].prev(),
            w[0].chain_hash(),
            "segment {} chains to {}",
            w[1].seq(),
            w[0].seq()
        );
    }
    assert_eq!(
        crate::common::all_body_lines(&sb.path("s")),
        fixture_lines("k8s-audit.ndjson")
    );
    let report = sb.verify_json("s", 0);
    assert_eq!(report["segments"], 4);
    assert_eq!(report["events"], 10);
    assert_eq!(report["head"]["seq"], 3);
    assert_eq!(report["head"]["hash"], segs[3].chain_hash());
}

#[test]
fn segment_seconds_cuts_when_event_times_span_too_long() {
    // k8s fixture times (09:..): 14:02.1 14:05.4 14:09.5 14:11.0 | 15:40.7 16:02.0 | 17:30.2 |
    // 18:44.9 19:03.6 | 21:17.0 — no segment may span more than 60 s.
    let sb = Sandbox::new();
    sb.ts(&[
        "seal",
        "--store",
        "s",
        "--segment-seconds",
        "60",
        &fixture("k8s-audit.ndjson"),
    ])
    .ok()
    .stdout_has("into 5 segments");
    let segs = sb.segments("s");
    assert_eq!(
        segs.iter().map(|s| s.events()).collect::<Vec<_>>(),
        [4, 2, 1, 2, 1]
    );
    let spans: Vec<(&str, &str)> = segs
        .iter()
        .map(|s| {
            (
                s.header["first_time"].as_str().unwrap(),
                s.header["last_time"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        spans[0],
        (
            "2026-11-24T09:14:02.118204000Z",
            "2026-11-24T09:14:11.003587000Z"
        )
    );
    assert_eq!(
        spans[3],
        (
            "2026-11-24T09:18:44.913372000Z",
            "2026-11-24T09:19:03.640219000Z"
        )
    );
    assert_eq!(
        crate::common::all_body_lines(&sb.path("s")),
        fixture_lines("k8s-audit.ndjson")
    );
    assert_eq!(sb.verify_json("s", 0)["events"], 10);

    // Both limits together: whichever comes first.
    sb.ts(&[
        "seal",
        "--store",
        "both",
        "--segment-seconds",
        "60",
        "--segment-events",
        "3",
        &fixture("k8s-audit.ndjson"),
    ])
    .ok();
    assert_eq!(
        sb.segments("both")
            .iter()
            .map(|s| s.events())
            .collect::<Vec<_>>(),
        [3, 1, 2, 1, 2, 1]
    );
}

#[test]
fn origin_defaults_to_the_directory_name_and_can_be_set() {
    let sb = Sandbox::new();
    sb.ts(&[
        "seal",
        "--store",
        "prod-audit/",
        &fixture("cloudtrail.json"),
    ])
    .ok();
    assert_eq!(sb.segments("prod-audit")[0].header["origin"], "prod-audit");
    sb.ts(&[
        "seal",
        "--store",
        "s2",
        "--origin",
        "audit.example.com/prod",
        &fixture("cloudtrail.json"),
    ])
    .ok();
    assert_eq!(sb.verify_json("s2", 0)["origin"], "audit.example.com/prod");
    // An existing store keeps its origin.
    sb.ts(&[
        "seal",
        "--store",
        "s2",
        "--origin",
        "other",
        &fixture("k8s-audit.ndjson"),
    ])
    .code(2)
    .stderr_has("origin is \"audit.example.com/prod\"");
    sb.ts(&[
        "seal",
        "--store",
        "s3",
        "--origin",
        "has space",
        &fixture("k8s-audit.ndjson"),
    ])
    .code(2);
    assert!(!sb.path("s3").exists());
}
