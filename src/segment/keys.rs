//! Ed25519 signing keys in the C2SP signed-note encodings.
//!
//! A private key file holds `PRIVATE+KEY+NAME+KEYID+BASE64` and a public (verifier) key
//! `NAME+KEYID+BASE64`, exactly as Go's `golang.org/x/mod/sumdb/note` and the `signed_note`
//! crate write them, so keys interoperate with other transparency-log tooling.

use base64::Engine as _;
use rand_core::{CryptoRngCore, OsRng};
use signed_note::{StandardSigner, StandardVerifier};

/// A signing key and its matching verifier key string.
#[derive(Clone)]
pub struct KeyPair {
    /// The private key string (`PRIVATE+KEY+…`).
    pub private: String,
    /// The verifier key string (`NAME+KEYID+BASE64`).
    pub public: String,
}

/// Errors reading or using keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key name is not a valid note key name.
    #[error("invalid key name {0:?}: must be non-empty, without spaces or '+'")]
    BadName(String),
    /// The private key text is malformed.
    #[error("malformed private key: {0}")]
    BadPrivate(String),
    /// The verifier key text is malformed.
    #[error("malformed public key {0:?}: {1}")]
    BadPublic(String, String),
}

/// Generates a fresh key pair from the OS random source.
pub fn generate(name: &str) -> Result<KeyPair, KeyError> {
    generate_with(&mut OsRng, name)
}

/// Generates a key pair from the given random source (the demo uses a seeded one so that the
/// demo store is identical on every run).
pub fn generate_with<R: CryptoRngCore>(rng: &mut R, name: &str) -> Result<KeyPair, KeyError> {
    if !signed_note::is_key_name_valid(name) {
        return Err(KeyError::BadName(name.to_string()));
    }
    let (private, public) = signed_note::generate_key(rng, name);
    Ok(KeyPair { private, public })
}

/// A loaded signing key.
#[derive(Clone)]
pub struct Signer {
    /// The signer used to sign notes.
    pub signer: StandardSigner,
    /// The matching verifier key string, published as `checkpoints/signer.pub`.
    pub public: String,
}

/// Parses a private key string (surrounding whitespace ignored).
pub fn parse_signer(text: &str) -> Result<Signer, KeyError> {
    let text = text.trim();
    let signer = StandardSigner::new(text).map_err(|e| KeyError::BadPrivate(e.to_string()))?;
    let parts: Vec<&str> = text.splitn(5, '+').collect();
    let [_, _, name, _, b64] = parts[..] else {
        return Err(KeyError::BadPrivate(
            "expected PRIVATE+KEY+NAME+ID+KEY".into(),
        ));
    };
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| KeyError::BadPrivate(e.to_string()))?;
    let seed: [u8; 32] = raw
        .get(1..)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| KeyError::BadPrivate("not an Ed25519 key".into()))?;
    let sk = ed25519_dalek::SigningKey::from_bytes(&seed);
    let public = signed_note::new_ed25519_verifier_key(name, &sk.verifying_key());
    Ok(Signer { signer, public })
}

/// A loaded verifier key.
#[derive(Clone)]
pub struct Verifier {
    /// The verifier used to check notes.
    pub verifier: StandardVerifier,
    /// The key string it came from.
    pub text: String,
}

impl Verifier {
    /// `NAME+KEYID`, the short form shown to users.
    pub fn short(&self) -> String {
        short_key(&self.text)
    }
}

/// `NAME+KEYID` of a verifier key string.
pub fn short_key(text: &str) -> String {
    let mut parts = text.splitn(3, '+');
    match (parts.next(), parts.next()) {
        (Some(n), Some(id)) => format!("{n}+{id}"),
        _ => text.to_string(),
    }
}

/// Parses a verifier key string (surrounding whitespace ignored).
pub fn parse_verifier(text: &str) -> Result<Verifier, KeyError> {
    let text = text.trim();
    let verifier = StandardVerifier::new(text)
        .map_err(|e| KeyError::BadPublic(short_key(text), e.to_string()))?;
    Ok(Verifier {
        verifier,
        text: text.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_load_and_match() {
        let kp = generate("ops.example").unwrap();
        assert!(kp.private.starts_with("PRIVATE+KEY+ops.example+"));
        let s = parse_signer(&kp.private).unwrap();
        assert_eq!(s.public, kp.public);
        let v = parse_verifier(&format!("  {}\n", kp.public)).unwrap();
        assert_eq!(v.text, kp.public);
        assert!(v.short().starts_with("ops.example+"));
    }

    #[test]
    fn bad_names_and_keys_are_refused() {
        assert!(matches!(generate("has space"), Err(KeyError::BadName(_))));
        assert!(matches!(generate("a+b"), Err(KeyError::BadName(_))));
        assert!(parse_signer("PRIVATE+KEY+x+00000000+AAAA").is_err());
        assert!(parse_verifier("x+00000000+AAAA").is_err());
    }
}
