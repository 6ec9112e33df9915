//! Stores in an S3 bucket (or an S3-compatible server) under a prefix: `s3://bucket/prefix`.
//!
//! Credentials, region and endpoint come from the environment as the AWS tools read them
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` or
//! `AWS_DEFAULT_REGION` (default `us-east-1`), `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP` for a plain
//! `http://` endpoint), never from the URL. A bucket with no objects under the prefix is simply
//! an empty store: `seal` creates a new one by writing its first segment.
//!
//! Every PUT is atomic in S3. `put_new` is a conditional PUT (`If-None-Match: *`); on a server
//! that answers that conditional PUTs are not implemented it falls back to HEAD then PUT, which
//! leaves a window in which two writers can both write the same segment (the later one wins).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::StreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path;
use object_store::{ClientConfigKey, PutMode};

use super::StoreError;
use super::redact::redact;
use super::remote::{Kind, RemoteStore, retry_config, timeout_values};
use super::url::split;

/// Region used when the environment names none.
const DEFAULT_REGION: &str = "us-east-1";

/// Opens `spec` (`s3://bucket[/prefix]`).
pub(super) fn open(spec: &str) -> Result<RemoteStore, StoreError> {
    let url = split(spec).ok_or_else(|| StoreError::Unusable("not an s3:// URL".into()))?;
    let location = url.display();
    if url.userinfo.is_some() {
        return Err(StoreError::Unusable(format!(
            "{location}: an s3:// URL carries no credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead"
        )));
    }
    if !url.suffix.is_empty() {
        return Err(StoreError::Unusable(format!(
            "{location}: an s3:// URL takes no query or fragment (s3://bucket/prefix)"
        )));
    }
    let bucket = url.authority.as_str();
    if bucket.is_empty()
        || !bucket
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        return Err(StoreError::Unusable(format!(
            "{location}: {bucket:?} is not a bucket name (s3://bucket/prefix)"
        )));
    }
    let base = Path::parse(&url.path)
        .map_err(|e| StoreError::Unusable(format!("{location}: bad prefix: {e}")))?;

    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_retry(retry_config());
    // Timeouts and region only where the environment set none (AWS_CONNECT_TIMEOUT and the like
    // still win); the client options themselves stay the environment's (AWS_ALLOW_HTTP…).
    let (connect, request) = timeout_values();
    for (key, value) in [
        (ClientConfigKey::ConnectTimeout, connect),
        (ClientConfigKey::Timeout, request),
    ] {
        let key = AmazonS3ConfigKey::Client(key);
        if builder.get_config_value(&key).is_none() {
            builder = builder.with_config(key, value);
        }
    }
    if builder
        .get_config_value(&AmazonS3ConfigKey::Region)
        .is_none()
    {
        builder = builder.with_region(DEFAULT_REGION);
    }
    let store = builder
        .build()
        .map_err(|e| StoreError::Unusable(format!("{location}: {}", redact(&e.to_string()))))?;
    let kind = Kind::S3 {
        conditional_put: AtomicBool::new(true),
    };
    RemoteStore::new(Arc::new(store), base, location, kind, Vec::new())
}

/// Whether any object exists under `prefix/segments/` or `prefix/checkpoints/`.
pub(super) async fn is_store(store: &RemoteStore) -> Result<bool, StoreError> {
    Ok(any_under(store, "segments").await? || any_under(store, "checkpoints").await?)
}

async fn any_under(store: &RemoteStore, dir: &str) -> Result<bool, StoreError> {
    let prefix = store.object(dir);
    let mut objects = store.inner().list(Some(&prefix));
    match objects.next().await {
        None => Ok(false),
        Some(Ok(_)) => Ok(true),
        Some(Err(e)) => Err(store.remote_error(dir, &e)),
    }
}

/// Names of the objects directly under `prefix/dir/`, sorted.
pub(super) async fn list(store: &RemoteStore, dir: &str) -> Result<Vec<String>, StoreError> {
    let prefix = store.object(dir);
    let listing = store
        .inner()
        .list_with_delimiter(Some(&prefix))
        .await
        .map_err(|e| store.remote_error(dir, &e))?;
    let mut names: Vec<String> = listing
        .objects
        .iter()
        .filter_map(|o| o.location.filename().map(str::to_string))
        .collect();
    names.sort();
    Ok(names)
}

/// Writes `rel` unless it exists (see the module docs for servers without conditional PUT).
pub(super) async fn put_new(
    store: &RemoteStore,
    conditional_put: &AtomicBool,
    rel: &str,
    bytes: &[u8],
) -> Result<(), StoreError> {
    if conditional_put.load(Ordering::Relaxed) {
        match store.upload(rel, bytes, PutMode::Create).await {
            Ok(()) => return Ok(()),
            // 412 (or 409 for a concurrent conditional write): another writer has it.
            Err(object_store::Error::AlreadyExists { .. })
            | Err(object_store::Error::Precondition { .. }) => {
                return Err(StoreError::Exists(rel.to_string()));
            }
            Err(e) if not_implemented(&e) => conditional_put.store(false, Ordering::Relaxed),
            Err(e) => return Err(store.remote_error(rel, &e)),
        }
    }
    // RACE: between this HEAD and the PUT another writer may write `rel` too; the later PUT
    // silently replaces the earlier one. Only servers without conditional PUT get here; the
    // lost segment shows in verify only once its writer writes on (docs/ARCHITECTURE.md).
    if store.exists(rel).await? {
        return Err(StoreError::Exists(rel.to_string()));
    }
    store
        .upload(rel, bytes, PutMode::Overwrite)
        .await
        .map_err(|e| store.remote_error(rel, &e))
}

/// Whether `e` says the server (or the client's configuration, `AWS_CONDITIONAL_PUT=disabled`)
/// does not implement conditional PUTs.
fn not_implemented(e: &object_store::Error) -> bool {
    if matches!(e, object_store::Error::NotImplemented { .. }) {
        return true;
    }
    let text = e.to_string();
    text.contains("501 Not Implemented") || text.contains("<Code>NotImplemented</Code>")
}
