//! AWS background: AWS Config describing resources, the worker nodes' instance role, and the
//! applications fetching their secrets.

use serde_json::json;

use super::background::{END, START};
use super::cloudtrail::{self as ct, Call};
use super::k8s;
use super::rng::{Gen, Record, arrivals, hms};
use super::story;

/// AWS Config describing buckets, databases, roles and security groups.
pub(crate) fn aws_config(out: &mut Vec<Record>) {
    let mut g = Gen::new(107);
    let who = ct::service_role(
        "AWSServiceRoleForConfig",
        "AWSConfig-Describe",
        "config.amazonaws.com",
        hms(0, 55, 0),
    );
    let buckets = [
        "example-org-payments-ledger",
        "example-org-payments-db-exports",
        "example-org-web-assets",
        "example-org-cloudtrail-logs",
    ];
    for t in arrivals(&mut g, START, END, 100)
        .into_iter()
        .filter(|t| story::cloudtrail_on(*t))
    {
        let c = match g.index(5) {
            0 => Call::new("s3", "GetBucketAcl").params(json!({"bucketName": g.pick(&buckets), "acl": ""})),
            1 => {
                let b = *g.pick(&buckets);
                let c = Call::new("s3", "GetBucketPolicy").params(json!({"bucketName": b, "policy": ""}));
                if b.ends_with("web-assets") { c } else { c.error("NoSuchBucketPolicy", "The bucket policy does not exist") }
            }
            2 => Call::new("rds", "DescribeDBInstances").params(json!({"dBInstanceIdentifier": "payments-prod"})),
            3 => Call::new("iam", "GetRole").params(json!({"roleName": g.pick(&["eks-node-role", "payments-app", "checkout-app", "github-actions-deploy"])})),
            _ => Call::new("ec2", "DescribeSecurityGroups").params(json!({"groupId": "sg-0a1b2c3d4e5f67890"})),
        };
        out.push(ct::record(&mut g, t, &who, &c));
    }
}

/// The worker nodes' instance role: EC2 and ECR calls from the kubelets and the CNI.
pub(crate) fn node_roles(out: &mut Vec<Record>) {
    let mut g = Gen::new(108);
    let instances = [
        "i-0a1b2c3d4e5f60718",
        "i-0b2c3d4e5f6071829",
        "i-0c3d4e5f607182930",
        "i-0d4e5f60718293a41",
    ];
    for (i, (_, ip)) in k8s::NODES.iter().enumerate() {
        let who = ct::assumed_role(
            "eks-node-role",
            instances[i],
            hms(0, 12, 0),
            ip,
            "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.173.0",
        );
        for t in arrivals(&mut g, START, END, 40)
            .into_iter()
            .filter(|t| story::cloudtrail_on(*t))
        {
            let c = match g.index(3) {
                0 => Call::new("ec2", "DescribeInstances").params(json!({"instancesSet": {"items": [{"instanceId": instances[i]}]}})),
                1 => Call::new("ecr", "GetAuthorizationToken"),
                _ => Call::new("ec2", "DescribeNetworkInterfaces").params(json!({"filterSet": {"items": [{"name": "attachment.instance-id", "valueSet": {"items": [{"value": instances[i]}]}}]}})),
            };
            out.push(ct::record(&mut g, t, &who, &c));
        }
    }
}

/// The applications reading their secrets while they run.
pub(crate) fn app_secrets(out: &mut Vec<Record>) {
    let mut g = Gen::new(109);
    let sdk = "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.112 md/arch#x86_64 lang/python#3.12.7";
    let apps = [
        ("payments-app", "prod/payments/db", "payments", "10.0.2.51"),
        (
            "checkout-app",
            "prod/checkout/stripe-key",
            "checkout",
            "10.0.1.64",
        ),
    ];
    for (role, secret, app, ip) in apps {
        let who = ct::assumed_role(
            role,
            &format!("botocore-session-{}", 1_795_480_000 + g.between(0, 9999)),
            hms(0, 40, 0),
            ip,
            sdk,
        );
        for t in arrivals(&mut g, START, END, 60) {
            if g.chance(400)
                && story::cloudtrail_on(t)
                && story::deployment_exists(app, t)
                && story::service_up(app, t)
            {
                out.push(ct::get_secret(&mut g, t, &who, secret, true));
            }
        }
    }
}
