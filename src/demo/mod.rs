//! The built-in demo store: two hours of Kubernetes audit, CloudTrail and `payments` application
//! audit records around a small incident, sealed into signed segments, with the metrics and
//! traces of `payments` next to them.
//!
//! The store is deterministic: records come from fixed-seed generators on a fixed date, the
//! signing key from a fixed seed and checkpoint times from the timeline, so every run writes
//! the same bytes (and a pinned head stays valid across runs).
//!
//! The story (UTC, 2026-11-24): background traffic; at 01:49 an engineer patches
//! `configmaps/prod/payments-config` (the running pods reload it and fail their charges) and
//! restarts `payments`, which crash-loops until the change is reverted; from 02:07 an identity never seen before, `svc-backup-legacy` from
//! 203.0.113.77, is denied, escalates, reads secrets, deletes backups and workloads and stops
//! CloudTrail; from 02:41 the on-call engineer cleans up.
//!
//! The `payments` service logs every charge `checkout` asks of it as a generic NDJSON line with
//! the request's trace id and span id (`payments.rs`); the store directory also holds
//! `traces/payments.json` (the OTLP/JSON trace of every one of those charges, `traces.rs`) and
//! `metrics/*.json` (request rate, error rate, p99 latency and CPU of `payments`, every 15 s, as
//! Prometheus `query_range` responses, `metrics.rs`); `health.rs` holds the phases of `payments`
//! that both follow. These files are not sealed: they sit beside
//! the segments the way a deployment's exported telemetry would.
//!
//! With `tamper`, one event line in the body of segment [`TAMPERED_SEGMENT`] is rewritten after
//! sealing (its header is left alone), which `verify` reports as `content_modified`.

mod aws;
mod background;
mod cloudtrail;
mod health;
mod intrusion;
mod k8s;
mod metrics;
mod payments;
mod people;
mod response;
mod rng;
mod rollout;
mod story;
mod traces;

use std::fs;
use std::path::Path;

use anyhow::{Context, bail};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::event::{InputFormat, Mapping, Outcome, detect_format};
use crate::seal::{SealOptions, Sealer};
use crate::segment::keys::{Signer, generate_with, parse_signer, short_key};
use crate::segment::{SegmentHeader, segment_path, split_segment};
use crate::store::DirStore;

use background::{END, START};
use payments::Charge;
use rng::{MIN, Micros, Record, SEC, clock, k8s_time, rfc3339_secs};

pub use story::{CONFIG_MAP, ENGINEER, INTRUDER, INTRUDER_IP};

/// The demo store's origin, also the name of its signing key.
pub const ORIGIN: &str = "demo.trailscope";
/// Number of segments in the demo store (one per four minutes of the timeline).
pub const SEGMENTS: u64 = 30;
/// A checkpoint is signed after every this many segments.
pub const CHECKPOINT_EVERY: u64 = 5;
/// Number of segments at the end left without a checkpoint (the "unsigned tail").
pub const UNSIGNED_TAIL: u64 = 2;
/// The segment altered when tampering: the one holding the config change.
pub const TAMPERED_SEGMENT: u64 = 12;
/// The actor the config change is rewritten to when tampering.
pub const TAMPERED_ACTOR: &str = "alice@example.com";

/// Seed of the signing key ("trailsco").
const KEY_SEED: u64 = 0x7472_6169_6c73_636f;
/// Directories of an earlier demo store that are replaced: the sealed store and the telemetry
/// written beside it.
const DEMO_DIRS: [&str; 4] = ["segments", "checkpoints", "metrics", "traces"];
/// Where the traces of `payments` go, relative to the store.
const TRACES_FILE: &str = "traces/payments.json";

/// Time covered by one segment.
const WINDOW: Micros = 4 * MIN;

const _: () = assert!((END - START) / WINDOW == SEGMENTS as i64);
const _: () = assert!((story::CONFIG_CHANGE - START) / WINDOW == TAMPERED_SEGMENT as i64);
const _: () = assert!(TAMPERED_SEGMENT < SEGMENTS - UNSIGNED_TAIL);

/// Writes the demo store into `dir`; when `tamper` is true one segment is altered afterwards.
/// Returns a one-paragraph summary for the user.
///
/// `dir` may be missing, empty, or a demo store written earlier (which is replaced); anything
/// else is refused and left alone.
pub fn write_demo_store(dir: &Path, tamper: bool) -> anyhow::Result<String> {
    let charges = payments::charges();
    let records = demo_records(&charges);
    let stats = check_records(&records)?;
    prepare_dir(dir)?;
    let mut key_rng = ChaCha20Rng::seed_from_u64(KEY_SEED);
    let key = generate_with(&mut key_rng, ORIGIN)?;
    let signer = parse_signer(&key.private)?;
    let store = DirStore::new(dir);
    seal(&store, &signer, &records)
        .with_context(|| format!("writing the demo store to {}", dir.display()))?;
    write_telemetry(dir, &charges)?;
    let tampered = if tamper {
        Some(tamper_store(dir)?)
    } else {
        None
    };
    Ok(summary(dir, &stats, &signer, tampered))
}

/// All records of the demo, in time order.
fn demo_records(charges: &[Charge]) -> Vec<Record> {
    let mut out = Vec::with_capacity(5000);
    let checkout = background::generate(&mut out);
    story::generate(&mut out, &checkout);
    out.extend(charges.iter().map(payments::record));
    out.retain(|r| (START..END).contains(&r.t));
    out.sort_by_key(|r| r.t);
    out
}

/// What the summary says about the records.
struct Stats {
    k8s: usize,
    cloudtrail: usize,
    /// `payments` application audit lines (generic NDJSON).
    app: usize,
    /// Of those, the failed charges.
    app_failed: usize,
    denied: usize,
}

/// Maps every record as the verifier will, so a generator bug fails here rather than in the
/// store.
fn check_records(records: &[Record]) -> anyhow::Result<Stats> {
    let mapping = Mapping::default();
    let mut st = Stats {
        k8s: 0,
        cloudtrail: 0,
        app: 0,
        app_failed: 0,
        denied: 0,
    };
    for (i, r) in records.iter().enumerate() {
        let line = String::from_utf8_lossy(&r.bytes);
        let e = mapping
            .map_record(&r.bytes)
            .map_err(|e| anyhow::anyhow!("demo record {i} ({line}): {e}"))?;
        if e.time != r.t * 1000 {
            bail!(
                "demo record {i} ({line}): maps to time {}, generated for {}",
                e.time,
                r.t * 1000
            );
        }
        let v: serde_json::Value = serde_json::from_slice(&r.bytes)?;
        match detect_format(|k| v.get(k)) {
            InputFormat::K8sAudit => st.k8s += 1,
            InputFormat::Cloudtrail => st.cloudtrail += 1,
            InputFormat::Ndjson => {
                // An application line must map fully, or the console cannot pivot on it.
                if e.action != payments::ACTION
                    || e.actor.is_empty()
                    || e.resource.is_empty()
                    || e.outcome == Outcome::Unknown
                    || e.trace_id.is_none()
                    || e.span_id.is_none()
                {
                    bail!(
                        "demo record {i} ({line}): generic NDJSON maps to action {:?}, actor {:?}, resource {:?}, \
                         outcome {:?}, trace id {:?}, span id {:?}",
                        e.action,
                        e.actor,
                        e.resource,
                        e.outcome,
                        e.trace_id,
                        e.span_id
                    );
                }
                st.app += 1;
                if e.outcome == Outcome::Failure {
                    st.app_failed += 1;
                }
            }
            f => bail!("demo record {i} ({line}) is detected as {f}"),
        }
        if e.outcome == Outcome::Denied && e.source_ip.as_deref() == Some(INTRUDER_IP) {
            st.denied += 1;
        }
    }
    Ok(st)
}

/// Makes `dir` ready for a fresh store: missing and empty directories are fine; an earlier
/// demo store is removed; anything else is refused.
fn prepare_dir(dir: &Path) -> anyhow::Result<()> {
    let shown = dir.display();
    let meta = match fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("reading {shown}")),
    };
    if !meta.is_dir() {
        bail!("{shown} exists and is not a directory; choose another --dir");
    }
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("listing {shown}"))? {
        names.push(
            entry
                .with_context(|| format!("listing {shown}"))?
                .file_name()
                .to_string_lossy()
                .into_owned(),
        );
    }
    // The writer's lock file stays beside a store once sealed (it is never removed: see
    // store/lock.rs).
    names.retain(|n| n != crate::store::WRITER_LOCK_NAME);
    if names.is_empty() {
        return Ok(());
    }
    if !dir.join("segments").is_dir() {
        bail!(
            "{shown} is not empty and is not a trailscope store (no segments/ directory); refusing to replace it: choose another --dir or empty it"
        );
    }
    if let Some(other) = names.iter().find(|n| !DEMO_DIRS.contains(&n.as_str())) {
        bail!(
            "{shown} holds {other:?} besides {}; refusing to replace it: choose another --dir",
            DEMO_DIRS.map(|d| format!("{d}/")).join(", ")
        );
    }
    let store = DirStore::new(dir);
    let first = crate::store::Store::list(&store, "segments")?
        .into_iter()
        .find(|n| n.ends_with(".seg"));
    if let Some(name) = first {
        let bytes = fs::read(dir.join("segments").join(&name))
            .with_context(|| format!("reading {shown}/segments/{name}"))?;
        let origin = split_segment(&bytes)
            .ok()
            .and_then(|(h, _)| serde_json::from_slice::<SegmentHeader>(h).ok())
            .map(|h| h.origin);
        if origin.as_deref() != Some(ORIGIN) {
            bail!(
                "{shown} is a trailscope store but not a demo store (origin {}); refusing to replace it: choose another --dir",
                origin.map_or("unreadable".to_string(), |o| format!("{o:?}"))
            );
        }
    }
    for sub in DEMO_DIRS {
        let p = dir.join(sub);
        if p.exists() {
            fs::remove_dir_all(&p)
                .with_context(|| format!("removing the old demo store's {}", p.display()))?;
        }
    }
    Ok(())
}

/// Writes the telemetry of `payments` beside the store: its metrics and the traces of `charges`.
fn write_telemetry(dir: &Path, charges: &[Charge]) -> anyhow::Result<()> {
    let write = |rel: &str, bytes: &[u8]| -> anyhow::Result<()> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
    };
    for (name, bytes) in metrics::files() {
        write(&format!("metrics/{name}"), &bytes)?;
    }
    write(TRACES_FILE, &traces::payments_json(charges))
}

/// Seals `records` into [`SEGMENTS`] segments of four minutes each, signing a checkpoint after
/// every [`CHECKPOINT_EVERY`] segments except for the last [`UNSIGNED_TAIL`].
fn seal(store: &DirStore, signer: &Signer, records: &[Record]) -> anyhow::Result<()> {
    let mut windows: Vec<Vec<&Record>> = (0..SEGMENTS).map(|_| Vec::new()).collect();
    for r in records {
        windows[((r.t - START) / WINDOW) as usize].push(r);
    }
    if let Some(i) = windows.iter().position(Vec::is_empty) {
        bail!("internal error: demo segment {i} would be empty");
    }
    let signed = SEGMENTS - UNSIGNED_TAIL;
    let mut stops: Vec<u64> = (1..)
        .map(|k| k * CHECKPOINT_EVERY)
        .take_while(|s| *s < signed)
        .collect();
    stops.extend([signed, SEGMENTS]);
    let mut next = 0u64;
    for stop in stops {
        // Each batch is sealed by a sealer run shortly after its last window closed, as a
        // periodic `trailscope seal` would.
        let sealed_at = START + stop as i64 * WINDOW + 25 * SEC;
        let opts = SealOptions {
            signer: Some(signer.clone()),
            segment_events: usize::MAX,
            checkpoint_time: Some(rfc3339_secs(sealed_at)),
            origin: Some(ORIGIN.into()),
            ..Default::default()
        };
        let mut sealer = Sealer::open(store, opts)?;
        for w in &windows[next as usize..stop as usize] {
            for r in w {
                let t = sealer
                    .mapping()
                    .record_time(&r.bytes)
                    .map_err(anyhow::Error::msg)?;
                sealer.push(r.bytes.clone(), t)?;
            }
            sealer.flush()?;
        }
        if stop <= signed {
            sealer.checkpoint()?;
        }
        next = stop;
    }
    Ok(())
}

/// Where the tampering happened.
struct Tampered {
    line: usize,
}

/// Rewrites the actor of the config change in segment [`TAMPERED_SEGMENT`]'s body, leaving its
/// header (and so the chain and every checkpoint) as it was.
fn tamper_store(dir: &Path) -> anyhow::Result<Tampered> {
    let path = dir.join(segment_path(TAMPERED_SEGMENT));
    let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let (head, body) =
        split_segment(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let needle = format!("\"username\":\"{ENGINEER}\"");
    let when = format!(
        "\"requestReceivedTimestamp\":\"{}\"",
        k8s_time(story::CONFIG_CHANGE)
    );
    let mut offset = 0;
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        let text = String::from_utf8_lossy(line);
        if text.contains(&when) && text.contains(&needle) {
            let altered = text.replacen(&needle, &format!("\"username\":\"{TAMPERED_ACTOR}\""), 1);
            let mut out = Vec::with_capacity(bytes.len() + 8);
            out.extend_from_slice(head);
            out.push(b'\n');
            out.extend_from_slice(&body[..offset]);
            out.extend_from_slice(altered.as_bytes());
            out.extend_from_slice(&body[offset + line.len()..]);
            fs::write(&path, out).with_context(|| format!("writing {}", path.display()))?;
            return Ok(Tampered { line: i + 1 });
        }
        offset += line.len() + 1;
    }
    bail!("internal error: the config change is not in segment {TAMPERED_SEGMENT}")
}

fn summary(dir: &Path, st: &Stats, signer: &Signer, tampered: Option<Tampered>) -> String {
    let mut s = format!(
        "Wrote the demo store to {}: {} events ({} Kubernetes audit, {} CloudTrail, {} payments application audit) \
         from 2026-11-24 {} to {} UTC, sealed in {SEGMENTS} segments of four minutes; checkpoints signed by {} \
         (checkpoints/signer.pub) after every {CHECKPOINT_EVERY} segments, the last {UNSIGNED_TAIL} left unsigned.\n\
         Beside it: {TRACES_FILE} ({} OTLP traces of checkout -> payments, one per payments audit line and with its \
         trace id; {} of them failed) and metrics/ (request rate, error rate, p99 latency and CPU of payments, every \
         {} s, as Prometheus query_range JSON).\n\nThe story (UTC):\n",
        dir.display(),
        st.k8s + st.cloudtrail + st.app,
        st.k8s,
        st.cloudtrail,
        st.app,
        rng::clock_min(START),
        rng::clock_min(END),
        short_key(&signer.public),
        st.app,
        st.app_failed,
        metrics::STEP / rng::SEC,
    );
    for m in story::moments(st.denied) {
        s.push_str("  ");
        s.push_str(&m);
        s.push('\n');
    }
    if let Some(t) = tampered {
        s.push_str(&format!(
            "\nTampered: after sealing, line {} of segment {TAMPERED_SEGMENT} (the {} config change) was edited to name \
             {TAMPERED_ACTOR} instead of {ENGINEER}; the segment header was left alone, so verify should report \
             content_modified for seq {TAMPERED_SEGMENT} as its only error.\n",
            t.line,
            clock(story::CONFIG_CHANGE),
        ));
    }
    s
}
