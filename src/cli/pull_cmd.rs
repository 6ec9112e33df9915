//! `trailscope pull`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Outcome;
use super::args::PullArgs;
use crate::home::trailscope_home;
use crate::pull::{FetchOptions, Progress, PullOptions, Stage, pull};
use crate::store::open_store;
use crate::text::sanitize;

/// Runs `pull`.
pub fn run(a: PullArgs) -> anyhow::Result<Outcome> {
    let pubkey = a
        .pubkey
        .as_deref()
        .map(super::verify_cmd::load_pubkey)
        .transpose()?;
    let store = open_store(&a.store)?;
    let home = trailscope_home()?;
    let opts = PullOptions {
        pubkey,
        fetch: FetchOptions {
            jobs: a.jobs.max(1),
            tries: a.tries.max(1),
            backoff: Duration::from_millis(a.backoff_ms),
        },
        fulltext: !a.no_fulltext,
        commit_every: a.commit_every.max(1),
        index: !a.no_index,
        ..PullOptions::default()
    };
    let mut shown = Shown::new();
    let summary = pull(store.as_ref(), &home, &opts, &mut |p| shown.update(p))?;
    shown.finish();
    let intact = summary.is_intact();
    if a.json {
        let text = serde_json::to_string(&summary)?;
        super::say(&format!("{}\n", crate::text::json_safe(&text)))?;
    } else {
        if !summary.verify.problems.is_empty() {
            super::say(&summary.verify.to_human())?;
        }
        let h = &summary.head;
        let t = &summary.timings;
        super::say(&format!(
            "pulled {}: verified {} segments, indexed {} new segments ({} events; fetched {:.1} MB) in {:.2} s, {:.0} events/s\n\
             local head: {} segments ({} verified, {} unsigned tail), {} events\n\
             time: fetch+check {:.2} s (check {:.2} s summed over workers), verify {:.3} s, index {:.2} s, full text {:.2} s, merge {:.2} s\n",
            sanitize(&summary.store),
            summary.verified_segments,
            summary.indexed_segments,
            summary.indexed_events,
            summary.fetched_bytes as f64 / 1e6,
            t.total_s,
            summary.events_per_s,
            h.segments,
            h.covered,
            h.segments - h.covered,
            h.events,
            t.fetch_s,
            t.check_cpu_s,
            t.verify_s,
            t.index_s,
            t.fulltext_s,
            t.merge_s,
        ))?;
        if summary.retries > 0 {
            super::say(&format!("retried {} fetches\n", summary.retries))?;
        }
    }
    Ok(if intact {
        Outcome::Ok
    } else {
        Outcome::Problems
    })
}

/// Progress on stderr: a bar on a terminal, a plain line every few seconds otherwise.
pub(crate) struct Shown {
    bar: Option<ProgressBar>,
    stage: Option<Stage>,
    started: Instant,
    last_line: Instant,
}

impl Shown {
    /// A progress display on stderr.
    pub(crate) fn new() -> Shown {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template(
                    "{prefix:>9} [{bar:30}] {pos}/{len} segments  {msg}  {per_sec}  eta {eta}",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            b
        });
        Shown {
            bar,
            stage: None,
            started: Instant::now(),
            last_line: Instant::now(),
        }
    }

    /// Shows `p`.
    pub(crate) fn update(&mut self, p: &Progress) {
        let name = match p.stage {
            Stage::Fetch => "fetch",
            Stage::Index => "index",
            Stage::Fulltext => "full text",
            Stage::Merge => "merge",
        };
        let detail = if p.stage == Stage::Fetch {
            format!("{:.1} MB", p.bytes as f64 / 1e6)
        } else {
            format!("{} events", p.events)
        };
        let changed = self.stage != Some(p.stage);
        self.stage = Some(p.stage);
        match &self.bar {
            Some(b) => {
                if changed {
                    b.reset();
                    b.set_prefix(name);
                    b.set_length(p.total_segments);
                }
                b.set_position(p.segments);
                b.set_message(detail);
            }
            None => {
                let done = p.segments == p.total_segments;
                if p.stage == Stage::Merge {
                    if changed {
                        eprintln!("trailscope: merging index segments");
                    }
                } else if changed || done || self.last_line.elapsed() >= Duration::from_secs(2) {
                    eprintln!(
                        "trailscope: {name}: {}/{} segments, {detail} ({:.1} s)",
                        p.segments,
                        p.total_segments,
                        self.started.elapsed().as_secs_f64()
                    );
                    self.last_line = Instant::now();
                }
            }
        }
    }

    /// Clears the bar.
    pub(crate) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
