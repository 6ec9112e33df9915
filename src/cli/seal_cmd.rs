//! `trailscope seal`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::Outcome;
use super::args::SealArgs;
use crate::home::trailscope_home;
use crate::seal::{
    DEFAULT_FOLLOW_SECONDS, FollowCursor, Input, SealOptions, Sealer, follow_file, load_signer,
    seal_inputs,
};
use crate::store::open_store;

/// How many rejected records are listed before the rest are only counted.
const MAX_LISTED_REJECTS: usize = 50;

/// Runs `seal`.
pub fn run(a: SealArgs) -> anyhow::Result<Outcome> {
    let signer = a.key.as_deref().map(load_signer).transpose()?;
    let store = open_store(&a.store)?;
    let opts = SealOptions {
        format: a.format,
        map: a.map.clone(),
        segment_events: a.segment_events,
        segment_seconds: a.segment_seconds,
        origin: a.origin.clone(),
        signer,
        skip_bad: a.skip_bad,
        checkpoint_time: None,
    };
    let mut sealer = Sealer::open(store.as_ref(), opts)?;

    if let Some(path) = &a.follow {
        let every = Duration::from_secs(a.segment_seconds.unwrap_or(DEFAULT_FOLLOW_SECONDS).max(1));
        let mut rejected = 0u64;
        let cursor = FollowCursor::new(&trailscope_home()?, &store.location(), path);
        if a.from_start {
            cursor.clear()?;
        }
        let events = follow_file(
            &mut sealer,
            path,
            every,
            Arc::new(AtomicBool::new(false)),
            Some(&cursor),
            |r| {
                rejected += 1;
                eprintln!(
                    "rejected {}: {}",
                    crate::text::sanitize(&r.location),
                    crate::text::sanitize(&r.reason)
                );
            },
            |n| eprintln!("sealed segment (total this run: {n})"),
            |note| eprintln!("{}", crate::text::sanitize(&note)),
        )?;
        eprintln!(
            "sealed {events} events into {} segments; {rejected} rejected",
            sealer.segments_written
        );
        return Ok(if rejected > 0 && !a.skip_bad {
            Outcome::Problems
        } else {
            Outcome::Ok
        });
    }

    let inputs: Vec<Input> = if a.inputs.is_empty() {
        vec![Input::Stdin]
    } else {
        a.inputs
            .iter()
            .map(|s| {
                if s == "-" {
                    Input::Stdin
                } else {
                    Input::File(PathBuf::from(s))
                }
            })
            .collect()
    };
    let report = seal_inputs(&mut sealer, &inputs, a.skip_bad)?;
    for r in report.rejected.iter().take(MAX_LISTED_REJECTS) {
        eprintln!(
            "rejected {}: {}",
            crate::text::sanitize(&r.location),
            crate::text::sanitize(&r.reason)
        );
    }
    if report.rejected.len() > MAX_LISTED_REJECTS {
        eprintln!(
            "… and {} more rejected records",
            report.rejected.len() - MAX_LISTED_REJECTS
        );
    }
    if !report.sealed {
        eprintln!(
            "{} records rejected; nothing was sealed (use --skip-bad to seal the {} good ones)",
            report.rejected.len(),
            report.accepted
        );
        return Ok(Outcome::Problems);
    }
    super::say(&format!(
        "sealed {} events into {} segments of {} (origin {}); {} rejected\n",
        report.accepted,
        report.segments,
        crate::text::sanitize(&store.location()),
        crate::text::sanitize(sealer.origin()),
        report.rejected.len()
    ))?;
    Ok(Outcome::Ok)
}
