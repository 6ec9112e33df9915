//! Headless queries over a store's local index: search, histogram, facets.
//!
//! These are the functions the console calls; the CLI only formats their results. A
//! [`Workspace`] opens a store's indexes read-only. A query naming only structured fields runs
//! on the structured index (complete as soon as the pull's first pass commits); a query with
//! free text or `record.` paths runs on the full index, which may lag behind (the result says
//! how far it covers).

pub mod aggregate;
pub mod parse;
pub mod scan;
pub mod search;
pub mod time_arg;

use std::path::Path;

use serde::Serialize;
use tantivy::{IndexReader, ReloadPolicy};

use crate::event::time::TimeNs;
use crate::index::{EventIndex, IndexHead, IndexKind};
use crate::pull::LocalState;

pub use aggregate::{Facets, Histogram, facets, histogram, time_bounds};
pub use parse::ParsedQuery;
pub use search::{Hit, Order, SearchResult, count, search};
pub use time_arg::{now_ns, parse_time_arg};

/// Why a query could not run.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The query text is wrong; `pos` is the byte offset at fault, when known.
    #[error("query syntax: {message}{}", pos.map(|p| format!(" (at position {p})")).unwrap_or_default())]
    Syntax {
        /// Byte offset in the query text.
        pos: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A bad argument (field name, time range).
    #[error("{0}")]
    Argument(String),
    /// Nothing was pulled for this store.
    #[error("no local index for {0}: run `trailscope pull {0}` first")]
    NotPulled(String),
    /// Reading the index failed.
    #[error(transparent)]
    Index(#[from] anyhow::Error),
}

impl From<tantivy::TantivyError> for QueryError {
    fn from(e: tantivy::TantivyError) -> Self {
        QueryError::Index(e.into())
    }
}

/// What to match: a query (Tantivy syntax; empty or `*` for everything) in `[from, to)`.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Query text.
    pub query: String,
    /// Earliest time, inclusive.
    pub from: Option<TimeNs>,
    /// Latest time, exclusive.
    pub to: Option<TimeNs>,
}

/// One opened index.
pub struct Opened {
    /// The index.
    pub index: EventIndex,
    /// Its reader.
    pub reader: IndexReader,
    /// The head as of the commit the reader sees.
    pub head: IndexHead,
}

impl Opened {
    fn open(dir: &Path, kind: IndexKind) -> Result<Option<Opened>, QueryError> {
        let Some(index) = EventIndex::open_existing(dir, kind)? else {
            return Ok(None);
        };
        // Tantivy takes a lock file in the index directory to read it: a directory that cannot
        // be written (read-only mount, changed permissions) fails here; say which one.
        let at = |e: tantivy::TantivyError| {
            QueryError::Index(
                anyhow::Error::from(e).context(format!("reading the index in {}", dir.display())),
            )
        };
        let reader = index
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(at)?;
        let head = IndexHead::load(&index.index)?;
        Ok(Some(Opened {
            index,
            reader,
            head,
        }))
    }
}

/// A store's local indexes, opened for queries.
pub struct Workspace {
    /// The store location.
    pub location: String,
    /// Its local state.
    pub local: LocalState,
    /// The structured index.
    pub structured: Opened,
    /// The full index, once the second pass has started.
    pub full: Option<Opened>,
    /// Verified segments beyond the structured index, answered by scanning their copies.
    pub scan: Option<scan::ScanTier>,
}

/// Which index answered, and how much of the chain it covers.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    /// `structured` or `full`.
    pub index: &'static str,
    /// Segments covered by the index that answered.
    pub segments: u64,
    /// Segments pulled: verified and copied locally (indexed or not yet).
    pub pulled_segments: u64,
    /// Of `segments`, those answered by scanning verified copies the index does not hold yet.
    pub scanned_segments: u64,
}

impl Coverage {
    /// Adds the segments of `range`, answered by scanning.
    pub(crate) fn add_scanned(&mut self, range: &std::ops::Range<u64>) {
        let n = range.end - range.start;
        self.segments += n;
        self.scanned_segments += n;
    }
}

impl Workspace {
    /// Opens the local indexes of the store at `location`.
    pub fn open(home: &Path, location: &str) -> Result<Workspace, QueryError> {
        let local = LocalState::at(home, location);
        let structured = Opened::open(
            &local.index_dir(IndexKind::Structured),
            IndexKind::Structured,
        )?
        .ok_or_else(|| QueryError::NotPulled(location.to_string()))?;
        let full = Opened::open(&local.index_dir(IndexKind::Full), IndexKind::Full)?;
        let scan = local.load_verified()?.and_then(|v| {
            v.scan_range(&structured.head).map(|range| scan::ScanTier {
                head_hash: v.hash_of(range.end - 1).map(String::from),
                events: v.events_in(range.clone()),
                range,
                covered: v.covered,
            })
        });
        Ok(Workspace {
            location: location.to_string(),
            local,
            structured,
            full,
            scan,
        })
    }

    /// The head of what was pulled.
    pub fn head(&self) -> &IndexHead {
        &self.structured.head
    }

    /// The index a query needs, with its coverage.
    pub fn pick(&self, needs_full: bool) -> Result<(&Opened, Coverage), QueryError> {
        let indexed = self.structured.head.segments;
        let pulled = self.pulled_segments();
        if !needs_full {
            return Ok((
                &self.structured,
                Coverage {
                    index: "structured",
                    segments: indexed,
                    pulled_segments: pulled,
                    scanned_segments: 0,
                },
            ));
        }
        let full = self.full.as_ref().ok_or_else(|| {
            QueryError::Argument(
                "this query needs the full-text index, which has not been built yet: run `trailscope pull` again (without --no-fulltext)".into(),
            )
        })?;
        Ok((
            full,
            Coverage {
                index: "full",
                segments: full.head.segments.min(indexed),
                pulled_segments: pulled,
                scanned_segments: 0,
            },
        ))
    }

    /// The verified head: the index's, extended by the segments only scanned so far.
    pub fn verified_head(&self) -> IndexHead {
        let mut h = self.structured.head.clone();
        if let Some(s) = &self.scan {
            h.segments = s.range.end;
            h.head_hash = s.head_hash.clone();
            h.events += s.events;
            h.covered = h.covered.max(s.covered).min(h.segments);
        }
        h
    }

    /// Segments verified and copied locally: the index's, plus those only scanned.
    pub fn pulled_segments(&self) -> u64 {
        let indexed = self.structured.head.segments;
        self.scan
            .as_ref()
            .map_or(indexed, |s| s.range.end.max(indexed))
    }

    /// Whether events of segment `seq` are attested by a signed checkpoint.
    pub fn is_verified(&self, seq: u64) -> bool {
        match &self.scan {
            Some(s) if s.range.contains(&seq) => seq < s.covered,
            _ => self.structured.head.is_verified(seq),
        }
    }

    /// The scanned part of a query: its matcher and the segments to read, when there are
    /// verified segments beyond the index and the query can be answered by scanning (one that
    /// needs the full index, or that the scan does not mirror exactly, is answered by the index
    /// alone, and its coverage says so).
    pub fn scan_part(
        &self,
        filter: &Filter,
        needs_full: bool,
    ) -> Option<(scan::Matcher, std::ops::Range<u64>)> {
        let tier = self.scan.as_ref()?;
        if needs_full {
            return None;
        }
        let matcher = scan::Matcher::compile(&filter.query).ok()?;
        Some((matcher, tier.range.clone()))
    }

    /// The scan for `filter` over `range` with `matcher`.
    pub fn scan_with<'a>(
        &'a self,
        matcher: &'a scan::Matcher,
        range: std::ops::Range<u64>,
        filter: &Filter,
    ) -> scan::Scan<'a> {
        scan::Scan::new(&self.local, range, matcher, filter.from, filter.to)
    }

    /// Whether a segment's events come from the scan (not the index).
    pub fn scan_covered(&self) -> u64 {
        self.scan.as_ref().map_or(0, |s| s.covered)
    }
}
