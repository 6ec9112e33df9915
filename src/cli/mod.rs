//! Command-line front end: clap definitions and one function per subcommand. No business logic
//! lives here; each command calls into the library and prints the result.
//!
//! Exit codes: 0 success (verify: intact); 1 the command ran and found problems (verify) or
//! rejected input (seal); 2 usage, I/O or configuration error.

mod args;
mod correlate_cmd;
mod demo_cmd;
mod export_cmd;
mod keygen;
mod notes_cmd;
mod open_cmd;
mod pull_cmd;
mod query_cmd;
mod saved_cmd;
mod seal_cmd;
mod verify_cmd;
mod watch_cmd;

use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command};

/// Outcome of a command that ran.
pub enum Outcome {
    /// Everything fine (exit 0).
    Ok,
    /// Ran, but found problems or rejected input (exit 1).
    Problems,
}

/// Parses `std::env::args`, runs the command, returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!(
                "trailscope: error: {}",
                crate::text::sanitize(&format!("{e:#}"))
            );
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes `text` to stdout; a closed pipe surfaces as an error that `main` treats as success
/// (`println!` would panic instead).
pub(crate) fn say(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Keygen(a) => keygen::run(a),
        Command::Seal(a) => seal_cmd::run(a),
        Command::Verify(a) => verify_cmd::run(a),
        Command::Forget(a) => verify_cmd::forget(a),
        Command::Demo(a) => demo_cmd::run(a),
        Command::Pull(a) => pull_cmd::run(a),
        Command::Search(a) => query_cmd::search(a),
        Command::Queries(a) => saved_cmd::list(a),
        Command::Watch(a) => watch_cmd::run(a),
        Command::Histogram(a) => query_cmd::histogram(a),
        Command::Facets(a) => query_cmd::facets(a),
        Command::Open(a) => open_cmd::run(&a.store, a.view),
        Command::Metrics(a) => correlate_cmd::metrics(a),
        Command::Trace(a) => correlate_cmd::trace(a),
        Command::Export(a) => export_cmd::export(a),
        Command::Prove(a) => export_cmd::prove(a),
        Command::Bookmarks(a) => notes_cmd::bookmarks(a),
        Command::Journal(a) => notes_cmd::journal(a),
    }
}
