//! [`fetch_jaeger`]: one trace from a Jaeger-compatible query API over HTTP (Jaeger itself,
//! Grafana Tempo's Jaeger endpoint).
//!
//! Blocking (`reqwest::blocking`): **never call it from inside a tokio runtime** (an `async fn`
//! or a runtime worker) — reqwest panics there; async code goes through
//! `tokio::task::spawn_blocking`. Timeouts and a body cap keep a slow or hostile server from
//! hanging the caller or exhausting memory; messages name the URL without its credentials.

use std::io::Read;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};

use super::error::{TraceError, chain};
use super::ids::normalize_trace_id;
use super::jaeger::{parse_jaeger, server_messages_of};
use super::model::Trace;
use crate::store::redact;

/// Time to establish a connection (an unreachable host fails in seconds, not minutes).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time for the whole request including the body.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest answer read: a trace of a few hundred thousand spans fits; a hostile endless body
/// does not exhaust memory.
pub const MAX_ANSWER_BYTES: u64 = 256 << 20;
/// Largest error body read for its message (errors are short).
const MAX_ERROR_BYTES: u64 = 64 << 10;
/// Longest piece of a non-JSON error body quoted in a message.
const MAX_QUOTED_BODY: usize = 200;

/// `GET {base_url}/api/traces/{id}`: the trace, `Ok(None)` when the server answers 404 or
/// with no data. The id is normalised first ([`normalize_trace_id`]; an invalid one is
/// [`TraceError::TraceId`]), so nothing but 32 hex digits goes into the URL. Errors (connection,
/// timeout, other statuses, an `errors` answer, a body over [`MAX_ANSWER_BYTES`], a malformed
/// answer) name the URL.
///
/// Blocking: do not call it from inside a tokio runtime (reqwest's blocking client panics
/// there); use `spawn_blocking`.
pub fn fetch_jaeger(base_url: &str, trace_id: &str) -> Result<Option<Trace>, TraceError> {
    let id =
        normalize_trace_id(trace_id).ok_or_else(|| TraceError::TraceId(trace_id.to_string()))?;
    let base = base_url.trim().trim_end_matches('/');
    let url = format!("{base}/api/traces/{id}");
    let shown = redact(&url);
    let http_error = |detail: String| TraceError::Http {
        url: shown.clone(),
        detail: redact(&detail),
    };
    let scheme_ok = ["http://", "https://"].iter().any(|s| {
        base.get(..s.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(s))
    });
    if !scheme_ok {
        return Err(http_error(
            "not an http:// or https:// URL (give the query service's base URL)".into(),
        ));
    }
    let Some(body) = get(&url).map_err(http_error)? else {
        return Ok(None);
    };
    let traces = parse_jaeger(&body, &shown)?;
    if traces.is_empty() {
        return Ok(None);
    }
    let answered: Vec<String> = traces.iter().map(|t| t.trace_id.clone()).collect();
    traces
        .into_iter()
        .find(|t| t.trace_id == id)
        .map(Some)
        .ok_or_else(|| TraceError::Jaeger {
            origin: shown.clone(),
            detail: format!(
                "asked for trace {id}, the server answered with {}",
                answered.join(", ")
            ),
        })
}

/// The body of a successful answer, `None` for 404; an error message otherwise.
fn get(url: &str) -> Result<Option<Vec<u8>>, String> {
    let client = Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot make an HTTP client: {}", chain(&e)))?;
    let mut response = client
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .map_err(|e| chain(&e.without_url()))?;
    let status = response.status();
    if status == StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !status.is_success() {
        let body = read_capped(&mut response, MAX_ERROR_BYTES).unwrap_or_default();
        return Err(format!("HTTP {status}{}", error_reason(&body)));
    }
    if let Some(len) = response.content_length() {
        if len > MAX_ANSWER_BYTES {
            return Err(too_large());
        }
    }
    let body = read_capped(&mut response, MAX_ANSWER_BYTES)
        .map_err(|e| format!("reading the answer: {e}"))?;
    if body.len() as u64 > MAX_ANSWER_BYTES {
        return Err(too_large());
    }
    Ok(Some(body))
}

/// Up to `max + 1` bytes of the body (one more than allowed tells the caller it is too long).
fn read_capped(response: &mut Response, max: u64) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    response
        .take(max + 1)
        .read_to_end(&mut body)
        .map_err(|e| chain(&e))?;
    Ok(body)
}

fn too_large() -> String {
    format!("the answer is larger than {} MiB", MAX_ANSWER_BYTES >> 20)
}

/// `: <server's message>` from an error body: Jaeger's `errors` messages, else the start of
/// the body as text ("" when empty).
fn error_reason(body: &[u8]) -> String {
    if let Some(m) = server_messages_of(body) {
        return format!(": {m}");
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    match text.char_indices().nth(MAX_QUOTED_BODY) {
        Some((cut, _)) => format!(": {}…", &text[..cut]),
        None => format!(": {text}"),
    }
}
