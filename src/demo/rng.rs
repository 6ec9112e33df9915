//! Deterministic randomness, clock helpers and the generated record type.
//!
//! Everything here is platform independent: only integer ranges of fixed width are sampled
//! (never `usize`, never floating point), so the same seed gives the same store everywhere.

use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::Value;

/// Microseconds since the Unix epoch, UTC.
pub(crate) type Micros = i64;

/// One second in [`Micros`].
pub(crate) const SEC: Micros = 1_000_000;

/// One millisecond in [`Micros`].
pub(crate) const MS: Micros = 1_000;

/// One minute in [`Micros`].
pub(crate) const MIN: Micros = 60 * SEC;

/// 2026-11-24T00:00:00Z, the day of the story.
const DAY_START: Micros = 1_795_478_400 * SEC;

/// The instant `hh:mm:ss` UTC on the day of the story.
pub(crate) const fn hms(h: i64, m: i64, s: i64) -> Micros {
    DAY_START + ((h * 60 + m) * 60 + s) * SEC
}

/// Formats a time the way the Kubernetes API server does: microseconds and `Z`.
pub(crate) fn k8s_time(t: Micros) -> String {
    utc(t).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Formats a time the way CloudTrail does: whole seconds and `Z`.
pub(crate) fn ct_time(t: Micros) -> String {
    utc(t).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `hh:mm:ss`, for the summary.
pub(crate) fn clock(t: Micros) -> String {
    utc(t).format("%H:%M:%S").to_string()
}

/// `hh:mm`, for the summary.
pub(crate) fn clock_min(t: Micros) -> String {
    utc(t).format("%H:%M").to_string()
}

/// RFC 3339 with whole seconds, for checkpoint times.
pub(crate) fn rfc3339_secs(t: Micros) -> String {
    ct_time(t)
}

fn utc(t: Micros) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_micros(t).expect("demo times are in range")
}

/// One generated record: its time (exactly as written in it) and its compact JSON line.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    /// The record's time.
    pub t: Micros,
    /// Compact single-line JSON.
    pub bytes: Vec<u8>,
}

impl Record {
    /// Serialises `v` (compact, key order as built) as a record at time `t`.
    pub(crate) fn new(t: Micros, v: &Value) -> Record {
        Record {
            t,
            bytes: serde_json::to_vec(v).expect("JSON values serialise"),
        }
    }
}

/// A seeded random source with the few draws the generator needs.
pub(crate) struct Gen {
    rng: ChaCha20Rng,
}

impl Gen {
    /// A generator for one independent stream of the story (so that changing one stream does
    /// not reshuffle the others).
    pub(crate) fn new(seed: u64) -> Gen {
        Gen {
            rng: ChaCha20Rng::seed_from_u64(seed),
        }
    }

    /// Uniform in `lo..hi`.
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.gen_range(lo..hi)
    }

    /// Uniform in `0..n` as an index.
    pub(crate) fn index(&mut self, n: usize) -> usize {
        self.rng.gen_range(0..n as u32) as usize
    }

    /// True with probability `permille / 1000`.
    pub(crate) fn chance(&mut self, permille: u32) -> bool {
        self.rng.gen_range(0..1000u32) < permille
    }

    /// One element of `xs`.
    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.index(xs.len())]
    }

    /// A gap around `mean` (uniform in 0.2..1.8 × mean): cheap, float-free inter-arrival times.
    pub(crate) fn gap(&mut self, mean: Micros) -> Micros {
        (mean * self.between(200_000, 1_800_000) / 1_000_000).max(1)
    }

    /// `n` characters from `alphabet` (ASCII).
    pub(crate) fn chars(&mut self, alphabet: &str, n: usize) -> String {
        let a = alphabet.as_bytes();
        (0..n).map(|_| a[self.index(a.len())] as char).collect()
    }

    /// `n` lower-case hex digits.
    pub(crate) fn hex(&mut self, n: usize) -> String {
        self.chars("0123456789abcdef", n)
    }

    /// A random (version 4) UUID.
    pub(crate) fn uuid(&mut self) -> String {
        let mut b = [0u8; 16];
        self.rng.fill(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex::encode(b);
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }

    /// The suffix Kubernetes gives generated names (`payments-7c9d5f8b6d-x2kqp`).
    pub(crate) fn k8s_suffix(&mut self, n: usize) -> String {
        self.chars("bcdfghjklmnpqrstvwxz2456789", n)
    }
}

/// Emits times from `from` (exclusive) to `to` (exclusive), about `per_hour` an hour.
pub(crate) fn arrivals(g: &mut Gen, from: Micros, to: Micros, per_hour: i64) -> Vec<Micros> {
    let mean = 60 * MIN / per_hour.max(1);
    let mut out = Vec::new();
    let mut t = from + g.gap(mean);
    while t < to {
        out.push(t);
        t += g.gap(mean);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_start_is_the_story_day() {
        assert_eq!(k8s_time(hms(1, 49, 12) + 5), "2026-11-24T01:49:12.000005Z");
        assert_eq!(ct_time(hms(2, 27, 30) + 999_999), "2026-11-24T02:27:30Z");
        assert_eq!(clock(hms(23, 0, 1)), "23:00:01");
    }

    #[test]
    fn same_seed_same_draws() {
        let (mut a, mut b) = (Gen::new(7), Gen::new(7));
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.between(0, 1 << 40), b.between(0, 1 << 40));
        let u = Gen::new(1).uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
