//! The CSV export, for spreadsheets: RFC 4180 (CRLF line ends, a header row, quoted fields
//! where needed) and formula-injection safe (see [`csv_field`]).

use crate::event::time::format_ns;

use super::escape::csv_field;
use super::evidence::Evidence;
use super::markdown::{SIGNED_CELL, UNSIGNED_CELL};

/// The header row.
pub const COLUMNS: [&str; 15] = [
    "time",
    "verified",
    "seq",
    "pos",
    "actor",
    "action",
    "resource",
    "outcome",
    "source_ip",
    "user_agent",
    "trace_id",
    "span_id",
    "request_id",
    "note",
    "record",
];

/// Renders one row per event (the record as compact JSON, masked unless revealed).
pub fn render(ev: &Evidence) -> String {
    let mut out = String::new();
    push_row(&mut out, COLUMNS.iter().map(|c| c.to_string()));
    for i in &ev.items {
        let e = &i.event;
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        push_row(
            &mut out,
            [
                format_ns(e.time),
                if i.signed { SIGNED_CELL } else { UNSIGNED_CELL }.to_string(),
                i.seq.to_string(),
                i.pos.to_string(),
                e.actor.clone(),
                e.action.clone(),
                e.resource.clone(),
                e.outcome.as_str().to_string(),
                opt(&e.source_ip),
                opt(&e.user_agent),
                opt(&e.trace_id),
                opt(&e.span_id),
                opt(&e.request_id),
                i.note.clone(),
                serde_json::to_string(&i.record).unwrap_or_default(),
            ],
        );
    }
    out
}

fn push_row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (n, c) in cells.into_iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(&c));
    }
    out.push_str("\r\n");
}
