//! Clap definitions for every subcommand.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::event::InputFormat;

/// trailscope: tamper-evident audit logs, verified before they are shown.
#[derive(Parser, Debug)]
#[command(name = "trailscope", version, about)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create an Ed25519 key pair for signing checkpoints.
    Keygen(KeygenArgs),
    /// Append audit events to a store as sealed segments.
    Seal(SealArgs),
    /// Check every segment and checkpoint of a store.
    Verify(VerifyArgs),
    /// Remove the pinned head and signer remembered for a store.
    Forget(ForgetArgs),
    /// Write the built-in demo store and verify it.
    Demo(DemoArgs),
    /// Fetch a store's new segments, verify them in chain order and index them locally.
    Pull(PullArgs),
    /// Search the local index of a pulled store (or run a saved query: --saved NAME).
    Search(SearchArgs),
    /// List the saved queries (shipped defaults and the config's [[queries]]).
    Queries(QueriesArgs),
    /// Poll a store, verify and index what is new, and alert on saved queries marked
    /// `alert = true` and on integrity problems (one JSON line per alert, or --exec CMD).
    Watch(WatchArgs),
    /// Count matching events per time bucket, split by outcome.
    Histogram(HistogramArgs),
    /// Top values of one field among matching events.
    Facets(FacetsArgs),
    /// Open the interactive console on a store (pulls new segments in the background).
    Open(OpenArgs),
    /// Metric series (store metrics/*.json, Prometheus queries) and their anomalies.
    Metrics(MetricsArgs),
    /// Print a trace's span tree (store traces/*.json, --otlp files, Jaeger).
    Trace(TraceArgs),
    /// Export events (a query, or the bookmarks) as a Markdown timeline, a JSON evidence bundle
    /// with proofs, or CSV.
    Export(super::export_cmd::ExportArgs),
    /// Check a JSON export offline: every event's inclusion proof, the header chain and the
    /// checkpoint signature.
    Prove(super::export_cmd::ProveArgs),
    /// List a store's bookmarks and their notes.
    Bookmarks(super::notes_cmd::BookmarksArgs),
    /// List or check the investigator's own hash-chained journal of searches, pivots, reveals
    /// and exports.
    Journal(super::notes_cmd::JournalArgs),
}

/// `trailscope metrics`.
#[derive(Args, Debug)]
pub struct MetricsArgs {
    /// The store (its metrics/*.json are read).
    pub store: String,
    /// Metric sources besides the store.
    #[command(flatten)]
    pub correlate: CorrelateArgs,
    /// Start: RFC 3339, `now`, or relative (`-15m`); default: the pulled store's first event.
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// End (exclusive), same forms; default: the pulled store's last event.
    #[arg(long, allow_hyphen_values = true)]
    pub to: Option<String>,
    /// Step of Prometheus queries (`15s`, `1m`); default: the range / 240, at least 1 s.
    #[arg(long)]
    pub step: Option<String>,
    /// Print JSON (series with every point, anomalies, errors).
    #[arg(long)]
    pub json: bool,
}

/// `trailscope trace`.
#[derive(Args, Debug)]
pub struct TraceArgs {
    /// The store (its traces/*.json are read).
    pub store: String,
    /// The trace id (32 hex digits, or a W3C traceparent).
    pub trace_id: String,
    /// Trace sources besides the store.
    #[command(flatten)]
    pub correlate: CorrelateArgs,
    /// Print the trace as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `trailscope open`.
#[derive(Args, Debug)]
pub struct OpenArgs {
    /// The store: a directory, file://…, http(s)://… or s3://bucket/prefix.
    pub store: String,
    #[command(flatten)]
    pub view: ConsoleArgs,
}

/// How the console looks and starts (shared by `open` and `demo`).
#[derive(Args, Debug, Default)]
pub struct ConsoleArgs {
    /// Accept only checkpoints signed by this key (NAME.pub file or the key string).
    #[arg(long)]
    pub pubkey: Option<String>,
    /// Theme: dark, light, high-contrast, colorblind, a theme in the config dir's themes/, or a path.
    #[arg(long)]
    pub theme: Option<String>,
    /// Config file (default: `$TRAILSCOPE_CONFIG`, else config.toml in the platform config dir).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Start of the window: RFC 3339, `now`, or relative (`-15m`, `-2h`, `-7d`).
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// End of the window (exclusive), same forms as --from.
    #[arg(long, allow_hyphen_values = true)]
    pub to: Option<String>,
    /// Initial query (Tantivy syntax).
    #[arg(long, short = 'q', default_value = "")]
    pub query: String,
    /// Do not pull: show only what is already indexed.
    #[arg(long)]
    pub offline: bool,
    /// Keep pulling while open: newly sealed segments are verified and appear live.
    #[arg(long, conflicts_with = "offline")]
    pub follow: bool,
    /// Time between two pulls with --follow (`5s`, `1m`).
    #[arg(long, default_value = "5s", requires = "follow")]
    pub interval: String,
    /// Metrics and traces shown beside the events.
    #[command(flatten)]
    pub correlate: CorrelateArgs,
}

/// Where metrics and traces come from (shared by `open`, `demo`, `metrics` and `trace`).
#[derive(Args, Debug, Default, Clone)]
pub struct CorrelateArgs {
    /// Prometheus-compatible API for --metric queries (default: `prometheus` in the config).
    #[arg(long, value_name = "URL")]
    pub prometheus: Option<String>,
    /// A metric to show: `LABEL=PROMQL` (repeatable; replaces the config's [[metrics]]).
    #[arg(long = "metric", value_name = "LABEL=PROMQL")]
    pub metrics: Vec<crate::metrics::PromQuery>,
    /// OTLP JSON file of traces (one ExportTraceServiceRequest per line; repeatable), besides
    /// the store's traces/*.json.
    #[arg(long, value_name = "FILE")]
    pub otlp: Vec<PathBuf>,
    /// Jaeger-compatible query API for traces not found in files (default: `jaeger` in the
    /// config).
    #[arg(long, value_name = "URL")]
    pub jaeger: Option<String>,
}

/// `trailscope pull`.
#[derive(Args, Debug)]
pub struct PullArgs {
    /// The store: a directory, file://…, http(s)://… or s3://bucket/prefix.
    pub store: String,
    /// Accept only checkpoints signed by this key (NAME.pub file or the key string).
    #[arg(long)]
    pub pubkey: Option<String>,
    /// Segments fetched at once.
    #[arg(long, default_value_t = 8)]
    pub jobs: usize,
    /// Attempts per segment before giving up.
    #[arg(long, default_value_t = 4)]
    pub tries: u32,
    /// First retry delay in milliseconds (doubled each try, with jitter).
    #[arg(long, default_value_t = 200)]
    pub backoff_ms: u64,
    /// Verify and keep the new segments but do not index them: queries answer for them by
    /// scanning their verified copies until a later `pull` indexes them.
    #[arg(long)]
    pub no_index: bool,
    /// Skip the full-text pass (structured fields only; free-text queries need a later pull).
    #[arg(long)]
    pub no_fulltext: bool,
    /// Commit the index at least every N segments.
    #[arg(long, default_value_t = 64)]
    pub commit_every: u64,
    /// Print the summary (and problems) as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// What every query command takes.
#[derive(Args, Debug)]
pub struct QueryArgs {
    /// Earliest time (inclusive): RFC 3339, `now`, or relative (`-15m`, `-2h`, `-7d`).
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// Latest time (exclusive), same forms as --from.
    #[arg(long, allow_hyphen_values = true)]
    pub to: Option<String>,
    /// Print JSON lines.
    #[arg(long)]
    pub json: bool,
}

/// `trailscope search`.
#[derive(Args, Debug)]
pub struct SearchArgs {
    /// The store (as given to `pull`).
    pub store: String,
    /// Tantivy query (`actor:alice AND action:delete`, phrases, ranges, NOT); empty or `*`
    /// matches everything.
    #[arg(default_value = "*", allow_hyphen_values = true)]
    pub query: String,
    /// Time range and output.
    #[command(flatten)]
    pub q: QueryArgs,
    /// Hits to print.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// `newest` first (default) or `oldest` first.
    #[arg(long, default_value = "newest", value_parser = ["newest", "oldest"])]
    pub order: String,
    /// With --json, include each event's original record.
    #[arg(long)]
    pub records: bool,
    /// Print only how many events match (`{"total":N,…}` with --json).
    #[arg(long)]
    pub count: bool,
    /// Pull first: fetch and verify the store's new segments, answer at once (the segments not
    /// indexed yet are scanned from their verified copies), then index their structured fields
    /// before exiting.
    #[arg(long)]
    pub pull: bool,
    /// With --pull: accept only checkpoints signed by this public key (file or base64).
    #[arg(long, requires = "pull")]
    pub pubkey: Option<String>,
    /// With --pull: also build the full-text index afterwards (by default only the structured
    /// index is built, which is what further field queries need; `pull` builds the rest).
    #[arg(long, requires = "pull")]
    pub fulltext: bool,
    /// Run this saved query (`trailscope queries` lists them) instead of a query; its window,
    /// if it has one, becomes --from -WINDOW unless --from or --to is given.
    #[arg(long, value_name = "NAME", conflicts_with = "query")]
    pub saved: Option<String>,
    /// Config file holding [[queries]] (default: `$TRAILSCOPE_CONFIG`, else config.toml in the
    /// platform config dir).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `trailscope queries`.
#[derive(Args, Debug)]
pub struct QueriesArgs {
    /// Print one JSON object per query.
    #[arg(long)]
    pub json: bool,
    /// Config file (default: `$TRAILSCOPE_CONFIG`, else config.toml in the platform config dir).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `trailscope watch`.
#[derive(Args, Debug)]
pub struct WatchArgs {
    /// The store: a directory, file://…, http(s)://… or s3://bucket/prefix.
    pub store: String,
    /// Time between two polls (`5s`, `1m`).
    #[arg(long, default_value = "5s")]
    pub interval: String,
    /// Accept only checkpoints signed by this key (NAME.pub file or the key string).
    #[arg(long)]
    pub pubkey: Option<String>,
    /// Run CMD (with `sh -c`) once per alert, the alert's JSON line on its stdin, instead of
    /// printing it. A failing command is reported on stderr and the watch goes on.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// On the first watch of a store, alert on the events already in it too (by default the
    /// first watch starts at the store's current verified head).
    #[arg(long)]
    pub from_start: bool,
    /// Alert when the newest valid checkpoint is older than this (`1h`, `30m`; `off` never).
    #[arg(long, default_value = "1h")]
    pub stale_after: String,
    /// Poll once, deliver the alerts and exit (for cron).
    #[arg(long)]
    pub once: bool,
    /// Send each event's original record unmasked (by default the config's `redact` fields
    /// and secret-looking values are masked, as in exports).
    #[arg(long)]
    pub reveal: bool,
    /// Also build the full-text index of new segments (by default only structured fields).
    #[arg(long)]
    pub fulltext: bool,
    /// Config file holding [[queries]] (default: `$TRAILSCOPE_CONFIG`, else config.toml in the
    /// platform config dir).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `trailscope histogram`.
#[derive(Args, Debug)]
pub struct HistogramArgs {
    /// The store (as given to `pull`).
    pub store: String,
    /// Tantivy query; empty or `*` matches everything.
    #[arg(default_value = "*", allow_hyphen_values = true)]
    pub query: String,
    /// Time range and output.
    #[command(flatten)]
    pub q: QueryArgs,
    /// Number of buckets.
    #[arg(long, default_value_t = 20)]
    pub buckets: usize,
}

/// `trailscope facets`.
#[derive(Args, Debug)]
pub struct FacetsArgs {
    /// The store (as given to `pull`).
    pub store: String,
    /// Field: actor, action, resource, outcome, source_ip, user_agent, trace_id, span_id,
    /// request_id.
    pub field: String,
    /// Tantivy query; empty or `*` matches everything.
    #[arg(default_value = "*", allow_hyphen_values = true)]
    pub query: String,
    /// Time range and output.
    #[command(flatten)]
    pub q: QueryArgs,
    /// Values to print.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

/// `trailscope keygen`.
#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Key name (written into every signature line), e.g. `audit.example.com`.
    #[arg(long)]
    pub name: String,
    /// Directory for NAME.key (mode 0600) and NAME.pub (a `/` in NAME becomes `_`).
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    /// Overwrite existing key files.
    #[arg(long)]
    pub force: bool,
}

/// `trailscope seal`.
#[derive(Args, Debug)]
pub struct SealArgs {
    /// The store (a directory; created when new).
    #[arg(long)]
    pub store: String,
    /// Private key (NAME.key) to sign a checkpoint after the append.
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Record format.
    #[arg(long, default_value = "auto", value_parser = clap::value_parser!(InputFormat))]
    pub format: InputFormat,
    /// Override where a canonical field is read from: `field=dotted.path` (repeatable).
    #[arg(long = "map", value_name = "FIELD=PATH")]
    pub map: Vec<String>,
    /// Events per segment.
    #[arg(long, default_value_t = crate::seal::DEFAULT_SEGMENT_EVENTS)]
    pub segment_events: usize,
    /// Close a segment when its events span more than S seconds (with --follow: S seconds after
    /// its first event arrived; default 10).
    #[arg(long, value_name = "S")]
    pub segment_seconds: Option<u64>,
    /// Origin name of a new store (default: the directory's name).
    #[arg(long)]
    pub origin: Option<String>,
    /// Seal the good records even when some are rejected (still reported; exit 0).
    #[arg(long)]
    pub skip_bad: bool,
    /// Keep tailing FILE and seal as it grows (until SIGINT/SIGTERM).
    #[arg(long, value_name = "FILE", conflicts_with = "inputs")]
    pub follow: Option<PathBuf>,
    /// With --follow: read FILE from its start, ignoring where an earlier run stopped.
    #[arg(long, requires = "follow")]
    pub from_start: bool,
    /// Input files (`-` for stdin; default stdin).
    pub inputs: Vec<String>,
}

/// `trailscope verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The store.
    pub store: String,
    /// Accept only checkpoints signed by this key (NAME.pub file or the key string).
    #[arg(long)]
    pub pubkey: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `trailscope forget`.
#[derive(Args, Debug)]
pub struct ForgetArgs {
    /// The store whose pin to remove.
    pub store: String,
}

/// `trailscope demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Where to write the demo store (default: `demo-store` under the trailscope home).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Do not alter a segment afterwards (by default one is, to show the integrity alarm).
    #[arg(long)]
    pub clean: bool,
    /// Only write and verify the store; do not open the console (also when not on a terminal).
    #[arg(long)]
    pub no_open: bool,
    #[command(flatten)]
    pub view: ConsoleArgs,
}
