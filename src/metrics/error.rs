//! What can go wrong while getting metric series. Every message starts with where the data came
//! from (a store file, or the Prometheus URL and query), never with credentials: URLs are shown
//! through [`crate::store::redact`].

/// Errors from parsing, querying or loading metric series.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// The bytes are not JSON at all.
    #[error("{origin}: line {line}, column {column}: not valid JSON: {detail}")]
    Syntax {
        /// The file, or the Prometheus URL and query.
        origin: String,
        /// 1-based line of the fault.
        line: usize,
        /// 1-based column of the fault.
        column: usize,
        /// The parser's description.
        detail: String,
    },
    /// The JSON is not a `query_range` answer: `path` names the value at fault
    /// (`data.result[0].values[17][1]`).
    #[error("{origin}: {path}: {detail}")]
    Shape {
        /// The file, or the Prometheus URL and query.
        origin: String,
        /// JSON path of the value at fault.
        path: String,
        /// What is wrong with it.
        detail: String,
    },
    /// The answer reports a failed query (`"status": "error"`).
    #[error("{origin}: Prometheus reported an error ({error_type}): {message}")]
    Reported {
        /// The file, or the Prometheus URL and query.
        origin: String,
        /// Prometheus' `errorType` (`bad_data`, `execution`, `timeout`…).
        error_type: String,
        /// Prometheus' `error` text.
        message: String,
    },
    /// A `LABEL=PROMQL` argument that cannot be used.
    #[error(
        "{input:?}: {detail} (expected LABEL=PROMQL, e.g. \"error rate=sum(rate(http_requests_total{{code=~\\\"5..\\\"}}[5m]))\")"
    )]
    BadQuery {
        /// The argument as given.
        input: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A Prometheus base URL that cannot be used.
    #[error("{url}: {detail}")]
    BadUrl {
        /// The URL, credentials removed.
        url: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A query whose time range ends before it starts.
    #[error("{origin}: the time range ends before it starts ({start} > {end})")]
    BadRange {
        /// The Prometheus URL and query.
        origin: String,
        /// Requested start (RFC 3339).
        start: String,
        /// Requested end (RFC 3339).
        end: String,
    },
    /// The request did not get an answer: connection refused, timeout, reset.
    #[error("{origin}: {detail}")]
    Request {
        /// The Prometheus URL and query.
        origin: String,
        /// What failed, credentials removed.
        detail: String,
    },
    /// Prometheus answered with an HTTP error status.
    #[error("{origin}: HTTP {status}: {message}")]
    Status {
        /// The Prometheus URL and query.
        origin: String,
        /// The status code and reason (`400 Bad Request`).
        status: String,
        /// Prometheus' `error` text, or the start of the body when it is not Prometheus JSON.
        message: String,
    },
    /// The answer or file exceeds [`super::MAX_RESPONSE_BYTES`].
    #[error("{origin}: larger than {limit} bytes; narrow the query or the time range")]
    TooLarge {
        /// The file, or the Prometheus URL and query.
        origin: String,
        /// The limit that was hit.
        limit: u64,
    },
    /// The store could not be read.
    #[error("{path}: {detail}")]
    Store {
        /// Store-relative path (`metrics`, `metrics/cpu.json`).
        path: String,
        /// The store's error, with its causes.
        detail: String,
    },
}

/// `err` and its causes joined by `": "` (each cause once).
pub(crate) fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let part = c.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = c.source();
    }
    text
}
