//! Splits an input stream into records, one JSON object each.
//!
//! A record that arrives on one line is kept byte for byte. A record spanning several lines
//! (pretty-printed JSON) is compacted: whitespace outside strings is dropped, nothing else
//! changes. A `{"Records":[…]}` document (CloudTrail's delivery format) is split into its
//! records, each compacted. Lines that are not usable JSON are reported with their line number
//! and never stop the stream. Where a multi-line record ends is found from the lines' bracket
//! depths ([`super::lookahead`]), so every line is scanned once however hostile the input.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use super::lookahead::{End, Lookahead};

/// Longest multi-line record accepted (bytes), so that one unbalanced brace cannot swallow a
/// whole file into memory.
pub const MAX_MULTILINE_BYTES: usize = 64 << 20;

/// Longest single line accepted (bytes).
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// One record as it will be stored in a segment body (no LF inside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    /// The record's bytes: the input line as received, or compacted JSON.
    pub bytes: Vec<u8>,
    /// 1-based input line where the record starts.
    pub line: u64,
    /// Position inside a `Records` array, when the record came from one.
    pub index: Option<usize>,
}

/// What the reader yields: a record, or an input line it had to reject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadItem {
    /// A usable JSON object.
    Record(RawRecord),
    /// Input at `line` that is not a JSON object, with the reason.
    Bad {
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        reason: String,
    },
}

/// Iterator over the records of one input.
pub struct RecordReader<R> {
    inner: R,
    line_no: u64,
    /// Lines read but not yet turned into items (more than one only while a multi-line record
    /// is looked for).
    ahead: Lookahead,
    out: VecDeque<ReadItem>,
    split_records: bool,
    eof: bool,
}

impl<R: BufRead> RecordReader<R> {
    /// Reads `inner`; `split_records` turns `{"Records":[…]}` documents into their records.
    pub fn new(inner: R, split_records: bool) -> Self {
        RecordReader {
            inner,
            line_no: 0,
            ahead: Lookahead::default(),
            out: VecDeque::new(),
            split_records,
            eof: false,
        }
    }

    /// Reads the next input line (without LF) into `ahead`; false at the end of the input. An
    /// over-long line is reported as a bad item and skipped without being buffered.
    fn read_ahead(&mut self) -> io::Result<bool> {
        loop {
            if self.eof {
                return Ok(false);
            }
            if let Some((no, bytes)) = self.read_line()? {
                self.ahead.push(no, bytes);
                return Ok(true);
            }
        }
    }

    /// Reads one line; `None` when it was over-long (reported) or the input ended.
    fn read_line(&mut self) -> io::Result<Option<(u64, Vec<u8>)>> {
        let mut buf = Vec::new();
        let n = io::Read::by_ref(&mut self.inner)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            self.eof = true;
            return Ok(None);
        }
        self.line_no += 1;
        if self.line_no == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
            // A UTF-8 byte order mark marks the file's encoding; it is not part of the record.
            buf.drain(..3);
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
        } else if buf.len() > MAX_LINE_BYTES {
            self.skip_past_lf()?;
            self.out.push_back(ReadItem::Bad {
                line: self.line_no,
                reason: format!("line longer than {MAX_LINE_BYTES} bytes"),
            });
            return Ok(None);
        }
        Ok(Some((self.line_no, buf)))
    }

    /// Discards input up to and including the next LF, a buffer at a time.
    fn skip_past_lf(&mut self) -> io::Result<()> {
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                self.eof = true;
                return Ok(());
            }
            match memchr::memchr(b'\n', chunk) {
                Some(i) => {
                    self.inner.consume(i + 1);
                    return Ok(());
                }
                None => {
                    let n = chunk.len();
                    self.inner.consume(n);
                }
            }
        }
    }

    fn emit_object(&mut self, line: u64, bytes: Vec<u8>, compacted: bool) {
        if self.split_records {
            if let Some(records) = split_records(&bytes) {
                for (i, r) in records.into_iter().enumerate() {
                    self.out.push_back(ReadItem::Record(RawRecord {
                        bytes: r,
                        line,
                        index: Some(i),
                    }));
                }
                return;
            }
        }
        let bytes = if compacted {
            compact_json(&bytes)
        } else {
            bytes
        };
        self.out.push_back(ReadItem::Record(RawRecord {
            bytes,
            line,
            index: None,
        }));
    }

    fn step(&mut self) -> io::Result<bool> {
        if self.ahead.is_empty() && !self.read_ahead()? {
            return Ok(false);
        }
        let kind = classify(&self.ahead.front().expect("a line was read").bytes);
        if let LineKind::Start = kind {
            self.multi_line()?;
            return Ok(true);
        }
        let ahead = self.ahead.pop().expect("a line was read");
        let (line, bytes) = (ahead.no, ahead.bytes);
        let bad = |reason: String| ReadItem::Bad { line, reason };
        match kind {
            LineKind::Blank | LineKind::Start => {}
            LineKind::Object => self.emit_object(line, bytes, false),
            LineKind::NotUtf8 => self.out.push_back(bad("not valid UTF-8".into())),
            LineKind::NotObject => self.out.push_back(bad("not a JSON object".into())),
            LineKind::Invalid(e) => self.out.push_back(bad(format!("invalid JSON: {e}"))),
        }
        Ok(true)
    }

    /// Reads the record that starts at the first line read ahead (an object cut short at the
    /// line's end) up to the line where its brackets balance, and parses it whole. On failure
    /// only the start line is reported; the lines after it are read again, as they may hold
    /// good records.
    fn multi_line(&mut self) -> io::Result<()> {
        let start = self.ahead.front().expect("a start line").no;
        let too_long = || format!("multi-line record longer than {MAX_MULTILINE_BYTES} bytes");
        let mut from = self.ahead.first_seq();
        let failure = loop {
            let end = self.ahead.end_of_record(from).expect("a start line");
            let (End::Balanced(last) | End::Unbalanced(last) | End::NotYet { last, .. }) = end;
            let first = self.ahead.first_seq();
            let over = |upto: u64| self.ahead.span_len(upto) > MAX_MULTILINE_BYTES as u64;
            match end {
                // As when reading line by line: the limit is checked before the next line.
                End::Balanced(_) | End::Unbalanced(_) if last > first && over(last - 1) => {
                    break too_long();
                }
                End::Unbalanced(_) => break "unbalanced brackets".to_string(),
                End::Balanced(_) => match self.parse_joined(last) {
                    Ok(record) => {
                        self.emit_object(start, record, true);
                        return Ok(());
                    }
                    Err(reason) => break reason,
                },
                End::NotYet { .. } if over(last) => break too_long(),
                End::NotYet { resume, .. } => {
                    from = resume;
                    if !self.read_ahead()? {
                        break "record not terminated before end of input".to_string();
                    }
                }
            }
        };
        self.ahead.pop();
        self.out.push_back(ReadItem::Bad {
            line: start,
            reason: failure,
        });
        Ok(())
    }

    /// Parses the lines read ahead through `last` as one JSON value; when it is one, takes them
    /// out of `ahead` and returns them joined by LFs. The parse reads the lines in place and
    /// stops at the first error, so a failed candidate costs only as much as it is valid.
    fn parse_joined(&mut self, last: u64) -> Result<Vec<u8>, String> {
        {
            let mut de = serde_json::Deserializer::from_reader(self.ahead.reader(last));
            serde::Deserialize::deserialize(&mut de)
                .and_then(|IgnoredAny| de.end())
                .map_err(|e| format!("invalid multi-line JSON: {e}"))?;
        }
        // The streaming parser skips over strings without checking their UTF-8.
        if !self.ahead.all_utf8(last) {
            return Err("invalid multi-line JSON: not valid UTF-8".into());
        }
        let n = (last - self.ahead.first_seq() + 1) as usize;
        let mut record = Vec::with_capacity(self.ahead.span_len(last) as usize);
        for i in 0..n {
            if i > 0 {
                record.push(b'\n');
            }
            record.extend_from_slice(&self.ahead.pop().expect("line is buffered").bytes);
        }
        Ok(record)
    }
}

impl<R: BufRead> Iterator for RecordReader<R> {
    type Item = io::Result<ReadItem>;
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.out.pop_front() {
                return Some(Ok(item));
            }
            match self.step() {
                Ok(true) => continue,
                Ok(false) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// What one input line is on its own.
enum LineKind {
    /// Only whitespace: skipped.
    Blank,
    /// Not UTF-8.
    NotUtf8,
    /// A whole JSON object.
    Object,
    /// JSON, but not an object.
    NotObject,
    /// The start of an object that continues on the next lines.
    Start,
    /// Not JSON (the parser's message).
    Invalid(serde_json::Error),
}

fn classify(bytes: &[u8]) -> LineKind {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return LineKind::Blank;
    }
    if std::str::from_utf8(bytes).is_err() {
        return LineKind::NotUtf8;
    }
    match serde_json::from_slice::<&RawValue>(bytes) {
        Ok(raw) if raw.get().starts_with('{') => LineKind::Object,
        Ok(_) => LineKind::NotObject,
        Err(e) if e.is_eof() && first_non_ws(bytes) == Some(b'{') => LineKind::Start,
        Err(e) => LineKind::Invalid(e),
    }
}

fn first_non_ws(b: &[u8]) -> Option<u8> {
    b.iter().copied().find(|c| !c.is_ascii_whitespace())
}

/// Drops JSON whitespace outside strings; keys, order and values are unchanged.
pub fn compact_json(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let (mut in_str, mut esc) = (false, false);
    for &c in bytes {
        if in_str {
            out.push(c);
            match (esc, c) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
        } else if c == b'"' {
            in_str = true;
            out.push(c);
        } else if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            out.push(c);
        }
    }
    out
}

#[derive(Deserialize)]
struct RecordsDoc<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<&'a RawValue>,
}

/// The records of a `{"Records":[…]}` document (only key `Records`, every element an object),
/// each compacted; `None` for anything else.
fn split_records(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    if !bytes.windows(9).any(|w| w == b"\"Records\"") {
        return None;
    }
    let v: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(bytes).ok()?;
    if v.len() != 1 || !v.get("Records")?.is_array() {
        return None;
    }
    let doc: RecordsDoc = serde_json::from_slice(bytes).ok()?;
    if !doc.records.iter().all(|r| r.get().starts_with('{')) {
        return None;
    }
    Some(
        doc.records
            .iter()
            .map(|r| compact_json(r.get().as_bytes()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str, split: bool) -> Vec<ReadItem> {
        RecordReader::new(input.as_bytes(), split)
            .map(Result::unwrap)
            .collect()
    }

    fn rec(bytes: &str, line: u64, index: Option<usize>) -> ReadItem {
        ReadItem::Record(RawRecord {
            bytes: bytes.as_bytes().to_vec(),
            line,
            index,
        })
    }

    #[test]
    fn single_lines_are_kept_byte_for_byte() {
        let got = read("{ \"a\" : 1 }\n\n{\"b\":\"x y\"}", false);
        assert_eq!(
            got,
            vec![
                rec("{ \"a\" : 1 }", 1, None),
                rec("{\"b\":\"x y\"}", 3, None)
            ]
        );
    }

    #[test]
    fn multi_line_records_are_compacted_not_changed() {
        let got = read(
            "{\n  \"a\": \"s p a c e\",\n  \"n\": 1.50\n}\n{\"z\":2}\n",
            false,
        );
        assert_eq!(
            got,
            vec![
                rec(r#"{"a":"s p a c e","n":1.50}"#, 1, None),
                rec(r#"{"z":2}"#, 5, None)
            ]
        );
    }

    #[test]
    fn bad_lines_are_reported_and_do_not_swallow_good_ones() {
        let got = read("{\"a\":\n{\"b\":1}\nnot json\n[1]\n{\"c\":3}\n", false);
        assert_eq!(
            got,
            vec![
                ReadItem::Bad {
                    line: 1,
                    reason: got_reason(&got[0])
                },
                rec("{\"b\":1}", 2, None),
                ReadItem::Bad {
                    line: 3,
                    reason: got_reason(&got[2])
                },
                ReadItem::Bad {
                    line: 4,
                    reason: "not a JSON object".into()
                },
                rec("{\"c\":3}", 5, None),
            ]
        );
    }

    fn got_reason(i: &ReadItem) -> String {
        match i {
            ReadItem::Bad { reason, .. } => reason.clone(),
            _ => panic!("expected a bad item, got {i:?}"),
        }
    }

    #[test]
    fn cloudtrail_documents_are_split() {
        let doc = "{\"Records\": [\n {\"eventName\": \"A\"},\n {\"eventName\": \"B\", \"x\": [1, 2]}\n]}\n";
        let got = read(doc, true);
        assert_eq!(
            got,
            vec![
                rec(r#"{"eventName":"A"}"#, 1, Some(0)),
                rec(r#"{"eventName":"B","x":[1,2]}"#, 1, Some(1))
            ]
        );
        // Without splitting, the document is one (compacted) record.
        assert_eq!(read(doc, false).len(), 1);
    }

    #[test]
    fn a_leading_byte_order_mark_is_not_part_of_the_record() {
        assert_eq!(
            read("\u{feff}{\"a\":1}\n", false),
            vec![rec("{\"a\":1}", 1, None)]
        );
    }

    #[test]
    fn invalid_utf8_is_reported() {
        let items: Vec<_> = RecordReader::new(&b"{\"a\":\"\xff\"}\n"[..], false)
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            items,
            vec![ReadItem::Bad {
                line: 1,
                reason: "not valid UTF-8".into()
            }]
        );
    }
}
