//! `trailscope verify` and `trailscope forget`.

use anyhow::Context;

use super::Outcome;
use super::args::{ForgetArgs, VerifyArgs};
use crate::home::trailscope_home;
use crate::segment::keys::{Verifier, parse_verifier, short_key};
use crate::store::open_store;
use crate::verify::{PinStore, VerifyOptions, verify_store};

/// Reads `--pubkey`: a file holding a verifier key, or the key string itself.
pub fn load_pubkey(arg: &str) -> anyhow::Result<Verifier> {
    // A key string is named by its `NAME+KEYID` only: it may be a private key given by mistake.
    let (text, shown) = match std::fs::read_to_string(arg) {
        Ok(t) => (t, arg.to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && arg.contains('+') => {
            (arg.to_string(), short_key(arg))
        }
        Err(e) => return Err(e).with_context(|| format!("reading public key {arg}")),
    };
    if text.trim_start().starts_with("PRIVATE+KEY+") {
        anyhow::bail!(
            "malformed public key {shown}: it is a private key; give its public key (NAME.pub) instead{}",
            if shown == arg {
                ""
            } else {
                ", and treat this private key as exposed (it is in your shell history)"
            }
        );
    }
    parse_verifier(&text).with_context(|| format!("public key {shown}"))
}

/// Runs `verify`.
pub fn run(a: VerifyArgs) -> anyhow::Result<Outcome> {
    let pubkey = a.pubkey.as_deref().map(load_pubkey).transpose()?;
    let store = open_store(&a.store)?;
    let pins = PinStore::new(&trailscope_home()?);
    let report = verify_store(
        store.as_ref(),
        &VerifyOptions {
            pubkey,
            pins: Some(pins),
        },
    )?;
    if a.json {
        super::say(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        super::say(&report.to_human())?;
    }
    Ok(if report.is_intact() {
        Outcome::Ok
    } else {
        Outcome::Problems
    })
}

/// Runs `forget`.
pub fn forget(a: ForgetArgs) -> anyhow::Result<Outcome> {
    let store = open_store(&a.store)?;
    let pins = PinStore::new(&trailscope_home()?);
    if pins.forget(&store.location())? {
        super::say(&format!(
            "forgot the pinned head and signer of {}\n",
            crate::text::sanitize(&store.location())
        ))?;
    } else {
        super::say(&format!(
            "nothing was pinned for {}\n",
            crate::text::sanitize(&store.location())
        ))?;
    }
    Ok(Outcome::Ok)
}
