//! How far the local verified copies reach beyond the index: `verified.json` in a store's
//! local state.
//!
//! A pull verifies every new segment (content, Merkle root, chain link, checkpoints, pin) and
//! moves the intact ones to the local copies before it starts indexing them, then records here
//! the chain it verified. Until the index catches up, queries answer for those segments by
//! scanning the copies (see [`crate::query::scan`]), so the first answer never waits for the
//! index. The record lists the chain hash of every segment it adds, so a reader uses it only
//! where the index's own head lies on that chain; anything else (an index truncated since, a
//! record from another chain) is ignored and only the index answers.

use std::io::Write;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::LocalState;
use crate::index::IndexHead;

/// The verified chain beyond `base`, as recorded by the last pull.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifiedHead {
    /// Segments `0..base` were already indexed (or verified) when this record was written.
    pub base: u64,
    /// Chain hash (hex) of segment `base - 1`, if `base > 0`.
    pub base_hash: Option<String>,
    /// Chain hashes (hex) of segments `base..base + hashes.len()`, each verified and copied.
    pub hashes: Vec<String>,
    /// Of all segments `0..segments()`, how many (from 0) are attested by a signed checkpoint.
    pub covered: u64,
    /// Events in each of the segments `base..segments()`, as `hashes`.
    pub counts: Vec<u64>,
}

impl VerifiedHead {
    /// One past the last verified segment.
    pub fn segments(&self) -> u64 {
        self.base + self.hashes.len() as u64
    }

    /// The chain hash of segment `seq`, when this record knows it.
    pub fn hash_of(&self, seq: u64) -> Option<&str> {
        if seq + 1 == self.base {
            return self.base_hash.as_deref();
        }
        seq.checked_sub(self.base)
            .and_then(|i| self.hashes.get(i as usize))
            .map(String::as_str)
    }

    /// Events in segments `range` (those this record lists).
    pub fn events_in(&self, range: std::ops::Range<u64>) -> u64 {
        range
            .filter_map(|seq| seq.checked_sub(self.base))
            .filter_map(|i| self.counts.get(i as usize))
            .sum()
    }

    /// The segments `index..segments()` that can be answered by scanning, when `index` (an
    /// index's head) lies on this chain; `None` when it does not or nothing is left to scan.
    pub fn scan_range(&self, index: &IndexHead) -> Option<std::ops::Range<u64>> {
        let end = self.segments();
        if index.segments >= end || index.segments < self.base {
            return None;
        }
        let on_chain = match index.segments {
            0 => self.base == 0,
            n => {
                index.head_hash.as_deref().is_some()
                    && self.hash_of(n - 1) == index.head_hash.as_deref()
            }
        };
        on_chain.then_some(index.segments..end)
    }
}

impl LocalState {
    fn verified_file(&self) -> std::path::PathBuf {
        self.dir.join("verified.json")
    }

    /// Reads the verified-head record; `None` when there is none. A damaged record is an error
    /// naming the file (it is never guessed at).
    pub fn load_verified(&self) -> anyhow::Result<Option<VerifiedHead>> {
        let path = self.verified_file();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .with_context(|| format!("{}: not a verified-head record", path.display()))
    }

    /// Writes the record atomically (temporary file, fsync, rename, directory fsync), after the
    /// copies it names were moved into place and synced.
    pub fn save_verified(&self, head: &VerifiedHead) -> anyhow::Result<()> {
        let path = self.verified_file();
        let tmp = self.dir.join("verified.json.tmp");
        let text = serde_json::to_vec(head)?;
        {
            let mut f = std::fs::File::create(&tmp)
                .with_context(|| format!("writing {}", tmp.display()))?;
            f.write_all(&text)
                .and_then(|()| f.sync_all())
                .with_context(|| format!("writing {}", tmp.display()))?;
        }
        std::fs::rename(&tmp, &path)
            .with_context(|| format!("moving {} to {}", tmp.display(), path.display()))?;
        std::fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .with_context(|| format!("syncing {}", self.dir.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(segments: u64, hash: Option<&str>) -> IndexHead {
        IndexHead {
            segments,
            head_hash: hash.map(String::from),
            ..IndexHead::default()
        }
    }

    fn record() -> VerifiedHead {
        VerifiedHead {
            base: 2,
            base_hash: Some("b1".into()),
            hashes: vec!["h2".into(), "h3".into(), "h4".into()],
            covered: 4,
            counts: vec![10, 10, 10],
        }
    }

    #[test]
    fn scans_from_an_index_head_on_the_chain() {
        let v = record();
        assert_eq!(v.segments(), 5);
        assert_eq!(v.scan_range(&head(2, Some("b1"))), Some(2..5));
        assert_eq!(v.scan_range(&head(4, Some("h3"))), Some(4..5));
    }

    #[test]
    fn ignores_an_index_off_the_chain_or_caught_up() {
        let v = record();
        assert_eq!(v.scan_range(&head(4, Some("other"))), None);
        assert_eq!(v.scan_range(&head(1, Some("h0"))), None);
        assert_eq!(v.scan_range(&head(5, Some("h4"))), None);
        assert_eq!(v.scan_range(&head(0, None)), None);
        let from_zero = VerifiedHead {
            base: 0,
            base_hash: None,
            hashes: vec!["h0".into()],
            counts: vec![5],
            ..record()
        };
        assert_eq!(from_zero.scan_range(&head(0, None)), Some(0..1));
        assert_eq!(from_zero.scan_range(&head(1, Some("h0"))), None);
    }
}
