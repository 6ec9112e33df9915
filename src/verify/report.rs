//! The verification report: per-segment states, problems, and the verified head; rendered for
//! people (one line per problem, then a summary) or as JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::event::time::{TimeNs, format_ns};
use crate::segment::keys::Verifier;
use crate::text::{MAX_FIELD_CHARS, sanitize, sanitize_cut};

use super::chain::ChainAnalysis;
use super::checkpoints::ValidCheckpoint;
use super::problem::{Problem, Severity};
use super::segment_check::SegmentFacts;

/// Trust state of one segment position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentState {
    /// Chained from 0 and covered by a signed checkpoint.
    Verified,
    /// Chained from 0 but after the newest valid checkpoint.
    UnsignedTail,
    /// Has a problem of its own (or is missing).
    Problem,
    /// Intact on its own, but after a break: not verified.
    AfterBreak,
}

/// One segment position in the report.
#[derive(Clone, Debug, Serialize)]
pub struct SegmentStatus {
    /// The seq.
    pub seq: u64,
    /// Its trust state.
    pub state: SegmentState,
    /// Chain hash (hex), when the file has a header line.
    pub hash: Option<String>,
    /// Events, as the header says.
    pub events: u64,
}

/// The newest verified segment.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Head {
    /// Its seq.
    pub seq: u64,
    /// Its chain hash (hex).
    pub hash: String,
}

/// The newest checkpoint that agrees with the verified chain.
#[derive(Clone, Debug, Serialize)]
pub struct CheckpointInfo {
    /// Segments covered.
    pub size: u64,
    /// Chain hash of segment size-1 (hex).
    pub hash: String,
    /// When it was signed.
    pub time: String,
    /// Signer (`NAME+KEYID`).
    pub signer: String,
    /// Store-relative file.
    pub file: String,
}

/// Everything `verify` found.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The store location.
    pub store: String,
    /// Its origin.
    pub origin: Option<String>,
    /// Number of segment positions (highest seq + 1).
    pub segments: u64,
    /// Segments verified and signed.
    pub verified_segments: u64,
    /// Segments verified but unsigned (after the newest checkpoint).
    pub unsigned_segments: u64,
    /// Events in verified (signed or unsigned-tail) segments.
    pub events: u64,
    /// Earliest verified event time.
    pub first_time: Option<String>,
    /// Latest verified event time.
    pub last_time: Option<String>,
    /// Newest verified segment.
    pub head: Option<Head>,
    /// Newest checkpoint that agrees with the verified chain.
    pub checkpoint: Option<CheckpointInfo>,
    /// The trusted signer's verifier key, when one was used.
    pub signer: Option<String>,
    /// Every finding, errors and warnings.
    pub problems: Vec<Problem>,
    /// Per-segment states.
    #[serde(skip)]
    pub states: Vec<SegmentStatus>,
}

impl Report {
    /// True when no problem is an error.
    pub fn is_intact(&self) -> bool {
        self.problems.iter().all(|p| p.severity != Severity::Error)
    }

    /// Error problems only.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    /// Human-readable rendering: one line per problem, then a summary.
    pub fn to_human(&self) -> String {
        let mut s = String::new();
        for p in &self.problems {
            let seq = p.seq.map_or("-".to_string(), |q| q.to_string());
            let sev = match p.severity {
                Severity::Error => "ERROR",
                Severity::Warning => "warning",
            };
            let _ = writeln!(
                s,
                "{sev:<7} seq {seq:<6} {:<20} {}: {}",
                p.kind.as_str(),
                sanitize_cut(p.file.as_deref().unwrap_or("-"), MAX_FIELD_CHARS),
                sanitize_cut(&p.detail, 4 * MAX_FIELD_CHARS)
            );
        }
        let errors = self.errors().count();
        let warnings = self.problems.len() - errors;
        let verdict = if errors == 0 {
            "INTACT"
        } else {
            "PROBLEMS FOUND"
        };
        let _ = writeln!(s, "store:      {}", sanitize(&self.store));
        let _ = writeln!(
            s,
            "origin:     {}",
            sanitize_cut(self.origin.as_deref().unwrap_or("-"), MAX_FIELD_CHARS)
        );
        let _ = writeln!(
            s,
            "segments:   {} ({} verified and signed, {} unsigned tail, {} not verified)",
            self.segments,
            self.verified_segments,
            self.unsigned_segments,
            self.segments - self.verified_segments - self.unsigned_segments
        );
        let _ = writeln!(s, "events:     {} verified", self.events);
        if let (Some(a), Some(b)) = (&self.first_time, &self.last_time) {
            let _ = writeln!(s, "time range: {a} .. {b}");
        }
        match &self.head {
            Some(h) => {
                let _ = writeln!(s, "head:       seq {} {}", h.seq, h.hash);
            }
            None => {
                let _ = writeln!(s, "head:       none verified");
            }
        }
        match &self.checkpoint {
            Some(c) => {
                let _ = writeln!(
                    s,
                    "checkpoint: size {} at {} ({})",
                    c.size,
                    sanitize_cut(&c.time, MAX_FIELD_CHARS),
                    sanitize_cut(&c.file, MAX_FIELD_CHARS)
                );
                let _ = writeln!(
                    s,
                    "signer:     {}",
                    sanitize_cut(&c.signer, MAX_FIELD_CHARS)
                );
            }
            None => {
                let _ = writeln!(s, "checkpoint: none valid");
            }
        }
        let _ = writeln!(
            s,
            "result:     {verdict} ({errors} errors, {warnings} warnings)"
        );
        s
    }
}

/// Assembles the report from the analysis.
pub fn build(
    store: String,
    facts: &BTreeMap<u64, SegmentFacts>,
    a: &ChainAnalysis,
    cps: &BTreeMap<u64, ValidCheckpoint>,
    trusted: Option<&Verifier>,
    mut problems: Vec<Problem>,
) -> Report {
    let mut states = Vec::with_capacity(a.positions as usize);
    let (mut verified, mut unsigned, mut events) = (0, 0, 0);
    let (mut lo, mut hi): (Option<TimeNs>, Option<TimeNs>) = (None, None);
    let mut head = None;
    for seq in 0..a.positions {
        let f = facts.get(&seq);
        let state = if seq < a.break_at && seq < a.covered {
            SegmentState::Verified
        } else if seq < a.break_at {
            SegmentState::UnsignedTail
        } else if a.bad.contains(&seq) {
            SegmentState::Problem
        } else {
            SegmentState::AfterBreak
        };
        if matches!(state, SegmentState::Verified | SegmentState::UnsignedTail) {
            let f = f.expect("verified segments exist");
            if state == SegmentState::Verified {
                verified += 1;
            } else {
                unsigned += 1;
            }
            events += f.events;
            lo = Some(lo.map_or(f.first_time, |l| l.min(f.first_time)));
            hi = Some(hi.map_or(f.last_time, |h| h.max(f.last_time)));
            head = f.chain_hash.map(|h| Head {
                seq,
                hash: h.to_hex(),
            });
        }
        states.push(SegmentStatus {
            seq,
            state,
            hash: f.and_then(|f| f.chain_hash).map(|h| h.to_hex()),
            events: f.map_or(0, |f| f.events),
        });
    }
    if unsigned > 0 {
        let first = a.covered;
        let last = first + unsigned - 1;
        let what = if first == last {
            format!("segment {first} is not covered by a signed checkpoint")
        } else {
            format!("segments {first}..={last} are not covered by a signed checkpoint")
        };
        problems.push(Problem::new(
            Some(first),
            super::Kind::UnsignedTail,
            None,
            what,
        ));
    }
    problems.sort_by_key(|p| (p.seq.unwrap_or(u64::MAX), p.kind));
    let checkpoint = a
        .covering_checkpoint
        .and_then(|size| cps.get(&size))
        .filter(|_| a.covered > 0)
        .map(|c| CheckpointInfo {
            size: c.checkpoint.size,
            hash: c.checkpoint.hash.to_hex(),
            time: c.checkpoint.time.clone(),
            signer: trusted.map(|t| t.short()).unwrap_or_default(),
            file: c.file.clone(),
        });
    Report {
        store,
        origin: a.origin.clone(),
        segments: a.positions,
        verified_segments: verified,
        unsigned_segments: unsigned,
        events,
        first_time: lo.map(format_ns),
        last_time: hi.map(format_ns),
        head,
        checkpoint,
        signer: trusted.map(|t| t.text.clone()),
        problems,
        states,
    }
}
