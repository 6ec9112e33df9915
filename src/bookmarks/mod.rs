//! Bookmarks and notes on events, per store, under the trailscope home.
//!
//! A store's bookmarks live in `bookmarks.json` in its state directory
//! ([`crate::home::store_state_dir`]), beside its index: a re-pull adds to that directory and
//! never clears it, so bookmarks survive restarts and re-pulls. An event is named by its place
//! in the chain, `(seq, pos)`, which no later pull can change; the actor, action, resource and
//! outcome copied from the [`Hit`] are there for listing without the index.
//!
//! The console and `trailscope bookmarks` [`load`](Bookmarks::load) the list, change it in
//! memory ([`add`](Bookmarks::add), [`set_note`](Bookmarks::set_note),
//! [`remove`](Bookmarks::remove)) and [`save`](Bookmarks::save) it whole (atomically; see
//! `file.rs` for the format). Two processes editing the same store's bookmarks at once: the
//! last save wins.

mod file;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::query::Hit;

pub use file::MAX_FILE_BYTES;

/// The `format` member of a bookmarks file.
pub const FORMAT: &str = "trailscope-bookmarks/v1";

/// Name of the bookmarks file in a store's state directory.
pub const FILE_NAME: &str = "bookmarks.json";

/// Longest note accepted from the user, in bytes of UTF-8 (a postmortem paragraph fits;
/// pasting a whole log does not belong in a note).
pub const MAX_NOTE_BYTES: usize = 10 * 1024;

/// A bookmarked event and its note.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bookmark {
    /// Segment seq of the event.
    pub seq: u64,
    /// Position in the segment.
    pub pos: u64,
    /// Event time (ns).
    pub time_ns: i64,
    /// Actor, action, resource, outcome when bookmarked (for listing; the index is the truth).
    pub actor: String,
    /// See `actor`.
    pub action: String,
    /// See `actor`.
    pub resource: String,
    /// See `actor`.
    pub outcome: String,
    /// The note ("" = none).
    pub note: String,
    /// When it was bookmarked (RFC 3339).
    pub created: String,
    /// When the note last changed (RFC 3339).
    pub updated: String,
}

/// Why bookmarks could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BookmarkError {
    /// I/O or a malformed file.
    #[error("{path}: {detail}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        detail: String,
    },
}

/// A note longer than [`MAX_NOTE_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the note is {bytes} bytes long; a note may have at most {MAX_NOTE_BYTES}")]
pub struct NoteTooLong {
    /// Its length in bytes.
    pub bytes: usize,
}

/// Whether `note` may be stored (for a note editor to warn before the user saves).
pub fn check_note(note: &str) -> Result<(), NoteTooLong> {
    if note.len() > MAX_NOTE_BYTES {
        return Err(NoteTooLong { bytes: note.len() });
    }
    Ok(())
}

/// Where the bookmarks of the store at `location` are kept.
pub fn path_for(home: &Path, location: &str) -> PathBuf {
    crate::home::store_state_dir(home, location).join(FILE_NAME)
}

/// One store's bookmarks, sorted by (time, seq, pos).
#[derive(Clone, Debug, Default)]
pub struct Bookmarks {
    path: PathBuf,
    items: Vec<Bookmark>,
}

/// The order of bookmarks: the timeline's.
fn order(b: &Bookmark) -> (i64, u64, u64) {
    (b.time_ns, b.seq, b.pos)
}

/// Now, as bookmarks record it: RFC 3339 UTC to the second.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Bookmarks {
    /// The bookmarks of the store at `location` (none when the file does not exist).
    pub fn load(home: &Path, location: &str) -> Result<Bookmarks, BookmarkError> {
        let path = path_for(home, location);
        let mut items = file::read(&path)?;
        items.sort_by_key(order);
        Ok(Bookmarks { path, items })
    }
    /// All, in time order.
    pub fn items(&self) -> &[Bookmark] {
        &self.items
    }
    /// The file they are saved to.
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The bookmark of event (seq, pos).
    pub fn get(&self, seq: u64, pos: u64) -> Option<&Bookmark> {
        self.items.iter().find(|b| (b.seq, b.pos) == (seq, pos))
    }
    /// Bookmarks `hit` (false when it already was).
    pub fn add(&mut self, hit: &Hit) -> bool {
        if self.get(hit.seq, hit.pos).is_some() {
            return false;
        }
        let created = now();
        let b = Bookmark {
            seq: hit.seq,
            pos: hit.pos,
            time_ns: hit.time_ns,
            actor: hit.actor.clone(),
            action: hit.action.clone(),
            resource: hit.resource.clone(),
            outcome: hit.outcome.clone(),
            note: String::new(),
            updated: created.clone(),
            created,
        };
        let at = self.items.partition_point(|x| order(x) < order(&b));
        self.items.insert(at, b);
        true
    }
    /// Removes the bookmark of (seq, pos) (false when there was none).
    pub fn remove(&mut self, seq: u64, pos: u64) -> bool {
        let before = self.items.len();
        self.items.retain(|b| (b.seq, b.pos) != (seq, pos));
        self.items.len() != before
    }
    /// Sets the note of (seq, pos) (false when it is not bookmarked, or when the note is longer
    /// than [`MAX_NOTE_BYTES`]: then nothing changes; [`Bookmarks::try_set_note`] says which).
    pub fn set_note(&mut self, seq: u64, pos: u64, note: &str) -> bool {
        self.try_set_note(seq, pos, note).unwrap_or(false)
    }
    /// Sets the note of (seq, pos): `Ok(false)` when it is not bookmarked, an error when the
    /// note is too long. Any Unicode and line breaks are kept as typed (printing sanitizes).
    pub fn try_set_note(&mut self, seq: u64, pos: u64, note: &str) -> Result<bool, NoteTooLong> {
        check_note(note)?;
        let Some(b) = self.items.iter_mut().find(|b| (b.seq, b.pos) == (seq, pos)) else {
            return Ok(false);
        };
        if b.note != note {
            b.note = note.to_string();
            b.updated = now();
        }
        Ok(true)
    }
    /// Writes the file (atomically, mode 0600).
    pub fn save(&self) -> Result<(), BookmarkError> {
        file::write(&self.path, &self.items)
    }
}

#[cfg(test)]
mod tests;
