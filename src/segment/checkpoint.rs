//! Signed checkpoints: C2SP signed notes whose text pins the chain head.
//!
//! Text (each line LF-terminated):
//! ```text
//! trailscope-checkpoint/v1
//! <origin>
//! <size: number of segments covered, decimal>
//! <chain hash of segment size-1, standard base64>
//! <time, RFC 3339 UTC>
//! ```
//! followed by a blank line and one or more `— NAME BASE64(KEYID ‖ SIG)` lines.

use signed_note::{Note, NoteError, Signature, VerifierList};

use super::hash::Hash32;
use super::keys::{Signer, Verifier};

/// First line of every checkpoint text.
pub const CHECKPOINT_FORMAT_V1: &str = "trailscope-checkpoint/v1";

/// The store-relative path of the checkpoint covering `size` segments.
pub fn checkpoint_path(size: u64) -> String {
    format!("checkpoints/{size:020}.note")
}

/// Path of the newest checkpoint's copy.
pub const LATEST_PATH: &str = "checkpoints/latest.note";

/// Path of the signer's verifier key, published for trust-on-first-use.
pub const SIGNER_PUB_PATH: &str = "checkpoints/signer.pub";

/// Parses `{size:020}.note` back into size.
pub fn parse_checkpoint_name(name: &str) -> Option<u64> {
    let d = name.strip_suffix(".note")?;
    if d.len() != 20 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    d.parse().ok()
}

/// The content of a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The store's origin.
    pub origin: String,
    /// Number of segments covered (segments `0..size`).
    pub size: u64,
    /// Chain hash of segment `size - 1`.
    pub hash: Hash32,
    /// When it was signed (RFC 3339).
    pub time: String,
}

impl Checkpoint {
    /// The note text.
    pub fn text(&self) -> String {
        format!(
            "{CHECKPOINT_FORMAT_V1}\n{}\n{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.hash.to_base64(),
            self.time
        )
    }

    /// Parses a note text strictly (exactly five lines, canonical numbers).
    pub fn parse_text(text: &[u8]) -> Result<Checkpoint, String> {
        let s = std::str::from_utf8(text).map_err(|_| "text is not UTF-8".to_string())?;
        let body = s.strip_suffix('\n').ok_or("text does not end with LF")?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [fmt, origin, size, hash, time] = lines[..] else {
            return Err(format!("expected 5 text lines, found {}", lines.len()));
        };
        if fmt != CHECKPOINT_FORMAT_V1 {
            return Err(format!("unknown checkpoint format line {fmt:?}"));
        }
        if origin.is_empty() {
            return Err("empty origin".into());
        }
        // The format's origin rule (as for segment headers): a control character here would
        // also make the text an invalid note, so it could never be signed again.
        if !super::header::valid_origin(origin) {
            return Err(format!(
                "origin {origin:?} is not 1-256 visible characters without spaces"
            ));
        }
        let n: u64 = size
            .parse()
            .map_err(|_| format!("size {size:?} is not a number"))?;
        if n == 0 || n.to_string() != size {
            return Err(format!("size {size:?} is not a canonical positive number"));
        }
        let hash = Hash32::from_base64(hash)
            .ok_or_else(|| format!("hash {hash:?} is not 32 bytes of base64"))?;
        crate::event::time::parse_rfc3339_ns(time)?;
        Ok(Checkpoint {
            origin: origin.to_string(),
            size: n,
            hash,
            time: time.to_string(),
        })
    }

    /// Signs the checkpoint and returns the note bytes.
    pub fn sign(&self, signer: &Signer) -> Vec<u8> {
        let mut note =
            Note::new(self.text().as_bytes(), &[]).expect("checkpoint text is a valid note");
        note.add_sigs(&[&signer.signer])
            .expect("signer name is valid");
        note.to_bytes()
    }
}

/// Why a checkpoint note was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// Not a well-formed note or checkpoint text.
    #[error("malformed checkpoint: {0}")]
    Malformed(String),
    /// No signature by the trusted key.
    #[error("not signed by the trusted key {trusted} (signed by: {found})")]
    UnknownSigner {
        /// The key that was expected.
        trusted: String,
        /// The signer names and key ids present.
        found: String,
    },
    /// A signature by the trusted key does not verify.
    #[error("signature by {0} does not verify")]
    BadSignature(String),
}

/// Names and key ids of the signature lines in a note, for messages.
pub fn note_signers(note: &[u8]) -> Vec<String> {
    let Ok(s) = std::str::from_utf8(note) else {
        return vec![];
    };
    let Some((_, sigs)) = s.rsplit_once("\n\n") else {
        return vec![];
    };
    sigs.lines()
        .filter_map(|l| Signature::from_bytes(l.as_bytes()).ok())
        .map(|s| format!("{}+{:08x}", s.name(), s.id()))
        .collect()
}

/// Checks a note's signature with `verifier` and parses its checkpoint text.
pub fn open(note: &[u8], verifier: &Verifier) -> Result<Checkpoint, CheckpointError> {
    let parsed = Note::from_bytes(note).map_err(|e| CheckpointError::Malformed(e.to_string()))?;
    let list = VerifierList::new(vec![Box::new(verifier.verifier.clone())]);
    match parsed.verify(&list) {
        Ok(_) => {}
        Err(NoteError::UnverifiedNote) => {
            let found = note_signers(note);
            return Err(CheckpointError::UnknownSigner {
                trusted: verifier.short(),
                found: if found.is_empty() {
                    "nobody".into()
                } else {
                    found.join(", ")
                },
            });
        }
        Err(NoteError::InvalidSignature { name, id }) => {
            return Err(CheckpointError::BadSignature(format!("{name}+{id:08x}")));
        }
        Err(e) => return Err(CheckpointError::Malformed(e.to_string())),
    }
    Checkpoint::parse_text(parsed.text()).map_err(CheckpointError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::hash::sha256;
    use crate::segment::keys::{generate, parse_signer, parse_verifier};

    fn cp() -> Checkpoint {
        Checkpoint {
            origin: "demo".into(),
            size: 3,
            hash: sha256(b"x"),
            time: "2026-11-25T20:00:00Z".into(),
        }
    }

    #[test]
    fn sign_open_round_trip_and_tamper() {
        let kp = generate("alice").unwrap();
        let signer = parse_signer(&kp.private).unwrap();
        let verifier = parse_verifier(&kp.public).unwrap();
        let note = cp().sign(&signer);
        assert_eq!(open(&note, &verifier).unwrap(), cp());
        let text = String::from_utf8(note.clone()).unwrap();
        assert!(text.starts_with("trailscope-checkpoint/v1\ndemo\n3\n"));
        assert!(text.contains("\n\n— alice "));

        // Altered text: signature no longer verifies.
        let forged = text.replacen("\n3\n", "\n4\n", 1);
        assert!(matches!(
            open(forged.as_bytes(), &verifier),
            Err(CheckpointError::BadSignature(_))
        ));

        // Signed by another key.
        let other = parse_signer(&generate("alice").unwrap().private).unwrap();
        let note2 = cp().sign(&other);
        assert!(matches!(
            open(&note2, &verifier),
            Err(CheckpointError::UnknownSigner { .. })
        ));

        // One flipped bit in the signature.
        let mut bad = note.clone();
        let n = bad.len();
        bad[n - 6] ^= 0x01;
        assert!(open(&bad, &verifier).is_err());
    }

    #[test]
    fn text_parsing_is_strict() {
        assert!(Checkpoint::parse_text(cp().text().as_bytes()).is_ok());
        for bad in [
            cp().text().replace("\n3\n", "\n03\n"),
            cp().text().replace("\n3\n", "\n0\n"),
            cp().text().replace("trailscope-checkpoint/v1", "other"),
            format!("{}extra\n", cp().text()),
            cp().text().replace("\ndemo\n", "\nde\u{1}mo\n"),
            cp().text().replace("\ndemo\n", "\nde mo\n"),
            cp().text().replace("\ndemo\n", "\nde\u{202E}mo\n"),
        ] {
            assert!(Checkpoint::parse_text(bad.as_bytes()).is_err(), "{bad:?}");
        }
    }
}
