//! The journal's writer lock: a file created with `O_EXCL` (`create_new`) beside the journal.
//!
//! Whoever creates it may append; everyone else waits with a short, growing, jittered sleep.
//! The holder removes it when done (also when its append fails). A lock older than
//! [`STALE_AFTER`] was left by a process that died while appending (an append takes
//! milliseconds) and is removed. The crate's minimum Rust (1.85) predates `File::lock`, hence a
//! lock file rather than `flock`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use rand::Rng;

/// Name of the lock file in the journal directory.
pub const LOCK_NAME: &str = "journal.lock";

/// Age from which a lock is taken to be left over by a dead process.
pub const STALE_AFTER: Duration = Duration::from_secs(30);

/// How long an append waits for a live lock before it gives up.
const WAIT_AT_MOST: Duration = Duration::from_secs(10);

/// Longest sleep between two tries.
const MAX_BACKOFF: Duration = Duration::from_millis(50);

/// The held lock; dropping it releases the lock.
pub(super) struct Lock {
    path: PathBuf,
    /// Written into the file, so a holder never removes a lock someone else took after
    /// declaring this one stale.
    token: String,
}

impl Drop for Lock {
    fn drop(&mut self) {
        if std::fs::read_to_string(&self.path).is_ok_and(|t| t == self.token) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Takes the lock of the journal in `dir` (which exists).
pub(super) fn acquire(dir: &Path) -> anyhow::Result<Lock> {
    let path = dir.join(LOCK_NAME);
    let token = format!(
        "pid {} nonce {:016x}\n",
        std::process::id(),
        rand::thread_rng().r#gen::<u64>()
    );
    let started = Instant::now();
    let mut backoff = Duration::from_millis(1);
    loop {
        match create(&path) {
            Ok(mut f) => {
                f.write_all(token.as_bytes())
                    .with_context(|| format!("writing {}", path.display()))?;
                return Ok(Lock { path, token });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
        }
        if is_stale(&path) {
            let _ = std::fs::remove_file(&path);
            continue;
        }
        if started.elapsed() > WAIT_AT_MOST {
            anyhow::bail!(
                "the journal is locked by another trailscope ({} exists); if no trailscope is \
                 running, remove it",
                path.display()
            );
        }
        let jitter = rand::thread_rng().gen_range(0..=backoff.as_micros() as u64);
        std::thread::sleep(backoff + Duration::from_micros(jitter));
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

fn create(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
}

/// Whether the lock at `path` was last written more than [`STALE_AFTER`] ago.
fn is_stale(path: &Path) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age > STALE_AFTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let held = acquire(dir.path()).unwrap();
        assert!(dir.path().join(LOCK_NAME).exists());
        let (tx, rx) = std::sync::mpsc::channel();
        let d = dir.path().to_path_buf();
        let t = std::thread::spawn(move || {
            let _second = acquire(&d).unwrap();
            tx.send(Instant::now()).unwrap();
        });
        std::thread::sleep(Duration::from_millis(100));
        assert!(rx.try_recv().is_err(), "the second taker did not wait");
        let released = Instant::now();
        drop(held);
        let got = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(got >= released);
        t.join().unwrap();
        assert!(!dir.path().join(LOCK_NAME).exists());
    }

    #[test]
    fn a_stale_lock_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_NAME);
        std::fs::write(&path, "pid 1 nonce 0\n").unwrap();
        let old = SystemTime::now() - STALE_AFTER - Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let started = Instant::now();
        let lock = acquire(dir.path()).unwrap();
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_ne!(std::fs::read_to_string(&path).unwrap(), "pid 1 nonce 0\n");
        drop(lock);
        assert!(!path.exists());
    }

    #[test]
    fn dropping_does_not_remove_someone_elses_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_NAME);
        let lock = acquire(dir.path()).unwrap();
        std::fs::write(&path, "pid 2 nonce 1\n").unwrap();
        drop(lock);
        assert!(path.exists());
    }
}
