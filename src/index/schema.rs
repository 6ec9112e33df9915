//! The index schema: one document per audit event.
//!
//! Exact-match fields are raw-tokenized and fast (columnar), so they serve term queries, facets
//! and pivots and can be shown without stored fields. Where the event came from (segment seq,
//! position, byte offset of its line) is kept so the original record and its proof can be
//! fetched from the local segment copy. The full index adds a full-text field over the whole
//! original line and a JSON field for dotted paths into the record.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, JsonObjectOptions,
    STRING, Schema, TextFieldIndexing, TextOptions,
};

/// Event time: indexed at second precision (range queries), nanoseconds in the fast field.
pub const TIME: &str = "time";
/// Segment seq the event came from.
pub const SEQ: &str = "seq";
/// Position (0-based) of the event in its segment.
pub const POS: &str = "pos";
/// Byte offset of the event's line within its segment file.
pub const OFFSET: &str = "offset";
/// Tie-breaker for ordering: `seq << 24 | pos`, unique per event.
pub const ORD: &str = "ord";
/// Full text over the original line (full index only).
pub const TEXT: &str = "text";
/// The original record as a JSON field: `record.user.username:alice` (full index only).
pub const RECORD: &str = "record";

/// The exact-match fields, in display order.
pub const KEYWORDS: [&str; 9] = [
    "actor",
    "action",
    "resource",
    "outcome",
    "source_ip",
    "user_agent",
    "trace_id",
    "span_id",
    "request_id",
];

/// Largest position a segment may hold so `ORD` stays unique.
pub const MAX_POS: u64 = (1 << 24) - 1;

/// Which of the two indexes a schema is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexKind {
    /// Structured fields only: built first, on the pull's critical path.
    Structured,
    /// Structured fields plus full text and JSON paths: built in a second pass.
    Full,
}

impl IndexKind {
    /// Directory name under the store's local state.
    pub fn dir_name(self) -> &'static str {
        match self {
            IndexKind::Structured => "index",
            IndexKind::Full => "fulltext",
        }
    }
}

/// Field handles of one schema.
#[derive(Clone, Debug)]
pub struct Fields {
    /// The schema itself.
    pub schema: Schema,
    /// [`TIME`].
    pub time: Field,
    /// [`SEQ`].
    pub seq: Field,
    /// [`POS`].
    pub pos: Field,
    /// [`OFFSET`].
    pub offset: Field,
    /// [`ORD`].
    pub ord: Field,
    /// [`KEYWORDS`], same order.
    pub keywords: [Field; 9],
    /// [`TEXT`] (full index).
    pub text: Option<Field>,
    /// [`RECORD`] (full index).
    pub record: Option<Field>,
}

/// Builds the schema for `kind`.
pub fn build(kind: IndexKind) -> Fields {
    let mut b = Schema::builder();
    let time = b.add_date_field(
        TIME,
        DateOptions::from(INDEXED)
            .set_fast()
            .set_precision(DateTimePrecision::Nanoseconds),
    );
    let seq = b.add_u64_field(SEQ, INDEXED | FAST);
    let pos = b.add_u64_field(POS, FAST);
    let offset = b.add_u64_field(OFFSET, FAST);
    let ord = b.add_u64_field(ORD, FAST);
    let keywords = KEYWORDS.map(|name| b.add_text_field(name, STRING | FAST));
    let (text, record) = match kind {
        IndexKind::Structured => (None, None),
        IndexKind::Full => {
            // Words of the whole line, with positions for phrases.
            let words = TextFieldIndexing::default()
                .set_tokenizer("default")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions);
            let text = b.add_text_field(TEXT, TextOptions::default().set_indexing_options(words));
            // Every leaf of the record as one exact term under its path (`record.verb:delete`,
            // `record.user.username:alice`): a pivot on any field, at a fraction of the cost of
            // tokenizing each value again.
            let exact = TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::Basic);
            let record = b.add_json_field(
                RECORD,
                JsonObjectOptions::default()
                    .set_indexing_options(exact)
                    .set_expand_dots_enabled(),
            );
            (Some(text), Some(record))
        }
    };
    Fields {
        schema: b.build(),
        time,
        seq,
        pos,
        offset,
        ord,
        keywords,
        text,
        record,
    }
}

/// Whether `name` is a field of the structured index (so a query naming only such fields can be
/// answered before the full-text pass has caught up).
pub fn is_structured_field(name: &str) -> bool {
    [TIME, SEQ, POS, OFFSET, ORD].contains(&name) || KEYWORDS.contains(&name)
}
