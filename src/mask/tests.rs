//! Whole records through [`Masker`]: the defaults, a configured list, identities, counts.

use serde_json::{Value, json};

use super::*;

fn defaults() -> Masker {
    Masker::new(&[])
}

fn redacted_size(v: &Value) -> String {
    format!(
        "«redacted: {} bytes»",
        serde_json::to_string(v).unwrap().len()
    )
}

fn k8s_create_secret() -> Value {
    json!({
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "auditID": "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        "verb": "create",
        "user": {"username": "alice@example.com", "groups": ["system:authenticated"]},
        "objectRef": {"resource": "secrets", "namespace": "prod", "name": "db-creds"},
        "requestObject": {"kind": "Secret", "data": {"password": "aHVudGVyMg=="}},
        "responseStatus": {"code": 403, "message": "secrets is forbidden: User \"alice@example.com\" cannot create"},
        "annotations": {
            "authorization.k8s.io/decision": "forbid",
            "authorization.k8s.io/reason": "RBAC: no rule"
        }
    })
}

#[test]
fn defaults_mask_the_kubernetes_request_object_whole() {
    let rec = k8s_create_secret();
    let (out, n) = defaults().mask_record(&rec);
    assert_eq!(out["requestObject"], redacted_size(&rec["requestObject"]));
    // The e-mail in the message is free text; the same address as the user is an identity.
    assert_eq!(
        out["responseStatus"]["message"],
        format!("secrets is forbidden: User \"{MASK}\" cannot create")
    );
    assert_eq!(out["user"]["username"], "alice@example.com");
    // Everything else is as it was.
    for k in ["auditID", "verb", "objectRef", "annotations", "kind"] {
        assert_eq!(out[k], rec[k], "{k} changed");
    }
    assert_eq!(n, 2);
}

#[test]
fn defaults_mask_cloudtrail_parameters_and_credentials_but_keep_the_principal() {
    let rec = json!({
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROA58A9D0C11F5D8A923:alice@example.com",
            "arn": "arn:aws:sts::111122223333:assumed-role/SRE/alice@example.com",
            "accessKeyId": "ASIA882F47D550167681"
        },
        "eventName": "AssumeRole",
        "requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/deploy", "durationSeconds": 3600},
        "responseElements": {"credentials": {"accessKeyId": "ASIAXYZXYZXYZXYZXYZ1", "sessionToken": "IQoJb3JpZ2lu"}},
        "requestID": "c30f9850-8a00-4e3e-a4ca-aee653dd624e"
    });
    let (out, n) = defaults().mask_record(&rec);
    assert_eq!(
        out["requestParameters"],
        redacted_size(&rec["requestParameters"])
    );
    assert_eq!(
        out["responseElements"],
        redacted_size(&rec["responseElements"])
    );
    assert_eq!(out["userIdentity"]["accessKeyId"], MASK);
    assert_eq!(
        out["userIdentity"]["principalId"],
        rec["userIdentity"]["principalId"]
    );
    assert_eq!(out["userIdentity"]["arn"], rec["userIdentity"]["arn"]);
    assert_eq!(out["requestID"], rec["requestID"]);
    assert_eq!(n, 3);
}

#[test]
fn secrets_are_masked_whatever_the_list() {
    let rec = json!({
        "request": {"headers": {"Authorization": "Bearer abcdef0123456789", "X-Request-Id": "r-1"}},
        "config": {"db": {"password": 1234, "passwordLastUsed": "2026-01-01T00:00:00Z"}},
        "creds": {"client_secret": {"v": 1}},
        "token": "",
        "session_token": null,
        "msg": "retrying with key AKIAIOSFODNN7EXAMPLE",
        "jwt_in_list": ["ok", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"]
    });
    let (out, n) = Masker::new(&["nothing.here".to_string()]).mask_record(&rec);
    assert_eq!(out["request"]["headers"]["Authorization"], MASK);
    assert_eq!(out["request"]["headers"]["X-Request-Id"], "r-1");
    assert_eq!(out["config"]["db"]["password"], MASK);
    assert_eq!(
        out["config"]["db"]["passwordLastUsed"],
        "2026-01-01T00:00:00Z"
    );
    assert_eq!(
        out["creds"]["client_secret"],
        redacted_size(&json!({"v": 1}))
    );
    // Nothing to hide in an empty or null value: kept, not counted.
    assert_eq!(out["token"], "");
    assert_eq!(out["session_token"], Value::Null);
    assert_eq!(out["msg"], format!("retrying with key {MASK}"));
    assert_eq!(out["jwt_in_list"], json!(["ok", MASK]));
    assert_eq!(n, 5);
}

#[test]
fn a_configured_list_replaces_the_default_fields() {
    let rec = json!({
        "requestObject": {"spec": "kept"},
        "request": {"body": "{\"card\":\"4111\"}", "path": "/pay"},
        "response": {"body": [1, 2, 3]}
    });
    let m = Masker::new(&["request.body".to_string(), "response.*".to_string()]);
    let (out, n) = m.mask_record(&rec);
    assert_eq!(out["requestObject"], rec["requestObject"]);
    assert_eq!(out["request"]["body"], MASK);
    assert_eq!(out["request"]["path"], "/pay");
    assert_eq!(out["response"]["body"], "«redacted: 7 bytes»");
    assert_eq!(n, 2);
}

#[test]
fn paths_match_inside_arrays_and_at_depth() {
    let rec = json!({"items": [{"body": "a"}, {"inner": {"body": {"x": true}}}, {"other": 1}]});
    let (out, n) = defaults().mask_record(&rec);
    assert_eq!(out["items"][0]["body"], MASK);
    assert_eq!(
        out["items"][1]["inner"]["body"],
        redacted_size(&json!({"x": true}))
    );
    assert_eq!(out["items"][2]["other"], 1);
    assert_eq!(n, 2);
}

#[test]
fn identities_keep_their_addresses_all_the_way_down() {
    let rec = json!({
        "user": {"username": "bob@example.com", "extra": {"email": ["bob@example.com"]}},
        "actor": "carol@example.com",
        "impersonatedUser": {"username": "dave@example.com"},
        "note": "escalated to erin@example.com",
        "user_email": "frank@example.com"
    });
    let (out, n) = defaults().mask_record(&rec);
    assert_eq!(out["user"], rec["user"]);
    assert_eq!(out["actor"], rec["actor"]);
    assert_eq!(out["impersonatedUser"], rec["impersonatedUser"]);
    assert_eq!(out["user_email"], rec["user_email"]);
    assert_eq!(out["note"], format!("escalated to {MASK}"));
    assert_eq!(n, 1);
}

#[test]
fn identifiers_in_records_are_not_masked() {
    let rec = json!({
        "time": "2026-11-24T01:00:14.407896Z",
        "actor": "svc-checkout",
        "resource": "order/ord-9f955571eb5e",
        "request_id": "5e5c6ca5-f237-4f0b-9fea-23171a8186b5",
        "trace_id": "f918e8a0046db9eb4d4c3779fe2c6b5d",
        "span_id": "16086ae0fb159c5b",
        "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "roleArn": "arn:aws:iam::111122223333:role/eks-node-role",
        "secretId": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf",
        "objectRef": {"resource": "serviceaccounts", "subresource": "token"},
        "userAgent": "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5",
        "amount_cents": 22923
    });
    let (out, n) = defaults().mask_record(&rec);
    assert_eq!(out, rec);
    assert_eq!(n, 0);
}

#[test]
fn default_masker_is_the_empty_list() {
    let rec = k8s_create_secret();
    assert_eq!(
        Masker::default().mask_record(&rec),
        defaults().mask_record(&rec)
    );
    assert_eq!(
        Masker::new(&["".to_string()]).mask_record(&rec),
        defaults().mask_record(&rec)
    );
}

#[test]
fn masking_is_idempotent() {
    let rec = k8s_create_secret();
    let (once, _) = defaults().mask_record(&rec);
    let (twice, n) = defaults().mask_record(&once);
    assert_eq!(once, twice);
    // The masks themselves are not secrets.
    assert_eq!(n, 0);
}

#[test]
fn mask_text_masks_secrets_and_addresses() {
    let m = defaults();
    assert_eq!(
        m.mask_text("key AKIAIOSFODNN7EXAMPLE used by ops@example.com"),
        format!("key {MASK} used by {MASK}")
    );
    assert_eq!(
        m.mask_text("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"),
        format!("Authorization: Bearer {MASK}")
    );
    assert_eq!(m.mask_text_counted("nothing to see").1, 0);
    assert_eq!(
        m.mask_text("trace 4bf92f3577b34da6a3ce929d0e0e4736"),
        "trace 4bf92f3577b34da6a3ce929d0e0e4736"
    );
}
