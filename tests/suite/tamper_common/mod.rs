//! Shared helpers for the tamper tests: building small stores with the library, altering their
//! files, verifying them and checking that every alteration is attributed to the right seq and
//! kind.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use tempfile::TempDir;
use trailscope::event::Mapping;
use trailscope::seal::{SealOptions, Sealer};
use trailscope::segment::checkpoint::{Checkpoint, LATEST_PATH, SIGNER_PUB_PATH, checkpoint_path};
use trailscope::segment::keys::{
    KeyPair, Signer, Verifier, generate_with, parse_signer, parse_verifier,
};
use trailscope::segment::{Hash32, SegmentHeader, encode_segment, segment_path, split_segment};
use trailscope::store::DirStore;
use trailscope::verify::{
    Kind, PinStore, Report, SegmentState, Severity, VerifyOptions, verify_store,
};

/// Origin of every test store.
pub const ORIGIN: &str = "tamper-test";
/// Fixed checkpoint time, so that equal stores are byte-identical.
pub const CP_TIME: &str = "2026-01-02T00:00:00Z";

/// Key pair number `i` (0 = "key A", 1 = "key B"), generated once from a fixed seed.
pub fn key(i: usize) -> &'static KeyPair {
    static KEYS: OnceLock<Vec<KeyPair>> = OnceLock::new();
    &KEYS.get_or_init(|| {
        (0..2u8)
            .map(|i| {
                let mut rng = ChaCha20Rng::from_seed([i + 1; 32]);
                generate_with(&mut rng, "tamper").expect("valid key name")
            })
            .collect()
    })[i]
}

/// The signer of key `i`.
pub fn signer(i: usize) -> Signer {
    parse_signer(&key(i).private).unwrap()
}

/// The verifier of key `i`.
pub fn verifier(i: usize) -> Verifier {
    parse_verifier(&key(i).public).unwrap()
}

/// One audit record.
#[derive(Clone, Debug)]
pub struct Rec {
    /// Actor.
    pub user: String,
    /// Action.
    pub action: String,
    /// Resource.
    pub resource: String,
    /// Seconds after 2026-01-01T00:00:00Z (< 3600).
    pub secs: u32,
}

impl Rec {
    /// A plain record.
    pub fn plain(i: u32) -> Rec {
        Rec {
            user: format!("u{}", i % 3),
            action: "get".into(),
            resource: format!("r{i}"),
            secs: i % 3600,
        }
    }

    /// The record's JSON bytes (one line) and its time as the mapping reads it.
    pub fn encode(&self) -> (Vec<u8>, i64) {
        let time = format!("2026-01-01T00:{:02}:{:02}Z", self.secs / 60, self.secs % 60);
        let v = serde_json::json!({
            "time": time, "user": self.user, "action": self.action, "resource": self.resource,
        });
        let bytes = serde_json::to_vec(&v).unwrap();
        let t = Mapping::default()
            .record_time(&bytes)
            .expect("record has a time");
        (bytes, t)
    }
}

/// What store to build.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Records of each segment (each non-empty).
    pub segments: Vec<Vec<Rec>>,
    /// Key index to sign checkpoints with, or `None` for an unsigned store.
    pub key: Option<usize>,
    /// Sizes (1..=segments) after which a checkpoint is signed. The last size is always
    /// checkpointed when `key` is set and `sign_last` is true.
    pub checkpoints: BTreeSet<u64>,
    /// Whether the final size is checkpointed.
    pub sign_last: bool,
}

impl Spec {
    /// A signed store of `sizes.len()` segments with plain records, checkpointed at the end.
    pub fn plain(sizes: &[usize]) -> Spec {
        let mut i = 0;
        let segments = sizes
            .iter()
            .map(|&n| {
                (0..n)
                    .map(|_| {
                        i += 1;
                        Rec::plain(i)
                    })
                    .collect()
            })
            .collect();
        Spec {
            segments,
            key: Some(0),
            checkpoints: BTreeSet::new(),
            sign_last: true,
        }
    }

    /// Number of segments.
    pub fn n(&self) -> u64 {
        self.segments.len() as u64
    }

    /// Every checkpoint size that will exist.
    pub fn checkpoint_sizes(&self) -> BTreeSet<u64> {
        if self.key.is_none() {
            return BTreeSet::new();
        }
        let mut s: BTreeSet<u64> = self
            .checkpoints
            .iter()
            .copied()
            .filter(|&c| c >= 1 && c <= self.n())
            .collect();
        if self.sign_last {
            s.insert(self.n());
        }
        s
    }
}

/// A store on disk.
pub struct Fixture {
    /// Keeps the directory alive.
    pub dir: TempDir,
    /// The store root.
    pub root: PathBuf,
    /// What it was built from.
    pub spec: Spec,
}

/// Writes `spec` as a store at `root` with the library's writer.
pub fn seal_into(root: &Path, spec: &Spec) {
    let store = DirStore::new(root);
    let opts = SealOptions {
        segment_events: 1_000_000,
        origin: Some(ORIGIN.into()),
        signer: spec.key.map(signer),
        checkpoint_time: Some(CP_TIME.into()),
        ..SealOptions::default()
    };
    let mut sealer = Sealer::open(&store, opts).expect("open sealer");
    let cps = spec.checkpoint_sizes();
    for (i, seg) in spec.segments.iter().enumerate() {
        assert!(!seg.is_empty());
        for r in seg {
            let (b, t) = r.encode();
            sealer.push(b, t).unwrap();
        }
        sealer.flush().unwrap();
        if cps.contains(&(i as u64 + 1)) {
            sealer.checkpoint().unwrap();
        }
    }
}

/// A fresh temporary directory, on a RAM file system when there is one: the store syncs every
/// file it writes, and thousands of small stores would otherwise wait on the disk.
pub fn tempdir() -> TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(d) = tempfile::Builder::new()
            .prefix("trailscope-tamper-")
            .tempdir_in(shm)
        {
            return d;
        }
    }
    tempfile::tempdir().unwrap()
}

/// Builds `spec` in a fresh temporary directory.
pub fn build(spec: &Spec) -> Fixture {
    let dir = tempdir();
    let root = dir.path().join("store");
    seal_into(&root, spec);
    Fixture {
        dir,
        root,
        spec: spec.clone(),
    }
}

impl Fixture {
    /// Path of segment `seq`.
    pub fn seg(&self, seq: u64) -> PathBuf {
        self.root.join(segment_path(seq))
    }

    /// Path of the checkpoint of `size`.
    pub fn cp(&self, size: u64) -> PathBuf {
        self.root.join(checkpoint_path(size))
    }

    /// Path of `latest.note`.
    pub fn latest(&self) -> PathBuf {
        self.root.join(LATEST_PATH)
    }

    /// Path of `signer.pub`.
    pub fn signer_pub(&self) -> PathBuf {
        self.root.join(SIGNER_PUB_PATH)
    }

    /// A pin home inside the fixture's temporary directory.
    pub fn pins(&self) -> PinStore {
        PinStore::new(&self.dir.path().join("home"))
    }

    /// Verifies with the given trusted key (or the store's published one) and no pins.
    pub fn verify_with(&self, key: Option<usize>) -> Report {
        let opts = VerifyOptions {
            pubkey: key.map(verifier),
            pins: None,
        };
        verify_store(&DirStore::new(&self.root), &opts).expect("verification runs")
    }

    /// Verifies trusting the key the store was built with.
    pub fn verify(&self) -> Report {
        self.verify_with(self.spec.key)
    }

    /// Verifies with pins under the fixture's pin home (and no `--pubkey`).
    pub fn verify_pinned(&self) -> Report {
        let opts = VerifyOptions {
            pubkey: None,
            pins: Some(self.pins()),
        };
        verify_store(&DirStore::new(&self.root), &opts).expect("verification runs")
    }

    /// Chain hash of segment `seq` as stored.
    pub fn chain_hash(&self, seq: u64) -> Hash32 {
        let bytes = fs::read(self.seg(seq)).unwrap();
        let (h, _) = split_segment(&bytes).unwrap();
        trailscope::segment::sha256(h)
    }

    /// Signs and writes a checkpoint (numbered, and `latest.note` too when `latest`).
    pub fn write_checkpoint(&self, key: usize, size: u64, hash: Hash32, latest: bool) -> Vec<u8> {
        let cp = Checkpoint {
            origin: ORIGIN.into(),
            size,
            hash,
            time: CP_TIME.into(),
        };
        let note = cp.sign(&signer(key));
        fs::write(self.cp(size), &note).unwrap();
        if latest {
            fs::write(self.latest(), &note).unwrap();
        }
        note
    }

    /// Records and times of segment `seq`, as sealed.
    pub fn records(&self, seq: u64) -> (Vec<Vec<u8>>, Vec<i64>) {
        self.spec.segments[seq as usize]
            .iter()
            .map(Rec::encode)
            .unzip()
    }

    /// Re-encodes segments `after+1..n` with the real encoder so that they chain onto segment
    /// `after` as it is now stored, and re-signs every checkpoint covering segment `after` (and
    /// `latest.note`) with the store's key: only what was done to segment `after` remains.
    pub fn rechain_after(&self, after: u64) {
        let mut prev = self.chain_hash(after);
        for seq in after + 1..self.spec.n() {
            let (recs, times) = self.records(seq);
            let s = encode_segment(ORIGIN, seq, prev, &Mapping::default(), &recs, &times);
            fs::write(self.seg(seq), &s.bytes).unwrap();
            prev = s.chain_hash;
        }
        let key = self.spec.key.expect("signed store");
        let sizes = self.spec.checkpoint_sizes();
        let last = sizes.iter().next_back().copied();
        for &size in sizes.iter().filter(|&&s| s > after) {
            self.write_checkpoint(key, size, self.chain_hash(size - 1), Some(size) == last);
        }
    }
}

/// Names of the header fields, in the order written.
pub const HEADER_FIELDS: [&str; 11] = [
    "format",
    "origin",
    "seq",
    "prev",
    "events",
    "first_time",
    "last_time",
    "body_bytes",
    "content_sha256",
    "events_root",
    "mapping",
];

/// Byte range of the value of header field `name` in a segment file (quotes included).
pub fn field_span(bytes: &[u8], name: &str) -> std::ops::Range<usize> {
    let nl = bytes.iter().position(|&b| b == b'\n').unwrap();
    let line = std::str::from_utf8(&bytes[..nl]).unwrap();
    let key = format!("\"{name}\":");
    let start = line.find(&key).unwrap() + key.len();
    let end = if name == "mapping" {
        nl - 1
    } else {
        line[start..].find(",\"").map_or(nl - 1, |e| start + e)
    };
    start..end
}

/// Splits a segment file into its parsed header and body.
pub fn parse_segment(bytes: &[u8]) -> (SegmentHeader, Vec<u8>) {
    let (h, b) = split_segment(bytes).unwrap();
    (serde_json::from_slice(h).unwrap(), b.to_vec())
}

/// Reassembles a segment file from a header (serialised like the writer does) and a body.
pub fn assemble(header: &SegmentHeader, body: &[u8]) -> Vec<u8> {
    let mut out = serde_json::to_vec(header).unwrap();
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

/// Renders the problems for failure messages.
pub fn dump(r: &Report) -> String {
    let mut s = r.to_human();
    for st in &r.states {
        s.push_str(&format!("  state seq {}: {:?}\n", st.seq, st.state));
    }
    s
}

/// The error problems as `(seq, kind)`.
pub fn errors(r: &Report) -> Vec<(Option<u64>, Kind)> {
    r.errors().map(|p| (p.seq, p.kind)).collect()
}

/// Asserts an untouched store verifies intact (warnings only: the unsigned tail).
pub fn assert_intact(r: &Report) {
    assert!(r.is_intact(), "expected intact:\n{}", dump(r));
    assert_eq!(r.errors().count(), 0, "{}", dump(r));
    for p in &r.problems {
        assert!(
            p.kind == Kind::UnsignedTail && p.severity == Severity::Warning,
            "unexpected problem {p:?}\n{}",
            dump(r)
        );
    }
}

/// Asserts the report is not intact and has an error problem at `seq` whose kind is one of
/// `kinds`.
pub fn assert_has(r: &Report, seq: Option<u64>, kinds: &[Kind]) {
    assert!(
        !r.is_intact(),
        "expected problems at {seq:?} {kinds:?}, store verified intact:\n{}",
        dump(r)
    );
    assert!(
        r.errors().any(|p| p.seq == seq && kinds.contains(&p.kind)),
        "expected an error at seq {seq:?} of kind {kinds:?}, got {:?}\n{}",
        errors(r),
        dump(r)
    );
}

/// Asserts every error problem is at one of `seqs`.
pub fn assert_only_at(r: &Report, seqs: &[Option<u64>]) {
    for p in r.errors() {
        assert!(
            seqs.contains(&p.seq),
            "error at unexpected seq: {p:?}\n{}",
            dump(r)
        );
    }
}

/// Asserts that no segment at or after `seq` is reported as verified or as an unsigned tail.
pub fn assert_nothing_trusted_from(r: &Report, seq: u64) {
    for st in r.states.iter().filter(|s| s.seq >= seq) {
        assert!(
            !matches!(
                st.state,
                SegmentState::Verified | SegmentState::UnsignedTail
            ),
            "segment {} is {:?} although the store was altered at {seq}\n{}",
            st.seq,
            st.state,
            dump(r)
        );
    }
    if let Some(h) = &r.head {
        assert!(
            h.seq < seq,
            "head {h:?} at or after the alteration at {seq}\n{}",
            dump(r)
        );
    }
}

/// Asserts that no segment at or after `seq` is reported as verified and signed.
pub fn assert_nothing_signed_from(r: &Report, seq: u64) {
    for st in r.states.iter().filter(|s| s.seq >= seq) {
        assert!(
            st.state != SegmentState::Verified,
            "segment {} is verified\n{}",
            st.seq,
            dump(r)
        );
    }
}

/// Strategy: one record with ASCII or arbitrary Unicode text fields.
pub fn rec_strategy() -> impl Strategy<Value = Rec> {
    let text = prop_oneof![
        "[a-z0-9]{1,8}",
        "\\PC{0,12}",
        Just("ünïcødé 🦀 \u{202e}".to_string()),
        Just("quote\" back\\slash\nnewline\ttab".to_string()),
    ];
    (text.clone(), "[a-z]{1,6}", text, 0u32..3600).prop_map(|(user, action, resource, secs)| Rec {
        user,
        action,
        resource,
        secs,
    })
}

/// Strategy: `segs` segments of 1..=6 records.
pub fn segments_strategy(
    segs: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<Vec<Rec>>> {
    proptest::collection::vec(proptest::collection::vec(rec_strategy(), 1..=6), segs)
}

/// Strategy: a signed store of 3..=8 segments, checkpointed at the end (and maybe earlier).
pub fn signed_spec() -> impl Strategy<Value = Spec> {
    (
        segments_strategy(3..=8),
        proptest::collection::btree_set(1u64..8, 0..3),
    )
        .prop_map(|(segments, cps)| Spec {
            segments,
            key: Some(0),
            checkpoints: cps,
            sign_last: true,
        })
}
