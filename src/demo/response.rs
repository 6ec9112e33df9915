//! Act three: the response: logging restarted, the key disabled, the binding removed, secrets
//! and deployments restored.

use serde_json::json;

use super::cloudtrail::{self as ct, ACCOUNT, CLUSTER, Call, TRAIL_ARN};
use super::k8s::{self, Req, Who};
use super::rng::{Gen, MS, Record, SEC, hms};
use super::rollout::Change;
use super::story::{DELETED, INTRUDER, START_LOGGING, Scene, app_start};

/// Appends the responders' records.
pub(crate) fn response(out: &mut Vec<Record>) {
    let mut s = Scene {
        g: Gen::new(203),
        out,
    };
    let alice = k8s::engineer("alice@example.com", "198.51.100.14");
    let erin = Who::new(
        "erin@example.com",
        &["sre", "oncall"],
        "198.51.100.52",
        "kubectl/v1.31.2 (darwin/arm64) kubernetes/5864a46",
    );
    let at = |m: i64, sec: i64| hms(2, m, sec);
    s.k(
        at(38, 2),
        &alice,
        Req::new("list", "deployments").group("apps").ns("prod"),
    );
    s.k(
        at(38, 15),
        &alice,
        Req::new("get", "deployments")
            .group("apps")
            .ns("prod")
            .name("payments")
            .code(404),
    );
    s.k(
        at(39, 30),
        &alice,
        Req::new("list", "clusterrolebindings").group("rbac.authorization.k8s.io"),
    );
    let aws = ct::sso(
        "erin@example.com",
        "IncidentResponse",
        at(40, 30),
        "198.51.100.52",
        "aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/installer#exe",
    );
    s.aws(
        START_LOGGING,
        &aws,
        Call::new("cloudtrail", "StartLogging")
            .params(json!({"name": TRAIL_ARN}))
            .resource("AWS::CloudTrail::Trail", TRAIL_ARN),
    );
    s.aws(
        at(41, 38),
        &aws,
        Call::new("iam", "ListAccessKeys").params(json!({"userName": INTRUDER})),
    );
    s.aws(at(41, 52), &aws, Call::new("iam", "UpdateAccessKey")
        .params(json!({"userName": INTRUDER, "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "status": "Inactive"})));
    s.aws(
        at(42, 10),
        &aws,
        Call::new("iam", "DeleteUserPolicy")
            .params(json!({"userName": INTRUDER, "policyName": "backup-maintenance"})),
    );
    let arn = format!("arn:aws:iam::{ACCOUNT}:user/{INTRUDER}");
    s.aws(
        at(42, 31),
        &aws,
        Call::new("eks", "DeleteAccessEntry")
            .params(json!({"clusterName": CLUSTER, "principalArn": arn})),
    );
    let crbs = "rbac.authorization.k8s.io";
    s.k(
        at(43, 5),
        &erin,
        Req::new("delete", "clusterrolebindings")
            .group(crbs)
            .name("backup-legacy-admin"),
    );
    s.k(
        at(43, 20),
        &erin,
        Req::new("list", "clusterrolebindings").group(crbs),
    );
    // Restore: secrets from Secrets Manager, deployments from Git.
    let es = k8s::service_account(
        "external-secrets",
        "external-secrets",
        "10.0.3.44",
        "external-secrets/v0.10.4",
    );
    let es_aws = ct::assumed_role(
        "external-secrets",
        "external-secrets-operator",
        at(44, 0),
        "10.0.3.44",
        "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)",
    );
    for (i, (secret, name)) in [
        ("prod/payments/db", "payments-db"),
        ("prod/checkout/stripe-key", "checkout-stripe-key"),
    ]
    .into_iter()
    .enumerate()
    {
        let t = at(44, 38) + i as i64 * SEC;
        s.secret(t, &es_aws, secret, true);
        s.k(
            t + 800 * MS,
            &es,
            Req::new("create", "secrets").ns("prod").name(name),
        );
    }
    let argo = k8s::service_account(
        "argocd",
        "argocd-application-controller",
        "10.0.3.31",
        "argocd-application-controller/v2.13.1+af54ef8",
    );
    for (app, _, t) in DELETED {
        let change = Change {
            who: &argo,
            verb: "create",
            ns: "prod",
            deploy: app,
            old: &[],
            replicas: 3,
            healthy: true,
        };
        let ro = s.rollout(t, &change);
        if app == "payments" {
            for i in 0..ro.pods.len() {
                let ts = t + (4 + 2 * i as i64) * SEC + s.jitter();
                app_start(
                    &mut s,
                    (ts, ts),
                    &format!("10.0.2.{}", 80 + i),
                    "prod/payments/db",
                    true,
                );
            }
        }
    }
    s.k(at(47, 0), &erin, Req::new("list", "pods").ns("prod"));
}
