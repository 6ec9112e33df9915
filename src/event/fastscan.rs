//! A purpose-built scanner that finds a few fields of a JSON object at several GB/s.
//!
//! Verifying a segment must read every event's time. A general JSON parser validates and
//! tokenises every byte (~0.5 GB/s even when skipping with `IgnoredAny`), which would make
//! verification several times slower than hashing. This scanner only follows the object
//! structure down the requested paths, jumps over strings with `memchr`, and counts brackets to
//! skip nested values. It mirrors `path::lookup` on a parsed `serde_json::Value` exactly (nested
//! keys, then the dotted path as a literal top-level key; the last of repeated keys wins) and
//! gives up — returning [`Fallback`] so the caller uses the serde path — on anything it does not
//! handle exactly: escaped keys or captured strings, invalid UTF-8 in what it reads, or a
//! structure it cannot follow. Skipped values are only bracket-matched, not validated: full JSON
//! validation of every line happens when records are sealed (the writer rejects invalid JSON)
//! and when they are indexed, and the body's bytes are already fixed by its hash.

use memchr::{memchr2, memchr3};

/// The scanner cannot answer exactly; use the full parser.
#[derive(Debug, PartialEq, Eq)]
pub struct Fallback;

/// A captured value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar<'a> {
    /// A string without escapes.
    Str(&'a str),
    /// A number's source text.
    Num(&'a str),
    /// `null`.
    Null,
    /// Anything else, named for messages (`"an object"`, `"a boolean"`, …).
    Other(&'static str),
}

/// Most paths one scan can look for.
pub const MAX_PATHS: usize = 32;

/// Found values: `nested[i]` / `literal[i]` answer path `i`.
pub struct Found<'a> {
    nested: [Option<Scalar<'a>>; MAX_PATHS],
    literal: [Option<Scalar<'a>>; MAX_PATHS],
}

impl<'a> Found<'a> {
    /// The value of path `i`, nested lookup first.
    pub fn get(&self, i: usize) -> Option<Scalar<'a>> {
        self.nested[i].or(self.literal[i])
    }
}

/// Paths prepared for scanning: components, and the dotted text for literal lookups.
pub struct ScanPaths<'p> {
    parts: Vec<Vec<&'p str>>,
    /// Top-level keys of interest with the paths they serve: (key, nested, terminal, literal).
    top: Vec<(&'p str, u64, u64, u64)>,
    /// Bitmap of [`key_sig`] over the `top` keys: most keys are rejected by one bit test.
    top_lens: [u64; 4],
}

/// A cheap 8-bit signature of a key (length, first and last byte), for the reject filter.
fn key_sig(k: &[u8]) -> usize {
    let (first, last) = (
        k.first().copied().unwrap_or(0),
        k.last().copied().unwrap_or(0),
    );
    (k.len().wrapping_mul(7)
        ^ (first as usize).wrapping_mul(31)
        ^ (last as usize).wrapping_mul(131))
        & 0xff
}

impl<'p> ScanPaths<'p> {
    /// Prepares `paths`; `None` when they cannot be scanned exactly (too many, array
    /// indexes, or one path a prefix of another).
    pub fn new(paths: &[&'p str]) -> Option<ScanPaths<'p>> {
        if paths.len() > MAX_PATHS {
            return None;
        }
        let parts: Vec<Vec<&str>> = paths.iter().map(|p| p.split('.').collect()).collect();
        for (i, a) in parts.iter().enumerate() {
            if a.iter().any(|c| c.is_empty() || c.parse::<usize>().is_ok()) {
                return None;
            }
            for (j, b) in parts.iter().enumerate() {
                if i != j && a.len() < b.len() && b.starts_with(a) {
                    return None;
                }
            }
        }
        let mut top: Vec<(&str, u64, u64, u64)> = Vec::new();
        fn entry<'k>(top: &mut Vec<(&'k str, u64, u64, u64)>, key: &'k str) -> usize {
            match top.iter().position(|e| e.0 == key) {
                Some(i) => i,
                None => {
                    top.push((key, 0, 0, 0));
                    top.len() - 1
                }
            }
        }
        for (i, p) in parts.iter().enumerate() {
            let e = entry(&mut top, p[0]);
            top[e].1 |= 1 << i;
            if p.len() == 1 {
                top[e].2 |= 1 << i;
            } else {
                let e = entry(&mut top, paths[i]);
                top[e].3 |= 1 << i;
            }
        }
        let mut top_lens = [0u64; 4];
        for (k, ..) in &top {
            let l = key_sig(k.as_bytes());
            top_lens[l / 64] |= 1 << (l % 64);
        }
        Some(ScanPaths {
            parts,
            top,
            top_lens,
        })
    }

    /// Scans one record.
    pub fn scan<'a>(&self, raw: &'a [u8]) -> Result<Found<'a>, Fallback> {
        let mut found = Found {
            nested: [None; MAX_PATHS],
            literal: [None; MAX_PATHS],
        };
        let all: u64 = if self.parts.len() == 64 {
            u64::MAX
        } else {
            (1u64 << self.parts.len()) - 1
        };
        let mut s = Scanner { b: raw, i: 0 };
        s.ws();
        if s.peek() != Some(b'{') {
            return Err(Fallback);
        }
        self.object(&mut s, 0, all, true, &mut found)?;
        s.ws();
        if s.i != raw.len() {
            return Err(Fallback);
        }
        Ok(found)
    }

    fn object<'a>(
        &self,
        s: &mut Scanner<'a>,
        depth: usize,
        active: u64,
        top: bool,
        out: &mut Found<'a>,
    ) -> Result<(), Fallback> {
        s.expect(b'{')?;
        s.ws();
        if s.peek() == Some(b'}') {
            s.i += 1;
            return Ok(());
        }
        loop {
            s.ws();
            let key = s.plain_bytes()?;
            s.ws();
            s.expect(b':')?;
            s.ws();
            let (nested, terminal, literal) = if top {
                let l = key_sig(key);
                if self.top_lens[l / 64] & (1 << (l % 64)) == 0 {
                    (0, 0, 0)
                } else {
                    self.top
                        .iter()
                        .find(|e| e.0.as_bytes() == key)
                        .map_or((0, 0, 0), |e| (e.1, e.2, e.3))
                }
            } else {
                let (mut nested, mut terminal) = (0u64, 0u64);
                let mut bits = active;
                while bits != 0 {
                    let i = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    if self.parts[i].get(depth).map(|p| p.as_bytes()) == Some(key) {
                        nested |= 1 << i;
                        if self.parts[i].len() == depth + 1 {
                            terminal |= 1 << i;
                        }
                    }
                }
                (nested, terminal, 0)
            };
            // A repeated key replaces what its earlier occurrence provided.
            let mut bits = nested;
            while bits != 0 {
                let i = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                out.nested[i] = None;
            }
            if terminal != 0 || literal != 0 {
                let v = s.scalar()?;
                for i in 0..self.parts.len() {
                    if terminal & (1 << i) != 0 {
                        out.nested[i] = Some(v);
                    }
                    if literal & (1 << i) != 0 {
                        out.literal[i] = Some(v);
                    }
                }
            } else if nested != 0 && s.peek() == Some(b'{') {
                self.object(s, depth + 1, nested, false, out)?;
            } else {
                s.skip_value()?;
            }
            s.ws();
            match s.next() {
                Some(b',') => continue,
                Some(b'}') => return Ok(()),
                _ => return Err(Fallback),
            }
        }
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), Fallback> {
        if self.next() == Some(c) {
            Ok(())
        } else {
            Err(Fallback)
        }
    }

    /// A string without escapes (or control characters), returned borrowed.
    fn plain_string(&mut self) -> Result<&'a str, Fallback> {
        let b = self.plain_bytes()?;
        if b.iter().any(|&c| c < 0x20) {
            return Err(Fallback);
        }
        std::str::from_utf8(b).map_err(|_| Fallback)
    }

    /// The bytes of a string without escapes (keys are compared as bytes, unvalidated).
    fn plain_bytes(&mut self) -> Result<&'a [u8], Fallback> {
        self.expect(b'"')?;
        let start = self.i;
        let end = start + memchr2(b'"', b'\\', &self.b[start..]).ok_or(Fallback)?;
        if self.b[end] != b'"' {
            return Err(Fallback);
        }
        self.i = end + 1;
        Ok(&self.b[start..end])
    }

    /// Skips a string, escapes included.
    fn skip_string(&mut self) -> Result<(), Fallback> {
        self.expect(b'"')?;
        loop {
            let at = self.i + memchr2(b'"', b'\\', &self.b[self.i..]).ok_or(Fallback)?;
            if self.b[at] == b'"' {
                self.i = at + 1;
                return Ok(());
            }
            // A backslash escapes the next byte; one at the very end leaves nothing to escape.
            if at + 2 > self.b.len() {
                return Err(Fallback);
            }
            self.i = at + 2;
        }
    }

    fn scalar(&mut self) -> Result<Scalar<'a>, Fallback> {
        match self.peek().ok_or(Fallback)? {
            b'"' => self.plain_string().map(Scalar::Str),
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                while matches!(
                    self.peek(),
                    Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                ) {
                    self.i += 1;
                }
                Ok(Scalar::Num(
                    std::str::from_utf8(&self.b[start..self.i]).map_err(|_| Fallback)?,
                ))
            }
            b'n' => self.word(b"null").map(|_| Scalar::Null),
            b't' => self.word(b"true").map(|_| Scalar::Other("a boolean")),
            b'f' => self.word(b"false").map(|_| Scalar::Other("a boolean")),
            b'{' => self.skip_value().map(|_| Scalar::Other("an object")),
            b'[' => self.skip_value().map(|_| Scalar::Other("an array")),
            _ => Err(Fallback),
        }
    }

    fn word(&mut self, w: &[u8]) -> Result<(), Fallback> {
        if self.b[self.i..].starts_with(w) {
            self.i += w.len();
            Ok(())
        } else {
            Err(Fallback)
        }
    }

    /// Skips any value; containers by bracket counting with strings jumped over.
    fn skip_value(&mut self) -> Result<(), Fallback> {
        match self.peek().ok_or(Fallback)? {
            b'"' => self.skip_string(),
            open @ (b'{' | b'[') => {
                // In well-formed JSON each bracket kind balances on its own, so only this
                // container's kind is counted, and memchr jumps to the next quote or bracket.
                let close = if open == b'{' { b'}' } else { b']' };
                let mut depth = 0usize;
                loop {
                    let at =
                        self.i + memchr3(b'"', open, close, &self.b[self.i..]).ok_or(Fallback)?;
                    self.i = at;
                    match self.b[at] {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        c if c == open => depth += 1,
                        _ => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Ok(());
                            }
                        }
                    }
                    self.i += 1;
                }
            }
            _ => {
                self.scalar()?;
                Ok(())
            }
        }
    }
}
