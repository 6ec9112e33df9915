//! `trailscope open` (and the console half of `trailscope demo`).

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Context;

use super::Outcome;
use super::args::{ConsoleArgs, CorrelateArgs};
use crate::home::{create_private_dir, trailscope_home};
use crate::pull::PullOptions;
use crate::query::{now_ns, parse_time_arg};
use crate::store::open_store;
use crate::tui::config::{Config, default_config_path, user_theme_dir};
use crate::tui::correlate::Sources;
use crate::tui::keymap::Keymap;
use crate::tui::theme::{Theme, no_color_from_env};
use crate::tui::{OpenOptions, run as run_console};

/// Sends `tracing` output to `HOME/logs/console.log` (never to the screen the console owns).
fn init_log(home: &Path) -> anyhow::Result<()> {
    let dir = home.join("logs");
    create_private_dir(&dir)?;
    let path = dir.join("console.log");
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    // The log names stores and queries: the owner's only, like the rest of the home.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let file = opts
        .open(&path)
        .with_context(|| format!("opening the log file {}", path.display()))?;
    let _ = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init();
    Ok(())
}

/// Loads the config, theme and keymap for `args` (errors name the file and line).
pub fn console_setup(args: &ConsoleArgs) -> anyhow::Result<(Config, Theme, Keymap)> {
    let (path, explicit) = match &args.config {
        Some(p) => (Some(p.clone()), true),
        None => (
            default_config_path(),
            std::env::var_os("TRAILSCOPE_CONFIG").is_some(),
        ),
    };
    let config = Config::load(path.as_deref(), explicit)?;
    let theme_name = args.theme.as_deref().or(config.theme.as_deref());
    let theme_dir = match &args.config {
        Some(p) => p.parent().map(|d| d.join("themes")),
        None => user_theme_dir(),
    };
    let theme = Theme::load(theme_name, theme_dir.as_deref(), no_color_from_env())?;
    let keymap = Keymap::new(&config.keys, config.source.as_deref())?;
    Ok((config, theme, keymap))
}

/// Whether `spec` names a store on this machine (read even with `--offline`).
fn is_local(spec: &str) -> bool {
    !(spec.starts_with("http://") || spec.starts_with("https://") || spec.starts_with("s3://"))
}

/// The metric and trace sources from the command line, falling back to the config file.
pub fn sources(
    store: Option<&str>,
    args: &CorrelateArgs,
    config: &Config,
) -> anyhow::Result<Sources> {
    let prometheus = args
        .prometheus
        .clone()
        .or_else(|| config.prometheus.clone());
    let queries = if args.metrics.is_empty() {
        config.metrics.clone()
    } else {
        args.metrics.clone()
    };
    if !queries.is_empty() && prometheus.is_none() {
        anyhow::bail!(
            "--metric (or [[metrics]] in the config) needs a Prometheus: --prometheus URL or prometheus = \"URL\" in the config"
        );
    }
    for f in &args.otlp {
        if !f.is_file() {
            anyhow::bail!("--otlp {}: no such file", f.display());
        }
    }
    Ok(Sources {
        store: store.map(str::to_owned),
        prometheus,
        queries,
        otlp: args.otlp.clone(),
        jaeger: args.jaeger.clone().or_else(|| config.jaeger.clone()),
    })
}

/// Opens the console on `store`.
pub fn run(store: &str, args: ConsoleArgs) -> anyhow::Result<Outcome> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the console needs a terminal; for scripts use `trailscope search`, `histogram` or `facets`"
        );
    }
    let (config, theme, keymap) = console_setup(&args)?;
    let now = now_ns();
    let time = |s: &Option<String>, what: &str| {
        s.as_deref()
            .map(|s| parse_time_arg(s, now).map_err(|e| anyhow::anyhow!("--{what}: {e}")))
            .transpose()
    };
    let mut from = time(&args.from, "from")?;
    if from.is_none()
        && let Some(w) = config.window.as_deref().filter(|w| *w != "all")
    {
        from = Some(parse_time_arg(w, now).map_err(|e| anyhow::anyhow!("config `window`: {e}"))?);
    }
    let to = time(&args.to, "to")?;
    let pubkey = args
        .pubkey
        .as_deref()
        .map(super::verify_cmd::load_pubkey)
        .transpose()?;
    let sources = sources(
        (!args.offline || is_local(store)).then_some(store),
        &args.correlate,
        &config,
    )?;
    let around = (
        config
            .before_ns
            .unwrap_or(crate::tui::state::correlation::DEFAULT_BEFORE),
        config
            .after_ns
            .unwrap_or(crate::tui::state::correlation::DEFAULT_AFTER),
    );
    let follow = if args.follow {
        let every = crate::tui::config::duration_ns(&args.interval)
            .map_err(|e| anyhow::anyhow!("--interval: {e}"))?;
        if every < 100_000_000 {
            anyhow::bail!("--interval must be at least 100ms");
        }
        Some(std::time::Duration::from_nanos(every as u64))
    } else {
        None
    };
    let home = trailscope_home()?;
    init_log(&home)?;
    let store = open_store(store)?;
    if !args.offline
        && let Ok(false) = store.is_store()
    {
        // Refused before the screen is taken: a wrong path should not open an empty console.
        // (An unreachable store still opens on what was indexed earlier.)
        return Err(crate::verify::VerifyError::NotAStore(store.location()).into());
    }
    run_console(OpenOptions {
        store,
        home,
        pull: PullOptions {
            pubkey,
            ..PullOptions::default()
        },
        background_pull: !args.offline,
        theme,
        keymap,
        query: args.query.clone(),
        from,
        to,
        sources,
        around,
        follow,
        masker: crate::mask::Masker::new(&config.redact),
        saved_queries: config.saved_queries(),
        bell: config.bell(),
    })?;
    Ok(Outcome::Ok)
}
