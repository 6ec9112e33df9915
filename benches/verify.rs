//! `cargo bench --bench verify`: verify throughput against raw SHA-256 of the same bytes,
//! measured in the same run.
//!
//! Builds a store of realistic Kubernetes-audit-sized events (default ~200 MB; set
//! `TRAILSCOPE_BENCH_MB`), then measures
//! - `sha2_1thread`: reading every segment file and hashing it once with `sha2` on one thread
//!   (what `sha256sum` over the store would do, with the CPU's SHA extensions);
//! - `sha2_2threads`: the same spread over two threads (this machine has two cores);
//! - `verify_store`: the full verifier (body hash, Merkle leaves, per-event time check, chain,
//!   checkpoint signature), which uses every core.
//!
//! It ends by printing the throughput ratios from medians of repeated runs.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use sha2::{Digest, Sha256};
use trailscope::seal::{SealOptions, Sealer};
use trailscope::segment::keys::{generate, parse_signer};
use trailscope::store::DirStore;
use trailscope::verify::{VerifyOptions, verify_store};

fn record(i: u64) -> (Vec<u8>, i64) {
    let t = 1_767_225_600_000_000_000i64 + i as i64 * 7_000_000;
    let secs = t / 1_000_000_000;
    let micros = (t % 1_000_000_000) / 1000;
    let ts = chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S");
    let verbs = [
        "get", "list", "watch", "update", "patch", "create", "delete",
    ];
    let rec = format!(
        concat!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{:08x}-1f3b-4c5d-9e6f-{:012x}","#,
            r#""stage":"ResponseComplete","requestURI":"/apis/apps/v1/namespaces/ns-{}/deployments/app-{}","verb":"{}","#,
            r#""user":{{"username":"system:serviceaccount:ns-{}:deployer","groups":["system:serviceaccounts","system:authenticated"]}},"#,
            r#""sourceIPs":["10.0.{}.{}"],"userAgent":"kubectl/v1.30.2 (linux/amd64) kubernetes/39683505","#,
            r#""objectRef":{{"resource":"deployments","namespace":"ns-{}","name":"app-{}","apiGroup":"apps","apiVersion":"v1"}},"#,
            r#""responseStatus":{{"metadata":{{}},"code":{}}},"requestReceivedTimestamp":"{}.{:06}Z","stageTimestamp":"{}.{:06}Z","#,
            r#""annotations":{{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"deployers\""}}}}"#
        ),
        i,
        i,
        i % 40,
        i % 300,
        verbs[(i % 7) as usize],
        i % 40,
        i % 250,
        i % 200,
        i % 40,
        i % 300,
        if i % 97 == 0 { 403 } else { 200 },
        ts,
        micros,
        ts,
        micros
    );
    (rec.into_bytes(), t)
}

fn build_store(dir: &Path, target_bytes: u64) -> u64 {
    let kp = generate("bench.trailscope").unwrap();
    let store = DirStore::new(dir);
    let opts = SealOptions {
        signer: Some(parse_signer(&kp.private).unwrap()),
        ..Default::default()
    };
    let mut sealer = Sealer::open(&store, opts).unwrap();
    let mut bytes = 0u64;
    let mut i = 0u64;
    while bytes < target_bytes {
        let (r, t) = record(i);
        bytes += r.len() as u64 + 1;
        sealer.push(r, t).unwrap();
        i += 1;
    }
    sealer.finish().unwrap();
    i
}

fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("segments"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn hash_files(files: &[PathBuf]) -> u8 {
    let mut acc = 0u8;
    for f in files {
        let b = std::fs::read(f).unwrap();
        acc ^= Sha256::digest(&b)[0];
    }
    acc
}

fn hash_files_2(files: &[PathBuf]) -> u8 {
    let (a, b) = files.split_at(files.len() / 2);
    std::thread::scope(|s| {
        let h = s.spawn(|| hash_files(a));
        hash_files(b) ^ h.join().unwrap()
    })
}

fn median_secs(mut f: impl FnMut(), reps: usize) -> f64 {
    let mut v: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[reps / 2]
}

fn main() {
    let mb: u64 = std::env::var("TRAILSCOPE_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    eprintln!("building a ~{mb} MB store …");
    let events = build_store(&dir, mb << 20);
    let files = segment_files(&dir);
    let total: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    eprintln!("{events} events, {} segments, {total} bytes", files.len());
    let store = DirStore::new(&dir);
    let report = verify_store(&store, &VerifyOptions::default()).unwrap();
    assert!(report.is_intact(), "{}", report.to_human());

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    let mut g = c.benchmark_group("verify");
    g.throughput(Throughput::Bytes(total));
    g.bench_function("sha2_1thread", |b| b.iter(|| hash_files(&files)));
    g.bench_function("sha2_2threads", |b| b.iter(|| hash_files_2(&files)));
    g.bench_function("verify_store", |b| {
        b.iter(|| verify_store(&store, &VerifyOptions::default()).unwrap())
    });
    g.finish();
    c.final_summary();

    let reps = 7;
    let t1 = median_secs(
        || {
            hash_files(&files);
        },
        reps,
    );
    let t2 = median_secs(
        || {
            hash_files_2(&files);
        },
        reps,
    );
    let tv = median_secs(
        || {
            verify_store(&store, &VerifyOptions::default()).unwrap();
        },
        reps,
    );
    let gbs = |t: f64| total as f64 / t / 1e9;
    println!(
        "\nmedian of {reps} runs over {total} bytes ({events} events, {} cores):",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("  sha2, 1 thread : {:.3} s  {:.2} GB/s", t1, gbs(t1));
    println!("  sha2, 2 threads: {:.3} s  {:.2} GB/s", t2, gbs(t2));
    println!("  verify_store   : {:.3} s  {:.2} GB/s", tv, gbs(tv));
    println!("  verify / sha2 (1 thread)  = {:.0} %", 100.0 * t1 / tv);
    println!("  verify / sha2 (2 threads) = {:.0} %", 100.0 * t2 / tv);
}
