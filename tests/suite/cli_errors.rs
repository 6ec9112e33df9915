//! Bad input and bad usage: rejected records, empty input, directories that are not stores,
//! unknown formats and mappings. Exit 1 when the command ran and rejected input, 2 for usage.

use crate::common::{Sandbox, fixture, fixture_bytes, list_names};

/// bad.ndjson plus one line of invalid UTF-8 (line 9) and a good line after it (line 10).
fn write_bad_input(sb: &Sandbox) {
    let mut bytes = fixture_bytes("bad.ndjson");
    bytes.extend_from_slice(
        b"{\"time\":\"2026-11-24T09:30:08Z\",\"user\":\"iv\xe1n\",\"action\":\"logout\"}\n",
    );
    bytes.extend_from_slice(b"{\"time\":\"2026-11-24T09:30:09Z\",\"user\":\"judy\",\"action\":\"login\",\"status\":200}\n");
    sb.write("bad.ndjson", bytes);
}

/// The rejected lines of bad.ndjson with a word each reason must contain.
const REJECTS: [(u32, &str); 5] = [
    (2, "invalid JSON"),
    (4, "not a JSON object"),
    (5, "time: no time field"),
    (7, "no UTC offset"),
    (9, "not valid UTF-8"),
];

fn assert_rejects_listed(stderr: &str) {
    for (line, reason) in REJECTS {
        let rejected = stderr
            .lines()
            .find(|l| l.contains(&format!("bad.ndjson:{line}: ")))
            .unwrap_or_else(|| panic!("line {line} not reported:\n{stderr}"));
        assert!(
            rejected.contains(reason),
            "line {line} should say {reason:?}: {rejected}"
        );
    }
    for good in [1, 3, 6, 8, 10] {
        assert!(
            !stderr.contains(&format!("bad.ndjson:{good}:")),
            "good line {good} reported:\n{stderr}"
        );
    }
}

#[test]
fn rejected_records_are_listed_and_nothing_is_sealed() {
    let sb = Sandbox::new();
    write_bad_input(&sb);
    let run = sb
        .ts(&["seal", "--store", "store", "bad.ndjson"])
        .code(1)
        .stderr_has(
            "5 records rejected; nothing was sealed (use --skip-bad to seal the 5 good ones)",
        );
    assert_rejects_listed(&run.stderr);
    // The naive time is quoted so the user can find it.
    assert!(
        run.stderr
            .contains("\"2026-11-24T09:30:06\" has no UTC offset"),
        "{run}"
    );
    assert!(run.stdout.is_empty(), "{run}");
    assert!(!sb.path("store").exists(), "no store created");

    // Into an existing store: nothing appended either.
    sb.ts(&["seal", "--store", "store", &fixture("k8s-audit.ndjson")])
        .ok();
    let before = list_names(&sb.path("store/segments"));
    sb.ts(&["seal", "--store", "store", "bad.ndjson"]).code(1);
    assert_eq!(list_names(&sb.path("store/segments")), before);
    assert_eq!(sb.verify_json("store", 0)["events"], 10);
}

#[test]
fn skip_bad_seals_the_good_records_and_still_reports_the_rest() {
    let sb = Sandbox::new();
    write_bad_input(&sb);
    let run = sb
        .ts(&["seal", "--store", "store", "--skip-bad", "bad.ndjson"])
        .ok()
        .stdout_has("sealed 5 events into 1 segments");
    assert!(run.stdout.contains("5 rejected"), "{run}");
    assert_rejects_listed(&run.stderr);

    let report = sb.verify_json("store", 0);
    assert_eq!(report["events"], 5);
    let input = crate::common::lines(&std::fs::read(sb.path("bad.ndjson")).unwrap());
    let good: Vec<Vec<u8>> = [1, 3, 6, 8, 10]
        .iter()
        .map(|n| input[n - 1].clone())
        .collect();
    assert_eq!(sb.segments("store")[0].body, good);
}

#[test]
fn all_records_rejected_even_with_skip_bad_is_an_error() {
    let sb = Sandbox::new();
    sb.write("junk.ndjson", "not json\n[1,2,3]\n{\"no\":\"time\"}\n");
    sb.ts(&["seal", "--store", "store", "--skip-bad", "junk.ndjson"])
        .code(2)
        .stderr_has("no events in the input (all records were rejected)");
    assert!(!sb.path("store").exists());
}

#[test]
fn a_bad_record_inside_a_cloudtrail_document_is_located_by_index() {
    let sb = Sandbox::new();
    let mut doc: serde_json::Value =
        serde_json::from_slice(&fixture_bytes("cloudtrail.json")).unwrap();
    doc["Records"][3]
        .as_object_mut()
        .unwrap()
        .remove("eventTime");
    sb.write("ct.json", serde_json::to_vec_pretty(&doc).unwrap());
    sb.ts(&["seal", "--store", "store", "ct.json"])
        .code(1)
        .stderr_has("ct.json:1 (Records[3]): time: no time field (looked for eventTime");
    sb.ts(&["seal", "--store", "store", "--skip-bad", "ct.json"])
        .ok()
        .stdout_has("sealed 5 events");
}

#[test]
fn empty_input_is_a_usage_error() {
    let sb = Sandbox::new();
    sb.write("empty.ndjson", "");
    sb.write("blank.ndjson", "\n  \n\n");
    for input in ["empty.ndjson", "blank.ndjson"] {
        sb.ts(&["seal", "--store", "store", input])
            .code(2)
            .stderr_has("no events");
    }
    sb.ts(&["seal", "--store", "store", "missing.ndjson"])
        .code(2)
        .stderr_has("missing.ndjson");
    assert!(!sb.path("store").exists());
}

#[test]
fn verify_refuses_a_directory_that_is_not_a_store() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("empty")).unwrap();
    sb.write("random/notes.txt", "hello\n");
    sb.write("random/00000000000000000000.seg", "not in segments/\n");
    for dir in ["empty", "random", "does-not-exist"] {
        let run = sb
            .ts(&["verify", dir])
            .code(2)
            .stderr_has("not a trailscope store");
        assert!(run.stdout.is_empty(), "{run}");
        sb.ts(&["verify", "--json", dir])
            .code(2)
            .stderr_has("not a trailscope store");
    }
    assert!(
        list_names(&sb.home()).is_empty(),
        "nothing pinned for a non-store"
    );
    assert_eq!(list_names(&sb.path("empty")), Vec::<String>::new());
}

#[test]
fn seal_refuses_a_non_empty_directory_that_is_not_a_store() {
    let sb = Sandbox::new();
    sb.write("project/README", "my files\n");
    sb.ts(&["seal", "--store", "project", &fixture("k8s-audit.ndjson")])
        .code(2)
        .stderr_has("is not a trailscope store");
    assert_eq!(
        list_names(&sb.path("project")),
        ["README"],
        "nothing written"
    );

    // An empty directory is fine: it becomes the store.
    std::fs::create_dir(sb.path("fresh")).unwrap();
    sb.ts(&["seal", "--store", "fresh", &fixture("k8s-audit.ndjson")])
        .ok();
    assert_eq!(sb.verify_json("fresh", 0)["events"], 10);
}

#[test]
fn unknown_format_and_bad_mappings_are_usage_errors() {
    let sb = Sandbox::new();
    let k8s = fixture("k8s-audit.ndjson");
    sb.ts(&["seal", "--store", "s", "--format", "syslog", &k8s])
        .code(2)
        .stderr_has("unknown format \"syslog\" (expected auto, ndjson, k8s-audit or cloudtrail)");
    sb.ts(&["seal", "--store", "s", "--map", "colour=meta.colour", &k8s])
        .code(2)
        .stderr_has("unknown field \"colour\"");
    sb.ts(&["seal", "--store", "s", "--map", "time", &k8s])
        .code(2)
        .stderr_has("expected field=path");
    sb.ts(&["seal", "--store", "s", "--map", "time=meta..when", &k8s])
        .code(2)
        .stderr_has("empty path component");
    sb.ts(&["seal", "--store", "s", "--segment-events", "many", &k8s])
        .code(2);
    sb.ts(&["verify"]).code(2).stderr_has("STORE");
    sb.ts(&["frobnicate"]).code(2);
    assert!(!sb.path("s").exists());
}

#[test]
fn explicit_format_applies_its_own_time_keys() {
    // A CloudTrail file sealed as k8s-audit has no requestReceivedTimestamp: every record is
    // rejected with the keys that were looked for.
    let sb = Sandbox::new();
    sb.ts(&["seal", "--store", "s", "--format", "k8s-audit", &fixture("cloudtrail-lines.ndjson")])
        .code(1)
        .stderr_has("cloudtrail-lines.ndjson:6: time: no time field (looked for requestReceivedTimestamp, stageTimestamp")
        .stderr_has("6 records rejected");
}

#[test]
fn a_pipe_input_is_read_once_and_fully_sealed() {
    let sb = Sandbox::new();
    let script = format!(
        "'{}' seal --store store <(printf '%s\\n' '{{\"time\":\"2026-01-01T00:00:00Z\",\"user\":\"a\"}}' '{{\"time\":\"2026-01-01T00:00:01Z\",\"user\":\"b\"}}')",
        crate::common::BIN
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(sb.dir.path())
        .env("TRAILSCOPE_HOME", sb.home())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("sealed 2 events into 1 segments"));
    assert_eq!(sb.verify_json("store", 0)["events"], 2);
}

#[test]
fn a_fifo_in_the_store_is_an_error_naming_it_not_a_hang() {
    let sb = Sandbox::new();
    sb.write("in.ndjson", "{\"time\":\"2026-01-01T00:00:00Z\"}\n");
    sb.ts(&["seal", "--store", "store", "in.ndjson"]).ok();
    let fifo = sb.path("store/segments/00000000000000000001.seg");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    sb.ts(&["verify", "store"])
        .code(2)
        .stderr_has("segments/00000000000000000001.seg is not a regular file");
}
