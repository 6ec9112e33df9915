//! SHA-256 digests as they appear in segment headers and checkpoints.
//!
//! Every hash in the format is a plain SHA-256 so that a third party can recompute it with
//! coreutils (`sha256sum`) or OpenSSL; this module only wraps the 32 bytes with the hex and
//! base64 spellings the format uses.

use std::fmt;

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// A SHA-256 digest: a segment's chain hash, a body hash, or a Merkle node.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash32(pub [u8; 32]);

impl Hash32 {
    /// The all-zero value used as `prev` of segment 0.
    pub const ZERO: Hash32 = Hash32([0; 32]);

    /// Lower-case hex, as written in segment headers.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses exactly 64 lower-case hex digits (upper case is refused so that a header has one
    /// spelling only).
    pub fn from_hex(s: &str) -> Option<Hash32> {
        if s.len() != 64 || s.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(Hash32(out))
    }

    /// Standard base64 with padding, as written in checkpoint notes.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }

    /// Parses the standard base64 spelling of 32 bytes.
    pub fn from_base64(s: &str) -> Option<Hash32> {
        let v = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
        Some(Hash32(v.try_into().ok()?))
    }

    /// First 12 hex digits, for status lines and human output.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..6])
    }
}

impl fmt::Display for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash32({})", self.to_hex())
    }
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Hash32 {
    Hash32(Sha256::digest(bytes).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc_matches_fips_180_vector() {
        assert_eq!(
            sha256(b"abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hex_and_base64_round_trip() {
        let h = sha256(b"trailscope");
        assert_eq!(Hash32::from_hex(&h.to_hex()), Some(h));
        assert_eq!(Hash32::from_base64(&h.to_base64()), Some(h));
        assert_eq!(Hash32::from_hex(&h.to_hex().to_uppercase()), None);
        assert_eq!(Hash32::from_hex("00"), None);
    }
}
