//! People and pipelines in the background: engineers reading (kubectl and the AWS console) and
//! CI deploys (GitHub Actions pushing images and patching deployments).

use serde_json::json;

use super::background::{APPS, ENGINEERS};
use super::cloudtrail::{self as ct, Call, Principal};
use super::k8s::{self, Req, Who};
use super::rng::{Gen, MIN, Record, SEC, arrivals, hms};
use super::rollout::{self, Change, Rollout};
use super::story;

/// The engineers: a console sign-in, then kubectl reads and the odd console call.
pub(crate) fn engineers(out: &mut Vec<Record>) {
    let mut g = Gen::new(105);
    for (email, ip, from, to) in ENGINEERS {
        let who = k8s::engineer(email, ip);
        let console = ct::sso(
            email,
            "SRE",
            from,
            ip,
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
        );
        out.push(ct::console_login(&mut g, from, &console));
        for t in arrivals(&mut g, from + 20 * SEC, to, 50) {
            let app = *g.pick(&APPS);
            let ns = *g.pick(&["prod", "staging"]);
            let pod = format!("{app}-{}-{}", g.k8s_suffix(10), g.k8s_suffix(5));
            let cfg = format!("{app}-config");
            let r = match g.index(6) {
                0 => Req::new("list", "pods").ns(ns),
                1 => Req::new("get", "pods")
                    .ns(ns)
                    .name(&pod)
                    .sub("log")
                    .code(if g.chance(60) { 404 } else { 200 }),
                2 => Req::new("get", "deployments")
                    .group("apps")
                    .ns(ns)
                    .name(app),
                3 => Req::new("get", "configmaps").ns(ns).name(&cfg),
                4 => Req::new("list", "events").ns(ns),
                _ => Req::new("list", "deployments").group("apps").ns(ns),
            };
            out.push(k8s::event(&mut g, t, &who, &r));
        }
        for t in arrivals(&mut g, from + 40 * SEC, to, 60) {
            if !g.chance(350) || !story::cloudtrail_on(t) {
                continue;
            }
            let c = match g.index(4) {
                0 => Call::new("ec2", "DescribeInstances").params(json!({"maxResults": 50})),
                1 => Call::new("rds", "DescribeDBInstances")
                    .params(json!({"dBInstanceIdentifier": "payments-prod"})),
                2 => Call::new("eks", "DescribeCluster").params(json!({"name": ct::CLUSTER})),
                _ => Call::new("logs", "FilterLogEvents")
                    .params(json!({"logGroupName": "/eks/prod-eu/payments", "limit": 100})),
            };
            out.push(ct::record(&mut g, t, &console, &c));
        }
    }
}

/// CI deploys: image pushes and deployment rollouts; returns `prod/checkout` as left by its
/// deploy.
pub(crate) fn ci_deploys(out: &mut Vec<Record>) -> Rollout {
    let mut g = Gen::new(106);
    let mut prod_checkout = None;
    let who = Who::new(
        "github-actions-deploy",
        &["ci:deployers"],
        "192.0.2.40",
        "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46",
    );
    let provider = format!(
        "arn:aws:iam::{}:oidc-provider/token.actions.githubusercontent.com",
        ct::ACCOUNT
    );
    let deploys = [
        (hms(1, 12, 30), "staging", "checkout"),
        (hms(1, 22, 10), "prod", "checkout"),
        (hms(1, 35, 40), "staging", "payments"),
        (hms(2, 52, 20), "staging", "search"),
    ];
    for (t, ns, app) in deploys {
        let ua = "aws-sdk-js/3.654.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/ecr#3.654.0";
        let repo = format!("example-org/{app}");
        let fed = web_identity_user(&provider, &format!("repo:{repo}:ref:refs/heads/main"), ua);
        let assume = Call::new("sts", "AssumeRoleWithWebIdentity")
            .params(json!({"roleArn": format!("arn:aws:iam::{}:role/github-actions-deploy", ct::ACCOUNT),
                "roleSessionName": "GitHubActions"}))
            .response(json!({"subjectFromWebIdentityToken": format!("repo:{repo}:ref:refs/heads/main"),
                "audience": "sts.amazonaws.com"}))
            .resource("AWS::IAM::Role", &format!("arn:aws:iam::{}:role/github-actions-deploy", ct::ACCOUNT));
        let t0 = t - 3 * MIN;
        out.push(ct::record(&mut g, t0, &fed, &assume));
        let role = ct::assumed_role(
            "github-actions-deploy",
            "GitHubActions",
            t0,
            "192.0.2.40",
            ua,
        );
        let ecr_arn = format!(
            "arn:aws:ecr:{}:{}:repository/{app}",
            ct::REGION,
            ct::ACCOUNT
        );
        for (k, name) in [
            "GetAuthorizationToken",
            "BatchCheckLayerAvailability",
            "InitiateLayerUpload",
            "CompleteLayerUpload",
            "PutImage",
        ]
        .into_iter()
        .enumerate()
        {
            let mut c = Call::new("ecr", name);
            if k > 0 {
                c = c
                    .params(json!({"repositoryName": app, "registryId": ct::ACCOUNT}))
                    .resource("AWS::ECR::Repository", &ecr_arn);
            }
            out.push(ct::record(
                &mut g,
                t0 + (k as i64 + 1) * 20 * SEC,
                &role,
                &c,
            ));
        }
        let old = rollout::existing_pods(&mut g, app, 3);
        out.push(k8s::event(
            &mut g,
            t - 2 * SEC,
            &who,
            &Req::new("get", "deployments")
                .group("apps")
                .ns(ns)
                .name(app),
        ));
        let change = Change {
            who: &who,
            verb: "patch",
            ns,
            deploy: app,
            old: &old,
            replicas: 3,
            healthy: true,
        };
        let done = rollout::rollout(&mut g, out, t, &change);
        if (ns, app) == ("prod", "checkout") {
            prod_checkout = Some(done);
        }
        for k in 1..4 {
            let r = Req::new("get", "deployments")
                .group("apps")
                .ns(ns)
                .name(app);
            out.push(k8s::event(&mut g, t + k * 5 * SEC, &who, &r));
        }
    }
    prod_checkout.expect("the deploys include prod/checkout")
}

fn web_identity_user(provider: &str, user: &str, ua: &str) -> Principal {
    ct::web_identity(provider, user, "192.0.2.40", ua)
}
