//! The bookmarks file: `bookmarks.json` in the store's state directory.
//!
//! ```json
//! {"format":"trailscope-bookmarks/v1","bookmarks":[{"seq":3,"pos":14,"time_ns":…,…}]}
//! ```
//!
//! It is read whole and written whole, atomically: a temporary file in the same directory
//! (mode 0600), fsync, rename over the old file, fsync of the directory. A reader therefore sees
//! the old list or the new one, never half of either. A file that cannot be read as this format
//! is an error naming it and what is wrong; it is never replaced by an empty list, because the
//! notes in it are an investigator's work.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Bookmark, BookmarkError, FORMAT};

/// Largest bookmarks file read (a few thousand bookmarks with long notes fit many times over;
/// a bigger file is not one trailscope wrote).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The file's top level, as written.
#[derive(Serialize)]
struct FileOut<'a> {
    format: &'static str,
    bookmarks: &'a [Bookmark],
}

/// The file's top level, as read (unknown members refused: re-saving would drop them).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    format: String,
    bookmarks: Vec<Bookmark>,
}

fn error(path: &Path, detail: impl Into<String>) -> BookmarkError {
    BookmarkError::File {
        path: path.display().to_string(),
        detail: detail.into(),
    }
}

/// The bookmarks in `path`, in file order; empty when the file does not exist.
pub(super) fn read(path: &Path) -> Result<Vec<Bookmark>, BookmarkError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(error(path, format!("cannot read: {e}"))),
    };
    if !meta.is_file() {
        return Err(error(path, "is not a regular file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(error(
            path,
            format!(
                "is {} bytes, more than the {MAX_FILE_BYTES} a bookmarks file may have",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| error(path, format!("cannot read: {e}")))?;
    let file: FileIn = serde_json::from_slice(&bytes).map_err(|e| {
        error(
            path,
            format!(
                "not a bookmarks file (line {}, column {}: {e}); fix or move it away, \
                 trailscope will not overwrite it",
                e.line(),
                e.column()
            ),
        )
    })?;
    if file.format != FORMAT {
        return Err(error(
            path,
            format!(
                "format {:?} is not {FORMAT:?} (written by another version of trailscope?)",
                file.format
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, b) in file.bookmarks.iter().enumerate() {
        if !seen.insert((b.seq, b.pos)) {
            return Err(error(
                path,
                format!(
                    "bookmark {i} is a second bookmark of event {}:{} (seq:pos)",
                    b.seq, b.pos
                ),
            ));
        }
    }
    Ok(file.bookmarks)
}

/// Writes `items` to `path` atomically with mode 0600, creating the directory (0700).
pub(super) fn write(path: &Path, items: &[Bookmark]) -> Result<(), BookmarkError> {
    let dir = path
        .parent()
        .ok_or_else(|| error(path, "has no parent directory"))?;
    crate::home::create_private_dir(dir).map_err(|e| error(path, format!("{e:#}")))?;
    let mut text = serde_json::to_vec_pretty(&FileOut {
        format: FORMAT,
        bookmarks: items,
    })
    .map_err(|e| error(path, format!("cannot encode: {e}")))?;
    text.push(b'\n');
    // tempfile creates the file with mode 0600 and a name no one else uses.
    let mut tmp = tempfile::Builder::new()
        .prefix(".bookmarks.json.tmp-")
        .tempfile_in(dir)
        .map_err(|e| {
            error(
                path,
                format!("cannot create a temporary file beside it: {e}"),
            )
        })?;
    tmp.write_all(&text)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| error(path, format!("cannot write: {e}")))?;
    tmp.persist(path)
        .map_err(|e| error(path, format!("cannot replace: {}", e.error)))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| error(path, format!("cannot sync its directory: {e}")))
}
