//! CloudTrail records (one per line, as a trail's event data store or a log shipper writes
//! them) and the AWS account's cast of principals. Account and key ids are documentation
//! examples; addresses are private or documentation ranges.

use serde_json::{Map, Value, json};

use super::rng::{Gen, Micros, Record, ct_time};

/// The (fake) AWS account.
pub(crate) const ACCOUNT: &str = "111122223333";
/// The region everything runs in.
pub(crate) const REGION: &str = "eu-west-1";
/// The EKS cluster.
pub(crate) const CLUSTER: &str = "prod-eu";
/// The organisation trail that the intruder stops.
pub(crate) const TRAIL_ARN: &str = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-audit";

/// A caller: its `userIdentity`, address and user agent.
#[derive(Clone, Debug)]
pub(crate) struct Principal {
    /// `userIdentity`.
    pub identity: Value,
    /// `sourceIPAddress`.
    pub ip: String,
    /// `userAgent`.
    pub ua: String,
}

/// A stable fake id: `prefix` followed by upper-case characters derived from `seed`.
fn fake_id(prefix: &str, seed: &str, len: usize) -> String {
    let h = crate::segment::sha256(seed.as_bytes())
        .to_hex()
        .to_ascii_uppercase();
    format!("{prefix}{}", &h[..len])
}

/// An IAM user with a long-term access key.
pub(crate) fn iam_user(name: &str, principal_id: &str, key: &str, ip: &str, ua: &str) -> Principal {
    Principal {
        identity: json!({
            "type": "IAMUser",
            "principalId": principal_id,
            "arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
            "accountId": ACCOUNT,
            "accessKeyId": key,
            "userName": name,
        }),
        ip: ip.into(),
        ua: ua.into(),
    }
}

/// A session of role `role` named `session`, created at `since`.
pub(crate) fn assumed_role(
    role: &str,
    session: &str,
    since: Micros,
    ip: &str,
    ua: &str,
) -> Principal {
    let role_id = fake_id("AROA", role, 17);
    Principal {
        identity: json!({
            "type": "AssumedRole",
            "principalId": format!("{role_id}:{session}"),
            "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"),
            "accountId": ACCOUNT,
            "accessKeyId": fake_id("ASIA", &format!("{role}/{session}"), 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role}"),
                    "accountId": ACCOUNT,
                    "userName": role,
                },
                "attributes": {"creationDate": ct_time(since), "mfaAuthenticated": "false"},
            },
        }),
        ip: ip.into(),
        ua: ua.into(),
    }
}

/// A role session used by an AWS service on the account's behalf (AWS Config, …).
pub(crate) fn service_role(role: &str, session: &str, service: &str, since: Micros) -> Principal {
    let mut p = assumed_role(role, session, since, service, service);
    p.identity["invokedBy"] = service.into();
    p
}

/// An IAM Identity Center (SSO) session of `email` with permission set `set`.
pub(crate) fn sso(email: &str, set: &str, since: Micros, ip: &str, ua: &str) -> Principal {
    let role = format!(
        "AWSReservedSSO_{set}_{}",
        fake_id("", set, 16).to_ascii_lowercase()
    );
    let mut p = assumed_role(&role, email, since, ip, ua);
    p.identity["sessionContext"]["attributes"]["mfaAuthenticated"] = "true".into();
    p
}

/// A federated web identity (GitHub Actions OIDC, EKS service account tokens) before it
/// assumes a role.
pub(crate) fn web_identity(provider: &str, user: &str, ip: &str, ua: &str) -> Principal {
    Principal {
        identity: json!({
            "type": "WebIdentityUser",
            "principalId": format!("{provider}:sts.amazonaws.com:{user}"),
            "userName": user,
            "identityProvider": provider,
        }),
        ip: ip.into(),
        ua: ua.into(),
    }
}

/// One API call and its result.
#[derive(Clone, Debug)]
pub(crate) struct Call<'a> {
    source: &'a str,
    name: &'a str,
    params: Value,
    response: Value,
    error: Option<(&'a str, String)>,
    read_only: bool,
    resources: Option<Value>,
    extra: Option<Value>,
}

impl<'a> Call<'a> {
    /// `source:name` (e.g. `s3`, `DeleteBucket`); read-only when the name says so.
    pub(crate) fn new(source: &'a str, name: &'a str) -> Call<'a> {
        let read_only = ["Get", "List", "Describe", "Lookup"]
            .iter()
            .any(|p| name.starts_with(p));
        Call {
            source,
            name,
            params: Value::Null,
            response: Value::Null,
            error: None,
            read_only,
            resources: None,
            extra: None,
        }
    }
    /// `requestParameters`.
    pub(crate) fn params(mut self, v: Value) -> Self {
        self.params = v;
        self
    }
    /// `responseElements`.
    pub(crate) fn response(mut self, v: Value) -> Self {
        self.response = v;
        self
    }
    /// Failed with `errorCode` / `errorMessage` (no response elements then).
    pub(crate) fn error(mut self, code: &'a str, message: impl Into<String>) -> Self {
        self.error = Some((code, message.into()));
        self.response = Value::Null;
        self
    }
    /// Adds an entry to `resources`.
    pub(crate) fn resource(mut self, kind: &str, arn: &str) -> Self {
        let list = self.resources.get_or_insert_with(|| json!([]));
        if let Value::Array(a) = list {
            a.push(json!({"accountId": ACCOUNT, "type": kind, "ARN": arn}));
        }
        self
    }
    /// `additionalEventData`.
    pub(crate) fn extra(mut self, v: Value) -> Self {
        self.extra = Some(v);
        self
    }
}

/// The CloudTrail record of `who` making call `c` at `t`.
pub(crate) fn record(g: &mut Gen, t: Micros, who: &Principal, c: &Call) -> Record {
    let console = c.name == "ConsoleLogin";
    let region = if matches!(c.source, "iam" | "signin") {
        "us-east-1"
    } else {
        REGION
    };
    let mut m = Map::new();
    m.insert(
        "eventVersion".into(),
        if console { "1.09" } else { "1.10" }.into(),
    );
    m.insert("userIdentity".into(), who.identity.clone());
    m.insert("eventTime".into(), ct_time(t).into());
    m.insert(
        "eventSource".into(),
        format!("{}.amazonaws.com", c.source).into(),
    );
    m.insert("eventName".into(), c.name.into());
    m.insert("awsRegion".into(), region.into());
    m.insert("sourceIPAddress".into(), who.ip.clone().into());
    m.insert("userAgent".into(), who.ua.clone().into());
    if let Some((code, msg)) = &c.error {
        m.insert("errorCode".into(), (*code).into());
        m.insert("errorMessage".into(), msg.clone().into());
    }
    m.insert("requestParameters".into(), c.params.clone());
    m.insert("responseElements".into(), c.response.clone());
    if let Some(x) = &c.extra {
        m.insert("additionalEventData".into(), x.clone());
    }
    let request_id = if c.source == "s3" {
        g.hex(16).to_ascii_uppercase()
    } else {
        g.uuid()
    };
    if !console {
        m.insert("requestID".into(), request_id.into());
    }
    m.insert("eventID".into(), g.uuid().into());
    m.insert("readOnly".into(), c.read_only.into());
    if let Some(r) = &c.resources {
        m.insert("resources".into(), r.clone());
    }
    m.insert(
        "eventType".into(),
        if console {
            "AwsConsoleSignIn"
        } else {
            "AwsApiCall"
        }
        .into(),
    );
    m.insert("managementEvent".into(), true.into());
    m.insert("recipientAccountId".into(), ACCOUNT.into());
    m.insert("eventCategory".into(), "Management".into());
    // CloudTrail has whole-second times: the record's time is the second it names.
    Record::new(t - t.rem_euclid(super::rng::SEC), &Value::Object(m))
}

/// A successful console sign-in of `who`.
pub(crate) fn console_login(g: &mut Gen, t: Micros, who: &Principal) -> Record {
    let c = Call::new("signin", "ConsoleLogin")
        .response(json!({"ConsoleLogin": "Success"}))
        .extra(json!({
            "LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No",
            "MFAUsed": "Yes",
        }));
    record(g, t, who, &c)
}

/// `GetSecretValue` of `secret` by `who`; fails with `ResourceNotFoundException` when `found`
/// is false.
pub(crate) fn get_secret(
    g: &mut Gen,
    t: Micros,
    who: &Principal,
    secret: &str,
    found: bool,
) -> Record {
    let mut c = Call::new("secretsmanager", "GetSecretValue").params(json!({"secretId": secret}));
    if !found {
        c = c.error(
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret.",
        );
    }
    record(g, t, who, &c)
}
