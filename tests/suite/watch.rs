//! `trailscope watch`: alert rules on newly verified segments, integrity alerts, restarts,
//! `--exec`, thresholds and a stale head — against a real store sealed while it runs.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{BIN, Sandbox, segments};

/// One rule on deletes, one burst rule on reads (3 within 10 minutes); no shipped defaults.
const CONFIG: &str = r#"default_queries = false
[[queries]]
name = "secret-deleted"
query = 'action:secrets.delete'
description = "a secret was deleted"
alert = true
[[queries]]
name = "read-burst"
query = 'action:secrets.read'
window = "10m"
alert = true
threshold = 3
[[queries]]
name = "not-an-alert"
query = 'action:secrets.list'
"#;

/// An application audit line: `action` by `user` at 10:MM:SS, tagged `id` (its request id).
fn event(id: &str, action: &str, minute: u32, second: u32) -> String {
    format!(
        r#"{{"time":"2026-11-24T10:{minute:02}:{second:02}.000Z","user":"svc-a","action":"{action}","resource":"vault/kv/payments/{id}","status":200,"request_id":"{id}"}}"#
    ) + "\n"
}

/// Seals `lines` as one batch (one segment, one checkpoint).
fn seal(sb: &Sandbox, name: &str, lines: &[String]) {
    sb.write(name, lines.concat());
    sb.seal_signed(&["--format", "ndjson", name]).ok();
}

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.keygen("ops");
    sb.write("config.toml", CONFIG);
    sb
}

/// A running `trailscope watch store`, killed if the test ends first.
struct Watch {
    child: Child,
    out: PathBuf,
    err: PathBuf,
}

impl Watch {
    /// Starts `trailscope watch store --interval 200ms ARGS`; `n` numbers its output files.
    fn start(sb: &Sandbox, n: usize, args: &[&str]) -> Watch {
        let out = sb.path(&format!("watch{n}.out"));
        let err = sb.path(&format!("watch{n}.err"));
        let child = Command::new(BIN)
            .args(["watch", "store", "--interval", "200ms"])
            .args(args)
            .current_dir(sb.dir.path())
            .env("TRAILSCOPE_HOME", sb.home())
            .env("TRAILSCOPE_CONFIG", sb.path("config.toml"))
            .stdin(Stdio::null())
            .stdout(File::create(&out).unwrap())
            .stderr(File::create(&err).unwrap())
            .spawn()
            .unwrap();
        Watch { child, out, err }
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.err).unwrap_or_default()
    }

    /// The alerts printed so far (complete lines only).
    fn alerts(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.out).unwrap_or_default();
        text.split_inclusive('\n')
            .filter(|l| l.ends_with('\n'))
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("alert line is not JSON ({e}): {l:?}"))
            })
            .collect()
    }

    /// Polls `cond` every 50 ms for up to 20 s.
    #[track_caller]
    fn wait_for(&mut self, what: &str, mut cond: impl FnMut(&Watch) -> bool) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if cond(self) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("watch exited ({status}) before {what}\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "timed out waiting for {what}\nstderr:\n{}\nalerts: {:?}",
            self.stderr(),
            self.alerts()
        );
    }

    /// Lets the watch poll several more times (five intervals), so a duplicate alert would
    /// have been printed by now.
    fn settle(&self) {
        std::thread::sleep(Duration::from_millis(1000));
    }

    fn signal(&mut self, sig: &str) -> ExitStatus {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig} {pid}");
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "watch did not exit after {sig}\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The request ids of the match alerts of `rule`.
fn ids(alerts: &[Value], rule: &str) -> Vec<String> {
    alerts
        .iter()
        .filter(|a| a["rule"] == rule)
        .map(|a| a["event"]["request_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn matching_events_alert_once_each_across_a_kill_and_restart() {
    let sb = sandbox();
    // Already in the store when the first watch starts: not alerted (the watch starts at the
    // current head).
    seal(&sb, "b0.ndjson", &[event("old-1", "secrets.delete", 0, 0)]);
    let mut w = Watch::start(&sb, 1, &[]);
    w.wait_for("the first poll", |w| {
        w.stderr().contains("verified head 1 segments")
    });
    assert!(
        w.stderr().contains("alerting on segments from seq 1"),
        "{}",
        w.stderr()
    );
    seal(
        &sb,
        "b1.ndjson",
        &[
            event("m1", "secrets.delete", 1, 0),
            event("n1", "secrets.list", 1, 1),
            event("m2", "secrets.delete", 1, 2),
            event("n2", "secrets.deleted", 1, 3),
        ],
    );
    w.wait_for("two alerts", |w| w.alerts().len() >= 2);
    w.settle();
    let first = w.alerts();
    assert_eq!(ids(&first, "secret-deleted"), ["m1", "m2"], "{first:?}");
    assert_eq!(first.len(), 2, "{first:?}");
    // Killed without a chance to clean up; a batch sealed while it is down is alerted after
    // the restart, and nothing is alerted twice.
    let status = w.signal("-KILL");
    assert!(!status.success());
    seal(
        &sb,
        "b2.ndjson",
        &[
            event("n3", "secrets.list", 2, 0),
            event("m3", "secrets.delete", 2, 1),
            event("m4", "secrets.delete", 2, 2),
        ],
    );
    let mut w2 = Watch::start(&sb, 2, &[]);
    w2.wait_for("the alerts of the batch sealed while down", |w| {
        w.alerts().len() >= 2
    });
    seal(&sb, "b3.ndjson", &[event("m5", "secrets.delete", 3, 0)]);
    w2.wait_for("the alert of the next batch", |w| w.alerts().len() >= 3);
    w2.settle();
    let second = w2.alerts();
    assert_eq!(
        ids(&second, "secret-deleted"),
        ["m3", "m4", "m5"],
        "{second:?}"
    );
    assert_eq!(second.len(), 3, "{second:?}");
    // Each alert names its segment and that segment's chain hash, and the event is verified.
    let segs = segments(&sb.path("store"));
    for a in first.iter().chain(&second) {
        let seq = a["seq"].as_u64().unwrap() as usize;
        assert_eq!(a["kind"], "match");
        assert_eq!(a["hash"], segs[seq].chain_hash().as_str(), "{a}");
        assert_eq!(a["event"]["verified"], true, "{a}");
        assert_eq!(a["event"]["seq"], a["seq"]);
        assert_eq!(a["event"]["action"], "secrets.delete");
        assert_eq!(a["event"]["record"]["request_id"], a["event"]["request_id"]);
    }
    let status = w2.signal("-TERM");
    assert!(status.success(), "SIGTERM exits 0: {status}");
    assert!(w2.stderr().contains("watch stopped"), "{}", w2.stderr());
}

#[test]
fn a_forged_event_never_alerts_and_the_tamper_alert_names_the_seq() {
    let sb = sandbox();
    seal(&sb, "b0.ndjson", &[event("n0", "secrets.list", 0, 0)]);
    let mut w = Watch::start(&sb, 1, &[]);
    w.wait_for("the first poll", |w| {
        w.stderr().contains("verified head 1 segments")
    });
    assert!(w.signal("-INT").success());
    // While nobody watches: a batch is sealed, then one of its events is rewritten in the
    // store into one the rule matches (same length, so only the hashes give it away).
    seal(
        &sb,
        "b1.ndjson",
        &[
            event("f1", "secrets.rotate", 1, 0),
            event("n1", "secrets.list", 1, 1),
        ],
    );
    let seg = sb.path("store/segments/00000000000000000001.seg");
    let text = std::fs::read_to_string(&seg).unwrap();
    assert_eq!(text.matches("secrets.rotate").count(), 1, "{text}");
    std::fs::write(&seg, text.replace("secrets.rotate", "secrets.delete")).unwrap();
    let mut w2 = Watch::start(&sb, 2, &[]);
    w2.wait_for("an integrity alert", |w| {
        w.alerts().iter().any(|a| a["kind"] == "integrity")
    });
    w2.settle();
    let alerts = w2.alerts();
    let tamper: Vec<&Value> = alerts.iter().filter(|a| a["kind"] == "integrity").collect();
    assert_eq!(
        tamper.len(),
        1,
        "one alert while the problem lasts: {alerts:?}"
    );
    assert_eq!(tamper[0]["seq"], 1, "{alerts:?}");
    assert_eq!(tamper[0]["file"], "segments/00000000000000000001.seg");
    assert!(
        alerts.iter().all(|a| a["kind"] == "integrity"),
        "no rule may fire on the forged segment: {alerts:?}"
    );
    assert!(w2.signal("-TERM").success());
}

#[test]
fn exec_gets_valid_json_and_a_failing_command_does_not_stop_the_watch() {
    let sb = sandbox();
    let mut w = Watch::start(
        &sb,
        1,
        &[
            "--from-start",
            "--exec",
            "cat >> got.jsonl; echo >> got.jsonl; exit 7",
        ],
    );
    seal(&sb, "b0.ndjson", &[event("m1", "secrets.delete", 0, 0)]);
    w.wait_for("the failure to be reported", |w| {
        w.stderr().contains("failed (exit status: 7)")
    });
    seal(&sb, "b1.ndjson", &[event("m2", "secrets.delete", 1, 0)]);
    let got = sb.path("got.jsonl");
    w.wait_for("the second alert to reach the command", |_| {
        std::fs::read_to_string(&got)
            .unwrap_or_default()
            .matches("\n\n")
            .count()
            >= 2
    });
    assert!(w.alerts().is_empty(), "with --exec nothing goes to stdout");
    let text = std::fs::read_to_string(&got).unwrap();
    let alerts: Vec<Value> = text
        .split("\n\n")
        .filter(|s| !s.trim().is_empty())
        .map(|s| serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s:?}")))
        .collect();
    assert_eq!(ids(&alerts, "secret-deleted"), ["m1", "m2"], "{alerts:?}");
    assert!(
        w.stderr()
            .contains("alert secret-deleted (seq 0): the --exec command failed"),
        "{}",
        w.stderr()
    );
    assert!(w.signal("-TERM").success());
}

#[test]
fn a_burst_alerts_once_when_it_reaches_the_threshold() {
    let sb = sandbox();
    // Five reads within a minute, then one 30 minutes later: the rule (3 within 10m) fires at
    // the third read only; the late one is alone in its window.
    let mut lines: Vec<String> = (0..5)
        .map(|i| event(&format!("r{i}"), "secrets.read", 0, i * 10))
        .collect();
    lines.push(event("late", "secrets.read", 30, 0));
    seal(&sb, "b0.ndjson", &lines);
    let run = sb.ts(&[
        "watch",
        "store",
        "--once",
        "--from-start",
        "--config",
        "config.toml",
    ]);
    let run = run.ok();
    let alerts: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(alerts.len(), 1, "{run}");
    assert_eq!(alerts[0]["kind"], "threshold");
    assert_eq!(alerts[0]["rule"], "read-burst");
    assert_eq!(alerts[0]["count"], 3);
    assert_eq!(alerts[0]["event"]["request_id"], "r2");
    // Polling again alerts nothing new.
    let again = sb
        .ts(&["watch", "store", "--once", "--config", "config.toml"])
        .ok();
    assert_eq!(again.stdout, "", "{again}");
}

#[test]
fn a_stale_head_alerts_once_per_checkpoint() {
    let sb = sandbox();
    seal(&sb, "b0.ndjson", &[event("n0", "secrets.list", 0, 0)]);
    std::thread::sleep(Duration::from_millis(1500));
    let args = [
        "watch",
        "store",
        "--once",
        "--stale-after",
        "1s",
        "--config",
        "config.toml",
    ];
    let run = sb.ts(&args).ok();
    let a: Value = serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("{e}\n{run}"));
    assert_eq!(
        (&a["kind"], &a["rule"]),
        (&"integrity".into(), &"stale_head".into())
    );
    assert_eq!(a["seq"], 0);
    assert_eq!(
        sb.ts(&args).ok().stdout,
        "",
        "not repeated for the same checkpoint"
    );
    // With the default limit (1h) the same head is not stale.
    let fresh = sb
        .ts(&["watch", "store", "--once", "--config", "config.toml"])
        .ok();
    assert_eq!(fresh.stdout, "", "{fresh}");
}

#[test]
fn records_in_alerts_are_masked_unless_revealed() {
    let sb = sandbox();
    let line = r#"{"time":"2026-11-24T10:00:00.000Z","user":"svc-a","action":"secrets.delete","resource":"vault/kv/x","status":200,"request_id":"m1","password":"hunter2-not-real","note":"Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789"}"#;
    seal(&sb, "b0.ndjson", &[format!("{line}\n")]);
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "watch",
            "store",
            "--once",
            "--from-start",
            "--config",
            "config.toml",
        ];
        a.extend_from_slice(extra);
        a
    };
    let masked = sb.ts(&args(&[])).ok();
    let a: Value = serde_json::from_str(masked.stdout.trim()).unwrap();
    assert_eq!(a["event"]["request_id"], "m1", "{masked}");
    assert!(!masked.stdout.contains("hunter2"), "{masked}");
    assert!(!masked.stdout.contains("abcdefghijklmnop"), "{masked}");
    assert_eq!(a["event"]["record"]["user"], "svc-a");
    // A second home sees the same store afresh; --reveal sends the record as stored.
    let revealed = sb
        .ts_with_home(&sb.path("home2"), &args(&["--reveal"]))
        .ok();
    assert!(revealed.stdout.contains("hunter2-not-real"), "{revealed}");
}

#[test]
fn an_unreachable_store_is_reported_once_and_its_recovery_too() {
    let sb = sandbox();
    let mut w = Watch::start(&sb, 1, &[]);
    w.wait_for("the pull failure", |w| w.stderr().contains("failed"));
    // Several more polls fail the same way: not reported again.
    std::thread::sleep(Duration::from_millis(1200));
    seal(&sb, "b0.ndjson", &[event("n0", "secrets.list", 0, 0)]);
    w.wait_for("the recovery", |w| {
        w.stderr().contains("pulling works again")
    });
    let err = w.stderr();
    assert_eq!(
        err.matches("trailscope: watch: pulling").count(),
        2,
        "{err}"
    );
    assert!(w.signal("-TERM").success());
}
