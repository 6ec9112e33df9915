//! `seal --follow FILE`: tails a growing file and seals every N events or S seconds.
//!
//! Only one-record-per-line input is followed (how live audit logs are written). A partial last
//! line waits for its LF. A file that shrinks (rotated or truncated in place) is read again
//! from its start. SIGINT/SIGTERM seal what is pending, sign a checkpoint and stop.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::event::InputFormat;
use crate::event::reader::{ReadItem, RecordReader};

use super::writer::{Rejected, Sealer};

/// How often the file is polled for new data.
const POLL: Duration = Duration::from_millis(200);

/// Default flush interval in follow mode when `--segment-seconds` is not given.
pub const DEFAULT_FOLLOW_SECONDS: u64 = 10;

/// Tails `path` until SIGINT/SIGTERM (or `stop` is set). Rejected lines are reported through
/// `on_reject` and skipped. Returns the number of events sealed.
pub fn follow_file(
    sealer: &mut Sealer,
    path: &Path,
    flush_every: Duration,
    stop: Arc<AtomicBool>,
    mut on_reject: impl FnMut(Rejected),
    mut on_segment: impl FnMut(u64),
) -> anyhow::Result<u64> {
    signal_hook::flag::register(signal_hook::consts::SIGTERM, stop.clone())?;
    signal_hook::flag::register(signal_hook::consts::SIGINT, stop.clone())?;
    let name = path.display().to_string();
    let mut file = File::open(path).with_context(|| format!("opening {name}"))?;
    let mut offset: u64 = 0;
    let mut line_no: u64 = 0;
    let mut partial: Vec<u8> = Vec::new();
    let mut first_pending: Option<Instant> = None;
    let split = matches!(
        sealer.mapping().format,
        InputFormat::Auto | InputFormat::Cloudtrail
    );
    let mut buf = vec![0u8; 1 << 16];
    let start_events = sealer.events_sealed;
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("reading {name}"))?;
        if n > 0 {
            offset += n as u64;
            partial.extend_from_slice(&buf[..n]);
            while let Some(nl) = partial.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = partial.drain(..=nl).collect();
                line_no += 1;
                for item in RecordReader::new(&line[..], split) {
                    match item? {
                        ReadItem::Record(r) => match sealer.mapping().map_record(&r.bytes) {
                            Ok(ev) => {
                                first_pending.get_or_insert_with(Instant::now);
                                let before = sealer.segments_written;
                                sealer.push(r.bytes, ev.time)?;
                                if sealer.segments_written > before {
                                    sealer.checkpoint()?;
                                    on_segment(sealer.segments_written);
                                    first_pending = (sealer.pending() > 0).then(Instant::now);
                                }
                            }
                            Err(e) => on_reject(Rejected {
                                location: format!("{name}:{line_no}"),
                                reason: e.to_string(),
                            }),
                        },
                        ReadItem::Bad { reason, .. } => on_reject(Rejected {
                            location: format!("{name}:{line_no}"),
                            reason,
                        }),
                    }
                }
            }
            continue;
        }
        let stopping = stop.load(Ordering::Relaxed);
        let due = first_pending.is_some_and(|t| t.elapsed() >= flush_every);
        if (due || stopping) && sealer.flush()?.is_some() {
            sealer.checkpoint()?;
            on_segment(sealer.segments_written);
            first_pending = None;
        }
        if stopping {
            break;
        }
        std::thread::sleep(POLL);
        // Rotation or truncation: start over at the beginning.
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.len() < offset {
                file = File::open(path).with_context(|| format!("reopening {name}"))?;
                file.seek(SeekFrom::Start(0))?;
                offset = 0;
                partial.clear();
            }
        }
    }
    Ok(sealer.events_sealed - start_events)
}
