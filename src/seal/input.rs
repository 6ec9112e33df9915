//! Reading seal inputs: files (plain or gzip) and standard input, in two passes (validate, then
//! seal) so that a rejected record never leaves an input half sealed.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;

use anyhow::Context;
use flate2::read::MultiGzDecoder;

use crate::event::InputFormat;
use crate::event::reader::{ReadItem, RecordReader};

use super::writer::{Rejected, Sealer};

/// One seal input.
#[derive(Clone, Debug)]
pub enum Input {
    /// A file; gzip is recognised by its magic bytes.
    File(PathBuf),
    /// Standard input (spooled to a temporary file first).
    Stdin,
}

/// What a batch seal did.
#[derive(Debug, Default)]
pub struct SealReport {
    /// Records accepted.
    pub accepted: u64,
    /// Records rejected, with where and why.
    pub rejected: Vec<Rejected>,
    /// Segments written.
    pub segments: u64,
    /// Whether anything was sealed (false when rejects stopped the run).
    pub sealed: bool,
}

struct Opened {
    name: String,
    reader: Box<dyn BufRead>,
}

/// Opens the first `len` bytes of `path` (both passes read exactly the same bytes, even if the
/// file grows meanwhile).
fn open_path(path: &PathBuf, name: String, len: u64) -> anyhow::Result<Opened> {
    let f = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut br = BufReader::with_capacity(1 << 20, f.take(len));
    let gz = br
        .fill_buf()
        .map(|b| b.starts_with(&[0x1f, 0x8b]))
        .unwrap_or(false);
    let reader: Box<dyn BufRead> = if gz {
        Box::new(BufReader::with_capacity(1 << 20, MultiGzDecoder::new(br)))
    } else {
        Box::new(br)
    };
    Ok(Opened { name, reader })
}

/// Spools stdin so it can be read twice.
fn spool_stdin() -> anyhow::Result<tempfile::NamedTempFile> {
    let mut tmp = tempfile::NamedTempFile::new().context("creating a spool file for stdin")?;
    io::copy(&mut io::stdin().lock(), tmp.as_file_mut()).context("reading stdin")?;
    Ok(tmp)
}

fn location(name: &str, line: u64, index: Option<usize>) -> String {
    match index {
        Some(i) => format!("{name}:{line} (Records[{i}])"),
        None => format!("{name}:{line}"),
    }
}

/// Seals `inputs` through `sealer`: validates everything, then (if nothing was rejected or
/// `skip_bad`) appends the records and signs a checkpoint.
pub fn seal_inputs(
    sealer: &mut Sealer,
    inputs: &[Input],
    skip_bad: bool,
) -> anyhow::Result<SealReport> {
    let mut spool = None;
    let mut spools = Vec::new();
    let mut paths: Vec<(PathBuf, String)> = Vec::new();
    for i in inputs {
        match i {
            Input::File(p) => {
                let meta =
                    std::fs::metadata(p).with_context(|| format!("opening {}", p.display()))?;
                if meta.is_dir() {
                    anyhow::bail!("{} is a directory, not an input file", p.display());
                }
                if meta.is_file() {
                    paths.push((p.clone(), p.display().to_string()));
                } else {
                    // A pipe or device (`<(zcat …)`, /dev/stdin) can be read only once.
                    let mut tmp =
                        tempfile::NamedTempFile::new().context("creating a spool file")?;
                    let mut src =
                        File::open(p).with_context(|| format!("opening {}", p.display()))?;
                    io::copy(&mut src, tmp.as_file_mut())
                        .with_context(|| format!("reading {}", p.display()))?;
                    paths.push((tmp.path().to_path_buf(), p.display().to_string()));
                    spools.push(tmp);
                }
            }
            Input::Stdin => {
                if spool.is_none() {
                    spool = Some(spool_stdin()?);
                }
                paths.push((
                    spool.as_ref().expect("spooled").path().to_path_buf(),
                    "<stdin>".into(),
                ));
            }
        }
    }
    let split = matches!(
        sealer.mapping().format,
        InputFormat::Auto | InputFormat::Cloudtrail
    );
    let mut report = SealReport::default();
    let mut lens = Vec::with_capacity(paths.len());
    for (path, name) in &paths {
        lens.push(
            std::fs::metadata(path)
                .with_context(|| format!("opening {name}"))?
                .len(),
        );
    }

    // Pass 1: validate.
    for ((path, name), &len) in paths.iter().zip(&lens) {
        let o = open_path(path, name.clone(), len)?;
        for item in RecordReader::new(o.reader, split) {
            match item.with_context(|| format!("reading {}", o.name))? {
                ReadItem::Record(r) => match sealer.mapping().map_record(&r.bytes) {
                    Ok(_) => report.accepted += 1,
                    Err(e) => report.rejected.push(Rejected {
                        location: location(&o.name, r.line, r.index),
                        reason: e.to_string(),
                    }),
                },
                ReadItem::Bad { line, reason } => report.rejected.push(Rejected {
                    location: location(&o.name, line, None),
                    reason,
                }),
            }
        }
    }
    if !report.rejected.is_empty() && !skip_bad {
        return Ok(report);
    }
    if report.accepted == 0 {
        anyhow::bail!(
            "no events in the input{}",
            if report.rejected.is_empty() {
                ""
            } else {
                " (all records were rejected)"
            }
        );
    }

    // Pass 2: seal.
    let before = sealer.segments_written;
    let mut pushed = 0u64;
    for ((path, name), &len) in paths.iter().zip(&lens) {
        let o = open_path(path, name.clone(), len)?;
        for item in RecordReader::new(o.reader, split) {
            if let ReadItem::Record(r) = item.with_context(|| format!("reading {}", o.name))? {
                if let Ok(t) = sealer.mapping().record_time(&r.bytes) {
                    sealer.push(r.bytes, t)?;
                    pushed += 1;
                }
            }
        }
    }
    sealer.finish()?;
    if pushed != report.accepted {
        anyhow::bail!(
            "the input changed between validation and sealing: {} records validated, {pushed} sealed; run `trailscope verify` and check the input",
            report.accepted
        );
    }
    report.segments = sealer.segments_written - before;
    report.sealed = true;
    Ok(report)
}
