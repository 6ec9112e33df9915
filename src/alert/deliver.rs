//! Delivering alerts: one JSON object per line on stdout, or on the stdin of a command
//! (`watch --exec CMD`: for notify-send, a webhook via curl, a pager tool).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::Alert;

/// Longest a `--exec` command may run for one alert before it is killed.
pub const EXEC_TIMEOUT: Duration = Duration::from_secs(30);

/// Where alerts go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sink {
    /// One JSON line each on stdout.
    Stdout,
    /// `sh -c CMD` per alert, the JSON line on its stdin.
    Exec(String),
}

/// The alert as one JSON line (newline included). Characters a terminal would act on are
/// `\u` escapes, so printing the line is safe; the JSON is unchanged in meaning.
pub fn json_line(alert: &Alert) -> String {
    let text = serde_json::to_string(alert).unwrap_or_else(|e| {
        // Serializing plain data cannot fail; keep the alert visible if it somehow does.
        format!(
            "{{\"kind\":\"error\",\"rule\":{:?},\"error\":{:?}}}",
            alert.rule,
            e.to_string()
        )
    });
    format!("{}\n", crate::text::json_safe(&text))
}

/// Delivers one alert. An error names the alert (rule, seq) and what went wrong, never the
/// command line (it may hold a webhook token).
pub fn deliver(alert: &Alert, sink: &Sink) -> Result<(), String> {
    let line = json_line(alert);
    let what = format!(
        "alert {} (seq {})",
        crate::text::sanitize(&alert.rule),
        alert.seq.map_or("-".into(), |s| s.to_string())
    );
    match sink {
        Sink::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(line.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| format!("{what}: writing to stdout: {e}"))
        }
        Sink::Exec(cmd) => run(cmd, &line).map_err(|e| format!("{what}: the --exec command {e}")),
    }
}

fn run(cmd: &str, input: &str) -> Result<(), String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::piped())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not start: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is fine (EPIPE is not a failure).
        let _ = stdin.write_all(input.as_bytes());
    }
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("failed ({status})")),
            Ok(None) if started.elapsed() > EXEC_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "did not finish within {} s and was killed",
                    EXEC_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("could not be waited for: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::AlertKind;

    fn alert() -> Alert {
        Alert {
            kind: AlertKind::Integrity,
            rule: "fork\u{1b}[2J".into(),
            description: "d".into(),
            store: "s".into(),
            seq: Some(4),
            pos: None,
            hash: None,
            event: None,
            count: None,
            threshold: None,
            window: None,
            file: None,
            raised_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn the_line_is_json_without_raw_escapes() {
        let line = json_line(&alert());
        assert!(line.ends_with('\n') && !line.contains('\u{1b}'), "{line:?}");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["rule"], "fork\u{1b}[2J");
        assert_eq!(v["seq"], 4);
        assert_eq!(v["kind"], "integrity");
    }

    #[test]
    fn exec_gets_the_json_and_a_failure_is_reported_without_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("got.json");
        let ok = Sink::Exec(format!("cat > '{}'", out.display()));
        deliver(&alert(), &ok).unwrap();
        let got: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(got["seq"], 4);
        let bad = Sink::Exec("exit 3 # token=s3cr3t".into());
        let e = deliver(&alert(), &bad).unwrap_err();
        assert!(e.contains("failed") && e.contains("seq 4"), "{e}");
        assert!(!e.contains("s3cr3t"), "{e}");
    }
}
