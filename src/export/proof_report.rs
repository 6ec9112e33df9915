//! What `prove` found: a verdict per event, problems of segments and of the checkpoint, and
//! the human rendering the CLI prints.

use std::fmt::Write as _;

use serde::Serialize;

use crate::text::sanitize;

/// The outcome for one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Line → leaf → inclusion proof → `events_root` → header chain → signed checkpoint, and
    /// the record and canonical fields are those of the line.
    Proven,
    /// As [`Verdict::Proven`] but from the given leaf hash: the content was masked, so the
    /// record and canonical fields shown are not checked.
    ProvenMasked,
    /// Included in a segment chained after the checkpoint, which no signature covers.
    UnsignedTail,
    /// Something does not check; see the reasons.
    Failed,
}

/// One event's result.
#[derive(Clone, Debug, Serialize)]
pub struct EventResult {
    /// Segment seq.
    pub seq: u64,
    /// Position in the segment.
    pub pos: u64,
    /// The time the bundle gives (proven only when the verdict is `proven`).
    pub time: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Why it failed (empty otherwise).
    pub reasons: Vec<String>,
}

/// A problem of the bundle's headers or checkpoint.
#[derive(Clone, Debug, Serialize)]
pub struct BundleProblem {
    /// The segment at fault, when one is.
    pub seq: Option<u64>,
    /// What is wrong.
    pub what: String,
}

/// The whole result.
#[derive(Clone, Debug, Serialize)]
pub struct ProofReport {
    /// The store the bundle says it came from.
    pub store: String,
    /// Its origin.
    pub origin: Option<String>,
    /// When it was exported.
    pub exported_at: String,
    /// `NAME+KEYID` of the key the checkpoint was checked with.
    pub key: Option<String>,
    /// The key came from the bundle itself (no `--pubkey`): not an independent trust anchor.
    pub key_from_bundle: bool,
    /// Segments the checkpoint covers, when it verified.
    pub checkpoint_size: Option<u64>,
    /// When the checkpoint was signed, when it verified.
    pub checkpoint_time: Option<String>,
    /// Whether the bundle has a checkpoint at all.
    pub has_checkpoint: bool,
    /// Problems of headers and checkpoint.
    pub problems: Vec<BundleProblem>,
    /// Per event, in bundle order.
    pub events: Vec<EventResult>,
}

impl ProofReport {
    /// Whether everything checked (unsigned-tail events are reported, not failures).
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty() && self.count(Verdict::Failed) == 0
    }

    /// Events with verdict `v`.
    pub fn count(&self, v: Verdict) -> usize {
        self.events.iter().filter(|e| e.verdict == v).count()
    }

    /// The report for a terminal (every bundle-provided string sanitized).
    pub fn to_human(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "bundle:     store {} (origin {}), exported {}",
            sanitize(&self.store),
            sanitize(self.origin.as_deref().unwrap_or("?")),
            sanitize(&self.exported_at)
        );
        match (&self.key, self.key_from_bundle) {
            (Some(k), false) => {
                let _ = writeln!(s, "key:        {} (given with --pubkey)", sanitize(k));
            }
            (Some(k), true) => {
                let _ = writeln!(
                    s,
                    "key:        {} TAKEN FROM THE BUNDLE ITSELF\nWARNING:    without --pubkey the signature only shows the bundle is self-consistent, not who signed it; pass the signer's key from a trusted channel",
                    sanitize(k)
                );
            }
            (None, _) => s.push_str("key:        none\n"),
        }
        match (self.checkpoint_size, &self.checkpoint_time) {
            (Some(size), Some(t)) => {
                let _ = writeln!(
                    s,
                    "checkpoint: size {size} (segments 0 to {}), signed {}: signature good",
                    size - 1,
                    sanitize(t)
                );
            }
            _ if self.has_checkpoint => s.push_str("checkpoint: DOES NOT VERIFY\n"),
            _ => s.push_str(
                "checkpoint: none: nothing in this bundle is signed; every event is at best an unsigned tail\n",
            ),
        }
        for p in &self.problems {
            let at = p.seq.map(|q| format!(" segment {q}")).unwrap_or_default();
            let _ = writeln!(s, "FAIL{at}: {}", sanitize(&p.what));
        }
        for e in &self.events {
            let place = format!("seq {} pos {} at {}", e.seq, e.pos, sanitize(&e.time));
            match e.verdict {
                Verdict::Proven => {}
                Verdict::ProvenMasked => {
                    let _ = writeln!(
                        s,
                        "MASKED {place}: proven by leaf hash, content masked (record and fields not checked)"
                    );
                }
                Verdict::UnsignedTail => {
                    let _ = writeln!(
                        s,
                        "UNSIGNED {place}: unsigned tail: included in a segment chained after the checkpoint, but no signature covers it"
                    );
                }
                Verdict::Failed => {
                    let _ = writeln!(s, "FAIL {place}: {}", sanitize(&e.reasons.join("; ")));
                }
            }
        }
        let _ = writeln!(
            s,
            "events:     {}: {} proven, {} proven by leaf hash (content masked), {} unsigned tail (not proven by a signature), {} failed",
            self.events.len(),
            self.count(Verdict::Proven),
            self.count(Verdict::ProvenMasked),
            self.count(Verdict::UnsignedTail),
            self.count(Verdict::Failed)
        );
        s.push_str(if self.is_ok() {
            "result:     PROVEN\n"
        } else {
            "result:     FAILED\n"
        });
        s
    }
}
