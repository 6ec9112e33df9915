//! The figures of one run: printed as tables and written as JSON.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::driver::{KeySamples, Latencies, REQUEST_KINDS};
use crate::machine::CpuUse;
use crate::session::{FirstFrame, KEY_KINDS, Session};
use crate::setup::{Dataset, target_dir};
use crate::stats::Stat;

/// First frame with data, target (ms).
pub const FIRST_FRAME_TARGET_MS: f64 = 300.0;
/// Cursor and zoom keystroke-to-frame p99, target (ms).
pub const KEY_TARGET_MS: f64 = 16.0;

/// The figures at one terminal size.
pub struct AtSize {
    /// Columns and rows.
    pub size: (u16, u16),
    /// Opening.
    pub first: FirstFrame,
    /// Keystrokes.
    pub session: Session,
    /// The same keystrokes with four metric lines shown.
    pub with_metrics: Session,
}

/// Everything measured.
pub struct Report {
    /// When.
    pub date: String,
    /// Cores.
    pub cores: usize,
    /// CPU model.
    pub cpu: String,
    /// Per size.
    pub sizes: Vec<AtSize>,
    /// CPU use during the measurements (setup excluded).
    pub cpu_use: CpuUse,
}

fn ms(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

fn line(name: &str, s: &Stat, extra: &str) {
    println!(
        "    {name:<44}{:>5}{:>9}{:>9}{:>9}{:>10}  {extra}",
        s.n,
        ms(s.p50_ms),
        ms(s.p99_ms),
        ms(s.max_ms),
        s.on_core.map_or("-".into(), |c| ms(c.p99))
    );
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn key_json(k: &KeySamples) -> Value {
    json!({
        "keystroke_to_frame": k.total.stat(),
        "on_key": k.update.stat(),
        "draw": k.draw.stat(),
        "requests_sent": k.requests,
    })
}

fn latencies_json(l: &Latencies) -> Value {
    REQUEST_KINDS
        .iter()
        .zip(&l.by_kind)
        .filter(|(_, s)| s.len() > 0)
        .map(|(k, s)| json!({"request": k, "latency": s.stat()}))
        .collect()
}

impl Report {
    /// The worker's answers to keystrokes, over every size.
    fn key_latencies(&self) -> Latencies {
        let mut l = Latencies::default();
        for s in &self.sizes {
            l.extend(&s.session.worker);
        }
        l
    }

    /// Prints the tables.
    pub fn print(&self, d: &Dataset) {
        println!(
            "\ntrailscope console benchmark: {} events, {} cores ({}), {}",
            d.meta.events, self.cores, self.cpu, self.date
        );
        let made = match &d.reused {
            Some(p) => format!("reused from {}", p.display()),
            None => format!(
                "generated and sealed in {:.1} s, pulled (full text) in {:.1} s",
                d.meta.generate_s, d.meta.pull_s.total
            ),
        };
        println!("setup, not part of the figures: {made}");
        println!(
            "the up-to-date pull `open` starts in the background: {:.2} s (not awaited by any frame)",
            d.background_pull.1
        );
        if let (Some(p), Some(o)) = (self.cpu_use.process_s, self.cpu_use.others_s) {
            println!(
                "during the measurements ({:.0} s): this process used {p:.0} CPU-s, other processes {o:.0} CPU-s",
                self.cpu_use.wall_s
            );
        }
        println!(
            "on core p99: p99 of the wall time less the time the thread waited for a core (what the code costs on an idle machine)"
        );
        let head = |title: &str| {
            println!(
                "\n{title:<48}{:>5}{:>9}{:>9}{:>9}{:>10}",
                "n", "p50", "p99", "max", "on core"
            );
        };

        head("first frame after open (ms)");
        for s in &self.sizes {
            let f = &s.first;
            println!("  {}×{}", s.size.0, s.size.1);
            line("(a) frame at once, nothing loaded", &f.blank.stat(), "");
            let names = [
                "(b) worker: reload",
                "    extent",
                "    histogram",
                "    rows",
            ];
            for (i, name) in names.iter().enumerate() {
                line(name, &f.worker.by_kind[i].stat(), "");
            }
            line("    (b) in all", &f.worker_total.stat(), "");
            line("(c) frame with histogram and table", &f.filled.stat(), "");
            let t = f.total.stat();
            line(
                "(a)+(b)+(c) first frame with data",
                &t,
                &format!(
                    "target < {FIRST_FRAME_TARGET_MS:.0} ms: {}",
                    verdict(t.p99_ms < FIRST_FRAME_TARGET_MS)
                ),
            );
            println!(
                "    {:<44}{:>32}",
                "the very first open in the process",
                f.total
                    .first()
                    .map_or("-".into(), |x| format!("{} ms", ms(x)))
            );
            if f.not_filled > 0 {
                println!("    {} opens ended without histogram or rows", f.not_filled);
            }
        }

        head("keystroke to frame, worker not awaited (ms)");
        for s in &self.sizes {
            println!("  {}×{}", s.size.0, s.size.1);
            for (i, name) in KEY_KINDS.iter().enumerate() {
                let k = &s.session.keys[i];
                let st = k.total.stat();
                let mut extra = format!("{} requests", k.requests);
                if i <= 2 {
                    extra.push_str(&format!(
                        "; target p99 < {KEY_TARGET_MS:.0} ms: {}",
                        verdict(st.p99_ms < KEY_TARGET_MS)
                    ));
                }
                line(name, &st, &extra);
            }
            line("every keystroke", &s.session.all.total.stat(), "");
            line("  of which on_key", &s.session.all.update.stat(), "");
            line("  of which draw", &s.session.all.draw.stat(), "");
            line(
                "frame once the answers are in (no worker)",
                &s.session.after_answers.stat(),
                "",
            );
        }

        head("the same keystrokes with 4 metrics shown (ms)");
        for s in &self.sizes {
            println!("  {}×{}", s.size.0, s.size.1);
            for (i, name) in KEY_KINDS.iter().enumerate().take(3) {
                let st = s.with_metrics.keys[i].total.stat();
                let extra = format!(
                    "target p99 < {KEY_TARGET_MS:.0} ms: {}",
                    verdict(st.p99_ms < KEY_TARGET_MS)
                );
                line(name, &st, &extra);
            }
            line("every keystroke", &s.with_metrics.all.total.stat(), "");
            line("  of which draw", &s.with_metrics.all.draw.stat(), "");
        }

        head("query latency: worker answers to those keys (ms)");
        println!("  both sizes");
        let l = self.key_latencies();
        for (name, s) in REQUEST_KINDS.iter().zip(&l.by_kind) {
            if s.len() > 0 {
                let st = s.stat();
                line(name, &st, "");
                if let Some(w) = &st.slowest {
                    println!("      slowest: {w}");
                }
            }
        }
    }

    /// Writes the figures as JSON to `path`.
    pub fn write_json(&self, d: &Dataset, path: &Path) -> anyhow::Result<()> {
        let sizes: Vec<Value> = self
            .sizes
            .iter()
            .map(|s| {
                let f = &s.first;
                let keys: serde_json::Map<String, Value> = KEY_KINDS
                    .iter()
                    .zip(&s.session.keys)
                    .map(|(n, k)| (n.to_string(), key_json(k)))
                    .collect();
                json!({
                    "size": [s.size.0, s.size.1],
                    "first_frame": {
                        "opens": f.total.len(),
                        "a_blank_frame": f.blank.stat(),
                        "b_worker": latencies_json(&f.worker),
                        "b_worker_total": f.worker_total.stat(),
                        "c_filled_frame": f.filled.stat(),
                        "total_with_data": f.total.stat(),
                        "first_open_total_ms": f.total.first(),
                        "opens_not_filled": f.not_filled,
                    },
                    "keystrokes": keys,
                    "keystrokes_with_4_metrics": KEY_KINDS
                        .iter()
                        .zip(&s.with_metrics.keys)
                        .map(|(n, k)| (n.to_string(), key_json(k)))
                        .collect::<serde_json::Map<String, Value>>(),
                    "every_keystroke": key_json(&s.session.all),
                    "frame_after_answers": s.session.after_answers.stat(),
                    "query_latency": latencies_json(&s.session.worker),
                })
            })
            .collect();
        let v = json!({
            "date": self.date,
            "cores": self.cores,
            "cpu": self.cpu,
            "events": d.meta.events,
            "setup": {
                "reused": d.reused,
                "generate_and_seal_s": d.meta.generate_s,
                "pull_s": d.meta.pull_s,
                "background_pull_up_to_date_s": d.background_pull.1,
            },
            "cpu_during_measurements": self.cpu_use,
            "targets": {
                "first_frame_with_data_ms": FIRST_FRAME_TARGET_MS,
                "cursor_zoom_p99_ms": KEY_TARGET_MS,
            },
            "sizes": sizes,
            "query_latency_both_sizes": latencies_json(&self.key_latencies()),
        });
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(&v)? + "\n")?;
        Ok(())
    }
}

/// `target/bench-console.json` (under `CARGO_TARGET_DIR` when set).
pub fn json_path() -> PathBuf {
    target_dir().join("bench-console.json")
}
