//! The figures of one run: printed as a table and written as JSON.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::PullFigures;
use crate::baseline::TANTIVY_THREADS;
use crate::data::Generated;
use crate::queries::{Latency, Sanity};

/// Everything measured, filled in as the run goes.
pub struct Report {
    events_requested: u64,
    cores: usize,
    date: String,
    data: Value,
    events: u64,
    bytes: u64,
    openssl: Result<f64, String>,
    read_s: f64,
    check_s: f64,
    tantivy_s: f64,
    tantivy_others_cpu_s: Option<f64>,
    lnav: String,
    pull_dir: Option<PullFigures>,
    pull_http: Result<(PullFigures, &'static str), String>,
    queries: Vec<Latency>,
    sanity: Vec<Sanity>,
}

const MB: f64 = 1e6;

impl Report {
    /// A report for a run of `n` events on `cores` cores.
    pub fn new(n: u64, cores: usize) -> Report {
        Report {
            events_requested: n,
            cores,
            date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            data: Value::Null,
            events: 0,
            bytes: 0,
            openssl: Err("not run".into()),
            read_s: 0.0,
            check_s: 0.0,
            tantivy_s: 0.0,
            tantivy_others_cpu_s: None,
            lnav: String::new(),
            pull_dir: None,
            pull_http: Err("not run".into()),
            queries: Vec::new(),
            sanity: Vec::new(),
        }
    }

    /// The generated store.
    pub fn data(&mut self, g: &Generated, segments: usize, bytes: u64) {
        self.events = g.events.len() as u64;
        self.bytes = bytes;
        self.data = json!({
            "events": self.events,
            "segments": segments,
            "segment_bytes": bytes,
            "record_bytes": g.record_bytes,
            "avg_record_bytes": g.record_bytes as f64 / self.events.max(1) as f64,
            "generate_and_seal_s": g.seconds,
        });
        eprintln!(
            "  {} events, {segments} segments, {:.1} MB ({:.0} bytes per record line), {:.1} s",
            self.events,
            bytes as f64 / MB,
            g.record_bytes as f64 / self.events.max(1) as f64,
            g.seconds
        );
    }

    /// `openssl dgst -sha256` seconds, or why not.
    pub fn openssl(&mut self, r: Result<f64, String>) {
        self.openssl = r;
    }
    /// Seconds to read every segment file.
    pub fn read(&mut self, s: f64) {
        self.read_s = s;
    }
    /// Seconds of `check_segment` on one thread.
    pub fn check(&mut self, s: f64) {
        self.check_s = s;
    }
    /// Seconds for Tantivy alone, and CPU seconds other processes used meanwhile.
    pub fn tantivy(&mut self, s: f64, others_cpu_s: Option<f64>) {
        self.tantivy_s = s;
        self.tantivy_others_cpu_s = others_cpu_s;
    }
    /// Why lnav was not measured.
    pub fn lnav(&mut self, note: String) {
        self.lnav = note;
    }
    /// The directory pull.
    pub fn pull_dir(&mut self, f: &PullFigures) {
        self.pull_dir = Some(f.clone());
    }
    /// The HTTP pull, or why not.
    pub fn pull_http(&mut self, r: Result<(PullFigures, &'static str), String>) {
        if let Err(e) = &r {
            eprintln!("  http: skipped: {e}");
        }
        self.pull_http = r;
    }
    /// Totals checked against the generated data.
    pub fn sanity(&mut self, s: Vec<Sanity>) {
        self.sanity = s;
    }
    /// Query latencies.
    pub fn queries(&mut self, q: &[Latency]) {
        self.queries = q.to_vec();
    }

    fn mbs(&self, secs: f64) -> f64 {
        self.bytes as f64 / MB / secs.max(1e-9)
    }
    fn eps(&self, secs: f64) -> f64 {
        self.events as f64 / secs.max(1e-9)
    }

    fn ratios(&self) -> Value {
        let Some(p) = &self.pull_dir else {
            return Value::Null;
        };
        json!({
            "pull_structured_eps_over_tantivy_alone_eps":
                p.structured_events_per_s / self.eps(self.tantivy_s),
            "check_cpu_over_total": p.timings.check_cpu_s / p.timings.total_s.max(1e-9),
            "sha256_floor_over_check_throughput": self.openssl.as_ref().ok()
                .map(|&s| self.mbs(s) / p.check_mb_per_cpu_s),
            "sha256_floor_over_check_one_thread": self.openssl.as_ref().ok()
                .map(|&s| self.mbs(s) / self.mbs(self.check_s)),
        })
    }

    /// Prints the table.
    pub fn print(&self) {
        println!(
            "\ntrailscope pull benchmark: {} events, {} cores, {}",
            self.events, self.cores, self.date
        );
        println!(
            "data: {} segments, {:.1} MB of segment files ({:.0} bytes per record line), generated and sealed in {:.1} s",
            self.data["segments"],
            self.bytes as f64 / MB,
            self.data["avg_record_bytes"].as_f64().unwrap_or(0.0),
            self.data["generate_and_seal_s"].as_f64().unwrap_or(0.0)
        );
        println!("\nbaselines, same bytes{:>31}{:>12}", "time", "throughput");
        match &self.openssl {
            Ok(s) => row("openssl dgst -sha256 (1 process)", *s, &self.mb(*s)),
            Err(e) => println!("  {:<42}skipped: {e}", "openssl dgst -sha256"),
        }
        row("read all segment files", self.read_s, &self.mb(self.read_s));
        row(
            "check_segment (1 thread, reading excluded)",
            self.check_s,
            &self.mb(self.check_s),
        );
        row(
            &format!("Tantivy alone ({TANTIVY_THREADS} threads, fields given)"),
            self.tantivy_s,
            &format!("{:.0} ev/s", self.eps(self.tantivy_s)),
        );
        if let Some(o) = self.tantivy_others_cpu_s {
            println!("  {:<42}{o:>8.2} s", "  other processes' cpu meanwhile");
        }
        println!("  {:<42}{}", "lnav", self.lnav);

        let http = self.pull_http.as_ref().ok();
        let header = http.map_or("http".to_string(), |(_, k)| format!("http ({k})"));
        println!("\npull{:>44}   {header}", "directory, full text");
        let cols: Vec<Option<&PullFigures>> = vec![self.pull_dir.as_ref(), http.map(|h| &h.0)];
        let line = |name: &str, f: &dyn Fn(&PullFigures) -> String| {
            let cells: Vec<String> = cols
                .iter()
                .map(|c| c.map_or_else(|| "-".to_string(), f))
                .collect();
            println!("  {name:<34}{:>12}   {}", cells[0], cells[1]);
        };
        line("events", &|p| p.events.to_string());
        line("chain intact", &|p| p.intact.to_string());
        line("total", &|p| format!("{:.2} s", p.timings.total_s));
        line("  events/s", &|p| format!("{:.0}", p.events_per_s));
        line("  MB/s", &|p| format!("{:.1}", p.mb_per_s));
        line("structured searchable after", &|p| {
            format!("{:.2} s", p.structured_ready_s)
        });
        line("  events/s", &|p| {
            format!("{:.0}", p.structured_events_per_s)
        });
        line("trust and listing", &|p| {
            format!("{:.2} s", p.timings.trust_s)
        });
        line("fetch (wall)", &|p| format!("{:.2} s", p.timings.fetch_s));
        line("  check time (summed over workers)", &|p| {
            format!("{:.2} s", p.timings.check_cpu_s)
        });
        line("  check MB per summed check-s", &|p| {
            format!("{:.0}", p.check_mb_per_cpu_s)
        });
        line("process cpu (all threads)", &|p| {
            p.process_cpu_s
                .map_or_else(|| "-".into(), |c| format!("{c:.2} s"))
        });
        line("other processes' cpu meanwhile", &|p| {
            p.others_cpu_s
                .map_or_else(|| "-".into(), |c| format!("{c:.2} s"))
        });
        line("verify (chain)", &|p| {
            format!("{:.3} s", p.timings.verify_s)
        });
        line("index (structured)", &|p| {
            format!("{:.2} s", p.timings.index_s)
        });
        line("full text", &|p| format!("{:.2} s", p.timings.fulltext_s));
        line("merge", &|p| format!("{:.2} s", p.timings.merge_s));
        if let Err(e) = &self.pull_http {
            println!("  http: {e}");
        }

        let r = self.ratios();
        println!("\nratios (directory pull)");
        let ratio = |name: &str, v: &Value| match v.as_f64() {
            Some(x) => println!("  {name:<52}{x:>8.2}"),
            None => println!("  {name:<52}{:>8}", "-"),
        };
        ratio(
            "structured events/s / Tantivy-alone events/s",
            &r["pull_structured_eps_over_tantivy_alone_eps"],
        );
        ratio(
            "check cpu time / total pull time",
            &r["check_cpu_over_total"],
        );
        ratio(
            "sha256 floor MB/s / check MB per summed check-s",
            &r["sha256_floor_over_check_throughput"],
        );
        ratio(
            "sha256 floor MB/s / check_segment 1-thread MB/s",
            &r["sha256_floor_over_check_one_thread"],
        );

        println!(
            "\nquery latency (ms){:>22}{:>8}{:>8}{:>8}{:>14}",
            "n", "p50", "p99", "max", "mean matched"
        );
        for q in &self.queries {
            println!(
                "  {:<32}{:>6}{:>8.2}{:>8.2}{:>8.2}{:>14.0}",
                q.kind, q.n, q.p50_ms, q.p99_ms, q.max_ms, q.mean_matched
            );
            if let Some((n, e)) = &q.error {
                println!("    {n} failed; first: {e}");
            }
        }
        println!("  (target: p99 < 50 ms)");

        println!("\nmatch totals against the generated data");
        for c in &self.sanity {
            let got = match &c.got {
                Ok(n) => n.to_string(),
                Err(e) => format!("error: {e}"),
            };
            let verdict = if c.ok() { "ok" } else { "WRONG" };
            println!(
                "  {verdict:<6}{:<44} expected {:>8}, got {got}",
                c.query, c.expected
            );
        }
    }

    fn mb(&self, secs: f64) -> String {
        let v = self.mbs(secs);
        if v >= 1000.0 {
            format!("{:.2} GB/s", v / 1000.0)
        } else {
            format!("{v:.0} MB/s")
        }
    }

    /// Writes the figures as JSON to `path`.
    pub fn write_json(&self, path: &Path) -> anyhow::Result<()> {
        let http = match &self.pull_http {
            Ok((f, kind)) => json!({"server": kind, "figures": f}),
            Err(e) => json!({"skipped": e}),
        };
        let v = json!({
            "date": self.date,
            "cores": self.cores,
            "events_requested": self.events_requested,
            "data": self.data,
            "baselines": {
                "openssl_sha256": match &self.openssl {
                    Ok(s) => json!({"s": s, "mb_per_s": self.mbs(*s)}),
                    Err(e) => json!({"skipped": e}),
                },
                "read": {"s": self.read_s, "mb_per_s": self.mbs(self.read_s)},
                "check_segment_one_thread": {"s": self.check_s, "mb_per_s": self.mbs(self.check_s)},
                "tantivy_alone": {
                    "threads": TANTIVY_THREADS,
                    "s": self.tantivy_s,
                    "events_per_s": self.eps(self.tantivy_s),
                    "others_cpu_s": self.tantivy_others_cpu_s,
                },
                "lnav": {"skipped": self.lnav},
            },
            "pull_dir": self.pull_dir,
            "pull_http": http,
            "ratios": self.ratios(),
            "queries": self.queries,
            "match_totals": self.sanity.iter().map(|c| json!({
                "query": c.query,
                "expected": c.expected,
                "got": match &c.got { Ok(n) => json!(n), Err(e) => json!({"error": e}) },
                "ok": c.ok(),
            })).collect::<Vec<_>>(),
        });
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(&v)? + "\n")?;
        Ok(())
    }
}

fn row(name: &str, secs: f64, throughput: &str) {
    println!("  {name:<42}{secs:>8.2} s{throughput:>14}");
}

/// `target/bench-pull.json` (under `CARGO_TARGET_DIR` when set).
pub fn json_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("bench-pull.json")
}
