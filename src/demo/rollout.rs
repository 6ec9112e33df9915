//! Deployment rollouts as the API server sees them: the change, then the deployment and
//! replica-set controllers, the scheduler and the kubelets doing their part.

use super::k8s::{NODES, Req, Who, controller, event, kubelet, scheduler};
use super::rng::{Gen, MS, Micros, Record, SEC};

/// What a rollout left behind: the new replica set and its pods (name, node).
#[derive(Clone, Debug)]
pub(crate) struct Rollout {
    /// The new replica set's name.
    pub replica_set: String,
    /// The new pods and the node each runs on.
    pub pods: Vec<(String, usize)>,
}

/// A change to a deployment that starts a rollout.
#[derive(Clone, Debug)]
pub(crate) struct Change<'a> {
    /// Who changes it.
    pub who: &'a Who,
    /// `patch` for an update or a restart, `create` for a new deployment.
    pub verb: &'a str,
    /// Namespace.
    pub ns: &'a str,
    /// Deployment name.
    pub deploy: &'a str,
    /// The pods being replaced (name, node).
    pub old: &'a [(String, usize)],
    /// Pods in the new replica set.
    pub replicas: usize,
    /// Whether the new pods become ready (then the old ones are deleted).
    pub healthy: bool,
}

/// The rollout a [`Change`] at `t` starts: the controllers create a replica set and pods, the
/// scheduler binds them, the kubelets report them running (and, when healthy, ready, after
/// which the old pods are deleted).
pub(crate) fn rollout(g: &mut Gen, out: &mut Vec<Record>, t: Micros, c: &Change) -> Rollout {
    let (who, verb, ns, deploy, old, healthy) = (c.who, c.verb, c.ns, c.deploy, c.old, c.healthy);
    let dc = controller("deployment-controller");
    let rsc = controller("replicaset-controller");
    let sched = scheduler();
    let rs = format!("{deploy}-{}", g.k8s_suffix(10));
    out.push(event(
        g,
        t,
        who,
        &Req::new(verb, "deployments")
            .group("apps")
            .ns(ns)
            .name(deploy),
    ));
    let t1 = t + g.between(20 * MS, 60 * MS);
    out.push(event(
        g,
        t1,
        &dc,
        &Req::new("create", "replicasets")
            .group("apps")
            .ns(ns)
            .name(&rs),
    ));
    out.push(event(
        g,
        t1 + 15 * MS,
        &dc,
        &Req::new("update", "deployments")
            .group("apps")
            .ns(ns)
            .name(deploy)
            .sub("status"),
    ));
    let replicas = c.replicas;
    let mut pods = Vec::new();
    for i in 0..replicas {
        let pod = format!("{rs}-{}", g.k8s_suffix(5));
        let node = g.index(NODES.len());
        let tp = t1 + 80 * MS + i as i64 * g.between(1500 * MS, 2500 * MS);
        out.push(event(
            g,
            tp,
            &rsc,
            &Req::new("create", "pods").ns(ns).name(&pod),
        ));
        let d = g.between(5 * MS, 40 * MS);
        out.push(event(
            g,
            tp + d,
            &sched,
            &Req::new("create", "pods").ns(ns).name(&pod).sub("binding"),
        ));
        let kl = kubelet(node);
        let d = g.between(1200 * MS, 2200 * MS);
        out.push(event(
            g,
            tp + d,
            &kl,
            &Req::new("patch", "pods").ns(ns).name(&pod).sub("status"),
        ));
        if healthy {
            let d = g.between(6 * SEC, 9 * SEC);
            out.push(event(
                g,
                tp + d,
                &kl,
                &Req::new("patch", "pods").ns(ns).name(&pod).sub("status"),
            ));
        }
        pods.push((pod, node));
    }
    if healthy {
        let td = t1 + 80 * MS + replicas as i64 * 2500 * MS + 9 * SEC;
        for (i, (pod, node)) in old.iter().enumerate() {
            let tk = td + i as i64 * g.between(300 * MS, 900 * MS);
            out.push(event(
                g,
                tk,
                &rsc,
                &Req::new("delete", "pods").ns(ns).name(pod),
            ));
            let d = g.between(2 * SEC, 4 * SEC);
            out.push(event(
                g,
                tk + d,
                &kubelet(*node),
                &Req::new("patch", "pods").ns(ns).name(pod).sub("status"),
            ));
        }
        out.push(event(
            g,
            td + 5 * SEC,
            &dc,
            &Req::new("update", "deployments")
                .group("apps")
                .ns(ns)
                .name(deploy)
                .sub("status"),
        ));
    }
    Rollout {
        replica_set: rs,
        pods,
    }
}

/// `replicas` existing pods of `ns/deploy` (names only; they were created before the story).
pub(crate) fn existing_pods(g: &mut Gen, deploy: &str, replicas: usize) -> Vec<(String, usize)> {
    let rs = format!("{deploy}-{}", g.k8s_suffix(10));
    (0..replicas)
        .map(|i| (format!("{rs}-{}", g.k8s_suffix(5)), i % NODES.len()))
        .collect()
}
