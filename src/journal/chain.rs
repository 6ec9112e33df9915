//! Reading the journal line by line, and checking its chain.
//!
//! Each line's `prev` must be the SHA-256 of the line before it (64 zeros for the first), and
//! seqs must count up from 0 without gaps. A line whose hash is not its successor's `prev` is
//! the first that cannot be trusted: every line before it is vouched for by the chain, it is
//! not (it was altered, or the successor's `prev` was). The last line is vouched for by
//! nothing but the head a reader recorded (`trailscope journal --verify` prints it).

use std::io::{BufRead, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;

use super::{Entry, MAX_LINE_BYTES};
use crate::segment::{Hash32, sha256};

/// The outcome of [`verify`](super::verify).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalReport {
    /// The journal file.
    pub path: PathBuf,
    /// Lines in the file (including any after a problem).
    pub lines: u64,
    /// Entries the chain vouches for: all of them when intact, else those before the problem.
    pub entries: u64,
    /// Chain hash (SHA-256, hex) of the last vouched-for line; 64 zeros when there is none.
    pub head: String,
    /// The first line that cannot be trusted, if any.
    pub problem: Option<JournalProblem>,
}

impl JournalReport {
    /// Whether every line checks out.
    pub fn is_intact(&self) -> bool {
        self.problem.is_none()
    }
}

/// Where and why the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalProblem {
    /// Line number (1-based) of the first line that cannot be trusted.
    pub line: u64,
    /// What is wrong, in words.
    pub reason: String,
}

/// Calls `f(line number, bytes without LF, whether the line ended with LF)` for each line of
/// `path` (nothing when the file does not exist). Lines over [`MAX_LINE_BYTES`] are cut there.
pub(super) fn each_line(
    path: &Path,
    mut f: impl FnMut(u64, &[u8], bool) -> ControlFlow<()>,
) -> anyhow::Result<()> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let mut r = std::io::BufReader::new(file);
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        let got = Read::by_ref(&mut r)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
        if got == 0 {
            return Ok(());
        }
        n += 1;
        let complete = buf.last() == Some(&b'\n');
        if complete {
            buf.pop();
        } else if buf.len() > MAX_LINE_BYTES {
            // Skip the rest of the overlong line so the next call starts at the next one.
            let mut rest = Vec::new();
            r.read_until(b'\n', &mut rest)
                .with_context(|| format!("reading {}", path.display()))?;
            let complete = rest.last() == Some(&b'\n');
            if f(n, &buf, complete).is_break() {
                return Ok(());
            }
            continue;
        }
        if f(n, &buf, complete).is_break() {
            return Ok(());
        }
    }
}

/// Checks one line against the chain so far; `Err((line, reason))` names the first line that
/// cannot be trusted (the line itself, or the one before it when the link between them fails).
fn check_line(
    n: u64,
    line: &[u8],
    complete: bool,
    want_seq: u64,
    want_prev: Hash32,
) -> Result<Entry, (u64, String)> {
    let bad = |reason: String| Err((n, reason));
    if line.len() > MAX_LINE_BYTES {
        return bad(format!("longer than {MAX_LINE_BYTES} bytes"));
    }
    if !complete {
        return bad("incomplete: no LF at its end (an append was interrupted?)".into());
    }
    if line.is_empty() {
        return bad("empty line".into());
    }
    let e: Entry = match serde_json::from_slice(line) {
        Ok(e) => e,
        Err(err) => return bad(format!("not a journal entry: {err}")),
    };
    if e.seq != want_seq {
        return bad(if n == 1 {
            format!(
                "the first entry has seq {}, not 0 (the journal's beginning is missing?)",
                e.seq
            )
        } else if e.seq > want_seq {
            let missing = e.seq - want_seq;
            let noun = if missing == 1 { "entry" } else { "entries" };
            format!(
                "seq {} where {want_seq} was expected: {missing} {noun} missing before this line",
                e.seq
            )
        } else {
            format!(
                "seq {} where {want_seq} was expected: lines repeated or out of order",
                e.seq
            )
        });
    }
    let Some(prev) = Hash32::from_hex(&e.prev) else {
        return bad(format!("prev {:?} is not 64 lower-case hex digits", e.prev));
    };
    if let Err(err) = crate::event::time::parse_rfc3339_ns(&e.time) {
        return bad(format!("time: {err}"));
    }
    if e.kind.is_empty() {
        return bad("kind is empty".into());
    }
    if prev != want_prev {
        if n == 1 {
            return bad(
                "prev of the first entry is not 64 zeros (the journal's beginning is missing?)"
                    .into(),
            );
        }
        return Err((
            n - 1,
            format!(
                "its SHA-256 {} is not the prev {} of line {n}: line {} was altered (or line {n}'s prev was)",
                want_prev.to_hex(),
                e.prev,
                n - 1
            ),
        ));
    }
    Ok(e)
}

/// Checks the chain of the journal at `path`.
pub(super) fn verify_file(path: &Path) -> anyhow::Result<JournalReport> {
    let mut report = JournalReport {
        path: path.to_path_buf(),
        lines: 0,
        entries: 0,
        head: Hash32::ZERO.to_hex(),
        problem: None,
    };
    // Chain hash of the last good line, and of the one before it (the head when the link
    // after the last good line turns out broken).
    let (mut head, mut before) = (Hash32::ZERO, Hash32::ZERO);
    let mut want_seq = 0;
    each_line(path, |n, line, complete| {
        report.lines = n;
        if report.problem.is_some() {
            return ControlFlow::Continue(());
        }
        match check_line(n, line, complete, want_seq, head) {
            Ok(e) => {
                before = head;
                head = sha256(line);
                want_seq = e.seq + 1;
            }
            Err((bad, reason)) => {
                if bad < n {
                    head = before;
                }
                report.problem = Some(JournalProblem { line: bad, reason });
            }
        }
        ControlFlow::Continue(())
    })?;
    report.entries = match &report.problem {
        Some(p) => p.line - 1,
        None => report.lines,
    };
    report.head = head.to_hex();
    Ok(report)
}

/// Every entry of the journal at `path`, in file order, without checking the chain; a line
/// that is not an entry is an error naming it.
pub(super) fn read_entries(path: &Path) -> anyhow::Result<Vec<Entry>> {
    let mut out = Vec::new();
    let mut failure = None;
    each_line(path, |n, line, complete| {
        let parsed = if !complete {
            Err("incomplete (no LF at its end)".to_string())
        } else if line.len() > MAX_LINE_BYTES {
            Err(format!("longer than {MAX_LINE_BYTES} bytes"))
        } else {
            serde_json::from_slice::<Entry>(line).map_err(|e| format!("not a journal entry: {e}"))
        };
        match parsed {
            Ok(e) => {
                out.push(e);
                ControlFlow::Continue(())
            }
            Err(why) => {
                failure = Some(anyhow::anyhow!(
                    "{} line {n}: {why} (trailscope journal --verify checks the whole chain)",
                    path.display()
                ));
                ControlFlow::Break(())
            }
        }
    })?;
    match failure {
        Some(e) => Err(e),
        None => Ok(out),
    }
}
