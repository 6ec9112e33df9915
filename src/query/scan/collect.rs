//! The scanned part of each answer: top hits, counts, histogram buckets, time bounds, facets.
//! The query functions add these to what the index answers for the segments it holds.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use super::{Scan, Scanned};
use crate::event::time::format_ns;
use crate::index::schema::MAX_POS;
use crate::query::{Hit, Order};

/// The order key of a hit: time, then place in the chain.
pub fn hit_key(h: &Hit) -> (i64, u64) {
    (h.time_ns, (h.seq << 24) | h.pos.min(MAX_POS))
}

/// Compares two hits in `order` (first wanted first).
pub fn cmp_hits(order: Order, a: &Hit, b: &Hit) -> Ordering {
    match order {
        Order::NewestFirst => hit_key(b).cmp(&hit_key(a)),
        Order::OldestFirst => hit_key(a).cmp(&hit_key(b)),
    }
}

/// The hit of a scanned event; `covered` tells whether its segment is attested.
pub fn hit_of(s: Scanned, covered: u64) -> Hit {
    let e = s.event;
    Hit {
        time: format_ns(e.time),
        time_ns: e.time,
        seq: s.seq,
        pos: s.pos,
        verified: s.seq < covered,
        actor: e.actor,
        action: e.action,
        resource: e.resource,
        outcome: e.outcome.as_str().to_string(),
        source_ip: e.source_ip.filter(|v| !v.is_empty()),
        user_agent: e.user_agent.filter(|v| !v.is_empty()),
        trace_id: e.trace_id.filter(|v| !v.is_empty()),
        span_id: e.span_id.filter(|v| !v.is_empty()),
        request_id: e.request_id.filter(|v| !v.is_empty()),
        record: None,
        offset: s.offset,
    }
}

/// Keeps the first `limit` of `hits` in `order`.
pub fn keep_first(hits: &mut Vec<Hit>, order: Order, limit: usize) {
    hits.sort_by(|a, b| cmp_hits(order, a, b));
    hits.truncate(limit);
}

/// Matching events in all, and the first `limit` in `order`.
pub fn top(
    scan: &Scan<'_>,
    order: Order,
    limit: usize,
    covered: u64,
) -> anyhow::Result<(u64, Vec<Hit>)> {
    scan.fold(
        || (0u64, Vec::new()),
        |(n, hits), s| {
            *n += 1;
            if limit > 0 {
                hits.push(hit_of(s, covered));
                if hits.len() >= limit.saturating_mul(2).max(64) {
                    keep_first(hits, order, limit);
                }
            }
        },
        |(n, mut a), (m, b)| {
            a.extend(b);
            keep_first(&mut a, order, limit);
            (n + m, a)
        },
    )
    .map(|(n, mut hits)| {
        keep_first(&mut hits, order, limit);
        (n, hits)
    })
}

/// Matching events in all.
pub fn count(scan: &Scan<'_>) -> anyhow::Result<u64> {
    scan.fold(|| 0u64, |n, _| *n += 1, |a, b| a + b)
}

/// The earliest and latest matching times (exact), when anything matches.
pub fn bounds(scan: &Scan<'_>) -> anyhow::Result<Option<(i64, i64)>> {
    scan.fold(
        || None,
        |b: &mut Option<(i64, i64)>, s| {
            let t = s.event.time;
            *b = Some(b.map_or((t, t), |(lo, hi)| (lo.min(t), hi.max(t))));
        },
        |a, b| match (a, b) {
            (Some((l1, h1)), Some((l2, h2))) => Some((l1.min(l2), h1.max(h2))),
            (x, None) | (None, x) => x,
        },
    )
}

/// Counts per bucket (`n` buckets of `width_ms` from `from_ms`) with outcomes, and the total.
pub type Buckets = Vec<(u64, BTreeMap<String, u64>)>;

/// Fills histogram buckets with the matching events (the scan's window should be the
/// histogram's range).
pub fn buckets(
    scan: &Scan<'_>,
    from_ms: i64,
    width_ms: i64,
    n: usize,
) -> anyhow::Result<(Buckets, u64)> {
    const MS: i64 = 1_000_000;
    scan.fold(
        || (vec![(0u64, BTreeMap::new()); n], 0u64),
        |(b, total), s| {
            let idx = (s.event.time.div_euclid(MS) - from_ms).div_euclid(width_ms.max(1));
            if let Some(slot) = usize::try_from(idx).ok().and_then(|i| b.get_mut(i)) {
                slot.0 += 1;
                *slot
                    .1
                    .entry(s.event.outcome.as_str().to_string())
                    .or_default() += 1;
            }
            *total += 1;
        },
        |(mut a, t1), (b, t2)| {
            for (x, y) in a.iter_mut().zip(b) {
                x.0 += y.0;
                for (k, v) in y.1 {
                    *x.1.entry(k).or_default() += v;
                }
            }
            (a, t1 + t2)
        },
    )
}

/// Counts of every value of keyword `k` among matching events, the number without it, and the
/// total.
pub fn values(scan: &Scan<'_>, k: usize) -> anyhow::Result<(HashMap<String, u64>, u64, u64)> {
    scan.fold(
        || (HashMap::new(), 0u64, 0u64),
        |(m, missing, total), s| {
            *total += 1;
            match s.keyword_value(k) {
                Some(v) => *m.entry(v.to_string()).or_default() += 1,
                None => *missing += 1,
            }
        },
        |(mut m, a1, b1), (m2, a2, b2)| {
            for (k, v) in m2 {
                *m.entry(k).or_default() += v;
            }
            (m, a1 + a2, b1 + b2)
        },
    )
}
