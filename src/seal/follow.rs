//! `seal --follow FILE`: tails a growing file and seals every N events or S seconds.
//!
//! Only one-record-per-line input is followed (how live audit logs are written). A partial last
//! line waits for its LF. A file that shrinks (rotated or truncated in place) is read again
//! from its start. SIGINT/SIGTERM seal what is pending, sign a checkpoint and stop.
//!
//! Resuming: after every segment, the position up to which every line is sealed is saved in a
//! [`FollowCursor`] (under the trailscope home, keyed by store and file). A restarted follower
//! continues there instead of sealing the file again. The cursor is written just after the
//! segment (before its checkpoint), so a crash between the two can repeat at most that one
//! segment's lines.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::event::InputFormat;
use crate::event::reader::{MAX_LINE_BYTES, ReadItem, RecordReader};

use super::writer::{Rejected, Sealer};

/// How often the file is polled for new data.
const POLL: Duration = Duration::from_millis(200);

/// Default flush interval in follow mode when `--segment-seconds` is not given.
pub const DEFAULT_FOLLOW_SECONDS: u64 = 10;

/// Where a follower stopped: every line before `offset` is sealed (or was rejected).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FollowPosition {
    /// Byte offset just after the last sealed line.
    pub offset: u64,
    /// Number of lines before `offset`.
    pub line: u64,
    /// Inode of the followed file (0 where unknown), to notice rotation.
    pub inode: u64,
}

/// The saved position of one (store, file) follower.
pub struct FollowCursor {
    path: PathBuf,
}

impl FollowCursor {
    /// The cursor for following `file` into the store at `store_location`, kept under `home`.
    pub fn new(home: &Path, store_location: &str, file: &Path) -> FollowCursor {
        let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        let key =
            crate::segment::sha256(format!("{store_location}\n{}", file.display()).as_bytes());
        FollowCursor {
            path: home
                .join("follow")
                .join(format!("{}.json", &key.to_hex()[..32])),
        }
    }

    /// The saved position, if any (an unreadable cursor is reported, not ignored).
    pub fn load(&self) -> anyhow::Result<Option<FollowPosition>> {
        match std::fs::read(&self.path) {
            Ok(b) => Ok(Some(serde_json::from_slice(&b).with_context(|| {
                format!(
                    "follow cursor {} is corrupt (delete it to start over)",
                    self.path.display()
                )
            })?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", self.path.display())),
        }
    }

    /// Saves `pos` atomically.
    pub fn save(&self, pos: &FollowPosition) -> anyhow::Result<()> {
        let dir = self.path.parent().expect("cursor has a directory");
        crate::home::create_private_dir(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, &serde_json::to_vec(pos)?)?;
        tmp.persist(&self.path)
            .map_err(|e| anyhow::anyhow!("writing {}: {}", self.path.display(), e.error))?;
        Ok(())
    }

    /// Forgets the saved position.
    pub fn clear(&self) -> anyhow::Result<()> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}

/// Records `pos` in the cursor, when there is one.
fn save(cursor: Option<&FollowCursor>, pos: &FollowPosition) -> anyhow::Result<()> {
    cursor.map_or(Ok(()), |c| c.save(pos))
}

fn inode_of(meta: &std::fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::ino(meta)
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        0
    }
}

/// Tails `path` until SIGINT/SIGTERM (or `stop` is set), starting where `cursor` says the last
/// run stopped (when given). Rejected lines are reported through `on_reject` and skipped; notes
/// (resuming, an unfinished last line) through `on_note`. Returns the number of events sealed.
#[allow(clippy::too_many_arguments)]
pub fn follow_file(
    sealer: &mut Sealer,
    path: &Path,
    flush_every: Duration,
    stop: Arc<AtomicBool>,
    cursor: Option<&FollowCursor>,
    mut on_reject: impl FnMut(Rejected),
    mut on_segment: impl FnMut(u64),
    mut on_note: impl FnMut(String),
) -> anyhow::Result<u64> {
    signal_hook::flag::register(signal_hook::consts::SIGTERM, stop.clone())?;
    signal_hook::flag::register(signal_hook::consts::SIGINT, stop.clone())?;
    let name = path.display().to_string();
    let mut file = File::open(path).with_context(|| format!("opening {name}"))?;
    let meta = file.metadata().with_context(|| format!("reading {name}"))?;
    let mut inode = inode_of(&meta);
    let mut offset: u64 = 0;
    let mut line_no: u64 = 0;
    if let Some(pos) = cursor.map(FollowCursor::load).transpose()?.flatten() {
        if pos.inode == inode && pos.offset <= meta.len() {
            file.seek(SeekFrom::Start(pos.offset))?;
            offset = pos.offset;
            line_no = pos.line;
            on_note(format!(
                "resuming {name} after line {} (byte {})",
                pos.line, pos.offset
            ));
        } else {
            on_note(format!(
                "{name} was replaced or truncated since the last run: reading it from the start"
            ));
        }
    }
    let mut overlong = false;
    let mut saved = FollowPosition {
        offset,
        line: line_no,
        inode,
    };
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
            let mut chunk = &buf[..n];
            if overlong {
                // Drop the rest of an over-long line up to its LF.
                match memchr::memchr(b'\n', chunk) {
                    Some(nl) => {
                        chunk = &chunk[nl + 1..];
                        overlong = false;
                    }
                    None => chunk = &[],
                }
            }
            partial.extend_from_slice(chunk);
            if !overlong
                && partial.len() > MAX_LINE_BYTES
                && memchr::memchr(b'\n', &partial).is_none()
            {
                line_no += 1;
                on_reject(Rejected {
                    location: format!("{name}:{line_no}"),
                    reason: format!("line longer than {MAX_LINE_BYTES} bytes"),
                });
                partial.clear();
                overlong = true;
            }
            while let Some(nl) = memchr::memchr(b'\n', &partial) {
                let line: Vec<u8> = partial.drain(..=nl).collect();
                line_no += 1;
                let consumed = offset - partial.len() as u64;
                let mut sealed_any = false;
                for item in RecordReader::new(&line[..], split) {
                    match item? {
                        ReadItem::Record(r) => match sealer.mapping().map_record(&r.bytes) {
                            Ok(ev) => {
                                first_pending.get_or_insert_with(Instant::now);
                                let before = sealer.segments_written;
                                sealer.push(r.bytes, ev.time)?;
                                if sealer.segments_written > before {
                                    sealed_any = true;
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
                // The position first, then the checkpoint: the sooner it follows the segment, the
                // smaller the window in which a kill makes the next run seal the lines again.
                if sealer.pending() == 0 && consumed != saved.offset {
                    saved = FollowPosition {
                        offset: consumed,
                        line: line_no,
                        inode,
                    };
                    save(cursor, &saved)?;
                }
                if sealed_any {
                    sealer.checkpoint()?;
                    on_segment(sealer.segments_written);
                }
            }
            continue;
        }
        let stopping = stop.load(Ordering::Relaxed);
        let due = first_pending.is_some_and(|t| t.elapsed() >= flush_every);
        if (due || stopping) && sealer.flush()?.is_some() {
            first_pending = None;
            let consumed = offset - partial.len() as u64;
            saved = FollowPosition {
                offset: consumed,
                line: line_no,
                inode,
            };
            save(cursor, &saved)?;
            sealer.checkpoint()?;
            on_segment(sealer.segments_written);
        }
        if stopping {
            if !partial.is_empty() {
                on_note(format!(
                    "{name}:{}: last line has no LF yet; not sealed (a later run resumes before it)",
                    line_no + 1
                ));
            }
            break;
        }
        std::thread::sleep(POLL);
        // Rotation or truncation: start over at the beginning.
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.len() < offset || inode_of(&meta) != inode {
                file = File::open(path).with_context(|| format!("reopening {name}"))?;
                inode = inode_of(&file.metadata()?);
                offset = 0;
                line_no = 0;
                partial.clear();
                on_note(format!(
                    "{name} was rotated or truncated: reading it from the start"
                ));
            }
        }
    }
    Ok(sealer.events_sealed - start_events)
}
