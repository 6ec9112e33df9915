//! One writer per store, one pull per store and home.
//!
//! - Two `seal`s on one directory store at once: one wins, the other refuses within a second (exit 2)
//!   naming the holder of `STORE/writer.lock`; whatever the interleaving, no fork is ever
//!   written and the store holds exactly the events of the seals that succeeded, each once.
//! - On S3 (moto), where there is no lock file, the conditional PUT of each segment does the
//!   same: a seal that loses the race for a seq stops with an error, nothing forks.
//! - Two `pull`s of one store into one home: the second waits for the first (the lock is
//!   `HOME/stores/…/pull.lock`), and the index ends exactly as after one pull.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{BIN, Run, Sandbox};
use crate::pull_common::{
    WORD, all_hits, fast_sandbox, new_home, pull, seal_events, search, sorted_ids, try_search,
    write_input,
};
use crate::servers::{command, s3_env, s3_server};

/// Starts `trailscope ARGS` in the sandbox with `home`, stdout and stderr to files under
/// `log` (`.out`, `.err`).
fn spawn(sb: &Sandbox, home: &Path, args: &[&str], log: &str) -> Child {
    Command::new(BIN)
        .args(args)
        .current_dir(sb.dir.path())
        .env("TRAILSCOPE_HOME", home)
        .stdin(Stdio::null())
        .stdout(File::create(sb.path(&format!("{log}.out"))).expect("log"))
        .stderr(File::create(sb.path(&format!("{log}.err"))).expect("log"))
        .spawn()
        .expect("spawning trailscope")
}

/// Waits for `child` and reads back its logs.
fn finish(sb: &Sandbox, child: Child, log: &str, cmd: &str) -> Run {
    let out = child.wait_with_output().expect("waiting");
    Run {
        cmd: cmd.to_string(),
        code: out.status.code().unwrap_or(-1),
        stdout: std::fs::read_to_string(sb.path(&format!("{log}.out"))).unwrap_or_default(),
        stderr: std::fs::read_to_string(sb.path(&format!("{log}.err"))).unwrap_or_default(),
    }
}

/// The request ids of `store`'s events in chain order, from the files.
fn store_ids(store: &Path) -> Vec<String> {
    crate::common::all_body_lines(store)
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_slice(l).expect("event JSON");
            v["request_id"].as_str().expect("request_id").to_string()
        })
        .collect()
}

/// Asserts a refused seal's message: exit 2, naming the lock and its holder; or, for a store
/// that did not exist when the seal started (its lock is taken with its first segment), saying
/// that another writer created it meanwhile.
#[track_caller]
fn assert_refused_by_lock(run: &Run) {
    assert_eq!(run.code, 2, "{run}");
    let locked = run
        .stderr
        .contains("another trailscope is sealing into this store (pid ")
        && run.stderr.contains("writer.lock");
    let created = run
        .stderr
        .contains("another writer created this store while this seal was reading its input");
    assert!(
        locked || created,
        "the refusal names the lock and its holder\n{run}"
    );
}

#[test]
fn a_second_seal_is_refused_while_a_follower_holds_the_store() {
    let sb = fast_sandbox();
    sb.keygen("ops");
    let mut ids = write_input(&sb, "first.ndjson", "a", 0, 20);
    sb.ts(&[
        "seal",
        "--store",
        "store",
        "--key",
        "keys/ops.key",
        "first.ndjson",
    ])
    .ok();
    sb.write("live.ndjson", "");
    let follower = spawn(
        &sb,
        &sb.home(),
        &[
            "seal",
            "--store",
            "store",
            "--key",
            "keys/ops.key",
            "--follow",
            "live.ndjson",
        ],
        "follow",
    );
    // The follower takes the lock as it starts.
    let started = Instant::now();
    while !sb.path("store/writer.lock").exists()
        || std::fs::read_to_string(sb.path("store/writer.lock"))
            .unwrap_or_default()
            .is_empty()
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the follower never locked"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let batch = write_input(&sb, "batch.ndjson", "b", 0, 30);
    let before = store_ids(&sb.path("store"));
    let run = sb.ts(&[
        "seal",
        "--store",
        "store",
        "--key",
        "keys/ops.key",
        "batch.ndjson",
    ]);
    assert_refused_by_lock(&run);
    assert!(
        run.stderr.contains(&format!("pid {} since", follower.id())),
        "names the follower's pid\n{run}"
    );
    assert_eq!(
        store_ids(&sb.path("store")),
        before,
        "the refused seal wrote nothing"
    );

    Command::new("kill")
        .args(["-TERM", &follower.id().to_string()])
        .status()
        .expect("kill");
    let run = finish(&sb, follower, "follow", "seal --follow");
    assert_eq!(run.code, 0, "{run}");
    // The lock is free again.
    sb.ts(&[
        "seal",
        "--store",
        "store",
        "--key",
        "keys/ops.key",
        "batch.ndjson",
    ])
    .ok();
    ids.extend(batch);
    assert_eq!(store_ids(&sb.path("store")), ids);
    sb.ts(&["verify", "store"]).ok();
}

#[test]
fn seals_started_together_never_fork_the_store() {
    let sb = fast_sandbox();
    sb.keygen("ops");
    const WRITERS: usize = 4;
    const EVENTS: usize = 3000;
    for round in 0..3 {
        let before = if round == 0 {
            Vec::new()
        } else {
            store_ids(&sb.path("store"))
        };
        let mut children = Vec::new();
        let mut inputs = Vec::new();
        for w in 0..WRITERS {
            let tag = format!("r{round}w{w}");
            let input = format!("inputs/{tag}.ndjson");
            inputs.push(write_input(&sb, &input, &tag, 0, EVENTS));
            let args = [
                "seal",
                "--store",
                "store",
                "--key",
                "keys/ops.key",
                "--segment-events",
                "100",
                &input,
            ];
            children.push(spawn(&sb, &sb.home(), &args, &tag));
        }
        let mut won = Vec::new();
        for (w, child) in children.into_iter().enumerate() {
            let tag = format!("r{round}w{w}");
            let run = finish(&sb, child, &tag, &format!("seal ({tag})"));
            if run.code == 0 {
                won.push(w);
            } else {
                assert_refused_by_lock(&run);
            }
        }
        assert!(!won.is_empty(), "round {round}: every writer was refused");
        sb.ts(&["verify", "store"]).ok();
        // The winners' inputs, each whole and once, after what was there; in some order.
        let now = store_ids(&sb.path("store"));
        assert_eq!(
            now[..before.len()],
            before[..],
            "round {round}: earlier events changed"
        );
        let added = &now[before.len()..];
        assert_eq!(
            added.len(),
            won.len() * EVENTS,
            "round {round}: winners {won:?}"
        );
        for chunk in added.chunks(EVENTS) {
            let w = won
                .iter()
                .find(|&&w| inputs[w][0] == chunk[0])
                .unwrap_or_else(|| panic!("round {round}: a batch that was not sealed whole"));
            assert_eq!(chunk, &inputs[*w][..], "round {round}");
        }
    }
}

#[test]
fn seals_racing_on_s3_never_fork_the_store() {
    let Some(server) = s3_server("locks") else {
        return;
    };
    let sb = fast_sandbox();
    sb.keygen("ops");
    let env = s3_env(&server);
    let url = "s3://locks/store";
    const WRITERS: usize = 3;
    const EVENTS: usize = 400;
    let mut children = Vec::new();
    let mut inputs = Vec::new();
    for w in 0..WRITERS {
        let input = format!("inputs/s3w{w}.ndjson");
        inputs.push(write_input(&sb, &input, &format!("s3w{w}"), 0, EVENTS));
        let args = [
            "seal",
            "--store",
            url,
            "--key",
            "keys/ops.key",
            "--segment-events",
            "50",
            &input,
        ];
        let log = format!("s3w{w}");
        let child = command(&sb, &env, &args)
            .stdout(File::create(sb.path(&format!("{log}.out"))).expect("log"))
            .stderr(File::create(sb.path(&format!("{log}.err"))).expect("log"))
            .spawn()
            .expect("spawning seal");
        children.push(child);
    }
    let mut won = Vec::new();
    for (w, child) in children.into_iter().enumerate() {
        let run = finish(&sb, child, &format!("s3w{w}"), "seal (S3)");
        if run.code == 0 {
            won.push(w);
        } else {
            assert_eq!(run.code, 2, "{run}");
            assert!(
                run.stderr
                    .contains("already exists (another writer appended concurrently?)"),
                "{run}"
            );
        }
    }
    assert!(!won.is_empty(), "every S3 writer failed");
    let run = crate::servers::ts_env(&sb, &env, &["verify", "--json", url]);
    assert_eq!(run.code, 0, "the S3 store forked or broke\n{run}");
    let report = run.json();
    // Without a lock, a loser may have sealed some segments before it lost the race for a seq:
    // the chain then holds runs of whole segments, each run a prefix of one writer's input and
    // no writer in two runs; a winner's input is there whole.
    let mut runs: Vec<(usize, usize)> = Vec::new(); // (writer, events)
    let pulled = new_home(&sb, "s3-pull");
    let out = command(&sb, &env, &["pull", "--json", url])
        .env("TRAILSCOPE_HOME", &pulled)
        .output()
        .expect("pull");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut hits = search(&sb, &pulled, url, "*");
    hits.sort();
    for h in &hits {
        let w: usize = h.id[3..h.id.find('-').expect("tag-")]
            .parse()
            .expect("writer");
        match runs.last_mut() {
            Some((last, n)) if *last == w => *n += 1,
            _ => {
                assert!(
                    runs.iter().all(|(o, _)| *o != w),
                    "writer {w} appears in two runs: {runs:?}"
                );
                runs.push((w, 1));
            }
        }
    }
    let mut at = 0;
    for &(w, n) in &runs {
        let got: Vec<&String> = hits[at..at + n].iter().map(|h| &h.id).collect();
        let want: Vec<&String> = inputs[w][..n].iter().collect();
        assert_eq!(got, want, "writer {w}'s run is not a prefix of its input");
        assert_eq!(n % 50, 0, "writer {w}: whole segments only");
        if won.contains(&w) {
            assert_eq!(n, EVENTS, "winner {w} sealed all of its input");
        }
        at += n;
    }
    assert_eq!(
        report["events"].as_u64(),
        Some(hits.len() as u64),
        "{report:#}"
    );
}

#[test]
fn a_second_pull_waits_for_the_first_and_the_index_ends_as_after_one() {
    let sb = fast_sandbox();
    sb.keygen("ops");
    let mut ids = seal_events(&sb, "store", "a", 0, 2000, 20, true);
    let home = sb.home();
    let location = trailscope::store::open_store(&sb.path("store").display().to_string())
        .expect("store")
        .location();

    // A pull started while another holds the lock waits, then runs.
    let held = trailscope::pull::lock::acquire_within(&home, &location, Duration::ZERO)
        .expect("taking the pull lock");
    let waiting = spawn(&sb, &home, &["pull", "--json", "store"], "waiting");
    std::thread::sleep(Duration::from_millis(1500));
    let mut waiting = waiting;
    assert!(
        waiting.try_wait().expect("polling").is_none(),
        "the pull did not wait for the lock"
    );
    assert!(
        try_search(&sb, &home, "store", "*").is_none(),
        "it indexed while another pull held the lock"
    );
    drop(held);
    let run = finish(&sb, waiting, "waiting", "pull");
    assert_eq!(run.code, 0, "{run}");
    ids.sort();
    assert_eq!(sorted_ids(&all_hits(&sb, &home, "store")), ids);

    // Pulls started together into a fresh home: all succeed, the index holds each event once.
    ids.extend(seal_events(&sb, "store", "b", 2000, 2000, 20, true));
    ids.sort();
    let fresh = new_home(&sb, "fresh");
    for target in [&home, &fresh] {
        let children: Vec<Child> = (0..4)
            .map(|i| spawn(&sb, target, &["pull", "--json", "store"], &format!("p{i}")))
            .collect();
        for (i, child) in children.into_iter().enumerate() {
            let run = finish(&sb, child, &format!("p{i}"), "pull");
            assert_eq!(run.code, 0, "{run}");
        }
        assert_eq!(sorted_ids(&all_hits(&sb, target, "store")), ids);
        assert_eq!(sorted_ids(&search(&sb, target, "store", WORD)), ids);
        let (summary, run) = pull(&sb, target, "store", &[], 0);
        assert_eq!(summary["indexed_events"], 0, "nothing left to do\n{run}");
    }
}
