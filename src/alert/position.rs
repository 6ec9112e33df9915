//! How far `watch` has alerted on a store, kept in `HOME/stores/…/watch.json` (mode 0600,
//! written atomically) so a restarted watch neither repeats nor skips an alert.

use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::engine::Cooldowns;
use crate::pull::LocalState;

/// The persisted position.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Segments before this seq have been evaluated and their alerts delivered.
    pub next_seq: u64,
    /// The last alert delivered from the batch starting at `next_seq` (seq, pos, rule), when a
    /// batch was interrupted: alerts up to it are not delivered again.
    pub delivered: Option<(u64, u64, String)>,
    /// When each threshold rule last fired.
    pub cooldowns: Cooldowns,
    /// Integrity problems alerted on and still present (`kind:seq`).
    pub integrity: BTreeSet<String>,
}

impl Position {
    fn file(local: &LocalState) -> PathBuf {
        local.dir.join("watch.json")
    }

    /// The saved position, None when `watch` never ran on this store. A damaged file is an
    /// error naming it (never silently reset: that would repeat or skip alerts).
    pub fn load(local: &LocalState) -> anyhow::Result<Option<Position>> {
        let path = Position::file(local);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).with_context(|| {
                format!(
                    "{} is damaged (delete it to start watching from the current head)",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Writes the position atomically.
    pub fn save(&self, local: &LocalState) -> anyhow::Result<()> {
        let path = Position::file(local);
        let tmp = local.dir.join("watch.json.tmp");
        let text = serde_json::to_vec_pretty(self)?;
        {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)
                .with_context(|| format!("writing {}", tmp.display()))?;
            f.write_all(&text)
                .and_then(|()| f.sync_all())
                .with_context(|| format!("writing {}", tmp.display()))?;
        }
        std::fs::rename(&tmp, &path)
            .with_context(|| format!("moving {} to {}", tmp.display(), path.display()))
    }

    /// Whether the alert for (seq, pos, rule) was already delivered in an interrupted batch.
    pub fn was_delivered(&self, seq: u64, pos: u64, rule: &str) -> bool {
        self.delivered
            .as_ref()
            .is_some_and(|(s, p, r)| (seq, pos, rule) <= (*s, *p, r.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_a_damaged_file() {
        let dir = tempfile::tempdir().unwrap();
        let local = LocalState {
            dir: dir.path().to_path_buf(),
        };
        assert_eq!(Position::load(&local).unwrap(), None);
        let p = Position {
            next_seq: 7,
            delivered: Some((7, 3, "r".into())),
            ..Position::default()
        };
        p.save(&local).unwrap();
        assert_eq!(Position::load(&local).unwrap(), Some(p.clone()));
        assert!(p.was_delivered(7, 2, "z"));
        assert!(p.was_delivered(7, 3, "r"));
        assert!(!p.was_delivered(7, 3, "s"));
        assert!(!p.was_delivered(8, 0, "a"));
        std::fs::write(dir.path().join("watch.json"), b"{oops").unwrap();
        let e = format!("{:#}", Position::load(&local).unwrap_err());
        assert!(e.contains("watch.json is damaged"), "{e}");
    }
}
