//! Removing secrets from text before anyone sees it.
//!
//! Remote stores build their error messages from `object_store` errors, which quote request URLs
//! and server answers. Every such message passes through [`redact`] on its way into a
//! [`StoreError`](super::StoreError), so neither the terminal, a log nor a report can show the
//! AWS credentials in the environment, a `user:password@` in a URL, or a request signature.

/// Environment variables whose values are secrets when they appear in a message.
const SECRET_VARS: [&str; 3] = [
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ACCESS_KEY_ID",
];

/// A secret shorter than this is not searched for: replacing every `a` or `1` in a message would
/// destroy it without protecting anything (real keys are 16 characters and more).
const MIN_SECRET_LEN: usize = 6;

/// Query and header parameters whose values are signatures or credentials (matched without
/// regard to case; `Signature=` also catches `X-Amz-Signature=`).
const SECRET_PARAMS: [&str; 3] = ["signature=", "credential=", "security-token="];

/// What a removed secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// `text` with secrets removed: the values of `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` and
/// `AWS_ACCESS_KEY_ID` from the environment (plain or percent-encoded), the userinfo of every
/// URL (`scheme://user:pass@host` becomes `scheme://host`), and the values of `Signature=`,
/// `X-Amz-Signature=`, `Credential=` and `X-Amz-Security-Token=` parameters.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for var in SECRET_VARS {
        if let Ok(value) = std::env::var(var) {
            out = redact_value(&out, &value);
        }
    }
    let out = strip_userinfo(&out);
    redact_params(&out)
}

/// `text` with every occurrence of `secret` (and of its percent-encoded form) replaced.
pub fn redact_value(text: &str, secret: &str) -> String {
    let secret = secret.trim();
    if secret.len() < MIN_SECRET_LEN {
        return text.to_string();
    }
    let mut out = text.replace(secret, REDACTED);
    let encoded = percent_encode(secret);
    if encoded != secret {
        out = out.replace(&encoded, REDACTED);
    }
    out
}

/// [`redact`], then every one of `extra` (a store's own secrets: a URL password, a token)
/// replaced as by [`redact_value`].
pub fn redact_with(text: &str, extra: &[String]) -> String {
    extra
        .iter()
        .fold(redact(text), |t, secret| redact_value(&t, secret))
}

/// Removes `user[:password]@` after every `://` (URLs) in `text`, where the store URL parser
/// would find it (a password with an unencoded `/` included).
pub fn strip_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        // The URL ends where the surrounding text begins; its host and path are copied on the
        // next turn (they may hold another URL).
        let end = tail
            .find(|c: char| matches!(c, '"' | '\'' | '<' | '>' | '`') || c.is_whitespace())
            .unwrap_or(tail.len());
        rest = match super::url::userinfo_end(&tail[..end]) {
            Some(at) => &tail[at + 1..],
            None => tail,
        };
    }
    out.push_str(rest);
    out
}

/// Replaces the value after each of [`SECRET_PARAMS`] (up to `&`, `,`, `;`, a quote or space).
fn redact_params(text: &str) -> String {
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` apply to `text`.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    loop {
        let next = SECRET_PARAMS
            .iter()
            .filter_map(|p| lower[pos..].find(p).map(|i| (pos + i, p.len())))
            .min_by_key(|&(i, _)| i);
        let Some((at, len)) = next else {
            break;
        };
        let value_start = at + len;
        let value_end = text[value_start..]
            .find(|c: char| {
                matches!(c, '&' | ',' | ';' | '"' | '\'' | '<' | '>' | '#') || c.is_whitespace()
            })
            .map_or(text.len(), |i| value_start + i);
        out.push_str(&text[pos..value_start]);
        if value_end > value_start {
            out.push_str(REDACTED);
        }
        pos = value_end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Percent-encodes everything but RFC 3986 unreserved characters (how a secret appears in a
/// query string).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_stripped_from_every_url() {
        assert_eq!(
            strip_userinfo("GET http://alice:s3cret@example.com:8080/a?b and https://bob@h/x"),
            "GET http://example.com:8080/a?b and https://h/x"
        );
        assert_eq!(strip_userinfo("no url here"), "no url here");
        assert_eq!(
            strip_userinfo("http://h/p@q"),
            "http://h/p@q",
            "@ in a path stays"
        );
        assert_eq!(
            strip_userinfo("(url: \"http://u:p@h\")"),
            "(url: \"http://h\")"
        );
        assert_eq!(
            strip_userinfo("bad s3://AKIAX:wJal/rXU+tn@bucket/pre here"),
            "bad s3://bucket/pre here",
            "a password with an unencoded /"
        );
        assert_eq!(
            strip_userinfo("http://h/r?next=http://u:p@i/x"),
            "http://h/r?next=http://i/x",
            "a URL inside a URL"
        );
    }

    #[test]
    fn signatures_and_credentials_are_replaced() {
        let s = "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F2024&X-Amz-Signature=abcdef0123&x=1";
        assert_eq!(
            redact_params(s),
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&x=1"
        );
        let h = "AWS4-HMAC-SHA256 Credential=AKIAX/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ff00";
        assert_eq!(
            redact_params(h),
            "AWS4-HMAC-SHA256 Credential=[REDACTED], SignedHeaders=host, Signature=[REDACTED]"
        );
        assert_eq!(
            redact_params("?x-amz-security-token=tok%2Bx"),
            "?x-amz-security-token=[REDACTED]"
        );
    }

    #[test]
    fn secret_values_are_replaced_plain_and_encoded() {
        let secret = "sEcReT/do+not=print";
        let text = format!("a {secret} b sEcReT%2Fdo%2Bnot%3Dprint c");
        assert_eq!(redact_value(&text, secret), "a [REDACTED] b [REDACTED] c");
        assert_eq!(
            redact_value("abc abc", "abc"),
            "abc abc",
            "too short to matter"
        );
    }
}
