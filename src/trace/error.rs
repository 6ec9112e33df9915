//! [`TraceError`]: what can go wrong loading traces, always naming where (file and line, URL)
//! and what (the field and its value).

use crate::store::StoreError;

/// Longest input value quoted in a message: ids and times come from untrusted files, and a
/// multi-megabyte "traceId" must not become a multi-megabyte error message.
const MAX_QUOTED_CHARS: usize = 80;

/// Errors from parsing or fetching traces.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// A line of an OTLP JSON input is wrong: not JSON, or a span with a bad id, time or enum.
    #[error("{origin} line {line}: {detail}")]
    Otlp {
        /// The file (or store path) the line came from.
        origin: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong, with the location inside the request (`span 2 of scope spans 0 of
        /// resource spans 1: ...`).
        detail: String,
    },
    /// A Jaeger query API answer is wrong (not JSON, a span with a bad id or time).
    #[error("{origin}: {detail}")]
    Jaeger {
        /// The URL or file the answer came from.
        origin: String,
        /// What is wrong, naming the trace and span.
        detail: String,
    },
    /// The Jaeger server answered with an `errors` array and no trace.
    #[error("{url}: the server reported an error: {message}")]
    Server {
        /// The URL asked (credentials removed).
        url: String,
        /// The server's messages, joined.
        message: String,
    },
    /// The HTTP request failed: connection, timeout, an unexpected status, an oversized body.
    #[error("{url}: {detail}")]
    Http {
        /// The URL asked (credentials removed).
        url: String,
        /// What failed, with the underlying causes.
        detail: String,
    },
    /// A local file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The store could not list or read its `traces/` files.
    #[error("{detail}")]
    Store {
        /// The store-relative path (`traces` or `traces/NAME`).
        path: String,
        /// The store's error with its causes, starting with the path.
        detail: String,
    },
    /// A trace id given by the user is not one.
    #[error(
        "{} is not a trace id (want 1 to 32 hex digits, not all zero, or a W3C traceparent)",
        quote(.0)
    )]
    TraceId(String),
}

impl TraceError {
    /// A store error on `path`, flattened with its causes (a [`StoreError::Io`] shows only its
    /// path by itself).
    pub(crate) fn store(path: &str, err: &StoreError) -> TraceError {
        let text = chain(err);
        let detail = if text.starts_with(path) {
            text
        } else {
            format!("{path}: {text}")
        };
        TraceError::Store {
            path: path.to_string(),
            detail,
        }
    }
}

/// `err` and its causes joined with `: `, skipping a cause already quoted by its parent.
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

/// `s` as a Rust string literal (escapes control characters), cut after
/// [`MAX_QUOTED_CHARS`] characters.
pub(crate) fn quote(s: &str) -> String {
    match s.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((cut, _)) => format!("{:?}… ({} bytes)", &s[..cut], s.len()),
        None => format!("{s:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_cuts_long_values() {
        assert_eq!(quote("ab\"c"), "\"ab\\\"c\"");
        let long = "x".repeat(1000);
        let q = quote(&long);
        assert!(q.len() < 120, "{q}");
        assert!(q.ends_with("(1000 bytes)"), "{q}");
    }

    #[test]
    fn store_error_keeps_its_cause() {
        let err = StoreError::Io {
            path: "traces".into(),
            source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied"),
        };
        let e = TraceError::store("traces", &err);
        assert_eq!(e.to_string(), "traces: denied");
        let e = TraceError::store("traces/a.json", &StoreError::Unusable("gone".into()));
        assert_eq!(e.to_string(), "traces/a.json: gone");
    }
}
