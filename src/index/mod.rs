//! The local event index: Tantivy, one document per verified event.
//!
//! Two indexes per store: the structured one ([`IndexKind::Structured`]) is built on the pull's
//! critical path; the full one ([`IndexKind::Full`]) adds full text and JSON paths in a second
//! pass over the local copies of the same verified segments. Each records the chain head it
//! has reached in its own commit ([`IndexHead`]).

pub mod document;
pub mod head;
pub mod open;
pub mod schema;
pub mod writer;

pub use head::IndexHead;
pub use open::EventIndex;
pub use schema::{Fields, IndexKind};
pub use writer::Indexer;
