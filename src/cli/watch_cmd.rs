//! `trailscope watch`: poll a store, verify and index what is new, alert.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::Outcome;
use super::args::WatchArgs;
use crate::alert::deliver::{Sink, deliver};
use crate::alert::integrity::integrity_alerts;
use crate::alert::position::Position;
use crate::alert::{Alert, Evaluator};
use crate::home::trailscope_home;
use crate::pull::{LocalState, PullOptions, pull};
use crate::query::now_ns;
use crate::store::open_store;
use crate::text::sanitize;
use crate::tui::config::duration_ns;

/// Runs `watch` until SIGINT or SIGTERM (or after one poll with `--once`).
pub fn run(a: WatchArgs) -> anyhow::Result<Outcome> {
    let config = super::saved_cmd::load_config(a.config.as_deref())?;
    let evaluator = Evaluator::new(&config.saved_queries()).map_err(anyhow::Error::msg)?;
    let interval = duration_ns(&a.interval)
        .ok()
        .filter(|n| *n > 0)
        .map(|n| Duration::from_nanos(n as u64).max(Duration::from_millis(100)))
        .with_context(|| {
            format!(
                "--interval {:?}: expected a duration such as 5s or 1m",
                a.interval
            )
        })?;
    let stale_after = match a.stale_after.trim() {
        "off" | "0" => None,
        s => Some(duration_ns(s).ok().filter(|n| *n > 0).with_context(|| {
            format!("--stale-after {s:?}: expected a duration such as 1h or 30m, or off")
        })?),
    };
    let pubkey = a
        .pubkey
        .as_deref()
        .map(super::verify_cmd::load_pubkey)
        .transpose()?;
    let store = open_store(&a.store)?;
    let home = trailscope_home()?;
    let location = store.location();
    let local = LocalState::at(&home, &location);
    let sink = a.exec.clone().map_or(Sink::Stdout, Sink::Exec);
    // Records leave the machine (pagers, webhooks): masked as exports are, unless --reveal.
    let masker = (!a.reveal).then(|| crate::mask::Masker::new(&config.redact));
    let opts = PullOptions {
        pubkey,
        fulltext: a.fulltext,
        ..PullOptions::default()
    };
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal while a pull is still running ends the process at once.
        signal_hook::flag::register_conditional_shutdown(sig, 1, stop.clone())?;
        signal_hook::flag::register(sig, stop.clone())?;
    }
    let names: Vec<&str> = evaluator.rules().map(|q| q.name.as_str()).collect();
    eprintln!(
        "trailscope: watching {} every {:?} with {} alert rules ({}) and integrity checks",
        sanitize(&location),
        interval,
        names.len(),
        sanitize(&names.join(", "))
    );
    let mut position = Position::load(&local)?;
    let mut last_head = None;
    // The last pull failure, reported once (an outage does not print a line per poll).
    let mut failing: Option<String> = None;
    loop {
        match pull(store.as_ref(), &home, &opts, &mut |_| {}) {
            Err(e) => {
                let why = sanitize(&format!("{e:#}")).into_owned();
                if failing.as_deref() != Some(why.as_str()) {
                    eprintln!(
                        "trailscope: watch: pulling {} failed: {why}; trying again every {:?} (reported again only if the error changes)",
                        sanitize(&location),
                        interval
                    );
                }
                failing = Some(why);
            }
            Ok(summary) => {
                if failing.take().is_some() {
                    eprintln!("trailscope: watch: pulling works again");
                }
                let attested = summary.head.covered;
                let pos = position.get_or_insert_with(|| {
                    let start = if a.from_start { 0 } else { attested };
                    eprintln!(
                        "trailscope: watch: first watch of this store: alerting on segments from seq {start}{}",
                        if a.from_start {
                            ""
                        } else {
                            " (the current head; --from-start includes the events already there)"
                        }
                    );
                    Position {
                        next_seq: start,
                        ..Position::default()
                    }
                });
                let integrity =
                    integrity_alerts(&summary.verify, &mut pos.integrity, stale_after, now_ns());
                let mut sent = send(&integrity, &sink);
                pos.save(&local)?;
                sent += evaluate(
                    &evaluator,
                    &local,
                    &location,
                    attested,
                    pos,
                    &sink,
                    masker.as_ref(),
                )?;
                let head = (summary.head.segments, attested);
                if last_head != Some(head) || sent > 0 {
                    eprintln!(
                        "trailscope: watch: verified head {} segments ({} attested by a checkpoint), {} events; {} alerts",
                        summary.head.segments, attested, summary.head.events, sent
                    );
                    last_head = Some(head);
                }
            }
        }
        if a.once || stop.load(Ordering::Relaxed) {
            break;
        }
        let until = Instant::now() + interval;
        while Instant::now() < until && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(50).min(interval));
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
    }
    eprintln!("trailscope: watch stopped");
    Ok(Outcome::Ok)
}

/// Delivers alerts, reporting failures on stderr; returns how many were delivered.
fn send(alerts: &[Alert], sink: &Sink) -> usize {
    let mut n = 0;
    for al in alerts {
        match deliver(al, sink) {
            Ok(()) => n += 1,
            Err(e) => eprintln!("trailscope: watch: {}", sanitize(&e)),
        }
    }
    n
}

/// Evaluates the rules on the attested segments after the saved position and delivers the
/// alerts, recording each delivery so a restart resumes after it.
fn evaluate(
    evaluator: &Evaluator,
    local: &LocalState,
    location: &str,
    attested: u64,
    pos: &mut Position,
    sink: &Sink,
    masker: Option<&crate::mask::Masker>,
) -> anyhow::Result<usize> {
    if attested <= pos.next_seq {
        return Ok(0);
    }
    // The cooldowns as they were when this batch started stay saved until it is done, so an
    // interrupted batch is evaluated again exactly as before.
    let mut cooldowns = pos.cooldowns.clone();
    let alerts = evaluator.evaluate(
        local,
        location,
        pos.next_seq..attested,
        attested,
        &mut cooldowns,
    )?;
    let mut sent = 0;
    for mut al in alerts {
        if let (Some(m), Some(record)) = (masker, al.event.as_mut().and_then(|e| e.record.as_mut()))
        {
            *record = m.mask_record(record).0;
        }
        let (seq, p) = (al.seq.unwrap_or(0), al.pos.unwrap_or(0));
        if pos.was_delivered(seq, p, &al.rule) {
            continue;
        }
        sent += send(std::slice::from_ref(&al), sink);
        pos.delivered = Some((seq, p, al.rule.clone()));
        pos.save(local)?;
    }
    pos.next_seq = attested;
    pos.delivered = None;
    pos.cooldowns = cooldowns;
    pos.save(local)?;
    Ok(sent)
}
