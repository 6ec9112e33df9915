//! [`RemoteStore`]: an `object_store` backend (HTTP or S3) behind the synchronous [`Store`]
//! trait.
//!
//! Each store owns a small tokio runtime and runs every request to completion on it with
//! `block_on`, so the verifier and the writer stay synchronous. Requests made from several
//! threads at once (the verifier's rayon workers, pull's parallel fetches) run concurrently on
//! that runtime.
//!
//! **Callers must not use a `RemoteStore` from inside a tokio runtime** (an `async fn` or a
//! runtime worker): `block_on` panics there. Async code calls it through
//! `tokio::task::spawn_blocking`.
//!
//! Faults are retried a few times quickly by `object_store` itself (see [`retry_config`]); what
//! still fails becomes [`StoreError::Remote`] with credentials redacted, and pull's own retry
//! layer decides whether to try again.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use futures::StreamExt;
use object_store::path::Path;
use object_store::{
    BackoffConfig, ClientOptions, GetOptions, ObjectStore, ObjectStoreExt, PutMode, PutOptions,
    PutPayload, RetryConfig,
};

use super::redact::redact_with;
use super::{MAX_OBJECT_BYTES, Store, StoreError};

/// Retries of one request inside `object_store` before the fault reaches the caller. Few and
/// quick: pull retries the whole object again on top of this.
const MAX_RETRIES: usize = 3;
/// First pause between retries; doubles up to [`MAX_BACKOFF`].
const INIT_BACKOFF: Duration = Duration::from_millis(100);
/// Longest pause between retries.
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// No retry starts after this long since the first attempt.
const RETRY_TIMEOUT: Duration = Duration::from_secs(20);
/// Time to establish a connection (an unreachable host fails in seconds, not minutes).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time for a whole request including its body (segments are a few MB at most).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest error detail kept: a server's error body is quoted in the message, and a hostile
/// one could be huge.
const MAX_DETAIL_BYTES: usize = 600;
/// Where `object_store` asks for instance credentials when the environment has none.
const INSTANCE_METADATA_HOST: &str = "169.254.169.254";
/// Runtime workers: they only drive sockets; the callers' threads do the waiting.
const RUNTIME_WORKERS: usize = 2;

/// How `object_store` retries failed requests for every remote store.
pub(super) fn retry_config() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: INIT_BACKOFF,
            max_backoff: MAX_BACKOFF,
            base: 2.0,
        },
        max_retries: MAX_RETRIES,
        retry_timeout: RETRY_TIMEOUT,
    }
}

/// Connection settings for HTTP stores (plain `http://` allowed: the URL's scheme is the user's
/// explicit choice, and loopback servers in tests speak it).
pub(super) fn http_client_options() -> ClientOptions {
    ClientOptions::new()
        .with_allow_http(true)
        .with_connect_timeout(CONNECT_TIMEOUT)
        .with_timeout(REQUEST_TIMEOUT)
}

/// The connect and request timeouts as `object_store` configuration values, for builders that
/// take their client options from the environment (S3).
pub(super) fn timeout_values() -> (String, String) {
    (
        format!("{}s", CONNECT_TIMEOUT.as_secs()),
        format!("{}s", REQUEST_TIMEOUT.as_secs()),
    )
}

/// Which protocol a [`RemoteStore`] speaks; decides how it lists and whether it writes.
pub(super) enum Kind {
    /// A static HTTP(S) server: read-only, listing by probing (see `http.rs`).
    Http,
    /// An S3 bucket (or compatible server) under a prefix (see `s3.rs`).
    S3 {
        /// Cleared once the server said it does not implement conditional puts, so later
        /// `put_new`s go straight to the HEAD-then-PUT fallback.
        conditional_put: AtomicBool,
    },
}

/// A store on an HTTP server or in an S3 bucket, reached through `object_store`.
pub struct RemoteStore {
    inner: Arc<dyn ObjectStore>,
    base: Path,
    location: String,
    pub(super) kind: Kind,
    secrets: Vec<String>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl RemoteStore {
    /// Wraps `inner`, whose objects live under `base`. `location` is shown to people and keys
    /// pinned heads, so it must hold no credentials; `secrets` (URL passwords, tokens) are
    /// removed from every error message on top of what [`redact`] removes.
    pub(super) fn new(
        inner: Arc<dyn ObjectStore>,
        base: Path,
        location: String,
        kind: Kind,
        secrets: Vec<String>,
    ) -> Result<RemoteStore, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(RUNTIME_WORKERS)
            .thread_name("trailscope-remote")
            .enable_all()
            .build()
            .map_err(|e| {
                StoreError::Unusable(format!("{location}: cannot start the network runtime: {e}"))
            })?;
        Ok(RemoteStore {
            inner,
            base,
            location,
            kind,
            secrets,
            runtime: Some(runtime),
        })
    }

    /// Runs `fut` to completion on the store's runtime, on the calling thread.
    pub(super) fn block_on<F: Future>(&self, fut: F) -> F::Output {
        assert!(
            tokio::runtime::Handle::try_current().is_err(),
            "RemoteStore used from inside a tokio runtime; call it through spawn_blocking"
        );
        self.runtime
            .as_ref()
            .expect("the runtime lives until drop")
            .handle()
            .block_on(fut)
    }

    /// The `object_store` client.
    pub(super) fn inner(&self) -> &dyn ObjectStore {
        self.inner.as_ref()
    }

    /// The object path of store-relative `rel` (`segments/…`, `checkpoints/…`).
    pub(super) fn object(&self, rel: &str) -> Path {
        rel.split('/')
            .filter(|p| !p.is_empty())
            .fold(self.base.clone(), |p, part| p.join(part))
    }

    /// A [`StoreError::Remote`] for `rel` describing `e` (with its causes), secrets removed.
    pub(super) fn remote_error(&self, rel: &str, e: &object_store::Error) -> StoreError {
        // Redact before shortening, so no cut can leave part of a secret behind.
        let mut detail = self.redacted(&describe(e));
        if matches!(self.kind, Kind::S3 { .. }) && detail.contains(INSTANCE_METADATA_HOST) {
            // No credentials anywhere, so object_store asked the EC2 metadata service: say so.
            detail.insert_str(
                0,
                "no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): ",
            );
        }
        if detail.len() > MAX_DETAIL_BYTES {
            let mut end = MAX_DETAIL_BYTES;
            while !detail.is_char_boundary(end) {
                end -= 1;
            }
            detail.truncate(end);
            detail.push('…');
        }
        StoreError::Remote {
            path: rel.to_string(),
            detail,
        }
    }

    /// `text` without the environment's credentials, URL userinfo, signatures, and this store's
    /// own secrets.
    pub(super) fn redacted(&self, text: &str) -> String {
        redact_with(text, &self.secrets)
    }

    /// The bytes of `rel`, `None` when the server says it does not exist.
    pub(super) async fn fetch(&self, rel: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let res = match self
            .inner
            .get_opts(&self.object(rel), GetOptions::default())
            .await
        {
            Ok(r) => r,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(self.remote_error(rel, &e)),
        };
        // Refuse before reading: a hostile server must not make us allocate without bound.
        let size = res.meta.size;
        if size > MAX_OBJECT_BYTES {
            return Err(StoreError::Unusable(format!(
                "{rel} is {size} bytes, more than the {MAX_OBJECT_BYTES} a store object may have"
            )));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        let mut body = res.into_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| self.remote_error(rel, &e))?;
            if (bytes.len() + chunk.len()) as u64 > size {
                return Err(StoreError::Remote {
                    path: rel.to_string(),
                    detail: format!("the body is longer than the announced {size} bytes"),
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.len() as u64 != size {
            return Err(StoreError::Remote {
                path: rel.to_string(),
                detail: format!(
                    "the body ended after {} of the announced {size} bytes",
                    bytes.len()
                ),
            });
        }
        Ok(Some(bytes))
    }

    /// Whether `rel` exists (a HEAD request).
    pub(super) async fn exists(&self, rel: &str) -> Result<bool, StoreError> {
        match self.inner.head(&self.object(rel)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.remote_error(rel, &e)),
        }
    }

    /// Writes `rel` with `mode` (a single PUT, atomic on S3).
    pub(super) async fn upload(
        &self,
        rel: &str,
        bytes: &[u8],
        mode: PutMode,
    ) -> Result<(), object_store::Error> {
        let payload = PutPayload::from(bytes.to_vec());
        self.inner
            .put_opts(&self.object(rel), payload, PutOptions::from(mode))
            .await
            .map(|_| ())
    }

    /// The error every write to a read-only store gets.
    fn read_only(&self) -> StoreError {
        StoreError::Unusable(format!(
            "{}: HTTP stores are read-only; seal to a directory or S3",
            self.location
        ))
    }
}

impl Drop for RemoteStore {
    fn drop(&mut self) {
        // Dropping a runtime blocks until its tasks end, which panics inside another runtime;
        // nothing of ours is left running, so let it go in the background.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Store for RemoteStore {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn is_store(&self) -> Result<bool, StoreError> {
        match self.kind {
            Kind::Http => self.block_on(super::http::is_store(self)),
            Kind::S3 { .. } => self.block_on(super::s3::is_store(self)),
        }
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, StoreError> {
        match self.kind {
            Kind::Http => self.block_on(super::http::list(self, dir)),
            Kind::S3 { .. } => self.block_on(super::s3::list(self, dir)),
        }
    }

    fn get(&self, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.block_on(self.fetch(path))
    }

    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), StoreError> {
        match self.kind {
            Kind::Http => Err(self.read_only()),
            Kind::S3 { .. } => self
                .block_on(self.upload(path, bytes, PutMode::Overwrite))
                .map_err(|e| self.remote_error(path, &e)),
        }
    }

    fn put_new(&self, path: &str, bytes: &[u8]) -> Result<(), StoreError> {
        match &self.kind {
            Kind::Http => Err(self.read_only()),
            Kind::S3 { conditional_put } => {
                self.block_on(super::s3::put_new(self, conditional_put, path, bytes))
            }
        }
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        match self.kind {
            Kind::Http => Err(self.read_only()),
            Kind::S3 { .. } => Ok(()),
        }
    }
}

/// An `object_store` error with the messages of its causes that its own text leaves out (the
/// HTTP client keeps "connection refused" and the like in `source()`).
fn describe(e: &object_store::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let s = c.to_string();
        if !s.is_empty() && !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    condense_xml_error(&text)
}

/// Replaces an S3 XML error body quoted in `text` by its `Code: Message`.
fn condense_xml_error(text: &str) -> String {
    let Some(start) = text.find("<?xml").or_else(|| text.find("<Error>")) else {
        return text.to_string();
    };
    let end = text[start..]
        .find("</Error>")
        .map_or(text.len(), |i| start + i + "</Error>".len());
    let body = &text[start..end];
    let field = |tag: &str| {
        let open = format!("<{tag}>");
        let from = body.find(&open)? + open.len();
        let to = from + body[from..].find(&format!("</{tag}>"))?;
        Some(&body[from..to])
    };
    let summary = match (field("Code"), field("Message")) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => return text.to_string(),
    };
    format!("{}{summary}{}", &text[..start], &text[end..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;

    fn memory_store() -> RemoteStore {
        let kind = Kind::S3 {
            conditional_put: AtomicBool::new(true),
        };
        let base = Path::parse("pre/fix").unwrap();
        RemoteStore::new(
            Arc::new(InMemory::new()),
            base,
            "mem://test".into(),
            kind,
            vec!["hunter2".into()],
        )
        .unwrap()
    }

    #[test]
    fn get_put_put_new_and_list_under_the_prefix() {
        let s = memory_store();
        assert!(!s.is_store().unwrap());
        assert_eq!(s.get("segments/a.seg").unwrap(), None);
        s.put_new("segments/a.seg", b"one").unwrap();
        assert!(matches!(
            s.put_new("segments/a.seg", b"two"),
            Err(StoreError::Exists(p)) if p == "segments/a.seg"
        ));
        s.put("checkpoints/latest.note", b"x").unwrap();
        s.put("checkpoints/latest.note", b"y").unwrap();
        assert!(s.is_store().unwrap());
        assert_eq!(
            s.get("segments/a.seg").unwrap().as_deref(),
            Some(&b"one"[..])
        );
        assert_eq!(
            s.get("checkpoints/latest.note").unwrap().as_deref(),
            Some(&b"y"[..])
        );
        assert_eq!(s.list("segments").unwrap(), ["a.seg"]);
        assert_eq!(s.list("checkpoints").unwrap(), ["latest.note"]);
        assert_eq!(s.list("nothing").unwrap(), Vec::<String>::new());
        let raw = s
            .block_on(
                s.inner()
                    .head(&Path::parse("pre/fix/segments/a.seg").unwrap()),
            )
            .unwrap();
        assert_eq!(raw.size, 3, "objects live under the prefix");
    }

    #[test]
    fn many_threads_fetch_at_once() {
        let s = memory_store();
        for i in 0..32 {
            s.put(&format!("segments/{i}.seg"), i.to_string().as_bytes())
                .unwrap();
        }
        std::thread::scope(|scope| {
            for t in 0..8 {
                let s = &s;
                scope.spawn(move || {
                    for i in 0..32 {
                        let i = (i + t * 5) % 32;
                        let got = s.get(&format!("segments/{i}.seg")).unwrap().unwrap();
                        assert_eq!(got, i.to_string().as_bytes());
                    }
                });
            }
        });
    }

    #[test]
    #[should_panic(expected = "call it through spawn_blocking")]
    fn use_inside_a_runtime_is_refused_with_advice() {
        let s = memory_store();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async { s.get("segments/a.seg") }).ok();
    }

    #[test]
    fn dropping_inside_a_runtime_does_not_panic() {
        let s = memory_store();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async move { drop(s) });
    }

    #[test]
    fn error_details_are_condensed_redacted_and_bounded() {
        let s = memory_store();
        let e = object_store::Error::Generic {
            store: "S3",
            source: "GET http://u:hunter2@h/b?X-Amz-Signature=abc - 404: <?xml version=\"1.0\"?>\n<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error> (after 3 retries)".into(),
        };
        let StoreError::Remote { path, detail } = s.remote_error("segments", &e) else {
            panic!("not Remote");
        };
        assert_eq!(path, "segments");
        assert_eq!(
            detail,
            "Generic S3 error: GET http://h/b?X-Amz-Signature=[REDACTED] - 404: NoSuchBucket: gone (after 3 retries)"
        );
        let long = object_store::Error::Generic {
            store: "S3",
            source: "hunter2 ".repeat(500).into(),
        };
        let StoreError::Remote { detail, .. } = s.remote_error("x", &long) else {
            panic!("not Remote");
        };
        assert!(!detail.contains("hunter2"));
        assert!(
            detail.len() <= MAX_DETAIL_BYTES + '…'.len_utf8(),
            "{}",
            detail.len()
        );
    }
}
