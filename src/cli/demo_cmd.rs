//! `trailscope demo`.

use super::Outcome;
use super::args::DemoArgs;
use crate::home::trailscope_home;
use crate::store::open_store;
use crate::verify::{PinStore, VerifyOptions, verify_store};

/// Writes the demo store, then verifies it and prints the report.
pub fn run(a: DemoArgs) -> anyhow::Result<Outcome> {
    let home = trailscope_home()?;
    let dir = a.dir.clone().unwrap_or_else(|| home.join("demo-store"));
    let summary = crate::demo::write_demo_store(&dir, !a.clean)?;
    println!("{summary}");
    println!("verifying it (trailscope verify {}):\n", dir.display());
    let store = open_store(&dir.display().to_string())?;
    let report = verify_store(
        store.as_ref(),
        &VerifyOptions {
            pubkey: None,
            pins: Some(PinStore::new(&home)),
        },
    )?;
    print!("{}", report.to_human());
    if !a.clean {
        println!(
            "\n(one segment was altered on purpose to show the integrity alarm; `trailscope demo --clean` writes an intact store)"
        );
    }
    Ok(Outcome::Ok)
}
