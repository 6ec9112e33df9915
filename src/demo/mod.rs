//! The built-in demo store (placeholder until the generator lands).

use std::path::Path;

/// Writes the demo store into `dir`; when `tamper` is true one segment is altered afterwards.
/// Returns a one-paragraph summary for the user.
pub fn write_demo_store(dir: &Path, tamper: bool) -> anyhow::Result<String> {
    let _ = (dir, tamper);
    anyhow::bail!("demo generator not written yet")
}
