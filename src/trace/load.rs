//! Loading traces from where they are kept: an OTLP/JSON file on disk
//! ([`load_otlp_file`]) or the `traces/*.json` files of an audit store
//! ([`load_store_traces`]).

use std::path::Path;

use super::error::TraceError;
use super::model::TraceSet;
use super::otlp::parse_otlp;
use crate::store::Store;

/// The store directory holding OTLP/JSON trace files.
pub const TRACES_DIR: &str = "traces";

/// Reads an OTLP/JSON file (one request per line, see [`parse_otlp`]); errors name the path
/// as given.
pub fn load_otlp_file(path: &Path) -> Result<TraceSet, TraceError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| TraceError::Io {
        path: shown.clone(),
        source,
    })?;
    let mut set = TraceSet::new();
    set.add(parse_otlp(utf8(&bytes, &shown)?, &shown)?);
    Ok(set)
}

/// Every `traces/*.json` file of `store` (OTLP/JSON), in name order; a store without
/// `traces/` gives an empty set. Errors name the store path (`traces/NAME.json`) and line.
///
/// A remote store is blocking: not from inside a tokio runtime (see [`crate::store`]).
pub fn load_store_traces(store: &dyn Store) -> Result<TraceSet, TraceError> {
    let names = store
        .list(TRACES_DIR)
        .map_err(|e| TraceError::store(TRACES_DIR, &e))?;
    let mut set = TraceSet::new();
    for name in names.iter().filter(|n| n.ends_with(".json")) {
        let path = format!("{TRACES_DIR}/{name}");
        // Gone since the listing (a concurrent writer pruned it): nothing to show.
        let Some(bytes) = store.get(&path).map_err(|e| TraceError::store(&path, &e))? else {
            continue;
        };
        set.add(parse_otlp(utf8(&bytes, &path)?, &path)?);
    }
    Ok(set)
}

/// `bytes` as text, or an error naming the line of the first invalid byte.
fn utf8<'a>(bytes: &'a [u8], origin: &str) -> Result<&'a str, TraceError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = good.len() - good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
        TraceError::Otlp {
            origin: origin.to_string(),
            line,
            detail: format!("not UTF-8 at column {column}"),
        }
    })
}
