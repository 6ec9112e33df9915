//! Local state is private: the trailscope home and every directory trailscope makes in it are
//! 0700; what it writes there that says what was looked at (journal, pins, follow positions,
//! locks) is 0600, as are private keys and exports; and `seal` refuses a private key file that
//! group or others may read, the way `ssh` does, whoever runs it (root included: the check is
//! on the mode, not on access).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::Sandbox;
use crate::pull_common::{fast_sandbox, new_home, seal_events, write_input};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Every directory under `dir` (itself included) and every file, with its path.
fn walk(dir: &Path, dirs: &mut Vec<std::path::PathBuf>, files: &mut Vec<std::path::PathBuf>) {
    dirs.push(dir.to_path_buf());
    for e in std::fs::read_dir(dir).expect("reading dir").flatten() {
        let p = e.path();
        if e.file_type().expect("file type").is_dir() {
            walk(&p, dirs, files);
        } else {
            files.push(p);
        }
    }
}

#[test]
fn the_home_and_what_trailscope_writes_in_it_are_private() {
    let sb = fast_sandbox();
    sb.keygen("ops");
    // A home trailscope creates itself.
    let home = sb.path("fresh/home");
    seal_events(&sb, "store", "a", 0, 40, 10, true);
    let ts = |args: &[&str]| sb.ts_with_home(&home, args);
    ts(&["verify", "store"]).ok();
    ts(&["pull", "store"]).ok();
    ts(&["search", "store", "actor:u1"]).ok();
    ts(&["export", "store", "-q", "*", "-o", "out.md"]).ok();
    // A follower's saved position.
    write_input(&sb, "live.ndjson", "f", 0, 5);
    let mut follower = std::process::Command::new(crate::common::BIN)
        .args(["seal", "--store", "live-store", "--segment-events", "1"])
        .args(["--follow", "live.ndjson"])
        .current_dir(sb.dir.path())
        .env("TRAILSCOPE_HOME", &home)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawning seal --follow");
    let started = std::time::Instant::now();
    while !home.join("follow").is_dir()
        || std::fs::read_dir(home.join("follow")).map_or(0, |d| {
            d.flatten()
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .count()
        }) == 0
    {
        assert!(started.elapsed().as_secs() < 20, "no follow cursor");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = follower.kill();
    let _ = follower.wait();
    trailscope::journal::append(&home, "/srv/x", "search", serde_json::json!({"query": "*"}))
        .expect("journal");

    let (mut dirs, mut files) = (Vec::new(), Vec::new());
    walk(&home, &mut dirs, &mut files);
    for d in &dirs {
        assert_eq!(mode(d), 0o700, "{} is not private", d.display());
    }
    // What records the investigator's work: owner only.
    let private = |p: &Path| {
        let rel = p
            .strip_prefix(&home)
            .expect("under home")
            .to_string_lossy()
            .into_owned();
        rel.starts_with("journal/")
            || rel.starts_with("pins/")
            || rel.starts_with("follow/")
            || rel.starts_with("logs/")
            || rel.starts_with("exports/")
            || rel.ends_with("pull.lock")
            || rel.ends_with("bookmarks.json")
    };
    let mut checked = 0;
    for f in &files {
        if private(f) {
            assert_eq!(mode(f), 0o600, "{} is not private", f.display());
            checked += 1;
        }
        assert_eq!(mode(f) & 0o022, 0, "{} is writable by others", f.display());
    }
    assert!(
        checked >= 4,
        "journal, pin, follow position and pull lock all checked: {files:?}"
    );
    assert_eq!(mode(&sb.path("out.md")), 0o600, "an export");
}

#[test]
fn keygen_writes_the_private_key_for_its_owner_only() {
    let sb = Sandbox::new();
    sb.keygen("ops");
    assert_eq!(mode(&sb.path("keys/ops.key")), 0o600);
    // Over an existing file someone loosened.
    chmod(&sb.path("keys/ops.key"), 0o644);
    sb.ts(&["keygen", "--name", "ops", "--out", "keys", "--force"])
        .ok();
    assert_eq!(mode(&sb.path("keys/ops.key")), 0o600);
}

#[test]
fn seal_refuses_a_private_key_others_can_read_like_ssh() {
    let sb = fast_sandbox();
    sb.keygen("ops");
    let private = std::fs::read_to_string(sb.path("keys/ops.key")).expect("key");
    let secret = private
        .trim()
        .rsplit('+')
        .next()
        .expect("base64 part")
        .to_string();
    write_input(&sb, "in.ndjson", "p", 0, 10);
    for loose in [0o644, 0o640, 0o604, 0o660, 0o666] {
        chmod(&sb.path("keys/ops.key"), loose);
        let run = sb.seal_signed(&["in.ndjson"]).code(2);
        let want = format!("permissions {loose:04o} for 'keys/ops.key' are too open");
        assert!(run.stderr.contains(&want), "{run}");
        assert!(run.stderr.contains("chmod 600 keys/ops.key"), "{run}");
        assert!(
            !run.stderr.contains(&secret) && !run.stdout.contains(&secret),
            "{run}"
        );
        assert!(
            !sb.path("store").exists(),
            "nothing written with a refused key"
        );
    }
    for ok in [0o600, 0o400] {
        chmod(&sb.path("keys/ops.key"), ok);
        sb.seal_signed(&["in.ndjson"]).ok();
    }
    // A store sealed before keeps refusing a loosened key (it is exposed either way).
    chmod(&sb.path("keys/ops.key"), 0o640);
    sb.seal_signed(&["in.ndjson"])
        .code(2)
        .stderr_has("are too open");
    let home = new_home(&sb, "other-home");
    sb.ts_with_home(&home, &["verify", "store"]).ok();
}
