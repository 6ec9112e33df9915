#!/usr/bin/env python3
"""bench/run: trailscope next to the tools a user would pick instead, in one run.

Builds once (release), generates seeded Kubernetes audit events as NDJSON, seals them with
`trailscope seal`, then measures on the same bytes, each figure a median of several runs:
openssl's SHA-256 (the hashing floor), `trailscope verify`, `trailscope pull` (directory and
HTTP), lnav / jq / grep on the NDJSON, search / histogram / facets latencies (fresh process
and in-process), cold start to the first answer, a 10-query investigation, the console's
frames, peak memory and index size. Writes target/bench-run/results.json and
docs/PERFORMANCE.md. Python 3 standard library only; see bench/README.md.
"""

import argparse
import datetime
import json
import math
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUERIES = REPO / "bench" / "queries.tsv"
LNAV_FORMAT = REPO / "bench" / "lnav" / "trailscope_bench_k8s_audit.json"
LNAV_TABLE = "trailscope_bench_k8s_audit"
REPORT = REPO / "docs" / "PERFORMANCE.md"
# The pull and console benches' seed (benches/pull/data.rs `SEED`): same records as theirs.
DEFAULT_SEED = 0x7261696C73636F70
KEY_NAME = "bench.trailscope.example"
MARKER = ".bench-run"
MB = 1e6

# Every process this run started and may still be running: ended by PID on the way out.
CHILDREN = []


def log(msg):
    print(f"[bench/run {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class BenchError(Exception):
    """A step failed; its section is reported as failed and the run goes on."""


# ---------------------------------------------------------------------------------------------
# statistics


def stat(values):
    """Median, min, max and count of a list of numbers (None when empty)."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    n = len(v)
    med = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    return {"median": med, "min": v[0], "max": v[-1], "n": n}


def quantiles(values):
    """p50, p99 (nearest rank) and max, as the Rust benches compute them."""
    v = sorted(values)
    if not v:
        return None

    def rank(p):
        return v[min(max(math.ceil(p * len(v)), 1), len(v)) - 1]

    return {"n": len(v), "p50": rank(0.5), "p99": rank(0.99), "max": v[-1]}


class CpuMeter:
    """CPU used by other processes (not this run's) between start and stop, from /proc/stat."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.busy0 = self._busy()
        self.own0 = self._own()

    @staticmethod
    def _busy():
        try:
            with open("/proc/stat") as f:
                p = [int(x) for x in f.readline().split()[1:9]]
            return (p[0] + p[1] + p[2] + p[5] + p[6] + p[7]) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

    @staticmethod
    def _own():
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def stop(self):
        busy = self._busy()
        wall = time.monotonic() - self.t0
        if busy is None or self.busy0 is None:
            return {"wall_s": wall, "others_cpu_s": None}
        others = max(0.0, (busy - self.busy0) - (self._own() - self.own0))
        return {"wall_s": wall, "others_cpu_s": others}


# ---------------------------------------------------------------------------------------------
# processes


def end_children():
    for p in CHILDREN:
        if p.poll() is None:
            try:
                p.terminate()
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def spawn(cmd, env=None, **kw):
    p = subprocess.Popen(cmd, env=env, **kw)
    CHILDREN.append(p)
    return p


def run(cmd, env=None, check=True, timeout=None, stdin=None):
    """Runs `cmd`, returning (seconds, stdout, stderr, exit code)."""
    t = time.perf_counter()
    p = spawn(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
    )
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise BenchError(f"{show(cmd)}: still running after {timeout} s")
    s = time.perf_counter() - t
    if check and p.returncode != 0:
        tail = err.decode(errors="replace").strip().splitlines()[-5:]
        raise BenchError(f"{show(cmd)}: exit {p.returncode}: {' | '.join(tail)}")
    return s, out, err, p.returncode


def run_rss(cmd, env, tools, check=True):
    """Like `run`, under /usr/bin/time -v when present; also returns the peak RSS in MB."""
    if not tools.get("time"):
        s, out, err, rc = run(cmd, env, check)
        return s, out, err, rc, None
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        s, out, err, rc = run([tools["time"], "-v", "-o", tf.name] + cmd, env, check)
        return s, out, err, rc, rss_mb(Path(tf.name).read_text())


def rss_mb(time_v_output):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_v_output)
    return int(m.group(1)) * 1024 / MB if m else None


def show(cmd):
    return " ".join(str(c) for c in cmd)


def repeat(n, f):
    """Calls f() n times; returns the list of its results."""
    return [f() for _ in range(n)]


# ---------------------------------------------------------------------------------------------
# set-up: tools, build, data


def find_tools():
    def which(name, extra=()):
        p = shutil.which(name)
        if p:
            return p
        for d in extra:
            if os.access(Path(d) / name, os.X_OK):
                return str(Path(d) / name)
        return None

    t = {
        "lnav": which("lnav"),
        "jq": which("jq"),
        "nginx": which("nginx", ["/usr/sbin", "/usr/local/sbin"]),
        "openssl": which("openssl"),
        "time": "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None,
        "tmux": which("tmux"),
        "grep": which("grep"),
    }
    missing = [k for k in ("lnav", "jq", "nginx", "openssl", "time", "tmux") if not t[k]]
    if missing:
        names = {"time": "/usr/bin/time (package time)", "nginx": "nginx (python3 -m http.server is used instead)"}
        log("missing tools: " + ", ".join(names.get(m, m) for m in missing))
        log("  install them with: apt-get install lnav jq nginx openssl time tmux; their rows are skipped")
    return t


def versions(tools):
    def first_line(cmd):
        try:
            _, out, err, _ = run(cmd, check=False, timeout=20)
            text = (out or err).decode(errors="replace").strip()
            return text.splitlines()[0] if text else None
        except (OSError, BenchError):
            return None

    v = {}
    if tools["lnav"]:
        v["lnav"] = first_line([tools["lnav"], "-V"])
    if tools["jq"]:
        v["jq"] = first_line([tools["jq"], "--version"])
    if tools["nginx"]:
        v["nginx"] = first_line([tools["nginx"], "-v"])
    if tools["openssl"]:
        v["openssl"] = first_line([tools["openssl"], "version"])
    return v


def build():
    """One release build of everything the run needs; returns {target name: executable}."""
    cmd = [
        "cargo", "build", "--release", "--message-format=json-render-diagnostics",
        "--bin", "trailscope", "--example", "bench_data", "--bench", "queries", "--bench", "console",
    ]
    log("building (release): " + show(cmd[:3]) + " …")
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=None)
    if p.returncode != 0:
        raise SystemExit(f"bench/run: the build failed (exit {p.returncode})")
    exes = {}
    for line in p.stdout.decode(errors="replace").splitlines():
        try:
            m = json.loads(line)
        except ValueError:
            continue
        if m.get("reason") == "compiler-artifact" and m.get("executable"):
            exes[m["target"]["name"]] = m["executable"]
    for need in ("trailscope", "bench_data", "queries", "console"):
        if need not in exes:
            raise SystemExit(f"bench/run: the build did not report an executable for {need}")
    log(f"  built in {time.perf_counter() - t:.0f} s")
    return exes


def read_queries():
    """bench/queries.tsv: [{query, from, to, facet, sql}] (see the file's header)."""
    out = []
    header = True
    for i, line in enumerate(QUERIES.read_text().splitlines(), 1):
        if line.startswith("#") or not line.strip():
            continue
        if header:
            header = False
            continue
        cols = line.split("\t")
        if len(cols) != 5:
            raise SystemExit(f"bench/run: {QUERIES.name}:{i}: {len(cols)} columns, expected 5")
        dash = lambda s: None if s in ("", "-") else s  # noqa: E731
        out.append({"line": i, "query": cols[0], "from": dash(cols[1]), "to": dash(cols[2]),
                    "facet": cols[3], "sql": dash(cols[4])})
    if len(out) < 10 or any(q["sql"] is None for q in out[:10]):
        raise SystemExit(f"bench/run: {QUERIES.name}: the first 10 queries need an SQL form")
    return out


def window_args(q):
    a = []
    if q["from"]:
        a += ["--from", q["from"]]
    if q["to"]:
        a += ["--to", q["to"]]
    return a


def prepare_out(out):
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SystemExit(f"bench/run: {out} is not empty and was not made by bench/run; choose another --out")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("made by bench/run; removed and remade by the next run\n")
    (out / "homes").mkdir()
    (out / "config.toml").write_text("# empty: bench/run keeps the user's config out of its runs\n")


class Ctx:
    """What every step needs: paths, executables, tools, options."""

    def __init__(self, args, exes, tools):
        self.args = args
        self.out = args.out
        self.ts = exes["trailscope"]
        self.exes = exes
        self.tools = tools
        self.store = self.out / "store"
        self.ndjson = self.out / "events.ndjson"
        self.key = None
        self.pub = None
        self.segments = []
        self.homes = 0

    def env(self, home, **extra):
        """The environment of a trailscope process with its own home and no user config."""
        e = {k: v for k, v in os.environ.items() if not k.startswith("TRAILSCOPE_")}
        e["TRAILSCOPE_HOME"] = str(home)
        e["TRAILSCOPE_CONFIG"] = str(self.out / "config.toml")
        e.update(extra)
        return e

    def fresh_home(self, what):
        self.homes += 1
        h = self.out / "homes" / f"{self.homes:02}-{what}"
        h.mkdir(parents=True)
        return h


def make_data(c, seed):
    n = c.args.events
    log(f"generating {n} events (seed {seed:#x}) …")
    s, out, _, _ = run([c.exes["bench_data"], "--events", str(n), "--seed", str(seed), "--out", str(c.ndjson)])
    gen = json.loads(out)
    gen["wall_s"] = s
    home = c.fresh_home("seal")
    run([c.ts, "keygen", "--name", KEY_NAME, "--out", str(c.out / "keys")], c.env(home))
    c.key = c.out / "keys" / f"{KEY_NAME}.key"
    c.pub = c.out / "keys" / f"{KEY_NAME}.pub"
    log("sealing them with `trailscope seal` …")
    seal_s, _, _, _, seal_rss = run_rss(
        [c.ts, "seal", "--store", str(c.store), "--key", str(c.key), "--format", "k8s-audit", str(c.ndjson)],
        c.env(home), c.tools)
    segs = sorted((c.store / "segments").iterdir())
    c.segments = [str(p) for p in segs]
    seg_bytes = sum(p.stat().st_size for p in segs)
    log(f"  {len(segs)} segments, {seg_bytes / MB:.1f} MB, sealed in {seal_s:.1f} s")
    return {"events": n, "seed": seed, "ndjson_bytes": c.ndjson.stat().st_size,
            "generate": gen, "seal_s": seal_s, "seal_rss_mb": seal_rss,
            "segments": len(segs), "segment_bytes": seg_bytes, "actors": gen["actors"]}


# ---------------------------------------------------------------------------------------------
# a, b: hashing floor and verify


def measure_hashing(c, data):
    r = {}
    reps = c.args.short_reps
    if c.tools["openssl"]:
        log(f"openssl dgst -sha256 over the segments ×{reps} …")
        cmd = [c.tools["openssl"], "dgst", "-sha256"] + c.segments
        runs = repeat(reps, lambda: run(cmd)[0])
        r["openssl"] = stat(runs)
        r["openssl_mb_s"] = data["segment_bytes"] / MB / r["openssl"]["median"]
    log(f"trailscope verify ×{reps} …")

    def verify():
        home = c.fresh_home("verify")
        s, out, _, _, rss = run_rss([c.ts, "verify", str(c.store), "--pubkey", str(c.pub), "--json"],
                                    c.env(home), c.tools)
        shutil.rmtree(home)
        return s, rss

    v = repeat(reps, verify)
    r["verify"] = stat([x[0] for x in v])
    r["verify_rss_mb"] = stat([x[1] for x in v])
    r["verify_mb_s"] = data["segment_bytes"] / MB / r["verify"]["median"]
    if "openssl_mb_s" in r:
        r["verify_over_openssl"] = r["verify_mb_s"] / r["openssl_mb_s"]
    return r


# ---------------------------------------------------------------------------------------------
# c: pull from a directory and over HTTP


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, seconds=10):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise BenchError(f"the HTTP server exited at once (exit {proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"the HTTP server did not listen on 127.0.0.1:{port} within {seconds} s")


def start_http(c):
    """nginx (minimal config in a temp dir) or python3 -m http.server; returns (name, proc, url)."""
    port = free_port()
    if c.tools["nginx"]:
        d = c.out / "nginx"
        d.mkdir(exist_ok=True)
        user = ""
        if os.geteuid() == 0:
            import grp
            import pwd
            user = f"user {pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name};"
        temps = "".join(f"{k}_temp_path {d}/{k};\n  " for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (d / "nginx.conf").write_text(f"""{user}
worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  sendfile on;
  default_type application/octet-stream;
  {temps}server {{
    listen 127.0.0.1:{port};
    root {c.store};
  }}
}}
""")
        proc = spawn([c.tools["nginx"], "-p", str(d), "-e", str(d / "error.log"), "-c", str(d / "nginx.conf")],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        name = "nginx"
    else:
        proc = spawn([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(c.store), str(port)],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        name = "python3 -m http.server"
    wait_port(port, proc)
    return name, proc, f"http://127.0.0.1:{port}/"


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def pull_once(c, location, keep_as=None):
    home = c.fresh_home("pull")
    s, out, _, rc, rss = run_rss([c.ts, "pull", location, "--pubkey", str(c.pub), "--json"], c.env(home), c.tools)
    summary = json.loads(out)
    if keep_as:
        if keep_as.exists():
            shutil.rmtree(keep_as)
        home.rename(keep_as)
    else:
        shutil.rmtree(home)
    return {"wall_s": s, "rss_mb": rss, "timings": summary.get("timings", {}),
            "indexed_events": summary.get("indexed_events"), "summary": summary}


def pull_figures(runs, events):
    keys = sorted({k for r in runs for k in r["timings"]})
    return {
        "wall": stat([r["wall_s"] for r in runs]),
        "rss_mb": stat([r["rss_mb"] for r in runs]),
        "timings": {k: stat([r["timings"].get(k) for r in runs]) for k in keys},
        "events_per_s": events / stat([r["wall_s"] for r in runs])["median"],
        "indexed_events": [r["indexed_events"] for r in runs],
        "last_summary": runs[-1]["summary"],
    }


def measure_pull(c, data):
    r = {}
    reps = c.args.reps
    log(f"trailscope pull from the directory ×{reps} (fresh home each) …")
    runs = [pull_once(c, str(c.store), keep_as=(c.out / "home") if i == reps - 1 else None) for i in range(reps)]
    r["dir"] = pull_figures(runs, data["events"])
    name, proc, url = start_http(c)
    try:
        log(f"trailscope pull over HTTP ({name}) ×{reps} …")
        runs = [pull_once(c, url) for _ in range(reps)]
        r["http"] = pull_figures(runs, data["events"])
        r["http"]["server"] = name
    finally:
        stop(proc)
    return r


# ---------------------------------------------------------------------------------------------
# d: lnav, jq, grep on the NDJSON


def lnav_env(c):
    home = c.out / "lnav-home"
    fmt = home / ".lnav" / "formats" / "installed"
    fmt.mkdir(parents=True, exist_ok=True)
    shutil.copy(LNAV_FORMAT, fmt / LNAV_FORMAT.name)
    e = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    e.update({"HOME": str(home), "TZ": "UTC"})
    return e


def lnav_counts(c, queries, env):
    """One lnav process: load the NDJSON, run each query's count; returns (seconds, counts)."""
    d = c.out / "lnav-out"
    d.mkdir(exist_ok=True)
    cmd = [c.tools["lnav"], "-n"]
    files = []
    for i, q in enumerate(queries):
        f = d / f"q{i + 1}.csv"
        if f.exists():
            f.unlink()
        files.append(f)
        cmd += ["-c", f";SELECT count(*) AS n FROM {LNAV_TABLE} WHERE {q['sql']}", "-c", f":write-csv-to {f}"]
    cmd.append(str(c.ndjson))
    s, _, err, _ = run(cmd, env)
    counts = []
    for f in files:
        try:
            counts.append(int(f.read_text().split()[1]))
        except (OSError, IndexError, ValueError):
            raise BenchError(f"lnav wrote no count to {f.name} ({err.decode(errors='replace').strip()[:200]})")
    return s, counts


def actor_of(q):
    m = re.fullmatch(r'actor:"([^"]+)"', q["query"])
    return m.group(1) if m else None


def measure_scans(c, queries):
    r = {}
    inv = queries[:10]
    if c.tools["lnav"]:
        env = lnav_env(c)
        log(f"lnav: load + 1 count ×{c.args.short_reps} …")
        one = repeat(c.args.short_reps, lambda: lnav_counts(c, inv[:1], env))
        log(f"lnav: load + the 10 investigation counts ×{c.args.reps} …")
        ten = repeat(c.args.reps, lambda: lnav_counts(c, inv, env))
        r["lnav_1"] = stat([x[0] for x in one])
        r["lnav_10"] = stat([x[0] for x in ten])
        r["lnav_counts"] = ten[-1][1]
        r["lnav_per_further_query_s"] = (r["lnav_10"]["median"] - r["lnav_1"]["median"]) / 9
    actor = actor_of(inv[0])
    if actor and c.tools["jq"]:
        log(f"jq: the same count ×{c.args.reps} …")
        prog = f'reduce (inputs | select(.user.username == "{actor}")) as $e (0; . + 1)'
        js = repeat(c.args.reps, lambda: run([c.tools["jq"], "-n", prog, str(c.ndjson)]))
        r["jq"] = stat([x[0] for x in js])
        r["jq_count"] = int(js[-1][1])
    if actor and c.tools["grep"]:
        log(f"grep -c: the same count ×{c.args.short_reps} …")
        gs = repeat(c.args.short_reps,
                    lambda: run([c.tools["grep"], "-c", "-F", f'"username":"{actor}"', str(c.ndjson)], check=False))
        r["grep"] = stat([x[0] for x in gs])
        r["grep_count"] = int(gs[-1][1] or 0)
    return r


# ---------------------------------------------------------------------------------------------
# e: query latencies


def measure_queries(c, queries):
    r = {}
    home = c.out / "home"
    log("in-process latencies (benches/queries) …")
    _, out, _, _ = run([c.exes["queries"]], env=c.env(home, TRAILSCOPE_BENCH_HOME=str(home),
                                                      TRAILSCOPE_BENCH_STORE=str(c.store),
                                                      TRAILSCOPE_BENCH_QUERIES=str(QUERIES)))
    r["in_process"] = json.loads(out)
    log(f"fresh-process latencies: {len(queries)} queries × search, histogram, facets …")
    env = c.env(home)
    cli = {"search": [], "histogram": [], "facets": []}
    errors = []
    for q in queries:
        w = window_args(q)
        cmds = {
            "search": [c.ts, "search", str(c.store), q["query"], "--json", "--limit", "50"] + w,
            "histogram": [c.ts, "histogram", str(c.store), q["query"], "--json", "--buckets", "60"] + w,
            "facets": [c.ts, "facets", str(c.store), q["facet"], q["query"], "--json", "--top", "10"] + w,
        }
        for kind, cmd in cmds.items():
            s, _, err, rc = run(cmd, env, check=False)
            if rc == 0:
                cli[kind].append(s * 1e3)
            else:
                errors.append(f"{kind} {q['query']!r}: {err.decode(errors='replace').strip()[:160]}")
    r["cli"] = {k: quantiles(v) for k, v in cli.items()}
    r["cli_errors"] = errors
    rss = []
    for q in (queries[0], {"query": "*", "from": None, "to": None}):
        _, _, _, _, m = run_rss([c.ts, "search", str(c.store), q["query"], "--json"] + window_args(q), env, c.tools)
        _, _, _, _, h = run_rss([c.ts, "histogram", str(c.store), q["query"], "--json"], env, c.tools)
        rss += [m, h]
    r["search_rss_mb"] = max((x for x in rss if x is not None), default=None)
    return r


# ---------------------------------------------------------------------------------------------
# f, g: cold start to the first answer; the 10-query investigation


def has_search_pull(c):
    _, out, _, _ = run([c.ts, "search", "--help"])
    return "--pull" in out.decode(errors="replace")


def search_pull(c, home, q):
    """Starts `search --pull` for q and waits for its first line on stdout.

    Returns (proc, t0, seconds until the answer, reader thread, time file). A thread keeps
    draining stdout, so the process never blocks on a full pipe while it goes on indexing.
    """
    cmd = [c.ts, "search", str(c.store), q["query"], "--pull", "--pubkey", str(c.pub), "--json"] + window_args(q)
    tf = tempfile.NamedTemporaryFile("r", suffix=".time", delete=False)
    tf.close()
    if c.tools["time"]:
        cmd = [c.tools["time"], "-v", "-o", tf.name] + cmd
    first = threading.Event()

    def drain(stream):
        stream.readline()
        first.set()
        for _ in iter(lambda: stream.read(65536), b""):
            pass

    t0 = time.perf_counter()
    p = spawn(cmd, env=c.env(home), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    reader = threading.Thread(target=drain, args=(p.stdout,), daemon=True)
    reader.start()
    first.wait()
    return p, t0, time.perf_counter() - t0, reader, tf.name


def finish_pull(p, t0, reader, time_file):
    """Waits for a `search_pull` process; returns (seconds until it exited, peak RSS in MB)."""
    rc = p.wait()
    exit_s = time.perf_counter() - t0
    reader.join()
    rss = rss_mb(Path(time_file).read_text()) if os.path.getsize(time_file) else None
    os.unlink(time_file)
    if rc != 0:
        raise BenchError(f"search --pull: exit {rc}")
    return exit_s, rss


def fallback_pull(c, home):
    return run([c.ts, "pull", str(c.store), "--pubkey", str(c.pub), "--no-fulltext", "--json"], c.env(home))[0]


def measure_cold(c, queries, with_pull):
    q1 = queries[0]
    answers, exits, rss = [], [], []
    log(f"cold start to the first answer ×{c.args.reps} ({'search --pull' if with_pull else 'fallback: pull --no-fulltext, then search'}) …")
    for _ in range(c.args.reps):
        home = c.fresh_home("cold")
        if with_pull:
            p, t0, answer_s, reader, tf = search_pull(c, home, q1)
            exit_s, m = finish_pull(p, t0, reader, tf)
            answers.append(answer_s)
            exits.append(exit_s)
            rss.append(m)
        else:
            t = fallback_pull(c, home)
            t += run([c.ts, "search", str(c.store), q1["query"], "--json"] + window_args(q1), c.env(home))[0]
            answers.append(t)
            exits.append(t)
        shutil.rmtree(home)
    return {"mode": "search --pull" if with_pull else "fallback", "answer": stat(answers),
            "exit": stat(exits), "rss_mb": stat(rss)}


def measure_investigation(c, queries, with_pull):
    inv = queries[:10]
    totals, q1_exits, failures = [], [], []
    steps = [[] for _ in inv]  # seconds each query took, per run (the first: until its answer)
    log(f"10-query investigation from cold ×{c.args.reps} …")
    for _ in range(c.args.reps):
        home = c.fresh_home("investigation")
        if with_pull:
            p, t0, answer_s, reader, tf = search_pull(c, home, inv[0])
        else:
            t0 = time.perf_counter()
            fallback_pull(c, home)
            run([c.ts, "search", str(c.store), inv[0]["query"], "--json"] + window_args(inv[0]), c.env(home))
            answer_s = time.perf_counter() - t0
        steps[0].append(answer_s)
        for i, q in enumerate(inv[1:], 1):
            s, _, err, rc = run([c.ts, "search", str(c.store), q["query"], "--json"] + window_args(q), c.env(home),
                                check=False)
            steps[i].append(s)
            if rc != 0:
                failures.append(f"{q['query']!r}: exit {rc}: {err.decode(errors='replace').strip()[:160]}")
        totals.append(time.perf_counter() - t0)
        if with_pull:
            q1_exits.append(finish_pull(p, t0, reader, tf)[0])
        shutil.rmtree(home)
    return {"mode": "search --pull" if with_pull else "fallback", "total": stat(totals),
            "q1_exit": stat(q1_exits), "steps": [stat(x) for x in steps], "failures": failures}


# ---------------------------------------------------------------------------------------------
# h, i: the console (frames, memory) and the index on disk


def measure_console_frames(c, data, pulls):
    t = pulls["dir"]["timings"]
    med = lambda k: (t.get(k) or {}).get("median")  # noqa: E731
    actors = data["actors"]
    meta = {
        "events": data["events"],
        "actors": [actors[0], actors[2], actors[5]],
        "pubkey": c.pub.read_text().strip(),
        "generate_s": data["generate"]["wall_s"] + data["seal_s"],
        "pull_s": {"total": med("total_s"), "structured": med("index_s"), "fulltext": med("fulltext_s")},
    }
    (c.out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    log("console frames (benches/console, on this run's store and index) …")
    run([c.exes["console"]], env=c.env(c.out / "home", TRAILSCOPE_BENCH_DATA=str(c.out),
                                      TRAILSCOPE_BENCH_EVENTS=str(data["events"]), CARGO_TARGET_DIR=str(c.out)))
    j = json.loads((c.out / "bench-console.json").read_text())
    r = {"sizes": {}}
    for s in j["sizes"]:
        k = s["keystrokes"]
        r["sizes"]["×".join(map(str, s["size"]))] = {
            "first_frame": s["first_frame"]["total_with_data"],
            "cursor": k["cursor l/h"]["keystroke_to_frame"],
            "zoom": k["zoom +/-"]["keystroke_to_frame"],
            "every_key": s["every_keystroke"]["keystroke_to_frame"],
        }
    return r


def measure_console_rss(c):
    """`trailscope open` in a private tmux server, driven by send-keys; VmHWM from /proc."""
    sock = f"trailscope-bench-{os.getpid()}"
    tm = [c.tools["tmux"], "-L", sock]
    env = c.env(c.out / "home")
    inner = " ".join(shlex.quote(str(a)) for a in [c.ts, "open", c.store, "--pubkey", c.pub])
    inner = "exec " + inner
    run(tm + ["-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", "160", "-y", "48", inner], env)
    try:
        pid = int(run(tm + ["display-message", "-p", "-t", "b", "#{pane_pid}"])[1])
        settle = 1.0 + c.args.events / 500_000
        time.sleep(settle)
        script = [["l"] * 10, ["+"] * 3, ["-"] * 3, ["f"], ["Escape"], ["/"] + list("outcome:denied") + ["Enter"],
                  ["j"] * 60, ["G"], ["g"], ["p"], ["Enter"], ["BSpace"], ["i"], ["Escape"]]
        for keys in script:
            run(tm + ["send-keys", "-t", "b"] + keys)
            time.sleep(0.4)
        time.sleep(settle)
        status = Path(f"/proc/{pid}/status").read_text()
        hwm = re.search(r"VmHWM:\s+(\d+) kB", status)
        # The last screen, to see that the console was showing events when it was measured.
        screen = run(tm + ["capture-pane", "-p", "-t", "b"])[1]
        (c.out / "console-screen.txt").write_bytes(screen)
        run(tm + ["send-keys", "-t", "b", "q"], check=False)
        time.sleep(0.5)
        return int(hwm.group(1)) * 1024 / MB if hwm else None
    finally:
        run(tm + ["kill-server"], check=False)


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def measure_disk(c, data):
    stores = list((c.out / "home" / "stores").iterdir())
    if len(stores) != 1:
        raise BenchError(f"expected one store's state in the kept home, found {len(stores)}")
    s = stores[0]
    r = {name: du(s / name) for name in ("index", "fulltext", "segments") if (s / name).exists()}
    r["index_total"] = r.get("index", 0) + r.get("fulltext", 0)
    r["index_over_raw"] = r["index_total"] / data["ndjson_bytes"]
    return r


# ---------------------------------------------------------------------------------------------
# the report


def machine():
    m = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
         "cores": os.cpu_count(), "kernel": os.uname().release}
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        mm = re.search(r"model name\s*:\s*(.+)", cpu)
        m["cpu"] = mm.group(1).strip() if mm else "unknown"
        mem = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        m["ram_gb"] = int(mem.group(1)) / 1024 / 1024 if mem else None
    except OSError:
        m["cpu"] = "unknown"
    try:
        m["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                     text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
        m["dirty"] = bool(dirty)
    except OSError:
        m["commit"] = None
    return m


def loadavg():
    try:
        return Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=None, help="events to generate (default 1,000,000)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 50,000 events")
    ap.add_argument("--out", type=Path, default=REPO / "target" / "bench-run", help="data directory")
    ap.add_argument("--seed", type=lambda s: int(s, 0), default=DEFAULT_SEED, help="generator seed")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of long measurements (default 3)")
    ap.add_argument("--short-reps", type=int, default=5, help="repetitions of short ones (default 5)")
    ap.add_argument("--skip-console", action="store_true", help="skip the console frame bench")
    ap.add_argument("--no-report", action="store_true", help="do not write docs/PERFORMANCE.md")
    ap.add_argument("--render-only", action="store_true",
                    help="measure nothing: write docs/PERFORMANCE.md again from DIR/results.json")
    args = ap.parse_args()
    if args.render_only:
        REPORT.write_text(render(json.loads((args.out.resolve() / "results.json").read_text())))
        log(f"wrote {REPORT.relative_to(REPO)} from {args.out / 'results.json'}")
        return
    if args.events is None:
        args.events = 50_000 if args.quick else 1_000_000
    args.out = args.out.resolve()
    argv = sys.argv[1:]

    def on_signal(signum, _):
        end_children()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        results = measure_all(args)
    finally:
        end_children()
    results["argv"] = argv
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    log(f"figures in {args.out / 'results.json'}")
    if not args.no_report:
        REPORT.write_text(render(results))
        log(f"wrote {REPORT.relative_to(REPO)}")


def measure_all(args):
    tools = find_tools()
    res = {"machine": machine(), "loadavg_before": loadavg(), "tools": versions(tools), "sections": {},
           "errors": {}, "missing_tools": [k for k, v in tools.items() if not v]}
    meter = CpuMeter()
    exes = build()
    queries = read_queries()
    prepare_out(args.out)
    c = Ctx(args, exes, tools)
    data = make_data(c, args.seed)
    res["data"] = data
    res["queries"] = queries

    def section(name, f, *a, need=()):
        missing = [t for t in need if not tools.get(t)]
        if missing:
            res["errors"][name] = "skipped: missing " + ", ".join(missing)
            log(f"{name}: skipped (missing {', '.join(missing)})")
            return None
        m = CpuMeter()
        try:
            v = f(*a)
        except (BenchError, OSError, ValueError, KeyError) as e:
            res["errors"][name] = str(e)
            log(f"{name}: FAILED: {e}")
            return None
        res["sections"][name] = v
        res.setdefault("cpu", {})[name] = m.stop()
        return v

    section("hashing", measure_hashing, c, data)
    pulls = section("pull", measure_pull, c, data)
    if pulls is None:
        raise SystemExit("bench/run: the directory pull failed; nothing more can be measured")
    section("scans", measure_scans, c, queries)
    section("queries", measure_queries, c, queries)
    with_pull = has_search_pull(c)
    section("cold", measure_cold, c, queries, with_pull)
    section("investigation", measure_investigation, c, queries, with_pull)
    if not args.skip_console:
        section("console", measure_console_frames, c, data, pulls)
    section("console_rss", measure_console_rss, c, need=("tmux",))
    section("disk", measure_disk, c, data)
    res["cpu"]["run"] = meter.stop()
    res["loadavg_after"] = loadavg()
    return res

# ---------------------------------------------------------------------------------------------
# docs/PERFORMANCE.md


def fs(x, unit="s"):
    """A duration in seconds, shown in s or ms."""
    if x is None:
        return "—"
    if unit == "ms" or x < 1:
        ms = x * 1e3 if unit == "s" else x
        return f"{ms:.0f} ms" if ms >= 100 else f"{ms:.1f} ms" if ms >= 1 else f"{ms:.2f} ms"
    return f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def fstat(st, unit="s"):
    """`median (min–max, n runs)`."""
    if not st:
        return "—"
    return f"{fs(st['median'], unit)} ({fs(st['min'], unit)}–{fs(st['max'], unit)}, n={st['n']})"


def fstat_mb(st):
    """`median MB (min–max, n runs)`."""
    if not st:
        return "—"
    return f"{st['median']:.0f} MB ({st['min']:.0f}–{st['max']:.0f}, n={st['n']})"


def fq(q):
    """`p50 / p99 / max` in ms of a quantiles dict."""
    if not q:
        return "—"
    return f"{q['p50']:.1f} / {q['p99']:.1f} / {q['max']:.1f}"


def fq_rust(q):
    """The same for the Rust benches' summaries (`p50_ms`, …)."""
    if not q:
        return "—"
    return f"{q['p50_ms']:.1f} / {q['p99_ms']:.1f} / {q['max_ms']:.1f}"


def fx(x, digits=1):
    return "—" if x is None else f"{x:.{digits}f}×"


def fmb(b):
    return "—" if b is None else f"{b / MB:.1f} MB"


def dig(d, *keys):
    for k in keys:
        if d is None:
            return None
        d = d.get(k) if isinstance(d, dict) else None
    return d


def verdict(value, ok):
    if value is None:
        return "not measured"
    return "**met**" if ok(value) else "**missed**"


def targets(r):
    """(target, measured, verdict) rows for the issue's targets."""
    S = r["sections"]
    n = r["data"]["events"]
    scale = "" if n >= 1_000_000 else f" (measured at {n:,} events; the target is for 1M)"
    rows = []
    v = dig(S, "hashing", "verify_over_openssl")
    rows.append(("verify ≥ 80 % of `openssl dgst -sha256` throughput", "—" if v is None else
                 f"{v * 100:.0f} % ({dig(S, 'hashing', 'verify_mb_s'):.0f} vs {dig(S, 'hashing', 'openssl_mb_s'):.0f} MB/s)",
                 verdict(v, lambda x: x >= 0.8)))
    ts, ln = dig(S, "cold", "answer", "median"), dig(S, "scans", "lnav_1", "median")
    ratio = ln / ts if ts and ln else None
    mode = "" if dig(S, "cold", "mode") == "search --pull" else " — fallback: pull, then search"
    rows.append(("cold start to first answer no slower than lnav load + count" + scale,
                 "—" if ratio is None else f"{fs(ts)} vs lnav {fs(ln)}: lnav/trailscope {fx(ratio, 2)}{mode}",
                 verdict(ratio, lambda x: x >= 1)))
    ts, ln = dig(S, "investigation", "total", "median"), dig(S, "scans", "lnav_10", "median")
    ratio = ln / ts if ts and ln else None
    failed = len(dig(S, "investigation", "failures") or [])
    shown = "—" if ratio is None else f"{fs(ts)} vs lnav {fs(ln)}: {fx(ratio)}"
    if failed:
        shown += f"; {failed} of the searches after the first failed"
    rows.append(("10-query investigation from cold ≥ 4× faster than lnav" + scale, shown,
                 verdict(ratio, lambda x: x >= 4 and not failed)))
    per = dig(S, "scans", "lnav_per_further_query_s")
    slow = further_query_ms(r)
    ratio = per / (slow / 1e3) if per and slow else None
    rows.append(("each further query ≥ 100× faster than lnav's on the loaded file",
                 "—" if ratio is None else f"slowest of queries 2–10 in-process {fs(slow, 'ms')} vs lnav {fs(per)} per query: {fx(ratio, 0)}",
                 verdict(ratio, lambda x: x >= 100)))
    limit = 50 if n <= 1_000_000 else 100
    p99 = dig(S, "queries", "in_process", "kinds", "search", "first", "p99_ms")
    rows.append((f"search p99 < {limit} ms (50 ms at 1M, 100 ms at 10M)" + scale,
                 "—" if p99 is None else f"{p99:.1f} ms (in-process, first run of each query)", verdict(p99, lambda x: x < limit)))
    p99 = dig(S, "queries", "in_process", "kinds", "histogram", "first", "p99_ms")
    rows.append(("histogram p99 < 100 ms at 10M" + ("" if n >= 10_000_000 else f" (measured at {n:,} events)"),
                 "—" if p99 is None else f"{p99:.1f} ms (in-process, first run)", verdict(p99, lambda x: x < 100)))
    sizes = dig(S, "console", "sizes") or {}
    ff = max((s["first_frame"]["p99_ms"] for s in sizes.values()), default=None)
    rows.append(("first frame with data < 300 ms", "—" if ff is None else f"p99 {ff:.0f} ms (worst size)",
                 verdict(ff, lambda x: x < 300)))
    ks = max((max(s["cursor"]["p99_ms"], s["zoom"]["p99_ms"]) for s in sizes.values()), default=None)
    rows.append(("cursor/zoom keystroke to frame p99 < 16 ms (on 10M)" + ("" if n >= 10_000_000 else f" (measured at {n:,})"),
                 "—" if ks is None else f"{ks:.1f} ms (worst size)", verdict(ks, lambda x: x < 16)))
    rss = S.get("console_rss")
    rows.append(("peak RSS < 300 MB browsing (10M)" + ("" if n >= 10_000_000 else f" (measured at {n:,})"),
                 "—" if rss is None else f"{rss:.0f} MB (`trailscope open`, VmHWM)", verdict(rss, lambda x: x < 300)))
    ratio = dig(S, "disk", "index_over_raw")
    rows.append(("index ≤ 1× the raw NDJSON", "—" if ratio is None else
                 f"{fx(ratio, 2)} ({fmb(dig(S, 'disk', 'index_total'))} vs {fmb(r['data']['ndjson_bytes'])})",
                 verdict(ratio, lambda x: x <= 1)))
    return rows


def further_query_ms(r):
    per = dig(r, "sections", "queries", "in_process", "per_query") or []
    ms = [p["warm_ms"].get("search") for p in per[1:10] if p.get("warm_ms")]
    ms = [x for x in ms if x is not None]
    return max(ms) if len(ms) == 9 else None


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def command_line(argv):
    shown = []
    for a in argv:
        shown.append("DIR" if os.path.isabs(a) else a)
    return " ".join(["bench/run"] + shown)


def render(r):
    S, d, m = r["sections"], r["data"], r["machine"]
    n = d["events"]
    L = []
    w = L.append
    w("# Performance\n")
    w(f"Written by `{command_line(r.get('argv', []))}` on {m['date']}; do not edit by hand, run it again "
      "(bench/README.md says what each figure is). Every figure is the median of several runs, with min–max "
      "and the number of runs. All ratios compare figures taken in this same run on the same bytes.\n")
    w("## Machine\n")
    cpu = r.get("cpu", {}).get("run", {})
    others = cpu.get("others_cpu_s")
    load = ("—" if others is None else
            f"{others:.0f} CPU-s in {cpu['wall_s']:.0f} s ({others / max(cpu['wall_s'], 1e-9):.2f} cores on average)")
    w(table(["", ""], [
        ("CPU", f"{m.get('cpu')} ({m.get('cores')} cores)"),
        ("RAM", "—" if not m.get("ram_gb") else f"{m['ram_gb']:.0f} GB"),
        ("kernel", m.get("kernel")),
        ("commit", f"{m.get('commit')}{' with uncommitted changes' if m.get('dirty') else ''}"),
        ("load average before / after", f"{' '.join(r.get('loadavg_before') or [])} / {' '.join(r.get('loadavg_after') or [])}"),
        ("other processes' CPU during the run", load),
        ("tools", ", ".join(v for v in r.get("tools", {}).values() if v) or "—"),
    ]))
    if r.get("missing_tools"):
        w(f"\nMissing tools (their rows are empty): {', '.join(r['missing_tools'])}.\n")
    w("\n## Data\n")
    w(f"{n:,} Kubernetes audit events (`examples/bench_data.rs`, seed `{d['seed']:#x}`): "
      f"{fmb(d['ndjson_bytes'])} of NDJSON ({d['ndjson_bytes'] / max(n, 1):.0f} bytes per event), sealed by "
      f"`trailscope seal --format k8s-audit` into {d['segments']} segments ({fmb(d['segment_bytes'])}) in "
      f"{fs(d['seal_s'])} (one run). Every file is in the page cache when measured.\n")
    w("\n## Targets (issue 7)\n")
    w(table(["target", "measured", ""], targets(r)))
    if r.get("errors"):
        w("\nSections that failed or were skipped:\n")
        for k, e in r["errors"].items():
            w(f"- {k}: {e}")
        w("")
    render_hashing(w, S, d)
    render_pull(w, S, n)
    render_scans(w, S, r)
    render_queries(w, S, r)
    render_console(w, S, r)
    render_memory(w, S, d)
    render_disk(w, S, d)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(L)).strip() + "\n"


def render_hashing(w, S, d):
    h = S.get("hashing")
    if not h:
        return
    w("\n## Hashing and verification\n")
    w(table(["", "time", "throughput"], [
        ("`openssl dgst -sha256` over every segment file (1 process)", fstat(h.get("openssl")),
         "—" if "openssl_mb_s" not in h else f"{h['openssl_mb_s']:.0f} MB/s"),
        ("`trailscope verify STORE --pubkey K`", fstat(h["verify"]), f"{h['verify_mb_s']:.0f} MB/s"),
        ("verify / openssl", "", "—" if "verify_over_openssl" not in h else f"{h['verify_over_openssl'] * 100:.0f} %"),
    ]))


def render_pull(w, S, n):
    p = S.get("pull")
    if not p:
        return
    w("\n## Pull\n")
    w("`trailscope pull STORE --pubkey K --json` into a fresh home (full text included), from the directory "
      f"and over HTTP ({p.get('http', {}).get('server', '—')} on 127.0.0.1). The split comes from the pull's "
      "own `timings`; check time is summed over the fetch workers.\n")
    names = [("total_s", "total (pull's own)"), ("trust_s", "trust and listing"), ("fetch_s", "fetch + check (wall)"),
             ("check_cpu_s", "check, summed over workers"), ("verify_s", "verify (chain)"),
             ("index_s", "structured index"), ("fulltext_s", "full text"), ("merge_s", "merge")]
    rows = [("wall clock", fstat(dig(p, "dir", "wall")), fstat(dig(p, "http", "wall")))]
    for k, label in names:
        rows.append((label, fstat(dig(p, "dir", "timings", k)), fstat(dig(p, "http", "timings", k))))
    rows.append(("events/s (wall)", f"{dig(p, 'dir', 'events_per_s'):,.0f}",
                 "—" if not p.get("http") else f"{p['http']['events_per_s']:,.0f}"))
    rows.append(("peak RSS", fstat_mb(dig(p, "dir", "rss_mb")), fstat_mb(dig(p, "http", "rss_mb"))))
    w(table(["", "directory", "HTTP"], rows))


def render_scans(w, S, r):
    sc, cold, inv = S.get("scans") or {}, S.get("cold"), S.get("investigation")
    q1 = r["queries"][0]
    w("\n## Cold start, and lnav / jq / grep on the same NDJSON\n")
    w(f"The question: `{q1['query']}` (lnav: `SELECT count(*) … WHERE {q1['sql']}`). lnav 0.11 loads the NDJSON "
      "headless (`lnav -n -c …`) with the format in `bench/lnav/`; jq and `grep -c` scan it once (no index).\n")
    if cold and cold["mode"] == "search --pull":
        label = "`trailscope search STORE Q --pull --pubkey K --json`, fresh home: answer on stdout"
        exit_label = "… and the process exits (indexing finished)"
    else:
        label = "fallback (no `search --pull` in this build): `pull --no-fulltext`, then `search`"
        exit_label = "(same)"
    rows = [(label, fstat(dig(cold, "answer")), "")]
    rows.append((exit_label, fstat(dig(cold, "exit")), ""))
    ln1 = dig(sc, "lnav_1", "median")
    for key, what, count in (("lnav_1", "lnav: load + the count", dig(sc, "lnav_counts", 0) if sc.get("lnav_counts") else None),
                             ("jq", "jq: one pass, the count", sc.get("jq_count")),
                             ("grep", "`grep -c -F` on the actor's JSON text", sc.get("grep_count"))):
        rows.append((what, fstat(sc.get(key)), "" if count is None else f"{count:,} events"))
    w(table(["", "time", "answer"], rows))
    ts = dig(cold, "answer", "median")
    if ts and ln1:
        w(f"\nlnav / trailscope for the first answer: {fx(ln1 / ts, 2)}.\n")
    w("\n### 10-query investigation from cold\n")
    w("The first 10 queries of `bench/queries.tsv`: the first as above (a fresh home, `--pull`), then 2–10 as "
      "`trailscope search` processes, one after the other, started as soon as the first answer is printed "
      "(the first process may still be indexing). Against lnav loading the file and answering the same 10 counts "
      "in one process.\n")
    rows = [("trailscope: until the 10th answer", fstat(dig(inv, "total"))),
            ("trailscope: until the first process exits", fstat(dig(inv, "q1_exit"))),
            ("lnav: load + 10 counts", fstat(sc.get("lnav_10"))),
            ("lnav: each further count ((load+10 − load+1) / 9)", fs(sc.get("lnav_per_further_query_s")))]
    slow = further_query_ms(r)
    rows.append(("trailscope: slowest of queries 2–10, in-process warm", fs(slow, "ms") if slow else "—"))
    w(table(["", "time"], rows))
    st = (inv or {}).get("steps") or []
    if st:
        w("\nEach step of the investigation (median): " +
          ", ".join(f"{i + 1}: {fs(x['median']) if x else '—'}" for i, x in enumerate(st)) +
          " (1: until the answer; 2–10: each `search` process, start to exit).\n")
    if inv and inv.get("failures"):
        w("\nFailed queries during the investigation (after the first answer):\n")
        for f in inv["failures"][:10]:
            w(f"- {f}")
    render_agreement(w, S, r)


def render_agreement(w, S, r):
    per = dig(S, "queries", "in_process", "per_query") or []
    counts = dig(S, "scans", "lnav_counts") or []
    if not per or not counts:
        return
    w("\nThe same answers (events matched), trailscope's search total and lnav's count:\n")
    rows = []
    for i, q in enumerate(r["queries"][:10]):
        ts = per[i].get("total") if i < len(per) else None
        ln = counts[i] if i < len(counts) else None
        win = f" {q['from'][11:16]}–{q['to'][11:16]}" if q["from"] and q["to"] else ""
        rows.append((i + 1, f"`{q['query']}`{win}", "—" if ts is None else f"{ts:,}", "—" if ln is None else f"{ln:,}",
                     "yes" if ts == ln else "**no**"))
    w(table(["#", "query", "trailscope", "lnav", "equal"], rows))


def render_queries(w, S, r):
    q = S.get("queries")
    if not q:
        return
    ip = q["in_process"]
    w("\n## Query latency\n")
    w(f"{ip['queries']} queries from `bench/queries.tsv` (actors frequent to rare, outcome and action combinations, "
      "NOT, time windows, `*`, full text), each asked as a search (50 hits, newest first), a histogram (60 buckets) "
      "and facets (top 10). In-process (`benches/queries`, the library the console uses): the first run of each "
      f"query in a process that has just opened the index, then the median of {ip['warm_runs']} warm runs. Fresh "
      "process: the CLI with `--json`, one process per request, as a script would call it. "
      "Figures are p50 / p99 / max in ms over the queries.\n")
    k = ip["kinds"]
    rows = []
    for kind in ("search", "histogram", "facets"):
        rows.append((kind, fq_rust(k[kind]["first"]), fq_rust(k[kind]["warm"]), fq(q["cli"].get(kind))))
    w(table(["", "in-process, first run", "in-process, warm", "fresh process (CLI)"], rows))
    rss = q.get("search_rss_mb")
    w(f"\nOpening the index: {ip['open_ms']:.1f} ms. Peak RSS of a `search` / `histogram` process: "
      f"{'—' if rss is None else f'{rss:.0f} MB'}.")
    errs = [f"{kind}: {k[kind]['errors']}" for kind in k if k[kind]["errors"]]
    if errs or q.get("cli_errors"):
        w(f"Requests that failed: in-process {', '.join(errs) or 'none'}; CLI {len(q.get('cli_errors', []))}"
          + (f" (first: {q['cli_errors'][0]})" if q.get("cli_errors") else "") + ".")
    w("")


def render_console(w, S, r):
    c = S.get("console")
    rss = S.get("console_rss")
    if not c and rss is None:
        return
    w("\n## Console\n")
    if c:
        w("`benches/console` on this run's store and index (`TRAILSCOPE_BENCH_DATA`): the console drawn headless "
          "(ratatui `TestBackend`), 40 opens and 2,044 scripted keystrokes per size; ms, p50 / p99 / max.\n")
        rows = []
        for size, s in c["sizes"].items():
            rows.append((size, fq_rust(s["first_frame"]), fq_rust(s["cursor"]), fq_rust(s["zoom"]), fq_rust(s["every_key"])))
        w(table(["size", "first frame with data", "cursor `l`/`h`", "zoom `+`/`-`", "every keystroke"], rows))
    if rss is not None:
        w(f"\nPeak RSS of `trailscope open` (in tmux, 160×48, driven by send-keys: cursor, zoom, facets, a search, "
          f"60 rows down, a pivot and back; VmHWM): **{rss:.0f} MB**.\n")


def render_memory(w, S, d):
    rows = [
        ("`trailscope seal` (all events)", "—" if d.get("seal_rss_mb") is None else f"{d['seal_rss_mb']:.0f} MB"),
        ("`trailscope verify`", fstat_mb(dig(S, "hashing", "verify_rss_mb"))),
        ("`trailscope pull` (directory, full text)", fstat_mb(dig(S, "pull", "dir", "rss_mb"))),
        ("`trailscope search --pull` (cold start, until exit)", fstat_mb(dig(S, "cold", "rss_mb"))),
        ("`trailscope search` / `histogram` on the index (largest)",
         "—" if dig(S, "queries", "search_rss_mb") is None else f"{S['queries']['search_rss_mb']:.0f} MB"),
        ("`trailscope open`, browsing (VmHWM)", "—" if S.get("console_rss") is None else f"{S['console_rss']:.0f} MB"),
    ]
    w("\n## Peak memory\n")
    w("Maximum resident set size from `/usr/bin/time -v` (the console's from `/proc/PID/status`).\n")
    w(table(["process", "peak RSS"], rows))


def render_disk(w, S, d):
    k = S.get("disk")
    if not k:
        return
    w("\n## Disk\n")
    raw = d["ndjson_bytes"]
    rows = [("raw NDJSON", fmb(raw), "1.00×")]
    for name, label in (("index", "structured index"), ("fulltext", "full-text index"),
                        ("index_total", "both indexes"), ("segments", "verified segment copies (local state)")):
        if name in k:
            rows.append((label, fmb(k[name]), fx(k[name] / raw, 2)))
    w(table(["", "size", "/ raw"], rows))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
