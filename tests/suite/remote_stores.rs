//! Stores on real servers: a directory served by Python's `http.server`, and an S3 bucket on
//! `moto_server`. Each test skips (or fails with `TRAILSCOPE_REQUIRE_SERVERS=1`) when its server
//! program is missing; see `servers/mod.rs`.

use std::fs;
use std::time::{Duration, Instant};

use crate::common::{Run, Sandbox, fixture, problem_kinds};
use crate::servers::{
    ACCESS_KEY_ID, SECRET_ACCESS_KEY, assert_no_secrets, free_port, http_server, s3_env, s3_server,
    ts_env,
};
use serde_json::{Value, json};

/// A signed store in `store/`: 10 k8s events in 4 segments (checkpoint size 4).
fn signed_store(sb: &Sandbox) {
    sb.keygen("ops");
    sb.seal_signed(&["--segment-events", "3", &fixture("k8s-audit.ndjson")])
        .ok();
}

/// What two verify reports of the same store must agree on, whatever its location.
fn summary(report: &Value) -> Value {
    let problems: Vec<Value> = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| json!([p["kind"], p["seq"], p["severity"]]))
        .collect();
    json!({
        "origin": report["origin"],
        "segments": report["segments"],
        "verified_segments": report["verified_segments"],
        "unsigned_segments": report["unsigned_segments"],
        "events": report["events"],
        "head": report["head"],
        "checkpoint": report["checkpoint"],
        "signer": report["signer"],
        "problems": problems,
    })
}

/// `trailscope verify --json URL` with the given exit code, the report parsed.
#[track_caller]
fn verify_json(sb: &Sandbox, url: &str, code: i32) -> Value {
    sb.ts(&["verify", "--json", url]).code(code).json()
}

#[test]
fn a_directory_served_over_http_verifies_like_the_directory() {
    let sb = Sandbox::new();
    signed_store(&sb);
    let Some(server) = http_server(&sb.path("store")) else {
        return;
    };
    let local = sb.verify_json("store", 0);
    let remote = verify_json(&sb, &format!("{}/", server.url()), 0);
    assert_eq!(summary(&remote), summary(&local));
    assert_eq!(remote["segments"], 4);
    assert_eq!(remote["problems"], json!([]));
    assert_eq!(
        remote["store"],
        server.url(),
        "one spelling, no trailing slash"
    );

    let human = sb.ts(&["verify", &server.url()]).ok();
    assert!(human.stdout.contains("INTACT"), "{human}");
    assert_eq!(
        human.field("head:"),
        format!("seq 3 {}", local["head"]["hash"].as_str().unwrap())
    );
}

#[test]
fn an_unsigned_tail_over_http_is_found_by_probing() {
    let sb = Sandbox::new();
    signed_store(&sb);
    // Two more segments without a key: beyond what latest.note announces.
    sb.ts(&[
        "seal",
        "--store",
        "store",
        "--segment-events",
        "3",
        &fixture("cloudtrail.json"),
    ])
    .ok();
    let Some(server) = http_server(&sb.path("store")) else {
        return;
    };
    let local = sb.verify_json("store", 0);
    let remote = verify_json(&sb, &server.url(), 0);
    assert_eq!(summary(&remote), summary(&local));
    assert_eq!(remote["segments"], 6);
    assert_eq!(remote["unsigned_segments"], 2);
    assert_eq!(problem_kinds(&remote), ["unsigned_tail"]);
    assert_eq!(remote["head"]["seq"], 5);
}

#[test]
fn a_store_without_any_checkpoint_is_probed_from_segment_zero() {
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
    let Some(server) = http_server(&sb.path("store")) else {
        return;
    };
    let remote = verify_json(&sb, &server.url(), 0);
    assert_eq!(summary(&remote), summary(&sb.verify_json("store", 0)));
    assert_eq!(remote["segments"], 3);
    assert_eq!(remote["unsigned_segments"], 3);
}

#[test]
fn a_tampered_segment_over_http_is_reported_like_in_the_directory() {
    let sb = Sandbox::new();
    signed_store(&sb);
    let seg1 = sb.path("store/segments/00000000000000000001.seg");
    let text = fs::read_to_string(&seg1).unwrap();
    assert!(text.contains("\"verb\":\"create\""));
    fs::write(
        &seg1,
        text.replacen("\"verb\":\"create\"", "\"verb\":\"update\"", 1),
    )
    .unwrap();
    let Some(server) = http_server(&sb.path("store")) else {
        return;
    };
    let local = sb.verify_json("store", 1);
    let remote = verify_json(&sb, &server.url(), 1);
    assert_eq!(summary(&remote), summary(&local));
    assert_eq!(
        crate::common::problem(&remote, "content_modified")["seq"],
        1
    );
    assert_eq!(
        crate::common::problem(&remote, "content_modified")["file"],
        "segments/00000000000000000001.seg"
    );
}

#[test]
fn an_http_store_refuses_seal_and_nothing_is_written() {
    let sb = Sandbox::new();
    signed_store(&sb);
    let Some(server) = http_server(&sb.path("store")) else {
        return;
    };
    let before = crate::common::list_names(&sb.path("store/segments"));
    for url in [server.url(), format!("{}/elsewhere", server.url())] {
        seal_signed_to(&sb, &url)
            .code(2)
            .stderr_has("HTTP stores are read-only; seal to a directory or S3");
    }
    assert_eq!(
        crate::common::list_names(&sb.path("store/segments")),
        before
    );
}

#[test]
fn a_password_in_an_http_url_is_used_but_never_shown_or_pinned() {
    let sb = Sandbox::new();
    signed_store(&sb);
    let Some(mut server) = http_server(&sb.path("store")) else {
        return;
    };
    let password = "pa55-w0rd-never-shown";
    let url = format!("http://reader:{password}@127.0.0.1:{}/", server.port);
    let run = sb.ts(&["verify", "--json", &url]).ok();
    assert_no_secrets(&run, &[password, "reader:"]);
    assert_eq!(run.json()["store"], server.url());

    server.stop();
    let run = sb.ts(&["verify", &url]).code(2);
    assert_no_secrets(&run, &[password, "reader:"]);
    for entry in walk(&sb.home()) {
        let text = fs::read_to_string(&entry).unwrap_or_default();
        assert!(
            !text.contains(password),
            "{} holds the password",
            entry.display()
        );
    }
}

#[test]
fn an_unreachable_server_fails_fast_with_exit_2_naming_the_object() {
    let sb = Sandbox::new();
    let port = free_port(); // nothing listens there
    let started = Instant::now();
    let run = sb.ts(&["verify", &format!("http://127.0.0.1:{port}/store")]);
    let took = started.elapsed();
    let run = run.code(2);
    assert!(
        run.stderr.contains("checkpoints/latest.note")
            || run.stderr.contains("segments/00000000000000000000.seg"),
        "{run}"
    );
    assert!(run.stderr.contains("Connection refused"), "{run}");
    assert!(took < Duration::from_secs(20), "took {took:?}\n{run}");
}

#[test]
fn bad_store_urls_are_refused_without_showing_credentials() {
    let sb = Sandbox::new();
    for (url, says) in [
        (
            "s3://AKIAEXAMPLE:topsecretvalue@bucket/prefix",
            "an s3:// URL carries no credentials",
        ),
        ("s3://u:topsecretvalue@/prefix", "carries no credentials"),
        ("s3:///prefix", "is not a bucket name"),
        ("s3://bucket/prefix?token=topsecretvalue", "takes no query"),
        ("ftp://u:topsecretvalue@host/x", "unknown store scheme"),
        ("http://u:topsecretvalue@/x", "names no host"),
    ] {
        let run = sb.ts(&["verify", url]).code(2).stderr_has(says);
        assert_no_secrets(&run, &["topsecretvalue", "AKIAEXAMPLE"]);
    }
}

#[test]
fn seal_to_s3_then_verify_then_append_continues_the_chain() {
    let sb = Sandbox::new();
    sb.keygen("ops");
    let Some(server) = s3_server("trail") else {
        return;
    };
    let env = s3_env(&server);
    let url = "s3://trail/prod/audit";
    let seal = |input: &str| {
        ts_env(
            &sb,
            &env,
            &[
                "seal",
                "--store",
                url,
                "--key",
                "keys/ops.key",
                "--segment-events",
                "3",
                &fixture(input),
            ],
        )
    };
    seal("k8s-audit.ndjson")
        .ok()
        .stdout_has("sealed 10 events into 4 segments of s3://trail/prod/audit (origin audit)");
    let first = ts_env(&sb, &env, &["verify", "--json", url]).ok().json();
    assert_eq!(first["segments"], 4);
    assert_eq!(first["checkpoint"]["size"], 4);
    assert_eq!(first["problems"], json!([]));

    // The same inputs sealed into a directory with the same origin give the same chain.
    sb.seal_signed(&[
        "--origin",
        "audit",
        "--segment-events",
        "3",
        &fixture("k8s-audit.ndjson"),
    ])
    .ok();
    assert_eq!(sb.verify_json("store", 0)["head"], first["head"]);

    seal("cloudtrail.json")
        .ok()
        .stdout_has("sealed 6 events into 2 segments");
    let second = ts_env(&sb, &env, &["verify", "--json", url]).ok().json();
    assert_eq!(second["segments"], 6);
    assert_eq!(second["events"], 16);
    assert_eq!(second["checkpoint"]["size"], 6);
    assert_eq!(second["verified_segments"], 6);
    assert_eq!(second["problems"], json!([]));
    assert_ne!(second["head"], first["head"]);

    let human = ts_env(&sb, &env, &["verify", url]).ok();
    assert!(human.stdout.contains("INTACT"), "{human}");
    assert_eq!(human.field("store:"), url);
}

#[test]
fn s3_errors_exit_2_name_the_object_and_never_show_credentials() {
    let sb = Sandbox::new();
    let Some(mut server) = s3_server("trail") else {
        return;
    };
    let env = s3_env(&server);
    let input = fixture("cloudtrail.json");

    // A bucket that does not exist: verify and seal both fail on the first listing.
    for args in [
        vec!["verify", "s3://no-such-bucket/x"],
        vec!["seal", "--store", "s3://no-such-bucket/x", &input],
    ] {
        ts_env(&sb, &env, &args)
            .code(2)
            .stderr_has("segments")
            .stderr_has("NoSuchBucket");
    }
    // An empty prefix is no store.
    ts_env(&sb, &env, &["verify", "s3://trail/empty"])
        .code(2)
        .stderr_has("not a trailscope store");

    // The server gone: refused connections, retried briefly, then exit 2.
    server.stop();
    let started = Instant::now();
    for args in [
        vec!["verify", "s3://trail/x"],
        vec!["seal", "--store", "s3://trail/x", &input],
    ] {
        ts_env(&sb, &env, &args)
            .code(2)
            .stderr_has("segments")
            .stderr_has("Connection refused");
    }
    assert!(started.elapsed() < Duration::from_secs(40));
}

#[test]
fn s3_put_new_refuses_a_segment_another_writer_wrote_first() {
    for conditional in ["etag", "disabled"] {
        let sb = Sandbox::new();
        let Some(server) = s3_server("trail") else {
            return;
        };
        let mut env = s3_env(&server);
        // "disabled" takes the HEAD-then-PUT path used for servers without conditional PUT.
        env.push(("AWS_CONDITIONAL_PUT".into(), conditional.into()));
        let url = "s3://trail/race";
        let live = sb.write("live.ndjson", "");
        let err = sb.path("follow.err");
        let follower = crate::servers::command(
            &sb,
            &env,
            &[
                "seal",
                "--store",
                url,
                "--follow",
                "live.ndjson",
                "--segment-events",
                "1",
            ],
        )
        .stdout(std::process::Stdio::null())
        .stderr(fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
        let mut follower = Proc(follower);

        // The follower seals segment 0, so it has opened the store and expects seq 1 next.
        let line = |i: u32| {
            format!(
                "{{\"time\":\"2026-11-24T12:00:0{i}Z\",\"user\":\"u{i}\",\"action\":\"read\"}}\n"
            )
        };
        crate::servers::append(&live, line(0).as_bytes());
        wait_for(&err, || {
            ts_env(&sb, &env, &["verify", "--json", url]).code == 0
        });
        // Another writer appends segment 1 behind its back.
        let other = sb.write("other.ndjson", line(1));
        ts_env(
            &sb,
            &env,
            &["seal", "--store", url, other.to_str().unwrap()],
        )
        .ok();
        // The follower's next segment 1 must be refused, not overwrite the other writer's.
        crate::servers::append(&live, line(2).as_bytes());
        let status = follower.wait(Duration::from_secs(20));
        let stderr = fs::read_to_string(&err).unwrap();
        assert_eq!(status, Some(2), "({conditional}) follower:\n{stderr}");
        assert!(
            stderr.contains("segments/00000000000000000001.seg already exists"),
            "({conditional}) {stderr}"
        );
        assert!(!stderr.contains(SECRET_ACCESS_KEY) && !stderr.contains(ACCESS_KEY_ID));
        let report = ts_env(&sb, &env, &["verify", "--json", url]).ok().json();
        assert_eq!(report["segments"], 2, "({conditional}) {report:#}");
        assert_eq!(report["events"], 2);
    }
}

/// Polls `cond` every 100 ms for up to 20 s; the follower's stderr is in `log`.
fn wait_for(log: &std::path::Path, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out; follower stderr:\n{}",
            fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A child process, killed (if still running) when the test ends.
struct Proc(std::process::Child);

impl Proc {
    /// Waits up to `limit` for its exit code (`None`: still running, or killed by a signal).
    fn wait(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.0.try_wait().expect("polling the child") {
                return status.code();
            }
            if start.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// `trailscope seal --store STORE --key keys/ops.key cloudtrail.json`.
fn seal_signed_to(sb: &Sandbox, store: &str) -> Run {
    sb.ts(&[
        "seal",
        "--store",
        store,
        "--key",
        "keys/ops.key",
        &fixture("cloudtrail.json"),
    ])
}
