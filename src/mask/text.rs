//! Secret-looking values and e-mail addresses inside one string.
//!
//! Each detector is a small scanner over the string's bytes that reports byte ranges; the
//! ranges are merged and each becomes one [`MASK`](super::MASK). Every detector anchors on
//! something a credential has and an identifier has not (a known prefix, a scheme word, a key
//! naming a secret, the `eyJ` of a JSON header, the `-----BEGIN` of a PEM block), so trace ids,
//! hashes, UUIDs and ARNs pass through. Long random-looking strings are NOT guessed at: an
//! entropy test cannot tell a leaked key from a hash or a request id.
//!
//! Ranges always start and end next to an ASCII byte (or at the string's ends), so they are
//! valid char boundaries whatever else the string contains.

use std::ops::Range;

use super::keys::{is_ambiguous_word, is_secret_key, normal};

/// Prefixes of vendor tokens that say what they are (GitHub, GitLab, Slack, Stripe); at least
/// [`MIN_PREFIXED_TAIL`] token characters must follow.
const TOKEN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxa-",
    "xoxb-",
    "xoxp-",
    "xoxr-",
    "xoxs-",
    "sk_live_",
    "rk_live_",
];

/// Characters after a vendor prefix before it counts as a token (`ghp_` alone in prose does
/// not).
const MIN_PREFIXED_TAIL: usize = 16;

/// Shortest credential after `Bearer`/`Basic` (shorter ones are words: "Bearer token").
const MIN_SCHEME_TOKEN: usize = 8;

/// Length from which an all-letter credential after `Bearer`/`Basic` is masked anyway.
const LONG_SCHEME_TOKEN: usize = 20;

/// `s` with every secret-looking value (and, when `emails`, every e-mail address) replaced by
/// `mask`, and how many were replaced; `None` when nothing was.
pub(crate) fn mask_str(s: &str, emails: bool, mask: &str) -> Option<(String, usize)> {
    let ranges = find(s, emails);
    if ranges.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for r in &ranges {
        out.push_str(&s[at..r.start]);
        out.push_str(mask);
        at = r.end;
    }
    out.push_str(&s[at..]);
    Some((out, ranges.len()))
}

/// The merged, sorted ranges to mask in `s`.
pub(crate) fn find(s: &str, emails: bool) -> Vec<Range<usize>> {
    let b = s.as_bytes();
    let mut found = Vec::new();
    pem_blocks(s, &mut found);
    jwts(b, &mut found);
    aws_key_ids(b, &mut found);
    scheme_tokens(b, &mut found);
    prefixed_tokens(s, &mut found);
    key_values(s, &mut found);
    if emails {
        email_addresses(b, &mut found);
    }
    merge(found)
}

fn merge(mut v: Vec<Range<usize>>) -> Vec<Range<usize>> {
    v.retain(|r| r.start < r.end);
    v.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// Base64url, the alphabet of JWT parts and most opaque tokens.
fn is_b64url(c: u8) -> bool {
    is_alnum(c) || c == b'-' || c == b'_'
}

/// RFC 7235 token68 (what follows `Bearer `).
fn is_token68(c: u8) -> bool {
    is_alnum(c) || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}

/// End of the run of bytes from `from` satisfying `f`.
fn run(b: &[u8], from: usize, f: impl Fn(u8) -> bool) -> usize {
    let mut i = from;
    while i < b.len() && f(b[i]) {
        i += 1;
    }
    i
}

/// Start positions of `needle` in `s`.
fn positions<'a>(s: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    s.match_indices(needle).map(|(i, _)| i)
}

/// `-----BEGIN … PRIVATE KEY-----` through its `-----END …-----` line (or the end of the
/// string when the block was cut off).
fn pem_blocks(s: &str, out: &mut Vec<Range<usize>>) {
    for start in positions(s, "-----BEGIN ") {
        let rest = &s[start + 11..];
        let Some(close) = rest.find("-----") else {
            continue;
        };
        let label = &rest[..close];
        if !label.ends_with("PRIVATE KEY")
            || !label.bytes().all(|c| c.is_ascii_uppercase() || c == b' ')
        {
            continue;
        }
        let body_from = start + 11 + close + 5;
        let end = s[body_from..]
            .find("-----END ")
            .and_then(|e| {
                let after = body_from + e + 9;
                s[after..].find("-----").map(|c| after + c + 5)
            })
            .unwrap_or(s.len());
        out.push(start..end);
    }
}

/// JSON Web Tokens: `eyJ…` (a base64url JSON header), `.`, payload, `.`, signature (possibly
/// empty for unsigned tokens).
fn jwts(b: &[u8], out: &mut Vec<Range<usize>>) {
    let mut i = 0;
    while i + 3 <= b.len() {
        if &b[i..i + 3] != b"eyJ" || (i > 0 && is_b64url(b[i - 1])) {
            i += 1;
            continue;
        }
        let h_end = run(b, i, is_b64url);
        if h_end - i >= 10 && b.get(h_end) == Some(&b'.') {
            let p_end = run(b, h_end + 1, is_b64url);
            if p_end - (h_end + 1) >= 4 && b.get(p_end) == Some(&b'.') {
                let s_end = run(b, p_end + 1, is_b64url);
                out.push(i..s_end);
                i = s_end;
                continue;
            }
        }
        i = h_end.max(i + 1);
    }
}

/// AWS access key ids of long-term (`AKIA`) and temporary (`ASIA`) keys: the prefix and 16
/// upper-case letters or digits, standing alone. Ids of users and roles (`AIDA…`, `AROA…`)
/// name principals and stay visible.
fn aws_key_ids(b: &[u8], out: &mut Vec<Range<usize>>) {
    if b.len() < 20 {
        return;
    }
    for i in 0..=b.len() - 20 {
        let p = &b[i..i + 4];
        if (p != b"AKIA" && p != b"ASIA") || (i > 0 && is_alnum(b[i - 1])) {
            continue;
        }
        let tail = &b[i + 4..i + 20];
        let alone = b.get(i + 20).is_none_or(|&c| !is_alnum(c));
        if alone
            && tail
                .iter()
                .all(|&c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            out.push(i..i + 20);
        }
    }
}

/// The credential after `Bearer` or `Basic` (the scheme stays visible). It must look like one:
/// at least [`MIN_SCHEME_TOKEN`] characters, and a digit or symbol, a capital after the first
/// letter, or [`LONG_SCHEME_TOKEN`] characters, so "Bearer authentication" stays prose.
fn scheme_tokens(b: &[u8], out: &mut Vec<Range<usize>>) {
    for scheme in [&b"bearer"[..], &b"basic"[..]] {
        let n = scheme.len();
        if b.len() <= n {
            continue;
        }
        for i in 0..b.len() - n {
            if !b[i..i + n].eq_ignore_ascii_case(scheme)
                || (i > 0 && is_alnum(b[i - 1]))
                || !matches!(b[i + n], b' ' | b'\t')
            {
                continue;
            }
            let from = run(b, i + n, |c| c == b' ' || c == b'\t');
            let mut end = run(b, from, is_token68);
            let letters_end = end;
            end = run(b, end, |c| c == b'=');
            let tok = &b[from..letters_end];
            let looks_secret = tok.len() >= MIN_SCHEME_TOKEN
                && (tok.iter().any(|&c| !c.is_ascii_alphabetic())
                    || end > letters_end
                    || tok[1..].iter().any(u8::is_ascii_uppercase)
                    || tok.len() >= LONG_SCHEME_TOKEN);
            if looks_secret {
                out.push(from..end);
            }
        }
    }
}

/// Vendor tokens with a self-describing prefix ([`TOKEN_PREFIXES`]).
fn prefixed_tokens(s: &str, out: &mut Vec<Range<usize>>) {
    let b = s.as_bytes();
    for prefix in TOKEN_PREFIXES {
        for i in positions(s, prefix) {
            if i > 0 && is_b64url(b[i - 1]) {
                continue;
            }
            let end = run(b, i + prefix.len(), is_b64url);
            if end - (i + prefix.len()) >= MIN_PREFIXED_TAIL {
                out.push(i..end);
            }
        }
    }
}

/// Characters of a key in `key=value` text (`access_token`, `X-Api-Key`, `db.password`).
fn is_key_char(c: u8) -> bool {
    is_alnum(c) || matches!(c, b'_' | b'-' | b'.')
}

/// `KEY=VALUE`, `KEY: VALUE` and `"KEY":"VALUE"` where KEY names a secret (query strings,
/// logged headers, JSON or YAML inside a message). A plain word (`token`, `secret`) before an
/// unquoted colon is prose ("invalid token: expired") and is skipped.
fn key_values(s: &str, out: &mut Vec<Range<usize>>) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !is_key_char(b[i]) || (i > 0 && is_key_char(b[i - 1])) {
            i += 1;
            continue;
        }
        let key_end = run(b, i, is_key_char);
        let key = &s[i..key_end];
        i = key_end;
        if key.len() < 5 || !is_secret_key(key) {
            continue;
        }
        let open_quote = (i - key.len())
            .checked_sub(1)
            .map(|q| b[q])
            .filter(|&q| q == b'"' || q == b'\'');
        let mut k = key_end;
        let quoted = open_quote.is_some() && b.get(k).copied() == open_quote;
        if quoted {
            k += 1;
        }
        k = run(b, k, |c| c == b' ' || c == b'\t');
        let colon = match b.get(k) {
            Some(b'=') => false,
            Some(b':') => true,
            _ => continue,
        };
        if colon && !quoted && is_ambiguous_word(key) {
            continue;
        }
        k = run(b, k + 1, |c| c == b' ' || c == b'\t');
        if let Some(r) = value_range(s, k, &normal(key)) {
            out.push(r);
        }
    }
}

/// The value starting at `from` after a secret key in normal form `key`.
fn value_range(s: &str, from: usize, key: &str) -> Option<Range<usize>> {
    let b = s.as_bytes();
    let first = *b.get(from)?;
    if first == b'"' || first == b'\'' {
        let mut j = from + 1;
        while j < b.len() && !(b[j] == first && b[j - 1] != b'\\') {
            j += 1;
        }
        return (j > from + 1).then_some(from + 1..j);
    }
    if key.ends_with("cookie") {
        // `Cookie: a=1; b=2`: every pair, to the end of the line.
        let end = run(b, from, |c| !matches!(c, b'\n' | b'\r' | b'"' | b'\''));
        return (end > from).then_some(from..end);
    }
    let stop = |c: u8| {
        c.is_ascii_whitespace()
            || matches!(
                c,
                b',' | b';' | b'&' | b'"' | b'\'' | b'}' | b')' | b']' | b'<' | b'>'
            )
    };
    let mut start = from;
    if key.ends_with("authorization") {
        // `Authorization: Token abc…`: the scheme stays visible, the credential goes.
        let word = run(b, from, |c| c.is_ascii_alphabetic());
        if word > from && b.get(word) == Some(&b' ') {
            start = run(b, word, |c| c == b' ');
        }
    }
    let end = run(b, start, |c| !stop(c));
    (end > start).then_some(start..end)
}

/// Characters of an e-mail address's local part (the common unquoted subset).
fn is_local_char(c: u8) -> bool {
    is_alnum(c) || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// `local@domain.tld` with a dotted domain whose last label is letters only (so `user@host`,
/// `image@sha256:…` and `root@10.0.0.1` are not addresses).
fn email_addresses(b: &[u8], out: &mut Vec<Range<usize>>) {
    for at in memchr::memchr_iter(b'@', b) {
        let mut l = at;
        while l > 0 && is_local_char(b[l - 1]) {
            l -= 1;
        }
        while l < at && b[l] == b'.' {
            l += 1;
        }
        let mut r = run(b, at + 1, |c| is_alnum(c) || c == b'.' || c == b'-');
        while r > at + 1 && matches!(b[r - 1], b'.' | b'-') {
            r -= 1;
        }
        if l == at || r == at + 1 {
            continue;
        }
        let domain = &b[at + 1..r];
        let labels: Vec<&[u8]> = domain.split(|&c| c == b'.').collect();
        let tld = labels[labels.len() - 1];
        if labels.len() >= 2
            && labels.iter().all(|l| !l.is_empty())
            && tld.len() >= 2
            && tld.iter().all(u8::is_ascii_alphabetic)
        {
            out.push(l..r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: &str = "«redacted»";

    fn masked(s: &str) -> String {
        mask_str(s, true, M).map_or_else(|| s.to_string(), |(t, _)| t)
    }

    fn count(s: &str) -> usize {
        mask_str(s, true, M).map_or(0, |(_, n)| n)
    }

    #[track_caller]
    fn untouched(s: &str) {
        assert_eq!(
            find(s, true),
            Vec::<Range<usize>>::new(),
            "{s:?} was masked"
        );
    }

    #[test]
    fn aws_access_key_ids() {
        assert_eq!(
            masked("key AKIAIOSFODNN7EXAMPLE leaked"),
            format!("key {M} leaked")
        );
        assert_eq!(masked("ASIA882F47D550167681"), M);
        assert_eq!(masked("id=AKIAIOSFODNN7EXAMPLE,"), format!("id={M},"));
        // Too short, too long, lower case, glued to other letters: not a key id.
        untouched("AKIAIOSFODNN7EXAMPL");
        untouched("AKIAIOSFODNN7EXAMPLEX");
        untouched("akiaiosfodnn7example");
        untouched("XAKIAIOSFODNN7EXAMPLE");
        // Role and user ids name principals.
        untouched("AROA58A9D0C11F5D8A923:session");
        untouched("AIDAJQABLZS4A3QDU576Q");
    }

    #[test]
    fn jwts() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(masked(jwt), M);
        assert_eq!(
            masked(&format!("token {jwt} expired")),
            format!("token {M} expired")
        );
        // Unsigned (alg none) tokens end with a dot.
        assert_eq!(masked("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."), M);
        untouched("eyJhbGciOiJIUzI1NiJ9");
        untouched("eyJ.short.x");
    }

    #[test]
    fn bearer_and_basic_credentials_keep_their_scheme() {
        assert_eq!(
            masked("Authorization: Bearer abcdef0123456789"),
            format!("Authorization: Bearer {M}")
        );
        assert_eq!(masked("bearer   x.y-z_0123"), format!("bearer   {M}"));
        assert_eq!(masked("Basic dXNlcjpwYXNz"), format!("Basic {M}"));
        assert_eq!(masked("Basic dXNlcjpwYXNzd29yZA=="), format!("Basic {M}"));
        untouched("uses Bearer authentication");
        untouched("Bearer token");
        untouched("basic plan");
        untouched("a basic misunderstanding");
    }

    #[test]
    fn pem_private_keys() {
        let pem =
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----";
        assert_eq!(
            masked(&format!("key:\n{pem}\nend")),
            format!("key:\n{M}\nend")
        );
        assert_eq!(
            masked("x -----BEGIN PRIVATE KEY-----\nMIIEvQ (cut"),
            format!("x {M}")
        );
        // Public material is not a secret.
        untouched("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----");
        untouched("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----");
    }

    #[test]
    fn vendor_tokens() {
        assert_eq!(masked("ghp_abcdefghijklmnopqrstuvwxyz0123456789"), M);
        assert_eq!(masked("t=xoxb-1234567890-abcdefghij"), format!("t={M}"));
        untouched("ghp_short");
        untouched("the ghp_ prefix");
    }

    #[test]
    fn secret_keys_in_text() {
        assert_eq!(
            masked("login failed password=hunter2 user=bob"),
            format!("login failed password={M} user=bob")
        );
        assert_eq!(
            masked("GET /cb?code=1&access_token=abc123&state=x"),
            format!("GET /cb?code=1&access_token={M}&state=x")
        );
        assert_eq!(
            masked(r#"{"user":"bob","password":"hunter 2"}"#),
            format!(r#"{{"user":"bob","password":"{M}"}}"#)
        );
        assert_eq!(masked("X-Api-Key: k-123"), format!("X-Api-Key: {M}"));
        assert_eq!(masked("db_password: s3cret"), format!("db_password: {M}"));
        assert_eq!(
            masked("Cookie: session=abc; theme=dark\nnext"),
            format!("Cookie: {M}\nnext")
        );
        assert_eq!(
            masked("Authorization: Token abc123"),
            format!("Authorization: Token {M}")
        );
        assert_eq!(masked("token=abc"), format!("token={M}"));
        assert_eq!(masked(r#""token": "abc""#), format!(r#""token": "{M}""#));
        // Prose and descriptions of secrets.
        untouched("invalid token: signature mismatch");
        untouched("secret: not found");
        untouched("passwordLastUsed=2026-01-01");
        untouched("token_type=Bearer");
        untouched("input_tokens=512");
        untouched("password=");
    }

    #[test]
    fn email_addresses() {
        assert_eq!(
            masked("User \"alice@example.com\" cannot list"),
            format!("User \"{M}\" cannot list")
        );
        assert_eq!(masked("mail a.b+c@mx.example.co.uk."), format!("mail {M}."));
        assert_eq!(count("a@example.com, b@example.org"), 2);
        untouched("root@localhost");
        untouched("root@10.0.0.1");
        untouched("nginx@sha256:0123abcd");
        untouched("@example.com");
        untouched("user@");
        // Without e-mail masking, addresses stay.
        assert_eq!(find("alice@example.com", false), Vec::<Range<usize>>::new());
    }

    #[test]
    fn identifiers_are_left_alone() {
        untouched("4bf92f3577b34da6a3ce929d0e0e4736"); // trace id
        untouched("00f067aa0ba902b7"); // span id
        untouched("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"); // traceparent
        untouched("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); // sha256
        untouched("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        untouched("f47ac10b-58cc-4372-a567-0e02b2c3d479"); // UUID
        untouched("arn:aws:iam::111122223333:role/eks-node-role");
        untouched("arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf");
        untouched("arn:aws:sts::111122223333:assumed-role/Admin/i-0a1b2c3d4e5f60718");
        untouched("i-0a1b2c3d4e5f60718");
        untouched("/api/v1/namespaces/prod/secrets/db-creds");
        untouched("system:serviceaccount:monitoring:prometheus");
        untouched("RBAC: allowed by ClusterRoleBinding \"system:node\"");
        untouched("dial tcp 10.0.3.54:8080: connect: connection refused");
        untouched("aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5");
        untouched("QmFzZTY0IGJ1dCBub3QgYSBzZWNyZXQ=");
        untouched("");
        untouched("héllo wörld ✓");
    }

    #[test]
    fn overlapping_finds_count_once_and_unicode_survives() {
        // The bearer rule and the Authorization key rule find the same credential.
        assert_eq!(count("Authorization: Bearer abcdef0123456789"), 1);
        assert_eq!(
            masked("ünïcode password=pässwört ok"),
            format!("ünïcode password={M} ok")
        );
    }
}
