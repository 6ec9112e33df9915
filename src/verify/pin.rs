//! Pinned heads: what an earlier run verified, remembered under the trailscope home so that a
//! store that later goes back (rollback) or sideways (fork) is caught, like an SSH host key.
//! Only `trailscope forget STORE` removes a pin.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::segment::sha256;

/// A verified head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinnedHead {
    /// Seq of the newest verified segment.
    pub seq: u64,
    /// Its chain hash (hex).
    pub hash: String,
}

/// What is remembered about one store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    /// The store location the pin belongs to.
    pub store: String,
    /// The store's origin.
    pub origin: Option<String>,
    /// The checkpoint signer's verifier key, once seen.
    pub signer: Option<String>,
    /// The newest verified segment.
    pub head: Option<PinnedHead>,
    /// When the pin last changed (RFC 3339).
    pub updated: String,
}

/// The directory of pins (`<home>/pins`).
#[derive(Clone, Debug)]
pub struct PinStore {
    dir: PathBuf,
}

impl PinStore {
    /// Pins kept under `home/pins`.
    pub fn new(home: &Path) -> Self {
        PinStore {
            dir: home.join("pins"),
        }
    }

    fn path_for(&self, location: &str) -> PathBuf {
        let key = &sha256(location.as_bytes()).to_hex()[..32];
        self.dir.join(format!("{key}.json"))
    }

    /// The pin for `location`, if any.
    pub fn load(&self, location: &str) -> anyhow::Result<Option<Pin>> {
        let path = self.path_for(location);
        match fs::read(&path) {
            Ok(b) => {
                let pin: Pin = serde_json::from_slice(&b)
                    .map_err(|e| anyhow::anyhow!("pin file {} is corrupt: {e}", path.display()))?;
                Ok(Some(pin))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow::anyhow!("reading pin {}: {e}", path.display())),
        }
    }

    /// Stores `pin` (atomically).
    pub fn save(&self, pin: &Pin) -> anyhow::Result<()> {
        crate::home::create_private_dir(&self.dir)?;
        let path = self.path_for(&pin.store);
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        std::io::Write::write_all(&mut tmp, &serde_json::to_vec_pretty(pin)?)?;
        tmp.persist(&path)
            .map_err(|e| anyhow::anyhow!("writing pin {}: {}", path.display(), e.error))?;
        Ok(())
    }

    /// Removes the pin for `location`; returns whether there was one.
    pub fn forget(&self, location: &str) -> anyhow::Result<bool> {
        match fs::remove_file(self.path_for(location)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(anyhow::anyhow!("removing pin: {e}")),
        }
    }
}
