//! Where segments and checkpoints live. Every kind of store offers the same few operations
//! behind [`Store`]; the verifier and writer never touch paths or URLs themselves.
//!
//! [`open_store`] picks the kind from the spec the user gave:
//! - a path or `file://` URL: [`DirStore`], a local directory (read and write);
//! - `http://` or `https://`: a [`RemoteStore`] on a static HTTP server, read-only, listed by
//!   probing (`http.rs`);
//! - `s3://bucket/prefix`: a [`RemoteStore`] in an S3 bucket or compatible server, credentials
//!   from the environment (`s3.rs`).
//!
//! Remote stores are synchronous wrappers around `object_store` with their own small runtime
//! (`remote.rs`): never call them from inside a tokio runtime (use `spawn_blocking`). Their
//! transient faults surface as [`StoreError::Remote`]; every message built from a remote error
//! goes through [`redact`] first, and no location ever holds credentials.

mod dir;
mod http;
mod lock;
mod redact;
mod remote;
mod s3;
mod url;

pub use dir::DirStore;
pub use lock::{LockFile, WRITER_LOCK_NAME, WriterLock};
pub use redact::redact;
pub use remote::RemoteStore;

/// Errors from a store, naming the object at fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An I/O error on `path`.
    #[error("{path}")]
    Io {
        /// Store-relative path.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `put_new` found the object already there.
    #[error("{0} already exists (another writer appended concurrently?)")]
    Exists(String),
    /// The store location cannot be used.
    #[error("{0}")]
    Unusable(String),
    /// Another process holds the store's writer lock (the message names it).
    #[error("{0}")]
    Locked(String),
    /// A remote store (HTTP, S3) failed to answer for `path` after its own retries: a
    /// connection error, timeout, 5xx, or a body shorter than announced. `detail` never holds
    /// credentials. Pull retries these once more with backoff.
    #[error("{path}: {detail}")]
    Remote {
        /// Store-relative path.
        path: String,
        /// What went wrong, with credentials redacted.
        detail: String,
    },
}

impl StoreError {
    /// Whether trying again later may succeed (network faults), as opposed to a definite answer.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Remote { .. })
    }
}

/// Largest object (segment, checkpoint) a store may hand out, so a hostile store cannot make a
/// reader allocate without bound. The writer's segments are far smaller (10,000 events).
pub const MAX_OBJECT_BYTES: u64 = 1 << 30;

/// A place holding `segments/` and `checkpoints/`.
pub trait Store: Send + Sync {
    /// The store's location as the user gave it, made absolute (used in output and as the key
    /// of pinned heads).
    fn location(&self) -> String;
    /// Whether the location looks like a store: a directory with `segments/`; an HTTP server
    /// with `checkpoints/latest.note` or segment 0; a bucket with objects under the prefix's
    /// `segments/` or `checkpoints/`.
    fn is_store(&self) -> Result<bool, StoreError>;
    /// Names (not paths) of the objects directly in `dir` (`segments` or `checkpoints`), sorted;
    /// empty when the directory does not exist.
    fn list(&self, dir: &str) -> Result<Vec<String>, StoreError>;
    /// The bytes of `path`, or `None` when it does not exist.
    fn get(&self, path: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Writes `path` atomically (readers see the old or the new bytes, never a mix).
    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), StoreError>;
    /// Writes every `(path, bytes)` atomically, in order, with the moments they appear as close
    /// together as the store allows (a directory store writes and syncs them all under temporary
    /// names first, then renames them back to back): for files that must agree, such as a
    /// checkpoint and its `latest.note` copy.
    fn put_all(&self, files: &[(&str, &[u8])]) -> Result<(), StoreError> {
        files
            .iter()
            .try_for_each(|(path, bytes)| self.put(path, bytes))
    }
    /// Writes `path` atomically, failing with [`StoreError::Exists`] if it exists.
    fn put_new(&self, path: &str, bytes: &[u8]) -> Result<(), StoreError>;
    /// Fails when writes can never succeed here (an HTTP store), so a writer can refuse before
    /// doing any work.
    fn check_writable(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Takes the store's writer lock for as long as the returned guard lives, refusing (within a
    /// second) with [`StoreError::Locked`] while another writer holds it. A directory store locks
    /// `writer.lock` with `flock` (released by the kernel however its holder dies) and then
    /// removes `.tmp-*` files a killed writer left. Stores that write every segment with a
    /// conditional PUT (S3) need no lock: of two writers, the second to write a seq fails.
    fn lock_writer(&self) -> Result<WriterLock, StoreError> {
        Ok(WriterLock::none())
    }
}

/// Opens the store named by `spec`: a directory path or `file://` URL, an `http(s)://` URL, or
/// `s3://bucket/prefix`. Nothing is contacted yet; a bad URL is refused naming the spec without
/// its credentials.
pub fn open_store(spec: &str) -> Result<Box<dyn Store>, StoreError> {
    if let Some(url) = url::split(spec) {
        return match url.scheme.as_str() {
            "http" | "https" => Ok(Box::new(http::open(spec)?)),
            "s3" => Ok(Box::new(s3::open(spec)?)),
            "file" => open_dir(spec.split_once("://").map_or(spec, |(_, p)| p)),
            other => Err(StoreError::Unusable(format!(
                "{}: unknown store scheme {other:?} (use a directory, file://, http://, https:// or s3://)",
                redact(&url.display())
            ))),
        };
    }
    open_dir(spec)
}

fn open_dir(path: &str) -> Result<Box<dyn Store>, StoreError> {
    if path.is_empty() {
        return Err(StoreError::Unusable("empty store path".into()));
    }
    Ok(Box::new(DirStore::new(path)))
}
