//! Baselines measured on the same bytes in the same run: the hashing floor (`openssl dgst`),
//! plain reading, and Tantivy indexing the already-extracted fields ("Tantivy alone").

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use tantivy::indexer::NoMergePolicy;
use tantivy::schema::{DateOptions, DateTimePrecision, FAST, INDEXED, STRING, Schema};
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument};

use trailscope::segment::segment_path;
use trailscope::verify::segment_check::check_segment;

use crate::data::{Extracted, Pools};

/// The sealed segment files, in seq order.
pub fn segment_files(store: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(store.join("segments"))
        .expect("store has segments/")
        .map(|e| e.expect("readable directory").path())
        .collect();
    v.sort();
    v
}

/// Seconds `openssl dgst -sha256` takes over every file (one process, one core), or why it was
/// not measured.
pub fn openssl_sha256(files: &[PathBuf]) -> Result<f64, String> {
    let started = Instant::now();
    let status = Command::new("openssl")
        .args(["dgst", "-sha256"])
        .args(files)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => Ok(started.elapsed().as_secs_f64()),
        Ok(s) => Err(format!("openssl dgst failed ({s})")),
        Err(e) => Err(format!("openssl not runnable: {e}")),
    }
}

/// Seconds to read every file once into one reused buffer (like `cat > /dev/null`; the files
/// are in the page cache, having just been written).
pub fn read_all(files: &[PathBuf]) -> f64 {
    let started = Instant::now();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    for f in files {
        let mut file = std::fs::File::open(f).expect("segment file");
        loop {
            let k = file.read(&mut buf).expect("readable segment");
            if k == 0 {
                break;
            }
            n += k as u64;
        }
    }
    std::hint::black_box(n);
    started.elapsed().as_secs_f64()
}

/// Seconds `check_segment` (what every pull does to each fetched body: content hash, Merkle
/// leaves, per-event time) takes over every file on one thread, reading excluded.
pub fn check_one_thread(files: &[PathBuf]) -> f64 {
    let mut secs = 0.0;
    for (seq, f) in files.iter().enumerate() {
        let bytes = std::fs::read(f).expect("segment file");
        let started = Instant::now();
        let facts = check_segment(seq as u64, segment_path(seq as u64), &bytes);
        secs += started.elapsed().as_secs_f64();
        assert!(facts.issue.is_none(), "segment {seq}: {:?}", facts.issue);
    }
    secs
}

/// Index threads of the baseline (the pull uses one per core; this machine has two).
pub const TANTIVY_THREADS: usize = 2;
/// Writer memory, as the pull's indexer.
const TANTIVY_MEMORY: usize = 256 << 20;

/// Seconds for Tantivy to index `events` (fields given, nothing parsed) into a new index in
/// `dir` with [`TANTIVY_THREADS`] threads, no merges, one commit.
pub fn tantivy_alone(dir: &Path, pools: &Pools, events: &[Extracted]) -> anyhow::Result<f64> {
    let mut b = Schema::builder();
    let time = b.add_date_field(
        "time",
        DateOptions::from(INDEXED)
            .set_fast()
            .set_precision(DateTimePrecision::Nanoseconds),
    );
    let seq = b.add_u64_field("seq", INDEXED | FAST);
    let pos = b.add_u64_field("pos", FAST);
    let [actor, action, resource, outcome, source_ip, request_id] = [
        "actor",
        "action",
        "resource",
        "outcome",
        "source_ip",
        "request_id",
    ]
    .map(|n| b.add_text_field(n, STRING | FAST));
    let index = Index::create_in_dir(dir, b.build())?;
    let started = Instant::now();
    let mut writer: IndexWriter<TantivyDocument> =
        index.writer_with_num_threads(TANTIVY_THREADS, TANTIVY_MEMORY)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    for e in events {
        let mut doc = TantivyDocument::new();
        doc.add_date(time, DateTime::from_timestamp_nanos(e.time_ns));
        doc.add_u64(seq, u64::from(e.seq));
        doc.add_u64(pos, u64::from(e.pos));
        doc.add_text(actor, e.actor(pools));
        doc.add_text(action, e.action());
        doc.add_text(resource, &e.resource);
        doc.add_text(outcome, e.outcome);
        doc.add_text(source_ip, e.source_ip(pools));
        doc.add_text(request_id, &e.request_id);
        writer.add_document(doc)?;
    }
    writer.commit()?;
    let secs = started.elapsed().as_secs_f64();
    writer.wait_merging_threads()?;
    Ok(secs)
}

/// Why lnav was not measured.
pub fn lnav_note() -> String {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("lnav").is_file()));
    if found {
        "not done: lnav is installed, but reading sealed segments needs a custom JSON log format \
         (the header line is not an event); not set up"
            .into()
    } else {
        "not done: lnav is not installed".into()
    }
}
