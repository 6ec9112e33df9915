//! Runs the coreutils + OpenSSL walkthrough from docs/FORMAT.md, exactly as written there,
//! against a store the writer produced, and checks that it catches tampering.

use std::path::Path;
use std::process::{Command, Output};

fn walkthrough_script() -> String {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md")).unwrap();
    let start = doc
        .find("<!-- walkthrough:begin -->")
        .expect("begin marker");
    let end = doc.find("<!-- walkthrough:end -->").expect("end marker");
    let block = &doc[start..end];
    let body_start = block.find("```sh\n").expect("sh fence") + 6;
    let body_end = block.rfind("```").expect("closing fence");
    block[body_start..body_end].to_string()
}

fn merkle_snippet() -> String {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md")).unwrap();
    let start = doc
        .find("tail -n +2 \"$seg\" | python3")
        .expect("python snippet");
    let end = start + doc[start..].find("\n```").unwrap();
    doc[start..end].to_string()
}

fn ts(home: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trailscope"));
    c.args(args).env("TRAILSCOPE_HOME", home);
    if let Some(input) = stdin {
        use std::io::Write;
        c.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        return child.wait_with_output().unwrap();
    }
    c.output().unwrap()
}

fn run_script(script: &str, store: &Path, n: u64, key: Option<&Path>) -> Output {
    let mut c = Command::new("bash");
    c.arg("-c")
        .arg(script)
        .env("S", store)
        .env("N", n.to_string());
    if let Some(k) = key {
        c.env("KEY", k);
    }
    c.output().unwrap()
}

fn text_find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("needle present")
}

fn events(from: u32, n: u32) -> String {
    (from..from + n)
        .map(|i| format!("{{\"time\":\"2026-11-25T10:{:02}:{:02}Z\",\"user\":\"u{}\",\"action\":\"get\",\"resource\":\"r/{i}\"}}\n", i / 60, i % 60, i % 4))
        .collect()
}

#[test]
fn format_walkthrough_verifies_a_real_store_and_catches_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let store = dir.path().join("store");
    let keys = dir.path().join("keys");
    let s = store.to_str().unwrap();
    assert!(
        ts(
            &home,
            &[
                "keygen",
                "--name",
                "walk.example",
                "--out",
                keys.to_str().unwrap()
            ],
            None
        )
        .status
        .success()
    );
    let key = keys.join("walk.example.key");
    let pubkey = keys.join("walk.example.pub");
    for batch in 0..2 {
        let out = ts(
            &home,
            &[
                "seal",
                "--store",
                s,
                "--key",
                key.to_str().unwrap(),
                "--segment-events",
                "7",
            ],
            Some(&events(batch * 20, 20)),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let script = walkthrough_script();
    for n in 1..6 {
        let out = run_script(&script, &store, n, Some(&pubkey));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "N={n}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("segment {n}: body hash")),
            "{stdout}"
        );
        assert!(
            stdout.contains("Signature Verified Successfully"),
            "{stdout}"
        );
    }

    // The Python Merkle snippet reproduces events_root.
    if Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let seg = store.join("segments/00000000000000000003.seg");
        let out = Command::new("bash")
            .arg("-c")
            .arg(merkle_snippet())
            .env("seg", &seg)
            .output()
            .unwrap();
        let root = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let header = std::fs::read_to_string(&seg).unwrap();
        assert!(
            header
                .lines()
                .next()
                .unwrap()
                .contains(&format!("\"events_root\":\"{root}\"")),
            "python root {root}"
        );
    }

    // Tampered body: step 1 fails.
    let seg2 = store.join("segments/00000000000000000002.seg");
    let original = std::fs::read(&seg2).unwrap();
    let mut altered = original.clone();
    let last = altered.len() - 3;
    altered[last] ^= 0x01;
    std::fs::write(&seg2, &altered).unwrap();
    let out = run_script(&script, &store, 2, Some(&pubkey));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("segment 2: body modified"));
    std::fs::write(&seg2, &original).unwrap();

    // Tampered header of segment 2: the link from segment 3 breaks.
    let mut altered = original.clone();
    let at = text_find(&original, b"\"events\":") + 9;
    altered[at] = if altered[at] == b'9' {
        b'1'
    } else {
        altered[at] + 1
    };
    std::fs::write(&seg2, &altered).unwrap();
    let out = run_script(&script, &store, 3, Some(&pubkey));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("segment 3: chain break"));
    std::fs::write(&seg2, &original).unwrap();

    // Forged checkpoint signature: OpenSSL refuses it.
    let latest = store.join("checkpoints/latest.note");
    let note = std::fs::read_to_string(&latest).unwrap();
    let time_line = note.lines().nth(4).unwrap().to_string();
    let forged = note.replacen(&time_line, "2030-01-01T00:00:00Z", 1);
    assert_ne!(forged, note);
    std::fs::write(&latest, forged).unwrap();
    let out = run_script(&script, &store, 1, Some(&pubkey));
    assert!(
        !out.status.success(),
        "forged checkpoint time must not verify"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Signature Verified Successfully"));
}
