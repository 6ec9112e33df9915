//! `trailscope keygen`.

use std::fs;
use std::io::Write;

use anyhow::{Context, bail};

use super::Outcome;
use super::args::KeygenArgs;
use crate::segment::keys;

/// Writes NAME.key (0600) and NAME.pub, prints the public key.
pub fn run(a: KeygenArgs) -> anyhow::Result<Outcome> {
    let kp = keys::generate(&a.name)?;
    fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    // Key names may contain `/` (`example.com/log`); the files must still land in --out.
    let stem = a.name.replace(['/', '\\'], "_");
    let key_path = a.out.join(format!("{stem}.key"));
    let pub_path = a.out.join(format!("{stem}.pub"));
    if !a.force && (key_path.exists() || pub_path.exists()) {
        bail!(
            "{} or {} already exists (use --force to overwrite)",
            key_path.display(),
            pub_path.display()
        );
    }
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(&key_path)
        .with_context(|| format!("writing {}", key_path.display()))?;
    #[cfg(unix)]
    fs::set_permissions(
        &key_path,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )?;
    writeln!(f, "{}", kp.private)?;
    fs::write(&pub_path, format!("{}\n", kp.public))
        .with_context(|| format!("writing {}", pub_path.display()))?;
    eprintln!(
        "wrote {} (private, mode 0600) and {}",
        key_path.display(),
        pub_path.display()
    );
    super::say(&format!("{}\n", kp.public))?;
    Ok(Outcome::Ok)
}
