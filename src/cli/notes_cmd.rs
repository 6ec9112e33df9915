//! `trailscope bookmarks` and `trailscope journal`: the investigator's own records, printed.

use clap::Args;
use serde::Serialize;

use super::Outcome;
use crate::bookmarks::Bookmarks;
use crate::home::trailscope_home;
use crate::store::open_store;
use crate::text::{MAX_FIELD_CHARS, json_safe, sanitize, sanitize_cut};

/// `trailscope bookmarks`.
#[derive(Args, Debug)]
pub struct BookmarksArgs {
    /// The store (as given to `pull` or `open`).
    pub store: String,
    /// Print one JSON object per bookmark (as stored).
    #[arg(long)]
    pub json: bool,
}

/// `trailscope journal`.
#[derive(Args, Debug)]
pub struct JournalArgs {
    /// Check the hash chain: exit 1 naming the first line that cannot be trusted.
    #[arg(long)]
    pub verify: bool,
    /// Print JSON: one object per entry (with --verify: the report).
    #[arg(long)]
    pub json: bool,
    /// List only entries about this store (--verify always checks the whole journal).
    #[arg(long)]
    pub store: Option<String>,
}

/// Widest a detail summary may be before it is cut with `…`.
const MAX_DETAIL: usize = 100;

fn json_line<T: Serialize>(v: &T) -> anyhow::Result<String> {
    let text = serde_json::to_string(v)?;
    Ok(format!("{}\n", json_safe(&text)))
}

/// Runs `bookmarks`.
pub fn bookmarks(a: BookmarksArgs) -> anyhow::Result<Outcome> {
    let location = open_store(&a.store)?.location();
    let list = Bookmarks::load(&trailscope_home()?, &location)?;
    let mut out = String::new();
    if a.json {
        for b in list.items() {
            out.push_str(&json_line(b)?);
        }
        super::say(&out)?;
        return Ok(Outcome::Ok);
    }
    if list.items().is_empty() {
        super::say(&format!(
            "no bookmarks for {} (press m on an event in the console to add one)\n",
            sanitize(&location)
        ))?;
        return Ok(Outcome::Ok);
    }
    let mut rows =
        vec![["TIME", "SEQ:POS", "ACTOR", "ACTION", "RESOURCE", "OUTCOME"].map(String::from)];
    for b in list.items() {
        rows.push([
            crate::event::time::format_ns(b.time_ns),
            format!("{}:{}", b.seq, b.pos),
            b.actor.clone(),
            b.action.clone(),
            b.resource.clone(),
            b.outcome.clone(),
        ]);
    }
    let lines = aligned(&rows);
    out.push_str(&lines[0]);
    for (b, line) in list.items().iter().zip(&lines[1..]) {
        out.push_str(line);
        // The note under its event, every line of it indented (line breaks kept, everything
        // else that could steer a terminal escaped).
        for l in b.note.lines() {
            out.push_str(&format!("    {}\n", sanitize(l)));
        }
    }
    out.push_str(&format!(
        "{} bookmarks ({})\n",
        list.items().len(),
        sanitize(&list.path().display().to_string())
    ));
    super::say(&out)?;
    Ok(Outcome::Ok)
}

/// Rows as aligned lines (each ending with LF), every cell sanitized and cut to
/// [`MAX_FIELD_CHARS`] (event fields come from the store and can be any length).
fn aligned<R: AsRef<[String]>>(rows: &[R]) -> Vec<String> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.as_ref()
                .iter()
                .map(|c| sanitize_cut(c, MAX_FIELD_CHARS).into_owned())
                .collect()
        })
        .collect();
    let cols = cells.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            let w = cells.iter().filter_map(|r| r.get(i));
            w.map(|c| c.chars().count()).max().unwrap_or(0)
        })
        .collect();
    cells
        .iter()
        .map(|r| {
            let mut line = String::new();
            for (i, c) in r.iter().enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(c);
                line.push_str(&" ".repeat(widths[i] - c.chars().count()));
            }
            format!("{}\n", line.trim_end())
        })
        .collect()
}

/// Runs `journal`.
pub fn journal(a: JournalArgs) -> anyhow::Result<Outcome> {
    let home = trailscope_home()?;
    if a.verify {
        let r = crate::journal::verify(&home)?;
        let shown = sanitize(&r.path.display().to_string()).into_owned();
        let text = match (&r.problem, a.json) {
            (_, true) => json_line(&r)?,
            (None, false) => format!(
                "journal intact: {} entries, head {}\n  ({shown})\n",
                r.entries, r.head
            ),
            (Some(p), false) => format!(
                "journal BROKEN at line {}: {}\n  lines 1-{} are intact (head {}); {} lines in {shown}\n",
                p.line,
                sanitize(&p.reason),
                p.line - 1,
                r.head,
                r.lines
            ),
        };
        super::say(&text)?;
        return Ok(if r.is_intact() {
            Outcome::Ok
        } else {
            Outcome::Problems
        });
    }
    let location = a
        .store
        .as_deref()
        .map(|s| open_store(s).map(|st| st.location()))
        .transpose()?;
    let all = crate::journal::entries(&home)?;
    let shown: Vec<_> = all
        .iter()
        .filter(|e| location.as_ref().is_none_or(|l| &e.store == l))
        .collect();
    let mut out = String::new();
    if a.json {
        for e in &shown {
            out.push_str(&json_line(e)?);
        }
    } else if shown.is_empty() {
        let path = crate::journal::journal_path(&home);
        out.push_str(&match &location {
            Some(l) => format!(
                "no journal entries about {} (of {})\n",
                sanitize(l),
                all.len()
            ),
            None => format!(
                "the journal is empty ({}): searches, pivots, reveals and exports made in \
                 trailscope are recorded there\n",
                sanitize(&path.display().to_string())
            ),
        });
    } else {
        let mut rows = vec![["SEQ", "TIME", "KIND", "STORE", "DETAIL"].map(String::from)];
        for e in &shown {
            rows.push([
                e.seq.to_string(),
                e.time.clone(),
                e.kind.clone(),
                e.store.clone(),
                summary(&e.detail),
            ]);
        }
        for line in aligned(&rows) {
            out.push_str(&line);
        }
        out.push_str(&format!(
            "{} of {} entries ({}; `trailscope journal --verify` checks the chain)\n",
            shown.len(),
            all.len(),
            sanitize(&crate::journal::journal_path(&home).display().to_string())
        ));
    }
    super::say(&out)?;
    Ok(Outcome::Ok)
}

/// A detail on one line: `key=value …` for an object (strings bare, other values as JSON),
/// else compact JSON; cut to [`MAX_DETAIL`] characters.
fn summary(detail: &serde_json::Value) -> String {
    let text = match detail {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    };
    if text.chars().count() > MAX_DETAIL {
        let mut t: String = text.chars().take(MAX_DETAIL - 1).collect();
        t.push('…');
        t
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_summaries() {
        let d = serde_json::json!({"query": "actor:mallory", "from": null, "limit": 50});
        assert_eq!(summary(&d), "query=actor:mallory from=null limit=50");
        assert_eq!(summary(&serde_json::json!("x")), "\"x\"");
        let long = serde_json::json!({"q": "z".repeat(300)});
        assert_eq!(summary(&long).chars().count(), MAX_DETAIL);
        assert!(summary(&long).ends_with('…'));
    }

    #[test]
    fn aligned_columns_are_sanitized() {
        let rows = vec![
            vec!["A".to_string(), "B".to_string()],
            vec!["long\u{1b}".to_string(), "x".to_string()],
        ];
        assert_eq!(aligned(&rows), vec!["A           B\n", "long\\u{1B}  x\n"]);
    }

    #[test]
    fn aligned_cells_are_cut_with_a_marker() {
        let long = format!("{}\u{202E}", "a".repeat(MAX_FIELD_CHARS + 50));
        let rows = vec![vec!["ACTOR".to_string()], vec![long]];
        let lines = aligned(&rows);
        let want = format!("{}…[+51 chars]\n", "a".repeat(MAX_FIELD_CHARS));
        assert_eq!(lines[1], want);
    }
}
