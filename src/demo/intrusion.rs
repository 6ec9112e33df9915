//! Act two: the unfamiliar identity: denied, escalating, destroying, hiding.

use serde_json::json;

use super::cloudtrail::{self as ct, ACCOUNT, CLUSTER, Call, TRAIL_ARN};
use super::k8s::{self, Req, Who};
use super::rng::{Gen, MS, Record, SEC, hms};
use super::rollout::Rollout;
use super::story::{
    DELETED, ESCALATION, INTRUDER, INTRUDER_FIRST, INTRUDER_IP, STOP_LOGGING, Scene,
};

/// Appends the intruder's records (and the cascades they cause); `payments` and `checkout` are
/// the deployments as they are when it strikes.
pub(crate) fn intrusion(out: &mut Vec<Record>, payments: &Rollout, checkout: &Rollout) {
    let mut s = Scene {
        g: Gen::new(202),
        out,
    };
    let kube = Who::new(
        INTRUDER,
        &["backup-operators"],
        INTRUDER_IP,
        "kubectl/v1.24.0 (linux/amd64) kubernetes/4ce5a89",
    );
    let aws = ct::iam_user(
        INTRUDER,
        "AIDACKCEVSQ6C2EXAMPLE",
        "AKIAIOSFODNN7EXAMPLE",
        INTRUDER_IP,
        "aws-cli/1.18.69 Python/2.7.18 Linux/4.14.165-133.209.amzn2.x86_64 botocore/1.16.19",
    );
    let arn = format!("arn:aws:iam::{ACCOUNT}:user/{INTRUDER}");
    let admin = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
    let eks = format!(
        "EKS Access Policy: allowed by ClusterRoleBinding \"{arn}+{admin}\" of ClusterRole \"{admin}\" to User \"{INTRUDER}\""
    );
    let rbac = "RBAC: allowed by ClusterRoleBinding \"backup-operators\" of ClusterRole \"backup-reader\" to Group \"backup-operators\"";
    let denied = |action: &str, on: &str| {
        format!(
            "User: {arn} is not authorized to perform: {action} on resource: {on} because no identity-based policy allows the {action} action"
        )
    };
    let at = |m: i64, sec: i64| hms(2, m, sec);

    // Reconnaissance, mostly denied.
    s.aws(
        INTRUDER_FIRST,
        &aws,
        Call::new("sts", "GetCallerIdentity")
            .response(json!({"userId": "AIDACKCEVSQ6C2EXAMPLE", "account": ACCOUNT, "arn": arn})),
    );
    s.aws(
        at(7, 5),
        &aws,
        Call::new("iam", "ListAttachedUserPolicies")
            .params(json!({"userName": INTRUDER}))
            .error("AccessDenied", denied("iam:ListAttachedUserPolicies", &arn)),
    );
    s.aws(
        at(7, 20),
        &aws,
        Call::new("s3", "ListBuckets").params(json!({"Host": "s3.eu-west-1.amazonaws.com"})),
    );
    s.aws(
        at(7, 41),
        &aws,
        Call::new("eks", "DescribeCluster").params(json!({"name": CLUSTER})),
    );
    let secrets = || Req::new("list", "secrets");
    let t = at(8, 15) + s.jitter();
    s.k(t, &kube, secrets().code(403));
    s.kj(at(8, 31), &kube, secrets().ns("kube-system").code(403));
    s.kj(at(8, 44), &kube, secrets().ns("prod").code(403));
    s.kj(
        at(9, 2),
        &kube,
        Req::new("get", "secrets")
            .ns("prod")
            .name("payments-db")
            .code(403),
    );
    s.kj(
        at(9, 30),
        &kube,
        Req::new("list", "pods").ns("prod").reason(rbac),
    );
    s.kj(
        at(9, 51),
        &kube,
        Req::new("list", "deployments")
            .group("apps")
            .ns("prod")
            .reason(rbac),
    );
    s.kj(
        at(10, 5),
        &kube,
        Req::new("list", "clusterrolebindings")
            .group("rbac.authorization.k8s.io")
            .reason(rbac),
    );
    s.aws(
        at(10, 50),
        &aws,
        Call::new("secretsmanager", "ListSecrets")
            .params(json!({"maxResults": 100}))
            .error("AccessDenied", denied("secretsmanager:ListSecrets", "*")),
    );
    s.aws(
        at(11, 12),
        &aws,
        Call::new("rds", "DescribeDBSnapshots")
            .params(json!({"dBInstanceIdentifier": "payments-prod"})),
    );
    s.aws(
        at(11, 40),
        &aws,
        Call::new("iam", "CreateAccessKey")
            .params(json!({"userName": "admin-break-glass"}))
            .error(
                "AccessDenied",
                denied(
                    "iam:CreateAccessKey",
                    &format!("arn:aws:iam::{ACCOUNT}:user/admin-break-glass"),
                ),
            ),
    );
    let crb = || {
        Req::new("create", "clusterrolebindings")
            .group("rbac.authorization.k8s.io")
            .name("backup-legacy-admin")
    };
    s.kj(at(12, 10), &kube, crb().code(403));

    // Escalation: the legacy user may still edit its own policy.
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["eks:*","rds:*","s3:*","secretsmanager:*","cloudtrail:*"],"Resource":"*"}]}"#;
    s.aws(ESCALATION, &aws, Call::new("iam", "PutUserPolicy")
        .params(json!({"userName": INTRUDER, "policyName": "backup-maintenance", "policyDocument": policy})));
    s.aws(
        at(13, 18),
        &aws,
        Call::new("eks", "CreateAccessEntry")
            .params(json!({"clusterName": CLUSTER, "principalArn": arn, "type": "STANDARD"})),
    );
    s.aws(at(13, 25), &aws, Call::new("eks", "AssociateAccessPolicy")
        .params(json!({"clusterName": CLUSTER, "principalArn": arn, "policyArn": admin, "accessScope": {"type": "cluster"}})));
    s.kj(at(14, 2), &kube, crb().reason(&eks));
    s.kj(at(14, 30), &kube, secrets().reason(&eks));
    s.kj(
        at(14, 48),
        &kube,
        Req::new("get", "secrets")
            .ns("prod")
            .name("payments-db")
            .reason(&eks),
    );
    s.kj(
        at(15, 3),
        &kube,
        Req::new("get", "secrets")
            .ns("prod")
            .name("checkout-stripe-key")
            .reason(&eks),
    );
    s.aws(
        at(15, 40),
        &aws,
        Call::new("secretsmanager", "ListSecrets").params(json!({"maxResults": 100})),
    );
    s.secret(at(15, 55), &aws, "prod/payments/db", true);
    s.secret(at(16, 10), &aws, "prod/checkout/stripe-key", true);

    // Destruction.
    s.aws(
        at(17, 30),
        &aws,
        Call::new("rds", "DescribeDBSnapshots")
            .params(json!({"dBInstanceIdentifier": "payments-prod"})),
    );
    for (i, day) in [21, 22, 23].into_iter().enumerate() {
        let id = format!("payments-prod-2026-11-{day}");
        let snap = format!("arn:aws:rds:{}:{ACCOUNT}:snapshot:{id}", ct::REGION);
        s.aws(at(18, 0) + i as i64 * 21 * SEC, &aws, Call::new("rds", "DeleteDBSnapshot")
            .params(json!({"dBSnapshotIdentifier": id}))
            .response(json!({"dBSnapshotIdentifier": id, "dBInstanceIdentifier": "payments-prod", "status": "deleted"}))
            .resource("AWS::RDS::DBSnapshot", &snap));
    }
    let bucket = |b: &str| {
        Call::new("s3", "DeleteBucket")
            .params(json!({"bucketName": b, "Host": format!("{b}.s3.eu-west-1.amazonaws.com")}))
    };
    s.aws(
        at(20, 10),
        &aws,
        bucket("example-org-payments-ledger").error(
            "BucketNotEmpty",
            "The bucket you tried to delete is not empty",
        ),
    );
    s.aws(at(20, 52), &aws, bucket("example-org-payments-db-exports"));
    let gc = k8s::controller("generic-garbage-collector");
    for ((app, ro), (_, t, _)) in [("payments", payments), ("checkout", checkout)]
        .into_iter()
        .zip(DELETED)
    {
        s.k(
            t,
            &kube,
            Req::new("delete", "deployments")
                .group("apps")
                .ns("prod")
                .name(app)
                .reason(&eks),
        );
        s.k(
            t + 300 * MS,
            &gc,
            Req::new("delete", "replicasets")
                .group("apps")
                .ns("prod")
                .name(&ro.replica_set),
        );
        for (i, (pod, node)) in ro.pods.iter().enumerate() {
            let tp = t + 600 * MS + i as i64 * 150 * MS;
            s.k(tp, &gc, Req::new("delete", "pods").ns("prod").name(pod));
            s.kj(
                tp + 2 * SEC,
                &k8s::kubelet(*node),
                Req::new("patch", "pods").ns("prod").name(pod).sub("status"),
            );
        }
    }
    s.kj(
        at(23, 5),
        &kube,
        Req::new("delete", "secrets")
            .ns("prod")
            .name("payments-db")
            .reason(&eks),
    );
    s.kj(
        at(23, 18),
        &kube,
        Req::new("delete", "secrets")
            .ns("prod")
            .name("checkout-stripe-key")
            .reason(&eks),
    );
    s.kj(
        at(24, 10),
        &kube,
        Req::new("list", "pods").ns("prod").reason(&eks),
    );
    s.aws(
        STOP_LOGGING,
        &aws,
        Call::new("cloudtrail", "StopLogging")
            .params(json!({"name": TRAIL_ARN}))
            .resource("AWS::CloudTrail::Trail", TRAIL_ARN),
    );
    // CloudTrail no longer sees it; Kubernetes still does.
    s.kj(
        at(29, 40),
        &kube,
        Req::new("list", "pods").ns("prod").reason(&eks),
    );
    s.kj(
        at(31, 2),
        &kube,
        Req::new("list", "namespaces").reason(&eks),
    );
}
