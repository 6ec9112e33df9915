//! Redaction: fields and values masked in the console and in exports unless revealed.
//!
//! A [`Masker`] is built once from the config's `redact` list and applied to each original
//! record ([`Masker::mask_record`]) or free string ([`Masker::mask_text`]) before it is shown or
//! exported; the record itself (and the index, and the segment) is never changed, so revealing
//! is simply not masking. Three things are masked:
//!
//! 1. **Configured fields**: dot paths (`request.body`, `responseElements.credentials`), `*`
//!    standing for any one key, matched wherever the keys appear in a row, at any depth. An
//!    empty list means [`DEFAULT_FIELDS`]: the request and response bodies of Kubernetes audit
//!    events, CloudTrail and generic HTTP logs.
//! 2. **Secrets, always**: values under keys naming a credential (`password`, `client_secret`,
//!    `X-Api-Key`, `Authorization`, `Cookie`, `sessionToken`, …) and, inside any string,
//!    values that look like one: `Bearer`/`Basic` credentials, JSON Web Tokens, AWS access key
//!    ids (`AKIA…`/`ASIA…`), PEM private keys, vendor tokens with a known prefix (`ghp_…`,
//!    `xoxb-…`) and `key=value` pairs whose key names a secret.
//! 3. **E-mail addresses in free text** (messages, reasons, bodies), but not under keys that
//!    name who acted (`user`, `username`, `userIdentity`, `principalId`, `actor`, `email`,
//!    `arn`, …): the actor is the first thing an investigation needs, and the canonical actor
//!    shown beside the record would give it away anyway.
//!
//! Identifiers are left alone: trace and span ids, hashes, UUIDs, ARNs, AWS principal ids
//! (`AROA…`) and request ids. Long random-looking strings are not guessed at, and keys are
//! never masked (only values).
//!
//! A masked string, number or boolean becomes [`MASK`]; a masked object or array becomes
//! `"«redacted: N bytes»"` with N its compact JSON size, so the reader knows how much is hidden.
//! `null` and `""` hide nothing and stay; so do masks (masking is idempotent).

mod fields;
mod keys;
mod text;

use serde_json::Value;

pub use fields::DEFAULT_FIELDS;
use fields::{FieldPath, Partial};

/// What replaces a masked value.
pub const MASK: &str = "«redacted»";

/// Masks configured fields and secret-looking values.
#[derive(Clone, Debug, Default)]
pub struct Masker {
    /// The configured paths, parsed; empty means [`DEFAULT_FIELDS`] (also for
    /// `Masker::default()`).
    fields: Vec<FieldPath>,
}

impl Masker {
    /// A masker for the config's `redact` list (empty: the defaults). Paths without any key
    /// (`""`) are ignored.
    pub fn new(fields: &[String]) -> Masker {
        Masker {
            fields: fields.iter().filter_map(|f| FieldPath::parse(f)).collect(),
        }
    }

    /// `record` with masked values replaced, and how many were masked.
    pub fn mask_record(&self, record: &Value) -> (Value, usize) {
        let paths = if self.fields.is_empty() {
            &DEFAULT_PATHS
        } else {
            &self.fields
        };
        let mut out = record.clone();
        let mut count = 0;
        walk(paths, &mut out, &[], false, &mut count);
        (out, count)
    }

    /// Free text with secret-looking values and e-mail addresses masked.
    pub fn mask_text(&self, text: &str) -> String {
        self.mask_text_counted(text).0
    }

    /// Like [`Masker::mask_text`], with how many values were masked.
    pub fn mask_text_counted(&self, text: &str) -> (String, usize) {
        text::mask_str(text, true, MASK).unwrap_or_else(|| (text.to_string(), 0))
    }
}

/// [`DEFAULT_FIELDS`], parsed once.
static DEFAULT_PATHS: std::sync::LazyLock<Vec<FieldPath>> = std::sync::LazyLock::new(|| {
    DEFAULT_FIELDS
        .iter()
        .filter_map(|f| FieldPath::parse(f))
        .collect()
});

/// Masks inside `v`, reached through keys that left `active` partial path matches; `identity`
/// when an ancestor key names who acted.
fn walk(
    paths: &[FieldPath],
    v: &mut Value,
    active: &[(usize, usize)],
    identity: bool,
    n: &mut usize,
) {
    match v {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let (next, complete): (Partial, bool) = fields::step(paths, active, key);
                if complete || keys::is_secret_key(key) {
                    mask_whole(child, n);
                } else {
                    let id = identity || keys::is_identity_key(key);
                    walk(paths, child, &next, id, n);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(paths, item, active, identity, n);
            }
        }
        Value::String(s) => {
            if let Some((masked, k)) = text::mask_str(s, !identity, MASK) {
                *s = masked;
                *n += k;
            }
        }
        _ => {}
    }
}

/// Replaces a whole value (a masked field or a secret key's value).
fn mask_whole(v: &mut Value, n: &mut usize) {
    let replacement = match v {
        Value::Null => return,
        Value::String(s) if s.is_empty() || is_mask(s) => return,
        Value::Object(_) | Value::Array(_) => {
            let size = serde_json::to_string(v).map_or(0, |t| t.len());
            format!("«redacted: {size} bytes»")
        }
        _ => MASK.to_string(),
    };
    *v = Value::String(replacement);
    *n += 1;
}

/// Whether `s` is what masking wrote (so masking a masked record changes nothing).
fn is_mask(s: &str) -> bool {
    s == MASK || (s.starts_with("«redacted: ") && s.ends_with(" bytes»"))
}

#[cfg(test)]
mod tests;
