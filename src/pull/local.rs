//! A store's local state under the trailscope home: its indexes and copies of its verified
//! segments.
//!
//! ```text
//! HOME/stores/<name>-<hash>/
//!   segments/{seq:020}.seg   copies of segments that were verified (indexed or not yet)
//!   spool/{seq:020}.seg      fetched this run, not yet trusted (cleared at every pull)
//!   verified.json            the verified chain kept beyond the index (see `verified.rs`)
//!   index/                   structured index (its commit records the head)
//!   fulltext/                full index (second pass)
//! ```
//! Every directory is created mode 0700.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::index::IndexKind;
use crate::segment::header::MAX_HEADER_BYTES;

/// Paths of one store's local state.
#[derive(Clone, Debug)]
pub struct LocalState {
    /// The state directory.
    pub dir: PathBuf,
}

impl LocalState {
    /// The state of the store at `location` under `home` (nothing is created).
    pub fn at(home: &Path, location: &str) -> LocalState {
        LocalState {
            dir: crate::home::store_state_dir(home, location),
        }
    }

    /// Creates the directories.
    pub fn create(&self) -> anyhow::Result<()> {
        crate::home::create_private_dir(&self.segments_dir())?;
        crate::home::create_private_dir(&self.spool_dir())
    }

    /// Whether anything was ever pulled here.
    pub fn exists(&self) -> bool {
        self.index_dir(IndexKind::Structured)
            .join("meta.json")
            .exists()
    }

    /// Directory of the index of `kind`.
    pub fn index_dir(&self, kind: IndexKind) -> PathBuf {
        self.dir.join(kind.dir_name())
    }

    /// Directory of verified segment copies.
    pub fn segments_dir(&self) -> PathBuf {
        self.dir.join("segments")
    }

    /// Directory of fetched, not yet trusted segments.
    pub fn spool_dir(&self) -> PathBuf {
        self.dir.join("spool")
    }

    /// Local copy of segment `seq`.
    pub fn segment_file(&self, seq: u64) -> PathBuf {
        self.segments_dir().join(format!("{seq:020}.seg"))
    }

    /// Spool file of segment `seq`.
    pub fn spool_file(&self, seq: u64) -> PathBuf {
        self.spool_dir().join(format!("{seq:020}.seg"))
    }

    /// Empties the spool.
    pub fn clear_spool(&self) -> anyhow::Result<()> {
        let dir = self.spool_dir();
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
        }
        crate::home::create_private_dir(&dir)
    }

    /// Writes fetched bytes of `seq` to the spool.
    pub fn spool(&self, seq: u64, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.spool_file(seq);
        let mut f =
            std::fs::File::create(&path).with_context(|| format!("writing {}", path.display()))?;
        f.write_all(bytes)
            .with_context(|| format!("writing {}", path.display()))
    }

    /// Syncs spooled segment `seq` to disk.
    pub fn sync_spooled(&self, seq: u64) -> anyhow::Result<()> {
        let from = self.spool_file(seq);
        std::fs::File::open(&from)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("syncing {}", from.display()))
    }

    /// Moves spooled segment `seq`, already synced ([`LocalState::sync_spooled`]), to the
    /// verified copies; the caller syncs the directory before relying on it.
    pub fn move_synced(&self, seq: u64) -> anyhow::Result<()> {
        let (from, to) = (self.spool_file(seq), self.segment_file(seq));
        std::fs::rename(&from, &to)
            .with_context(|| format!("moving {} to {}", from.display(), to.display()))
    }

    /// Syncs the segments directory (so promoted copies survive a power loss with the commit).
    pub fn sync_segments_dir(&self) -> anyhow::Result<()> {
        let dir = self.segments_dir();
        std::fs::File::open(&dir)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("syncing {}", dir.display()))
    }

    /// The header line of the local copy of `seq`.
    pub fn header_line(&self, seq: u64) -> anyhow::Result<Vec<u8>> {
        let path = self.segment_file(seq);
        let f = std::fs::File::open(&path).with_context(|| {
            format!(
                "local copy of segment {seq} ({}) is missing: the local state is damaged; delete {} and pull again",
                path.display(),
                self.dir.display()
            )
        })?;
        let mut line = Vec::with_capacity(1024);
        std::io::BufReader::new(f)
            .take(MAX_HEADER_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .with_context(|| format!("reading {}", path.display()))?;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        Ok(line)
    }

    /// The bytes of the local copy of `seq`.
    pub fn read_segment(&self, seq: u64) -> anyhow::Result<Vec<u8>> {
        let path = self.segment_file(seq);
        std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
    }

    /// The event line at byte `offset` of the local copy of `seq`.
    pub fn read_line(&self, seq: u64, offset: u64) -> anyhow::Result<Vec<u8>> {
        use std::io::{Seek, SeekFrom};
        let path = self.segment_file(seq);
        let mut f =
            std::fs::File::open(&path).with_context(|| format!("reading {}", path.display()))?;
        f.seek(SeekFrom::Start(offset))
            .with_context(|| format!("reading {}", path.display()))?;
        let mut line = Vec::new();
        std::io::BufReader::new(Read::by_ref(&mut f))
            .take(crate::event::reader::MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .with_context(|| format!("reading {}", path.display()))?;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        Ok(line)
    }
}
