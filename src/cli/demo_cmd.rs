//! `trailscope demo`.

use std::io::IsTerminal;

use super::Outcome;
use super::args::DemoArgs;
use crate::home::trailscope_home;
use crate::store::open_store;
use crate::verify::{PinStore, VerifyOptions, verify_store};

/// Writes the demo store and verifies it; then opens the console on it (on a terminal) or
/// prints the report and what to try next.
pub fn run(a: DemoArgs) -> anyhow::Result<Outcome> {
    let home = trailscope_home()?;
    let dir = a.dir.clone().unwrap_or_else(|| home.join("demo-store"));
    let summary = crate::demo::write_demo_store(&dir, !a.clean)?;
    super::say(&format!("{summary}\n"))?;
    super::say(&format!(
        "verifying it (trailscope verify {}):\n\n",
        crate::text::sanitize(&dir.display().to_string())
    ))?;
    let store = open_store(&dir.display().to_string())?;
    // The demo has just rewritten this store on purpose: an older pin for it (from a previous
    // version of the demo) would only report a fork that everyone expects.
    let pins = PinStore::new(&home);
    pins.forget(&store.location())?;
    // Likewise an index pulled from an earlier demo store.
    // Bookmarks and notes are kept: the demo is deterministic, so (seq, pos) still name the
    // same events.
    let state = crate::home::store_state_dir(&home, &store.location());
    let bookmarks = crate::bookmarks::path_for(&home, &store.location());
    let kept = std::fs::read(&bookmarks).ok();
    if state.exists() {
        std::fs::remove_dir_all(&state)
            .map_err(|e| anyhow::anyhow!("removing {}: {e}", state.display()))?;
    }
    if let Some(bytes) = kept {
        crate::home::create_private_dir(&state)?;
        std::fs::write(&bookmarks, &bytes)
            .and_then(|()| {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&bookmarks, std::fs::Permissions::from_mode(0o600))
            })
            .map_err(|e| anyhow::anyhow!("keeping {}: {e}", bookmarks.display()))?;
    }
    let report = verify_store(
        store.as_ref(),
        &VerifyOptions {
            pubkey: None,
            pins: Some(pins),
        },
    )?;
    super::say(&report.to_human())?;
    if !a.clean {
        super::say(
            "\n(one segment was altered on purpose to show the integrity alarm; \
             `trailscope demo --clean` writes an intact store)\n",
        )?;
    }
    let shown = crate::text::sanitize(&dir.display().to_string()).into_owned();
    let interactive = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if interactive && !a.no_open {
        return super::open_cmd::run(&dir.display().to_string(), a.view);
    }
    super::say(&format!(
        "\nnext: index the verified part and ask it questions:\n  \
         trailscope pull {shown}\n  \
         trailscope search {shown} 'outcome:failure' --limit 10\n  \
         trailscope histogram {shown} --buckets 12\n  \
         trailscope facets {shown} actor\n"
    ))?;
    Ok(Outcome::Ok)
}
