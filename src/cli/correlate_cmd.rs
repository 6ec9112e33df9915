//! `trailscope metrics` and `trailscope trace`: the console's metrics and traces, headless.

use serde::Serialize;

use super::Outcome;
use super::args::{MetricsArgs, TraceArgs};
use super::open_cmd::sources;
use crate::event::time::TimeNs;
use crate::home::trailscope_home;
use crate::metrics::{self, Anomaly, Prometheus, Series};
use crate::query::{Filter, Workspace, now_ns, parse_time_arg, time_bounds};
use crate::store::open_store;
use crate::text::{MAX_FIELD_CHARS, json_safe, sanitize, sanitize_cut};
use crate::trace::{self, Trace};
use crate::tui::config::{Config, duration_ns};
use crate::tui::view::fit::{fmt_value, full_time};

/// Points a Prometheus query returns by default over the time range.
const DEFAULT_POINTS: i64 = 240;
/// Time range asked of Prometheus when neither `--from`/`--to` nor a pulled store gives one.
const DEFAULT_RANGE: i64 = 3600 * 1_000_000_000;

#[derive(Serialize)]
struct MetricsReport<'a> {
    from: TimeNs,
    to: TimeNs,
    series: &'a [Series],
    anomalies: &'a [Anomaly],
    errors: &'a [String],
}

/// The time range: `--from`/`--to`, else the pulled store's extent; `None` when neither gives
/// one (then store files are shown whole and Prometheus is asked for the last hour).
fn range(
    store: &str,
    from: &Option<String>,
    to: &Option<String>,
) -> anyhow::Result<Option<(TimeNs, TimeNs)>> {
    let now = now_ns();
    let t = |s: &Option<String>, what: &str| -> anyhow::Result<Option<i64>> {
        s.as_deref()
            .map(|s| parse_time_arg(s, now).map_err(|e| anyhow::anyhow!("{what}: {e}")))
            .transpose()
    };
    let (from, to) = (t(from, "--from")?, t(to, "--to")?);
    let extent = || -> Option<(TimeNs, TimeNs)> {
        let location = open_store(store).ok()?.location();
        let ws = Workspace::open(&trailscope_home().ok()?, &location).ok()?;
        time_bounds(&ws, &Filter::default()).ok().flatten()
    };
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        (None, None) => match extent() {
            Some((lo, hi)) => (lo, hi.saturating_add(1)),
            None => return Ok(None),
        },
        (f, t) => {
            let (lo, hi) = extent().unwrap_or((now - DEFAULT_RANGE, now));
            (f.unwrap_or(lo), t.unwrap_or(hi.saturating_add(1)))
        }
    };
    if to <= from {
        anyhow::bail!("the time range is empty: --to must be after --from");
    }
    Ok(Some((from, to)))
}

/// Runs `metrics`.
pub fn metrics(a: MetricsArgs) -> anyhow::Result<Outcome> {
    let config = Config::load_default()?;
    let src = sources(Some(&a.store), &a.correlate, &config)?;
    let given = range(&a.store, &a.from, &a.to)?;
    let now = now_ns();
    let (from, to) = given.unwrap_or((now - DEFAULT_RANGE, now));
    let step = match &a.step {
        Some(s) => duration_ns(s).map_err(|e| anyhow::anyhow!("--step: {e}"))?,
        None => ((to - from) / DEFAULT_POINTS).max(1_000_000_000),
    };
    if step <= 0 {
        anyhow::bail!("--step must be positive");
    }
    let mut series = Vec::new();
    let mut errors = Vec::new();
    match open_store(&a.store) {
        Ok(store) => match metrics::load_store_metrics(store.as_ref()) {
            Ok(found) => series.extend(found.into_iter().map(|mut s| {
                if given.is_some() {
                    s.points.retain(|p| p.t >= from && p.t < to);
                }
                s
            })),
            Err(e) => errors.push(e.to_string()),
        },
        Err(e) => errors.push(format!("{}: {e}", a.store)),
    }
    if let Some(url) = &src.prometheus {
        let prom = Prometheus::new(url)?;
        for q in &src.queries {
            match prom.query_range(q, from, to.saturating_sub(1), step) {
                // `--to` is exclusive; Prometheus evaluates at the end it is given (rounded
                // up to a millisecond), so a point at `to` is dropped as store points are.
                Ok(found) => series.extend(found.into_iter().map(|mut s| {
                    s.points.retain(|p| p.t < to);
                    s
                })),
                Err(e) => errors.push(e.to_string()),
            }
        }
    }
    let anomalies = metrics::anomalies(&series);
    if a.json {
        let (from, to) = shown_range(given, &series);
        let report = MetricsReport {
            from,
            to,
            series: &series,
            anomalies: &anomalies,
            errors: &errors,
        };
        super::say(&format!(
            "{}\n",
            json_safe(&serde_json::to_string(&report)?)
        ))?;
    } else {
        let (from, to) = shown_range(given, &series);
        super::say(&human(&series, &anomalies, from, to))?;
    }
    for e in &errors {
        eprintln!("trailscope: error: {}", sanitize(e));
    }
    if series.is_empty() && errors.is_empty() {
        eprintln!(
            "trailscope: note: no metrics: the store has no metrics/*.json and no --prometheus with --metric was given"
        );
    }
    Ok(if errors.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Problems
    })
}

/// The range the output describes: the one asked for, else what the series cover.
fn shown_range(given: Option<(TimeNs, TimeNs)>, series: &[Series]) -> (TimeNs, TimeNs) {
    given.unwrap_or_else(|| {
        let lo = series
            .iter()
            .filter_map(|s| s.points.first())
            .map(|p| p.t)
            .min();
        let hi = series
            .iter()
            .filter_map(|s| s.points.last())
            .map(|p| p.t)
            .max();
        (lo.unwrap_or(0), hi.map_or(1, |h| h.saturating_add(1)))
    })
}

fn human(series: &[Series], anomalies: &[Anomaly], from: TimeNs, to: TimeNs) -> String {
    let mut out = format!(
        "metrics from {} to {} (unverified: not covered by the store's chain)\n",
        full_time(from),
        full_time(to)
    );
    for s in series {
        let unit = if s.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", sanitize_cut(&s.unit, MAX_FIELD_CHARS))
        };
        let mm = s
            .min_max(from, to)
            .map_or("no points".to_string(), |(lo, hi)| {
                format!("min {}  max {}", fmt_value(lo), fmt_value(hi))
            });
        let last = s.points.last().map_or(String::new(), |p| {
            format!("  last {}{unit} at {}", fmt_value(p.v), full_time(p.t))
        });
        out.push_str(&format!(
            "{}{unit}  {} points  {mm}{last}\n  source: {}\n",
            sanitize_cut(&s.label, MAX_FIELD_CHARS),
            s.points.len(),
            sanitize_cut(&s.source, MAX_FIELD_CHARS)
        ));
    }
    if anomalies.is_empty() {
        out.push_str("no anomalies (rule: |x - median| > 5 × 1.4826 × MAD)\n");
    }
    for an in anomalies {
        out.push_str(&format!(
            "anomaly  {}  from {}  peak {} at {}  (median {}, {:.1}× the spread)\n",
            sanitize_cut(&an.label, MAX_FIELD_CHARS),
            full_time(an.start),
            fmt_value(an.value),
            full_time(an.peak),
            fmt_value(an.median),
            an.score
        ));
    }
    out
}

/// Runs `trace`.
pub fn trace(a: TraceArgs) -> anyhow::Result<Outcome> {
    let config = Config::load_default()?;
    let src = sources(Some(&a.store), &a.correlate, &config)?;
    let Some(id) = trace::normalize_trace_id(&a.trace_id) else {
        anyhow::bail!(
            "{:?} is not a trace id (32 hex digits, or a W3C traceparent)",
            sanitize(&a.trace_id)
        );
    };
    let mut searched = Vec::new();
    let mut found: Option<Trace> = None;
    let store = open_store(&a.store)?;
    let mut set = trace::load_store_traces(store.as_ref())?;
    searched.push(format!(
        "{} traces in {}/traces",
        set.len(),
        sanitize(&store.location())
    ));
    for f in &src.otlp {
        let text = std::fs::read_to_string(f)
            .map_err(|e| anyhow::anyhow!("--otlp {}: {e}", f.display()))?;
        set.add(trace::parse_otlp(&text, &f.display().to_string())?);
        searched.push(f.display().to_string());
    }
    if let Some(t) = set.get(&id) {
        found = Some(t);
    }
    if found.is_none()
        && let Some(url) = &src.jaeger
    {
        found = trace::fetch_jaeger(url, &id)?;
        searched.push(format!("Jaeger {}", sanitize(&crate::store::redact(url))));
    }
    let Some(t) = found else {
        eprintln!(
            "trailscope: trace {id} not found (searched: {})",
            sanitize(&searched.join(", "))
        );
        return Ok(Outcome::Problems);
    };
    if a.json {
        super::say(&format!("{}\n", json_safe(&serde_json::to_string(&t)?)))?;
    } else {
        super::say(&trace::render_tree(&t))?;
    }
    Ok(Outcome::Ok)
}
