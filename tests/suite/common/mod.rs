//! Shared helpers for the end-to-end CLI tests: run the real `trailscope` binary inside a
//! throw-away directory whose `TRAILSCOPE_HOME` is private, and read what it wrote.
//!
//! Every helper panics with the command's full output on a surprise, so a failing test says what
//! the binary printed.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Path of the binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_trailscope");

/// Runs `trailscope ARGS` with `TRAILSCOPE_HOME=home` in directory `dir` (stdin empty).
pub fn ts<I, S>(dir: &Path, home: &Path, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("TRAILSCOPE_HOME", home)
        .stdin(Stdio::null())
        .output()
        .expect("running the trailscope binary")
}

/// The result of one run, with the output decoded for assertions.
pub struct Run {
    /// The command line, for messages.
    pub cmd: String,
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "$ trailscope {}\n(exit {})\n--- stdout ---\n{}--- stderr ---\n{}",
            self.cmd, self.code, self.stdout, self.stderr
        )
    }
}

impl Run {
    fn from_output(cmd: String, out: Output) -> Run {
        Run {
            cmd,
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts the exit code.
    #[track_caller]
    pub fn code(self, want: i32) -> Run {
        assert_eq!(self.code, want, "unexpected exit code\n{self}");
        self
    }

    /// Asserts exit code 0.
    #[track_caller]
    pub fn ok(self) -> Run {
        self.code(0)
    }

    /// Asserts that standard error contains `needle`.
    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Run {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n{self}"
        );
        self
    }

    /// Asserts that standard output contains `needle`.
    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Run {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}\n{self}"
        );
        self
    }

    /// Standard output parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{self}"))
    }

    /// The stdout line starting with `label` (e.g. `head:`), trimmed of the label.
    #[track_caller]
    pub fn field(&self, label: &str) -> String {
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix(label))
            .map(|rest| rest.trim().to_string())
            .unwrap_or_else(|| panic!("no line starting with {label:?}\n{self}"))
    }
}

/// A private working directory (the child's current directory) with its own trailscope home.
pub struct Sandbox {
    /// Removed when dropped.
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    /// A fresh sandbox.
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir(dir.path().join("home")).expect("creating home");
        Sandbox { dir }
    }

    /// `rel` inside the sandbox.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The trailscope home of this sandbox.
    pub fn home(&self) -> PathBuf {
        self.path("home")
    }

    /// Runs `trailscope ARGS` in the sandbox (relative paths resolve inside it) with its home.
    pub fn ts(&self, args: &[&str]) -> Run {
        self.ts_with_home(&self.home(), args)
    }

    /// `trailscope seal --store store --key keys/ops.key ARGS` (the key made by `keygen("ops")`).
    pub fn seal_signed(&self, args: &[&str]) -> Run {
        let mut all = vec!["seal", "--store", "store", "--key", "keys/ops.key"];
        all.extend_from_slice(args);
        self.ts(&all)
    }

    /// Like [`Sandbox::ts`] but with another trailscope home (a second machine, so to speak).
    pub fn ts_with_home(&self, home: &Path, args: &[&str]) -> Run {
        Run::from_output(args.join(" "), ts(self.dir.path(), home, args))
    }

    /// Runs `trailscope ARGS` with `stdin` fed to it.
    pub fn ts_stdin(&self, args: &[&str], stdin: &[u8]) -> Run {
        use std::io::Write;
        let mut child = Command::new(BIN)
            .args(args)
            .current_dir(self.dir.path())
            .env("TRAILSCOPE_HOME", self.home())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning the trailscope binary");
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(stdin)
            .expect("writing stdin");
        let out = child.wait_with_output().expect("waiting for trailscope");
        Run::from_output(args.join(" "), out)
    }

    /// `trailscope keygen --name NAME --out keys`; returns the public key line.
    pub fn keygen(&self, name: &str) -> String {
        let run = self.ts(&["keygen", "--name", name, "--out", "keys"]).ok();
        run.stdout.trim().to_string()
    }

    /// Writes `bytes` to `rel` in the sandbox (creating parent directories).
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).expect("creating parent");
        }
        fs::write(&p, bytes).expect("writing sandbox file");
        p
    }

    /// `trailscope verify --json STORE`, asserting the exit code; returns the report.
    #[track_caller]
    pub fn verify_json(&self, store: &str, code: i32) -> Value {
        self.ts(&["verify", "--json", store]).code(code).json()
    }

    /// Segment files of a store, in seq order.
    pub fn segments(&self, store: &str) -> Vec<Segment> {
        segments(&self.path(store))
    }

    /// Names of the files under `store/checkpoints`, sorted.
    pub fn checkpoint_files(&self, store: &str) -> Vec<String> {
        list_names(&self.path(store).join("checkpoints"))
    }
}

/// Absolute path (as a string) of `tests/fixtures/inputs/NAME`.
pub fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inputs")
        .join(name);
    assert!(p.is_file(), "missing fixture {}", p.display());
    p.to_str().expect("UTF-8 path").to_string()
}

/// The bytes of a fixture.
pub fn fixture_bytes(name: &str) -> Vec<u8> {
    fs::read(fixture(name)).expect("reading fixture")
}

/// The lines of a fixture (without LF), as bytes.
pub fn fixture_lines(name: &str) -> Vec<Vec<u8>> {
    lines(&fixture_bytes(name))
}

/// Splits LF-terminated lines (the last LF optional), keeping every other byte.
pub fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    let b = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if b.is_empty() {
        return Vec::new();
    }
    b.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect()
}

/// Sorted file names in `dir` (empty when it does not exist).
pub fn list_names(dir: &Path) -> Vec<String> {
    let Ok(rd) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<String> = rd
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    v.sort();
    v
}

/// One segment file split into its parts.
#[derive(Clone, Debug)]
pub struct Segment {
    /// Its path.
    pub path: PathBuf,
    /// The header line exactly as stored (no LF).
    pub header_line: Vec<u8>,
    /// The header parsed.
    pub header: Value,
    /// The body's event lines exactly as stored (no LF).
    pub body: Vec<Vec<u8>>,
}

impl Segment {
    /// Reads and splits a segment file.
    pub fn read(path: &Path) -> Segment {
        let bytes = fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let nl = bytes
            .iter()
            .position(|&b| b == b'\n')
            .expect("segment has a header line");
        let header_line = bytes[..nl].to_vec();
        let header: Value = serde_json::from_slice(&header_line).expect("header is JSON");
        let body_bytes = &bytes[nl + 1..];
        assert!(
            body_bytes.ends_with(b"\n"),
            "body of {} ends with LF",
            path.display()
        );
        Segment {
            path: path.to_path_buf(),
            header_line,
            header,
            body: lines(body_bytes),
        }
    }

    /// The header's `seq`.
    pub fn seq(&self) -> u64 {
        self.header["seq"].as_u64().expect("seq")
    }

    /// The header's `events`.
    pub fn events(&self) -> u64 {
        self.header["events"].as_u64().expect("events")
    }

    /// The header's `prev`.
    pub fn prev(&self) -> String {
        self.header["prev"].as_str().expect("prev").to_string()
    }

    /// SHA-256 (hex) of the header line: the chain hash the next segment's `prev` must name.
    pub fn chain_hash(&self) -> String {
        sha256_hex(&self.header_line)
    }
}

/// The segments of the store at `store`, in file-name order.
pub fn segments(store: &Path) -> Vec<Segment> {
    let dir = store.join("segments");
    list_names(&dir)
        .into_iter()
        .filter(|n| n.ends_with(".seg"))
        .map(|n| Segment::read(&dir.join(n)))
        .collect()
}

/// All event lines of a store, in seq order.
pub fn all_body_lines(store: &Path) -> Vec<Vec<u8>> {
    segments(store).into_iter().flat_map(|s| s.body).collect()
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `kind`s of a verify report's problems, in report order.
pub fn problem_kinds(report: &Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .expect("problems array")
        .iter()
        .map(|p| p["kind"].as_str().expect("kind").to_string())
        .collect()
}

/// The first problem of `kind` in a verify report.
#[track_caller]
pub fn problem<'r>(report: &'r Value, kind: &str) -> &'r Value {
    report["problems"]
        .as_array()
        .expect("problems array")
        .iter()
        .find(|p| p["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} problem in {report:#}"))
}

/// `NAME+KEYID` of a verifier key string.
pub fn short_key(public: &str) -> String {
    public.splitn(3, '+').take(2).collect::<Vec<_>>().join("+")
}

/// Compacts JSON text the way a reader should: whitespace outside strings removed.
pub fn compact(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("serialising")
}
