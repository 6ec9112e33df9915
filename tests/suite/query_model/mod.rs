//! The independent model behind `tests/query.rs`: seeded random audit events (as NDJSON lines),
//! what each one should be indexed as, and the answers `search`, `histogram` and `facets` should
//! give, computed here by plain filtering, sorting and counting rather than by any index.

// Each test uses a different subset of the model.
#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

/// One second, one minute, one hour in ns.
pub const SEC: i64 = 1_000_000_000;
pub const MIN: i64 = 60 * SEC;
pub const HOUR: i64 = 60 * MIN;

/// An actor whose name would reorder and recolour a terminal line if printed raw.
pub const EVIL_ACTOR: &str = "mallory\u{202E}\u{1b}[31mlive";
/// An actor with a C1 control (CSI) in it.
pub const C1_ACTOR: &str = "eve\u{9b}2J";

/// Actors with their weights: plain names, one with a space, one non-ASCII, two hostile ones.
const ACTORS: &[(&str, u32)] = &[
    ("alice", 30),
    ("bob", 18),
    ("carol", 14),
    ("dave smith", 10),
    ("zoë", 10),
    (EVIL_ACTOR, 10),
    (C1_ACTOR, 8),
];
const ACTIONS: &[&str] = &["create", "delete", "read", "update", "login"];
const RESOURCES: &[&str] = &[
    "db/prod",
    "db/staging",
    "bucket/logs",
    "bucket/backups",
    "vm/web-1",
    "vm/web-2",
    "secret/api-key",
];
const SOURCE_IPS: &[&str] = &[
    "10.0.0.1",
    "10.0.0.2",
    "10.0.0.3",
    "10.1.0.7",
    "192.168.1.20",
    "2001:db8::1",
    "203.0.113.9",
];
/// Words of the free-text `message` field.
const WORDS: &[&str] = &[
    "disk",
    "full",
    "quota",
    "exceeded",
    "timeout",
    "network",
    "backup",
    "completed",
    "retry",
    "error",
    "volume",
    "cache",
    "Disk",
    "FULL",
];
const TIERS: &[&str] = &["gold", "silver", "bronze"];
const REGIONS: &[&str] = &["eu-west", "us-west", "us-east", "ap-south"];

/// How the record spells its outcome, and the canonical outcome `generic.rs` maps it to.
fn outcome_spelling(rng: &mut ChaCha8Rng) -> (Option<Value>, &'static str) {
    let choices: &[(Value, &str)] = &[
        (json!("success"), "success"),
        (json!("succeeded"), "success"),
        (json!("SUCCESS"), "success"),
        (json!("ok"), "success"),
        (json!(200), "success"),
        (json!("failure"), "failure"),
        (json!("failed"), "failure"),
        (json!("error"), "failure"),
        (json!(500), "failure"),
        (json!("denied"), "denied"),
        (json!("Forbidden"), "denied"),
        (json!(403), "denied"),
    ];
    if rng.gen_bool(0.06) {
        return (None, "unknown");
    }
    let (v, o) = choices.choose(rng).expect("choices");
    (Some(v.clone()), o)
}

/// One generated event: its exact line and what it should be indexed as.
#[derive(Clone, Debug)]
pub struct Ev {
    /// The NDJSON line as sealed.
    pub line: String,
    /// Event time, ns since the epoch.
    pub time: i64,
    pub actor: String,
    pub action: String,
    pub resource: String,
    /// Canonical outcome.
    pub outcome: &'static str,
    pub source_ip: Option<String>,
    pub request_id: String,
    pub message: String,
    pub tier: Option<&'static str>,
    pub region: Option<&'static str>,
    /// Full-text tokens of the whole line by position (`None`: dropped as too long).
    pub tokens: Vec<Option<String>>,
    /// Where seal put it.
    pub seq: u64,
    pub pos: u64,
    /// Whether a signed checkpoint covers its segment.
    pub verified: bool,
}

impl Ev {
    /// The index's tie-breaker: `seq << 24 | pos`.
    pub fn ord(&self) -> u64 {
        (self.seq << 24) | self.pos
    }

    /// The record, parsed.
    pub fn record(&self) -> Value {
        serde_json::from_str(&self.line).expect("generated lines are JSON")
    }

    /// Whether the full text of the line has `word` (one query token) anywhere.
    pub fn has_word(&self, word: &str) -> bool {
        let w = word.to_lowercase();
        self.tokens.iter().any(|t| t.as_deref() == Some(w.as_str()))
    }

    /// Whether the full text of the line has the tokens of `phrase` at consecutive positions.
    pub fn has_phrase(&self, phrase: &str) -> bool {
        let want: Vec<Option<String>> = tokenize(phrase);
        self.tokens
            .windows(want.len())
            .any(|w| w == want.as_slice())
    }
}

/// Tantivy's `default` analyzer as documented: split on every non-alphanumeric character,
/// drop tokens of 40 bytes or more (keeping their position), lower-case.
pub fn tokenize(text: &str) -> Vec<Option<String>> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| (t.len() < 40).then(|| t.to_lowercase()))
        .collect()
}

/// RFC 3339 with nine fractional digits, in UTC (`Z`) or at `offset_s` east.
pub fn rfc3339(t: i64, offset_s: i32) -> String {
    let utc = DateTime::<Utc>::from_timestamp_nanos(t);
    if offset_s == 0 {
        utc.to_rfc3339_opts(SecondsFormat::Nanos, true)
    } else {
        let tz = FixedOffset::east_opt(offset_s).expect("offset");
        utc.with_timezone(&tz)
            .to_rfc3339_opts(SecondsFormat::Nanos, true)
    }
}

/// Time windows (relative to `now`) with no events, so that a relative time argument (`-15m`,
/// `-2h`, `now`) the binary resolves a little later than the test's `now` cuts the data at the
/// same place.
pub fn quiet_windows(now: i64) -> Vec<(i64, i64)> {
    [now - 2 * HOUR, now - 15 * MIN, now]
        .into_iter()
        .map(|b| (b - 2 * SEC, b + 10 * MIN))
        .collect()
}

fn is_quiet(t: i64, quiet: &[(i64, i64)]) -> bool {
    quiet.iter().any(|&(a, b)| (a..b).contains(&t))
}

fn pick_weighted<'a>(rng: &mut ChaCha8Rng, items: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    unreachable!("weights cover the range")
}

/// `n` events with request ids numbered from `first_id`, spread over `[now - 3h, now + 1h)`
/// outside the quiet windows. About one in ten copies an earlier event's time to the
/// nanosecond and one in ten shares an earlier event's second. `earlier` are events generated
/// before (their times may be copied too).
pub fn generate(
    rng: &mut ChaCha8Rng,
    now: i64,
    n: usize,
    first_id: usize,
    earlier: &[Ev],
) -> Vec<Ev> {
    let quiet = quiet_windows(now);
    let mut out: Vec<Ev> = Vec::with_capacity(n);
    for k in 0..n {
        let prior = |i: usize| -> i64 {
            if i < earlier.len() {
                earlier[i].time
            } else {
                out[i - earlier.len()].time
            }
        };
        let have = earlier.len() + out.len();
        let roll: f64 = rng.r#gen();
        let mut time = if have > 0 && roll < 0.1 {
            prior(rng.gen_range(0..have))
        } else if have > 0 && roll < 0.2 {
            let t = prior(rng.gen_range(0..have));
            t.div_euclid(SEC) * SEC + rng.gen_range(0..SEC)
        } else {
            i64::MIN
        };
        while time == i64::MIN || is_quiet(time, &quiet) {
            time = now - 3 * HOUR + rng.gen_range(0..4 * HOUR);
        }
        let actor = pick_weighted(rng, ACTORS).to_string();
        let action = ACTIONS.choose(rng).expect("actions").to_string();
        let resource = RESOURCES.choose(rng).expect("resources").to_string();
        let (outcome_value, outcome) = outcome_spelling(rng);
        let source_ip = rng
            .gen_bool(0.85)
            .then(|| SOURCE_IPS.choose(rng).expect("ips").to_string());
        let request_id = format!("req-{:05}", first_id + k);
        let mut words: Vec<&str> = (0..rng.gen_range(2..7))
            .map(|_| *WORDS.choose(rng).expect("words"))
            .collect();
        if rng.gen_bool(0.1) {
            let at = rng.gen_range(0..=words.len());
            words.splice(at..at, ["disk", "full"]);
        }
        let sep = if rng.gen_bool(0.2) { ", " } else { " " };
        let message = words.join(sep);
        let meta = rng.gen_bool(0.7).then(|| {
            (
                *TIERS.choose(rng).expect("t"),
                *REGIONS.choose(rng).expect("r"),
            )
        });
        let offset_s = *[0, 0, 0, 19_800, -28_800].choose(rng).expect("offsets");

        let mut rec = serde_json::Map::new();
        rec.insert("time".into(), json!(rfc3339(time, offset_s)));
        rec.insert("actor".into(), json!(actor));
        rec.insert("action".into(), json!(action));
        rec.insert("resource".into(), json!(resource));
        if let Some(v) = outcome_value {
            rec.insert("outcome".into(), v);
        }
        if let Some(ip) = &source_ip {
            rec.insert("source_ip".into(), json!(ip));
        }
        rec.insert("request_id".into(), json!(request_id));
        rec.insert("message".into(), json!(message));
        if let Some((tier, region)) = meta {
            rec.insert("meta".into(), json!({"tier": tier, "region": region}));
        }
        let line = serde_json::to_string(&Value::Object(rec)).expect("record to JSON");
        out.push(Ev {
            tokens: tokenize(&line),
            line,
            time,
            actor,
            action,
            resource,
            outcome,
            source_ip,
            request_id,
            message,
            tier: meta.map(|m| m.0),
            region: meta.map(|m| m.1),
            seq: 0,
            pos: 0,
            verified: false,
        });
    }
    out
}

/// Result order, as the CLI spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Newest,
    Oldest,
}

impl Order {
    pub fn arg(self) -> &'static str {
        match self {
            Order::Newest => "newest",
            Order::Oldest => "oldest",
        }
    }
}

/// The events matching `pred` in `[lo, hi)`, in `order`: by time, ties by `seq << 24 | pos`
/// (both descending for newest first).
pub fn expected<'e>(
    evs: &'e [Ev],
    pred: &dyn Fn(&Ev) -> bool,
    lo: Option<i64>,
    hi: Option<i64>,
    order: Order,
) -> Vec<&'e Ev> {
    let mut v: Vec<&Ev> = evs
        .iter()
        .filter(|e| in_range(e.time, lo, hi) && pred(e))
        .collect();
    v.sort_by_key(|e| (e.time, e.ord()));
    if order == Order::Newest {
        v.reverse();
    }
    v
}

/// Whether `t` is in `[lo, hi)` (open ends unbounded).
pub fn in_range(t: i64, lo: Option<i64>, hi: Option<i64>) -> bool {
    lo.is_none_or(|l| t >= l) && hi.is_none_or(|h| t < h)
}

/// The `top` most frequent values of `field` (ties by value ascending), with the number of
/// matching events that have some other value and the number that have none.
pub fn top_values(
    evs: &[&Ev],
    field: &dyn Fn(&Ev) -> Option<String>,
    top: usize,
) -> (Vec<(String, u64)>, u64, u64) {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut missing = 0;
    for e in evs {
        match field(e) {
            Some(v) => *counts.entry(v).or_default() += 1,
            None => missing += 1,
        }
    }
    let mut all: Vec<(String, u64)> = counts.into_iter().collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let other = all.iter().skip(top).map(|(_, c)| c).sum();
    all.truncate(top);
    (all, other, missing)
}

/// Events per canonical outcome.
pub fn outcome_counts<'e>(evs: impl IntoIterator<Item = &'e Ev>) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for e in evs {
        *m.entry(e.outcome.to_string()).or_default() += 1;
    }
    m
}

/// Whether `s` holds anything a terminal would act on besides line feeds: C0/C1 controls (ESC,
/// CSI…), DEL, or bidirectional overrides and isolates.
pub fn has_terminal_controls(s: &str) -> bool {
    s.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}
