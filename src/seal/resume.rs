//! Going on after a writer that was killed: completing its last checkpoint.
//!
//! A checkpoint is two files, `checkpoints/{size:020}.note` and its copy `latest.note`, written
//! one after the other (see `Sealer::checkpoint`). A writer killed between the two renames
//! leaves `latest.note` one checkpoint behind, which readers rightly report as
//! `checkpoint_mismatch` (an older `latest.note` is also what a rollback looks like). The next
//! writer, holding the writer lock, finishes the job: when the newest numbered checkpoint is
//! newer than `latest.note` and verifies under the writer's own key, it becomes `latest.note`.
//! Nothing is copied that the writer's key did not sign, so this never makes a forged
//! checkpoint look current.

use crate::segment::checkpoint::{Checkpoint, LATEST_PATH, open, parse_checkpoint_name};
use crate::segment::keys::{Signer, parse_verifier};
use crate::store::Store;

/// Copies the newest numbered checkpoint to `latest.note` when `latest.note` lags it and the
/// checkpoint is `signer`'s; returns whether it did.
pub(super) fn complete_interrupted_checkpoint(
    store: &dyn Store,
    signer: &Signer,
) -> anyhow::Result<bool> {
    let newest = store
        .list("checkpoints")?
        .iter()
        .filter_map(|n| parse_checkpoint_name(n))
        .max();
    let Some(size) = newest else {
        return Ok(false);
    };
    let path = crate::segment::checkpoint::checkpoint_path(size);
    let Some(note) = store.get(&path)? else {
        return Ok(false);
    };
    let verifier = parse_verifier(&signer.public)?;
    if open(&note, &verifier).is_err() {
        return Ok(false);
    }
    let lags = match store.get(LATEST_PATH)? {
        None => true,
        Some(latest) if latest == note => false,
        Some(latest) => note_size(&latest).is_none_or(|s| s < size),
    };
    if lags {
        store.put(LATEST_PATH, &note)?;
    }
    Ok(lags)
}

/// The size a note's text claims (its signature unchecked), if it parses.
fn note_size(note: &[u8]) -> Option<u64> {
    let text = match note.windows(2).position(|w| w == b"\n\n") {
        Some(i) => &note[..=i],
        None => note,
    };
    Checkpoint::parse_text(text).ok().map(|c| c.size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::checkpoint::checkpoint_path;
    use crate::segment::keys::{generate, parse_signer};
    use crate::store::DirStore;

    fn note(signer: &Signer, size: u64) -> Vec<u8> {
        Checkpoint {
            origin: "resume.test".into(),
            size,
            hash: crate::segment::Hash32::ZERO,
            time: "2026-01-01T00:00:00Z".into(),
        }
        .sign(signer)
    }

    #[test]
    fn a_lagging_latest_is_brought_up_to_the_newest_checkpoint_of_this_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::new(dir.path());
        let ours = parse_signer(&generate("ours").unwrap().private).unwrap();
        let theirs = parse_signer(&generate("theirs").unwrap().private).unwrap();
        assert!(!complete_interrupted_checkpoint(&store, &ours).unwrap());

        store.put(&checkpoint_path(1), &note(&ours, 1)).unwrap();
        store.put(LATEST_PATH, &note(&ours, 1)).unwrap();
        assert!(!complete_interrupted_checkpoint(&store, &ours).unwrap());

        // Killed between the numbered checkpoint and its copy.
        store.put(&checkpoint_path(2), &note(&ours, 2)).unwrap();
        assert!(complete_interrupted_checkpoint(&store, &ours).unwrap());
        assert_eq!(store.get(LATEST_PATH).unwrap().unwrap(), note(&ours, 2));

        // A newer checkpoint someone else signed is not made current.
        store.put(&checkpoint_path(3), &note(&theirs, 3)).unwrap();
        assert!(!complete_interrupted_checkpoint(&store, &ours).unwrap());
        assert_eq!(store.get(LATEST_PATH).unwrap().unwrap(), note(&ours, 2));
    }
}
