//! Loading the writer's private key from its file, refusing a file others may read (as `ssh`
//! refuses a private key with loose permissions: a key that other users could have copied can
//! no longer vouch for anything).

use std::io::Read;
use std::path::Path;

use anyhow::Context;

use crate::segment::keys::{Signer, parse_signer};

/// Permission bits a private key file must not have: any access by group or others.
#[cfg(unix)]
const TOO_OPEN: u32 = 0o077;

/// Largest key file read: a key is one short line.
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// Reads and parses the private key at `path`. On Unix a private key in a regular file whose
/// mode gives group or others any access is refused with the fix (`chmod 600`); pipes and other
/// non-regular files (`<(vault read …)`) are read as they are. A file that holds no private key
/// (a public key given by mistake) is refused as malformed whatever its mode. Errors never quote
/// the file's content.
pub fn load_signer(path: &Path) -> anyhow::Result<Signer> {
    let name = path.display();
    let file = std::fs::File::open(path).with_context(|| format!("reading key {name}"))?;
    // The mode of the file actually opened, not of whatever the path names a moment later.
    let meta = file
        .metadata()
        .with_context(|| format!("reading key {name}"))?;
    let mut text = String::new();
    file.take(MAX_KEY_FILE_BYTES)
        .read_to_string(&mut text)
        .with_context(|| format!("reading key {name}"))?;
    let signer = parse_signer(&text).with_context(|| format!("key {name}"))?;
    check_mode(path, &meta)?;
    Ok(signer)
}

#[cfg(unix)]
fn check_mode(path: &Path, meta: &std::fs::Metadata) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    if meta.is_file() && mode & TOO_OPEN != 0 {
        anyhow::bail!(
            "permissions {mode:04o} for '{}' are too open: a private key must be readable by \
             its owner only; run `chmod 600 {}` (and consider the key exposed if others could \
             read it)",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_path: &Path, _meta: &std::fs::Metadata) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::segment::keys::generate;

    fn key_file(mode: u32) -> (tempfile::TempDir, std::path::PathBuf, String) {
        let dir = tempfile::tempdir().unwrap();
        let kp = generate("perm.test").unwrap();
        let path = dir.path().join("k.key");
        std::fs::write(&path, format!("{}\n", kp.private)).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        (dir, path, kp.private)
    }

    #[test]
    fn an_owner_only_key_loads() {
        for mode in [0o600, 0o400, 0o700] {
            let (_d, path, _) = key_file(mode);
            assert!(load_signer(&path).is_ok(), "{mode:o}");
        }
    }

    #[test]
    fn a_key_others_can_read_is_refused_without_quoting_it() {
        for mode in [0o644, 0o640, 0o604, 0o660, 0o666, 0o601] {
            let (_d, path, private) = key_file(mode);
            let err = format!("{:#}", load_signer(&path).err().expect("refused"));
            assert!(
                err.contains(&format!(
                    "permissions {mode:04o} for '{}' are too open",
                    path.display()
                )),
                "{err}"
            );
            assert!(
                err.contains(&format!("chmod 600 {}", path.display())),
                "{err}"
            );
            assert!(!err.contains(&private), "{err}");
        }
    }

    #[test]
    fn a_public_key_given_as_the_private_key_is_malformed_whatever_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pub");
        std::fs::write(
            &path,
            format!("{}\n", generate("perm.test").unwrap().public),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = format!("{:#}", load_signer(&path).err().expect("refused"));
        assert!(err.contains("malformed private key"), "{err}");
    }

    #[test]
    fn a_malformed_key_is_refused_without_quoting_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        let secret = "PRIVATE+KEY+x+00000000+c2VjcmV0LWJ5dGVzLXRoYXQtbXVzdC1ub3Qtc2hvdw==";
        std::fs::write(&path, secret).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let err = format!("{:#}", load_signer(&path).err().expect("refused"));
        assert!(err.contains("malformed private key"), "{err}");
        assert!(!err.contains("c2VjcmV0"), "{err}");
    }
}
