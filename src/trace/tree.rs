//! A trace as a tree: parent/child rows in display order ([`Trace::tree`]) and the plain-text
//! span tree printed by `trailscope trace` ([`render_tree`]).

use std::collections::HashMap;
use std::fmt::Write;

use serde::Serialize;

use super::model::{Span, SpanStatus, Trace};
use crate::text::{MAX_FIELD_CHARS, sanitize_cut};

/// Deepest level indented in [`render_tree`]: deeper rows keep this indentation and say their
/// depth, so a hostile million-span chain prints in linear, not quadratic, space.
const MAX_INDENT_DEPTH: usize = 32;

/// One row of a trace's tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TreeRow {
    /// 0 for a root, 1 for its children, …
    pub depth: usize,
    /// Index into [`Trace::spans`].
    pub span: usize,
}

impl Trace {
    /// Depth-first rows: roots first (spans whose parent is absent or not in the trace: an
    /// orphan is a root, never dropped), children ordered by start time. Every span is listed
    /// exactly once: spans caught in a parent cycle (which no root reaches) are listed after the
    /// real roots, each cycle starting at its earliest span; a span id used twice takes its
    /// children under its first copy.
    ///
    /// Iterative, so a chain of a million spans cannot overflow the stack.
    pub fn tree(&self) -> Vec<TreeRow> {
        let n = self.spans.len();
        let mut first_with_id: HashMap<&str, usize> = HashMap::with_capacity(n);
        for (i, s) in self.spans.iter().enumerate() {
            first_with_id.entry(s.span_id.as_str()).or_insert(i);
        }
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, s) in self.spans.iter().enumerate() {
            let parent = s
                .parent_span_id
                .as_deref()
                .and_then(|p| first_with_id.get(p).copied())
                .filter(|&p| p != i);
            match parent {
                Some(p) => children[p].push(i),
                None => roots.push(i),
            }
        }
        let by_start = |&i: &usize| (self.spans[i].start, i);
        roots.sort_by_key(by_start);
        for c in &mut children {
            c.sort_by_key(by_start);
        }

        let mut rows = Vec::with_capacity(n);
        let mut listed = vec![false; n];
        let mut walk = |root: usize, rows: &mut Vec<TreeRow>| {
            let mut stack = vec![(root, 0usize)];
            while let Some((i, depth)) = stack.pop() {
                if std::mem::replace(&mut listed[i], true) {
                    continue;
                }
                rows.push(TreeRow { depth, span: i });
                stack.extend(children[i].iter().rev().map(|&c| (c, depth + 1)));
            }
        };
        for &r in &roots {
            walk(r, &mut rows);
        }
        if rows.len() < n {
            // Only cycles are left: every unlisted span has a parent in the trace.
            let mut rest: Vec<usize> = (0..n).collect();
            rest.sort_by_key(by_start);
            for i in rest {
                walk(i, &mut rows);
            }
        }
        rows
    }
}

/// The span tree as text for a terminal: a header line (id, span and service counts, duration,
/// `ERROR` when a span failed), then one line per span indented two spaces per depth: offset
/// from the trace start, duration, service (`unknown` when empty), name, `[kind]`, and
/// `ERROR: message` for a failed span (a row deeper than 32 levels keeps the 32nd level's
/// indentation and starts with `(depth N)`). Names, services and messages pass through
/// [`sanitize_cut`] (cut at [`MAX_FIELD_CHARS`], messages at twice that). Every line ends with `\n`.
pub fn render_tree(trace: &Trace) -> String {
    let services = trace.services().len();
    let mut out = format!(
        "trace {}  {}  {}  {}",
        sanitize_cut(&trace.trace_id, MAX_FIELD_CHARS),
        plural(trace.spans.len(), "span"),
        plural(services, "service"),
        seconds(trace.duration())
    );
    if trace.has_error() {
        out.push_str("  ERROR");
    }
    out.push('\n');
    let start = trace.start();
    for row in trace.tree() {
        let span = &trace.spans[row.span];
        out.push_str(&"  ".repeat(row.depth.min(MAX_INDENT_DEPTH) + 1));
        if row.depth > MAX_INDENT_DEPTH {
            let _ = write!(out, "(depth {}) ", row.depth);
        }
        let _ = write!(
            out,
            "{}  {}  ",
            seconds(span.start.saturating_sub(start)),
            seconds(span.duration())
        );
        span_label(&mut out, span);
        out.push('\n');
    }
    out
}

/// `service  name  [kind]  ERROR: message` of one span.
fn span_label(out: &mut String, span: &Span) {
    let service = if span.service.is_empty() {
        "unknown"
    } else {
        &span.service
    };
    let _ = write!(
        out,
        "{}  {}",
        sanitize_cut(service, MAX_FIELD_CHARS),
        sanitize_cut(&span.name, MAX_FIELD_CHARS)
    );
    if !span.kind.is_empty() {
        let _ = write!(out, "  [{}]", sanitize_cut(&span.kind, MAX_FIELD_CHARS));
    }
    if span.status == SpanStatus::Error {
        out.push_str("  ERROR");
        if !span.status_message.is_empty() {
            let _ = write!(
                out,
                ": {}",
                sanitize_cut(&span.status_message, 2 * MAX_FIELD_CHARS)
            );
        }
    }
}

/// `n word` or `n words`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Nanoseconds as seconds with three decimals (`1.042 s`), rounded to the nearest
/// millisecond in integers (no float rounding surprises).
fn seconds(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let ms = (ns.unsigned_abs() + 500_000) / 1_000_000;
    format!("{sign}{}.{:03} s", ms / 1000, ms % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: &str, parent: Option<&str>, start: i64) -> Span {
        Span {
            trace_id: "1".repeat(32),
            span_id: id.to_string(),
            parent_span_id: parent.map(str::to_string),
            name: id.to_string(),
            service: String::new(),
            kind: String::new(),
            start,
            end: start + 1,
            status: SpanStatus::Unset,
            status_message: String::new(),
            attributes: vec![],
            events: vec![],
        }
    }

    fn rows(t: &Trace) -> Vec<(usize, &str)> {
        t.tree()
            .iter()
            .map(|r| (r.depth, t.spans[r.span].span_id.as_str()))
            .collect()
    }

    #[test]
    fn cycles_and_self_parents_are_listed_once() {
        let t = Trace::new(
            "1".repeat(32),
            vec![
                span("a", Some("b"), 5),
                span("b", Some("a"), 3),
                span("r", None, 1),
                span("s", Some("s"), 2),
            ],
        );
        assert_eq!(rows(&t), vec![(0, "r"), (0, "s"), (0, "b"), (1, "a")]);
    }

    #[test]
    fn deep_chain_does_not_overflow() {
        let n = 200_000;
        let spans = (0..n)
            .map(|i| {
                let parent = (i > 0).then(|| format!("{:016x}", i - 1));
                span(&format!("{i:016x}"), parent.as_deref(), i)
            })
            .collect();
        let t = Trace::new("1".repeat(32), spans);
        let tree = t.tree();
        assert_eq!(tree.len(), n as usize);
        assert_eq!(tree.last().unwrap().depth, n as usize - 1);
        let text = render_tree(&t);
        assert!(text.len() < 200 * n as usize, "{} bytes", text.len());
        assert!(text.ends_with(&format!(
            "(depth {}) 0.000 s  0.000 s  unknown  {:016x}\n",
            n - 1,
            n - 1
        )));
    }

    #[test]
    fn seconds_round_to_milliseconds() {
        assert_eq!(seconds(1_042_000_000), "1.042 s");
        assert_eq!(seconds(15_499_999), "0.015 s");
        assert_eq!(seconds(15_500_000), "0.016 s");
        assert_eq!(seconds(0), "0.000 s");
        assert_eq!(seconds(i64::MIN), "-9223372036.855 s");
    }
}
