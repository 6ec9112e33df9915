//! The built-in demo store: deterministic, verifies intact (or with exactly the planted
//! alteration), and tells its story through the mapped events.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use trailscope::demo::{self, INTRUDER, INTRUDER_IP, TAMPERED_SEGMENT};
use trailscope::event::time::parse_rfc3339_ns;
use trailscope::event::{AuditEvent, Mapping, Outcome};
use trailscope::seal::{SealOptions, Sealer};
use trailscope::segment::{SegmentHeader, split_segment};
use trailscope::store::DirStore;
use trailscope::verify::{Kind, Report, VerifyOptions, verify_store};

/// Every file under `root`, by relative path.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Segment headers and body lines, in seq order.
fn segments(dir: &Path) -> Vec<(SegmentHeader, Vec<Vec<u8>>)> {
    let mut names: Vec<_> = fs::read_dir(dir.join("segments"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| {
            let bytes = fs::read(p).unwrap();
            let (h, body) = split_segment(&bytes).unwrap();
            let header: SegmentHeader = serde_json::from_slice(h).unwrap();
            let lines = body
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(<[u8]>::to_vec)
                .collect();
            (header, lines)
        })
        .collect()
}

fn verify(dir: &Path) -> Report {
    verify_store(&DirStore::new(dir), &VerifyOptions::default()).unwrap()
}

/// One clean demo store shared by the read-only tests.
fn clean_store() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        demo::write_demo_store(&d.path().join("store"), false).unwrap();
        d
    });
    dir.path().join("store")
}

/// Every event of the clean store, mapped, in store order.
fn events() -> &'static [AuditEvent] {
    static EVENTS: OnceLock<Vec<AuditEvent>> = OnceLock::new();
    EVENTS.get_or_init(|| {
        let m = Mapping::default();
        segments(&clean_store())
            .iter()
            .flat_map(|(_, lines)| lines.iter().map(|l| m.map_record(l).unwrap()))
            .collect()
    })
}

fn at(hms: &str) -> i64 {
    parse_rfc3339_ns(&format!("2026-11-24T{hms}Z")).unwrap()
}

#[test]
fn two_runs_write_identical_stores() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    demo::write_demo_store(a.path(), true).unwrap();
    demo::write_demo_store(b.path(), true).unwrap();
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert!(fa.len() > 30, "{:?}", fa.keys().collect::<Vec<_>>());
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(fb[k] == *v, "{} differs between runs", k.display());
    }
    // The clean store differs from the tampered one in exactly the altered segment.
    let clean = files(&clean_store());
    let differing: Vec<_> = clean
        .iter()
        .filter(|(k, v)| fa[*k] != **v)
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(
        differing,
        vec![PathBuf::from(format!(
            "segments/{TAMPERED_SEGMENT:020}.seg"
        ))]
    );
}

#[test]
fn counts_and_time_order() {
    let segs = segments(&clean_store());
    assert_eq!(segs.len() as u64, demo::SEGMENTS);
    let total: u64 = segs.iter().map(|(h, _)| h.events).sum();
    assert!((3000..=5000).contains(&total), "{total} events");
    assert_eq!(events().len() as u64, total);
    assert!(
        events().windows(2).all(|w| w[0].time <= w[1].time),
        "events are sealed in time order"
    );
    let (first, last) = (events()[0].time, events().last().unwrap().time);
    assert!(first >= at("01:00:00") && last < at("03:00:00"));
    for (h, lines) in &segs {
        assert_eq!(h.origin, demo::ORIGIN);
        assert!(
            h.events > 50,
            "segment {} has only {} events",
            h.seq,
            h.events
        );
        assert!(
            lines
                .iter()
                .all(|l| !l.contains(&b'\n') && l.starts_with(b"{"))
        );
    }
}

#[test]
fn clean_store_verifies_with_an_unsigned_tail() {
    let r = verify(&clean_store());
    assert!(r.is_intact(), "{}", r.to_human());
    assert_eq!(r.verified_segments, demo::SEGMENTS - demo::UNSIGNED_TAIL);
    assert_eq!(r.unsigned_segments, demo::UNSIGNED_TAIL);
    assert!(
        r.problems.iter().any(|p| p.kind == Kind::UnsignedTail),
        "{}",
        r.to_human()
    );
    assert_eq!(r.problems.len(), 1, "{}", r.to_human());
    let cps: Vec<String> = fs::read_dir(clean_store().join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(cps.contains(&"signer.pub".to_string()) && cps.contains(&"latest.note".to_string()));
    assert_eq!(
        cps.iter().filter(|n| n.starts_with("000")).count(),
        6,
        "{cps:?}"
    );
}

#[test]
fn tampered_store_reports_one_content_modification() {
    let d = tempfile::tempdir().unwrap();
    let summary = demo::write_demo_store(d.path(), true).unwrap();
    assert!(
        summary.contains(&format!("segment {TAMPERED_SEGMENT}")),
        "{summary}"
    );
    let r = verify(d.path());
    let errors: Vec<_> = r.errors().collect();
    assert_eq!(errors.len(), 1, "{}", r.to_human());
    assert_eq!(errors[0].kind, Kind::ContentModified);
    assert_eq!(errors[0].seq, Some(TAMPERED_SEGMENT));
    // The altered line still parses and now names someone else.
    let (_, lines) = &segments(d.path())[TAMPERED_SEGMENT as usize];
    let m = Mapping::default();
    let altered: Vec<_> = lines
        .iter()
        .map(|l| m.map_record(l).unwrap())
        .filter(|e| e.resource == "configmaps/prod/payments-config" && e.action == "patch")
        .collect();
    assert_eq!(altered.len(), 1);
    assert_eq!(altered[0].actor, demo::TAMPERED_ACTOR);
}

#[test]
fn mappers_read_the_records_as_intended() {
    let ev = events();
    let change = ev
        .iter()
        .find(|e| e.resource == "configmaps/prod/payments-config" && e.action == "patch")
        .expect("the config change");
    assert_eq!(change.actor, demo::ENGINEER);
    assert_eq!(change.outcome, Outcome::Success);
    assert_eq!(change.source_ip.as_deref(), Some("198.51.100.23"));
    assert!(change.time >= at("01:49:12") && change.time < at("01:49:13"));
    let rollout = ev
        .iter()
        .find(|e| e.time > change.time && e.resource == "deployments.apps/prod/payments");
    assert_eq!(
        rollout.map(|e| (e.actor.as_str(), e.action.as_str())),
        Some((demo::ENGINEER, "patch"))
    );

    let user_arn = format!("arn:aws:iam::111122223333:user/{INTRUDER}");
    let user_arn = user_arn.as_str();
    let find = |action: &'static str| {
        ev.iter()
            .filter(move |e| e.action == action && e.actor == user_arn)
    };
    let stop = find("cloudtrail:StopLogging").next().expect("StopLogging");
    assert_eq!(
        stop.resource,
        "arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-audit"
    );
    assert_eq!(stop.outcome, Outcome::Success);
    let buckets: Vec<_> = find("s3:DeleteBucket")
        .map(|e| (e.resource.as_str(), e.outcome))
        .collect();
    assert!(
        buckets.contains(&("example-org-payments-ledger", Outcome::Failure)),
        "{buckets:?}"
    );
    assert!(
        buckets.contains(&("example-org-payments-db-exports", Outcome::Success)),
        "{buckets:?}"
    );
    let snaps: Vec<_> = find("rds:DeleteDBSnapshot").collect();
    assert_eq!(snaps.len(), 3);
    assert!(
        snaps
            .iter()
            .all(|e| e.resource.contains(":snapshot:payments-prod-")
                && e.outcome == Outcome::Success)
    );
    let denied_iam = find("iam:ListAttachedUserPolicies").next().unwrap();
    assert_eq!(denied_iam.outcome, Outcome::Denied);
    assert!(
        denied_iam.request_id.is_some()
            && denied_iam
                .user_agent
                .as_deref()
                .unwrap()
                .starts_with("aws-cli/1.")
    );

    let k8s_denied = ev
        .iter()
        .find(|e| e.actor == INTRUDER && e.outcome == Outcome::Denied)
        .expect("a denied Kubernetes request");
    assert_eq!(
        (k8s_denied.action.as_str(), k8s_denied.resource.as_str()),
        ("list", "secrets")
    );
}

#[test]
fn the_intruder_is_new_denied_then_destructive() {
    let ev = events();
    let is_intruder = |e: &AuditEvent| e.source_ip.as_deref() == Some(INTRUDER_IP);
    let first = ev.iter().position(is_intruder).expect("intruder present");
    assert!(
        ev[..first].iter().all(|e| !e.actor.contains(INTRUDER)),
        "the actor is unfamiliar before"
    );
    assert!(
        ev[first..]
            .iter()
            .filter(|e| e.actor.contains(INTRUDER))
            .all(is_intruder)
    );
    let theirs: Vec<&AuditEvent> = ev.iter().filter(|e| is_intruder(e)).collect();
    let denied: Vec<_> = theirs
        .iter()
        .filter(|e| e.outcome == Outcome::Denied)
        .collect();
    assert!(denied.len() >= 5, "{} denied", denied.len());
    let last_denied = denied.last().unwrap().time;
    let deletes: Vec<_> = theirs
        .iter()
        .filter(|e| {
            e.outcome == Outcome::Success && (e.action == "delete" || e.action.contains(":Delete"))
        })
        .collect();
    assert!(deletes.len() >= 6, "{} deletes", deletes.len());
    assert!(
        deletes.iter().all(|e| e.time > last_denied),
        "denied first, then succeeding"
    );
    for r in ["deployments.apps/prod/payments", "secrets/prod/payments-db"] {
        assert!(
            deletes
                .iter()
                .any(|e| e.action == "delete" && e.resource == r),
            "{r} deleted"
        );
    }
    // CloudTrail goes quiet between StopLogging and StartLogging; Kubernetes does not.
    let (stop, start) = (at("02:27:31"), at("02:41:10"));
    let in_gap = |e: &&AuditEvent| e.time >= stop && e.time < start;
    assert!(!ev.iter().filter(in_gap).any(|e| e.action.contains(':')));
    assert!(ev.iter().filter(in_gap).count() > 100);
}

#[test]
fn the_config_change_is_followed_by_a_failure_burst() {
    let ev = events();
    let change = at("01:49:12");
    let window = at("01:59:12") - change;
    let failures = |from: i64| {
        ev.iter()
            .filter(|e| e.time >= from && e.time < from + window && e.outcome == Outcome::Failure)
            .count()
    };
    let (before, after) = (failures(change - window), failures(change));
    assert!(
        after >= 30 && after >= 5 * before.max(1),
        "failures before {before}, after {after}"
    );
    let probes = ev.iter().filter(|e| {
        e.time > change
            && e.time < change + window
            && e.resource == "services/proxy/prod/payments"
            && e.outcome == Outcome::Failure
    });
    assert!(probes.count() >= 10);
    let secret = ev
        .iter()
        .filter(|e| e.action == "secretsmanager:GetSecretValue" && e.outcome == Outcome::Failure);
    assert!(secret.count() >= 10);
}

#[test]
fn rewrites_a_demo_store_but_refuses_other_directories() {
    let d = tempfile::tempdir().unwrap();
    // Another demo store (even a tampered one) is replaced.
    let store = d.path().join("demo");
    demo::write_demo_store(&store, true).unwrap();
    demo::write_demo_store(&store, false).unwrap();
    assert!(verify(&store).is_intact());

    // A non-empty directory that is not a store is left alone.
    let other = d.path().join("notes");
    fs::create_dir(&other).unwrap();
    fs::write(other.join("todo.txt"), "keep me").unwrap();
    let err = demo::write_demo_store(&other, false)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&other.display().to_string()) && err.contains("not a trailscope store"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(other.join("todo.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(fs::read_dir(&other).unwrap().count(), 1);

    // So is a real store with another origin.
    let real = d.path().join("audit");
    let ds = DirStore::new(&real);
    let mut sealer = Sealer::open(
        &ds,
        SealOptions {
            origin: Some("prod-audit".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let rec = br#"{"time":"2026-01-01T00:00:00Z","actor":"a","action":"b","resource":"c","outcome":"success"}"#;
    sealer
        .push(
            rec.to_vec(),
            parse_rfc3339_ns("2026-01-01T00:00:00Z").unwrap(),
        )
        .unwrap();
    sealer.finish().unwrap();
    let before = files(&real);
    let err = demo::write_demo_store(&real, false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a demo store"), "{err}");
    assert_eq!(files(&real), before);

    // And a file.
    let file = d.path().join("file");
    fs::write(&file, "x").unwrap();
    assert!(demo::write_demo_store(&file, false).is_err());
}
