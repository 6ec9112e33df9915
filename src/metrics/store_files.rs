//! Metric series shipped inside a store as `metrics/*.json`: each file is a saved
//! `query_range` answer, optionally with a `"trailscope"` object naming it:
//!
//! ```json
//! {"status":"success","data":{"resultType":"matrix","result":[…]},
//!  "trailscope":{"label":"5xx rate","unit":"req/s"}}
//! ```
//!
//! Without it the label is the file's stem with `_` and `-` shown as spaces
//! (`error_rate.json` → `error rate`) and the unit is unknown.

use serde_json::Value;

use super::error::with_causes;
use super::prom_json::{read_json, series_from};
use super::{MAX_RESPONSE_BYTES, MetricsError, Series};
use crate::event::time::kind_of as kind;
use crate::store::Store;

/// The store directory holding metric files.
pub const METRICS_DIR: &str = "metrics";

/// Every `metrics/*.json` of `store`, in file-name order (the series of one file in the order the
/// file gives them). A store without `metrics/` has none. Each series' source is
/// `store metrics/NAME.json`; errors name the file and the JSON path at fault.
pub fn load_store_metrics(store: &dyn Store) -> Result<Vec<Series>, MetricsError> {
    let names = store
        .list(METRICS_DIR)
        .map_err(|e| store_error(METRICS_DIR, &e))?;
    let mut out = Vec::new();
    for name in names {
        // Hidden files: editors' and atomic writers' temporaries.
        let Some(stem) = name
            .strip_suffix(".json")
            .filter(|_| !name.starts_with('.'))
        else {
            continue;
        };
        let path = format!("{METRICS_DIR}/{name}");
        let Some(bytes) = store.get(&path).map_err(|e| store_error(&path, &e))? else {
            continue; // removed since it was listed
        };
        if bytes.len() as u64 > MAX_RESPONSE_BYTES {
            return Err(MetricsError::TooLarge {
                origin: path,
                limit: MAX_RESPONSE_BYTES,
            });
        }
        out.extend(load_file(&path, stem, &bytes)?);
    }
    Ok(out)
}

/// The series of one metric file at store path `path`.
fn load_file(path: &str, stem: &str, bytes: &[u8]) -> Result<Vec<Series>, MetricsError> {
    let root = read_json(bytes, path)?;
    let (label, unit) = naming(&root, path)?;
    let label = label.unwrap_or_else(|| stem.replace(['_', '-'], " "));
    let mut series = series_from(&root, path, &label)?;
    let source = format!("store {path}");
    for s in &mut series {
        s.source.clone_from(&source);
        s.unit.clone_from(&unit);
    }
    Ok(series)
}

/// The `"trailscope": {"label", "unit"}` extension: the label if given and not blank, and the
/// unit ("" when absent).
fn naming(root: &Value, path: &str) -> Result<(Option<String>, String), MetricsError> {
    let Some(ext) = root.get("trailscope") else {
        return Ok((None, String::new()));
    };
    let at = |field: &str, v: &Value, want: &str| MetricsError::Shape {
        origin: path.to_string(),
        path: field.to_string(),
        detail: format!("expected {want}, found {}", kind(v)),
    };
    let Some(ext) = ext.as_object() else {
        return Err(at(
            "trailscope",
            ext,
            "an object with \"label\" and \"unit\"",
        ));
    };
    let text = |key: &str| -> Result<Option<String>, MetricsError> {
        match ext.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(other) => Err(at(&format!("trailscope.{key}"), other, "a string")),
        }
    };
    let label = text("label")?.filter(|l| !l.is_empty());
    let unit = text("unit")?.unwrap_or_default();
    Ok((label, unit))
}

fn store_error(path: &str, e: &crate::store::StoreError) -> MetricsError {
    let detail = with_causes(e);
    // `StoreError::Io` shows only the path; its cause carries the reason.
    let detail = detail
        .strip_prefix(&format!("{path}: "))
        .map(str::to_string)
        .unwrap_or(detail);
    MetricsError::Store {
        path: path.to_string(),
        detail,
    }
}
