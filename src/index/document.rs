//! Turning one verified event line into an index document.

use serde_json::Value;
use tantivy::{DateTime, TantivyDocument};

use crate::event::Mapping;

use super::schema::{Fields, MAX_POS};

/// Where an event line sits.
#[derive(Clone, Copy, Debug)]
pub struct LinePlace {
    /// Segment seq.
    pub seq: u64,
    /// Position in the segment.
    pub pos: u64,
    /// Byte offset of the line in the segment file.
    pub offset: u64,
}

/// Builds the document for `line` (its record mapped with `mapping`). A line that does not map
/// (it was checked only for its time when sealed) is still indexed: with its time, its place,
/// outcome `unknown` and, in the full index, its text, so nothing verified goes missing.
pub fn event_document(
    fields: &Fields,
    mapping: &Mapping,
    place: LinePlace,
    line: &[u8],
) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    let (event, parsed) = mapping.map_line_lenient(line);
    doc.add_date(fields.time, DateTime::from_timestamp_nanos(event.time));
    doc.add_u64(fields.seq, place.seq);
    doc.add_u64(fields.pos, place.pos);
    doc.add_u64(fields.offset, place.offset);
    doc.add_u64(fields.ord, (place.seq << 24) | place.pos.min(MAX_POS));
    let values: [Option<&str>; 9] = [
        Some(&event.actor),
        Some(&event.action),
        Some(&event.resource),
        Some(event.outcome.as_str()),
        event.source_ip.as_deref(),
        event.user_agent.as_deref(),
        event.trace_id.as_deref(),
        event.span_id.as_deref(),
        event.request_id.as_deref(),
    ];
    for (field, value) in fields.keywords.iter().zip(values) {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            doc.add_text(*field, v);
        }
    }
    if let Some(text) = fields.text {
        doc.add_text(text, String::from_utf8_lossy(line));
    }
    if let (Some(record), Some(v @ Value::Object(_))) = (fields.record, parsed.as_ref()) {
        doc.add_field_value(record, v);
    }
    doc
}
