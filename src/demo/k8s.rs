//! Kubernetes audit events as the API server's log backend writes them (`audit.k8s.io/v1`
//! `Event`, level `Metadata`, stage `ResponseComplete`), and the cluster's cast of users.

use serde_json::{Map, Value, json};

use super::rng::{Gen, MS, Micros, Record, SEC, k8s_time};

/// Kubernetes version shown in user agents.
const KUBE: &str = "v1.31.2";
/// The build suffix of the control-plane components' user agents.
const KUBE_BUILD: &str = "kubernetes/5864a46";

/// Who sends a request: user name, groups, client address and user agent.
#[derive(Clone, Debug)]
pub(crate) struct Who {
    /// `user.username`.
    pub user: String,
    /// `user.groups`.
    pub groups: Vec<String>,
    /// `sourceIPs[0]`.
    pub ip: String,
    /// `userAgent`.
    pub ua: String,
}

impl Who {
    /// A user with the given groups (`system:authenticated` is added).
    pub(crate) fn new(user: &str, groups: &[&str], ip: &str, ua: &str) -> Who {
        let mut g: Vec<String> = groups.iter().map(|s| s.to_string()).collect();
        g.push("system:authenticated".into());
        Who {
            user: user.into(),
            groups: g,
            ip: ip.into(),
            ua: ua.into(),
        }
    }
}

/// A service account `ns/name` calling from `ip`.
pub(crate) fn service_account(ns: &str, name: &str, ip: &str, ua: &str) -> Who {
    let groups = [
        "system:serviceaccounts".to_string(),
        format!("system:serviceaccounts:{ns}"),
    ];
    let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
    Who::new(
        &format!("system:serviceaccount:{ns}:{name}"),
        &groups,
        ip,
        ua,
    )
}

/// A kube-controller-manager controller (`deployment-controller`, `replicaset-controller`, …).
pub(crate) fn controller(name: &str) -> Who {
    let ua = format!(
        "kube-controller-manager/{KUBE} (linux/amd64) {KUBE_BUILD}/system:serviceaccount:kube-system:{name}"
    );
    service_account("kube-system", name, "10.0.0.12", &ua)
}

/// The scheduler.
pub(crate) fn scheduler() -> Who {
    let ua = format!("kube-scheduler/{KUBE} (linux/amd64) {KUBE_BUILD}/scheduler");
    Who::new("system:kube-scheduler", &[], "10.0.0.12", &ua)
}

/// Node names and addresses of the four worker nodes.
pub(crate) const NODES: [(&str, &str); 4] = [
    ("ip-10-0-1-23.eu-west-1.compute.internal", "10.0.1.23"),
    ("ip-10-0-2-41.eu-west-1.compute.internal", "10.0.2.41"),
    ("ip-10-0-3-17.eu-west-1.compute.internal", "10.0.3.17"),
    ("ip-10-0-1-88.eu-west-1.compute.internal", "10.0.1.88"),
];

/// The kubelet of worker node `i`.
pub(crate) fn kubelet(i: usize) -> Who {
    let (name, ip) = NODES[i % NODES.len()];
    let ua = format!("kubelet/{KUBE}-eks-7f9249a (linux/amd64) kubernetes/7f9249a");
    Who::new(&format!("system:node:{name}"), &["system:nodes"], ip, &ua)
}

/// An engineer with kubectl from the office VPN.
pub(crate) fn engineer(email: &str, ip: &str) -> Who {
    Who::new(
        email,
        &["sre"],
        ip,
        &format!("kubectl/{KUBE} (darwin/arm64) kubernetes/5864a46"),
    )
}

/// What is requested and how it ended.
#[derive(Clone, Debug)]
pub(crate) struct Req<'a> {
    verb: &'a str,
    resource: &'a str,
    group: &'a str,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
    sub: Option<&'a str>,
    uri_tail: Option<&'a str>,
    code: u16,
    reason: Option<&'a str>,
    message: Option<String>,
}

impl<'a> Req<'a> {
    /// `verb` on `resource` (core group, cluster scope, status 200 or 201 for create).
    pub(crate) fn new(verb: &'a str, resource: &'a str) -> Req<'a> {
        let code = if verb == "create" { 201 } else { 200 };
        Req {
            verb,
            resource,
            group: "",
            namespace: None,
            name: None,
            sub: None,
            uri_tail: None,
            code,
            reason: None,
            message: None,
        }
    }
    /// In namespace `ns`.
    pub(crate) fn ns(mut self, ns: &'a str) -> Self {
        self.namespace = Some(ns);
        self
    }
    /// On the object `name`.
    pub(crate) fn name(mut self, name: &'a str) -> Self {
        self.name = Some(name);
        self
    }
    /// In API group `group`.
    pub(crate) fn group(mut self, group: &'a str) -> Self {
        self.group = group;
        self
    }
    /// On subresource `sub` (`status`, `log`, `binding`, `proxy`, …).
    pub(crate) fn sub(mut self, sub: &'a str) -> Self {
        self.sub = Some(sub);
        self
    }
    /// With extra request path after the subresource (`/readyz` for a proxy).
    pub(crate) fn tail(mut self, tail: &'a str) -> Self {
        self.uri_tail = Some(tail);
        self
    }
    /// Answered with HTTP status `code`.
    pub(crate) fn code(mut self, code: u16) -> Self {
        self.code = code;
        self
    }
    /// With this `authorization.k8s.io/reason`.
    pub(crate) fn reason(mut self, reason: &'a str) -> Self {
        self.reason = Some(reason);
        self
    }
    /// With this failure message (otherwise one is made up from the status).
    pub(crate) fn message(mut self, m: String) -> Self {
        self.message = Some(m);
        self
    }
}

fn api_version(group: &str) -> &'static str {
    match group {
        "cert-manager.io" => "v1",
        "argoproj.io" => "v1alpha1",
        _ => "v1",
    }
}

fn request_uri(g: &mut Gen, r: &Req) -> String {
    let mut s = if r.group.is_empty() {
        format!("/api/{}", api_version(r.group))
    } else {
        format!("/apis/{}/{}", r.group, api_version(r.group))
    };
    if let Some(ns) = r.namespace {
        s.push_str(&format!("/namespaces/{ns}"));
    }
    s.push('/');
    s.push_str(r.resource);
    if let Some(n) = r.name {
        s.push('/');
        s.push_str(n);
    }
    if let Some(sub) = r.sub {
        s.push('/');
        s.push_str(sub);
    }
    if let Some(t) = r.uri_tail {
        s.push_str(t);
    }
    match r.verb {
        "list" => s.push_str("?limit=500"),
        "watch" => s.push_str(&format!(
            "?allowWatchBookmarks=true&resourceVersion={}&timeout=8m31s&watch=true",
            g.between(48_000_000, 49_000_000)
        )),
        "patch" if r.sub.is_none() => s.push_str("?fieldManager=kubectl-client-side-apply"),
        _ => {}
    }
    s
}

fn failure_status(r: &Req, who: &Who) -> Value {
    let kind = if r.group.is_empty() {
        r.resource.to_string()
    } else {
        format!("{}.{}", r.resource, r.group)
    };
    let name = r.name.unwrap_or("");
    let (reason, default_msg) = match r.code {
        403 => {
            let scope = match r.namespace {
                Some(ns) => format!("in the namespace \"{ns}\""),
                None => "at the cluster scope".to_string(),
            };
            let what = if name.is_empty() || r.verb == "create" {
                kind.clone()
            } else {
                format!("{kind} \"{name}\"")
            };
            (
                "Forbidden",
                format!(
                    "{what} is forbidden: User \"{}\" cannot {} resource \"{}\" in API group \"{}\" {scope}",
                    who.user, r.verb, r.resource, r.group
                ),
            )
        }
        404 => ("NotFound", format!("{kind} \"{name}\" not found")),
        409 => (
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {kind} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
            ),
        ),
        503 => (
            "ServiceUnavailable",
            "the server is currently unable to handle the request".to_string(),
        ),
        _ => (
            "InternalError",
            "an error on the server has prevented the request from succeeding".to_string(),
        ),
    };
    let mut details = Map::new();
    if !name.is_empty() {
        details.insert("name".into(), name.into());
    }
    if !r.group.is_empty() {
        details.insert("group".into(), r.group.into());
    }
    details.insert("kind".into(), r.resource.into());
    json!({
        "metadata": {},
        "status": "Failure",
        "message": r.message.clone().unwrap_or(default_msg),
        "reason": reason,
        "details": details,
        "code": r.code,
    })
}

fn latency(g: &mut Gen, verb: &str, code: u16) -> Micros {
    match verb {
        _ if code == 503 => g.between(2 * MS, 30 * MS),
        "watch" => g.between(240 * SEC, 520 * SEC),
        "list" => g.between(4 * MS, 60 * MS),
        _ => g.between(MS, 14 * MS),
    }
}

/// One audit event for `who` doing `r` at `t`.
pub(crate) fn event(g: &mut Gen, t: Micros, who: &Who, r: &Req) -> Record {
    let mut object = Map::new();
    object.insert("resource".into(), r.resource.into());
    if let Some(ns) = r.namespace {
        object.insert("namespace".into(), ns.into());
    }
    if let Some(n) = r.name {
        object.insert("name".into(), n.into());
    }
    if !r.group.is_empty() {
        object.insert("apiGroup".into(), r.group.into());
    }
    object.insert("apiVersion".into(), api_version(r.group).into());
    if let Some(s) = r.sub {
        object.insert("subresource".into(), s.into());
    }
    let status = if r.code < 400 {
        json!({"metadata": {}, "code": r.code})
    } else {
        failure_status(r, who)
    };
    let forbid = r.code == 403;
    let mut annotations = Map::new();
    annotations.insert(
        "authorization.k8s.io/decision".into(),
        if forbid { "forbid" } else { "allow" }.into(),
    );
    let reason = match (forbid, r.reason) {
        (true, _) => String::new(),
        (false, Some(x)) => x.to_string(),
        (false, None) if who.user.starts_with("system:") => {
            format!(
                "RBAC: allowed by ClusterRoleBinding \"{}\"",
                binding_for(&who.user)
            )
        }
        (false, None) => format!("RBAC: allowed by ClusterRoleBinding \"{}\"", who.groups[0]),
    };
    annotations.insert("authorization.k8s.io/reason".into(), reason.into());
    let uri = request_uri(g, r);
    let done = t + latency(g, r.verb, r.code);
    let v = json!({
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": "Metadata",
        "auditID": g.uuid(),
        "stage": "ResponseComplete",
        "requestURI": uri,
        "verb": r.verb,
        "user": {"username": who.user, "groups": who.groups},
        "sourceIPs": [who.ip],
        "userAgent": who.ua,
        "objectRef": object,
        "responseStatus": status,
        "requestReceivedTimestamp": k8s_time(t),
        "stageTimestamp": k8s_time(done),
        "annotations": annotations,
    });
    Record::new(t, &v)
}

fn binding_for(user: &str) -> String {
    match user.rsplit(':').next() {
        Some(n) if user.starts_with("system:serviceaccount:kube-system:") => {
            format!("system:controller:{n}")
        }
        Some(_) if user.starts_with("system:node:") => "system:node".into(),
        Some(n) if user.starts_with("system:serviceaccount:") => n.to_string(),
        _ => user.to_string(),
    }
}
