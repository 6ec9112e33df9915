//! Disk faults during `pull`: the index directory or the store's local state directory becomes
//! read-only (before a pull, and in the middle of one), and the disk fills up. Each time the
//! pull stops with an error naming the file at fault (exit 2, never a panic or an abort), the
//! index still opens and `search` shows what was committed (whole segments of the chain, in
//! order), and once the fault is gone the next pull completes with every event exactly once.
//!
//! How the faults are made:
//! - read-only: `chmod 0500` for a normal user; as root, whom permission bits do not stop, the
//!   immutable attribute (`chattr +i`), which stops root too;
//! - disk full: a small tmpfs mounted on the trailscope home inside a private mount namespace
//!   (`unshare -m`, root only), so nothing stays mounted whatever happens to the test; the
//!   commands run there through `nsenter`, and the tmpfs is enlarged afterwards
//!   (`mount -o remount,size=…`) for the pull that must complete.
//!
//! Where the machine cannot make a fault (no root for a mount namespace, a file system without
//! the immutable attribute), the test prints `skipped: …`, or fails when
//! `TRAILSCOPE_REQUIRE_SERVERS=1` (CI, which runs as root).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use crate::common::{BIN, Run, Sandbox};
use crate::pull_common::{
    WORD, all_hits, fast_sandbox, new_home, pull, seal_events, search, sorted_ids, try_search,
};
use crate::servers::REQUIRE_VAR;

/// Events per segment.
const PER: usize = 10;

/// Prints why the test cannot run here and returns true, or fails under `REQUIRE_VAR=1`.
fn skip(why: &str) -> bool {
    assert!(
        std::env::var(REQUIRE_VAR).map_or(true, |v| v != "1"),
        "{REQUIRE_VAR}=1 but this machine cannot run the disk-fault test: {why}"
    );
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {why} (set {REQUIRE_VAR}=1 to make this a failure)"
    );
    true
}

/// Whether this process runs as root (the owner of a file it creates).
fn is_root(sb: &Sandbox) -> bool {
    let probe = sb.write("uid-probe", "");
    std::fs::metadata(probe).expect("probe").uid() == 0
}

/// A directory made read-only until dropped.
struct ReadOnly {
    dir: PathBuf,
    immutable: bool,
}

impl ReadOnly {
    /// Makes `dir` read-only for this process (see the module docs); `Err` says why it cannot.
    fn new(dir: &Path, root: bool) -> Result<ReadOnly, String> {
        let ro = if root {
            let out = Command::new("chattr")
                .arg("+i")
                .arg(dir)
                .output()
                .map_err(|e| format!("chattr: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "chattr +i {}: {}",
                    dir.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            ReadOnly {
                dir: dir.to_path_buf(),
                immutable: true,
            }
        } else {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o500))
                .map_err(|e| format!("chmod {}: {e}", dir.display()))?;
            ReadOnly {
                dir: dir.to_path_buf(),
                immutable: false,
            }
        };
        let probe = dir.join("write-probe");
        if std::fs::write(&probe, "x").is_ok() {
            let _ = std::fs::remove_file(&probe);
            return Err(format!("{} is still writable", dir.display()));
        }
        Ok(ro)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.immutable {
            let _ = Command::new("chattr").arg("-i").arg(&self.dir).status();
        } else {
            let _ = std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o700));
        }
    }
}

/// The one store state directory under `home`.
fn state_dir(home: &Path) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(home.join("stores"))
        .expect("stores directory")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs.pop().expect("one")
}

/// Asserts `hits` (sorted by id) are the events of whole segments `0..n` of `input`, each
/// once; returns n.
#[track_caller]
fn assert_whole_prefix(hits: &[crate::pull_common::Hit], input: &[String], what: &str) -> usize {
    let mut by_seq = hits.to_vec();
    by_seq.sort();
    let got: Vec<&String> = by_seq.iter().map(|h| &h.id).collect();
    let want: Vec<&String> = input.iter().take(got.len()).collect();
    assert_eq!(got, want, "{what}: the index is not a prefix of the chain");
    assert_eq!(hits.len() % PER, 0, "{what}: whole segments only");
    hits.len() / PER
}

/// What the operating system says about a read-only directory or a full disk.
const CAUSES: [&str; 4] = [
    "Read-only file system",
    "Permission denied",
    "Operation not permitted",
    "No space left on device",
];

/// The error a failed pull printed, checked to be a clear one: exit 2, a `trailscope: error:`
/// line naming a path under `under` and saying why (the operating system's reason).
#[track_caller]
fn assert_clear_error(run: &Run, under: &Path, what: &str) {
    assert_eq!(run.code, 2, "{what}: expected a clean failure\n{run}");
    assert!(
        run.stderr.contains("trailscope: error: "),
        "{what}: no error line\n{run}"
    );
    assert!(
        CAUSES.iter().any(|c| run.stderr.contains(c)),
        "{what}: the error does not say why\n{run}"
    );
    assert!(
        run.stderr.contains(&under.display().to_string()),
        "{what}: the error does not name the directory at fault ({})\n{run}",
        under.display()
    );
    assert!(!run.stderr.contains("panicked"), "{what}: a panic\n{run}");
}

#[test]
fn a_read_only_index_or_state_directory_stops_the_pull_and_loses_nothing() {
    let sb = fast_sandbox();
    let root = is_root(&sb);
    sb.keygen("ops");
    let mut input = seal_events(&sb, "store", "a", 0, 10 * PER, PER, true);
    let home = sb.home();
    pull(&sb, &home, "store", &[], 0);
    input.extend(seal_events(
        &sb,
        "store",
        "b",
        10 * PER,
        10 * PER,
        PER,
        true,
    ));
    let state = state_dir(&home);
    let first = sorted_ids(&all_hits(&sb, &home, "store"));
    assert_eq!(first.len(), 10 * PER);

    for target in [state.join("index"), state.clone()] {
        let ro = match ReadOnly::new(&target, root) {
            Ok(ro) => ro,
            Err(why) if skip(&format!("cannot make a directory read-only: {why}")) => return,
            Err(_) => unreachable!(),
        };
        let (_, run) = pull(&sb, &home, "store", &[], 2);
        assert_clear_error(&run, &state, &format!("read-only {}", target.display()));
        // The index opens, while still read-only, and shows what was verified: what the first
        // pull committed, plus the new segments when they were verified and kept before the
        // fault (they are answered from their verified copies until indexed).
        let hits = sorted_ids(&all_hits(&sb, &home, "store"));
        let mut everything = input.clone();
        everything.sort();
        assert!(
            hits == first || hits == everything,
            "read-only {}: {} events shown",
            target.display(),
            hits.len()
        );
        drop(ro);
    }
    let (summary, run) = pull(&sb, &home, "store", &[], 0);
    assert_eq!(summary["head"]["events"], 20 * PER as u64, "{run}");
    let mut want = input.clone();
    want.sort();
    assert_eq!(sorted_ids(&all_hits(&sb, &home, "store")), want);
    assert_eq!(sorted_ids(&search(&sb, &home, "store", WORD)), want);
}

#[test]
fn an_index_directory_made_read_only_during_a_pull_loses_nothing() {
    let sb = fast_sandbox();
    let root = is_root(&sb);
    sb.keygen("ops");
    const SEGMENTS: usize = 150;
    let input = seal_events(&sb, "store", "a", 0, SEGMENTS * PER, PER, true);
    let mut want = input.clone();
    want.sort();
    // The length of an undisturbed pull, to spread the fault over.
    let reference = new_home(&sb, "reference");
    let t = Instant::now();
    pull(&sb, &reference, "store", &["--commit-every", "5"], 0);
    let full = t.elapsed();

    let mut hit = 0;
    for (i, fraction) in [0.15, 0.4, 0.7].into_iter().enumerate() {
        let home = new_home(&sb, &format!("home-{i}"));
        // The state directories exist before the pull starts (an earlier, empty-handed pull
        // would make them too); the fault hits their index directories mid-pull.
        let mut child = Command::new(BIN)
            .args(["pull", "--json", "store", "--commit-every", "5"])
            .current_dir(sb.dir.path())
            .env("TRAILSCOPE_HOME", &home)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning pull");
        std::thread::sleep(full.mul_f64(fraction));
        let state = home.join("stores");
        let targets: Vec<PathBuf> = std::fs::read_dir(&state)
            .map(|rd| {
                rd.flatten()
                    .flat_map(|e| [e.path().join("index"), e.path().join("fulltext")])
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default();
        let mut guards = Vec::new();
        for t in &targets {
            match ReadOnly::new(t, root) {
                Ok(g) => guards.push(g),
                Err(why) if skip(&format!("cannot make a directory read-only: {why}")) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return;
                }
                Err(_) => unreachable!(),
            }
        }
        let out = child.wait_with_output().expect("waiting for pull");
        let run = Run {
            cmd: "pull (index made read-only mid-way)".into(),
            code: out.status.code().unwrap_or(-1),
            stdout: String::new(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        let what = format!("read-only at {:.0}% of the pull", fraction * 100.0);
        if run.code != 0 {
            hit += 1;
            assert_clear_error(&run, &state, &what);
        }
        // While the directory is read-only, a search either answers with a whole prefix or
        // refuses clearly, naming the directory (Tantivy needs to write its lock file there
        // when the pull had not created it yet).
        let probe = sb.ts_with_home(&home, &["search", "store", "*", "--count"]);
        if probe.code == 2 && !probe.stderr.contains("run `trailscope pull") {
            assert_clear_error(&probe, &state, &format!("{what}: search while read-only"));
        } else if let Some(hits) = try_search(&sb, &home, "store", "*") {
            assert_whole_prefix(&hits, &input, &what);
        }
        drop(guards);
        let (summary, run) = pull(&sb, &home, "store", &[], 0);
        assert_eq!(
            summary["head"]["events"],
            (SEGMENTS * PER) as u64,
            "{what}\n{run}"
        );
        assert_eq!(
            sorted_ids(&all_hits(&sb, &home, "store")),
            want,
            "{what}: after the fault"
        );
        assert_eq!(sorted_ids(&search(&sb, &home, "store", WORD)), want);
    }
    assert!(
        hit > 0,
        "the pull ({full:?}) always finished before its index became read-only"
    );
}

/// A private mount namespace holding a tmpfs on `dir`, gone (with the tmpfs) when dropped.
struct Tmpfs {
    holder: Child,
    dir: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `kib` KiB on `dir` in a new mount namespace; `Err` says why not.
    fn mount(dir: &Path, kib: u64) -> Result<Tmpfs, String> {
        let script = format!(
            "mount -t tmpfs -o size={kib}k,mode=0700 trailscope-test '{}' && echo ready && exec sleep 600",
            dir.display()
        );
        let mut holder = Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("unshare: {e}"))?;
        let mut line = String::new();
        let _ = BufReader::new(holder.stdout.take().expect("stdout")).read_line(&mut line);
        if line.trim() != "ready" {
            let _ = holder.kill();
            let out = holder.wait_with_output().map_err(|e| e.to_string())?;
            return Err(format!(
                "unshare -m + mount -t tmpfs: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Tmpfs {
            holder,
            dir: dir.to_path_buf(),
        })
    }

    /// `program` run inside the namespace.
    fn command(&self, program: &str) -> Command {
        let mut c = Command::new("nsenter");
        c.arg("-t")
            .arg(self.holder.id().to_string())
            .args(["-m", "--"])
            .arg(program);
        c
    }

    /// Changes the tmpfs's size.
    fn resize(&self, kib: u64) {
        let out = self
            .command("mount")
            .args(["-o", &format!("remount,size={kib}k")])
            .arg(&self.dir)
            .output()
            .expect("nsenter mount");
        assert!(
            out.status.success(),
            "resizing the tmpfs: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `trailscope ARGS` inside the namespace, with `TRAILSCOPE_HOME` on the tmpfs.
    fn ts(&self, sb: &Sandbox, args: &[&str]) -> Run {
        let out = self
            .command(BIN)
            .args(args)
            .current_dir(sb.dir.path())
            .env("TRAILSCOPE_HOME", &self.dir)
            .stdin(Stdio::null())
            .output()
            .expect("nsenter trailscope");
        Run {
            cmd: args.join(" "),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}

/// Bytes allocated to the files under `dir`.
fn allocated(dir: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).expect("reading dir").flatten() {
        let m = e.metadata().expect("metadata");
        total += m.blocks() * 512;
        if m.is_dir() {
            total += allocated(&e.path());
        }
    }
    total
}

/// Request ids of `search STORE * --json` output, sorted.
fn ids_of(run: &Run) -> Vec<String> {
    let mut ids: Vec<String> = run
        .stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            v["request_id"].as_str().expect("request_id").to_string()
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_full_disk_stops_the_pull_and_the_next_pull_completes_once_there_is_room() {
    let sb = fast_sandbox();
    if !is_root(&sb) && skip("a tmpfs in a mount namespace needs root") {
        return;
    }
    sb.keygen("ops");
    const SEGMENTS: usize = 60;
    let input = seal_events(&sb, "store", "a", 0, SEGMENTS * PER, PER, true);
    let mut want = input.clone();
    want.sort();
    let store = sb.path("store").display().to_string();
    // How much room a whole pull takes.
    let measure = new_home(&sb, "measure");
    pull(&sb, &measure, &store, &["--commit-every", "4"], 0);
    let need_kib = allocated(&measure) / 1024;

    let query = [
        "search", &store, "*", "--json", "--limit", "100000", "--order", "oldest",
    ];
    let mut failed = 0;
    for divisor in [8, 3, 2] {
        let dir = sb.path(&format!("tmpfs-home-{divisor}"));
        std::fs::create_dir(&dir).expect("mount point");
        let fs = match Tmpfs::mount(&dir, (need_kib / divisor).max(64)) {
            Ok(fs) => fs,
            Err(why) if skip(&format!("cannot mount a tmpfs: {why}")) => return,
            Err(_) => unreachable!(),
        };
        let what = format!("a tmpfs of 1/{divisor} of the {need_kib} KiB a pull needs");
        let run = fs.ts(&sb, &["pull", "--json", &store, "--commit-every", "4"]);
        if run.code != 0 {
            failed += 1;
            assert_clear_error(&run, &dir, &what);
            assert!(
                run.stderr.contains("No space left on device"),
                "{what}: the error says why\n{run}"
            );
        }
        // What was committed opens and is a prefix of the chain, in whole segments.
        let found = fs.ts(&sb, &query);
        if found.code == 0 {
            let mut hits: Vec<crate::pull_common::Hit> = found
                .stdout
                .lines()
                .map(|l| {
                    let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
                    crate::pull_common::Hit {
                        seq: v["seq"].as_u64().expect("seq"),
                        pos: v["pos"].as_u64().expect("pos"),
                        id: v["request_id"].as_str().expect("id").to_string(),
                        verified: v["verified"].as_bool().expect("verified"),
                    }
                })
                .collect();
            hits.sort_by(|a, b| a.id.cmp(&b.id));
            assert_whole_prefix(&hits, &input, &what);
        } else {
            assert!(
                found.code == 2 && found.stderr.contains("run `trailscope pull"),
                "{what}: the index does not open\n{found}"
            );
        }
        // Room again: the next pull completes with every event once.
        fs.resize(need_kib * 4);
        let run = fs.ts(&sb, &["pull", "--json", &store]);
        assert_eq!(run.code, 0, "{what}: the pull after making room\n{run}");
        let found = fs.ts(&sb, &query);
        assert_eq!(found.code, 0, "{found}");
        assert_eq!(ids_of(&found), want, "{what}: after making room");
        let full = fs.ts(
            &sb,
            &[
                "search", &store, WORD, "--json", "--limit", "100000", "--order", "oldest",
            ],
        );
        assert_eq!(ids_of(&full), want, "{what}: full text after making room");
    }
    assert!(failed > 0, "no tmpfs was small enough to fill up");
}
