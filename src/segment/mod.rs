//! The sealed format: segment encoding and decoding, chain hashes, Merkle roots and proofs,
//! signed checkpoints and the keys that sign them. `docs/FORMAT.md` is the normative text; this
//! module is its implementation.

pub mod checkpoint;
pub mod codec;
pub mod hash;
pub mod header;
pub mod keys;
pub mod merkle;

pub use codec::{SealedSegment, encode_segment, segment_path, split_segment};
pub use hash::{Hash32, sha256};
pub use header::{FORMAT_V1, SegmentHeader};
