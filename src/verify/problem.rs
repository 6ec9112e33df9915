//! What the verifier can find wrong, and how bad it is.

use serde::Serialize;

/// Kinds of problem, each named in output by its snake_case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The body bytes differ from what the (intact) header commits to.
    ContentModified,
    /// The header line was altered: its hash no longer matches what the next segment or a
    /// checkpoint recorded, and it contradicts its body, its predecessor, its own file name
    /// (an edited `seq`), or a next segment that the link after it confirms.
    HeaderModified,
    /// `prev` does not match the chain hash of the segment before, which is itself intact, and
    /// no later link tells which of the two was altered.
    ChainBreak,
    /// A segment is missing between others.
    Gap,
    /// A segment file holds another seq than its name (renamed or reordered). One that fits
    /// nowhere in the chain while the link after its position is broken is `HeaderModified`.
    Reordered,
    /// A segment file repeats another segment's header line byte for byte (replay); reported
    /// at the copy, not at the original in its own place.
    Duplicate,
    /// The header's event count disagrees with the body.
    CountMismatch,
    /// The header's first/last time disagrees with the body.
    TimeRangeMismatch,
    /// The header's `events_root` disagrees with the body's event lines.
    RootMismatch,
    /// A segment or checkpoint names another origin than the store's.
    OriginMismatch,
    /// A segment that cannot be read as the format says (bad JSON, truncated, invalid UTF-8…).
    Malformed,
    /// A file in `segments/` or `checkpoints/` that the format does not define.
    UnexpectedFile,
    /// A checkpoint covers more segments than the store holds.
    TailTruncated,
    /// A checkpoint signature by the trusted key does not verify, or the note is malformed.
    BadSignature,
    /// A checkpoint is not signed by the trusted key, or no key is known to check it.
    UnknownSigner,
    /// The store's published signer differs from the pinned one.
    SignerChanged,
    /// A validly signed checkpoint contradicts the chain (hash, size or latest copy).
    CheckpointMismatch,
    /// The store is behind the head pinned by an earlier run.
    Rollback,
    /// The store's segment at the pinned head differs from the pinned hash.
    Fork,
    /// Segments after the newest checkpoint: chained but not signed. A warning.
    UnsignedTail,
}

impl Kind {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ContentModified => "content_modified",
            Kind::HeaderModified => "header_modified",
            Kind::ChainBreak => "chain_break",
            Kind::Gap => "gap",
            Kind::Reordered => "reordered",
            Kind::Duplicate => "duplicate",
            Kind::CountMismatch => "count_mismatch",
            Kind::TimeRangeMismatch => "time_range_mismatch",
            Kind::RootMismatch => "root_mismatch",
            Kind::OriginMismatch => "origin_mismatch",
            Kind::Malformed => "malformed",
            Kind::UnexpectedFile => "unexpected_file",
            Kind::TailTruncated => "tail_truncated",
            Kind::BadSignature => "bad_signature",
            Kind::UnknownSigner => "unknown_signer",
            Kind::SignerChanged => "signer_changed",
            Kind::CheckpointMismatch => "checkpoint_mismatch",
            Kind::Rollback => "rollback",
            Kind::Fork => "fork",
            Kind::UnsignedTail => "unsigned_tail",
        }
    }

    /// Warnings do not make `verify` fail; everything else does.
    pub fn severity(self) -> Severity {
        match self {
            Kind::UnsignedTail | Kind::UnexpectedFile => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

/// How much a problem matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The store is not intact.
    Error,
    /// Worth knowing; the verified part is still trustworthy.
    Warning,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The segment seq concerned (for checkpoints: the last seq they cover).
    pub seq: Option<u64>,
    /// What kind of problem.
    pub kind: Kind,
    /// Error or warning.
    pub severity: Severity,
    /// Store-relative file at fault, when there is one.
    pub file: Option<String>,
    /// Human-readable specifics (hashes, counts, names).
    pub detail: String,
}

impl Problem {
    /// A problem with severity taken from its kind.
    pub fn new(
        seq: Option<u64>,
        kind: Kind,
        file: Option<String>,
        detail: impl Into<String>,
    ) -> Self {
        Problem {
            seq,
            kind,
            severity: kind.severity(),
            file,
            detail: detail.into(),
        }
    }
}
