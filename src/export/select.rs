//! Which events an export holds: the matches of a query on the local index (oldest first), or
//! the store's bookmarks (in time order). Either way only events of segments the pull verified
//! are in the index, so nothing unverified can be selected.

use crate::bookmarks::Bookmarks;
use crate::query::{Order, Workspace, search};

use super::error::ExportError;
use super::{MAX_EXPORT_EVENTS, Source};

/// One selected event: where it is, and the investigator's note on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    /// Segment seq.
    pub seq: u64,
    /// Position in the segment.
    pub pos: u64,
    /// The bookmark's note ("" when none).
    pub note: String,
}

/// The selected events, in export order.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Events to export.
    pub wanted: Vec<Wanted>,
    /// Events the selection matched before the limit.
    pub matched: u64,
    /// Why the selection may be incomplete (the full-text index lags behind), when it is.
    pub coverage_note: Option<String>,
}

/// Selects up to `limit` events (never more than [`MAX_EXPORT_EVENTS`]).
pub fn select(
    ws: &Workspace,
    bookmarks: &Bookmarks,
    source: &Source,
    limit: usize,
) -> Result<Selection, ExportError> {
    let limit = limit.min(MAX_EXPORT_EVENTS);
    match source {
        Source::Bookmarks => {
            let pulled = ws.head().segments;
            // A bookmark of a segment no longer in the index (an unsigned tail that the store
            // dropped) cannot be exported: it counts as matched but left out.
            let wanted: Vec<Wanted> = bookmarks
                .items()
                .iter()
                .filter(|b| b.seq < pulled)
                .take(limit)
                .map(|b| Wanted {
                    seq: b.seq,
                    pos: b.pos,
                    note: b.note.clone(),
                })
                .collect();
            Ok(Selection {
                wanted,
                matched: bookmarks.items().len() as u64,
                coverage_note: None,
            })
        }
        Source::Query(filter) => {
            let res = search(ws, filter, Order::OldestFirst, limit, false)?;
            let coverage_note = (res.coverage.segments < res.coverage.pulled_segments).then(|| {
                format!(
                    "the {} index answering this query covers {} of {} pulled segments; later events were not searched",
                    res.coverage.index, res.coverage.segments, res.coverage.pulled_segments
                )
            });
            let wanted = res
                .hits
                .iter()
                .map(|h| Wanted {
                    seq: h.seq,
                    pos: h.pos,
                    note: bookmarks
                        .get(h.seq, h.pos)
                        .map(|b| b.note.clone())
                        .unwrap_or_default(),
                })
                .collect();
            Ok(Selection {
                wanted,
                matched: res.total,
                coverage_note,
            })
        }
    }
}
