//! Chain verification: proves a store intact or names exactly what changed.
//!
//! Data flow: the store's segment files are read and checked one by one, in parallel
//! ([`segment_check`]: body hashed before it is parsed); checkpoint signatures are checked with
//! the trusted key ([`checkpoints`]); [`chain`] then links everything in seq order and
//! attributes each inconsistency to its cause; finally the result is compared with the head
//! pinned by earlier runs ([`pin`]). The [`Report`] says which segments are verified, which are
//! an unsigned tail, and every problem with its seq and kind. Nothing after the first break is
//! reported as verified.

pub mod chain;
pub mod checkpoints;
pub mod pin;
pub mod problem;
pub mod report;
pub mod segment_check;

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::segment::checkpoint::SIGNER_PUB_PATH;
use crate::segment::codec::parse_segment_name;
use crate::segment::keys::{Verifier, parse_verifier};
use crate::store::{Store, StoreError};

pub use pin::{Pin, PinStore, PinnedHead};
pub use problem::{Kind, Problem, Severity};
pub use report::{CheckpointInfo, Head, Report, SegmentState, SegmentStatus};

use segment_check::{SegmentFacts, check_segment};

/// Largest run of missing segments the verifier enumerates; a file named beyond it is reported
/// as malformed instead.
pub const MAX_GAP: u64 = 100_000;

/// Errors that stop verification before any finding (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The location has no `segments/` directory.
    #[error("{0} is not a trailscope store (no segments/ directory)")]
    NotAStore(String),
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading or writing the pin failed.
    #[error(transparent)]
    Pin(#[from] anyhow::Error),
}

/// How to verify.
#[derive(Default)]
pub struct VerifyOptions {
    /// Accept only checkpoints signed by this key (`--pubkey`).
    pub pubkey: Option<Verifier>,
    /// Where pinned heads live; `None` checks no pin and records none (used by `seal`).
    pub pins: Option<PinStore>,
}

/// What a run trusts before it looks at any segment: the pinned state, the key checkpoints must
/// be signed with, and the checkpoints whose signature verified.
pub struct Trust {
    /// The pin recorded by earlier runs for this location.
    pub pin: Option<Pin>,
    /// The key checkpoints are checked with.
    pub trusted: Option<Verifier>,
    /// Checkpoints read and checked.
    pub cps: checkpoints::CheckpointScan,
    /// Problems found so far (signer, checkpoint files).
    pub problems: Vec<Problem>,
}

/// Verifies every segment and checkpoint of `store`.
pub fn verify_store(store: &dyn Store, opts: &VerifyOptions) -> Result<Report, VerifyError> {
    let location = store.location();
    if !store.is_store()? {
        return Err(VerifyError::NotAStore(location));
    }
    let mut trust = establish_trust(store, opts)?;
    let names = segment_names(store, &mut trust.problems)?;
    let facts: Vec<SegmentFacts> = names
        .par_iter()
        .map(|(seq, name)| {
            let file = format!("segments/{name}");
            let bytes = store.get(&file)?.unwrap_or_default();
            Ok(check_segment(*seq, file, &bytes))
        })
        .collect::<Result<_, StoreError>>()?;
    let facts: BTreeMap<u64, SegmentFacts> = facts.into_iter().map(|f| (f.name_seq, f)).collect();
    conclude(location, &facts, trust, opts)
}

/// Loads the pin, decides which key to trust (`--pubkey`, else the pinned signer, else the
/// store's own on first use) and checks every checkpoint's signature with it.
pub fn establish_trust(store: &dyn Store, opts: &VerifyOptions) -> Result<Trust, VerifyError> {
    let location = store.location();
    let mut problems = Vec::new();
    let pin = match &opts.pins {
        Some(p) => p.load(&location)?,
        None => None,
    };

    // Which key to trust: --pubkey, else the pinned signer, else the store's own (first use).
    let published = store
        .get(SIGNER_PUB_PATH)?
        .map(|b| String::from_utf8_lossy(&b).trim().to_string());
    let mut trusted: Option<Verifier> = opts.pubkey.clone();
    if trusted.is_none() {
        if let Some(pinned) = pin.as_ref().and_then(|p| p.signer.clone()) {
            if let Some(pubd) = published.as_ref().filter(|p| **p != pinned) {
                problems.push(Problem::new(None, Kind::SignerChanged, Some(SIGNER_PUB_PATH.into()), format!(
                    "pinned signer is {}, the store now publishes {} (if the key was rotated on purpose, run `trailscope forget`)",
                    crate::segment::keys::short_key(&pinned), crate::segment::keys::short_key(pubd))));
            }
            trusted = parse_verifier(&pinned).ok();
        } else if let Some(pubd) = &published {
            match parse_verifier(pubd) {
                Ok(v) => trusted = Some(v),
                Err(e) => problems.push(Problem::new(
                    None,
                    Kind::BadSignature,
                    Some(SIGNER_PUB_PATH.into()),
                    e.to_string(),
                )),
            }
        }
    }

    let cps = checkpoints::scan(store, trusted.as_ref())?;
    problems.extend(cps.problems.iter().cloned());
    Ok(Trust {
        pin,
        trusted,
        cps,
        problems,
    })
}

/// The store's segment files as (seq, name), in seq order; names that are not segments, or
/// absurdly far beyond the others, are reported in `problems` and left out.
pub fn segment_names(
    store: &dyn Store,
    problems: &mut Vec<Problem>,
) -> Result<Vec<(u64, String)>, StoreError> {
    let mut names = Vec::new();
    for name in store.list("segments")? {
        match parse_segment_name(&name) {
            Some(seq) => names.push((seq, name)),
            None if name.starts_with(".tmp-") => {}
            None => problems.push(Problem::new(
                None,
                Kind::UnexpectedFile,
                Some(format!("segments/{name}")),
                "not a segment name ({seq:020}.seg); ignored",
            )),
        }
    }
    // A name far beyond the number of files cannot belong to a chain without an absurd gap;
    // reporting it (instead of enumerating the gap seq by seq) keeps hostile names like
    // 18446744073709551615.seg from costing memory or wrapping arithmetic.
    let limit = names.len() as u64 + MAX_GAP;
    names.retain(|(seq, name)| {
        if *seq < limit {
            return true;
        }
        problems.push(Problem::new(
            Some(*seq),
            Kind::Malformed,
            Some(format!("segments/{name}")),
            format!(
                "seq {seq} is more than {MAX_GAP} beyond the {} segment files; not part of the chain",
                limit - MAX_GAP
            ),
        ));
        false
    });
    Ok(names)
}

/// Links `facts` (every segment position, keyed by seq) into a chain, checks it against the
/// checkpoints and the pinned head, builds the report and advances the pin when all is well.
pub fn conclude(
    location: String,
    facts: &BTreeMap<u64, SegmentFacts>,
    trust: Trust,
    opts: &VerifyOptions,
) -> Result<Report, VerifyError> {
    let Trust {
        pin,
        trusted,
        cps,
        mut problems,
    } = trust;
    let mut analysis = chain::analyse(facts, &cps.valid);
    problems.append(&mut analysis.problems);

    // A store that is expected to be signed must not silently become unsigned: deleting every
    // checkpoint would otherwise leave only "unsigned tail" warnings.
    if !cps.any && !facts.is_empty() {
        if let Some(k) = &opts.pubkey {
            problems.push(Problem::new(
                None,
                Kind::UnknownSigner,
                None,
                format!(
                    "no checkpoint at all, but --pubkey expects checkpoints signed by {}",
                    k.short()
                ),
            ));
        } else if let Some(s) = pin.as_ref().and_then(|p| p.signer.as_ref()) {
            problems.push(Problem::new(
                None,
                Kind::CheckpointMismatch,
                None,
                format!(
                    "the store had checkpoints signed by {} when it was pinned; it has none now",
                    crate::segment::keys::short_key(s)
                ),
            ));
        }
    }
    if let (Some(pinned), Some(now)) = (
        pin.as_ref().and_then(|p| p.origin.as_ref()),
        &analysis.origin,
    ) {
        if pinned != now {
            problems.push(Problem::new(
                None,
                Kind::OriginMismatch,
                None,
                format!("the pinned origin is {pinned:?}, the store's is now {now:?}"),
            ));
        }
    }

    // Pinned head: the store must still extend it.
    let mut pin_ok = true;
    if let Some(PinnedHead { seq, hash }) = pin.as_ref().and_then(|p| p.head.clone()) {
        let store_head = (0..analysis.positions)
            .rev()
            .find_map(|s| facts.get(&s).and_then(|f| f.chain_hash).map(|h| (s, h)));
        let store_head_s = store_head.map_or("none".to_string(), |(s, h)| {
            format!("seq {s} {}", h.short())
        });
        let pinned_s = format!(
            "seq {seq} {}",
            crate::text::sanitize(&hash.chars().take(12).collect::<String>())
        );
        match facts.get(&seq).and_then(|f| f.chain_hash) {
            Some(h) if h.to_hex() == hash => {}
            Some(h) => {
                pin_ok = false;
                problems.push(Problem::new(Some(seq), Kind::Fork, Some(crate::segment::segment_path(seq)), format!(
                    "pinned head is {pinned_s}, the store's segment {seq} hashes to {}; store head is {store_head_s}", h.short())));
                analysis.break_at = 0;
                analysis.covered = 0;
                analysis.covering_checkpoint = None;
            }
            None => {
                pin_ok = false;
                problems.push(Problem::new(
                    Some(seq),
                    Kind::Rollback,
                    Some(crate::segment::segment_path(seq)),
                    format!("pinned head is {pinned_s}, the store's head is {store_head_s}"),
                ));
            }
        }
    }

    let report = report::build(
        location.clone(),
        facts,
        &analysis,
        &cps.valid,
        trusted.as_ref(),
        problems,
    );

    if let Some(pins) = &opts.pins {
        if pin_ok {
            let mut new_pin = pin.clone().unwrap_or(Pin {
                store: location.clone(),
                origin: analysis.origin.clone(),
                signer: None,
                head: None,
                updated: String::new(),
            });
            let mut changed = pin.is_none();
            if new_pin.signer.is_none() && !cps.valid.is_empty() {
                if let Some(t) = &trusted {
                    new_pin.signer = Some(t.text.clone());
                    changed = true;
                }
            }
            if let Some(h) = &report.head {
                if new_pin.head.as_ref().is_none_or(|p| h.seq > p.seq) {
                    new_pin.head = Some(PinnedHead {
                        seq: h.seq,
                        hash: h.hash.clone(),
                    });
                    changed = true;
                }
            }
            if changed {
                new_pin.updated =
                    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                pins.save(&new_pin)?;
            }
        }
    }
    Ok(report)
}
