//! Splitting a store URL (`http://`, `https://`, `s3://`) into the parts the stores need, with
//! the userinfo kept apart so it never reaches a location, a pin or a message.

/// The parts of `scheme://[userinfo@]authority[/path][?query][#fragment]`.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct StoreUrl {
    /// Lower-cased scheme.
    pub scheme: String,
    /// `user[:password]`, still percent-encoded, when the URL had one.
    pub userinfo: Option<String>,
    /// `host[:port]`.
    pub authority: String,
    /// The path without leading or trailing slashes and without empty segments (`a/b`).
    pub path: String,
    /// `?query` and/or `#fragment` as written (may be empty).
    pub suffix: String,
}

impl StoreUrl {
    /// The URL as shown to people: no userinfo, no query, no trailing slash.
    pub fn display(&self) -> String {
        if self.path.is_empty() {
            format!("{}://{}", self.scheme, self.authority)
        } else {
            format!("{}://{}/{}", self.scheme, self.authority, self.path)
        }
    }
}

/// Splits `spec`; `None` when it is not `scheme://…`.
pub(super) fn split(spec: &str) -> Option<StoreUrl> {
    let (scheme, rest) = spec.split_once("://")?;
    let mut chars = scheme.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let (userinfo, rest) = match userinfo_end(rest) {
        Some(at) => (Some(rest[..at].to_string()), &rest[at + 1..]),
        None => (None, rest),
    };
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(auth_end);
    let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
    let (path, suffix) = rest.split_at(path_end);
    let path = path
        .split('/')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    Some(StoreUrl {
        scheme: scheme.to_ascii_lowercase(),
        userinfo,
        authority: authority.to_string(),
        path,
        suffix: suffix.to_string(),
    })
}

/// Where the userinfo ends (the index of its `@`) in `rest`, what follows `scheme://`: the last
/// `@` before the first `/`, `?` or `#`. A password with an unencoded `/` (AWS secrets have
/// them) would end that early and show the rest of the secret as a path, so when the text
/// before the first `/` reads `user:password` rather than `host:port` (or `[IPv6]:port`), the
/// userinfo runs to the last `@` before the query or fragment instead.
pub(super) fn userinfo_end(rest: &str) -> Option<usize> {
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..auth_end];
    if let Some(at) = auth.rfind('@') {
        return Some(at);
    }
    let (_, after_colon) = auth.split_once(':')?;
    if auth.starts_with('[') || after_colon.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    rest[..end].rfind('@')
}

/// Decodes `%XX` escapes (userinfo is percent-encoded in URLs); bad escapes stay as written.
pub(super) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_userinfo_path_and_suffix() {
        let u = split("HTTPS://al:pw%40x@example.com:8443//logs/store/?sig=1#f").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.userinfo.as_deref(), Some("al:pw%40x"));
        assert_eq!(u.authority, "example.com:8443");
        assert_eq!(u.path, "logs/store");
        assert_eq!(u.suffix, "?sig=1#f");
        assert_eq!(u.display(), "https://example.com:8443/logs/store");
        assert_eq!(percent_decode("pw%40x%zz"), "pw@x%zz");

        let u = split("s3://bucket").unwrap();
        assert_eq!((u.authority.as_str(), u.path.as_str()), ("bucket", ""));
        assert_eq!(u.display(), "s3://bucket");
        assert!(split("/plain/path").is_none());

        // A secret with an unencoded `/` stays in the userinfo, never in the path.
        let u = split("s3://AKIAX:wJal/rXU+tn@bucket/pre").unwrap();
        assert_eq!(u.userinfo.as_deref(), Some("AKIAX:wJal/rXU+tn"));
        assert_eq!(u.display(), "s3://bucket/pre");
        let u = split("http://u:p/w@h:8080/x?t=1").unwrap();
        assert_eq!(u.userinfo.as_deref(), Some("u:p/w"));
        assert_eq!(u.display(), "http://h:8080/x");
        // `@` in a path after host:port (or a plain host) is a path.
        for spec in [
            "https://cdn.example.com:8443/logs/a@b",
            "http://h/p@q",
            "http://[::1]:80/a@b",
        ] {
            assert_eq!(split(spec).unwrap().userinfo, None, "{spec}");
        }
        assert!(
            split("./odd://dir").is_none(),
            "a relative path, not a scheme"
        );
    }
}
