//! A store in a local directory.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{Store, StoreError, WriterLock};

/// Prefix of the temporary names files are written under before their rename.
const TEMP_PREFIX: &str = ".tmp-";

/// A directory holding `segments/` and `checkpoints/`.
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    /// A store rooted at `root` (which need not exist yet).
    pub fn new(root: impl AsRef<Path>) -> Self {
        let root = root.as_ref();
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        // One spelling per directory (`store`, `store/`, `./store` alike): the location keys
        // pinned heads, so a trailing slash must not select another (empty) pin.
        let root: PathBuf = root.components().collect();
        // Resolve symlinks and `..` when the directory exists, for the same reason.
        let root = fs::canonicalize(&root).unwrap_or(root);
        DirStore { root }
    }

    fn full(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    fn io(path: &str) -> impl FnOnce(io::Error) -> StoreError + '_ {
        move |source| StoreError::Io {
            path: path.to_string(),
            source,
        }
    }

    /// Writes to a temporary file in the target directory and syncs it, returning it unnamed.
    fn temp_with(
        &self,
        path: &str,
        bytes: &[u8],
    ) -> Result<(tempfile::NamedTempFile, PathBuf), StoreError> {
        let full = self.full(path);
        let dir = full.parent().expect("store paths have a directory");
        fs::create_dir_all(dir).map_err(Self::io(path))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir)
            .map_err(Self::io(path))?;
        tmp.write_all(bytes).map_err(Self::io(path))?;
        tmp.as_file().sync_all().map_err(Self::io(path))?;
        Ok((tmp, full))
    }
}

/// Removes the `.tmp-*` files a killed writer left in `dir` (only ever called under the writer
/// lock, so none of them belongs to a live writer).
fn remove_leftovers(dir: &Path) -> Result<(), StoreError> {
    let Ok(rd) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in rd.flatten() {
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            fs::remove_file(entry.path()).map_err(|source| StoreError::Io {
                path: format!(
                    "{}/{}",
                    dir.file_name().unwrap_or_default().to_string_lossy(),
                    entry.file_name().to_string_lossy()
                ),
                source,
            })?;
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) {
    // Best effort: makes the rename durable on filesystems that need it.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

impl Store for DirStore {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn is_store(&self) -> Result<bool, StoreError> {
        match fs::metadata(self.root.join("segments")) {
            Ok(m) => Ok(m.is_dir()),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(StoreError::Io {
                path: "segments".into(),
                source: e,
            }),
        }
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, StoreError> {
        let rd = match fs::read_dir(self.full(dir)) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(vec![]),
            Err(e) => {
                return Err(StoreError::Io {
                    path: dir.into(),
                    source: e,
                });
            }
        };
        let mut names = Vec::new();
        for entry in rd {
            let entry = entry.map_err(Self::io(dir))?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }

    fn get(&self, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        // A store is hostile: a FIFO would block the reader, a link to /dev/zero never ends.
        match fs::metadata(self.full(path)) {
            Ok(m) if !m.is_file() => {
                return Err(StoreError::Unusable(format!(
                    "{path} is not a regular file"
                )));
            }
            Ok(m) if m.len() > super::MAX_OBJECT_BYTES => {
                return Err(StoreError::Unusable(format!(
                    "{path} is {} bytes, more than the {} a store object may have",
                    m.len(),
                    super::MAX_OBJECT_BYTES
                )));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            _ => {}
        }
        match fs::read(self.full(path)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Io {
                path: path.into(),
                source: e,
            }),
        }
    }

    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let (tmp, full) = self.temp_with(path, bytes)?;
        tmp.persist(&full).map_err(|e| StoreError::Io {
            path: path.into(),
            source: e.error,
        })?;
        sync_dir(full.parent().expect("has parent"));
        Ok(())
    }

    fn put_all(&self, files: &[(&str, &[u8])]) -> Result<(), StoreError> {
        let temps = files
            .iter()
            .map(|(path, bytes)| self.temp_with(path, bytes).map(|t| (*path, t)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut dirs: Vec<PathBuf> = Vec::new();
        for (path, (tmp, full)) in temps {
            tmp.persist(&full).map_err(|e| StoreError::Io {
                path: path.into(),
                source: e.error,
            })?;
            let dir = full.parent().expect("has parent").to_path_buf();
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        dirs.iter().for_each(|d| sync_dir(d));
        Ok(())
    }

    fn lock_writer(&self) -> Result<WriterLock, StoreError> {
        let lock = WriterLock::acquire_dir(&self.root)?;
        for dir in ["segments", "checkpoints"] {
            remove_leftovers(&self.root.join(dir))?;
        }
        Ok(lock)
    }

    fn put_new(&self, path: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let (tmp, full) = self.temp_with(path, bytes)?;
        match tmp.persist_noclobber(&full) {
            Ok(_) => {
                sync_dir(full.parent().expect("has parent"));
                Ok(())
            }
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                Err(StoreError::Exists(path.into()))
            }
            Err(e) => Err(StoreError::Io {
                path: path.into(),
                source: e.error,
            }),
        }
    }
}
