//! The `payments` service's own audit log: one generic NDJSON line per charge request from
//! `checkout`, carrying the W3C trace id and span id of the request, so that each line leads
//! to its trace in `traces/payments.json`.
//!
//! Charges are generated once ([`charges`]); the audit records ([`record`]) and the traces
//! (`super::traces`) are both derived from them.

use serde_json::{Map, Value};

use super::background::{END, START};
use super::health::{self, Phase};
use super::rng::{Gen, MS, Micros, Record, SEC, k8s_time};
use super::story::DELETED;

/// The service writing the log.
pub(crate) const SERVICE: &str = "payments";
/// The identity `checkout` presents to `payments` (its mTLS principal).
pub(crate) const CALLER: &str = "svc-checkout";
/// The action of every line.
pub(crate) const ACTION: &str = "payments.charge";

/// Why a charge failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The hot-reloaded config has a key the running version rejects.
    ConfigKey,
    /// A crash-looping pod, which could not read its database secret at start, is refused by
    /// the database.
    SecretMissing,
    /// A crash-looping pod gives up connecting to its database.
    Timeout,
    /// The fraud-check call timed out (the rare background failure).
    FraudTimeout,
}

impl Failure {
    /// The HTTP status `payments` answers with.
    pub(crate) fn status(self) -> u16 {
        match self {
            Failure::FraudTimeout => 504,
            _ => 503,
        }
    }

    /// The error `payments` logs (and sets on its span).
    pub(crate) fn message(self) -> &'static str {
        match self {
            Failure::ConfigKey => "config: unknown key \"retry_budget\"",
            Failure::SecretMissing => {
                "db: connect: password authentication failed for user \"payments\" (SQLSTATE 28P01): \
                 no credentials, secret prod/payments/db-v2 not found"
            }
            Failure::Timeout => "db: connect: context deadline exceeded after 2s",
            Failure::FraudTimeout => "fraud-check: context deadline exceeded",
        }
    }
}

/// One charge request from `checkout` to `payments`, as both sides saw it.
#[derive(Clone, Debug)]
pub(crate) struct Charge {
    /// When `checkout` started handling the shopper's `POST /checkout`.
    pub checkout_start: Micros,
    /// When `payments` started and finished `POST /charge`; its audit line is written at the
    /// end.
    pub served: (Micros, Micros),
    /// W3C trace id (32 lower-case hex digits).
    pub trace_id: String,
    /// Id of the `payments` server span (16 lower-case hex digits).
    pub span_id: String,
    /// `payments`' request id.
    pub request_id: String,
    /// The order charged.
    pub order: String,
    /// Amount in cents.
    pub amount_cents: i64,
    /// Address of the calling `checkout` pod.
    pub caller_ip: String,
    /// Why it failed, if it did.
    pub failure: Option<Failure>,
}

impl Charge {
    /// The HTTP status `payments` answered with.
    pub(crate) fn status(&self) -> u16 {
        self.failure.map_or(200, Failure::status)
    }

    /// The audit line's time: the end of the `payments` span.
    pub(crate) fn time(&self) -> Micros {
        self.served.1
    }
}

/// Seed of the charges' random stream.
const SEED: u64 = 301;
/// Time between charges when all is well (the shop is quiet at night), bounds.
const CALM_GAP: (Micros, Micros) = (15 * SEC, 30 * SEC);
/// Time between charges while they fail: shoppers and `checkout` retry.
const RETRY_GAP: (Micros, Micros) = (2 * SEC, 6 * SEC);
/// Background failure rate, ‰.
const CALM_FAILURES: u32 = 15;
/// Charges that still succeed while the running pods have the bad config, ‰ (requests that
/// raced the reload).
const BAD_CONFIG_SUCCEEDS: u32 = 80;

/// All charges of the timeline, in time order.
pub(crate) fn charges() -> Vec<Charge> {
    let mut g = Gen::new(SEED);
    let mut out = Vec::new();
    let mut t = START + g.between(2 * SEC, 20 * SEC);
    while t < END - 10 * SEC {
        let pause = health::charge_pause();
        if (pause.0..pause.1).contains(&t) {
            t = pause.1 + g.between(SEC, 8 * SEC);
            continue;
        }
        let c = charge(&mut g, t);
        if c.time() < END {
            out.push(c);
        }
        let (lo, hi) = match health::phase(t) {
            Phase::BadConfig | Phase::CrashLoop | Phase::Recovering => RETRY_GAP,
            _ => CALM_GAP,
        };
        t += g.between(lo, hi);
    }
    out
}

/// The audit line of a charge.
pub(crate) fn record(c: &Charge) -> Record {
    let mut v = Map::new();
    v.insert("time".into(), k8s_time(c.time()).into());
    v.insert("service".into(), SERVICE.into());
    v.insert("actor".into(), CALLER.into());
    v.insert("action".into(), ACTION.into());
    v.insert("resource".into(), format!("order/{}", c.order).into());
    let outcome = if c.failure.is_some() {
        "failure"
    } else {
        "success"
    };
    v.insert("outcome".into(), outcome.into());
    v.insert("status".into(), c.status().into());
    v.insert("amount_cents".into(), c.amount_cents.into());
    v.insert("currency".into(), "EUR".into());
    v.insert(
        "duration_ms".into(),
        ((c.served.1 - c.served.0) / MS).into(),
    );
    if let Some(f) = c.failure {
        v.insert("error".into(), f.message().into());
    }
    v.insert("source_ip".into(), c.caller_ip.clone().into());
    v.insert("request_id".into(), c.request_id.clone().into());
    v.insert("trace_id".into(), c.trace_id.clone().into());
    v.insert("span_id".into(), c.span_id.clone().into());
    Record::new(c.time(), &Value::Object(v))
}

/// One charge whose checkout request starts at `t`.
fn charge(g: &mut Gen, t: Micros) -> Charge {
    let phase = health::phase(t);
    let failure = match phase {
        Phase::BadConfig => (!g.chance(BAD_CONFIG_SUCCEEDS)).then_some(Failure::ConfigKey),
        Phase::CrashLoop => Some(crash_failure(g)),
        Phase::Recovering => {
            let (from, to) = health::recovering();
            let still_failing = 1000 - health::progress(t, from, to);
            g.chance(still_failing as u32).then(|| crash_failure(g))
        }
        _ => g.chance(CALM_FAILURES).then_some(Failure::FraudTimeout),
    };
    let start = t + g.between(2 * MS, 8 * MS) + g.between(300, 900);
    let took = match failure {
        None if g.chance(30) => g.between(150 * MS, 300 * MS),
        None => g.between(45 * MS, 110 * MS),
        Some(Failure::ConfigKey) => g.between(800, 3 * MS),
        Some(Failure::SecretMissing) => g.between(120 * MS, 420 * MS),
        Some(Failure::Timeout) => 2000 * MS + g.between(300, 3 * MS),
        Some(Failure::FraudTimeout) => 800 * MS + g.between(15 * MS, 30 * MS),
    };
    let trace_id = g.hex(32);
    let span_id = g.hex(16);
    let request_id = g.uuid();
    let order = format!("ord-{}", g.hex(12));
    let amount_cents = g.between(499, 24_999);
    let (_, _, back) = DELETED[1];
    let pods = if t < back {
        ["10.0.1.64", "10.0.1.65", "10.0.1.66"]
    } else {
        ["10.0.1.90", "10.0.1.91", "10.0.1.92"]
    };
    let caller_ip = g.pick(&pods).to_string();
    Charge {
        checkout_start: t,
        served: (start, start + took),
        trace_id,
        span_id,
        request_id,
        order,
        amount_cents,
        caller_ip,
        failure,
    }
}

/// How a charge served by a crash-looping pod fails.
fn crash_failure(g: &mut Gen) -> Failure {
    if g.chance(350) {
        Failure::Timeout
    } else {
        Failure::SecretMissing
    }
}

/// The JSON value of a record, for tests.
#[cfg(test)]
fn parsed(r: &Record) -> Value {
    serde_json::from_slice(&r.bytes).expect("records are JSON")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::story::{CONFIG_CHANGE, OUTAGE};
    use crate::event::{Mapping, Outcome};

    #[test]
    fn records_map_to_the_intended_fields() {
        let cs = charges();
        let m = Mapping::default();
        for c in &cs {
            let r = record(c);
            let e = m.map_record(&r.bytes).unwrap();
            assert_eq!(e.time, r.t * 1000);
            assert_eq!((e.actor.as_str(), e.action.as_str()), (CALLER, ACTION));
            assert_eq!(e.resource, format!("order/{}", c.order));
            let want = if c.failure.is_some() {
                Outcome::Failure
            } else {
                Outcome::Success
            };
            assert_eq!(e.outcome, want, "{}", parsed(&r));
            assert_eq!(e.trace_id.as_deref(), Some(c.trace_id.as_str()));
            assert_eq!(e.span_id.as_deref(), Some(c.span_id.as_str()));
            assert_eq!(e.source_ip.as_deref(), Some(c.caller_ip.as_str()));
        }
    }

    #[test]
    fn charges_fail_during_the_outage_and_rarely_otherwise() {
        let cs = charges();
        assert!(cs.windows(2).all(|w| w[0].time() <= w[1].time()));
        let during = |c: &&Charge| (CONFIG_CHANGE..OUTAGE.1).contains(&c.checkout_start);
        let (out, calm): (Vec<&Charge>, Vec<&Charge>) = cs.iter().partition(during);
        let failed = |v: &[&Charge]| v.iter().filter(|c| c.failure.is_some()).count();
        assert!(out.len() > 80, "{} charges in the outage", out.len());
        assert!(failed(&out) * 10 > out.len() * 7, "{}", failed(&out));
        assert!(calm.len() > 150 && failed(&calm) * 20 < calm.len());
        let (from, to) = health::charge_pause();
        assert!(!cs.iter().any(|c| (from..to).contains(&c.checkout_start)));
    }
}
