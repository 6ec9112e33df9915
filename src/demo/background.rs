//! Background traffic: what the cluster and the AWS account do all the time, incident or not —
//! leader election, kubelets, monitoring, GitOps, engineers reading, CI deploys, AWS Config and
//! the applications fetching their secrets.

use super::k8s::{self, Req, Who};
use super::rng::{Gen, MS, Micros, Record, SEC, arrivals, hms};
use super::rollout::Rollout;
use super::{aws, people, story};

/// The first instant of the demo timeline.
pub(crate) const START: Micros = hms(1, 0, 0);
/// The end of the demo timeline (exclusive).
pub(crate) const END: Micros = hms(3, 0, 0);

/// The engineers: e-mail, office VPN address, and when they are at work (k8s and console).
pub(crate) const ENGINEERS: [(&str, &str, Micros, Micros); 3] = [
    (
        "alice@example.com",
        "198.51.100.14",
        hms(1, 2, 40),
        hms(2, 55, 0),
    ),
    (
        "dana@example.com",
        "198.51.100.23",
        hms(1, 5, 10),
        hms(2, 10, 0),
    ),
    (
        "bob@example.com",
        "198.51.100.31",
        hms(1, 30, 20),
        hms(2, 20, 0),
    ),
];

/// Namespaces with workloads.
pub(crate) const NAMESPACES: [&str; 4] = ["prod", "staging", "monitoring", "kube-system"];
/// Deployments in `prod` (and `staging`).
pub(crate) const APPS: [&str; 3] = ["payments", "checkout", "search"];

/// Appends all background records; returns `prod/checkout` as its last deploy left it (the
/// story deletes it).
pub(crate) fn generate(out: &mut Vec<Record>) -> Rollout {
    let checkout = people::ci_deploys(out);
    leader_election(out);
    kubelets(out);
    monitoring(out);
    gitops(out);
    people::engineers(out);
    aws::aws_config(out);
    aws::node_roles(out);
    aws::app_secrets(out);
    checkout
}

fn leader_election(out: &mut Vec<Record>) {
    let mut g = Gen::new(101);
    let holders = [
        Who::new(
            "system:kube-controller-manager",
            &[],
            "10.0.0.12",
            "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/leader-election",
        ),
        Who::new(
            "system:kube-scheduler",
            &[],
            "10.0.0.12",
            "kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46/leader-election",
        ),
        k8s::service_account(
            "cert-manager",
            "cert-manager",
            "10.0.3.60",
            "cert-manager-controller/v1.16.1 (linux/amd64) cert-manager/4f1ab2e",
        ),
    ];
    let leases = [
        "kube-controller-manager",
        "kube-scheduler",
        "cert-manager-controller",
    ];
    for (who, lease) in holders.iter().zip(leases) {
        for t in arrivals(&mut g, START, END, 60) {
            let ns = if lease.starts_with("cert") {
                "cert-manager"
            } else {
                "kube-system"
            };
            let code = if g.chance(4) { 409 } else { 200 };
            let r = Req::new("update", "leases")
                .group("coordination.k8s.io")
                .ns(ns)
                .name(lease)
                .code(code);
            out.push(k8s::event(&mut g, t, who, &r));
        }
    }
    let cm = &holders[2];
    for t in arrivals(&mut g, START, END, 40) {
        let (ns, name) = *g.pick(&[
            ("prod", "api-tls"),
            ("staging", "api-tls"),
            ("monitoring", "grafana-tls"),
        ]);
        let r = Req::new("get", "certificates")
            .group("cert-manager.io")
            .ns(ns)
            .name(name);
        out.push(k8s::event(&mut g, t, cm, &r));
    }
}

fn kubelets(out: &mut Vec<Record>) {
    let mut g = Gen::new(102);
    for (i, (node, _)) in k8s::NODES.iter().enumerate() {
        let who = k8s::kubelet(i);
        for t in arrivals(&mut g, START, END, 45) {
            let r = Req::new("update", "leases")
                .group("coordination.k8s.io")
                .ns("kube-node-lease")
                .name(node);
            out.push(k8s::event(&mut g, t, &who, &r));
        }
        for t in arrivals(&mut g, START, END, 45) {
            let r = match g.index(3) {
                0 => Req::new("get", "nodes").name(node),
                1 => Req::new("patch", "nodes").name(node).sub("status"),
                _ => {
                    let ns = *g.pick(&["prod", "staging", "monitoring"]);
                    Req::new("get", "configmaps")
                        .ns(ns)
                        .name("kube-root-ca.crt")
                }
            };
            out.push(k8s::event(&mut g, t, &who, &r));
        }
        for t in arrivals(&mut g, START, END, 20) {
            let (ns, sa) = *g.pick(&[
                ("prod", "payments"),
                ("prod", "checkout"),
                ("prod", "search"),
                ("monitoring", "prometheus"),
            ]);
            let r = Req::new("create", "serviceaccounts")
                .ns(ns)
                .name(sa)
                .sub("token");
            out.push(k8s::event(&mut g, t, &who, &r));
        }
    }
}

fn monitoring(out: &mut Vec<Record>) {
    let mut g = Gen::new(103);
    let prom = k8s::service_account(
        "monitoring",
        "prometheus",
        "10.0.2.77",
        "prometheus/v2.54.1",
    );
    for t in arrivals(&mut g, START, END, 180) {
        let resource = *g.pick(&["pods", "endpoints", "services", "nodes"]);
        let verb = if g.chance(150) { "watch" } else { "list" };
        let mut r = Req::new(verb, resource);
        if resource != "nodes" {
            let ns = *g.pick(&NAMESPACES);
            r = r.ns(ns);
        }
        out.push(k8s::event(&mut g, t, &prom, &r));
    }
    // Readiness probes through the API server proxy: 503 while a service is down.
    let bb = k8s::service_account(
        "monitoring",
        "blackbox-exporter",
        "10.0.2.78",
        "Go-http-client/2.0",
    );
    for app in APPS {
        // payments is probed more often than the others.
        let every = if app == "payments" {
            20 * SEC
        } else {
            60 * SEC
        };
        let mut t = START + g.between(0, every);
        while t < END {
            let code = if story::service_up(app, t) { 200 } else { 503 };
            let mut r = Req::new("get", "services")
                .ns("prod")
                .name(app)
                .sub("proxy")
                .tail("/readyz")
                .code(code);
            if code == 503 {
                r = r.message(format!(
                    "error trying to reach service: dial tcp 10.0.{}.{}:8080: connect: connection refused",
                    g.between(1, 4),
                    g.between(20, 250)
                ));
            }
            out.push(k8s::event(&mut g, t, &bb, &r));
            t += every + g.between(0, 400 * MS);
        }
    }
    let dns = k8s::service_account("kube-system", "coredns", "10.0.1.53", "coredns/v1.11.3");
    for t in arrivals(&mut g, START, END, 40) {
        let (res, group) = *g.pick(&[
            ("endpointslices", "discovery.k8s.io"),
            ("services", ""),
            ("namespaces", ""),
        ]);
        out.push(k8s::event(
            &mut g,
            t,
            &dns,
            &Req::new("watch", res).group(group),
        ));
    }
}

fn gitops(out: &mut Vec<Record>) {
    let mut g = Gen::new(104);
    let argo = k8s::service_account(
        "argocd",
        "argocd-application-controller",
        "10.0.3.31",
        "argocd-application-controller/v2.13.1+af54ef8",
    );
    for t in arrivals(&mut g, START, END, 150) {
        let ns = *g.pick(&["prod", "staging"]);
        let app = *g.pick(&APPS);
        let (verb, res, group) = *g.pick(&[
            ("get", "deployments", "apps"),
            ("get", "services", ""),
            ("get", "configmaps", ""),
            ("list", "deployments", "apps"),
            ("get", "applications", "argoproj.io"),
        ]);
        let name = match res {
            "configmaps" => format!("{app}-config"),
            "applications" => format!("{ns}-{app}"),
            _ => app.to_string(),
        };
        let mut r = Req::new(verb, res)
            .group(group)
            .ns(if res == "applications" { "argocd" } else { ns });
        if verb == "get" {
            // A deleted deployment is simply not found until it is synced back.
            let gone = res == "deployments" && ns == "prod" && !story::deployment_exists(app, t);
            r = r.name(&name).code(if gone { 404 } else { 200 });
        }
        out.push(k8s::event(&mut g, t, &argo, &r));
    }
}
