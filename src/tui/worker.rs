//! The query worker: a thread that owns the store's index and answers the console's requests.
//!
//! The UI never waits for it. Requests queue on a channel; before answering, the worker drains
//! the queue and keeps only the newest request of each kind (typing a query sends one count per
//! key, only the last matters). Every answer carries the generation of its request, so the UI
//! can drop answers that a newer request has made stale.

use std::path::PathBuf;
use std::sync::mpsc::Receiver;

use serde_json::Value;

use crate::event::time::TimeNs;
use crate::index::IndexHead;
use crate::query::{
    Facets, Filter, Histogram, Hit, Order, QueryError, Workspace, count, facets, histogram, search,
    time_bounds,
};
use crate::segment::hash::sha256;

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
    },
    /// The event as JSON, for the clipboard.
    Copy {
        /// The event.
        hit: Hit,
    },
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
        }
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
}

/// An answer. Errors are rendered text (already the library's message).
#[derive(Clone, Debug)]
pub enum Response {
    /// The index was (re)opened: its head, whether full text exists; `None` when nothing has
    /// been pulled yet; an error when the index is there but cannot be opened.
    Opened(Result<Option<(IndexHead, bool)>, String>),
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
    /// A request dropped because a newer one of its kind was queued behind it.
    Superseded,
}

/// The worker's state: the store's index once it exists.
pub struct Worker {
    home: PathBuf,
    location: String,
    ws: Option<Workspace>,
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
        }
    }

    /// Answers one request (this is all the thread does; tests call it directly).
    pub fn answer(&mut self, req: Request) -> Response {
        if let Request::Reload = req {
            return match Workspace::open(&self.home, &self.location) {
                Ok(ws) => {
                    let opened = (ws.head().clone(), ws.full.is_some());
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
            Request::Detail { generation, hit } => {
                Response::Detail(generation, detail(ws, &hit).map_err(|e| format!("{e:#}")))
            }
            Request::Copy { hit } => Response::Copy(
                detail(ws, &hit)
                    .map(|d| copy_json(&hit, &d))
                    .map_err(|e| format!("{e:#}")),
            ),
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
                if keep.iter().any(|k| k.kind() == r.kind()) {
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

fn detail(ws: &Workspace, hit: &Hit) -> anyhow::Result<Detail> {
    let line = ws.local.read_line(hit.seq, hit.offset)?;
    let record = serde_json::from_slice(&line)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&line).into_owned()));
    let header = ws.local.header_line(hit.seq)?;
    Ok(Detail {
        key: (hit.seq, hit.pos),
        record,
        chain_hash: sha256(&header).to_hex(),
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
