//! `trailscope export` and `trailscope prove`: write what the library's export renders, and
//! print what its offline proof check finds.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;

use super::Outcome;
use crate::export::{ExportRequest, Format, Source, check_bundle, record_in_journal};
use crate::home::trailscope_home;
use crate::mask::Masker;
use crate::query::{Filter, now_ns, parse_time_arg};
use crate::store::open_store;
use crate::text::sanitize;

/// `trailscope export`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("events").required(true).args(["bookmarks", "query"])))]
pub struct ExportArgs {
    /// The store (as given to `pull`; only its local index and verified copies are read, plus
    /// the checkpoint note).
    pub store: String,
    /// Export the store's bookmarked events, with their notes.
    #[arg(long)]
    pub bookmarks: bool,
    /// Export the events matching this query (Tantivy syntax; `*` for all), oldest first.
    #[arg(long, short = 'q', allow_hyphen_values = true)]
    pub query: Option<String>,
    /// Earliest time (inclusive): RFC 3339, `now`, or relative (`-15m`, `-2h`, `-7d`).
    #[arg(long, allow_hyphen_values = true, requires = "query")]
    pub from: Option<String>,
    /// Latest time (exclusive), same forms as --from.
    #[arg(long, allow_hyphen_values = true, requires = "query")]
    pub to: Option<String>,
    /// `md` (postmortem timeline), `json` (evidence bundle for `trailscope prove`) or `csv`.
    #[arg(long, default_value = "md", value_parser = clap::value_parser!(Format))]
    pub format: Format,
    /// Write to FILE (mode 0600) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not mask the fields the config's `redact` list (and the default rules) mask.
    #[arg(long)]
    pub reveal: bool,
    /// At most N events.
    #[arg(long, default_value_t = 10_000)]
    pub limit: usize,
}

/// `trailscope prove`.
#[derive(clap::Args, Debug)]
pub struct ProveArgs {
    /// A JSON export (`trailscope export … --format json`).
    pub bundle: PathBuf,
    /// The checkpoint signer's key (NAME.pub file or the key string), from a trusted channel;
    /// without it the key inside the bundle is used, which proves only self-consistency.
    #[arg(long)]
    pub pubkey: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `export`.
pub fn export(a: ExportArgs) -> anyhow::Result<Outcome> {
    let home = trailscope_home()?;
    let location = open_store(&a.store)?.location();
    let source = match &a.query {
        Some(q) if !a.bookmarks => {
            let now = now_ns();
            let t = |s: &Option<String>, what: &str| -> anyhow::Result<Option<i64>> {
                s.as_deref()
                    .map(|s| parse_time_arg(s, now).map_err(|e| anyhow::anyhow!("{what}: {e}")))
                    .transpose()
            };
            Source::Query(Filter {
                query: q.clone(),
                from: t(&a.from, "--from")?,
                to: t(&a.to, "--to")?,
            })
        }
        _ => Source::Bookmarks,
    };
    let config = crate::tui::config::Config::load_default()
        .context("reading the config (its redact list says what to mask)")?;
    let masker = Masker::new(&config.redact);
    let req = ExportRequest {
        source,
        format: a.format,
        reveal: a.reveal,
        limit: a.limit,
    };
    let exported = crate::export::export(&home, &location, &req, &masker)?;
    let output = a
        .output
        .as_ref()
        .map_or_else(|| "-".to_string(), |p| p.display().to_string());
    // Recorded before anything is written: an export the journal does not know never leaves.
    record_in_journal(&home, &location, &req, &exported, &output)
        .context("recording the export in the journal")?;
    match &a.output {
        Some(path) => write_private(path, exported.text.as_bytes())?,
        None => super::say(&for_stdout(&exported.text, a.format))?,
    }
    eprintln!(
        "trailscope: exported {} events ({} from the unsigned tail, {} with masked values{}) to {}",
        exported.events,
        exported.unsigned,
        exported.masked,
        if exported.left_out > 0 {
            format!("; {} more matched but were left out", exported.left_out)
        } else {
            String::new()
        },
        sanitize(&output)
    );
    Ok(Outcome::Ok)
}

/// CSV keeps the data as it is; on a terminal its cells are sanitized (Markdown and JSON are
/// terminal-safe already).
fn for_stdout(text: &str, format: Format) -> String {
    if format != Format::Csv || !std::io::stdout().is_terminal() {
        return text.to_string();
    }
    text.split("\r\n")
        .map(|l| sanitize(l).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// Writes `bytes` to `path`, readable by the owner only (an export may hold revealed values).
fn write_private(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.flush())
        .with_context(|| format!("writing {}", path.display()))
}

/// Runs `prove`.
pub fn prove(a: ProveArgs) -> anyhow::Result<Outcome> {
    let key = a
        .pubkey
        .as_deref()
        .map(super::verify_cmd::load_pubkey)
        .transpose()?;
    let bytes =
        std::fs::read(&a.bundle).with_context(|| format!("reading {}", a.bundle.display()))?;
    let report =
        check_bundle(&bytes, key.as_ref()).with_context(|| format!("{}", a.bundle.display()))?;
    if a.json {
        let text = serde_json::to_string(&report)?;
        super::say(&format!("{}\n", crate::text::json_safe(&text)))?;
    } else {
        super::say(&report.to_human())?;
    }
    Ok(if report.is_ok() {
        Outcome::Ok
    } else {
        Outcome::Problems
    })
}
