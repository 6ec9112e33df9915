//! One pull at a time per store and home: `HOME/stores/<store>/pull.lock`, held with `flock` for
//! the whole pull.
//!
//! Two pulls into one local state would clear each other's spool and race for the index
//! writer. The second pull (another `trailscope pull`, the console's background pull) waits for
//! the first, polling, for at most [`WAIT_AT_MOST`], then gives up with an error naming the
//! holder. The kernel releases the lock however its holder ends (`kill -9` included), so a
//! dead pull never blocks the next one.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::store::LockFile;

/// Name of the lock file in a store's local state directory.
pub const LOCK_NAME: &str = "pull.lock";

/// How long a pull waits for another pull of the same store into the same home. A pull that
/// has nothing new to fetch takes well under a second; a first pull of a large store, minutes.
pub const WAIT_AT_MOST: Duration = Duration::from_secs(300);

/// Pause between two tries while waiting.
const POLL: Duration = Duration::from_millis(100);

/// The held lock; dropping it releases it.
#[derive(Debug)]
pub struct PullLock {
    _file: LockFile,
}

/// Takes the pull lock of the store at `location` under `home`, waiting up to
/// [`WAIT_AT_MOST`] for another pull to finish.
pub fn acquire(home: &Path, location: &str) -> anyhow::Result<PullLock> {
    acquire_within(home, location, WAIT_AT_MOST)
}

/// Like [`acquire`], waiting at most `wait`.
pub fn acquire_within(home: &Path, location: &str, wait: Duration) -> anyhow::Result<PullLock> {
    let dir = crate::home::store_state_dir(home, location);
    crate::home::create_private_dir(&dir)?;
    let path = dir.join(LOCK_NAME);
    let started = Instant::now();
    loop {
        let held = LockFile::try_acquire(&path, 0o600)
            .with_context(|| format!("locking {}", path.display()))?;
        match held {
            Ok(file) => return Ok(PullLock { _file: file }),
            Err(holder) if started.elapsed() >= wait => anyhow::bail!(
                "another trailscope is pulling {location} into {} ({holder}; it holds {}); \
                 gave up after waiting {:.0} s: try again when it has finished",
                dir.display(),
                path.display(),
                wait.as_secs_f64()
            ),
            Err(_) => std::thread::sleep(POLL.min(wait)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_pull_waits_for_the_first_then_gives_up_naming_it() {
        let home = tempfile::tempdir().unwrap();
        let first = acquire_within(home.path(), "/srv/store", Duration::ZERO).unwrap();
        let started = Instant::now();
        let err = acquire_within(home.path(), "/srv/store", Duration::from_millis(300))
            .unwrap_err()
            .to_string();
        assert!(started.elapsed() >= Duration::from_millis(300), "waited");
        assert!(
            err.contains("another trailscope is pulling /srv/store"),
            "{err}"
        );
        assert!(
            err.contains(&format!("pid {} since", std::process::id())),
            "{err}"
        );
        // Another store is not held up.
        drop(acquire_within(home.path(), "/srv/other", Duration::ZERO).unwrap());

        let (tx, rx) = std::sync::mpsc::channel();
        let h = home.path().to_path_buf();
        let waiter = std::thread::spawn(move || {
            let lock = acquire_within(&h, "/srv/store", Duration::from_secs(10)).unwrap();
            tx.send(Instant::now()).unwrap();
            drop(lock);
        });
        std::thread::sleep(Duration::from_millis(200));
        assert!(rx.try_recv().is_err(), "the second pull did not wait");
        let released = Instant::now();
        drop(first);
        let got = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(got >= released);
        waiter.join().unwrap();
    }

    #[test]
    fn the_state_directory_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().unwrap();
        let _lock = acquire(home.path(), "/srv/store").unwrap();
        let dir = crate::home::store_state_dir(home.path(), "/srv/store");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(LOCK_NAME)), 0o600);
    }
}
