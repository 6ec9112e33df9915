//! The query worker: a thread that owns the store's index and answers the console's requests.
//!
//! The UI never waits for it. Requests queue on a channel; before answering, the worker drains
//! the queue and keeps only the newest request of each kind (typing a query sends one count per
//! key, only the last matters). Every answer carries the generation of its request, so the UI
//! can drop answers that a newer request has made stale.

use std::path::PathBuf;
use std::sync::mpsc::Receiver;

use serde_json::Value;

use crate::bookmarks::{Bookmark, Bookmarks};
use crate::event::time::TimeNs;
use crate::index::IndexHead;
use crate::mask::Masker;
use crate::query::{
    Facets, Filter, Histogram, Hit, Order, QueryError, Workspace, count, facets, histogram, search,
    time_bounds,
};
use crate::segment::hash::sha256;

/// Most events one export from the console writes.
const EXPORT_LIMIT: usize = 100_000;

/// Fields shown in the facets panel, in order.
pub const FACET_FIELDS: [&str; 5] = ["actor", "resource", "action", "outcome", "source_ip"];

/// How the rows of a [`Request::Rows`] answer join the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowsMode {
    /// Replace the table.
    Replace,
    /// Append (the next page, later events).
    Append,
    /// Prepend (the previous page, earlier events).
    Prepend,
}

/// A question for the worker.
#[derive(Clone, Debug)]
pub enum Request {
    /// (Re)open the index, e.g. after the pull committed.
    Reload,
    /// Earliest and latest event time.
    Extent {
        /// Generation.
        generation: u64,
    },
    /// A histogram of `filter` in `buckets` columns.
    Histogram {
        /// Generation.
        generation: u64,
        /// What and when.
        filter: Filter,
        /// Number of columns.
        buckets: usize,
    },
    /// A page of table rows.
    Rows {
        /// Generation.
        generation: u64,
        /// What and when.
        filter: Filter,
        /// Order of the page.
        order: Order,
        /// Page size.
        limit: usize,
        /// Where the rows go.
        mode: RowsMode,
    },
    /// How many events match (the search prompt's live count).
    Count {
        /// Generation.
        generation: u64,
        /// What and when.
        filter: Filter,
    },
    /// Top values of [`FACET_FIELDS`].
    Facets {
        /// Generation.
        generation: u64,
        /// What and when.
        filter: Filter,
    },
    /// The original record and proof of one event.
    Detail {
        /// Generation.
        generation: u64,
        /// The event.
        hit: Hit,
        /// Whether masked values are revealed.
        reveal: bool,
    },
    /// The event as JSON, for the clipboard.
    Copy {
        /// The event.
        hit: Hit,
        /// Whether masked values are revealed.
        reveal: bool,
    },
    /// Read or change the store's bookmarks (never coalesced).
    Bookmarks(BookmarkOp),
    /// Append to the investigator's journal (never coalesced).
    Journal {
        /// What was done: search, pivot, reveal, export, bookmark…
        kind: String,
        /// Details.
        detail: Value,
    },
    /// Export events to a file under the trailscope home (never coalesced).
    Export {
        /// The bookmarks (else the query in the window).
        bookmarks: bool,
        /// The query and window (when not the bookmarks).
        filter: Filter,
        /// `md`, `json` or `csv`.
        format: String,
        /// Whether masked values are written unmasked.
        reveal: bool,
    },
}

/// A change to the bookmarks.
#[derive(Clone, Debug)]
pub enum BookmarkOp {
    /// Just read them.
    Load,
    /// Bookmark the event, or remove its bookmark.
    Toggle(Box<Hit>),
    /// Set the note of an event, bookmarking it if needed.
    Note(Box<Hit>, String),
    /// Remove the bookmark of (seq, pos).
    Remove(u64, u64),
}

impl Request {
    /// Requests of one kind supersede each other in the queue.
    fn kind(&self) -> u8 {
        match self {
            Request::Reload => 0,
            Request::Extent { .. } => 1,
            Request::Histogram { .. } => 2,
            Request::Rows { .. } => 3,
            Request::Count { .. } => 4,
            Request::Facets { .. } => 5,
            Request::Detail { .. } => 6,
            Request::Copy { .. } => 7,
            Request::Bookmarks(_) => 8,
            Request::Journal { .. } => 9,
            Request::Export { .. } => 10,
        }
    }

    /// Whether this is a bookmark change, a journal entry or an export: work that needs no
    /// open index, runs on a thread of its own (a long export must not hold up the histogram)
    /// and is never coalesced.
    pub fn is_side(&self) -> bool {
        !self.coalesces()
    }

    /// Whether a newer request of the same kind makes this one pointless (changes and
    /// exports always run).
    fn coalesces(&self) -> bool {
        !matches!(
            self,
            Request::Bookmarks(_) | Request::Journal { .. } | Request::Export { .. }
        )
    }
}

/// An event's original record and where it sits in the chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Detail {
    /// The event's segment seq and position (which event this is the detail of).
    pub key: (u64, u64),
    /// The record as stored (parsed when it is JSON).
    pub record: Value,
    /// Chain hash (hex) of the event's segment, from the local verified copy.
    pub chain_hash: String,
    /// Values masked in `record` (0 when revealed or nothing matched).
    pub masked: usize,
    /// Whether `record` is shown unmasked.
    pub revealed: bool,
}

/// An answer. Errors are rendered text (already the library's message).
#[derive(Clone, Debug)]
pub enum Response {
    /// The index was (re)opened: its head, whether full text exists; `None` when nothing has
    /// been pulled yet; an error when the index is there but cannot be opened.
    Opened(Result<Option<(IndexHead, bool, u64)>, String>),
    /// Answer to [`Request::Extent`].
    Extent(u64, Result<Option<(TimeNs, TimeNs)>, String>),
    /// Answer to [`Request::Histogram`].
    Histogram(u64, Result<Histogram, String>),
    /// Answer to [`Request::Rows`].
    Rows(u64, RowsMode, Result<(Vec<Hit>, u64), String>),
    /// Answer to [`Request::Count`]: the count, or the error and its byte position.
    Count(u64, Result<u64, (String, Option<usize>)>),
    /// Answer to [`Request::Facets`].
    Facets(u64, Result<Vec<Facets>, String>),
    /// Answer to [`Request::Detail`].
    Detail(u64, Result<Detail, String>),
    /// Answer to [`Request::Copy`].
    Copy(Result<String, String>),
    /// Answer to [`Request::Bookmarks`]: all bookmarks after the change, and what was done.
    Bookmarks(Result<(Vec<Bookmark>, String), String>),
    /// Answer to [`Request::Journal`].
    Journaled(Result<(), String>),
    /// Answer to [`Request::Export`]: the file, events written, values masked.
    Exported(Result<(PathBuf, usize, usize), String>),
    /// A request dropped because a newer one of its kind was queued behind it.
    Superseded,
}

/// The worker's state: the store's index once it exists.
pub struct Worker {
    home: PathBuf,
    location: String,
    ws: Option<Workspace>,
    masker: Masker,
}

fn msg(e: QueryError) -> String {
    e.to_string()
}

impl Worker {
    /// A worker for the store at `location` (opened at the first [`Request::Reload`]).
    pub fn new(home: PathBuf, location: String) -> Worker {
        Worker {
            home,
            location,
            ws: None,
            masker: Masker::new(&[]),
        }
    }

    /// Masks with `masker` (the config's `redact` list) instead of the defaults.
    pub fn with_masker(mut self, masker: Masker) -> Worker {
        self.masker = masker;
        self
    }

    /// Bookmark changes, journal entries and exports: they need no open index.
    fn answer_side(&mut self, req: Request) -> Response {
        match req {
            Request::Bookmarks(op) => Response::Bookmarks(self.bookmarks(op)),
            Request::Journal { kind, detail } => Response::Journaled(
                crate::journal::append(&self.home, &self.location, &kind, detail)
                    .map_err(|e| format!("{e:#}")),
            ),
            Request::Export {
                bookmarks,
                filter,
                format,
                reveal,
            } => Response::Exported(self.export(bookmarks, filter, &format, reveal)),
            _ => unreachable!("only bookmark, journal and export requests come here"),
        }
    }

    fn bookmarks(&mut self, op: BookmarkOp) -> Result<(Vec<Bookmark>, String), String> {
        let mut b = Bookmarks::load(&self.home, &self.location).map_err(|e| e.to_string())?;
        let (said, journal) = match op {
            BookmarkOp::Load => (String::new(), None),
            BookmarkOp::Toggle(hit) => {
                if b.remove(hit.seq, hit.pos) {
                    ("bookmark removed".to_string(), Some(("unbookmark", *hit)))
                } else {
                    b.add(&hit);
                    (
                        "bookmarked (b lists, c adds a note)".to_string(),
                        Some(("bookmark", *hit)),
                    )
                }
            }
            BookmarkOp::Note(hit, note) => {
                if b.get(hit.seq, hit.pos).is_none() {
                    b.add(&hit);
                }
                b.try_set_note(hit.seq, hit.pos, &note)
                    .map_err(|e| e.to_string())?;
                ("note saved".to_string(), Some(("note", *hit)))
            }
            BookmarkOp::Remove(seq, pos) => {
                b.remove(seq, pos);
                ("bookmark removed".to_string(), None)
            }
        };
        b.save().map_err(|e| e.to_string())?;
        if let Some((kind, hit)) = journal {
            let detail = serde_json::json!({"seq": hit.seq, "pos": hit.pos, "time": hit.time});
            if let Err(e) = crate::journal::append(&self.home, &self.location, kind, detail) {
                tracing::warn!("journal: {e:#}");
            }
        }
        Ok((b.items().to_vec(), said))
    }

    fn export(
        &mut self,
        bookmarks: bool,
        filter: Filter,
        format: &str,
        reveal: bool,
    ) -> Result<(PathBuf, usize, usize), String> {
        use crate::export::{ExportRequest, Format, Source};
        let fmt: Format = format.parse()?;
        let req = ExportRequest {
            source: if bookmarks {
                Source::Bookmarks
            } else {
                Source::Query(filter)
            },
            format: fmt,
            reveal,
            limit: EXPORT_LIMIT,
        };
        let done = crate::export::export(&self.home, &self.location, &req, &self.masker)
            .map_err(|e| e.to_string())?;
        let dir = self.home.join("exports");
        crate::home::create_private_dir(&dir).map_err(|e| format!("{e:#}"))?;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let what = if bookmarks { "bookmarks" } else { "view" };
        let path = dir.join(format!("{what}-{stamp}.{}", fmt.extension()));
        // Journaled before the file exists, as the CLI does: an export never goes unrecorded.
        crate::export::record_in_journal(
            &self.home,
            &self.location,
            &req,
            &done,
            &path.display().to_string(),
        )
        .map_err(|e| format!("journal: {e:#}"))?;
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)?;
            f.write_all(done.text.as_bytes())?;
            f.sync_all()
        };
        write().map_err(|e| format!("writing {}: {e}", path.display()))?;
        Ok((path, done.events, done.masked))
    }

    /// Answers one request (this is all the thread does; tests call it directly).
    pub fn answer(&mut self, req: Request) -> Response {
        if !req.coalesces() {
            return self.answer_side(req);
        }
        if let Request::Reload = req {
            return match Workspace::open(&self.home, &self.location) {
                Ok(ws) => {
                    let scanned = ws.scan.as_ref().map_or(0, |s| s.range.end - s.range.start);
                    let opened = (ws.verified_head(), ws.full.is_some(), scanned);
                    self.ws = Some(ws);
                    Response::Opened(Ok(Some(opened)))
                }
                Err(QueryError::NotPulled(_)) => {
                    self.ws = None;
                    Response::Opened(Ok(None))
                }
                // Keep answering from the index opened before, if any.
                Err(e) => Response::Opened(Err(format!("opening the local index: {e}"))),
            };
        }
        let Some(ws) = self.ws.as_ref() else {
            let e = "nothing indexed yet".to_string();
            return match req {
                Request::Reload => unreachable!("handled above"),
                Request::Extent { generation } => Response::Extent(generation, Ok(None)),
                Request::Histogram { generation, .. } => Response::Histogram(generation, Err(e)),
                Request::Rows {
                    generation, mode, ..
                } => Response::Rows(generation, mode, Ok((Vec::new(), 0))),
                Request::Count { generation, .. } => Response::Count(generation, Ok(0)),
                Request::Facets { generation, .. } => Response::Facets(generation, Err(e)),
                Request::Detail { generation, .. } => Response::Detail(generation, Err(e)),
                Request::Copy { .. } => Response::Copy(Err(e)),
                Request::Bookmarks(_) | Request::Journal { .. } | Request::Export { .. } => {
                    unreachable!("answered without the index")
                }
            };
        };
        match req {
            Request::Reload => unreachable!("handled above"),
            Request::Extent { generation } => {
                Response::Extent(generation, time_bounds(ws, &Filter::default()).map_err(msg))
            }
            Request::Histogram {
                generation,
                filter,
                buckets,
            } => Response::Histogram(generation, histogram(ws, &filter, buckets).map_err(msg)),
            Request::Rows {
                generation,
                filter,
                order,
                limit,
                mode,
            } => Response::Rows(
                generation,
                mode,
                search(ws, &filter, order, limit, false)
                    .map(|r| (r.hits, r.total))
                    .map_err(msg),
            ),
            Request::Count { generation, filter } => Response::Count(
                generation,
                count(ws, &filter).map_err(|e| match e {
                    QueryError::Syntax { pos, message } => (message, pos),
                    other => (other.to_string(), None),
                }),
            ),
            Request::Facets { generation, filter } => Response::Facets(
                generation,
                FACET_FIELDS
                    .iter()
                    .map(|f| facets(ws, f, &filter, 50))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(msg),
            ),
            Request::Detail {
                generation,
                hit,
                reveal,
            } => Response::Detail(
                generation,
                detail(ws, &hit, &self.masker, reveal).map_err(|e| format!("{e:#}")),
            ),
            Request::Copy { hit, reveal } => Response::Copy(
                detail(ws, &hit, &self.masker, reveal)
                    .map(|d| copy_json(&hit, &d))
                    .map_err(|e| format!("{e:#}")),
            ),
            Request::Bookmarks(_) | Request::Journal { .. } | Request::Export { .. } => {
                unreachable!("answered without the index")
            }
        }
    }

    /// Runs until `requests` closes, answering on `answers` (newest request of each kind
    /// first-come; see the module doc).
    pub fn run(mut self, requests: Receiver<Request>, answers: impl Fn(Response) -> bool) {
        while let Ok(first) = requests.recv() {
            let mut batch = vec![first];
            batch.extend(requests.try_iter());
            // Keep the last of each kind, in arrival order of those survivors.
            let mut keep: Vec<Request> = Vec::with_capacity(batch.len());
            let mut superseded = 0;
            for r in batch.into_iter().rev() {
                if r.coalesces() && keep.iter().any(|k| k.kind() == r.kind()) {
                    superseded += 1;
                } else {
                    keep.push(r);
                }
            }
            // Every request gets exactly one answer (the UI counts them for its spinner).
            for _ in 0..superseded {
                if !answers(Response::Superseded) {
                    return;
                }
            }
            keep.reverse();
            // A reload first, so the rest sees the new index.
            keep.sort_by_key(|r| r.kind() != 0);
            for r in keep {
                if !answers(self.answer(r)) {
                    return;
                }
            }
        }
    }
}

fn detail(ws: &Workspace, hit: &Hit, masker: &Masker, reveal: bool) -> anyhow::Result<Detail> {
    let line = ws.local.read_line(hit.seq, hit.offset)?;
    let record = serde_json::from_slice(&line)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&line).into_owned()));
    let (record, masked) = if reveal {
        (record, 0)
    } else {
        masker.mask_record(&record)
    };
    let header = ws.local.header_line(hit.seq)?;
    Ok(Detail {
        key: (hit.seq, hit.pos),
        record,
        chain_hash: sha256(&header).to_hex(),
        masked,
        revealed: reveal,
    })
}

/// The clipboard form of an event: its canonical fields, proof position and original record.
pub fn copy_json(hit: &Hit, d: &Detail) -> String {
    let mut v = serde_json::to_value(hit).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("chain_hash".into(), Value::String(d.chain_hash.clone()));
        m.insert("record".into(), d.record.clone());
    }
    serde_json::to_string_pretty(&v).unwrap_or_default()
}
