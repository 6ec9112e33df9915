//! The canonical audit event and the mappers that produce it from each input format.
//!
//! Records enter as raw bytes (one JSON object, exactly as stored in a segment body); a
//! [`Mapping`] (the input format plus optional `field=path` overrides, recorded in every segment
//! header) turns them into an [`AuditEvent`]. The same mapping is applied when sealing, when
//! verifying time ranges and, later, when indexing, so all three agree on every event's time.

mod canonical;
mod cloudtrail;
mod detect;
mod extract;
mod fastscan;
mod generic;
mod k8s;
mod lookahead;
mod mapping;
mod path;
pub mod reader;
pub mod time;
mod time_reader;

pub use canonical::{AuditEvent, Outcome};
pub use detect::{InputFormat, detect_format};
pub use mapping::{MapError, Mapping};
pub use time_reader::TimeReader;
