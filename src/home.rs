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

/// Creates `dir` and any missing parents with mode 0700 (local state holds what a store looked
/// like and what was read from it; other users have no business there).
pub fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// The directory of local state for the store at `location` (its index, copies of its verified
/// segments): `HOME/stores/<readable part>-<hash of location>`.
pub fn store_state_dir(home: &std::path::Path, location: &str) -> PathBuf {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(location.as_bytes());
    let slug: String = location
        .trim_start_matches("file://")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .trim_matches('_')
        .chars()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    home.join("stores")
        .join(format!("{slug}-{}", hex::encode(&digest[..6])))
}
