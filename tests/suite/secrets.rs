//! No credential ever shows: fake credentials are seeded into the sealed events (an AWS key id
//! and secret and a session token in a CloudTrail-style answer, a bearer token in a request
//! header, a PEM private key in a body, `secret=` in a message), into the environment
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), into store URLs
//! (`user:password@`, `?token=`), and the writer's own private key is used throughout. Then the
//! headless commands run against a directory, an HTTP and an S3 store, on their happy and their
//! error paths (a private key given as a public key, a key file that is no key, a wrong signer,
//! unreachable and malformed URLs, a missing bucket, and an S3 endpoint that answers a wrong
//! secret the way AWS does, quoting the request's credential scope and security token), and
//! every stdout, every stderr, every export, the journal, the pins and every other file under
//! the trailscope home are searched for each secret.
//!
//! Evidence is evidence: the events' own values are in the store's segments and in the local
//! index built from them, and `search --records` / `export --reveal` print records unmasked on
//! purpose; those are not searched for the events' secrets (but they are for the others).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;

use crate::common::{Run, Sandbox};
use crate::pull_common::fast_sandbox;
use crate::servers::{command, http_server, s3_env, s3_server};

/// An AWS access key id (the shape `AKIA` + 16).
const KEY_ID: &str = "AKIAFAKELEAKCHECK7Q2";
/// Its secret.
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/leakcheckFAKEKEY0042";
/// A session token.
const SESSION: &str = "FwoGZXIvYXdzELeakCheckSessionToken0042xyz";
/// A bearer token (a JWT).
const BEARER: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFrY2hlY2sifQ.bGVha2NoZWNrLXNpZ25hdHVyZS0wMDQy";
/// The body of a PEM private key.
const PEM_BODY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCLeakCheckPemBody0042";
/// The environment's AWS access key id.
const ENV_KEY_ID: &str = "AKIAENVLEAKCHECK00Q9";
/// The environment's AWS secret.
const ENV_SECRET: &str = "EnvSecretLeakCheck/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// The environment's session token.
const ENV_SESSION: &str = "IQoJb3JpZ2luX2VjEnvLeakCheckSessionToken0042";
/// A password in a store URL.
const URL_PASSWORD: &str = "Pa55-leak-check-word";
/// A token in a store URL's query.
const URL_TOKEN: &str = "tok3n-leak-check-0042";

/// Secrets that exist only as events' values (allowed in the evidence itself).
fn event_secrets() -> Vec<(&'static str, String)> {
    vec![
        ("event AWS key id", KEY_ID.into()),
        ("event AWS secret", SECRET.into()),
        ("event session token", SESSION.into()),
        ("event bearer token", BEARER.into()),
        ("event PEM key", PEM_BODY.into()),
    ]
}

/// The input: events carrying credentials where real logs carry them.
fn input() -> String {
    let events = [
        serde_json::json!({
            "time": "2026-03-01T10:00:00Z", "user": "alice", "action": "sts.AssumeRole",
            "resource": "role/deploy", "status": 200, "request_id": "leak-1",
            "responseElements": {"credentials": {
                "accessKeyId": KEY_ID, "secretAccessKey": SECRET, "sessionToken": SESSION}}
        }),
        serde_json::json!({
            "time": "2026-03-01T10:00:01Z", "user": "bob", "action": "http.get",
            "resource": "/api/payments", "status": 200, "request_id": "leak-2",
            "request": {"headers": {"Authorization": format!("Bearer {BEARER}")}}
        }),
        serde_json::json!({
            "time": "2026-03-01T10:00:02Z", "user": "carol", "action": "job.retry",
            "resource": "jobs/sync", "status": 500, "request_id": "leak-3",
            "message": format!("retrying with key {KEY_ID} and secret={SECRET} token {BEARER}")
        }),
        serde_json::json!({
            "time": "2026-03-01T10:00:03Z", "user": "dave", "action": "secrets.create",
            "resource": "vault/tls", "status": 201, "request_id": "leak-4",
            "requestObject": {"data": {"tls.key": format!(
                "-----BEGIN PRIVATE KEY-----\n{PEM_BODY}\n-----END PRIVATE KEY-----\n")}}
        }),
    ];
    events.iter().map(|e| format!("{e}\n")).collect()
}

/// What was run and read, to be searched.
struct Seen {
    /// (what, text) of every output and file that must hold no secret at all.
    clean: Vec<(String, String)>,
    /// Of files holding evidence: (what, text) searched only for the non-event secrets.
    evidence: Vec<(String, String)>,
}

impl Seen {
    fn run(&mut self, run: &Run) {
        self.clean
            .push((format!("stdout of `{}`", run.cmd), run.stdout.clone()));
        self.clean
            .push((format!("stderr of `{}`", run.cmd), run.stderr.clone()));
    }

    /// Every file under `dir`; those under a `stores/` state directory or a store's
    /// `segments/` are evidence.
    fn files(&mut self, dir: &Path) {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("reading dir").flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text =
                    String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()).into_owned();
                let rel = p.display().to_string();
                let is_evidence = rel.contains("/stores/") || rel.contains("/segments/");
                if is_evidence {
                    self.evidence.push((rel, text));
                } else {
                    self.clean.push((rel, text));
                }
            }
        }
    }
}

/// Runs `trailscope ARGS` with `env` (AWS variables of the machine removed) and `home`.
fn ts(sb: &Sandbox, home: &Path, env: &[(String, String)], args: &[&str]) -> Run {
    let out = command(sb, env, args)
        .env("TRAILSCOPE_HOME", home)
        .output()
        .expect("running trailscope");
    Run {
        cmd: args.join(" "),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A server on a loopback port answering every request as S3 answers a request signed with a
/// wrong secret: 403 `SignatureDoesNotMatch`, quoting the access key id, the string to sign
/// (with the credential scope) and the canonical request (with the security token header).
fn aws_like_wrong_secret_server() -> String {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().expect("clone"));
                let mut out = conn;
                loop {
                    let mut head = Vec::new();
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line.trim().is_empty() {
                            break;
                        }
                        head.push(line.trim_end().to_string());
                    }
                    let header = |name: &str| {
                        head.iter()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
                            })
                            .unwrap_or_default()
                    };
                    let len: usize = header("content-length").parse().unwrap_or(0);
                    let mut body = vec![0; len];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let xml = format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message><AWSAccessKeyId>{ENV_KEY_ID}</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256 {}</StringToSign><SignatureProvided>{}</SignatureProvided><CanonicalRequest>{}\nx-amz-security-token:{}</CanonicalRequest><RequestId>LEAK0042</RequestId></Error>",
                        header("authorization"),
                        header("authorization"),
                        head.first().cloned().unwrap_or_default(),
                        header("x-amz-security-token"),
                    );
                    let msg = format!(
                        "HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{xml}",
                        xml.len()
                    );
                    if out.write_all(msg.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// Asserts no text in `seen` holds any of `secrets`, naming every place one does.
#[track_caller]
fn assert_none(texts: &[(String, String)], secrets: &[(&str, String)]) {
    let mut found = Vec::new();
    for (what, text) in texts {
        for (name, secret) in secrets {
            if text.contains(secret.as_str()) {
                found.push(format!("{name} in {what}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "credentials leaked:\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn no_credential_shows_in_any_output_file_or_error() {
    let sb = fast_sandbox();
    let home = sb.home();
    let mut seen = Seen {
        clean: Vec::new(),
        evidence: Vec::new(),
    };
    // Every command runs with credentials in its environment.
    let mut env: Vec<(String, String)> = vec![
        ("AWS_ACCESS_KEY_ID".into(), ENV_KEY_ID.into()),
        ("AWS_SECRET_ACCESS_KEY".into(), ENV_SECRET.into()),
        ("AWS_SESSION_TOKEN".into(), ENV_SESSION.into()),
    ];
    let mut run = |args: &[&str], env: &[(String, String)], want: Option<i32>| -> Run {
        let r = ts(&sb, &home, env, args);
        if let Some(code) = want {
            assert_eq!(r.code, code, "{r}");
        }
        seen.run(&r);
        r
    };

    run(&["keygen", "--name", "ops", "--out", "keys"], &env, Some(0));
    run(
        &["keygen", "--name", "other", "--out", "keys"],
        &env,
        Some(0),
    );
    let private = std::fs::read_to_string(sb.path("keys/ops.key")).expect("key");
    let private = private.trim().to_string();
    let key_b64 = private.rsplit('+').next().expect("base64").to_string();
    sb.write("in.ndjson", input());

    // A directory store, its happy paths.
    let seal = [
        "seal",
        "--store",
        "store",
        "--key",
        "keys/ops.key",
        "in.ndjson",
    ];
    run(&seal, &env, Some(0));
    run(&["verify", "store"], &env, Some(0));
    run(&["verify", "--json", "store"], &env, Some(0));
    run(&["pull", "store"], &env, Some(0));
    run(&["pull", "--json", "store"], &env, Some(0));
    run(&["search", "store", "*"], &env, Some(0));
    run(&["search", "store", "*", "--json"], &env, Some(0));
    run(&["search", "store", "action:sts.AssumeRole"], &env, Some(0));
    run(&["histogram", "store"], &env, Some(0));
    run(&["facets", "store", "actor"], &env, Some(0));
    for format in ["md", "json", "csv"] {
        run(
            &["export", "store", "-q", "*", "--format", format],
            &env,
            Some(0),
        );
        let out = format!("export.{format}");
        run(
            &["export", "store", "-q", "*", "--format", format, "-o", &out],
            &env,
            Some(0),
        );
    }
    run(
        &["prove", "export.json", "--pubkey", "keys/ops.pub"],
        &env,
        None,
    );
    run(&["journal"], &env, Some(0));
    run(&["journal", "--json"], &env, Some(0));
    run(&["bookmarks", "store"], &env, Some(0));

    // Its error paths.
    let mut perms = std::fs::metadata(sb.path("keys/ops.key"))
        .expect("key")
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
    std::fs::set_permissions(sb.path("keys/ops.key"), perms.clone()).expect("chmod");
    run(&seal, &env, Some(2));
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    std::fs::set_permissions(sb.path("keys/ops.key"), perms).expect("chmod");
    // A key file that is not a key but holds a credential.
    sb.write(
        "keys/bad.key",
        format!("PRIVATE+KEY+ops+0badc0de+{SECRET}\n"),
    );
    let mut p = std::fs::metadata(sb.path("keys/bad.key"))
        .expect("bad")
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut p, 0o600);
    std::fs::set_permissions(sb.path("keys/bad.key"), p).expect("chmod");
    run(
        &[
            "seal",
            "--store",
            "store",
            "--key",
            "keys/bad.key",
            "in.ndjson",
        ],
        &env,
        Some(2),
    );
    run(
        &[
            "seal",
            "--store",
            "store",
            "--key",
            "keys/other.key",
            "in.ndjson",
        ],
        &env,
        Some(2),
    );
    // The private key given where a public key goes.
    run(
        &["verify", "--pubkey", "keys/ops.key", "store"],
        &env,
        Some(2),
    );
    run(
        &["pull", "--pubkey", "keys/ops.key", "store"],
        &env,
        Some(2),
    );
    run(&["verify", "--pubkey", &private, "store"], &env, Some(2));

    // The directory served over HTTP with a password and a token in the URL.
    if let Some(server) = http_server(&sb.path("store")) {
        let url = format!(
            "http://investigator:{URL_PASSWORD}@127.0.0.1:{}/?token={URL_TOKEN}",
            server.port
        );
        run(&["verify", &url], &env, Some(0));
        run(&["pull", "--json", &url], &env, Some(0));
        run(&["search", &url, "*", "--json"], &env, Some(0));
        run(
            &["export", &url, "-q", "*", "--format", "json"],
            &env,
            Some(0),
        );
        let dead = format!(
            "http://investigator:{URL_PASSWORD}@127.0.0.1:{}/?token={URL_TOKEN}",
            crate::servers::free_port()
        );
        run(&["verify", &dead], &env, Some(2));
        run(&["pull", &dead], &env, Some(2));
    }
    run(
        &["verify", &format!("http://investigator:{URL_PASSWORD}@")],
        &env,
        Some(2),
    );
    run(
        &["verify", &format!("ftp://u:{URL_PASSWORD}@example.com/x")],
        &env,
        Some(2),
    );

    // S3: a real (moto) server with the environment's credentials, a missing bucket, an endpoint
    // answering like AWS to a wrong secret, credentials in the URL.
    if let Some(server) = s3_server("leaks") {
        let mut s3 = s3_env(&server);
        s3.retain(|(k, _)| !k.starts_with("AWS_ACCESS") && !k.starts_with("AWS_SECRET"));
        s3.extend(env.iter().cloned());
        let store = "s3://leaks/store";
        run(
            &[
                "seal",
                "--store",
                store,
                "--key",
                "keys/ops.key",
                "in.ndjson",
            ],
            &s3,
            Some(0),
        );
        run(&["verify", store], &s3, Some(0));
        run(&["pull", "--json", store], &s3, Some(0));
        run(&["search", store, "*", "--json"], &s3, Some(0));
        run(&["verify", "s3://no-such-bucket/x"], &s3, Some(2));
        run(
            &[
                "seal",
                "--store",
                "s3://no-such-bucket/x",
                "--key",
                "keys/ops.key",
                "in.ndjson",
            ],
            &s3,
            Some(2),
        );
    }
    let aws = aws_like_wrong_secret_server();
    env.extend([
        ("AWS_ENDPOINT_URL".to_string(), aws),
        ("AWS_ALLOW_HTTP".to_string(), "true".to_string()),
        ("AWS_REGION".to_string(), "us-east-1".to_string()),
    ]);
    let r = run(&["verify", "s3://leaks/store"], &env, Some(2));
    assert!(
        r.stderr.contains("SignatureDoesNotMatch"),
        "the fault shows\n{r}"
    );
    run(
        &[
            "seal",
            "--store",
            "s3://leaks/x",
            "--key",
            "keys/ops.key",
            "in.ndjson",
        ],
        &env,
        Some(2),
    );
    run(
        &["verify", &format!("s3://{ENV_KEY_ID}:{ENV_SECRET}@leaks/x")],
        &env,
        Some(2),
    );
    let mut unreachable = env.clone();
    unreachable.retain(|(k, _)| k != "AWS_ENDPOINT_URL");
    unreachable.push((
        "AWS_ENDPOINT_URL".into(),
        format!("http://127.0.0.1:{}", crate::servers::free_port()),
    ));
    run(&["verify", "s3://leaks/x"], &unreachable, Some(2));

    // Every file trailscope wrote.
    seen.files(&home);
    for f in ["export.md", "export.json", "export.csv"] {
        let text = std::fs::read_to_string(sb.path(f)).expect("export");
        seen.clean.push((f.to_string(), text));
    }
    seen.files(&sb.path("store"));
    assert!(
        seen.clean
            .iter()
            .any(|(w, _)| w.ends_with("journal.ndjson")),
        "the journal was searched"
    );

    let others: Vec<(&str, String)> = vec![
        ("environment AWS key id", ENV_KEY_ID.into()),
        ("environment AWS secret", ENV_SECRET.into()),
        ("environment session token", ENV_SESSION.into()),
        ("URL password", URL_PASSWORD.into()),
        ("URL token", URL_TOKEN.into()),
        ("private key", private.clone()),
        ("private key bytes", key_b64.clone()),
    ];
    let mut all = others.clone();
    all.extend(event_secrets());
    assert_none(&seen.clean, &all);
    // The events' own values are in the evidence; nothing else may be.
    assert_none(&seen.evidence, &others);
}
