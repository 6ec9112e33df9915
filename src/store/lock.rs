//! Lock files held with `flock`: the writer lock of a directory store (`STORE/writer.lock`), and
//! the primitive that `pull`'s lock on a store's local state uses too.
//!
//! The kernel releases a `flock` when its holder exits, however it exits (`kill -9` included),
//! so a lock is never left behind by a dead process and needs no staleness rule; the file
//! itself stays, holding the last holder's description for the message a refused process
//! shows. Locks are advisory: they order trailscope processes, nothing else.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;

use super::StoreError;

/// Name of a directory store's writer lock file, beside `segments/` and `checkpoints/`.
pub const WRITER_LOCK_NAME: &str = "writer.lock";

/// How long a writer keeps trying for a held writer lock before it refuses: far longer than a
/// fork takes to exec, far shorter than any real writer holds the lock.
const BRIEF_HOLD: std::time::Duration = std::time::Duration::from_secs(1);

/// A held lock file; dropping it empties the file (so a finished writer leaves no stale
/// description behind) and releases the lock. The file is never removed: a process may have it
/// open, waiting, and would then lock a file no one else sees.
#[derive(Debug)]
pub struct LockFile {
    path: PathBuf,
    file: File,
    writable: bool,
}

impl Drop for LockFile {
    fn drop(&mut self) {
        if self.writable {
            let _ = self.file.set_len(0);
        }
    }
}

impl LockFile {
    /// Tries once to lock `path` (created with `mode` if missing) without waiting.
    /// `Ok(Err(holder))` when another process holds it: `holder` is what that process wrote
    /// (`pid N since TIME`), or "unknown" when it wrote nothing readable. On success this
    /// process's description replaces the file's content (when this process may write it: a
    /// lock file another user created is locked through a read-only handle).
    pub fn try_acquire(path: &Path, mode: u32) -> io::Result<Result<LockFile, String>> {
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, mode);
        #[cfg(not(unix))]
        let _ = mode;
        let (mut file, writable) = match opts.open(path) {
            Ok(f) => (f, true),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied && path.is_file() => {
                (File::open(path)?, false)
            }
            Err(e) => return Err(e),
        };
        // Fully qualified: std's own `File::try_lock*` (Rust 1.89) have other signatures.
        if !FileExt::try_lock_exclusive(&file)? {
            let mut text = String::new();
            let _ = (&file).take(256).read_to_string(&mut text);
            let holder = text.trim();
            return Ok(Err(if holder.is_empty() {
                "unknown".to_string()
            } else {
                holder.to_string()
            }));
        }
        if writable {
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            file.write_all(format!("pid {} since {now}\n", std::process::id()).as_bytes())?;
        }
        Ok(Ok(LockFile {
            path: path.to_path_buf(),
            file,
            writable,
        }))
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The writer lock of a store, held for as long as a `Sealer` writes; dropping it releases it.
/// Stores whose every segment write is a conditional PUT (S3) hold none.
#[derive(Debug)]
pub struct WriterLock {
    _file: Option<LockFile>,
}

impl WriterLock {
    /// A lock that holds nothing (stores that rely on conditional writes).
    pub fn none() -> WriterLock {
        WriterLock { _file: None }
    }

    /// Takes the writer lock of the directory store at `root` (creating `root` if needed), or
    /// refuses with [`StoreError::Locked`] naming the holder. It tries for [`BRIEF_HOLD`]
    /// before refusing: a child process forked by another thread of this process holds a copy
    /// of every open file until it execs, the lock file of a writer that just finished too.
    pub(super) fn acquire_dir(root: &Path) -> Result<WriterLock, StoreError> {
        let io = |source| StoreError::Io {
            path: WRITER_LOCK_NAME.into(),
            source,
        };
        std::fs::create_dir_all(root).map_err(io)?;
        let path = root.join(WRITER_LOCK_NAME);
        let started = std::time::Instant::now();
        // Readable by the store's other users: it only names the holding process.
        let held = loop {
            match LockFile::try_acquire(&path, 0o644).map_err(io)? {
                Err(_) if started.elapsed() < BRIEF_HOLD => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                held => break held,
            }
        };
        match held {
            Ok(lock) => Ok(WriterLock { _file: Some(lock) }),
            Err(holder) => Err(StoreError::Locked(format!(
                "{}: another trailscope is sealing into this store ({holder}; it holds {}); \
                 one writer at a time: wait for it to finish or stop it, then seal again",
                root.display(),
                path.display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("store");
        let first = WriterLock::acquire_dir(&root).unwrap();
        let err = WriterLock::acquire_dir(&root).unwrap_err();
        assert!(matches!(err, StoreError::Locked(_)), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains(&format!("pid {} since ", std::process::id())),
            "names the holder: {text}"
        );
        assert!(text.contains(WRITER_LOCK_NAME), "{text}");
        drop(first);
        assert_eq!(std::fs::read(root.join(WRITER_LOCK_NAME)).unwrap(), b"");
        let again = WriterLock::acquire_dir(&root).unwrap();
        drop(again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(root.join(WRITER_LOCK_NAME))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077 & !0o044, 0, "not writable by others");
        }
    }

    #[test]
    fn a_lock_file_left_by_a_dead_holder_is_free() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(WRITER_LOCK_NAME), "pid 1 since then\n").unwrap();
        let lock = WriterLock::acquire_dir(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(WRITER_LOCK_NAME)).unwrap();
        assert!(text.starts_with(&format!("pid {} ", std::process::id())));
        drop(lock);
    }
}
