//! The investigator's own journal: every search, pivot, reveal and export, hash-chained.
//!
//! `HOME/journal/journal.ndjson` (directory 0700, file 0600) holds one JSON object per line:
//!
//! ```json
//! {"seq":0,"time":"2026-11-25T10:00:00.123456789Z","store":"/srv/audit","kind":"search","detail":{"query":"actor:mallory"},"prev":"0000…0000"}
//! ```
//!
//! Lines chain like segment headers: `prev` is the SHA-256 of the previous line's bytes as
//! stored (without its LF), 64 zeros for the first; `seq` counts from 0. `docs/JOURNAL.md` is
//! the normative description. Appends take a lock file (see `lock.rs`), read the last line for
//! its seq and hash, and write the new line with one `write` on a file opened for appending,
//! then fsync: two trailscope processes never interleave lines or fork the chain.
//! [`verify`] walks the chain; [`entries`] lists it.

mod chain;
mod lock;

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::segment::{Hash32, sha256};

pub use chain::{JournalProblem, JournalReport};
pub use lock::{LOCK_NAME, STALE_AFTER};

/// Name of the journal directory under the trailscope home.
pub const DIR_NAME: &str = "journal";

/// Name of the journal file in that directory.
pub const FILE_NAME: &str = "journal.ndjson";

/// Longest journal line, LF excluded (a detail is a query or a file name, not a dump).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// One journal line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Position in the journal, from 0.
    pub seq: u64,
    /// When it was appended: RFC 3339 UTC, nine fractional digits, `Z`.
    pub time: String,
    /// The store's location (as `crate::store::Store::location` spells it).
    pub store: String,
    /// What was done: "search", "pivot", "reveal", "export", "bookmark", …
    pub kind: String,
    /// The particulars (a JSON object by convention: the query, the time range, the file).
    pub detail: serde_json::Value,
    /// SHA-256 (hex) of the previous line; 64 zeros for the first.
    pub prev: String,
}

/// The journal file under `home`.
pub fn journal_path(home: &Path) -> PathBuf {
    home.join(DIR_NAME).join(FILE_NAME)
}

/// Appends one entry (`kind`: "search", "pivot", "reveal", "export", "bookmark", …) about
/// the store at `location`, with `detail` (a JSON object).
pub fn append(
    home: &Path,
    location: &str,
    kind: &str,
    detail: serde_json::Value,
) -> anyhow::Result<()> {
    append_entry(home, location, kind, detail).map(|_| ())
}

/// Like [`append`], returning the entry as written.
pub fn append_entry(
    home: &Path,
    location: &str,
    kind: &str,
    detail: serde_json::Value,
) -> anyhow::Result<Entry> {
    anyhow::ensure!(!kind.is_empty(), "a journal entry needs a kind");
    let path = journal_path(home);
    let dir = home.join(DIR_NAME);
    crate::home::create_private_dir(&dir)?;
    let _lock = lock::acquire(&dir)?;
    let mut o = std::fs::OpenOptions::new();
    o.read(true).append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    let len = f
        .metadata()
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    let (seq, prev) = if len == 0 {
        (0, Hash32::ZERO)
    } else {
        let last = last_line(&mut f, len).with_context(|| format!("reading {}", path.display()))?;
        let last = last.ok_or_else(|| {
            anyhow::anyhow!(
                "{} ends with an incomplete line (an append was interrupted?); \
                 not appending after it: see trailscope journal --verify",
                path.display()
            )
        })?;
        let e: Entry = serde_json::from_slice(&last).with_context(|| {
            format!(
                "{}: the last line is not a journal entry; not appending after it: see \
                 trailscope journal --verify",
                path.display()
            )
        })?;
        (e.seq + 1, sha256(&last))
    };
    let entry = Entry {
        seq,
        time: crate::event::time::format_ns(crate::query::now_ns()),
        store: location.to_string(),
        kind: kind.to_string(),
        detail,
        prev: prev.to_hex(),
    };
    let mut line = serde_json::to_vec(&entry).context("encoding a journal entry")?;
    anyhow::ensure!(
        line.len() <= MAX_LINE_BYTES,
        "journal entry of kind {kind:?} is {} bytes, more than {MAX_LINE_BYTES}",
        line.len()
    );
    line.push(b'\n');
    f.write_all(&line)
        .and_then(|()| f.sync_data())
        .with_context(|| format!("appending to {}", path.display()))?;
    if len == 0 {
        std::fs::File::open(&dir)
            .and_then(|d| d.sync_all())
            .with_context(|| format!("syncing {}", dir.display()))?;
    }
    Ok(entry)
}

/// The last line of a non-empty file of `len` bytes (without its LF); `None` when the file does
/// not end with LF.
fn last_line(f: &mut std::fs::File, len: u64) -> std::io::Result<Option<Vec<u8>>> {
    const CHUNK: u64 = 8192;
    let mut byte = [0u8];
    f.seek(SeekFrom::Start(len - 1))?;
    f.read_exact(&mut byte)?;
    if byte[0] != b'\n' {
        return Ok(None);
    }
    let end = len - 1;
    let mut tail: Vec<u8> = Vec::new();
    let mut pos = end;
    while pos > 0 {
        let start = pos.saturating_sub(CHUNK);
        let mut chunk = vec![0u8; (pos - start) as usize];
        f.seek(SeekFrom::Start(start))?;
        f.read_exact(&mut chunk)?;
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            chunk.drain(..=i);
            chunk.extend_from_slice(&tail);
            return Ok(Some(chunk));
        }
        chunk.extend_from_slice(&tail);
        tail = chunk;
        if tail.len() > MAX_LINE_BYTES {
            return Err(std::io::Error::other(format!(
                "the last line is longer than {MAX_LINE_BYTES} bytes"
            )));
        }
        pos = start;
    }
    Ok(Some(tail))
}

/// Every entry, in order (the chain is not checked: see [`verify`]). No journal: none.
pub fn entries(home: &Path) -> anyhow::Result<Vec<Entry>> {
    chain::read_entries(&journal_path(home))
}

/// Checks that every `prev` matches and seqs are contiguous; the report names the first line
/// that cannot be trusted. No journal: intact with 0 entries.
pub fn verify(home: &Path) -> anyhow::Result<JournalReport> {
    chain::verify_file(&journal_path(home))
}

#[cfg(test)]
mod tests;
