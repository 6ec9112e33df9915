//! The machine the figures come from, and how busy the rest of it was meanwhile (on a shared
//! machine every figure is low by roughly the share others used).

/// The CPU model from `/proc/cpuinfo` (Linux), else "unknown".
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// User plus system CPU seconds of this process so far (Linux; `None` elsewhere). Assumes the
/// usual 100 clock ticks per second.
pub fn process_cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// Busy (not idle, not waiting for I/O) CPU seconds of the whole machine so far, from
/// `/proc/stat` (Linux; 100 ticks per second assumed).
pub fn machine_busy_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .map(|t| t.parse().unwrap_or(0))
        .collect();
    let total: u64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3)? + ticks.get(4)?;
    Some((total - idle) as f64 / 100.0)
}

/// CPU use while something ran: this process's and everyone else's, in seconds.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct CpuUse {
    /// Wall seconds.
    pub wall_s: f64,
    /// This process (all threads).
    pub process_s: Option<f64>,
    /// Other processes.
    pub others_s: Option<f64>,
}

/// Measures [`CpuUse`] from [`CpuMeter::start`] to [`CpuMeter::stop`].
pub struct CpuMeter {
    started: std::time::Instant,
    process: Option<f64>,
    busy: Option<f64>,
}

impl CpuMeter {
    /// Starts measuring.
    pub fn start() -> CpuMeter {
        CpuMeter {
            started: std::time::Instant::now(),
            process: process_cpu_s(),
            busy: machine_busy_s(),
        }
    }

    /// What was used since the start.
    pub fn stop(&self) -> CpuUse {
        let process_s = self.process.zip(process_cpu_s()).map(|(a, b)| b - a);
        let busy = self.busy.zip(machine_busy_s()).map(|(a, b)| b - a);
        CpuUse {
            wall_s: self.started.elapsed().as_secs_f64(),
            process_s,
            others_s: busy.zip(process_s).map(|(b, p)| (b - p).max(0.0)),
        }
    }
}
