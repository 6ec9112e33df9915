//! The query list of `bench/run` (`bench/queries.tsv`): one query a line, tab-separated, with
//! its time window, the facet field asked for it and its SQL form for lnav (unused here).

use std::path::Path;

use anyhow::{Context, bail};
use trailscope::query::{Filter, now_ns, parse_time_arg};

/// One line of the list.
#[derive(Clone, Debug)]
pub struct Query {
    /// Line number in the file (1-based), for error messages and the report.
    pub line: usize,
    /// Tantivy query text.
    pub query: String,
    /// `--from`, when given.
    pub from: Option<String>,
    /// `--to`, when given.
    pub to: Option<String>,
    /// Field of the facets request.
    pub facet: String,
}

impl Query {
    /// The library's filter for this query.
    pub fn filter(&self) -> anyhow::Result<Filter> {
        let now = now_ns();
        let t = |s: &Option<String>| -> anyhow::Result<Option<i64>> {
            s.as_deref()
                .map(|s| {
                    parse_time_arg(s, now)
                        .map_err(|e| anyhow::anyhow!("line {}: time {s:?}: {e}", self.line))
                })
                .transpose()
        };
        Ok(Filter {
            query: self.query.clone(),
            from: t(&self.from)?,
            to: t(&self.to)?,
        })
    }
}

/// Reads the list: `#` lines are comments, the first other line is the header.
pub fn read(path: &Path) -> anyhow::Result<Vec<Query>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let dash = |s: &str| (s != "-" && !s.is_empty()).then(|| s.to_string());
    let mut out = Vec::new();
    let mut header = true;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if std::mem::take(&mut header) {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 5 {
            bail!(
                "{}:{}: {} tab-separated columns, expected 5 (query, from, to, facet, sql)",
                path.display(),
                i + 1,
                cols.len()
            );
        }
        out.push(Query {
            line: i + 1,
            query: cols[0].to_string(),
            from: dash(cols[1]),
            to: dash(cols[2]),
            facet: cols[3].to_string(),
        });
    }
    if out.is_empty() {
        bail!("{}: no queries", path.display());
    }
    Ok(out)
}
