//! Where segments and checkpoints live. Every kind of store offers the same few operations
//! behind [`Store`]; the verifier and writer never touch paths or URLs themselves.
//!
//! Only local directories exist so far; HTTP and S3 stores come with the pull pipeline.

mod dir;

pub use dir::DirStore;

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
    /// Whether the location looks like a store (has `segments/`).
    fn is_store(&self) -> Result<bool, StoreError>;
    /// Names (not paths) of the objects directly in `dir` (`segments` or `checkpoints`), sorted;
    /// empty when the directory does not exist.
    fn list(&self, dir: &str) -> Result<Vec<String>, StoreError>;
    /// The bytes of `path`, or `None` when it does not exist.
    fn get(&self, path: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Writes `path` atomically (readers see the old or the new bytes, never a mix).
    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), StoreError>;
    /// Writes `path` atomically, failing with [`StoreError::Exists`] if it exists.
    fn put_new(&self, path: &str, bytes: &[u8]) -> Result<(), StoreError>;
}

/// Opens the store named by `spec`: a directory path or `file://` URL.
pub fn open_store(spec: &str) -> Result<Box<dyn Store>, StoreError> {
    if spec.starts_with("http://") || spec.starts_with("https://") || spec.starts_with("s3://") {
        return Err(StoreError::Unusable(format!(
            "{spec}: remote stores are not supported yet (only directories)"
        )));
    }
    let path = spec.strip_prefix("file://").unwrap_or(spec);
    if path.is_empty() {
        return Err(StoreError::Unusable("empty store path".into()));
    }
    Ok(Box::new(DirStore::new(path)))
}
