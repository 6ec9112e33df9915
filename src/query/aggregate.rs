//! `histogram` and `facets`, computed by Tantivy aggregations (never by iterating hits).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::collector::Count;

use super::scan::collect;
use super::{Coverage, Filter, QueryError, Workspace};
use crate::event::time::{TimeNs, format_ns};
use crate::index::schema::{KEYWORDS, TIME};

/// One time bucket.
#[derive(Clone, Debug, Serialize)]
pub struct Bucket {
    /// Start (RFC 3339), inclusive.
    pub start: String,
    /// Start, ns since the epoch.
    pub start_ns: i64,
    /// End, exclusive, ns since the epoch.
    pub end_ns: i64,
    /// Events in the bucket.
    pub count: u64,
    /// Events by outcome (`success`, `failure`, `denied`, `unknown`, …).
    pub outcomes: BTreeMap<String, u64>,
}

/// Counts per time bucket.
#[derive(Clone, Debug, Serialize)]
pub struct Histogram {
    /// Bucket width in ns (a whole number of milliseconds).
    pub width_ns: i64,
    /// The buckets, oldest first, covering `[from, to)`.
    pub buckets: Vec<Bucket>,
    /// Events matching in all.
    pub total: u64,
    /// Which index answered.
    pub coverage: Coverage,
}

/// Top values of one field.
#[derive(Clone, Debug, Serialize)]
pub struct Facets {
    /// The field.
    pub field: String,
    /// Values with counts, most frequent first (ties by value).
    pub values: Vec<FacetValue>,
    /// Matching events whose value is not among `values`.
    pub other: u64,
    /// Matching events without this field.
    pub missing: u64,
    /// Events matching in all.
    pub total: u64,
    /// Which index answered.
    pub coverage: Coverage,
}

/// One facet value.
#[derive(Clone, Debug, Serialize)]
pub struct FacetValue {
    /// The value.
    pub value: String,
    /// Events with it.
    pub count: u64,
}

const MS: i64 = 1_000_000;

/// An aggregation's result, the number of events it saw, the coverage, and whether the query
/// needed the full index.
type AggAnswer = (Value, u64, Coverage, bool);

fn run_aggs(ws: &Workspace, filter: &Filter, aggs: Value) -> Result<AggAnswer, QueryError> {
    let (parsed, opened) = super::parse::parse(ws, filter)?;
    let (_, coverage) = ws.pick(parsed.needs_full)?;
    let aggs: Aggregations = serde_json::from_value(aggs)
        .map_err(|e| QueryError::Index(anyhow::anyhow!("aggregation request: {e}")))?;
    let collector = AggregationCollector::from_aggs(
        aggs,
        AggContextParams::new(
            AggregationLimitsGuard::new(Some(1 << 30), Some(1_000_000)),
            opened.index.index.tokenizers().clone(),
        ),
    );
    let searcher = opened.reader.searcher();
    let (res, total) = searcher.search(parsed.query.as_ref(), &(collector, Count))?;
    let v = serde_json::to_value(&res)
        .map_err(|e| QueryError::Index(anyhow::anyhow!("aggregation result: {e}")))?;
    Ok((v, total as u64, coverage, parsed.needs_full))
}

/// Bounds `[lo, hi)` that hold every time matching `filter` (`None` when nothing matches), from
/// one min/max aggregation. Tantivy reports date min/max as f64 nanoseconds (exact to ~256 ns
/// at today's dates), so the bounds are widened by a microsecond on each side.
pub fn time_bounds(
    ws: &Workspace,
    filter: &Filter,
) -> Result<Option<(TimeNs, TimeNs)>, QueryError> {
    let (v, total, _, needs_full) = run_aggs(
        ws,
        filter,
        json!({"lo": {"min": {"field": TIME}}, "hi": {"max": {"field": TIME}}}),
    )?;
    let ns = |k: &str| v[k]["value"].as_f64().map(|x| x as i64);
    let indexed = match (total, ns("lo"), ns("hi")) {
        (1.., Some(lo), Some(hi)) => Some((lo, hi)),
        _ => None,
    };
    // Rounded through f64 as the index's answer is, so the bounds do not move when the index
    // catches up with the scan.
    let scanned = match ws.scan_part(filter, needs_full) {
        Some((matcher, range)) => collect::bounds(&ws.scan_with(&matcher, range, filter))?
            .map(|(lo, hi)| (lo as f64 as i64, hi as f64 as i64)),
        None => None,
    };
    let both = match (indexed, scanned) {
        (Some((l1, h1)), Some((l2, h2))) => Some((l1.min(l2), h1.max(h2))),
        (x, None) | (None, x) => x,
    };
    Ok(both.map(|(lo, hi)| (lo.saturating_sub(1_000), hi.saturating_add(1_001))))
}

/// Counts events matching `filter` in `buckets` equal time buckets, split by outcome. The range
/// is `[from, to)` when given, else that of the matching events (widened to whole ms).
pub fn histogram(ws: &Workspace, filter: &Filter, buckets: usize) -> Result<Histogram, QueryError> {
    let buckets = buckets.clamp(1, 10_000);
    let (from, to) = match (filter.from, filter.to) {
        (Some(f), Some(t)) => (f, t),
        _ => match time_bounds(ws, filter)? {
            Some((lo, hi)) => (filter.from.unwrap_or(lo), filter.to.unwrap_or(hi)),
            None => {
                let (_, mut coverage) = ws.pick(false)?;
                if let Some((_, range)) = ws.scan_part(filter, false) {
                    coverage.add_scanned(&range);
                }
                return Ok(Histogram {
                    width_ns: 0,
                    buckets: Vec::new(),
                    total: 0,
                    coverage,
                });
            }
        },
    };
    if from >= to {
        return Err(QueryError::Argument(format!(
            "empty time range {} .. {}",
            format_ns(from),
            format_ns(to)
        )));
    }
    // Whole milliseconds, aligned to `from` rounded down to a millisecond.
    let from_ms = from.div_euclid(MS);
    let to_ms = (to + MS - 1).div_euclid(MS);
    let span_ms = (to_ms - from_ms).max(1);
    let width_ms = ((span_ms + buckets as i64 - 1) / buckets as i64).max(1);
    let offset_ms = from_ms.rem_euclid(width_ms);
    let ranged = Filter {
        query: filter.query.clone(),
        from: Some(from),
        to: Some(to),
    };
    let (v, mut total, mut coverage, needs_full) = run_aggs(
        ws,
        &ranged,
        json!({"h": {
            "date_histogram": {"field": TIME, "fixed_interval": format!("{width_ms}ms"),
                               "offset": format!("{offset_ms}ms"), "min_doc_count": 1},
            "aggs": {"o": {"terms": {"field": "outcome", "size": 64, "segment_size": 1024}}}
        }}),
    )?;
    let n = ((to_ms - from_ms + width_ms - 1) / width_ms).max(1) as usize;
    let mut out: Vec<Bucket> = (0..n)
        .map(|i| {
            let start_ms = from_ms + i as i64 * width_ms;
            Bucket {
                start: format_ns(start_ms * MS),
                start_ns: start_ms * MS,
                end_ns: (start_ms + width_ms) * MS,
                count: 0,
                outcomes: BTreeMap::new(),
            }
        })
        .collect();
    for b in v["h"]["buckets"].as_array().into_iter().flatten() {
        // Keys are milliseconds as f64, sometimes a hair below the integer.
        let Some(key_ms) = b["key"].as_f64().map(|k| k.round() as i64) else {
            continue;
        };
        let idx = (key_ms - from_ms).div_euclid(width_ms);
        let Some(slot) = usize::try_from(idx).ok().and_then(|i| out.get_mut(i)) else {
            continue;
        };
        slot.count += b["doc_count"].as_u64().unwrap_or(0);
        for o in b["o"]["buckets"].as_array().into_iter().flatten() {
            let key = o["key"].as_str().unwrap_or("unknown").to_string();
            *slot.outcomes.entry(key).or_default() += o["doc_count"].as_u64().unwrap_or(0);
        }
    }
    if let Some((matcher, range)) = ws.scan_part(&ranged, needs_full) {
        let scan = ws.scan_with(&matcher, range.clone(), &ranged);
        let (counts, n) = collect::buckets(&scan, from_ms, width_ms, out.len())?;
        for (slot, (count, outcomes)) in out.iter_mut().zip(counts) {
            slot.count += count;
            for (k, c) in outcomes {
                *slot.outcomes.entry(k).or_default() += c;
            }
        }
        total += n;
        coverage.add_scanned(&range);
    }
    Ok(Histogram {
        width_ns: width_ms * MS,
        buckets: out,
        total,
        coverage,
    })
}

/// The `top` most frequent values of `field` among events matching `filter`.
pub fn facets(
    ws: &Workspace,
    field: &str,
    filter: &Filter,
    top: usize,
) -> Result<Facets, QueryError> {
    if !KEYWORDS.contains(&field) {
        return Err(QueryError::Argument(format!(
            "unknown facet field {field:?}; one of: {}",
            KEYWORDS.join(", ")
        )));
    }
    let top = top.clamp(1, 10_000);
    // With a scanned part, the index lists as many values as it may (up to 10,000) so that
    // the two parts' counts add up per value.
    let scanning = ws.scan.is_some();
    let size = if scanning { 10_000 } else { top };
    let (v, mut total, mut coverage, needs_full) = run_aggs(
        ws,
        filter,
        json!({"f": {"terms": {"field": field, "size": size, "segment_size": 1_000_000,
                               "order": {"_count": "desc"}}}}),
    )?;
    let mut values: Vec<FacetValue> = v["f"]["buckets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| {
            Some(FacetValue {
                value: b["key"].as_str()?.to_string(),
                count: b["doc_count"].as_u64()?,
            })
        })
        .collect();
    let mut with_value: u64 = values.iter().map(|x| x.count).sum::<u64>()
        + v["f"]["sum_other_doc_count"].as_u64().unwrap_or(0);
    let mut missing = total.saturating_sub(with_value);
    let k = KEYWORDS.iter().position(|k| *k == field).unwrap_or(0);
    if let Some((matcher, range)) = ws.scan_part(filter, needs_full) {
        let (mut counts, lacking, n) =
            collect::values(&ws.scan_with(&matcher, range.clone(), filter), k)?;
        for fv in &mut values {
            fv.count += counts.remove(&fv.value).unwrap_or(0);
        }
        values.extend(
            counts
                .into_iter()
                .map(|(value, count)| FacetValue { value, count }),
        );
        with_value += n - lacking;
        missing += lacking;
        total += n;
        coverage.add_scanned(&range);
    }
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    values.truncate(top);
    let listed: u64 = values.iter().map(|x| x.count).sum();
    Ok(Facets {
        field: field.to_string(),
        values,
        other: with_value - listed,
        missing,
        total,
        coverage,
    })
}
