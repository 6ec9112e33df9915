//! Why an export could not be made, and why a bundle could not even be read for proving.

use crate::bookmarks::BookmarkError;
use crate::query::QueryError;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The selection's query failed (syntax, index, not pulled).
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The bookmarks could not be read.
    #[error("bookmarks: {0}")]
    Bookmarks(#[from] BookmarkError),
    /// A local verified copy no longer agrees with the pulled head, or cannot be read.
    #[error(
        "local copy of segment {seq}: {detail} (the local state is damaged: delete it and pull again)"
    )]
    LocalCopy {
        /// The segment at fault.
        seq: u64,
        /// What is wrong.
        detail: String,
    },
    /// No signed checkpoint attesting the pulled segments could be found for a JSON bundle.
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    /// The bundle could not be serialised.
    #[error("writing the JSON bundle: {0}")]
    Json(#[from] serde_json::Error),
}

/// Why a bundle could not be checked at all (as opposed to being checked and found wrong).
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// The input is not JSON.
    #[error("not JSON: {0}")]
    NotJson(String),
    /// The input is JSON but not a bundle of a version this build knows.
    #[error("not a trailscope export bundle: format is {0:?}, expected \"trailscope-export/v1\"")]
    Format(String),
    /// A member is missing or has the wrong type.
    #[error("malformed bundle: {0}")]
    Malformed(String),
}
