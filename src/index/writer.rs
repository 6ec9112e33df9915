//! Adding verified segments to an index and committing them together with the head.

use std::ops::Bound;

use anyhow::Context;
use rayon::prelude::*;
use tantivy::indexer::NoMergePolicy;
use tantivy::query::RangeQuery;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::segment::header::SegmentHeader;
use crate::segment::split_segment;

use super::document::{LinePlace, event_document};
use super::head::IndexHead;
use super::open::EventIndex;
use super::schema::MAX_POS;

/// Index segments tolerated before a pull merges them.
pub const MERGE_ABOVE: usize = 8;

/// Memory budget of one writer (split among its threads).
const WRITER_MEMORY: usize = 256 << 20;

/// A writer over one [`EventIndex`]. Nothing it adds is visible until [`Indexer::commit`], which
/// records the new head in the same atomic step. No merges run while it writes; call
/// [`Indexer::merge`] after the pull.
pub struct Indexer<'a> {
    target: &'a EventIndex,
    writer: IndexWriter<TantivyDocument>,
    /// The head as of the last commit plus everything added since.
    pub head: IndexHead,
}

impl<'a> Indexer<'a> {
    /// Starts writing to `target` with `threads` indexing threads.
    pub fn new(target: &'a EventIndex, threads: usize) -> anyhow::Result<Indexer<'a>> {
        let head = IndexHead::load(&target.index)?;
        let threads = threads.clamp(1, 8);
        let writer: IndexWriter<TantivyDocument> = target
            .index
            .writer_with_num_threads(threads, WRITER_MEMORY.max((threads * 20) << 20))
            .context("opening the index writer (is another trailscope pulling this store?)")?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        Ok(Indexer {
            target,
            writer,
            head,
        })
    }

    /// Adds every event of segment `seq` (whose bytes were checked and linked by the caller) and
    /// advances the uncommitted head to it. Returns the number of events added.
    pub fn add_segment(&mut self, seq: u64, bytes: &[u8], chain_hash: &str) -> anyhow::Result<u64> {
        anyhow::ensure!(
            seq == self.head.segments,
            "segment {seq} does not follow the indexed head (next is {})",
            self.head.segments
        );
        let (head_line, body) =
            split_segment(bytes).map_err(|e| anyhow::anyhow!("segment {seq}: {e}"))?;
        let header: SegmentHeader =
            serde_json::from_slice(head_line).with_context(|| format!("segment {seq}: header"))?;
        let body_start = head_line.len() as u64 + 1;
        let mut spans: Vec<(usize, usize)> = Vec::with_capacity(header.events as usize);
        let mut offset = 0usize;
        while offset < body.len() {
            let end = memchr::memchr(b'\n', &body[offset..]).map_or(body.len(), |i| offset + i);
            spans.push((offset, end));
            offset = end + 1;
        }
        anyhow::ensure!(
            spans.len() as u64 <= MAX_POS + 1,
            "segment {seq} has more than {} events",
            MAX_POS + 1
        );
        // Documents are built on the rayon pool and handed to Tantivy's own indexing threads as
        // they are ready; doc order within the index does not matter (results are ordered by
        // the time and ord fast fields).
        let (fields, mapping, writer) = (&self.target.fields, &header.mapping, &self.writer);
        let added = spans
            .par_iter()
            .enumerate()
            .try_for_each(|(pos, &(start, end))| {
                let place = LinePlace {
                    seq,
                    pos: pos as u64,
                    offset: body_start + start as u64,
                };
                writer
                    .add_document(event_document(fields, mapping, place, &body[start..end]))
                    .map(|_| ())
            });
        if let Err(e) = added {
            // A worker that died (disk full, read-only directory) leaves `add_document` saying
            // only that the writer was killed; joining the workers gives the real cause.
            let cause = self
                .writer
                .prepare_commit()
                .err()
                .map_or_else(|| e.to_string(), |c| c.to_string());
            anyhow::bail!(
                "indexing segment {seq} into {}: {cause}",
                self.target.dir.display()
            );
        }
        let pos = spans.len() as u64;
        self.head.segments = seq + 1;
        self.head.head_hash = Some(chain_hash.to_string());
        self.head.events += pos;
        if self.head.origin.is_none() {
            self.head.origin = Some(header.origin);
        }
        Ok(pos)
    }

    /// Removes every event of segments `seq..` (a tail that turned out not to belong to the
    /// chain) and moves the uncommitted head back to `seq`.
    pub fn truncate_to(
        &mut self,
        seq: u64,
        head_hash: Option<String>,
        events: u64,
    ) -> anyhow::Result<()> {
        let field = self.target.fields.seq;
        self.writer.delete_query(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_u64(field, seq)),
            Bound::Unbounded,
        )))?;
        self.head.segments = seq;
        self.head.head_hash = head_hash;
        self.head.events = events;
        self.head.covered = self.head.covered.min(seq);
        Ok(())
    }

    /// Makes everything added so far visible, with `self.head` as the recorded head, in one
    /// atomic step.
    pub fn commit(&mut self) -> anyhow::Result<()> {
        let payload = serde_json::to_string(&self.head)?;
        let dir = self.target.dir.display().to_string();
        let mut prepared = self
            .writer
            .prepare_commit()
            .with_context(|| format!("committing index {dir}"))?;
        prepared.set_payload(&payload);
        prepared
            .commit()
            .with_context(|| format!("committing index {dir}"))?;
        Ok(())
    }

    /// Merges the index's segments into one when there are more than [`MERGE_ABOVE`] (after
    /// the pull, off the critical path) and waits for it. A handful of segments searches as
    /// fast as one; merging a large index on every small pull would not pay.
    pub fn merge(mut self) -> anyhow::Result<()> {
        let dir = self.target.dir.display().to_string();
        let ids = self.target.index.searchable_segment_ids()?;
        if ids.len() > MERGE_ABOVE {
            self.writer
                .merge(&ids)
                .wait()
                .with_context(|| format!("merging index {dir}"))?;
        }
        self.writer
            .wait_merging_threads()
            .with_context(|| format!("merging index {dir}"))?;
        Ok(())
    }
}
