//! Stores served by a plain HTTP(S) server (a static file server, a CDN, a bucket's website):
//! read-only, and listed by probing because static servers cannot list.
//!
//! `list("segments")` reads `checkpoints/latest.note` only to learn how many segments to expect
//! (its signature is checked later by the verifier, like everything else a store says), names
//! segments `0..size`, then probes `size`, `size + 1`, … with HEAD requests up to the first 404:
//! those are the unsigned tail. A segment missing below `size` is therefore listed anyway; the
//! verifier reads it as empty and reports it at its seq. `list("checkpoints")` names only what
//! exists of `latest.note`, `signer.pub` and the numbered copy of the latest checkpoint.

use std::sync::Arc;

use base64::Engine;
use object_store::HeaderMap;
use object_store::HeaderValue;
use object_store::http::HttpBuilder;
use object_store::path::Path;

use super::StoreError;
use super::redact::redact_with;
use super::remote::{Kind, RemoteStore, http_client_options, retry_config};
use super::url::{percent_decode, split};
use crate::segment::checkpoint::{Checkpoint, LATEST_PATH, SIGNER_PUB_PATH, checkpoint_path};
use crate::segment::segment_path;

/// A checkpoint claiming more segments than this is not believed for listing: the store is
/// probed from segment 0 instead, so a hostile note cannot make us name billions of segments.
const MAX_LISTED_FROM_CHECKPOINT: u64 = 1_000_000;
/// Most segments probed beyond the checkpoint (the unsigned tail) before giving up on a server
/// that seems to answer for every name.
const MAX_TAIL_PROBES: u64 = 100_000;
/// HEAD requests in flight at once while probing the tail.
const PROBE_BATCH: u64 = 8;

/// Opens `spec` (`http://…` or `https://…`). A `user:password@` in the URL is sent as HTTP basic
/// authentication and appears nowhere else; a query string is kept on every request (it may
/// carry an access token) but left out of the location.
pub(super) fn open(spec: &str) -> Result<RemoteStore, StoreError> {
    let url = split(spec).ok_or_else(|| StoreError::Unusable("not an HTTP URL".into()))?;
    let location = url.display();
    if url.authority.is_empty() {
        return Err(StoreError::Unusable(format!(
            "{location}: the URL names no host"
        )));
    }
    let query = url.suffix.split('#').next().unwrap_or("");
    let mut secrets = Vec::new();
    if query.len() > 1 {
        secrets.push(query[1..].to_string());
    }
    let mut options = http_client_options();
    if let Some(userinfo) = &url.userinfo {
        secrets.push(userinfo.clone());
        let decoded = percent_decode(userinfo);
        if let Some((_, password)) = decoded.split_once(':') {
            secrets.push(password.to_string());
        }
        let token = base64::engine::general_purpose::STANDARD.encode(decoded.as_bytes());
        let mut value = HeaderValue::from_str(&format!("Basic {token}")).map_err(|_| {
            StoreError::Unusable(format!(
                "{location}: the URL's user name or password is not valid"
            ))
        })?;
        value.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert("authorization", value);
        options = options.with_default_headers(headers);
    }
    let store = HttpBuilder::new()
        .with_url(format!("{location}{query}"))
        .with_client_options(options)
        .with_retry(retry_config())
        .build()
        .map_err(|e| {
            StoreError::Unusable(format!(
                "{location}: {}",
                redact_with(&e.to_string(), &secrets)
            ))
        })?;
    RemoteStore::new(
        Arc::new(store),
        Path::default(),
        location,
        Kind::Http,
        secrets,
    )
}

/// Whether the server has `checkpoints/latest.note` or the first segment.
pub(super) async fn is_store(store: &RemoteStore) -> Result<bool, StoreError> {
    let first = segment_path(0);
    let (latest, first) = futures::join!(store.exists(LATEST_PATH), store.exists(&first));
    Ok(latest? || first?)
}

/// Names in `dir` (see the module docs for how they are found).
pub(super) async fn list(store: &RemoteStore, dir: &str) -> Result<Vec<String>, StoreError> {
    match dir {
        "segments" => list_segments(store).await,
        "checkpoints" => list_checkpoints(store).await,
        _ => Ok(Vec::new()),
    }
}

/// Whether `latest.note` exists, and the number of segments it claims (0 when it is missing,
/// unreadable, or claims more than [`MAX_LISTED_FROM_CHECKPOINT`]).
async fn latest_size(store: &RemoteStore) -> Result<(bool, u64), StoreError> {
    let Some(note) = store.fetch(LATEST_PATH).await? else {
        return Ok((false, 0));
    };
    // A note is its text, a blank line, then signature lines; the text ends with its last LF.
    let text = match note.windows(2).position(|w| w == b"\n\n") {
        Some(i) => &note[..=i],
        None => &note[..],
    };
    let size = Checkpoint::parse_text(text).map_or(0, |cp| cp.size);
    Ok((
        true,
        if size > MAX_LISTED_FROM_CHECKPOINT {
            0
        } else {
            size
        },
    ))
}

async fn list_segments(store: &RemoteStore) -> Result<Vec<String>, StoreError> {
    let (_, size) = latest_size(store).await?;
    let name = |seq: u64| format!("{seq:020}.seg");
    let mut names: Vec<String> = (0..size).map(name).collect();
    let mut next = size;
    loop {
        if next - size >= MAX_TAIL_PROBES {
            return Err(StoreError::Unusable(format!(
                "{}: the server answers for more than {MAX_TAIL_PROBES} segments beyond the checkpoint; not probing further",
                segment_path(next)
            )));
        }
        let batch: Vec<u64> = (next..next + PROBE_BATCH).collect();
        let paths: Vec<String> = batch.iter().map(|&s| segment_path(s)).collect();
        let found = futures::future::join_all(paths.iter().map(|p| store.exists(p))).await;
        for (seq, exists) in batch.into_iter().zip(found) {
            if !exists? {
                return Ok(names);
            }
            names.push(name(seq));
        }
        next += PROBE_BATCH;
    }
}

async fn list_checkpoints(store: &RemoteStore) -> Result<Vec<String>, StoreError> {
    let (latest, size) = latest_size(store).await?;
    let mut candidates = vec![SIGNER_PUB_PATH.to_string()];
    if size > 0 {
        candidates.push(checkpoint_path(size));
    }
    let found = futures::future::join_all(candidates.iter().map(|p| store.exists(p))).await;
    let mut names = Vec::new();
    if latest {
        names.push(LATEST_PATH.to_string());
    }
    for (path, exists) in candidates.into_iter().zip(found) {
        if exists? {
            names.push(path);
        }
    }
    let mut names: Vec<String> = names
        .into_iter()
        .map(|p| p.trim_start_matches("checkpoints/").to_string())
        .collect();
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;
    use crate::store::{MAX_OBJECT_BYTES, Store};

    /// A server on a loopback port answering every request with `head` then `body`.
    fn canned(head: String, body: &'static [u8]) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for mut conn in listener.incoming().flatten() {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf);
                let _ = conn.write_all(head.as_bytes());
                let _ = conn.write_all(body);
            }
        });
        url
    }

    #[test]
    fn an_object_announced_too_big_is_refused_before_its_body_is_read() {
        let size = MAX_OBJECT_BYTES + 1;
        let url = canned(
            format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"),
            b"abc",
        );
        let store = open(&url).unwrap();
        let err = store.get("segments/00000000000000000000.seg").unwrap_err();
        assert!(matches!(err, StoreError::Unusable(_)), "{err:?}");
        assert!(err.to_string().contains("more than the"), "{err}");
    }

    #[test]
    fn a_body_shorter_than_announced_is_a_transient_error_naming_the_object() {
        let url = canned(
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n".into(),
            b"abc",
        );
        let store = open(&url).unwrap();
        let err = store.get("checkpoints/latest.note").unwrap_err();
        assert!(err.is_transient(), "{err:?}");
        assert!(
            err.to_string().starts_with("checkpoints/latest.note: "),
            "{err}"
        );
    }

    #[test]
    fn writes_are_refused_and_locations_hold_no_credentials() {
        let store = open("https://reader:secret@example.com/logs/?token=t0k3n-value").unwrap();
        assert_eq!(store.location(), "https://example.com/logs");
        for err in [
            store.put("checkpoints/latest.note", b"x").unwrap_err(),
            store
                .put_new("segments/00000000000000000000.seg", b"x")
                .unwrap_err(),
            store.check_writable().unwrap_err(),
        ] {
            assert!(
                err.to_string()
                    .ends_with("HTTP stores are read-only; seal to a directory or S3"),
                "{err}"
            );
        }
        assert_eq!(
            store.redacted("GET https://example.com/logs/x?token=t0k3n-value"),
            "GET https://example.com/logs/x?[REDACTED]"
        );
    }
}
