//! What an index holds, recorded in the payload of its own commit.
//!
//! Tantivy writes `meta.json` atomically at commit, and the payload travels in that same file, so
//! the set of indexed documents and the head they describe can never disagree: after a crash the
//! index is exactly as of the last commit, and so is its head.

use serde::{Deserialize, Serialize};
use tantivy::Index;

/// The chain position an index has reached.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexHead {
    /// Segments indexed: seqs `0..segments`, each one checked before it was indexed.
    pub segments: u64,
    /// Chain hash (hex) of segment `segments - 1`.
    pub head_hash: Option<String>,
    /// Events indexed.
    pub events: u64,
    /// Of those segments, how many (from 0) are attested by a signed checkpoint. Events of
    /// segments `covered..segments` are an unsigned tail: chained, shown as not verified.
    pub covered: u64,
    /// The store's origin.
    pub origin: Option<String>,
}

impl IndexHead {
    /// Reads the head from the index's last commit (an index never committed has none).
    pub fn load(index: &Index) -> anyhow::Result<IndexHead> {
        let metas = index.load_metas()?;
        match metas.payload.as_deref() {
            None | Some("") => Ok(IndexHead::default()),
            Some(p) => serde_json::from_str(p)
                .map_err(|e| anyhow::anyhow!("index commit payload is not an index head: {e}")),
        }
    }

    /// Whether segment `seq` is attested by a signed checkpoint.
    pub fn is_verified(&self, seq: u64) -> bool {
        seq < self.covered
    }
}
