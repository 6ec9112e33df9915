//! Input lines read ahead by [`RecordReader`](super::reader::RecordReader), with the bracket
//! depth profile that says where a multi-line record starting at any of them would end.
//!
//! A record spanning several lines ends at the first line after which its brackets balance
//! (or close more than they opened). Finding that end by scanning forward from every candidate
//! start made a hostile input quadratic: `{` on each of 100 000 lines meant 100 000 scans of
//! the rest of the file. Here every line is scanned once, when it is read: its net bracket count
//! gives the running depth `P` after it, and each line links to the next line whose `P` is
//! strictly lower (a monotonic stack). The end of a record starting at line `j` is the first
//! line `e ≥ j` with `P(e) ≤ P(j-1)`; following the links from `j` reaches it in at most
//! `P(j) - P(j-1)` steps, which is bounded by the length of line `j`.
//!
//! Strings are tracked within a line only: JSON strings cannot hold a raw line break, so a
//! valid record never has one open at a line's end.

use std::collections::VecDeque;
use std::io;

/// One line read ahead.
pub(super) struct Ahead {
    /// 1-based input line number.
    pub no: u64,
    /// The line, without its LF.
    pub bytes: Vec<u8>,
    /// Bracket depth after the line before this one.
    pub depth_before: i64,
    /// Bracket depth after this line.
    pub depth: i64,
    /// Bytes of all earlier lines, one LF each included.
    offset: u64,
    /// The next line (by sequence number) with a lower `depth`, once one has been read.
    next_lower: Option<u64>,
}

/// The lines read ahead, in order; sequence numbers count every buffered line from 0.
#[derive(Default)]
pub(super) struct Lookahead {
    lines: VecDeque<Ahead>,
    /// Sequence number of `lines[0]`.
    first: u64,
    /// Buffered lines still waiting for their `next_lower`, oldest first, with non-decreasing
    /// depth.
    waiting: VecDeque<u64>,
    depth: i64,
    offset: u64,
}

/// Net count of `{`/`[` minus `}`/`]` outside strings in one line.
fn line_delta(bytes: &[u8]) -> i64 {
    let (mut depth, mut in_str, mut esc) = (0i64, false, false);
    for &c in bytes {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// How a multi-line record starting at the first buffered line ends.
#[derive(Clone, Copy, Debug)]
pub(super) enum End {
    /// Its brackets balance after the line with this sequence number.
    Balanced(u64),
    /// More closes than opens after the line with this sequence number.
    Unbalanced(u64),
    /// The buffer ends before the record does: read more lines (or the record is not
    /// terminated), then look again from `resume`.
    NotYet {
        /// The last buffered line.
        last: u64,
        /// Where to continue the search once more lines are read: the lines before it cannot
        /// end the record.
        resume: u64,
    },
}

impl Lookahead {
    /// Whether no line is buffered.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The first buffered line.
    pub fn front(&self) -> Option<&Ahead> {
        self.lines.front()
    }

    /// Sequence number of the first buffered line.
    pub fn first_seq(&self) -> u64 {
        self.first
    }

    fn at(&self, seq: u64) -> &Ahead {
        &self.lines[usize::try_from(seq - self.first).expect("buffer fits in memory")]
    }

    fn at_mut(&mut self, seq: u64) -> &mut Ahead {
        &mut self.lines[usize::try_from(seq - self.first).expect("buffer fits in memory")]
    }

    /// Appends a line read from the input.
    pub fn push(&mut self, no: u64, bytes: Vec<u8>) {
        let seq = self.first + self.lines.len() as u64;
        let depth_before = self.depth;
        self.depth = depth_before.saturating_add(line_delta(&bytes));
        let offset = self.offset;
        self.offset += bytes.len() as u64 + 1;
        while let Some(&w) = self.waiting.back() {
            if self.at(w).depth <= self.depth {
                break;
            }
            self.at_mut(w).next_lower = Some(seq);
            self.waiting.pop_back();
        }
        self.waiting.push_back(seq);
        self.lines.push_back(Ahead {
            no,
            bytes,
            depth_before,
            depth: self.depth,
            offset,
            next_lower: None,
        });
    }

    /// Removes and returns the first buffered line.
    pub fn pop(&mut self) -> Option<Ahead> {
        let line = self.lines.pop_front()?;
        self.first += 1;
        while self.waiting.front().is_some_and(|&w| w < self.first) {
            self.waiting.pop_front();
        }
        Some(line)
    }

    /// Where a record starting at the first buffered line ends, as far as the buffer tells,
    /// searching from line `from` (the first line, or a `resume` point given earlier).
    pub fn end_of_record(&self, from: u64) -> Option<End> {
        let start = self.lines.front()?;
        let base = start.depth_before;
        let mut seq = from.max(self.first);
        loop {
            let line = self.at(seq);
            if line.depth == base {
                return Some(End::Balanced(seq));
            }
            if line.depth < base {
                return Some(End::Unbalanced(seq));
            }
            match line.next_lower {
                Some(next) => seq = next,
                None => {
                    return Some(End::NotYet {
                        last: self.first + self.lines.len() as u64 - 1,
                        resume: seq,
                    });
                }
            }
        }
    }

    /// Length of the first buffered line through line `last`, joined by LFs: the size of the
    /// record they would form.
    pub fn span_len(&self, last: u64) -> u64 {
        let end = self.at(last);
        end.offset + end.bytes.len() as u64 - self.lines[0].offset
    }

    /// Whether the first buffered line through line `last` are all UTF-8 (so is their join:
    /// LF never splits a UTF-8 sequence).
    pub fn all_utf8(&self, last: u64) -> bool {
        let n = usize::try_from(last - self.first).expect("buffer fits in memory") + 1;
        self.lines
            .range(..n)
            .all(|l| std::str::from_utf8(&l.bytes).is_ok())
    }

    /// The first buffered line through line `last`, joined by LFs, as a reader (so that a
    /// parse can stop at the first error without copying the lines).
    pub fn reader(&self, last: u64) -> impl io::Read + '_ {
        let n = usize::try_from(last - self.first).expect("buffer fits in memory") + 1;
        Joined {
            lines: self.lines.range(..n).map(|l| l.bytes.as_slice()),
            current: &[],
            started: false,
        }
    }
}

/// Lines joined by LFs, read without copying them into one buffer.
struct Joined<'a, I: Iterator<Item = &'a [u8]>> {
    lines: I,
    current: &'a [u8],
    started: bool,
}

impl<'a, I: Iterator<Item = &'a [u8]>> io::Read for Joined<'a, I> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            let Some(next) = self.lines.next() else {
                return Ok(0);
            };
            if self.started && !buf.is_empty() {
                self.current = next;
                buf[0] = b'\n';
                return Ok(1);
            }
            self.started = true;
            self.current = next;
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = &self.current[n..];
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn filled(lines: &[&str]) -> Lookahead {
        let mut la = Lookahead::default();
        for (i, l) in lines.iter().enumerate() {
            la.push(i as u64 + 1, l.as_bytes().to_vec());
        }
        la
    }

    #[test]
    fn ends_are_found_through_the_links() {
        let mut la = filled(&["{", "{\"a\": \"}\"", "}", "}", "{\"x\": [", "1]}}"]);
        assert!(matches!(la.end_of_record(0), Some(End::Balanced(3))));
        la.pop();
        assert!(matches!(la.end_of_record(0), Some(End::Balanced(2))));
        la.pop();
        la.pop();
        assert!(matches!(la.end_of_record(0), Some(End::Unbalanced(3))));
        la.pop();
        assert!(matches!(la.end_of_record(0), Some(End::Unbalanced(5))));
        let mut open = filled(&["{\"a\": [", "1],", "\"b\": 2"]);
        let Some(End::NotYet { last: 2, resume }) = open.end_of_record(0) else {
            panic!("the record is still open");
        };
        assert_eq!(resume, 1, "the search continues after the array closed");
        open.push(4, b"}".to_vec());
        assert!(matches!(open.end_of_record(resume), Some(End::Balanced(3))));
    }

    #[test]
    fn joined_lines_read_back_with_lfs() {
        let la = filled(&["{", "\"a\": 1", "}", "tail"]);
        let mut s = String::new();
        la.reader(2).read_to_string(&mut s).unwrap();
        assert_eq!(s, "{\n\"a\": 1\n}");
        assert_eq!(la.span_len(2), s.len() as u64);
        let mut one = String::new();
        la.reader(0).read_to_string(&mut one).unwrap();
        assert_eq!(one, "{");
    }
}
