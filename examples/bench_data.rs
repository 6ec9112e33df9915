//! The data of `bench/run`: N Kubernetes audit events (`audit.k8s.io/v1`) as NDJSON, one per
//! line, generated from a seed by the pull bench's generator (`benches/pull/data.rs`), so the
//! same seed gives the same bytes, and the default seed the same records the pull and console
//! benches seal.
//!
//! ```sh
//! cargo run --release --example bench_data -- --events 1000000 --seed 0x7261696c73636f70 --out events.ndjson
//! ```
//!
//! Prints one JSON object on stdout: events, bytes, seed, seconds and the actors the
//! queries of `bench/queries.tsv` look for (most frequent first).

#[path = "../benches/pull/data.rs"]
#[allow(dead_code)]
mod data;

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};

/// What the command line asked for.
struct Args {
    events: u64,
    seed: u64,
    out: PathBuf,
}

/// A decimal or `0x` hexadecimal number, `_` allowed between digits.
fn number(flag: &str, v: &str) -> anyhow::Result<u64> {
    let v = v.replace('_', "");
    let parsed = match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.parse(),
    };
    parsed.with_context(|| format!("{flag} {v:?}: not a number"))
}

fn parse_args() -> anyhow::Result<Args> {
    let mut events = 1_000_000;
    let mut seed = data::SEED;
    let mut out = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--events" => events = number("--events", &value()?)?,
            "--seed" => seed = number("--seed", &value()?)?,
            "--out" => out = Some(PathBuf::from(value()?)),
            other => bail!(
                "unknown argument {other:?}; usage: bench_data --events N --seed S --out FILE"
            ),
        }
    }
    let out = out.context("--out FILE is required")?;
    Ok(Args { events, seed, out })
}

fn main() -> anyhow::Result<()> {
    let a = parse_args()?;
    let started = Instant::now();
    let file =
        std::fs::File::create(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut bytes = 0u64;
    let (pools, _) = data::generate(a.events, a.seed, |mut line, _, _| {
        line.push(b'\n');
        bytes += line.len() as u64;
        w.write_all(&line)
            .with_context(|| format!("writing {}", a.out.display()))
    })?;
    w.flush()
        .with_context(|| format!("writing {}", a.out.display()))?;
    // Actors by rank: 0 is the most frequent, the last the rarest (Zipf-like weights).
    let actors: Vec<&str> = [0usize, 3, 10, 60, 150, 250, 299]
        .iter()
        .map(|&i| pools.actors[i].as_str())
        .collect();
    let summary = serde_json::json!({
        "events": a.events,
        "bytes": bytes,
        "seed": a.seed,
        "seconds": started.elapsed().as_secs_f64(),
        "actors": actors,
    });
    println!("{summary}");
    Ok(())
}
