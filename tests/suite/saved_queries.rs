//! The default saved queries (`assets/queries/*.toml`): each finds exactly the events it is
//! written for and no others, in the demo store and in a small store of hand-written records
//! that holds what the demo does not (a pod exec, a burst of denied deletes, a console sign-in
//! without MFA) next to near misses of every query.
//!
//! What each query is for is restated here as a Rust predicate over the original record (not
//! the mapped fields, not the query language), so a query that drifts from its purpose, or a
//! mapper change that moves a value, shows as a difference of (seq, pos) sets. Every query is
//! run on the index; an alert rule also on verified copies that are not indexed (the scan the
//! alert engine uses on new segments), and one query of each file through `search --saved`.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{Value, json};
use trailscope::alert::{SavedQuery, default_queries};
use trailscope::pull::{PullOptions, pull};
use trailscope::query::scan::Matcher;
use trailscope::query::{Filter, Order, Workspace, search};
use trailscope::seal::{SealOptions, Sealer};
use trailscope::segment::keys::{generate_with, parse_signer};
use trailscope::segment::{SegmentHeader, split_segment};
use trailscope::store::{DirStore, Store};

use crate::common::BIN;
use crate::console_common::{demo, demo_scanned, scratch_dir};

/// More hits than either store holds.
const ALL: usize = 100_000;

/// One event of a store: where it is, when, and its original record.
struct Ev {
    seq: u64,
    pos: u64,
    time: i64,
    record: Value,
}

/// A store pulled twice: into an indexed home and into one that only verified and kept the
/// copies (so queries there are answered by scanning them).
struct Data {
    /// For messages.
    label: &'static str,
    /// The store directory (what `search` is given).
    store_dir: PathBuf,
    /// Home with the structured and full-text indexes, and the store's location there.
    indexed: (PathBuf, String),
    /// Home with verified copies and no index, and the store's location there (the demo's is
    /// another copy of the same store).
    scanned: (PathBuf, String),
    /// Every event of the store, in store order.
    events: Vec<Ev>,
}

/// Every event of the store at `dir`, read from its segment files and mapped with each
/// segment's own mapping.
fn read_events(dir: &Path) -> Vec<Ev> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join("segments"))
        .expect("segments dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let bytes = std::fs::read(&p).expect("segment");
        let (head, body) = split_segment(&bytes).expect("segment layout");
        let header: SegmentHeader = serde_json::from_slice(head).expect("segment header");
        let lines = body.split(|&b| b == b'\n').filter(|l| !l.is_empty());
        for (pos, line) in lines.enumerate() {
            let (event, record) = header.mapping.map_line_lenient(line);
            out.push(Ev {
                seq: header.seq,
                pos: pos as u64,
                time: event.time,
                record: record.expect("every line is a JSON record"),
            });
        }
    }
    assert!(!out.is_empty(), "no events in {}", dir.display());
    out
}

/// The demo store, pulled indexed and not indexed (shared with the console tests).
fn demo_data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let (indexed, scanned) = (demo(false), demo_scanned());
        Data {
            label: "demo",
            store_dir: indexed.store_dir.clone(),
            indexed: (indexed.home.clone(), indexed.location.clone()),
            scanned: (scanned.home.clone(), scanned.location.clone()),
            events: read_events(&indexed.store_dir),
        }
    })
}

/// The hand-written records, sealed into one signed store and pulled into both homes.
fn crafted_data() -> &'static Data {
    static DATA: OnceLock<(tempfile::TempDir, Data)> = OnceLock::new();
    let (_, data) = DATA.get_or_init(|| {
        let dir = scratch_dir();
        let store_dir = dir.path().join("store");
        let store = DirStore::new(&store_dir);
        let key = generate_with(&mut ChaCha20Rng::seed_from_u64(9), "crafted.test").expect("key");
        let opts = SealOptions {
            origin: Some("crafted.test".into()),
            signer: Some(parse_signer(&key.private).expect("signer")),
            checkpoint_time: Some("2026-11-25T12:00:00Z".into()),
            ..SealOptions::default()
        };
        let mut sealer = Sealer::open(&store, opts).expect("open sealer");
        for r in crafted_records() {
            let raw = serde_json::to_vec(&r).expect("json");
            let t = sealer.mapping().record_time(&raw).expect("record time");
            sealer.push(raw, t).expect("push");
        }
        sealer.finish().expect("seal");
        let home = |name: &str, index: bool| {
            let home = dir.path().join(name);
            let opts = PullOptions {
                index,
                ..PullOptions::default()
            };
            pull(&store, &home, &opts, &mut |_| {}).expect("pull");
            (home, store.location())
        };
        let data = Data {
            label: "crafted",
            indexed: home("indexed", true),
            scanned: home("scanned", false),
            events: read_events(&store_dir),
            store_dir,
        };
        (dir, data)
    });
    data
}

/// Time of the `i`-th crafted record: ten seconds apart from 10:00 (so a burst of five of them
/// falls within five minutes), with microseconds as Kubernetes writes them.
fn at(i: usize) -> String {
    let s = i * 10;
    format!("2026-11-25T10:{:02}:{:02}.000000Z", s / 60, s % 60)
}

/// Gives the `i`-th crafted record its time and id.
fn stamp(i: usize, r: &mut Value) {
    if is_k8s(r) {
        r["requestReceivedTimestamp"] = at(i).into();
        r["stageTimestamp"] = at(i).into();
        r["auditID"] = format!("00000000-0000-4000-8000-{i:012}").into();
    } else {
        // CloudTrail has whole seconds.
        r["eventTime"] = format!("{}Z", &at(i)[..19]).into();
        r["eventID"] = format!("00000000-0000-4000-9000-{i:012}").into();
    }
}

/// A Kubernetes user: name and groups.
type KUser<'a> = (&'a str, &'a [&'a str]);

/// A Kubernetes audit event (`Metadata` level, `ResponseComplete`), not stamped yet.
fn k8s((user, groups): KUser, verb: &str, object: Value, code: u16) -> Value {
    let decision = if code == 403 { "forbid" } else { "allow" };
    json!({
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": "Metadata",
        "stage": "ResponseComplete",
        "requestURI": "/api/v1/crafted",
        "verb": verb,
        "user": {"username": user, "groups": groups},
        "sourceIPs": ["198.51.100.200"],
        "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46",
        "objectRef": object,
        "responseStatus": {"metadata": {}, "code": code},
        "annotations": {"authorization.k8s.io/decision": decision},
    })
}

/// An `objectRef`: resource, API group, subresource, namespace, name (empty: absent).
fn obj(resource: &str, group: &str, sub: &str, ns: &str, name: &str) -> Value {
    let mut o = json!({"resource": resource, "apiVersion": "v1"});
    for (k, v) in [
        ("apiGroup", group),
        ("subresource", sub),
        ("namespace", ns),
        ("name", name),
    ] {
        if !v.is_empty() {
            o[k] = v.into();
        }
    }
    o
}

const ACCOUNT: &str = "111122223333";

/// An IAM user's identity.
fn iam_user(name: &str) -> Value {
    json!({"type": "IAMUser", "principalId": "AIDACRAFTEDEXAMPLE", "accountId": ACCOUNT,
        "arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"), "userName": name})
}

/// The root user's identity.
fn root() -> Value {
    json!({"type": "Root", "principalId": ACCOUNT, "accountId": ACCOUNT,
        "arn": format!("arn:aws:iam::{ACCOUNT}:root")})
}

/// A role session's identity.
fn role(role: &str, session: &str) -> Value {
    json!({"type": "AssumedRole", "principalId": format!("AROACRAFTEDEXAMPLE:{session}"),
        "accountId": ACCOUNT, "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}")})
}

/// A CloudTrail record of `who` calling `source:name`, with `extra` top-level keys merged in;
/// not stamped yet.
fn ct(who: Value, source: &str, name: &str, extra: Value) -> Value {
    let mut r = json!({
        "eventVersion": "1.10",
        "userIdentity": who,
        "eventSource": format!("{source}.amazonaws.com"),
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "198.51.100.201",
        "userAgent": "aws-cli/2.18.4",
        "requestParameters": null,
        "responseElements": null,
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT,
    });
    if let Value::Object(m) = extra {
        for (k, v) in m {
            r[k] = v;
        }
    }
    r
}

/// A console sign-in, succeeded (`ok`) or failed, with MFA used or not (`mfa`: Yes or No).
fn console_login(who: Value, ok: bool, mfa: &str) -> Value {
    let mut extra = json!({
        "eventType": "AwsConsoleSignIn",
        "responseElements": {"ConsoleLogin": if ok { "Success" } else { "Failure" }},
        "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No", "MFAUsed": mfa},
    });
    if !ok {
        extra["errorMessage"] = "Failed authentication".into();
    }
    ct(who, "signin", "ConsoleLogin", extra)
}

/// What the demo does not show, and near misses of every default query, in time order.
fn crafted_records() -> Vec<Value> {
    let alice: KUser = ("alice@example.com", &["sre", "system:authenticated"]);
    let mallory: KUser = ("mallory@example.com", &["system:authenticated"]);
    let app_sa: KUser = (
        "system:serviceaccount:prod:app",
        &[
            "system:serviceaccounts",
            "system:serviceaccounts:prod",
            "system:authenticated",
        ],
    );
    let node: KUser = (
        "system:node:ip-10-0-1-23.eu-west-1.compute.internal",
        &["system:nodes", "system:authenticated"],
    );
    let kcm: KUser = ("system:kube-controller-manager", &["system:authenticated"]);
    let eks: KUser = ("eks:certificate-controller", &["system:authenticated"]);
    let anonymous: KUser = ("system:anonymous", &["system:unauthenticated"]);
    let rbac = "rbac.authorization.k8s.io";
    let crb = |name: &str| obj("clusterrolebindings", rbac, "", "", name);
    let store = "external-secrets.io";
    let mut out = vec![
        // Exec and attach, by anyone, allowed or not; logs and port-forwards are not shells.
        k8s(
            alice,
            "create",
            obj("pods", "", "exec", "prod", "web-0"),
            101,
        ),
        k8s(
            app_sa,
            "get",
            obj("pods", "", "attach", "staging", "db-0"),
            101,
        ),
        k8s(
            mallory,
            "create",
            obj("pods", "", "exec", "prod", "web-1"),
            403,
        ),
        k8s(alice, "get", obj("pods", "", "log", "prod", "web-0"), 200),
        k8s(
            alice,
            "create",
            obj("pods", "", "portforward", "prod", "web-0"),
            101,
        ),
        k8s(alice, "create", obj("pods", "", "", "prod", "exec"), 201),
    ];
    // A burst of denied deletes of secrets and deployments.
    for name in ["a", "b", "c", "d"] {
        out.push(k8s(
            mallory,
            "delete",
            obj("secrets", "", "", "prod", name),
            403,
        ));
    }
    out.extend([
        k8s(
            mallory,
            "delete",
            obj("deployments", "apps", "", "prod", "web"),
            403,
        ),
        k8s(
            mallory,
            "deletecollection",
            obj("secrets", "", "", "prod", ""),
            403,
        ),
        k8s(
            app_sa,
            "delete",
            obj("deployments", "apps", "", "prod", "api"),
            403,
        ),
        // Not secrets or deployments, or not denied.
        k8s(
            mallory,
            "delete",
            obj("configmaps", "", "", "prod", "cfg"),
            403,
        ),
        k8s(
            mallory,
            "delete",
            obj("secretstores", store, "", "prod", "vault"),
            403,
        ),
        k8s(
            mallory,
            "delete",
            obj("deployments", "extensions", "", "prod", "old"),
            403,
        ),
        k8s(
            alice,
            "delete",
            obj("secrets", "", "", "prod", "old-token"),
            200,
        ),
        k8s(app_sa, "delete", obj("secrets", "", "", "prod", "tmp"), 200),
        // Secret reads: users (anonymous too) yes; workloads and the control plane no.
        k8s(
            anonymous,
            "get",
            obj("secrets", "", "", "kube-system", "boot"),
            403,
        ),
        k8s(alice, "watch", obj("secrets", "", "", "prod", ""), 200),
        k8s(node, "get", obj("secrets", "", "", "prod", "db"), 200),
        k8s(app_sa, "get", obj("secrets", "", "", "prod", "db"), 200),
        k8s(kcm, "list", obj("secrets", "", "", "", ""), 200),
        k8s(eks, "get", obj("secrets", "", "", "kube-system", "ca"), 200),
        k8s(alice, "create", obj("secrets", "", "", "prod", "new"), 201),
        k8s(
            alice,
            "get",
            obj("secretstores", store, "", "prod", "vault"),
            200,
        ),
        // Cluster role bindings changed; deleted, listed, namespaced or roles are not.
        k8s(alice, "patch", crb("ops-admin"), 200),
        k8s(mallory, "update", crb("view"), 403),
        k8s(alice, "delete", crb("old-admin"), 200),
        k8s(
            alice,
            "list",
            obj("clusterrolebindings", rbac, "", "", ""),
            200,
        ),
        k8s(
            alice,
            "create",
            obj("rolebindings", rbac, "", "prod", "ops"),
            201,
        ),
        k8s(
            alice,
            "patch",
            obj("clusterroles", rbac, "", "", "ops"),
            200,
        ),
    ]);
    let carol = || iam_user("carol");
    let denied = || json!({"errorCode": "AccessDenied", "errorMessage": "not authorized"});
    let ok = || json!({});
    out.extend([
        // Console sign-ins: with a password and no MFA by an IAM user or root; not with MFA,
        // not failed, not a role session (its MFA is at the identity provider).
        console_login(carol(), true, "No"),
        console_login(root(), true, "No"),
        console_login(iam_user("dave"), true, "Yes"),
        console_login(carol(), false, "No"),
        console_login(
            role("AWSReservedSSO_SRE_0123456789abcdef", "erin"),
            true,
            "No",
        ),
        ct(carol(), "iam", "AttachRolePolicy", ok()),
        ct(carol(), "iam", "PutGroupPolicy", denied()),
        ct(carol(), "iam", "DetachRolePolicy", ok()),
        ct(carol(), "iam", "DeleteUserPolicy", ok()),
        ct(carol(), "ec2", "DeleteSnapshot", ok()),
        ct(carol(), "backup", "DeleteRecoveryPoint", denied()),
        ct(carol(), "s3", "DeleteObject", ok()),
        ct(carol(), "s3", "DeleteBucketPolicy", ok()),
        ct(carol(), "rds", "DeleteDBInstance", ok()),
        ct(carol(), "cloudtrail", "DeleteTrail", ok()),
        ct(carol(), "cloudtrail", "UpdateTrail", ok()),
        ct(carol(), "cloudtrail", "StartLogging", ok()),
        ct(root(), "iam", "CreateAccessKey", ok()),
        ct(carol(), "iam", "CreateUser", ok()),
        ct(carol(), "iam", "UpdateAccessKey", ok()),
        ct(carol(), "eks", "UpdateAccessEntry", ok()),
        ct(carol(), "eks", "DescribeAccessEntry", ok()),
        ct(carol(), "eks", "DeleteAccessEntry", ok()),
        ct(carol(), "secretsmanager", "BatchGetSecretValue", ok()),
        ct(root(), "secretsmanager", "GetSecretValue", denied()),
        ct(
            role("payments-app", "s1"),
            "secretsmanager",
            "GetSecretValue",
            ok(),
        ),
        ct(carol(), "secretsmanager", "ListSecrets", ok()),
        ct(carol(), "secretsmanager", "PutSecretValue", ok()),
    ]);
    for (i, r) in out.iter_mut().enumerate() {
        stamp(i, r);
    }
    out
}

/// `path` (a JSON pointer) as a string, empty when absent.
fn s<'a>(r: &'a Value, path: &str) -> &'a str {
    r.pointer(path).and_then(Value::as_str).unwrap_or("")
}

/// A Kubernetes audit event.
fn is_k8s(r: &Value) -> bool {
    s(r, "/kind") == "Event" && s(r, "/apiVersion").starts_with("audit.k8s.io/")
}

/// A Kubernetes request on `resource` of API `group` ("" for the core group).
fn on(r: &Value, resource: &str, group: &str) -> bool {
    is_k8s(r) && s(r, "/objectRef/resource") == resource && s(r, "/objectRef/apiGroup") == group
}

/// The verb is one of `verbs`.
fn verb_in(r: &Value, verbs: &[&str]) -> bool {
    verbs.contains(&s(r, "/verb"))
}

/// Refused by the authorizer or answered 401/403.
fn k8s_denied(r: &Value) -> bool {
    s(r, "/annotations/authorization.k8s.io~1decision") == "forbid"
        || matches!(
            r.pointer("/responseStatus/code").and_then(Value::as_i64),
            Some(401 | 403)
        )
}

/// A person or an unknown client rather than a workload (by its groups) or the control plane.
fn k8s_user(r: &Value) -> bool {
    let name = s(r, "/user/username");
    let groups: Vec<&str> = r
        .pointer("/user/groups")
        .and_then(Value::as_array)
        .map(|g| g.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let workload = groups.contains(&"system:serviceaccounts") || groups.contains(&"system:nodes");
    let control_plane = name.starts_with("eks:")
        || [
            "system:kube-controller-manager",
            "system:kube-scheduler",
            "system:apiserver",
        ]
        .contains(&name);
    !workload && !control_plane
}

/// A CloudTrail call of `service` named one of `names`.
fn call_in(r: &Value, service: &str, names: &[&str]) -> bool {
    s(r, "/eventSource") == format!("{service}.amazonaws.com")
        && names.contains(&s(r, "/eventName"))
}

/// Made with long-term credentials: an IAM user or the root user.
fn long_term(r: &Value) -> bool {
    matches!(s(r, "/userIdentity/type"), "IAMUser" | "Root")
}

/// What a default query is for.
struct Intent {
    /// Whether the demo story holds such events (else only the crafted store does).
    in_demo: bool,
    /// The events it is for, judged on the original record.
    wanted: fn(&Value) -> bool,
}

/// The intent of the default named `name`; every default needs one.
fn intent(name: &str) -> Intent {
    let (in_demo, wanted): (bool, fn(&Value) -> bool) = match name {
        "k8s-secret-read-by-user" => (true, |r| {
            on(r, "secrets", "") && verb_in(r, &["get", "list", "watch"]) && k8s_user(r)
        }),
        "k8s-cluster-role-binding-change" => (true, |r| {
            on(r, "clusterrolebindings", "rbac.authorization.k8s.io")
                && verb_in(r, &["create", "update", "patch"])
        }),
        "k8s-pod-exec" => (false, |r| {
            on(r, "pods", "") && ["exec", "attach"].contains(&s(r, "/objectRef/subresource"))
        }),
        "k8s-denied-burst" => (true, |r| is_k8s(r) && k8s_denied(r) && k8s_user(r)),
        "k8s-denied-delete-burst" => (false, |r| {
            (on(r, "secrets", "") || on(r, "deployments", "apps"))
                && verb_in(r, &["delete", "deletecollection"])
                && k8s_denied(r)
        }),
        "k8s-secret-or-deployment-delete-by-user" => (true, |r| {
            (on(r, "secrets", "") || on(r, "deployments", "apps"))
                && verb_in(r, &["delete", "deletecollection"])
                && k8s_user(r)
        }),
        "aws-iam-policy-change" => (true, |r| {
            call_in(
                r,
                "iam",
                &[
                    "AttachUserPolicy",
                    "AttachRolePolicy",
                    "AttachGroupPolicy",
                    "PutUserPolicy",
                    "PutRolePolicy",
                    "PutGroupPolicy",
                    "CreatePolicyVersion",
                    "SetDefaultPolicyVersion",
                    "UpdateAssumeRolePolicy",
                ],
            )
        }),
        "aws-console-login-without-mfa" => (false, |r| {
            call_in(r, "signin", &["ConsoleLogin"])
                && s(r, "/responseElements/ConsoleLogin") == "Success"
                && r.get("errorCode").is_none()
                && s(r, "/additionalEventData/MFAUsed") == "No"
                && long_term(r)
        }),
        "aws-backup-or-bucket-delete" => (true, |r| {
            call_in(r, "s3", &["DeleteBucket"])
                || call_in(
                    r,
                    "rds",
                    &[
                        "DeleteDBSnapshot",
                        "DeleteDBClusterSnapshot",
                        "DeleteDBInstanceAutomatedBackup",
                        "DeleteDBClusterAutomatedBackup",
                    ],
                )
                || call_in(r, "ec2", &["DeleteSnapshot"])
                || call_in(r, "dynamodb", &["DeleteBackup"])
                || call_in(
                    r,
                    "backup",
                    &[
                        "DeleteRecoveryPoint",
                        "DeleteBackupVault",
                        "DeleteBackupPlan",
                    ],
                )
        }),
        "aws-cloudtrail-stopped" => (true, |r| {
            call_in(
                r,
                "cloudtrail",
                &[
                    "StopLogging",
                    "DeleteTrail",
                    "StopEventDataStoreIngestion",
                    "DeleteEventDataStore",
                ],
            )
        }),
        "aws-access-key-created" => (true, |r| call_in(r, "iam", &["CreateAccessKey"])),
        "aws-eks-access-granted" => (true, |r| {
            call_in(
                r,
                "eks",
                &[
                    "CreateAccessEntry",
                    "UpdateAccessEntry",
                    "AssociateAccessPolicy",
                ],
            )
        }),
        "aws-secret-read-by-iam-user" => (true, |r| {
            call_in(
                r,
                "secretsmanager",
                &["GetSecretValue", "BatchGetSecretValue"],
            ) && long_term(r)
        }),
        other => panic!(
            "the default query {other:?} has no intent in tests/suite/saved_queries.rs: add one"
        ),
    };
    Intent { in_demo, wanted }
}

/// The shipped default named `name`.
fn default_named(name: &str) -> SavedQuery {
    default_queries()
        .into_iter()
        .find(|q| q.name == name)
        .unwrap_or_else(|| panic!("no default query named {name:?}"))
}

type Places = BTreeSet<(u64, u64)>;

/// Where the events `wanted` selects are.
fn wanted_in(data: &Data, wanted: fn(&Value) -> bool) -> Places {
    data.events
        .iter()
        .filter(|e| wanted(&e.record))
        .map(|e| (e.seq, e.pos))
        .collect()
}

/// Where the events matching `query` are, as the workspace of `(home, location)` answers.
fn found(data: &Data, (home, location): &(PathBuf, String), query: &str) -> Places {
    let ws = Workspace::open(home, location).expect("open workspace");
    let filter = Filter {
        query: query.to_string(),
        ..Filter::default()
    };
    let res = search(&ws, &filter, Order::OldestFirst, ALL, false)
        .unwrap_or_else(|e| panic!("{} on {}: {e}", query, data.label));
    assert_eq!(
        res.total,
        res.hits.len() as u64,
        "{query}: every hit returned"
    );
    res.hits.iter().map(|h| (h.seq, h.pos)).collect()
}

/// The events at `places`, one line each, for messages.
fn show(data: &Data, places: &Places) -> String {
    data.events
        .iter()
        .filter(|e| places.contains(&(e.seq, e.pos)))
        .map(|e| format!("  {}:{} {}\n", e.seq, e.pos, e.record))
        .collect()
}

/// Fails unless `got` is `want`, naming the events in one and not the other.
fn same(data: &Data, what: &str, want: &Places, got: &Places) {
    if want != got {
        let missed: Places = want.difference(got).copied().collect();
        let extra: Places = got.difference(want).copied().collect();
        panic!(
            "{what} on the {} store: {} wanted, {} found\nmissed:\n{}unwanted:\n{}",
            data.label,
            want.len(),
            got.len(),
            show(data, &missed),
            show(data, &extra)
        );
    }
}

/// Whether `threshold` of the events at `places` fall within `window_ns`.
fn bursts(data: &Data, places: &Places, threshold: u64, window_ns: i64) -> bool {
    let mut times: Vec<i64> = data
        .events
        .iter()
        .filter(|e| places.contains(&(e.seq, e.pos)))
        .map(|e| e.time)
        .collect();
    times.sort_unstable();
    let n = threshold as usize;
    n >= 1 && times.windows(n).any(|w| w[n - 1] - w[0] < window_ns)
}

/// The default `name` finds exactly its events in both stores: through the index and, for an
/// alert rule, by scanning verified copies; the demo holds some of them unless the intent
/// says it does not, the crafted store always does, and a threshold rule's events do reach its
/// threshold within its window in one of them.
fn check(name: &str) {
    let q = default_named(name);
    let intent = intent(name);
    let mut burst = false;
    for data in [demo_data(), crafted_data()] {
        let want = wanted_in(data, intent.wanted);
        same(
            data,
            &format!("{name} (index)"),
            &want,
            &found(data, &data.indexed, &q.query),
        );
        if q.alert {
            same(
                data,
                &format!("{name} (scan)"),
                &want,
                &found(data, &data.scanned, &q.query),
            );
        }
        if let (Some(n), Some(w)) = (q.threshold, q.window_ns) {
            burst |= bursts(data, &want, n, w);
        }
        match data.label {
            "demo" if intent.in_demo => {
                assert!(!want.is_empty(), "{name}: no demo event is one it is for")
            }
            "demo" => assert!(
                want.is_empty(),
                "{name}: the demo now holds events it is for; set in_demo"
            ),
            _ => assert!(
                !want.is_empty(),
                "{name}: no crafted event is one it is for"
            ),
        }
    }
    if q.threshold.is_some() {
        assert!(burst, "{name}: its events never reach the threshold");
    }
}

/// `trailscope search STORE --saved NAME --json ARGS` with the store's indexed home and a
/// config file of its own (empty: the defaults), as (seq, pos) of the hits.
fn cli_saved(data: &Data, name: &str, args: &[&str]) -> Places {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "# nothing set: the shipped defaults\n").expect("config");
    let out = Command::new(BIN)
        .arg("search")
        .arg(&data.store_dir)
        .args(["--saved", name, "--json", "--limit", "100000"])
        .args(args)
        .env("TRAILSCOPE_HOME", &data.indexed.0)
        .env("TRAILSCOPE_CONFIG", &config)
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("xdg"))
        .stdin(Stdio::null())
        .output()
        .expect("running trailscope");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success(),
        "search --saved {name}: {:?}\n{stdout}\n{stderr}",
        out.status
    );
    stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("no {k} in {l}"));
            (n("seq"), n("pos"))
        })
        .collect()
}

#[test]
fn defaults_parse_with_unique_names_and_alert_rules_compile() {
    let d = default_queries();
    let names: HashSet<&str> = d.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(names.len(), d.len(), "names are unique");
    for file in ["kubernetes", "cloudtrail"] {
        assert!(
            d.iter().any(|q| q.origin.contains(file)),
            "{file}.toml holds queries"
        );
    }
    for q in &d {
        // The file says which source a name starts with.
        let prefix = if q.origin.contains("kubernetes") {
            "k8s-"
        } else {
            "aws-"
        };
        assert!(q.name.starts_with(prefix), "{} in {}", q.name, q.origin);
        assert!(
            !q.description.trim().is_empty(),
            "{} has a description",
            q.name
        );
        if q.alert {
            if let Err(e) = Matcher::compile(&q.query) {
                panic!("alert rule {} does not compile: {}", q.name, e.0);
            }
            q.matcher().expect("an alert rule compiles");
        }
        if q.threshold.is_some() {
            assert!(q.alert && q.window_ns.is_some(), "{}", q.name);
        }
        // Every default has its intent, so its test below cannot be forgotten.
        intent(&q.name);
    }
}

#[test]
fn k8s_secret_read_by_user() {
    check("k8s-secret-read-by-user");
}

#[test]
fn k8s_cluster_role_binding_change() {
    check("k8s-cluster-role-binding-change");
}

#[test]
fn k8s_pod_exec() {
    check("k8s-pod-exec");
}

#[test]
fn k8s_denied_burst() {
    check("k8s-denied-burst");
}

#[test]
fn k8s_denied_delete_burst() {
    check("k8s-denied-delete-burst");
}

#[test]
fn k8s_secret_or_deployment_delete_by_user() {
    check("k8s-secret-or-deployment-delete-by-user");
}

#[test]
fn aws_iam_policy_change() {
    check("aws-iam-policy-change");
}

#[test]
fn aws_console_login_without_mfa() {
    check("aws-console-login-without-mfa");
}

#[test]
fn aws_backup_or_bucket_delete() {
    check("aws-backup-or-bucket-delete");
}

#[test]
fn aws_cloudtrail_stopped() {
    check("aws-cloudtrail-stopped");
}

#[test]
fn aws_access_key_created() {
    check("aws-access-key-created");
}

#[test]
fn aws_eks_access_granted() {
    check("aws-eks-access-granted");
}

#[test]
fn aws_secret_read_by_iam_user() {
    check("aws-secret-read-by-iam-user");
}

#[test]
fn kubernetes_defaults_through_search_saved() {
    let demo = demo_data();
    let name = "k8s-secret-read-by-user";
    let want = wanted_in(demo, intent(name).wanted);
    same(demo, name, &want, &cli_saved(demo, name, &[]));
    // A windowed rule looks at the range given instead of the last five minutes.
    let name = "k8s-denied-burst";
    let want = wanted_in(demo, intent(name).wanted);
    let day = [
        "--from",
        "2026-11-24T00:00:00Z",
        "--to",
        "2026-11-25T00:00:00Z",
    ];
    same(demo, name, &want, &cli_saved(demo, name, &day));
}

#[test]
fn cloudtrail_defaults_through_search_saved() {
    let demo = demo_data();
    let name = "aws-backup-or-bucket-delete";
    let want = wanted_in(demo, intent(name).wanted);
    same(demo, name, &want, &cli_saved(demo, name, &[]));
    // A full-text query (record.* paths) through the CLI, on records the demo lacks.
    let crafted = crafted_data();
    let name = "aws-console-login-without-mfa";
    let want = wanted_in(crafted, intent(name).wanted);
    same(crafted, name, &want, &cli_saved(crafted, name, &[]));
}
