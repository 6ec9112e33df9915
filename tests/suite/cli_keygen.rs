//! `trailscope keygen`, end to end.

use std::fs;

use crate::common::Sandbox;

#[test]
fn keygen_writes_a_private_key_0600_and_prints_the_public_key() {
    let sb = Sandbox::new();
    let run = sb
        .ts(&["keygen", "--name", "audit.example.com", "--out", "keys"])
        .ok();

    let public = run.stdout.trim();
    let pub_file = fs::read_to_string(sb.path("keys/audit.example.com.pub")).unwrap();
    assert_eq!(
        pub_file,
        format!("{public}\n"),
        "NAME.pub holds exactly the printed key"
    );
    // Base64 may itself contain '+': split off the name and key id only.
    let parts: Vec<&str> = public.splitn(3, '+').collect();
    assert_eq!(
        parts.len(),
        3,
        "verifier key is NAME+KEYID+BASE64: {public}"
    );
    assert_eq!(parts[0], "audit.example.com");
    assert_eq!(parts[1].len(), 8);
    assert!(parts[1].bytes().all(|b| b.is_ascii_hexdigit()), "{public}");

    let key_path = sb.path("keys/audit.example.com.key");
    let private = fs::read_to_string(&key_path).unwrap();
    assert!(
        private.starts_with(&format!("PRIVATE+KEY+audit.example.com+{}+", parts[1])),
        "{private}"
    );
    assert!(
        !private.contains(parts[2]),
        "the private key file must not just be the public key"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&key_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "private key mode is {mode:o}");
    }
    assert!(
        !run.stdout.contains("PRIVATE"),
        "the private key is never printed"
    );
    assert!(run.stderr.contains("audit.example.com.key"), "{run}");
}

#[test]
fn keygen_refuses_to_overwrite_without_force() {
    let sb = Sandbox::new();
    let first = sb.keygen("ops");
    let key_before = fs::read(sb.path("keys/ops.key")).unwrap();

    sb.ts(&["keygen", "--name", "ops", "--out", "keys"])
        .code(2)
        .stderr_has("--force");
    assert_eq!(
        fs::read(sb.path("keys/ops.key")).unwrap(),
        key_before,
        "key untouched"
    );
    assert_eq!(
        fs::read_to_string(sb.path("keys/ops.pub")).unwrap().trim(),
        first
    );

    // Only the .pub left behind still blocks (it would pair with no key).
    fs::remove_file(sb.path("keys/ops.key")).unwrap();
    sb.ts(&["keygen", "--name", "ops", "--out", "keys"]).code(2);
    assert!(!sb.path("keys/ops.key").exists());

    let second = sb
        .ts(&["keygen", "--name", "ops", "--out", "keys", "--force"])
        .ok()
        .stdout
        .trim()
        .to_string();
    assert_ne!(second, first, "a new key pair was generated");
    assert_eq!(
        fs::read_to_string(sb.path("keys/ops.pub")).unwrap().trim(),
        second
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(sb.path("keys/ops.key"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn keygen_rejects_names_with_spaces_or_plus() {
    let sb = Sandbox::new();
    for name in ["audit example", "audit+example", ""] {
        sb.ts(&["keygen", "--name", name, "--out", "keys"])
            .code(2)
            .stderr_has("invalid key name");
    }
    assert!(
        crate::common::list_names(&sb.path("keys")).is_empty(),
        "no key files written"
    );
}

#[test]
fn keygen_keeps_key_files_inside_out_for_names_with_slashes() {
    let sb = Sandbox::new();
    let public = sb
        .ts(&[
            "keygen",
            "--name",
            "audit.example.com/prod",
            "--out",
            "keys",
        ])
        .ok()
        .stdout;
    assert!(
        public.starts_with("audit.example.com/prod+"),
        "the key name is kept: {public}"
    );
    assert_eq!(
        crate::common::list_names(&sb.path("keys")),
        ["audit.example.com_prod.key", "audit.example.com_prod.pub"]
    );

    sb.ts(&["keygen", "--name", "../escape", "--out", "keys"])
        .ok();
    assert!(
        !sb.path("escape.key").exists(),
        "nothing written outside --out"
    );
    assert!(sb.path("keys/.._escape.key").exists());

    // The key signs and verifies like any other.
    sb.ts(&[
        "seal",
        "--store",
        "s",
        "--key",
        "keys/audit.example.com_prod.key",
        &crate::common::fixture("k8s-audit.ndjson"),
    ])
    .ok();
    let report = sb.verify_json("s", 0);
    assert_eq!(report["signer"], public.trim());
    assert_eq!(
        report["checkpoint"]["signer"],
        crate::common::short_key(public.trim())
    );
}
