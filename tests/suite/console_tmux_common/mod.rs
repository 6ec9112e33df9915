//! The console in a real terminal: `trailscope` runs in a tmux pane of a private tmux server
//! (its own socket, its own config file, killed when the test ends), keys go in with
//! `send-keys` and the screen comes back with `capture-pane`.
//!
//! Every wait polls the screen with a deadline and also waits for it to settle (the console
//! answers keys asynchronously), so tests never sleep a fixed time; a timeout panics with the
//! last screen. Without tmux the tests skip, unless `TRAILSCOPE_REQUIRE_SERVERS=1` (CI), which
//! makes a missing tmux a failure — the convention of `tests/servers/mod.rs`.
//!
//! Include it with `mod console_tmux_common;`.

// Each test uses a different subset of these helpers.
#![allow(dead_code)]

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Path of the binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_trailscope");

/// Environment variable that turns a missing tmux from a skip into a failure.
pub const REQUIRE_VAR: &str = "TRAILSCOPE_REQUIRE_SERVERS";

/// Pane size every test runs in.
pub const WIDTH: usize = 120;
/// See [`WIDTH`].
pub const HEIGHT: usize = 40;

/// How long the background pull of a fresh store may take (a loaded 2-core CI box).
pub const PULL_TIMEOUT: Duration = Duration::from_secs(20);
/// How long the console may take to react to a key.
pub const KEY_TIMEOUT: Duration = Duration::from_secs(10);
/// Time between two looks at the screen.
const POLL: Duration = Duration::from_millis(100);
/// A screen that has not changed for this long is taken as settled.
const SETTLED: Duration = Duration::from_millis(250);

/// The tmux config of every test server: no status bar (the pane gets all 40 rows), a known
/// shell, dead panes kept for inspection, and OSC 52 accepted from applications (so a clipboard
/// write smuggled through an event would land in a tmux buffer, where a test can see it).
const TMUX_CONF: &str = "\
set -g status off
set -g default-shell /bin/sh
set -g remain-on-exit on
set -g set-clipboard on
set -g history-limit 2000
";

/// Whether tmux can run here. Without it: skips (prints why, returns false), or fails with
/// `REQUIRE_VAR=1`.
pub fn have_tmux() -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return true;
    }
    let required = std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1");
    assert!(
        !required,
        "tmux is not installed but {REQUIRE_VAR}=1 requires the console tests: \
         apt-get install tmux (or your platform's package)"
    );
    // Straight to the stream: the harness swallows `eprintln!` of a passing test.
    let _ = writeln!(
        std::io::stderr(),
        "skipping: tmux not installed (set {REQUIRE_VAR}=1 to make this a failure)"
    );
    false
}

/// `s` quoted for `/bin/sh`.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A throw-away directory with a private trailscope home and an empty config home (so no user
/// config file is read).
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A new sandbox.
    pub fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("ts-tmux-")
            .tempdir()
            .expect("temp dir");
        for sub in ["home", "config"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("sandbox dirs");
        }
        Sandbox { dir }
    }

    /// `rel` inside the sandbox.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `rel` inside the sandbox as a string (the binary takes stores as strings).
    pub fn path_str(&self, rel: &str) -> String {
        self.path(rel)
            .to_str()
            .expect("UTF-8 temp path")
            .to_string()
    }

    /// The trailscope home.
    pub fn home(&self) -> PathBuf {
        self.path("home")
    }

    /// The (empty) `XDG_CONFIG_HOME`.
    pub fn config_home(&self) -> PathBuf {
        self.path("config")
    }

    /// Runs `trailscope ARGS` headless (stdin empty, output captured) with the sandbox's
    /// environment; panics with the output unless it exits with `code`.
    #[track_caller]
    pub fn ts(&self, args: &[&str], code: i32) -> Output {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("TRAILSCOPE_CONFIG")
            .env("TRAILSCOPE_HOME", self.home())
            .env("XDG_CONFIG_HOME", self.config_home())
            .stdin(Stdio::null())
            .output()
            .expect("running trailscope");
        assert_eq!(
            out.status.code(),
            Some(code),
            "$ trailscope {}\n--- stdout ---\n{}--- stderr ---\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// `trailscope search STORE QUERY --json` with no practical limit: one JSON value per hit.
    #[track_caller]
    pub fn search(&self, store: &str, query: &str, extra: &[&str]) -> Vec<serde_json::Value> {
        let mut args = vec!["search", store, query, "--json", "--limit", "1000000"];
        args.extend_from_slice(extra);
        let out = self.ts(&args, 0);
        String::from_utf8(out.stdout)
            .expect("UTF-8 JSON lines")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON hit"))
            .collect()
    }

    /// `env … BIN ARGS` for a shell command line: the sandbox's home and config home, no
    /// `TRAILSCOPE_CONFIG` from the caller. (`env` execs the binary, so `exec` before it keeps
    /// the pane's pid.)
    pub fn console_cmd(&self, args: &[&str]) -> String {
        let mut cmd = format!(
            "env -u TRAILSCOPE_CONFIG TRAILSCOPE_HOME={} XDG_CONFIG_HOME={} {}",
            sh_quote(self.home().to_str().expect("UTF-8 path")),
            sh_quote(self.config_home().to_str().expect("UTF-8 path")),
            sh_quote(BIN)
        );
        for a in args {
            cmd.push(' ');
            cmd.push_str(&sh_quote(a));
        }
        cmd
    }

    /// [`Sandbox::console_cmd`] with the variables `vars` set for the binary as well (e.g.
    /// `TRAILSCOPE_CONFIG`, which `console_cmd` clears).
    pub fn console_cmd_env(&self, vars: &[(&str, &str)], args: &[&str]) -> String {
        let plain = self.console_cmd(args);
        let bin = sh_quote(BIN);
        let at = plain.find(&bin).expect("the binary in the command line");
        let set: String = vars
            .iter()
            .map(|(k, v)| format!("{k}={} ", sh_quote(v)))
            .collect();
        format!("{}{set}{}", &plain[..at], &plain[at..])
    }
}

/// One look at the pane.
#[derive(Clone, PartialEq, Eq)]
pub struct Screen {
    /// The pane's rows, trailing spaces trimmed by tmux.
    pub lines: Vec<String>,
}

impl fmt::Display for Screen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "┌{}┐", "─".repeat(WIDTH))?;
        for l in &self.lines {
            writeln!(f, "│{l}")?;
        }
        write!(f, "└{}┘", "─".repeat(WIDTH))
    }
}

impl fmt::Debug for Screen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A row of the event table, cut at the header's column starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// `HH:MM:SS.mmm`.
    pub time: String,
    /// The actor column (possibly cut with `…`).
    pub actor: String,
    /// The outcome column.
    pub outcome: String,
    /// The action column.
    pub action: String,
    /// The resource column.
    pub resource: String,
}

impl Screen {
    /// All rows joined by newlines.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// Whether `s` occurs anywhere on screen.
    pub fn has(&self, s: &str) -> bool {
        self.lines.iter().any(|l| l.contains(s))
    }

    /// Row `i` (empty past the end).
    pub fn line(&self, i: usize) -> &str {
        self.lines.get(i).map_or("", String::as_str)
    }

    /// The bottom row (prompt, message or key hints).
    pub fn footer(&self) -> &str {
        self.lines.last().map_or("", String::as_str)
    }

    /// The screen with every run of spaces squeezed to one (column layout aside).
    pub fn squeezed(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The event table's visible rows (rows hidden under an overlay are left out), or None
    /// when no table header is on screen.
    pub fn table(&self) -> Option<Vec<Row>> {
        let h = self
            .lines
            .iter()
            .position(|l| l.contains("time (UTC)") && l.contains("outcome"))?;
        let header: Vec<char> = self.lines[h].chars().collect();
        let col = |name: &str| -> usize {
            let at = self.lines[h].find(name).expect("column in header");
            self.lines[h][..at].chars().count()
        };
        let (actor, outcome, action, resource, ip) = (
            col("actor"),
            col("outcome"),
            col("action"),
            col("resource"),
            col("source ip"),
        );
        assert!(actor < outcome && outcome < action && action < resource && resource < ip);
        assert!(header.len() <= WIDTH);
        let cut = |c: &[char], a: usize, b: usize| -> String {
            c.iter()
                .skip(a)
                .take(b.saturating_sub(a))
                .collect::<String>()
                .trim()
                .to_string()
        };
        let rows = self.lines[h + 1..]
            .iter()
            .map(|l| l.chars().collect::<Vec<char>>())
            .filter(|c| c.len() > 14 && is_time(&c[2..14]))
            .map(|c| Row {
                time: c[2..14].iter().collect(),
                actor: cut(&c, actor, outcome),
                outcome: cut(&c, outcome, action),
                action: cut(&c, action, resource),
                resource: cut(&c, resource, ip),
            })
            .collect();
        Some(rows)
    }

    /// The inside of the overlay box whose top border starts `┌ TITLE`: one string per row,
    /// cut at the box's side borders (whatever is drawn beside the box left out).
    pub fn boxed(&self, title: &str) -> Option<Vec<String>> {
        let top = self
            .lines
            .iter()
            .position(|l| l.contains(&format!("┌ {title}")))?;
        let chars: Vec<char> = self.lines[top].chars().collect();
        let left = chars.iter().position(|&c| c == '┌')?;
        let right = chars.iter().rposition(|&c| c == '┐')?;
        let rows = self.lines[top + 1..]
            .iter()
            .map(|l| l.chars().collect::<Vec<char>>())
            .take_while(|c| c.get(left) == Some(&'│'))
            .map(|c| c.iter().take(right).skip(left + 1).collect())
            .collect();
        Some(rows)
    }

    /// How many rows the table has room for (between its header and the footer).
    #[track_caller]
    pub fn table_capacity(&self) -> usize {
        let h = self
            .lines
            .iter()
            .position(|l| l.contains("time (UTC)") && l.contains("outcome"))
            .unwrap_or_else(|| panic!("no event table on screen:\n{self}"));
        HEIGHT - 1 - (h + 1)
    }

    /// [`Screen::table`], failing when there is no table.
    #[track_caller]
    pub fn rows(&self) -> Vec<Row> {
        self.table()
            .unwrap_or_else(|| panic!("no event table on screen:\n{self}"))
    }
}

/// `HH:MM:SS.mmm`.
fn is_time(c: &[char]) -> bool {
    c.len() == 12
        && c.iter().enumerate().all(|(i, ch)| match i {
            2 | 5 => *ch == ':',
            8 => *ch == '.',
            _ => ch.is_ascii_digit(),
        })
}

/// The number right before `suffix` in `line` (`"1516 events"` → 1516).
pub fn number_before(line: &str, suffix: &str) -> Option<u64> {
    let at = line.find(suffix)?;
    let digits: String = line[..at]
        .trim_end()
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

/// A private tmux server running one session (`t`), killed when dropped.
pub struct Tmux {
    socket: String,
    /// The socket file (tmux 3.3 leaves it behind after `kill-server`).
    socket_path: Option<PathBuf>,
    /// The config file (kept alive with the server).
    _conf: tempfile::NamedTempFile,
}

impl Tmux {
    /// Starts a server and a `WIDTH`×`HEIGHT` session running `shell_command` (by `/bin/sh`).
    pub fn start(shell_command: &str) -> Tmux {
        static SERVERS: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let socket = format!(
            "trailscope-test-{}-{}-{nanos}",
            std::process::id(),
            SERVERS.fetch_add(1, Ordering::Relaxed)
        );
        let mut conf = tempfile::NamedTempFile::new().expect("tmux config file");
        conf.write_all(TMUX_CONF.as_bytes())
            .expect("writing tmux config");
        let mut tmux = Tmux {
            socket,
            socket_path: None,
            _conf: conf,
        };
        let conf_path = tmux._conf.path().to_str().expect("UTF-8 path").to_string();
        let (w, h) = (WIDTH.to_string(), HEIGHT.to_string());
        tmux.run(&[
            "-f",
            &conf_path,
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &w,
            "-y",
            &h,
            shell_command,
        ]);
        tmux.socket_path = Some(tmux.display("#{socket_path}").into());
        let size = tmux.display("#{pane_width}x#{pane_height}");
        assert_eq!(size, format!("{WIDTH}x{HEIGHT}"), "pane size");
        tmux
    }

    /// Runs `tmux -L SOCKET ARGS`, panicking on failure; returns stdout.
    #[track_caller]
    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            // -u: UTF-8 output whatever the locale says.
            .args(["-u", "-L", &self.socket])
            .args(args)
            .env_remove("TMUX")
            .stdin(Stdio::null())
            .output()
            .expect("running tmux");
        assert!(
            out.status.success(),
            "tmux {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("tmux output is UTF-8")
    }

    /// A format of the pane (`#{alternate_on}`, `#{pane_pid}`…).
    pub fn display(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", "t", format])
            .trim_end_matches('\n')
            .to_string()
    }

    /// Sends tmux key names (`Enter`, `Escape`, `BSpace`, `G`…), one after the other.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "t", k]);
        }
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "t", "-l", text]);
    }

    /// Appends everything the pane's program writes from now on to `file` (`pipe-pane`).
    pub fn record(&self, file: &Path) {
        let file = sh_quote(file.to_str().expect("UTF-8 path"));
        self.run(&["pipe-pane", "-O", "-t", "t", &format!("cat >> {file}")]);
    }

    /// The visible pane as plain text (no escapes).
    pub fn screen(&self) -> Screen {
        Screen {
            lines: self.capture(&[]).lines().map(str::to_string).collect(),
        }
    }

    /// The pane with `extra` capture-pane flags (`-e` for colours, `-S -100` for history).
    pub fn capture(&self, extra: &[&str]) -> String {
        let mut args = vec!["capture-pane", "-p", "-t", "t"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Waits until `ok` holds for a screen that has stopped changing; panics after `timeout`
    /// with `what` and the last screen.
    #[track_caller]
    pub fn wait(&self, what: &str, timeout: Duration, ok: impl Fn(&Screen) -> bool) -> Screen {
        let start = Instant::now();
        let mut held: Option<(Screen, Instant)> = None;
        loop {
            let s = self.screen();
            if ok(&s) {
                match &held {
                    Some((prev, since)) if *prev == s => {
                        if since.elapsed() >= SETTLED {
                            return s;
                        }
                    }
                    _ => held = Some((s.clone(), Instant::now())),
                }
            } else {
                held = None;
            }
            if start.elapsed() > timeout {
                panic!("timed out after {timeout:?} waiting for {what}; the screen:\n{s}");
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits until the pane format `format` is `want`; panics after `timeout`.
    #[track_caller]
    pub fn wait_display(&self, format: &str, want: &str, timeout: Duration) {
        let start = Instant::now();
        loop {
            let got = self.display(format);
            if got == want {
                return;
            }
            if start.elapsed() > timeout {
                panic!(
                    "timed out after {timeout:?} waiting for {format} = {want:?} (is {got:?}); \
                     the screen:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// How the pane's program (`pid`, the pane pid) ended: `Ok(exit code)` or `Err(signal)`.
    /// tmux 3.3 now and then marks a pane dead but leaves its child unreaped (a zombie, with
    /// `#{pane_dead_status}` empty for good); the wait status is then read from `/proc`.
    #[track_caller]
    pub fn wait_exit(&self, pid: u32, timeout: Duration) -> Result<i32, i32> {
        let start = Instant::now();
        loop {
            let code = self.display("#{pane_dead_status}");
            if !code.is_empty() {
                return Ok(code.parse().expect("numeric pane_dead_status"));
            }
            let signal = self.display("#{pane_dead_signal}");
            if !signal.is_empty() {
                return Err(signal.parse().expect("numeric pane_dead_signal"));
            }
            if let Some(status) = zombie_wait_status(pid) {
                return match status & 0x7f {
                    0 => Ok((status >> 8) & 0xff),
                    signal => Err(signal),
                };
            }
            assert!(
                start.elapsed() < timeout,
                "pane process {pid} did not end within {timeout:?}"
            );
            std::thread::sleep(POLL);
        }
    }

    /// Waits for the background pull to finish (`pulled +N seg` or `up to date` at the right
    /// end of status line 1) and the screen to settle.
    #[track_caller]
    pub fn wait_pulled(&self) -> Screen {
        self.wait("the background pull to finish", PULL_TIMEOUT, |s| {
            let l = s.line(0);
            l.contains(" trailscope │") && (l.contains("pulled +") || l.contains("up to date"))
        })
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .env_remove("TMUX")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Some(p) = &self.socket_path {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// What [`Tmux::record`] wrote to `file`, once it has stopped growing (after the pane's program
/// ended); panics when nothing arrives within `timeout`.
#[track_caller]
pub fn recorded(file: &Path, timeout: Duration) -> String {
    let start = Instant::now();
    let mut last: Option<(u64, Instant)> = None;
    loop {
        let len = std::fs::metadata(file).map_or(0, |m| m.len());
        match last {
            Some((l, since)) if l == len && len > 0 && since.elapsed() >= SETTLED => break,
            Some((l, _)) if l == len => {}
            _ => last = Some((len, Instant::now())),
        }
        assert!(
            start.elapsed() < timeout,
            "the pane's recorded output {} did not settle within {timeout:?}",
            file.display()
        );
        std::thread::sleep(POLL);
    }
    String::from_utf8_lossy(&std::fs::read(file).expect("reading the recorded output")).into_owned()
}

/// The wait status of process `pid` when it is a zombie (Linux: the last field of
/// `/proc/PID/stat`, `exit_code`).
fn zombie_wait_status(pid: u32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let mut fields = after_name.split_whitespace();
    if fields.next()? != "Z" {
        return None;
    }
    fields.last()?.parse().ok()
}

/// The executable of process `pid` (Linux `/proc`), if it can be read.
pub fn exe_of(pid: u32) -> Option<PathBuf> {
    std::fs::read_link(Path::new("/proc").join(pid.to_string()).join("exe")).ok()
}
