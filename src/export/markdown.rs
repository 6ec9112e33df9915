//! The Markdown export: a postmortem-ready timeline table and an integrity statement saying
//! what the events rest on and how to check it again.

use std::fmt::Write as _;

use crate::event::time::TimeNs;

use super::escape::{md_cell, shell_word};
use super::evidence::Evidence;
use super::{ExportMeta, Source};

/// Table cell of an event attested by the checkpoint.
pub const SIGNED_CELL: &str = "yes";
/// Table cell of an event of the unsigned tail.
pub const UNSIGNED_CELL: &str = "unsigned tail";

/// `t` as `YYYY-MM-DD HH:MM:SS.mmm` (UTC).
pub fn utc(t: TimeNs) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_nanos(t)
        .format("%Y-%m-%d %H:%M:%S%.3f")
        .to_string()
}

/// Renders the timeline and the integrity statement.
pub fn render(ev: &Evidence, meta: &ExportMeta) -> String {
    let origin = ev.head.origin.as_deref().unwrap_or("?");
    let mut out = String::new();
    let _ = writeln!(out, "# Audit timeline: {}\n", md_cell(origin));
    let _ = writeln!(out, "{}\n", selection_line(ev, meta));
    out.push_str("| Time (UTC) | Actor | Action | Resource | Outcome | Note | Verified |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- | --- |\n");
    for i in &ev.items {
        let e = &i.event;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            utc(e.time),
            md_cell(&e.actor),
            md_cell(&e.action),
            md_cell(&e.resource),
            md_cell(e.outcome.as_str()),
            md_cell(&i.note),
            if i.signed { SIGNED_CELL } else { UNSIGNED_CELL },
        );
    }
    out.push('\n');
    out.push_str(&statement(ev, meta));
    out
}

fn selection_line(ev: &Evidence, meta: &ExportMeta) -> String {
    let what = match &meta.request.source {
        Source::Bookmarks => "The bookmarked events".to_string(),
        Source::Query(f) => {
            let mut s = format!("Events matching the query {}", md_cell(&f.query));
            if let Some(from) = f.from {
                let _ = write!(s, " from {} UTC", utc(from));
            }
            if let Some(to) = f.to {
                let _ = write!(s, " until {} UTC (exclusive)", utc(to));
            }
            s
        }
    };
    format!(
        "{what}, oldest first: {} of {} matched.",
        ev.items.len(),
        meta.matched
    )
}

/// The integrity statement: store, verified head, checkpoint, signer, counts, how to re-verify.
fn statement(ev: &Evidence, meta: &ExportMeta) -> String {
    let mut s = String::from("## Integrity\n\n");
    let h = &ev.head;
    let _ = writeln!(
        s,
        "- Store: {} (origin {})",
        md_cell(&ev.store),
        md_cell(h.origin.as_deref().unwrap_or("?"))
    );
    match (h.segments.checked_sub(1), &h.head_hash) {
        (Some(seq), Some(hash)) => {
            let _ = writeln!(
                s,
                "- Verified head: segment {seq} ({} segments, {} events pulled), chain hash `{}`",
                h.segments,
                h.events,
                md_cell(hash)
            );
        }
        _ => s.push_str("- Verified head: nothing pulled\n"),
    }
    match (&ev.anchor, &ev.anchor_error) {
        (Some(a), _) => {
            let _ = writeln!(
                s,
                "- Checkpoint: size {} (segments 0 to {}), signed {}, chain hash `{}`",
                a.size(),
                a.size() - 1,
                md_cell(&a.checkpoint.time),
                a.checkpoint.hash.to_hex()
            );
            let _ = writeln!(
                s,
                "- Signer: {}, key fingerprint (SHA-256 of the verifier key) `{}`",
                md_cell(&a.signer_short()),
                a.signer_fingerprint()
            );
        }
        (None, Some(e)) => {
            let _ = writeln!(
                s,
                "- Checkpoint: could not be read now ({}); events are marked as the pull verified them",
                md_cell(e)
            );
        }
        (None, None) => s.push_str(
            "- Checkpoint: none: the store has no signed checkpoint over these segments, so no event is verified by a signature\n",
        ),
    }
    let unsigned = ev.items.iter().filter(|i| !i.signed).count();
    let masked = ev.items.iter().filter(|i| i.masked).count();
    let _ = writeln!(
        s,
        "- Events: {} exported, {} attested by the signed checkpoint, {} from the unsigned tail (chained after the checkpoint but not covered by a signature: **not verified**)",
        ev.items.len(),
        ev.items.len() - unsigned,
        unsigned
    );
    if meta.request.reveal {
        s.push_str("- Redaction: none (exported with --reveal)\n");
    } else {
        let _ = writeln!(
            s,
            "- Redaction: values masked in {masked} events (export with --reveal to show them)"
        );
    }
    if let Some(note) = &meta.coverage_note {
        let _ = writeln!(s, "- Note: {}", md_cell(note));
    }
    let _ = writeln!(
        s,
        "- Exported: {}; the local verified copies were checked against this head then",
        md_cell(&meta.exported_at)
    );
    s.push_str(
        "\nTo check it again (the key from a trusted channel, not from the store):\n\n```sh\n",
    );
    for line in reverify_commands(ev, meta).lines() {
        s.push_str(&crate::text::sanitize(line));
        s.push('\n');
    }
    s.push_str("```\n");
    s
}

/// The commands that re-verify the store and prove a JSON export of the same events.
pub fn reverify_commands(ev: &Evidence, meta: &ExportMeta) -> String {
    let key = ev
        .anchor
        .as_ref()
        .map(|a| {
            let name = a.signer_short();
            let name = name.split('+').next().unwrap_or("signer").replace('/', "_");
            format!("{name}.pub")
        })
        .unwrap_or_else(|| "SIGNER.pub".into());
    let key = shell_word(&key);
    let store = shell_word(&ev.store);
    let selection = match &meta.request.source {
        Source::Bookmarks => "--bookmarks".to_string(),
        Source::Query(f) => {
            let mut s = format!("--query {}", shell_word(&f.query));
            if let Some(from) = f.from {
                let _ = write!(s, " --from {}", crate::event::time::format_ns(from));
            }
            if let Some(to) = f.to {
                let _ = write!(s, " --to {}", crate::event::time::format_ns(to));
            }
            s
        }
    };
    let limit = if meta.matched > ev.items.len() as u64 {
        format!(" --limit {}", meta.request.limit)
    } else {
        String::new()
    };
    format!(
        "trailscope verify {store} --pubkey {key}\n\
         trailscope export {store} {selection}{limit} --format json -o EXPORT.json\n\
         trailscope prove EXPORT.json --pubkey {key}\n"
    )
}
