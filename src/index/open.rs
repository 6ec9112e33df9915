//! Opening (or creating) an index directory.

use std::path::Path;

use anyhow::Context;
use tantivy::Index;

use super::schema::{Fields, IndexKind, build};

/// An index on disk with its field handles.
pub struct EventIndex {
    /// The Tantivy index.
    pub index: Index,
    /// Field handles.
    pub fields: Fields,
    /// Which index this is.
    pub kind: IndexKind,
    /// Its directory (named in errors).
    pub dir: std::path::PathBuf,
}

impl EventIndex {
    /// Opens the index in `dir`, creating it (mode 0700) when it does not exist.
    pub fn open_or_create(dir: &Path, kind: IndexKind) -> anyhow::Result<EventIndex> {
        let fields = build(kind);
        crate::home::create_private_dir(dir)?;
        let index = if dir.join("meta.json").exists() {
            let index = Index::open_in_dir(dir)
                .with_context(|| format!("opening index {}", dir.display()))?;
            if index.schema() != fields.schema {
                anyhow::bail!(
                    "index {} was built by another version of trailscope; delete it and pull again",
                    dir.display()
                );
            }
            index
        } else {
            Index::create_in_dir(dir, fields.schema.clone())
                .with_context(|| format!("creating index {}", dir.display()))?
        };
        Ok(EventIndex {
            index,
            fields,
            kind,
            dir: dir.to_path_buf(),
        })
    }

    /// Opens an existing index for reading; `None` when `dir` holds none.
    pub fn open_existing(dir: &Path, kind: IndexKind) -> anyhow::Result<Option<EventIndex>> {
        if !dir.join("meta.json").exists() {
            return Ok(None);
        }
        Self::open_or_create(dir, kind).map(Some)
    }
}
