//! `search`: matching events, newest or oldest first.

use serde::Serialize;
use tantivy::collector::sort_key::SortByStaticFastValue;
use tantivy::collector::{Count, TopDocs};
use tantivy::{DateTime, Order as TOrder, Searcher};

use super::scan::collect;
use super::{Coverage, Filter, QueryError, Workspace};
use crate::event::time::format_ns;
use crate::index::schema::{KEYWORDS, OFFSET, ORD, POS, SEQ, TIME};

/// Result order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// Latest first (the default: incidents are investigated backwards).
    #[default]
    NewestFirst,
    /// Earliest first (timelines).
    OldestFirst,
}

/// One matching event.
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    /// Event time (RFC 3339, ns).
    pub time: String,
    /// Event time, ns since the epoch.
    pub time_ns: i64,
    /// Segment seq.
    pub seq: u64,
    /// Position in the segment.
    pub pos: u64,
    /// Whether the segment is attested by a signed checkpoint (else it is an unsigned tail).
    pub verified: bool,
    /// Actor.
    pub actor: String,
    /// Action.
    pub action: String,
    /// Resource.
    pub resource: String,
    /// Outcome.
    pub outcome: String,
    /// Source IP.
    pub source_ip: Option<String>,
    /// User agent.
    pub user_agent: Option<String>,
    /// Trace id.
    pub trace_id: Option<String>,
    /// Span id.
    pub span_id: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
    /// The original record (from the local verified copy), when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<serde_json::Value>,
    /// Byte offset of the event's line in the local copy of its segment.
    #[serde(skip)]
    pub offset: u64,
}

/// Hits and how many events matched in all.
#[derive(Clone, Debug, Serialize)]
pub struct SearchResult {
    /// Events matching (not just those returned).
    pub total: u64,
    /// The first `limit` hits in the requested order.
    pub hits: Vec<Hit>,
    /// Which index answered.
    pub coverage: Coverage,
}

/// Runs `filter` and returns up to `limit` hits in `order`; with `records`, each hit carries
/// its original record.
pub fn search(
    ws: &Workspace,
    filter: &Filter,
    order: Order,
    limit: usize,
    records: bool,
) -> Result<SearchResult, QueryError> {
    let (parsed, opened) = super::parse::parse(ws, filter)?;
    let (_, mut coverage) = ws.pick(parsed.needs_full)?;
    let searcher = opened.reader.searcher();
    let dir = match order {
        Order::NewestFirst => TOrder::Desc,
        Order::OldestFirst => TOrder::Asc,
    };
    let top = TopDocs::with_limit(limit.max(1)).order_by((
        (SortByStaticFastValue::<DateTime>::for_field(TIME), dir),
        (SortByStaticFastValue::<u64>::for_field(ORD), dir),
    ));
    let (docs, total) = searcher.search(parsed.query.as_ref(), &(top, Count))?;
    let docs = if limit == 0 { Vec::new() } else { docs };
    let mut hits = Vec::with_capacity(docs.len());
    let mut columns: std::collections::HashMap<u32, Columns> = std::collections::HashMap::new();
    for (_, addr) in docs {
        let cols = match columns.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(Columns::open(&searcher, addr.segment_ord)?)
            }
        };
        let mut hit = read_hit(ws, cols, addr.doc_id)?;
        if records {
            let line = ws.local.read_line(hit.seq, hit.offset)?;
            hit.record = Some(serde_json::from_slice(&line).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&line).into_owned())
            }));
        }
        hits.push(hit);
    }
    let mut total = total as u64;
    if let Some((matcher, range)) = ws.scan_part(filter, parsed.needs_full) {
        let scan = ws.scan_with(&matcher, range.clone(), filter);
        let (n, mut more) = collect::top(&scan, order, limit, ws.scan_covered())?;
        if records {
            for hit in &mut more {
                let line = ws.local.read_line(hit.seq, hit.offset)?;
                hit.record = Some(serde_json::from_slice(&line).unwrap_or_else(|_| {
                    serde_json::Value::String(String::from_utf8_lossy(&line).into_owned())
                }));
            }
        }
        total += n;
        hits.extend(more);
        collect::keep_first(&mut hits, order, limit);
        coverage.add_scanned(&range);
    }
    Ok(SearchResult {
        total,
        hits,
        coverage,
    })
}

/// How many events match `filter` (no sorting, no hits: the search prompt's live count).
pub fn count(ws: &Workspace, filter: &Filter) -> Result<u64, QueryError> {
    let (parsed, opened) = super::parse::parse(ws, filter)?;
    let searcher = opened.reader.searcher();
    let mut n = searcher.search(parsed.query.as_ref(), &Count)? as u64;
    if let Some((matcher, range)) = ws.scan_part(filter, parsed.needs_full) {
        n += collect::count(&ws.scan_with(&matcher, range, filter))?;
    }
    Ok(n)
}

/// The fast-field columns of one index segment, opened once for all its hits.
struct Columns {
    time: tantivy::columnar::Column<DateTime>,
    seq: tantivy::columnar::Column<u64>,
    pos: tantivy::columnar::Column<u64>,
    offset: tantivy::columnar::Column<u64>,
    keywords: Vec<Option<tantivy::columnar::StrColumn>>,
}

impl Columns {
    fn open(searcher: &Searcher, segment_ord: u32) -> Result<Columns, QueryError> {
        let ff = searcher.segment_reader(segment_ord).fast_fields();
        Ok(Columns {
            time: ff.date(TIME)?,
            seq: ff.u64(SEQ)?,
            pos: ff.u64(POS)?,
            offset: ff.u64(OFFSET)?,
            keywords: KEYWORDS
                .iter()
                .map(|k| ff.str(k))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Reads a hit's fields from the fast fields (the index stores no documents).
fn read_hit(ws: &Workspace, cols: &Columns, doc: u32) -> Result<Hit, QueryError> {
    let missing = |f: &str| QueryError::Index(anyhow::anyhow!("document without {f}"));
    let time_ns = cols.time.first(doc).map_or(0, |d| d.into_timestamp_nanos());
    let seq = cols.seq.first(doc).ok_or_else(|| missing(SEQ))?;
    let pos = cols.pos.first(doc).ok_or_else(|| missing(POS))?;
    let offset = cols.offset.first(doc).ok_or_else(|| missing(OFFSET))?;
    let mut values: Vec<Option<String>> = Vec::with_capacity(KEYWORDS.len());
    for col in &cols.keywords {
        let value = match col {
            Some(col) => match col.term_ords(doc).next() {
                Some(ord) => {
                    let mut s = String::new();
                    col.ord_to_str(ord, &mut s)
                        .map_err(|e| QueryError::Index(e.into()))?;
                    Some(s)
                }
                None => None,
            },
            None => None,
        };
        values.push(value);
    }
    let mut v = values.into_iter();
    let mut next = || v.next().flatten();
    Ok(Hit {
        time: format_ns(time_ns),
        time_ns,
        seq,
        pos,
        verified: ws.is_verified(seq),
        actor: next().unwrap_or_default(),
        action: next().unwrap_or_default(),
        resource: next().unwrap_or_default(),
        outcome: next().unwrap_or_else(|| "unknown".into()),
        source_ip: next(),
        user_agent: next(),
        trace_id: next(),
        span_id: next(),
        request_id: next(),
        record: None,
        offset,
    })
}
