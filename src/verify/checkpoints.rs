//! Reading and checking the store's signed checkpoints (signatures only; agreement with the
//! chain is decided in `chain`).
//!
//! `checkpoints/latest.note` must be a byte copy of the newest numbered checkpoint. When the
//! numbered file of its size is present but rejected (bad signature, unknown signer…, already
//! reported), a `latest.note` that verifies stands in for it instead of being reported again.

use std::collections::{BTreeMap, BTreeSet};

use crate::segment::checkpoint::{
    Checkpoint, CheckpointError, LATEST_PATH, SIGNER_PUB_PATH, open, parse_checkpoint_name,
};
use crate::segment::keys::Verifier;
use crate::store::{Store, StoreError};

use super::problem::{Kind, Problem};

/// A checkpoint whose signature verified.
#[derive(Clone, Debug)]
pub struct ValidCheckpoint {
    /// Its content.
    pub checkpoint: Checkpoint,
    /// Store-relative file.
    pub file: String,
}

/// Checkpoints read from a store.
#[derive(Default, Debug)]
pub struct CheckpointScan {
    /// Valid numbered checkpoints by size.
    pub valid: BTreeMap<u64, ValidCheckpoint>,
    /// Problems with signatures, names and the latest copy.
    pub problems: Vec<Problem>,
    /// Whether any checkpoint file exists at all.
    pub any: bool,
}

/// Reads every checkpoint and checks its signature with `verifier` (`None`: no key known, so
/// every checkpoint is reported as unverifiable).
pub fn scan(store: &dyn Store, verifier: Option<&Verifier>) -> Result<CheckpointScan, StoreError> {
    let mut out = CheckpointScan::default();
    let mut newest_bytes: Option<(u64, Vec<u8>)> = None;
    // Sizes whose numbered file exists but was rejected (and reported).
    let mut rejected: BTreeSet<u64> = BTreeSet::new();
    for name in store.list("checkpoints")? {
        let file = format!("checkpoints/{name}");
        if file == LATEST_PATH || file == SIGNER_PUB_PATH || name.starts_with(".tmp-") {
            continue;
        }
        let Some(size) = parse_checkpoint_name(&name) else {
            out.problems.push(Problem::new(
                None,
                Kind::UnexpectedFile,
                Some(file),
                "not a checkpoint name",
            ));
            continue;
        };
        out.any = true;
        let Some(bytes) = store.get(&file)? else {
            continue;
        };
        let seq = Some(size.saturating_sub(1));
        rejected.insert(size);
        let Some(v) = verifier else {
            out.problems.push(Problem::new(
                seq,
                Kind::UnknownSigner,
                Some(file),
                "no key to check it with: pass --pubkey, or publish checkpoints/signer.pub",
            ));
            continue;
        };
        match open(&bytes, v) {
            Ok(cp) => {
                if cp.size != size {
                    out.problems.push(Problem::new(
                        seq,
                        Kind::CheckpointMismatch,
                        Some(file),
                        format!("file name says size {size}, signed text says {}", cp.size),
                    ));
                    continue;
                }
                if newest_bytes.as_ref().is_none_or(|(s, _)| size > *s) {
                    newest_bytes = Some((size, bytes));
                }
                rejected.remove(&size);
                out.valid.insert(
                    size,
                    ValidCheckpoint {
                        checkpoint: cp,
                        file,
                    },
                );
            }
            Err(e) => out.problems.push(problem_for(seq, file, e)),
        }
    }
    match store.get(LATEST_PATH)? {
        None if out.any => out.problems.push(Problem::new(
            newest_bytes.as_ref().map(|(s, _)| s - 1),
            Kind::CheckpointMismatch,
            Some(LATEST_PATH.into()),
            "missing while numbered checkpoints exist",
        )),
        None => {}
        Some(latest) => {
            out.any = true;
            match verifier.map(|v| open(&latest, v)) {
                None => out.problems.push(Problem::new(
                    None,
                    Kind::UnknownSigner,
                    Some(LATEST_PATH.into()),
                    "no key to check it with: pass --pubkey, or publish checkpoints/signer.pub",
                )),
                Some(Err(e)) => out.problems.push(problem_for(None, LATEST_PATH.into(), e)),
                Some(Ok(cp)) => {
                    match &newest_bytes {
                        Some((size, bytes)) if *bytes == latest => {
                            debug_assert_eq!(*size, cp.size);
                        }
                        Some((size, _)) if cp.size > *size && rejected.contains(&cp.size) => {
                            // The numbered copy is damaged (reported above); this one verifies.
                            out.valid.insert(
                                cp.size,
                                ValidCheckpoint {
                                    checkpoint: cp,
                                    file: LATEST_PATH.into(),
                                },
                            );
                        }
                        Some((size, _)) => out.problems.push(Problem::new(
                            Some(cp.size.saturating_sub(1)),
                            Kind::CheckpointMismatch,
                            Some(LATEST_PATH.into()),
                            format!(
                                "latest.note (size {}) is not the newest checkpoint (size {size})",
                                cp.size
                            ),
                        )),
                        None => {
                            // Only a latest copy: treat it as the checkpoint it claims to be, but
                            // say that its numbered original is gone.
                            let numbered = crate::segment::checkpoint::checkpoint_path(cp.size);
                            if store.get(&numbered)?.is_none() {
                                out.problems.push(Problem::new(
                                Some(cp.size - 1),
                                Kind::CheckpointMismatch,
                                Some(LATEST_PATH.into()),
                                format!("{numbered}, of which latest.note must be a copy, is missing"),
                            ));
                            }
                            out.valid.insert(
                                cp.size,
                                ValidCheckpoint {
                                    checkpoint: cp,
                                    file: LATEST_PATH.into(),
                                },
                            );
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

fn problem_for(seq: Option<u64>, file: String, e: CheckpointError) -> Problem {
    let kind = match e {
        CheckpointError::UnknownSigner { .. } => Kind::UnknownSigner,
        CheckpointError::BadSignature(_) | CheckpointError::Malformed(_) => Kind::BadSignature,
    };
    Problem::new(seq, kind, Some(file), e.to_string())
}
