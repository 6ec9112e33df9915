//! The incident: a config change that breaks `payments`, then an unfamiliar identity that is
//! denied, escalates, deletes and stops CloudTrail, then the response.

use super::cloudtrail::{self as ct, Call, Principal};
use super::k8s::{self, Req, Who};
use super::rng::{Gen, MS, Micros, Record, SEC, clock, clock_min, hms};
use super::rollout::{self, Change, Rollout};
use super::{intrusion, response};

/// The engineer whose config change breaks `payments`.
pub const ENGINEER: &str = "dana@example.com";
/// The unfamiliar identity.
pub const INTRUDER: &str = "svc-backup-legacy";
/// Its address, never seen before it shows up.
pub const INTRUDER_IP: &str = "203.0.113.77";
/// The ConfigMap whose change breaks `payments`.
pub const CONFIG_MAP: &str = "payments-config";

/// The config change (`patch configmaps/prod/payments-config`), to the microsecond.
pub(crate) const CONFIG_CHANGE: Micros = hms(1, 49, 12) + 412_337;
/// The engineer restarts `payments` to pick the change up.
pub(crate) const RESTART: Micros = hms(1, 49, 40);
/// The change is reverted…
pub(crate) const REVERT: Micros = hms(1, 57, 30);
/// …and `payments` restarted again.
pub(crate) const REVERT_ROLLOUT: Micros = hms(1, 57, 50);
/// When `payments` fails its readiness probes after the change.
pub(crate) const OUTAGE: (Micros, Micros) = (hms(1, 50, 5), hms(1, 58, 40));
/// The intruder's first request.
pub(crate) const INTRUDER_FIRST: Micros = hms(2, 6, 58);
/// The intruder grants itself rights (`iam:PutUserPolicy`).
pub(crate) const ESCALATION: Micros = hms(2, 13, 5);
/// The intruder stops the CloudTrail trail.
pub(crate) const STOP_LOGGING: Micros = hms(2, 27, 30);
/// The responder restarts it.
pub(crate) const START_LOGGING: Micros = hms(2, 41, 10);
/// Deployments the intruder deletes, when, and when GitOps recreates them.
pub(crate) const DELETED: [(&str, Micros, Micros); 2] = [
    ("payments", hms(2, 22, 30), hms(2, 45, 10)),
    ("checkout", hms(2, 22, 44), hms(2, 45, 25)),
];
/// When everything answers its probes again.
pub(crate) const RESTORED: Micros = hms(2, 46, 30);

/// Whether `prod/app` exists at `t` (the intruder deletes two deployments; GitOps restores them).
pub(crate) fn deployment_exists(app: &str, t: Micros) -> bool {
    !DELETED
        .iter()
        .any(|(a, from, to)| *a == app && (*from..*to).contains(&t))
}

/// Whether `prod/app` answers its readiness probe at `t`.
pub(crate) fn service_up(app: &str, t: Micros) -> bool {
    let broken = app == "payments" && (OUTAGE.0..OUTAGE.1).contains(&t);
    let deleted = DELETED
        .iter()
        .any(|(a, from, _)| *a == app && (*from + 5 * SEC..RESTORED).contains(&t));
    !broken && !deleted
}

/// Whether the trail is logging at `t` (the intruder stops it; the responder restarts it).
pub(crate) fn cloudtrail_on(t: Micros) -> bool {
    !(STOP_LOGGING + SEC..START_LOGGING).contains(&t)
}

/// The key moments, for the summary (`denied`: how many of the intruder's requests were
/// denied).
pub(crate) fn moments(denied: usize) -> Vec<String> {
    vec![
        format!(
            "{}  {ENGINEER} patches configmaps/prod/{CONFIG_MAP} and restarts deployments.apps/prod/payments ({})",
            clock(CONFIG_CHANGE),
            clock(RESTART)
        ),
        format!(
            "{}-{}  payments crash-loops: readiness probes answer 503, secretsmanager:GetSecretValue prod/payments/db-v2 fails",
            clock_min(OUTAGE.0),
            clock_min(OUTAGE.1)
        ),
        format!(
            "{}  {ENGINEER} reverts the config; payments is healthy again at {}",
            clock(REVERT),
            clock(OUTAGE.1)
        ),
        format!(
            "{}  {INTRUDER} shows up from {INTRUDER_IP}, an address never seen before (sts:GetCallerIdentity)",
            clock(INTRUDER_FIRST)
        ),
        format!(
            "{}-{}  {denied} of its requests are denied (Kubernetes 403, AWS AccessDenied): secrets, IAM, RBAC",
            clock_min(hms(2, 7, 5)),
            clock_min(hms(2, 12, 10))
        ),
        format!(
            "{}  it grants itself rights (iam:PutUserPolicy, then EKS cluster-admin) and reads secrets",
            clock(ESCALATION)
        ),
        format!(
            "{}-{}  it deletes 3 RDS snapshots, an S3 bucket, deployments and secrets in prod",
            clock_min(hms(2, 18, 0)),
            clock_min(hms(2, 23, 18))
        ),
        format!(
            "{}  cloudtrail:StopLogging: CloudTrail is silent until {}",
            clock(STOP_LOGGING),
            clock(START_LOGGING)
        ),
        format!(
            "{}  erin@example.com restarts logging and disables the key; prod is back at {}",
            clock(START_LOGGING),
            clock_min(RESTORED)
        ),
    ]
}

/// Records being written for one act of the story, with the act's own random stream.
pub(crate) struct Scene<'o> {
    /// The act's random stream.
    pub g: Gen,
    /// Where its records go.
    pub out: &'o mut Vec<Record>,
}

impl Scene<'_> {
    /// A Kubernetes audit event at `t`.
    pub(crate) fn k(&mut self, t: Micros, who: &Who, r: Req) {
        let rec = k8s::event(&mut self.g, t, who, &r);
        self.out.push(rec);
    }
    /// Like [`Scene::k`], up to a second after `t`.
    pub(crate) fn kj(&mut self, t: Micros, who: &Who, r: Req) {
        let j = self.jitter();
        self.k(t + j, who, r);
    }
    /// A CloudTrail record at `t`.
    pub(crate) fn aws(&mut self, t: Micros, who: &Principal, c: Call) {
        let rec = ct::record(&mut self.g, t, who, &c);
        self.out.push(rec);
    }
    /// A `GetSecretValue` at `t`.
    pub(crate) fn secret(&mut self, t: Micros, who: &Principal, secret: &str, found: bool) {
        let rec = ct::get_secret(&mut self.g, t, who, secret, found);
        self.out.push(rec);
    }
    /// A rollout started at `t`.
    pub(crate) fn rollout(&mut self, t: Micros, c: &Change) -> Rollout {
        rollout::rollout(&mut self.g, self.out, t, c)
    }
    /// Up to a second.
    pub(crate) fn jitter(&mut self) -> Micros {
        self.g.between(0, SEC)
    }
}

const SDK: &str =
    "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.112 md/arch#x86_64 lang/python#3.12.7";
const KCLIENT: &str = "OpenAPI-Generator/31.0.0/python";

/// Appends the story's records; `checkout` is `prod/checkout` as the story finds it.
pub(crate) fn generate(out: &mut Vec<Record>, checkout: &Rollout) {
    let payments = config_change(out);
    intrusion::intrusion(out, &payments, checkout);
    response::response(out);
}

/// A pod of `prod/payments` (at `ip`, running since `since`) starting its app: it reads its
/// config through the API and its database secret from Secrets Manager.
pub(crate) fn app_start(
    s: &mut Scene,
    (t, since): (Micros, Micros),
    ip: &str,
    secret: &str,
    found: bool,
) {
    let sa = k8s::service_account("prod", "payments", ip, KCLIENT);
    s.k(
        t,
        &sa,
        Req::new("get", "configmaps").ns("prod").name(CONFIG_MAP),
    );
    let role = ct::assumed_role(
        "payments-app",
        &format!("botocore-session-{}", since / SEC),
        since,
        ip,
        SDK,
    );
    s.secret(t + 400 * MS, &role, secret, found);
}

fn config_change(out: &mut Vec<Record>) -> Rollout {
    let mut s = Scene {
        g: Gen::new(201),
        out,
    };
    let dana = k8s::engineer(ENGINEER, "198.51.100.23");
    let alice = k8s::engineer("alice@example.com", "198.51.100.14");
    let cm = || Req::new("get", "configmaps").ns("prod").name(CONFIG_MAP);
    s.k(CONFIG_CHANGE - 41 * SEC, &dana, cm());
    s.k(
        CONFIG_CHANGE,
        &dana,
        Req::new("patch", "configmaps").ns("prod").name(CONFIG_MAP),
    );
    let old = rollout::existing_pods(&mut s.g, "payments", 3);
    let change = Change {
        who: &dana,
        verb: "patch",
        ns: "prod",
        deploy: "payments",
        old: &old,
        replicas: 3,
        healthy: false,
    };
    let bad = s.rollout(RESTART, &change);
    // The new pods pass their first probe, so the old ones are scaled down…
    let rsc = k8s::controller("replicaset-controller");
    for (i, (pod, _)) in old.iter().enumerate() {
        let t = RESTART + (12 + 3 * i as i64) * SEC + s.jitter();
        s.k(t, &rsc, Req::new("delete", "pods").ns("prod").name(pod));
    }
    // …then crash at every start: the new config names a secret that does not exist.
    for (i, (pod, node)) in bad.pods.iter().enumerate() {
        let ip = format!("10.0.2.{}", 60 + i);
        let kl = k8s::kubelet(*node);
        let mut start = RESTART + (4 + 2 * i as i64) * SEC + s.jitter();
        let since = start;
        let mut backoff = 10 * SEC;
        while start < REVERT_ROLLOUT + 10 * SEC {
            app_start(&mut s, (start, since), &ip, "prod/payments/db-v2", false);
            s.k(
                start + 2400 * MS,
                &kl,
                Req::new("patch", "pods").ns("prod").name(pod).sub("status"),
            );
            let ev = format!("{pod}.{}", s.g.hex(16));
            s.k(
                start + 2500 * MS,
                &kl,
                Req::new("create", "events").ns("prod").name(&ev),
            );
            start += 2500 * MS + backoff + s.jitter();
            backoff = (backoff * 2).min(300 * SEC);
        }
    }
    let dc = k8s::controller("deployment-controller");
    for t in [hms(1, 50, 31), hms(1, 52, 7), hms(1, 55, 44)] {
        let r = Req::new("update", "deployments")
            .group("apps")
            .ns("prod")
            .name("payments")
            .sub("status")
            .code(409);
        s.kj(t, &dc, r);
    }
    // Investigation.
    let p0 = bad.pods[0].0.clone();
    s.k(hms(1, 51, 20), &alice, Req::new("list", "pods").ns("prod"));
    s.k(
        hms(1, 51, 48),
        &alice,
        Req::new("get", "pods").ns("prod").name(&p0).sub("log"),
    );
    s.k(
        hms(1, 52, 10),
        &dana,
        Req::new("get", "deployments")
            .group("apps")
            .ns("prod")
            .name("payments"),
    );
    s.k(
        hms(1, 52, 30),
        &alice,
        Req::new("list", "events").ns("prod"),
    );
    s.k(
        hms(1, 53, 2),
        &alice,
        Req::new("get", "pods").ns("prod").name(&p0).sub("log"),
    );
    s.k(hms(1, 56, 40), &dana, cm());
    // The fix.
    s.k(
        REVERT + 218_004,
        &dana,
        Req::new("patch", "configmaps").ns("prod").name(CONFIG_MAP),
    );
    let change = Change {
        old: &bad.pods,
        healthy: true,
        ..change
    };
    let good = s.rollout(REVERT_ROLLOUT, &change);
    for i in 0..good.pods.len() {
        let t = REVERT_ROLLOUT + (4 + 2 * i as i64) * SEC + s.jitter();
        app_start(
            &mut s,
            (t, t),
            &format!("10.0.2.{}", 70 + i),
            "prod/payments/db",
            true,
        );
    }
    good
}
