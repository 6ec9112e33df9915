//! Exports of a pulled store's events for postmortems and evidence, and the offline check of a
//! JSON export.
//!
//! Data flow: [`select`] picks the events (a query on the local index, or the store's
//! bookmarks); [`evidence`] reads their lines from the local verified segment copies, re-checks
//! those copies against the pulled head, builds each event's Merkle inclusion proof and finds the
//! signed checkpoint that attests them ([`anchor`]); [`masking`] masks what the redaction config
//! says unless the user reveals it; then one of [`markdown`], [`bundle`] (JSON evidence) or
//! [`csv`] renders the result. [`prove`] checks a JSON bundle with nothing but the bundle and a
//! key: `docs/FORMAT.md` ("Export bundles") is the bundle's normative description.
//!
//! Events of the unsigned tail (chained after the newest checkpoint, not covered by a
//! signature) are exported too, but marked as such in every format, never as verified.
//!
//! Nothing here touches the network, except that the checkpoint note is read from the store
//! (the pull keeps no copy of it): for a remote store, call [`export`] off any async runtime.

pub mod anchor;
pub mod bundle;
pub mod csv;
pub mod error;
pub mod escape;
pub mod evidence;
pub mod markdown;
pub mod masking;
pub mod proof_report;
pub mod prove;
pub mod select;

use std::path::Path;
use std::str::FromStr;

use crate::event::time::format_ns;
use crate::mask::Masker;
use crate::query::{Filter, Workspace};

pub use error::{ExportError, ProveError};
pub use prove::{ProofReport, Verdict, check_bundle};

/// Which events to export.
#[derive(Clone, Debug)]
pub enum Source {
    /// The store's bookmarks, in time order, with their notes.
    Bookmarks,
    /// The events matching a query (oldest first); bookmarked ones carry their notes.
    Query(Filter),
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A postmortem timeline table with an integrity statement.
    Markdown,
    /// The JSON evidence bundle (`trailscope-export/v1`), checkable with `trailscope prove`.
    Json,
    /// RFC 4180 CSV for spreadsheets, formula-injection safe.
    Csv,
}

impl Format {
    /// The usual file extension (`md`, `json`, `csv`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            other => Err(format!(
                "unknown export format {other:?} (use md, json or csv)"
            )),
        }
    }
}

/// What to export and how.
#[derive(Clone, Debug)]
pub struct ExportRequest {
    /// Which events.
    pub source: Source,
    /// Output format.
    pub format: Format,
    /// Show masked values as they are (`--reveal`).
    pub reveal: bool,
    /// At most this many events (capped at [`MAX_EXPORT_EVENTS`]).
    pub limit: usize,
}

/// Most events one export holds: a JSON bundle carries a proof per event, and the whole text
/// is built in memory.
pub const MAX_EXPORT_EVENTS: usize = 100_000;

/// The rendered export and what it holds.
#[derive(Clone, Debug)]
pub struct Exported {
    /// The text to write (Markdown, JSON or CSV).
    pub text: String,
    /// Events exported.
    pub events: usize,
    /// Events with at least one masked value.
    pub masked: usize,
    /// Of the events, how many are from the unsigned tail (not attested by a checkpoint).
    pub unsigned: usize,
    /// Events matched (by the query, or bookmarked) but left out: beyond the limit, or
    /// bookmarks whose event is no longer in the local index.
    pub left_out: u64,
}

/// Facts about the export itself that every format states.
#[derive(Clone, Debug)]
pub struct ExportMeta {
    /// When the export was made (RFC 3339 UTC).
    pub exported_at: String,
    /// The request.
    pub request: ExportRequest,
    /// Events matched by the selection (before the limit).
    pub matched: u64,
    /// Why the selection may be incomplete (index coverage), when it is.
    pub coverage_note: Option<String>,
}

/// Exports the events `req` selects from the store pulled at `location` under `home`.
///
/// Masks with `masker` unless `req.reveal`. Does not write the journal: the caller records the
/// export with [`record_in_journal`] once it knows where the text went.
pub fn export(
    home: &Path,
    location: &str,
    req: &ExportRequest,
    masker: &Masker,
) -> Result<Exported, ExportError> {
    let ws = Workspace::open(home, location)?;
    let bookmarks = crate::bookmarks::Bookmarks::load(home, location)?;
    let selection = select::select(&ws, &bookmarks, &req.source, req.limit)?;
    let mut ev = evidence::gather(home, &ws, &selection.wanted, req.format == Format::Json)?;
    let masked = if req.reveal {
        0
    } else {
        masking::mask_all(&mut ev.items, masker)
    };
    let meta = ExportMeta {
        exported_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        request: req.clone(),
        matched: selection.matched,
        coverage_note: selection.coverage_note,
    };
    let text = match req.format {
        Format::Markdown => markdown::render(&ev, &meta),
        Format::Json => bundle::render(&bundle::build(&ev, &meta))?,
        Format::Csv => csv::render(&ev),
    };
    let events = ev.items.len();
    Ok(Exported {
        text,
        events,
        masked,
        unsigned: ev.items.iter().filter(|i| !i.signed).count(),
        left_out: selection.matched.saturating_sub(events as u64),
    })
}

/// Appends the export to the investigator's journal: what was selected, how many events, the
/// format, where it went (`output`: a path, or `-` for standard output) and whether masked
/// values were revealed.
pub fn record_in_journal(
    home: &Path,
    location: &str,
    req: &ExportRequest,
    exported: &Exported,
    output: &str,
) -> anyhow::Result<()> {
    let (what, query, from, to) = match &req.source {
        Source::Bookmarks => ("bookmarks", None, None, None),
        Source::Query(f) => (
            "query",
            Some(f.query.clone()),
            f.from.map(format_ns),
            f.to.map(format_ns),
        ),
    };
    crate::journal::append(
        home,
        location,
        "export",
        serde_json::json!({
            "what": what,
            "query": query,
            "from": from,
            "to": to,
            "format": req.format.extension(),
            "events": exported.events,
            "unsigned": exported.unsigned,
            "masked": exported.masked,
            "revealed": req.reveal,
            "output": output,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_by_name() {
        assert_eq!("md".parse::<Format>(), Ok(Format::Markdown));
        assert_eq!("Markdown".parse::<Format>(), Ok(Format::Markdown));
        assert_eq!("json".parse::<Format>(), Ok(Format::Json));
        assert_eq!("csv".parse::<Format>(), Ok(Format::Csv));
        assert!("pdf".parse::<Format>().is_err());
        assert_eq!(Format::Csv.extension(), "csv");
    }
}
