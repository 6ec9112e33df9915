//! Alert rules evaluated on newly verified segments.
//!
//! Only local copies of segments that a signed checkpoint attests are read (the caller passes
//! the attested count; anything past it is ignored), so no alert ever fires on an event that
//! is unverified or only chained. Matching uses the same [`Matcher`] as the scan tier of
//! queries, so a rule matches exactly what `search` with its query finds.

use std::collections::BTreeMap;
use std::ops::Range;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::{Alert, AlertKind, SavedQuery, now_rfc3339};
use crate::pull::LocalState;
use crate::query::Hit;
use crate::query::scan::{Matcher, Scan, collect::hit_of};
use crate::segment::hash::sha256;

/// The alert rules of a set of saved queries, compiled.
pub struct Evaluator {
    rules: Vec<(SavedQuery, Matcher)>,
}

/// When each threshold rule last fired (event time, ns): a rule that fired stays quiet until
/// its window has passed, so a burst raises one alert, not one per event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cooldowns(pub BTreeMap<String, i64>);

impl Evaluator {
    /// Compiles the queries marked `alert = true`; the others are ignored.
    pub fn new(queries: &[SavedQuery]) -> Result<Evaluator, String> {
        let rules = queries
            .iter()
            .filter(|q| q.alert)
            .map(|q| Ok((q.clone(), q.matcher()?)))
            .collect::<Result<_, String>>()?;
        Ok(Evaluator { rules })
    }

    /// The alert rules, in order.
    pub fn rules(&self) -> impl Iterator<Item = &SavedQuery> {
        self.rules.iter().map(|(q, _)| q)
    }

    /// Whether there is no alert rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The alerts raised by the events of segments `range` of `local`, in (seq, pos, rule)
    /// order. Segments at or after `attested` (the count a signed checkpoint covers) are never
    /// read. Threshold rules count matches over every attested segment within their window.
    pub fn evaluate(
        &self,
        local: &LocalState,
        store: &str,
        range: Range<u64>,
        attested: u64,
        cooldowns: &mut Cooldowns,
    ) -> anyhow::Result<Vec<Alert>> {
        let range = range.start..range.end.min(attested);
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        let mut hashes = BTreeMap::new();
        for (rule, matcher) in &self.rules {
            let scan = Scan::new(local, range.clone(), matcher, None, None);
            let mut hits = matches(&scan, attested)
                .with_context(|| format!("evaluating alert rule {:?}", rule.name))?;
            hits.sort_by_key(|h| (h.seq, h.pos));
            let fired: Vec<(Hit, Option<u64>)> = match (rule.threshold, rule.window_ns) {
                (Some(n), Some(w)) => {
                    thresholds(local, matcher, &rule.name, &hits, n, w, attested, cooldowns)?
                }
                _ => hits.into_iter().map(|h| (h, None)).collect(),
            };
            for (mut hit, count) in fired {
                hit.record = local
                    .read_line(hit.seq, hit.offset)
                    .ok()
                    .and_then(|l| serde_json::from_slice(&l).ok());
                let hash = match hashes.get(&hit.seq) {
                    Some(h) => h,
                    None => {
                        let h = sha256(&local.header_line(hit.seq)?).to_hex();
                        hashes.entry(hit.seq).or_insert(h)
                    }
                };
                out.push(Alert {
                    kind: if count.is_some() {
                        AlertKind::Threshold
                    } else {
                        AlertKind::Match
                    },
                    rule: rule.name.clone(),
                    description: rule.description.clone(),
                    store: store.to_owned(),
                    seq: Some(hit.seq),
                    pos: Some(hit.pos),
                    hash: Some(hash.clone()),
                    count,
                    threshold: rule.threshold,
                    window: rule.window.clone(),
                    file: Some(crate::segment::segment_path(hit.seq)),
                    event: Some(hit),
                    raised_at: now_rfc3339(),
                });
            }
        }
        out.sort_by(|a, b| (a.seq, a.pos, &a.rule).cmp(&(b.seq, b.pos, &b.rule)));
        Ok(out)
    }
}

/// Every matching event of `scan`, attested ones only.
fn matches(scan: &Scan<'_>, attested: u64) -> anyhow::Result<Vec<Hit>> {
    scan.fold(
        Vec::new,
        |acc, s| acc.push(hit_of(s, attested)),
        |mut a, b| {
            a.extend(b);
            a
        },
    )
}

/// The new matches of a threshold rule that bring its count within `window` to `n`, each with
/// that count. Counts include earlier attested events in the window; after firing, the rule
/// is quiet for one window.
#[allow(clippy::too_many_arguments)]
fn thresholds(
    local: &LocalState,
    matcher: &Matcher,
    name: &str,
    new: &[Hit],
    n: u64,
    window: i64,
    attested: u64,
    cooldowns: &mut Cooldowns,
) -> anyhow::Result<Vec<(Hit, Option<u64>)>> {
    let (Some(lo), Some(hi)) = (
        new.iter().map(|h| h.time_ns).min(),
        new.iter().map(|h| h.time_ns).max(),
    ) else {
        return Ok(Vec::new());
    };
    // Every attested match from one window before the earliest new one to the latest.
    let scan = Scan::new(
        local,
        0..attested,
        matcher,
        Some(lo.saturating_sub(window)),
        Some(hi.saturating_add(1)),
    );
    let mut times: Vec<i64> = matches(&scan, attested)?
        .iter()
        .map(|h| h.time_ns)
        .collect();
    times.sort_unstable();
    let mut by_time: Vec<&Hit> = new.iter().collect();
    by_time.sort_by_key(|h| (h.time_ns, h.seq, h.pos));
    let mut out = Vec::new();
    for h in by_time {
        let t = h.time_ns;
        if cooldowns
            .0
            .get(name)
            .is_some_and(|last| t >= *last && t - *last < window)
        {
            continue;
        }
        let from = t.saturating_sub(window);
        let count =
            (times.partition_point(|x| *x <= t) - times.partition_point(|x| *x <= from)) as u64;
        if count >= n {
            cooldowns.0.insert(name.to_owned(), t);
            out.push((h.clone(), Some(count)));
        }
    }
    Ok(out)
}
