//! `trailscope seal --follow FILE`: tails a growing file, seals as it grows, and on SIGTERM
//! seals what is pending, signs a checkpoint and exits 0.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::common::{BIN, Sandbox, all_body_lines, segments};

/// A realistic application audit line at 12:00:00 + `i` × 10 ms (all within one second).
fn event(i: usize) -> String {
    format!(
        r#"{{"time":"2026-11-24T12:00:00.{:03}Z","user":"svc-{}","action":"secrets.read","resource":"vault/kv/payments/{i}","status":200,"request_id":"req-{i:04}"}}"#,
        i * 10,
        i % 3
    )
}

fn append(file: &Path, bytes: &[u8]) {
    let mut f = OpenOptions::new().append(true).open(file).unwrap();
    f.write_all(bytes).unwrap();
    f.flush().unwrap();
}

/// Events sealed so far according to the segment headers.
fn sealed_events(store: &Path) -> u64 {
    segments(store).iter().map(|s| s.events()).sum()
}

/// A running `trailscope seal --follow`, killed if the test fails before it stopped.
struct Follower {
    child: Child,
    stderr_path: std::path::PathBuf,
}

impl Follower {
    /// Starts `trailscope ARGS` in the sandbox, stderr to `follow.err`.
    fn start(sb: &Sandbox, args: &[&str]) -> Follower {
        let stderr_path = sb.path("follow.err");
        let child = Command::new(BIN)
            .args(args)
            .current_dir(sb.dir.path())
            .env("TRAILSCOPE_HOME", sb.home())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&stderr_path).unwrap())
            .spawn()
            .unwrap();
        Follower { child, stderr_path }
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// Polls `cond` every 50 ms for up to 10 s.
    fn wait_for(&mut self, what: &str, mut cond: impl FnMut() -> bool) {
        let start = Instant::now();
        while !cond() {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "the follower exited early ({status}) while waiting for {what}\n{}",
                    self.stderr()
                );
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "timed out waiting for {what}\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends SIGTERM and waits (up to 10 s) for the process to exit.
    fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(kill.success(), "kill -TERM {pid} failed");
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no exit after SIGTERM\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn follow_seals_appended_lines_exactly_once_and_stops_cleanly_on_sigterm() {
    let sb = Sandbox::new();
    sb.keygen("ops");
    let live = sb.write("live.ndjson", "");
    let store = sb.path("store");
    let mut follower = Follower::start(
        &sb,
        &[
            "seal",
            "--store",
            "store",
            "--key",
            "keys/ops.key",
            "--follow",
            "live.ndjson",
            "--segment-seconds",
            "1",
        ],
    );
    let lines: Vec<String> = (0..10).map(event).collect();
    let as_bytes = |ls: &[String]| ls.iter().map(|l| l.as_bytes().to_vec()).collect::<Vec<_>>();

    // Burst 1: four whole lines.
    append(&live, format!("{}\n", lines[..4].join("\n")).as_bytes());
    follower.wait_for("the first burst to be sealed", || {
        sealed_events(&store) == 4
    });
    assert_eq!(all_body_lines(&store), as_bytes(&lines[..4]));

    // Burst 2: a line written in two pieces (the follower sees the first half on its own),
    // then three more lines.
    let (head, tail) = lines[4].split_at(lines[4].len() / 2);
    append(&live, head.as_bytes());
    std::thread::sleep(Duration::from_millis(450));
    assert_eq!(sealed_events(&store), 4, "half a line is never sealed");
    append(
        &live,
        format!("{tail}\n{}\n", lines[5..8].join("\n")).as_bytes(),
    );
    follower.wait_for("the second burst to be sealed", || {
        sealed_events(&store) == 8
    });

    // Burst 3 right before SIGTERM: what is pending when the signal arrives is sealed too.
    append(&live, format!("{}\n", lines[8..].join("\n")).as_bytes());
    let status = follower.terminate();
    let err = follower.stderr();
    assert_eq!(
        status.code(),
        Some(0),
        "follower exit status {status}\n{err}"
    );
    assert!(err.contains("sealed 10 events into"), "{err}");
    assert!(err.contains("; 0 rejected"), "{err}");

    // Every appended line sealed exactly once, in order, byte for byte.
    assert_eq!(all_body_lines(&store), as_bytes(&lines));
    let segs = segments(&store);
    assert!(
        segs.len() >= 2,
        "the bursts were sealed as they came, not all at the end"
    );
    for w in segs.windows(2) {
        assert_eq!(w[1].prev(), w[0].chain_hash());
    }

    let report = sb.verify_json("store", 0);
    assert_eq!(report["events"], 10);
    assert_eq!(report["segments"], segs.len());
    assert_eq!(
        report["checkpoint"]["size"],
        segs.len(),
        "the last checkpoint covers every segment"
    );
    assert_eq!(report["head"]["seq"], segs.len() - 1);
    assert_eq!(report["problems"], serde_json::json!([]));
}

#[test]
fn follow_reports_rejected_lines_and_exits_1_without_skip_bad() {
    let sb = Sandbox::new();
    let live = sb.write("live.ndjson", "");
    let store = sb.path("store");
    let mut follower = Follower::start(
        &sb,
        &[
            "seal",
            "--store",
            "store",
            "--follow",
            "live.ndjson",
            "--segment-seconds",
            "1",
        ],
    );
    append(
        &live,
        format!("{}\nnot json\n{}\n", event(0), event(1)).as_bytes(),
    );
    follower.wait_for("the good lines to be sealed", || sealed_events(&store) == 2);
    let status = follower.terminate();
    let err = follower.stderr();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("live.ndjson:2: invalid JSON"), "{err}");
    assert!(err.contains("sealed 2 events into "), "{err}");
    assert!(err.contains("; 1 rejected"), "{err}");
    // Unsigned follow: intact, with the unsigned-tail warning.
    let report = sb.verify_json("store", 0);
    assert_eq!(report["events"], 2);
    assert_eq!(crate::common::problem_kinds(&report), ["unsigned_tail"]);
}

#[test]
fn a_restarted_follower_resumes_where_it_stopped_and_never_seals_a_line_twice() {
    let sb = Sandbox::new();
    let live = sb.write("live.ndjson", "");
    let store = sb.path("store");
    let args = [
        "seal",
        "--store",
        "store",
        "--follow",
        "live.ndjson",
        "--segment-seconds",
        "1",
    ];
    let lines: Vec<String> = (0..9).map(event).collect();
    let as_bytes = |ls: &[String]| ls.iter().map(|l| l.as_bytes().to_vec()).collect::<Vec<_>>();

    // Run 1: three lines, then half of the fourth, then SIGTERM.
    let mut first = Follower::start(&sb, &args);
    append(&live, format!("{}\n", lines[..3].join("\n")).as_bytes());
    first.wait_for("run 1 to seal", || sealed_events(&store) == 3);
    let (head, tail) = lines[3].split_at(10);
    append(&live, head.as_bytes());
    assert_eq!(first.terminate().code(), Some(0), "{}", first.stderr());
    assert!(
        first.stderr().contains(":4: last line has no LF yet"),
        "{}",
        first.stderr()
    );

    // Lines written while nobody follows are picked up by the next run.
    append(
        &live,
        format!("{tail}\n{}\n", lines[4..6].join("\n")).as_bytes(),
    );
    let mut second = Follower::start(&sb, &args);
    second.wait_for("run 2 to seal", || sealed_events(&store) == 6);
    append(&live, format!("{}\n", lines[6..].join("\n")).as_bytes());
    second.wait_for("run 2 to seal the rest", || sealed_events(&store) == 9);
    assert_eq!(second.terminate().code(), Some(0), "{}", second.stderr());
    assert!(
        second
            .stderr()
            .contains("resuming live.ndjson after line 3"),
        "{}",
        second.stderr()
    );
    assert_eq!(all_body_lines(&store), as_bytes(&lines));

    // --from-start deliberately reads the file again.
    let mut third = Follower::start(&sb, &[&args[..], &["--from-start"]].concat());
    third.wait_for("run 3 to re-seal", || sealed_events(&store) == 18);
    assert_eq!(third.terminate().code(), Some(0), "{}", third.stderr());
    sb.verify_json("store", 0);
}
