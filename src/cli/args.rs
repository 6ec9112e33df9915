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
}
