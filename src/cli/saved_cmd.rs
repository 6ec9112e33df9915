//! `trailscope queries` and the saved-query lookup shared by `search --saved` and `watch`.

use std::path::Path;

use super::Outcome;
use super::args::QueriesArgs;
use crate::alert::SavedQuery;
use crate::tui::config::Config;

/// The config named by `--config`, else the default one (`$TRAILSCOPE_CONFIG` or the platform
/// config file; a missing default file means the defaults).
pub(crate) fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    Ok(match path {
        Some(p) => Config::load(Some(p), true)?,
        None => Config::load_default()?,
    })
}

/// The saved query called `name`; an unknown name is an error listing the known ones.
pub(crate) fn find(config: &Config, name: &str) -> anyhow::Result<SavedQuery> {
    let all = config.saved_queries();
    if let Some(q) = all.iter().find(|q| q.name == name) {
        return Ok(q.clone());
    }
    let names: Vec<&str> = all.iter().map(|q| q.name.as_str()).collect();
    anyhow::bail!(
        "no saved query named {:?} (known: {}; `trailscope queries` lists them, [[queries]] in the config adds more)",
        crate::text::sanitize(name),
        crate::text::sanitize(&names.join(", "))
    )
}

/// Runs `queries`.
pub fn list(a: QueriesArgs) -> anyhow::Result<Outcome> {
    let config = load_config(a.config.as_deref())?;
    let mut out = String::new();
    if a.json {
        for q in config.saved_queries() {
            let v = serde_json::json!({
                "name": q.name,
                "query": q.query,
                "description": q.description,
                "window": q.window,
                "alert": q.alert,
                "threshold": q.threshold,
                "origin": q.origin,
            });
            out.push_str(&crate::text::json_safe(&v.to_string()));
            out.push('\n');
        }
    } else {
        let mut rows = vec![["NAME", "ALERT", "WINDOW", "QUERY", "DESCRIPTION"].map(String::from)];
        for q in config.saved_queries() {
            let alert = match (q.alert, q.threshold) {
                (true, Some(n)) => format!(">={n}"),
                (true, None) => "yes".into(),
                (false, _) => String::new(),
            };
            rows.push([
                q.name.clone(),
                alert,
                q.window.clone().unwrap_or_default(),
                q.query.clone(),
                q.description.clone(),
            ]);
        }
        out.push_str(&super::query_cmd::table(&rows));
    }
    super::say(&out)?;
    Ok(Outcome::Ok)
}
