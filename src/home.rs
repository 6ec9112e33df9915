//! The trailscope home: where pinned heads (and later indexes and bookmarks) live.
//!
//! `TRAILSCOPE_HOME` when set, else the platform data directory (`~/.local/share/trailscope`
//! on Linux).

use std::path::PathBuf;

/// The trailscope home directory (not created here).
pub fn trailscope_home() -> anyhow::Result<PathBuf> {
    if let Some(h) = std::env::var_os("TRAILSCOPE_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(h));
    }
    directories::ProjectDirs::from("dev", "trailscope", "trailscope")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| anyhow::anyhow!("no home directory found: set TRAILSCOPE_HOME"))
}
