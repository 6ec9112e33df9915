//! Reading seal inputs: files (plain or gzip) and standard input, in two passes (validate, then
//! seal) so that a rejected record never leaves an input half sealed.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
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

fn open_path(path: &PathBuf, name: String) -> anyhow::Result<Opened> {
    let f = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        anyhow::bail!("{} is a directory, not an input file", path.display());
    }
    let mut br = BufReader::with_capacity(1 << 20, f);
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
    let mut paths: Vec<(PathBuf, String)> = Vec::new();
    for i in inputs {
        match i {
            Input::File(p) => paths.push((p.clone(), p.display().to_string())),
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

    // Pass 1: validate.
    for (path, name) in &paths {
        let o = open_path(path, name.clone())?;
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
    for (path, name) in &paths {
        let o = open_path(path, name.clone())?;
        for item in RecordReader::new(o.reader, split) {
            if let ReadItem::Record(r) = item.with_context(|| format!("reading {}", o.name))? {
                if let Ok(t) = sealer.mapping().record_time(&r.bytes) {
                    sealer.push(r.bytes, t)?;
                }
            }
        }
    }
    sealer.finish()?;
    report.segments = sealer.segments_written - before;
    report.sealed = true;
    Ok(report)
}
