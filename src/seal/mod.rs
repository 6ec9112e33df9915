//! The writer: turns input records into sealed segments appended to a store, continuing the
//! chain from the verified head, and signs checkpoints.
//!
//! Batch sealing validates every record first and seals only if all map (or `--skip-bad`), so a
//! rejected record never leaves half an input sealed. `--follow` tails a growing file and seals
//! every N events or S seconds.

mod follow;
mod input;
mod key_file;
mod resume;
mod writer;

pub use follow::DEFAULT_FOLLOW_SECONDS;
pub use follow::{FollowCursor, FollowPosition, follow_file};
pub use input::{Input, SealReport, seal_inputs};
pub use key_file::load_signer;
pub use writer::{DEFAULT_SEGMENT_EVENTS, Rejected, SealOptions, Sealer};
