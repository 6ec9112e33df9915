//! Real servers for the remote-store and correlation tests: Python's static `http.server`, moto's
//! S3-compatible `moto_server` and Prometheus, each on a free loopback port and killed (by PID)
//! when dropped.
//!
//! A test asks for a server with [`http_server`], [`s3_server`] or [`prometheus_server`] and
//! returns early when it gets `None`: the program is missing, and the test printed that it
//! skipped. With `TRAILSCOPE_REQUIRE_SERVERS=1` (CI) a missing program fails the test instead,
//! saying what to install.
//!
//! Include it beside `common` with `#[path = "servers/mod.rs"] mod servers;`.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{BIN, Run, Sandbox};

/// Environment variable that turns a missing server program from a skip into a failure.
pub const REQUIRE_VAR: &str = "TRAILSCOPE_REQUIRE_SERVERS";

/// How long a server may take to start answering (moto imports a lot of Python).
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Fake AWS credentials, distinctive enough to be searched for in every output.
pub const ACCESS_KEY_ID: &str = "AKIATESTSECRETID0001";
/// See [`ACCESS_KEY_ID`].
pub const SECRET_ACCESS_KEY: &str = "sEcReT-do-not-print-0123456789";

/// A server process, killed when dropped.
pub struct Server {
    child: Option<Child>,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// The server's own output (for failure messages).
    log: tempfile::NamedTempFile,
    name: &'static str,
}

impl Server {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills the server now (to test what clients do when it is gone).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A free TCP port on 127.0.0.1 (bound, then released for the server to take).
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("binding 127.0.0.1:0")
        .port()
}

/// Skips (prints why, returns `None`) or fails (with `REQUIRE_VAR=1`) for a missing program.
fn missing(program: &str, install: &str) -> Option<Server> {
    let required = std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1");
    assert!(
        !required,
        "{program} is not installed but {REQUIRE_VAR}=1 requires the server tests: {install}"
    );
    // Straight to the stream, not `eprintln!`: the test harness would swallow that for a test
    // that passes, and a skip must be visible in the log.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {program} is not installed ({install}; set {REQUIRE_VAR}=1 to make this a failure)"
    );
    None
}

/// `program` when it is on PATH, else the copy `scripts/install-test-servers` put in its
/// virtualenv (`${XDG_CACHE_HOME:-~/.cache}/trailscope/venv/bin`), else `program` (not found).
fn locate(program: &str) -> std::path::PathBuf {
    let on_path = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()));
    if !on_path {
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")));
        if let Some(venv_bin) = cache.map(|c| c.join("trailscope/venv/bin").join(program)) {
            if venv_bin.is_file() {
                return venv_bin;
            }
        }
    }
    std::path::PathBuf::from(program)
}

/// Starts `program ARGS…` (its arguments made by `args(port)`) and waits until it accepts
/// connections; tries a few ports in case another process grabbed the free one first.
fn start(
    name: &'static str,
    program: &str,
    install: &str,
    args: impl Fn(u16) -> Vec<String>,
) -> Option<Server> {
    for _attempt in 0..3 {
        let port = free_port();
        let log = tempfile::NamedTempFile::new().expect("server log file");
        let spawned = Command::new(locate(program))
            .args(args(port))
            .stdin(Stdio::null())
            .stdout(log.reopen().expect("log"))
            .stderr(log.reopen().expect("log"))
            .spawn();
        let child = match spawned {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return missing(program, install);
            }
            Err(e) => panic!("starting {program}: {e}"),
        };
        let mut server = Server {
            child: Some(child),
            port,
            log,
            name,
        };
        let started = Instant::now();
        loop {
            let child = server.child.as_mut().expect("running");
            if let Some(status) = child.try_wait().expect("polling the server") {
                let log = server.log();
                if log.contains("No module named") {
                    return missing(program, install);
                }
                if log.to_lowercase().contains("address already in use") {
                    break; // try another port
                }
                panic!("{name} exited early ({status}):\n{log}");
            }
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return Some(server);
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "{name} did not answer on port {port} within {START_TIMEOUT:?}:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("{name}: no free port after 3 attempts");
}

/// `python3 -m http.server` serving `dir` (read-only, no listing used).
pub fn http_server(dir: &Path) -> Option<Server> {
    let dir = dir.to_str().expect("UTF-8 path").to_string();
    start(
        "python3 -m http.server",
        "python3",
        "install Python 3",
        move |port| {
            [
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                "--directory",
                &dir,
                &port.to_string(),
            ]
            .map(String::from)
            .to_vec()
        },
    )
}

/// `moto_server` (an S3-compatible server from PyPI `moto[server]`) with bucket `bucket` made.
pub fn s3_server(bucket: &str) -> Option<Server> {
    let server = start(
        "moto_server",
        "moto_server",
        "scripts/install-test-servers (or pip install 'moto[server]')",
        |port| {
            ["-H", "127.0.0.1", "-p", &port.to_string()]
                .map(String::from)
                .to_vec()
        },
    )?;
    create_bucket(&server, bucket);
    Some(server)
}

/// How far back Prometheus looks for a sample when evaluating at an instant: just under the 15 s
/// spacing of the tests' samples. An evaluation at a sample's time, or anywhere before the next
/// one, sees that sample; one 15 s or more after the last sample sees none, so a hole in the data
/// is a hole in the answer (Prometheus' default, 5 minutes, would repeat the last value for 5
/// minutes into it).
pub const PROMETHEUS_LOOKBACK: &str = "14999ms";

/// A real `prometheus` (Debian's package) on a free port, serving the samples of `openmetrics`
/// (OpenMetrics text with timestamps in seconds, ending `# EOF`): `promtool tsdb
/// create-blocks-from openmetrics` writes them as TSDB blocks into `data_dir`, then Prometheus
/// starts on that directory with no scrape targets, 100 years of retention and
/// [`PROMETHEUS_LOOKBACK`], and is returned once `/-/ready` answers 200 (it loads the blocks
/// first). `None` (skipped) when `prometheus` or `promtool` is missing, a failure under
/// `TRAILSCOPE_REQUIRE_SERVERS=1`; promtool's complaints fail the test.
pub fn prometheus_server(data_dir: &Path, openmetrics: &str) -> Option<Server> {
    const INSTALL: &str = "run scripts/install-test-servers (Debian package prometheus)";
    let mut input = tempfile::NamedTempFile::new().expect("OpenMetrics temp file");
    input
        .write_all(openmetrics.as_bytes())
        .expect("writing the OpenMetrics file");
    let import = Command::new(locate("promtool"))
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(input.path())
        .arg(data_dir)
        .stdin(Stdio::null())
        .output();
    match import {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return missing("promtool", INSTALL),
        Err(e) => panic!("starting promtool: {e}"),
        Ok(out) => assert!(
            out.status.success(),
            "promtool tsdb create-blocks-from openmetrics failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
    // Read once at start-up; the file may go once the server is ready.
    let mut config = tempfile::NamedTempFile::new().expect("prometheus.yml temp file");
    config
        .write_all(b"global:\n  scrape_interval: 1h\nscrape_configs: []\n")
        .expect("writing prometheus.yml");
    let (config_path, data) = (config.path().to_owned(), data_dir.to_owned());
    let server = start("prometheus", "prometheus", INSTALL, move |port| {
        vec![
            format!("--config.file={}", config_path.display()),
            format!("--storage.tsdb.path={}", data.display()),
            format!("--web.listen-address=127.0.0.1:{port}"),
            "--storage.tsdb.retention.time=100y".to_string(),
            format!("--query.lookback-delta={PROMETHEUS_LOOKBACK}"),
        ]
    })?;
    let started = Instant::now();
    loop {
        let status = http_request(server.port, "GET", "/-/ready");
        if status.split_whitespace().nth(1) == Some("200") {
            return Some(server);
        }
        assert!(
            started.elapsed() < START_TIMEOUT,
            "prometheus was not ready within {START_TIMEOUT:?} (last answer {status:?}):\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Creates `bucket` with an unsigned `PUT /bucket` (moto accepts it).
fn create_bucket(server: &Server, bucket: &str) {
    let status = http_request(server.port, "PUT", &format!("/{bucket}"));
    assert!(
        status.starts_with("HTTP/1.1 200") || status.starts_with("HTTP/1.0 200"),
        "creating bucket {bucket} on {}: {status}\n{}",
        server.name,
        server.log()
    );
}

/// Sends a bodiless request, returns the status line.
fn http_request(port: u16, method: &str, path: &str) -> String {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connecting");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("sending request");
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.lines().next().unwrap_or("").to_string()
}

/// Environment for a `trailscope` talking to the S3 server at `server`: fake credentials, the
/// endpoint, plain HTTP allowed.
pub fn s3_env(server: &Server) -> Vec<(String, String)> {
    [
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID.to_string()),
        ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY.to_string()),
        ("AWS_ENDPOINT_URL", server.url()),
        ("AWS_ALLOW_HTTP", "true".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v))
    .to_vec()
}

/// A `trailscope` command in the sandbox with its home, no AWS settings inherited from the
/// machine, and `env` added.
pub fn command(sb: &Sandbox, env: &[(String, String)], args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(sb.dir.path())
        .env("TRAILSCOPE_HOME", sb.home())
        .stdin(Stdio::null());
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(&k);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (OsStr::new(k), OsStr::new(v))));
    cmd
}

/// Runs `trailscope ARGS` with `env` (see [`command`]) and asserts no credential is printed.
pub fn ts_env(sb: &Sandbox, env: &[(String, String)], args: &[&str]) -> Run {
    let out = command(sb, env, args)
        .output()
        .expect("running the trailscope binary");
    let run = Run {
        cmd: args.join(" "),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_no_secrets(&run, &[ACCESS_KEY_ID, SECRET_ACCESS_KEY]);
    run
}

/// Asserts that none of `secrets` appears in the run's output.
#[track_caller]
pub fn assert_no_secrets(run: &Run, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !run.stdout.contains(s) && !run.stderr.contains(s),
            "the output shows the secret {s:?}\n{run}"
        );
    }
}

/// A file whose content is appended to by the test (for `seal --follow`).
pub fn append(path: &Path, bytes: &[u8]) {
    let mut f = File::options().append(true).open(path).expect("opening");
    f.write_all(bytes).expect("appending");
}
