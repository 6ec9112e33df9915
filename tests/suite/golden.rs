//! Golden fixture: a tiny store committed under tests/fixtures/golden/ with its expected
//! hashes. Any accidental change to the format (header members, order, spelling of times,
//! hashing, note encoding) makes these tests fail.
//!
//! To regenerate after an intentional format change (which also needs a new format version):
//! `TRAILSCOPE_BLESS=1 cargo test --test suite golden::`.

use std::path::{Path, PathBuf};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use trailscope::event::Mapping;
use trailscope::seal::{SealOptions, Sealer};
use trailscope::segment::keys::{generate_with, parse_signer, parse_verifier};
use trailscope::segment::sha256;
use trailscope::store::DirStore;
use trailscope::verify::{VerifyOptions, verify_store};

const RECORDS: &[&str] = &[
    r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"7d2c4a8e-1f3b-4c5d-9e6f-0a1b2c3d4e5f","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/prod/secrets/db-password","verb":"get","user":{"username":"system:serviceaccount:prod:api","groups":["system:serviceaccounts"]},"sourceIPs":["10.0.3.17"],"userAgent":"api/v1.4.2","objectRef":{"resource":"secrets","namespace":"prod","name":"db-password","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-01-02T03:00:00.123456Z","stageTimestamp":"2026-01-02T03:00:00.125001Z"}"#,
    r#"{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/mallory","accountId":"111122223333","userName":"mallory"},"eventTime":"2026-01-02T03:01:00Z","eventSource":"s3.amazonaws.com","eventName":"DeleteBucket","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.77","userAgent":"aws-cli/2.15.0","errorCode":"AccessDenied","errorMessage":"Access Denied","requestParameters":{"bucketName":"backups-prod"},"responseElements":null,"requestID":"REQ1","eventID":"e1","readOnly":false,"eventType":"AwsApiCall"}"#,
    r#"{"ts":1767322920500,"user":"ann","action":"login","resource":"console","status":"ok","ip":"192.0.2.10"}"#,
    r#"{ "time" : "2026-01-02T04:03:02+01:00", "actor": "bob \u00e9\u00e8", "action": "export", "resource": "report/42", "outcome": "denied" }"#,
    r#"{"@timestamp":"2026-01-02T03:05:00.5Z","user":{"name":"carol"},"event":{"action":"delete"},"resource":"db/orders","success":false}"#,
];

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden")
}

/// Builds the golden store deterministically into `dir`; returns the verifier key.
fn build(dir: &Path) -> String {
    let mut rng = ChaCha20Rng::seed_from_u64(0x601d);
    let kp = generate_with(&mut rng, "golden.trailscope").unwrap();
    let store = DirStore::new(dir.join("store"));
    let opts = SealOptions {
        segment_events: 2,
        origin: Some("golden.trailscope".into()),
        signer: Some(parse_signer(&kp.private).unwrap()),
        checkpoint_time: Some("2026-01-02T06:00:00Z".into()),
        ..Default::default()
    };
    let mut sealer = Sealer::open(&store, opts).unwrap();
    let m = Mapping::default();
    for (i, r) in RECORDS.iter().enumerate() {
        sealer
            .push(
                r.as_bytes().to_vec(),
                m.map_record(r.as_bytes()).unwrap().time,
            )
            .unwrap();
        if i == 1 {
            sealer.checkpoint().unwrap();
        }
    }
    sealer.finish().unwrap();
    std::fs::write(dir.join("golden.pub"), format!("{}\n", kp.public)).unwrap();
    kp.public
}

fn files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["store/segments", "store/checkpoints"] {
        let mut names: Vec<_> = std::fs::read_dir(root.join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        for n in names {
            let rel = format!("{sub}/{}", n.to_string_lossy());
            out.push((rel.clone(), std::fs::read(root.join(&rel)).unwrap()));
        }
    }
    out.push((
        "golden.pub".into(),
        std::fs::read(root.join("golden.pub")).unwrap(),
    ));
    out
}

#[test]
fn writer_reproduces_the_committed_store_byte_for_byte() {
    if std::env::var_os("TRAILSCOPE_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(fixture_dir());
        std::fs::create_dir_all(fixture_dir()).unwrap();
        build(&fixture_dir());
    }
    let tmp = tempfile::tempdir().unwrap();
    build(tmp.path());
    let fresh = files(tmp.path());
    let committed = files(&fixture_dir());
    assert_eq!(fresh.len(), committed.len(), "file lists differ");
    for ((fa, a), (fb, b)) in fresh.iter().zip(&committed) {
        assert_eq!(fa, fb);
        assert!(
            a == b,
            "{fa} differs from the committed golden file:\nnew: {}\nold: {}",
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(b)
        );
    }
}

/// Chain hashes of the committed segments, and the events root of segment 0. These constants
/// are the format's fingerprint: they change only with the format.
const EXPECTED_CHAIN: [&str; 3] = [
    "72ab1ba25d078abc1f4d943a3c9260a180d149308556d357c332fa27777772f7",
    "5b09bd1ffbe6d0287560c1c9bd550098782cc6c18afa0a2331242319af3a2668",
    "b5acf8a8590a5ad365eee554d37b6b6a28c9724e5bc9f9f7c66e5f675f2c0433",
];
const EXPECTED_ROOT_0: &str = "f3140e0e358be07e1feb0750204975f3c98f57b3010391042cbb8ff3112656c8";

#[test]
fn committed_store_has_the_expected_hashes_and_verifies() {
    let dir = fixture_dir();
    for (seq, want) in EXPECTED_CHAIN.iter().enumerate() {
        let bytes = std::fs::read(dir.join(format!("store/segments/{seq:020}.seg"))).unwrap();
        let header = &bytes[..bytes.iter().position(|&b| b == b'\n').unwrap()];
        assert_eq!(
            sha256(header).to_hex(),
            *want,
            "chain hash of segment {seq}"
        );
        if seq == 0 {
            let text = std::str::from_utf8(header).unwrap();
            assert!(
                text.contains(&format!("\"events_root\":\"{EXPECTED_ROOT_0}\"")),
                "{text}"
            );
        }
    }
    let pubkey = parse_verifier(&std::fs::read_to_string(dir.join("golden.pub")).unwrap()).unwrap();
    let report = verify_store(
        &DirStore::new(dir.join("store")),
        &VerifyOptions {
            pubkey: Some(pubkey),
            pins: None,
        },
    )
    .unwrap();
    assert!(report.is_intact(), "{}", report.to_human());
    assert_eq!(report.segments, 3);
    assert_eq!(report.events, RECORDS.len() as u64);
    assert_eq!(report.verified_segments, 3);
    assert_eq!(report.head.as_ref().unwrap().hash, EXPECTED_CHAIN[2]);
    assert_eq!(
        report.first_time.as_deref(),
        Some("2026-01-02T03:00:00.123456000Z")
    );
    assert_eq!(
        report.last_time.as_deref(),
        Some("2026-01-02T03:05:00.500000000Z")
    );
}
