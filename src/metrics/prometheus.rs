//! A client for a Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics):
//! one `GET {base}/api/v1/query_range` per query, answered by [`parse_query_range`].
//!
//! It is synchronous (`reqwest::blocking`): call it from a plain thread or `spawn_blocking`,
//! never from inside a tokio runtime (reqwest's blocking client panics there).

use std::io::Read;
use std::time::Duration;

use reqwest::Url;
use reqwest::blocking::{Client, Response};

use super::error::with_causes;
use super::{MetricsError, PromQuery, Series, parse_query_range};
use crate::event::time::{TimeNs, format_ns};
use crate::store::redact;

/// Prometheus refuses a range query that would give more points per series than this
/// (`exceeded maximum resolution of 11,000 points per timeseries`).
pub const MAX_POINTS: i64 = 11_000;
/// Largest answer read, so a wrong URL or a huge query cannot make us allocate without bound
/// (11,000 points of a few hundred series fit easily).
pub const MAX_RESPONSE_BYTES: u64 = 64 << 20;
/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take, answer included (Prometheus' own query timeout is 2 min,
/// but an investigation console should not hang that long).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How much of an error answer is quoted in a message.
const QUOTE_CHARS: usize = 300;

/// A Prometheus-compatible server. Blocking: never use it inside a tokio runtime (use a thread
/// or `spawn_blocking`).
#[derive(Debug, Clone)]
pub struct Prometheus {
    base: Url,
    shown: String,
    client: Client,
}

impl Prometheus {
    /// A client for the API at `base_url` (`http://host:9090`, or with a path prefix such as
    /// `https://host/prometheus`). Only `http` and `https` are accepted. Credentials in the URL
    /// (`https://user:pass@host`) are sent as HTTP basic auth and never shown in messages.
    /// Nothing is contacted yet.
    pub fn new(base_url: &str) -> Result<Prometheus, MetricsError> {
        let given = base_url.trim();
        let shown = redact(given.trim_end_matches('/'));
        let bad = |detail: String| MetricsError::BadUrl {
            url: shown.clone(),
            detail,
        };
        let base = Url::parse(given).map_err(|e| bad(format!("not a URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(bad(format!(
                "scheme {:?} is not supported (use http:// or https://)",
                base.scheme()
            )));
        }
        if base.host_str().is_none_or(str::is_empty) {
            return Err(bad("no host".to_string()));
        }
        let client = Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("trailscope/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| bad(format!("cannot make an HTTP client: {}", with_causes(&e))))?;
        Ok(Prometheus {
            base,
            shown,
            client,
        })
    }

    /// The base URL as given, without credentials or a trailing `/` (for messages and
    /// [`Series::source`]).
    pub fn base_url(&self) -> &str {
        &self.shown
    }

    /// Evaluates `q` at `start`, `start + step`, … up to `end` (`GET
    /// {base}/api/v1/query_range?query=…&start=…&end=…&step=…`). Times are sent as decimal
    /// seconds with millisecond precision (`start` rounded down, `end` up), the step in seconds
    /// with millisecond precision and at least 1 ms. When the range would give more than
    /// Prometheus' [`MAX_POINTS`] per series, the step is widened to fit (see [`query_step`]),
    /// so a long range comes back coarser instead of failing.
    ///
    /// The series are named after `q.label` (see [`parse_query_range`]) and their source is
    /// `prometheus BASE: PROMQL`, which also starts every error message. An HTTP error status
    /// quotes Prometheus' `error` text. Blocking: never call it inside a tokio runtime.
    pub fn query_range(
        &self,
        q: &PromQuery,
        start: TimeNs,
        end: TimeNs,
        step: i64,
    ) -> Result<Vec<Series>, MetricsError> {
        let origin = format!("prometheus {}: {}", self.shown, q.promql);
        if end < start {
            return Err(MetricsError::BadRange {
                origin,
                start: format_ns(start),
                end: format_ns(end),
            });
        }
        let (start_ms, end_ms) = (start.div_euclid(1_000_000), ceil_ms(end));
        let step_ms = step_ms(start_ms, end_ms, step);
        let mut url = self.base.clone();
        let path = format!("{}/api/v1/query_range", url.path().trim_end_matches('/'));
        url.set_path(&path);
        url.query_pairs_mut()
            .append_pair("query", &q.promql)
            .append_pair("start", &seconds(start_ms))
            .append_pair("end", &seconds(end_ms))
            .append_pair("step", &seconds(step_ms));
        let response = self
            .client
            .get(url)
            .send()
            .map_err(|e| MetricsError::Request {
                origin: origin.clone(),
                detail: describe(e),
            })?;
        let status = response.status();
        let body = read_capped(response, &origin)?;
        if !status.is_success() {
            return Err(MetricsError::Status {
                origin,
                status: status.to_string(),
                message: error_text(&body),
            });
        }
        parse_query_range(&body, &origin, &q.label)
    }
}

/// The step [`Prometheus::query_range`] really asks for, in nanoseconds: `step` rounded up to a
/// whole millisecond (at least 1 ms), widened when `[start, end]` would give more than
/// [`MAX_POINTS`] points per series.
pub fn query_step(start: TimeNs, end: TimeNs, step: i64) -> i64 {
    step_ms(start.div_euclid(1_000_000), ceil_ms(end), step).saturating_mul(1_000_000)
}

fn step_ms(start_ms: i64, end_ms: i64, step: i64) -> i64 {
    let step_ms = ceil_ms(step).max(1);
    let range_ms = end_ms.saturating_sub(start_ms).max(0);
    // Prometheus refuses when (end - start) / step > 11,000 (integer division), that is unless
    // step > range / 11,001: the smallest such whole millisecond.
    if range_ms / step_ms > MAX_POINTS {
        range_ms / (MAX_POINTS + 1) + 1
    } else {
        step_ms
    }
}

fn ceil_ms(ns: i64) -> i64 {
    ns.div_euclid(1_000_000) + i64::from(ns.rem_euclid(1_000_000) != 0)
}

/// Milliseconds as decimal seconds: `1700000000123` → `1700000000.123`.
fn seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let a = ms.unsigned_abs();
    format!("{sign}{}.{:03}", a / 1000, a % 1000)
}

/// A transport error's text with its causes, without the request URL or any credential.
fn describe(e: reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out: "
    } else if e.is_connect() {
        "cannot connect: "
    } else {
        ""
    };
    redact(&format!("{what}{}", with_causes(&e.without_url())))
}

/// The body, at most [`MAX_RESPONSE_BYTES`].
fn read_capped(response: Response, origin: &str) -> Result<Vec<u8>, MetricsError> {
    let mut body = Vec::new();
    response
        .take(MAX_RESPONSE_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|e| MetricsError::Request {
            origin: origin.to_string(),
            detail: redact(&format!("reading the answer: {}", with_causes(&e))),
        })?;
    if body.len() as u64 > MAX_RESPONSE_BYTES {
        return Err(MetricsError::TooLarge {
            origin: origin.to_string(),
            limit: MAX_RESPONSE_BYTES,
        });
    }
    Ok(body)
}

/// What an error answer says: Prometheus' `error` (and `errorType`), else the start of the body.
fn error_text(body: &[u8]) -> String {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |k: &str| json.as_ref()?.get(k)?.as_str().map(str::to_string);
    let text = match (field("error"), field("errorType")) {
        (Some(e), Some(t)) => format!("{e} ({t})"),
        (Some(e), None) => e,
        _ => String::from_utf8_lossy(body).trim().to_string(),
    };
    let text = if text.is_empty() {
        "(empty answer)".to_string()
    } else {
        text
    };
    redact(&truncate(&text, QUOTE_CHARS))
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    #[test]
    fn times_are_decimal_seconds_with_milliseconds() {
        assert_eq!(seconds(1_700_000_000_123), "1700000000.123");
        assert_eq!(seconds(15_000), "15.000");
        assert_eq!(seconds(1), "0.001");
        assert_eq!(seconds(-1_500), "-1.500");
    }

    #[test]
    fn the_step_is_whole_milliseconds_and_widened_to_the_point_limit() {
        let h = 3_600_000 * MS;
        assert_eq!(query_step(0, h, 15_000 * MS), 15_000 * MS);
        assert_eq!(query_step(0, 10 * MS, 1), MS, "at least 1 ms");
        assert_eq!(query_step(0, 10 * MS, -5), MS, "a negative step too");
        assert_eq!(query_step(0, 10 * MS, 1_500_001), 2 * MS, "rounded up");
        // 2 h at 10 ms would be 720,000 points: widened to 655 ms (7,200,000 / 655 = 10,992).
        assert_eq!(query_step(0, 2 * h, 10 * MS), 655 * MS);
        // Widened steps always fit, and are the smallest whole milliseconds that do.
        for range_ms in [11_001, 7_200_000, 86_400_000 + 7, 31_536_000_000] {
            let step = query_step(0, range_ms * MS, MS) / MS;
            assert!(range_ms / step <= MAX_POINTS, "{range_ms} ms / {step} ms");
            assert!(
                range_ms / (step - 1) > MAX_POINTS,
                "{range_ms} ms / {step} ms"
            );
        }
        // Exactly at the limit is allowed.
        assert_eq!(query_step(0, 11_000 * MS, MS), MS);
        assert_eq!(query_step(0, 11_001 * MS, MS), 2 * MS);
    }

    #[test]
    fn only_http_urls_and_never_their_credentials_in_messages() {
        let e = Prometheus::new("ftp://u:hunter22@host/")
            .unwrap_err()
            .to_string();
        assert!(e.contains("ftp") && e.contains("http://"), "{e}");
        assert!(!e.contains("hunter22"), "{e}");
        let e = Prometheus::new("not a url").unwrap_err().to_string();
        assert!(e.contains("not a URL"), "{e}");
        let p = Prometheus::new("https://u:hunter22@prom.example/sub/").unwrap();
        assert_eq!(p.base_url(), "https://prom.example/sub");
    }

    #[test]
    fn an_inverted_range_is_refused_without_a_request() {
        let p = Prometheus::new("http://127.0.0.1:1").unwrap();
        let q: PromQuery = "x=up".parse().unwrap();
        let e = p.query_range(&q, 10, 5, 1).unwrap_err().to_string();
        assert!(
            e.starts_with("prometheus http://127.0.0.1:1: up: the time range ends"),
            "{e}"
        );
    }

    #[test]
    fn error_answers_quote_the_prometheus_error_field() {
        let body = br#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end"}"#;
        assert_eq!(
            error_text(body),
            "1:5: parse error: unexpected end (bad_data)"
        );
        let long = "x".repeat(1000);
        let t = error_text(long.as_bytes());
        assert_eq!(t.chars().count(), QUOTE_CHARS + 1, "{t}");
        assert_eq!(error_text(b""), "(empty answer)");
    }
}
