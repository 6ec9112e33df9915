//! `trailscope search`, `histogram` and `facets`: format what the library's queries return.

use serde::Serialize;

use super::Outcome;
use super::args::{FacetsArgs, HistogramArgs, QueryArgs, SearchArgs};
use super::pull_cmd::Shown;
use crate::home::trailscope_home;
use crate::pull::{PullOptions, index_verified, pull};
use crate::query::{
    Coverage, Filter, Order, QueryError, Workspace, facets as run_facets,
    histogram as run_histogram, now_ns, parse_time_arg, search as run_search,
};
use crate::store::open_store;
use crate::text::{json_safe, sanitize};

fn open(store: &str) -> anyhow::Result<Workspace> {
    let location = open_store(store)?.location();
    Ok(Workspace::open(&trailscope_home()?, &location)?)
}

fn filter(query: &str, q: &QueryArgs) -> anyhow::Result<Filter> {
    let now = now_ns();
    let t = |s: &Option<String>, what: &str| -> anyhow::Result<Option<i64>> {
        s.as_deref()
            .map(|s| parse_time_arg(s, now).map_err(|e| anyhow::anyhow!("{what}: {e}")))
            .transpose()
    };
    Ok(Filter {
        query: query.to_string(),
        from: t(&q.from, "--from")?,
        to: t(&q.to, "--to")?,
    })
}

/// Turns a query error into the CLI's error, showing where a syntax error is.
fn explain(query: &str, e: QueryError) -> anyhow::Error {
    if let QueryError::Syntax { pos: Some(p), .. } = &e {
        let shown = sanitize(query);
        let mut end = (*p).min(query.len());
        while !query.is_char_boundary(end) {
            end -= 1;
        }
        let col = sanitize(&query[..end]).chars().count();
        eprintln!("  {shown}\n  {}^", " ".repeat(col));
    }
    anyhow::Error::new(e)
}

fn json_line<T: Serialize>(v: &T) -> anyhow::Result<String> {
    let text = serde_json::to_string(v)?;
    Ok(format!("{}\n", json_safe(&text)))
}

fn coverage_note(c: &Coverage) {
    if c.segments < c.pulled_segments {
        eprintln!(
            "trailscope: note: the {} index covers {} of {} pulled segments; later events were not searched (they will be once indexed: `trailscope pull`)",
            c.index, c.segments, c.pulled_segments
        );
    }
}

/// With `search --pull`: fetches and verifies the store's new segments (not indexing them),
/// reporting problems on stderr. Returns the home, the location and whether the chain is intact.
fn pull_first(a: &SearchArgs) -> anyhow::Result<(std::path::PathBuf, String, bool)> {
    let pubkey = a
        .pubkey
        .as_deref()
        .map(super::verify_cmd::load_pubkey)
        .transpose()?;
    let store = open_store(&a.store)?;
    let home = trailscope_home()?;
    let opts = PullOptions {
        pubkey,
        index: false,
        ..PullOptions::default()
    };
    let mut shown = Shown::new();
    let summary = pull(store.as_ref(), &home, &opts, &mut |p| shown.update(p))?;
    shown.finish();
    if !summary.verify.problems.is_empty() {
        eprint!("{}", summary.verify.to_human());
    }
    Ok((home, store.location(), summary.is_intact()))
}

/// After `search --pull` answered: indexes what the pull verified.
fn index_after(home: &std::path::Path, location: &str, fulltext: bool) -> anyhow::Result<()> {
    let opts = PullOptions {
        fulltext,
        ..PullOptions::default()
    };
    let mut shown = Shown::new();
    index_verified(home, location, &opts, &mut |p| shown.update(p))?;
    shown.finish();
    Ok(())
}

/// Runs `search`.
pub fn search(mut a: SearchArgs) -> anyhow::Result<Outcome> {
    if let Some(name) = a.saved.take() {
        let config = super::saved_cmd::load_config(a.config.as_deref())?;
        let saved = super::saved_cmd::find(&config, &name)?;
        a.query = saved.query;
        let windowed = match saved.window {
            Some(w) if a.q.from.is_none() && a.q.to.is_none() => {
                let w = w.trim().trim_start_matches(['-', '+']).to_owned();
                a.q.from = Some(format!("-{w}"));
                format!(", the last {w}")
            }
            _ => String::new(),
        };
        eprintln!(
            "trailscope: saved query {}: {}{windowed}",
            sanitize(&name),
            sanitize(&a.query)
        );
    }
    let pulled = if a.pull { Some(pull_first(&a)?) } else { None };
    let outcome = search_now(&a)?;
    match pulled {
        Some((home, location, intact)) => {
            index_after(&home, &location, a.fulltext)?;
            Ok(if intact { outcome } else { Outcome::Problems })
        }
        None => Ok(outcome),
    }
}

/// The answer of `search`, from the index and the verified copies it does not hold yet.
fn search_now(a: &SearchArgs) -> anyhow::Result<Outcome> {
    let ws = open(&a.store)?;
    let f = filter(&a.query, &a.q)?;
    let order = if a.order == "oldest" {
        Order::OldestFirst
    } else {
        Order::NewestFirst
    };
    let limit = if a.count { 0 } else { a.limit };
    let res = run_search(&ws, &f, order, limit, a.q.json && a.records)
        .map_err(|e| explain(&a.query, e))?;
    coverage_note(&res.coverage);
    let mut out = String::new();
    if a.count {
        if a.q.json {
            out.push_str(&json_line(&serde_json::json!({
                "total": res.total,
                "coverage": res.coverage,
            }))?);
        } else {
            out.push_str(&format!("{}\n", res.total));
        }
    } else if a.q.json {
        for h in &res.hits {
            out.push_str(&json_line(h)?);
        }
    } else {
        let mut rows = vec![
            [
                "TIME",
                "VERIFIED",
                "SEQ:POS",
                "OUTCOME",
                "ACTOR",
                "ACTION",
                "RESOURCE",
                "SOURCE_IP",
            ]
            .map(String::from),
        ];
        for h in &res.hits {
            rows.push([
                h.time.clone(),
                if h.verified { "yes" } else { "UNSIGNED" }.to_string(),
                format!("{}:{}", h.seq, h.pos),
                h.outcome.clone(),
                h.actor.clone(),
                h.action.clone(),
                h.resource.clone(),
                h.source_ip.clone().unwrap_or_default(),
            ]);
        }
        out.push_str(&table(&rows));
        out.push_str(&format!(
            "{} of {} matching events shown\n",
            res.hits.len(),
            res.total
        ));
    }
    super::say(&out)?;
    Ok(Outcome::Ok)
}

/// Runs `histogram`.
pub fn histogram(a: HistogramArgs) -> anyhow::Result<Outcome> {
    let ws = open(&a.store)?;
    let f = filter(&a.query, &a.q)?;
    let h = run_histogram(&ws, &f, a.buckets).map_err(|e| explain(&a.query, e))?;
    coverage_note(&h.coverage);
    let mut out = String::new();
    if a.q.json {
        for b in &h.buckets {
            out.push_str(&json_line(b)?);
        }
    } else {
        let outcomes: std::collections::BTreeSet<&String> =
            h.buckets.iter().flat_map(|b| b.outcomes.keys()).collect();
        let max = h.buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
        let mut header = vec!["START".to_string(), "COUNT".to_string()];
        header.extend(outcomes.iter().map(|o| o.to_uppercase()));
        header.push(String::new());
        let mut rows = vec![header];
        for b in &h.buckets {
            let mut row = vec![b.start.clone(), b.count.to_string()];
            row.extend(
                outcomes
                    .iter()
                    .map(|o| b.outcomes.get(*o).copied().unwrap_or(0).to_string()),
            );
            row.push("#".repeat(((b.count * 40).div_ceil(max)) as usize));
            rows.push(row);
        }
        out.push_str(&table(&rows));
        out.push_str(&format!(
            "{} matching events, {} buckets of {}\n",
            h.total,
            h.buckets.len(),
            human_duration(h.width_ns)
        ));
    }
    super::say(&out)?;
    Ok(Outcome::Ok)
}

/// Runs `facets`.
pub fn facets(a: FacetsArgs) -> anyhow::Result<Outcome> {
    let ws = open(&a.store)?;
    let f = filter(&a.query, &a.q)?;
    let r = run_facets(&ws, &a.field, &f, a.top).map_err(|e| explain(&a.query, e))?;
    coverage_note(&r.coverage);
    let mut out = String::new();
    if a.q.json {
        for v in &r.values {
            out.push_str(&json_line(v)?);
        }
    } else {
        let mut rows = vec![vec![a.field.to_uppercase(), "COUNT".into(), "SHARE".into()]];
        for v in &r.values {
            rows.push(vec![
                v.value.clone(),
                v.count.to_string(),
                format!("{:.1}%", v.count as f64 * 100.0 / r.total.max(1) as f64),
            ]);
        }
        out.push_str(&table(&rows));
        out.push_str(&format!(
            "{} matching events; {} with other values, {} without {}\n",
            r.total, r.other, r.missing, a.field
        ));
    }
    super::say(&out)?;
    Ok(Outcome::Ok)
}

/// Widest a table cell may be before it is cut with `…`.
const MAX_CELL: usize = 48;

/// An aligned table; every cell sanitized and cut to [`MAX_CELL`] characters.
pub(crate) fn table<R: AsRef<[String]>>(rows: &[R]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.as_ref()
                .iter()
                .map(|c| {
                    let s = sanitize(c);
                    if s.chars().count() > MAX_CELL {
                        let mut t: String = s.chars().take(MAX_CELL - 1).collect();
                        t.push('…');
                        t
                    } else {
                        s.into_owned()
                    }
                })
                .collect()
        })
        .collect();
    let cols = cells.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            cells
                .iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in &cells {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(c);
            if i + 1 < r.len() {
                line.push_str(&" ".repeat(widths[i] - c.chars().count()));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn human_duration(ns: i64) -> String {
    let ms = ns / 1_000_000;
    match ms {
        m if m % 86_400_000 == 0 && m > 0 => format!("{}d", m / 86_400_000),
        m if m % 3_600_000 == 0 && m > 0 => format!("{}h", m / 3_600_000),
        m if m % 60_000 == 0 && m > 0 => format!("{}m", m / 60_000),
        m if m % 1000 == 0 && m > 0 => format!("{}s", m / 1000),
        m => format!("{m}ms"),
    }
}
