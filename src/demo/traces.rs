//! The traces behind the `payments` audit log: `traces/payments.json`, OTLP/JSON as the
//! OpenTelemetry Collector's file exporter writes it (one `ExportTraceServiceRequest` per line).
//!
//! Each charge ([`Charge`]) becomes one trace with the charge's trace id: `checkout`'s
//! `POST /checkout` → its client call `POST payments/charge` → `payments`' `POST /charge` (whose
//! span id is the one in the audit line) → what `payments` does inside: load its config, read
//! the order, ask fraud-check, write the charge (or fail on the way). A line holds the traces
//! whose checkout request started in one minute, as a batch per service.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::payments::{Charge, Failure};
use super::rng::{Gen, MIN, MS, Micros};

/// Seed of the span timings' random stream.
const SEED: u64 = 302;

/// OTLP span kind of work inside a service.
const INTERNAL: u8 = 1;
/// OTLP span kind of a request being served.
const SERVER: u8 = 2;
/// OTLP span kind of a call to another service.
const CLIENT: u8 = 3;
/// OTLP status code for an error.
const ERROR: u8 = 2;

/// The services that report spans, with their resource attributes (name, version, SDK
/// language, SDK version).
const SERVICES: [(&str, &str, &str, &str); 2] = [
    ("checkout", "2.14.0", "nodejs", "1.28.0"),
    ("payments", "1.31.4", "go", "1.32.0"),
];
/// Index of `checkout` in [`SERVICES`].
const CHECKOUT: usize = 0;
/// Index of `payments` in [`SERVICES`].
const PAYMENTS: usize = 1;

/// Instrumentation scopes: (service, name, version).
const SCOPES: [(usize, &str, &str); 4] = [
    (CHECKOUT, "@opentelemetry/instrumentation-http", "0.55.0"),
    (
        PAYMENTS,
        "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
        "0.57.0",
    ),
    (PAYMENTS, "payments/internal/config", ""),
    (PAYMENTS, "github.com/exaring/otelpgx", "0.8.0"),
];
// Indexes into [`SCOPES`].
const HTTP_IN: usize = 0;
const OTELHTTP: usize = 1;
const CONFIG: usize = 2;
const PGX: usize = 3;

const DB_HOST: &str = "payments-prod.c8x2kq7hz1ab.eu-west-1.rds.amazonaws.com";
const PAYMENTS_HOST: &str = "payments.prod.svc.cluster.local";
const FRAUD_HOST: &str = "fraud-check.prod.svc.cluster.local";

/// One span, before serialisation.
struct Span {
    scope: usize,
    id: String,
    parent: String,
    name: &'static str,
    kind: u8,
    start: Micros,
    end: Micros,
    attrs: Vec<Value>,
    events: Vec<Value>,
    /// Error message, for spans with status `ERROR` (the others are left unset).
    error: Option<String>,
}

impl Span {
    fn new(scope: usize, name: &'static str, kind: u8, (start, end): (Micros, Micros)) -> Span {
        Span {
            scope,
            id: String::new(),
            parent: String::new(),
            name,
            kind,
            start,
            end,
            attrs: Vec::new(),
            events: Vec::new(),
            error: None,
        }
    }

    fn attr(mut self, key: &str, value: &str) -> Span {
        self.attrs
            .push(json!({"key": key, "value": {"stringValue": value}}));
        self
    }

    fn int(mut self, key: &str, value: i64) -> Span {
        self.attrs
            .push(json!({"key": key, "value": {"intValue": value.to_string()}}));
        self
    }

    /// Marks the span failed with `message`, recording an `exception` event of `kind` at its
    /// end when `kind` is given.
    fn failed(mut self, message: &str, kind: Option<&str>) -> Span {
        if let Some(kind) = kind {
            self.events.push(json!({
                "timeUnixNano": nanos(self.end - 20),
                "name": "exception",
                "attributes": [
                    {"key": "exception.type", "value": {"stringValue": kind}},
                    {"key": "exception.message", "value": {"stringValue": message}},
                ],
            }));
        }
        self.error = Some(message.to_string());
        self
    }

    fn to_json(&self, trace_id: &str) -> Value {
        let mut v = json!({
            "traceId": trace_id,
            "spanId": self.id,
            "parentSpanId": self.parent,
            "name": self.name,
            "kind": self.kind,
            "startTimeUnixNano": nanos(self.start),
            "endTimeUnixNano": nanos(self.end),
            "attributes": self.attrs,
        });
        if !self.events.is_empty() {
            v["events"] = Value::Array(self.events.clone());
        }
        v["status"] = match &self.error {
            Some(m) if m.is_empty() => json!({"code": ERROR}),
            Some(m) => json!({"code": ERROR, "message": m}),
            None => json!({}),
        };
        v
    }
}

/// A time as OTLP/JSON writes it: decimal nanoseconds in a string.
fn nanos(t: Micros) -> String {
    (t as i128 * 1000).to_string()
}

/// The contents of `traces/payments.json`: one line per minute with charges.
pub(crate) fn payments_json(charges: &[Charge]) -> Vec<u8> {
    let mut g = Gen::new(SEED);
    let mut minutes: BTreeMap<Micros, Vec<(String, Vec<Span>)>> = BTreeMap::new();
    for c in charges {
        let spans = trace(&mut g, c);
        minutes
            .entry(c.checkout_start.div_euclid(MIN))
            .or_default()
            .push((c.trace_id.clone(), spans));
    }
    let mut out = Vec::new();
    for traces in minutes.values() {
        let line = serde_json::to_vec(&request(traces)).expect("JSON values serialise");
        out.extend_from_slice(&line);
        out.push(b'\n');
    }
    out
}

/// One `ExportTraceServiceRequest` holding `traces`, a `resourceSpans` per service.
fn request(traces: &[(String, Vec<Span>)]) -> Value {
    let mut resource_spans = Vec::new();
    for (svc, (name, version, lang, sdk)) in SERVICES.iter().enumerate() {
        let mut scope_spans = Vec::new();
        for (scope, (owner, scope_name, scope_version)) in SCOPES.iter().enumerate() {
            if *owner != svc {
                continue;
            }
            // Spans are exported as they end.
            let mut spans: Vec<(Micros, Value)> = traces
                .iter()
                .flat_map(|(tid, ss)| {
                    ss.iter()
                        .filter(|s| s.scope == scope)
                        .map(move |s| (s.end, s.to_json(tid)))
                })
                .collect();
            if spans.is_empty() {
                continue;
            }
            spans.sort_by_key(|(end, _)| *end);
            let mut scope_json = json!({"name": scope_name});
            if !scope_version.is_empty() {
                scope_json["version"] = json!(scope_version);
            }
            scope_spans.push(json!({
                "scope": scope_json,
                "spans": spans.into_iter().map(|(_, s)| s).collect::<Vec<_>>(),
            }));
        }
        if scope_spans.is_empty() {
            continue;
        }
        let attr = |k: &str, v: &str| json!({"key": k, "value": {"stringValue": v}});
        resource_spans.push(json!({
            "resource": {"attributes": [
                attr("service.name", name),
                attr("service.version", version),
                attr("service.namespace", "shop"),
                attr("deployment.environment.name", "prod"),
                attr("k8s.namespace.name", "prod"),
                attr("telemetry.sdk.name", "opentelemetry"),
                attr("telemetry.sdk.language", lang),
                attr("telemetry.sdk.version", sdk),
            ]},
            "scopeSpans": scope_spans,
        }));
    }
    json!({"resourceSpans": resource_spans})
}

/// The spans of one charge's trace, parents before children.
fn trace(g: &mut Gen, c: &Charge) -> Vec<Span> {
    let (s, e) = c.served;
    let status = i64::from(c.status());
    let call_start = s - g.between(300, 900);
    let call_end = e + g.between(200, 700);
    let root_end = call_end + g.between(MS, 5 * MS);

    let mut root = Span::new(
        HTTP_IN,
        "POST /checkout",
        SERVER,
        (c.checkout_start, root_end),
    )
    .attr("http.request.method", "POST")
    .attr("url.scheme", "https")
    .attr("url.path", "/checkout")
    .attr("http.route", "/checkout")
    .attr("server.address", "shop.example.com")
    .int("http.response.status_code", status);
    let mut call = Span::new(
        HTTP_IN,
        "POST payments/charge",
        CLIENT,
        (call_start, call_end),
    )
    .attr("http.request.method", "POST")
    .attr("url.full", &format!("http://{PAYMENTS_HOST}:8080/charge"))
    .attr("server.address", PAYMENTS_HOST)
    .int("server.port", 8080)
    .int("http.response.status_code", status);
    let mut serve = Span::new(OTELHTTP, "POST /charge", SERVER, (s, e))
        .attr("http.request.method", "POST")
        .attr("url.scheme", "http")
        .attr("url.path", "/charge")
        .attr("http.route", "/charge")
        .attr("client.address", &c.caller_ip)
        .attr("app.order.id", &c.order)
        .attr("app.request.id", &c.request_id)
        .int("http.response.status_code", status);
    if let Some(f) = c.failure {
        let code = status.to_string();
        root = root
            .attr("error.type", &code)
            .failed(&format!("charge failed: payments answered {code}"), None);
        call = call.attr("error.type", &code).failed("", None);
        serve = serve
            .attr("error.type", &code)
            .failed(f.message(), Some(exception_type(f)));
    }
    let children = inner_spans(g, c);

    root.id = g.hex(16);
    call.id = g.hex(16);
    call.parent = root.id.clone();
    serve.id = c.span_id.clone();
    serve.parent = call.id.clone();
    let mut spans = vec![root, call];
    for mut child in children {
        child.id = g.hex(16);
        child.parent = serve.id.clone();
        spans.push(child);
    }
    spans.insert(2, serve);
    spans
}

/// What `payments` does while serving a charge, inside `c.served`.
fn inner_spans(g: &mut Gen, c: &Charge) -> Vec<Span> {
    let (s, e) = c.served;
    let config_start = s + g.between(20, 60);
    let config = (config_start, config_start + g.between(40, 150));
    let load = |span: (Micros, Micros)| {
        Span::new(CONFIG, "load config", INTERNAL, span)
            .attr("config.source", "configmaps/prod/payments-config")
    };
    match c.failure {
        Some(Failure::ConfigKey) => {
            let span = (config_start, e - g.between(60, 200));
            vec![load(span).failed(
                Failure::ConfigKey.message(),
                Some(exception_type(Failure::ConfigKey)),
            )]
        }
        Some(f @ (Failure::SecretMissing | Failure::Timeout)) => {
            // The pod could not read its database secret at start; it connects without it.
            let start = config.1 + g.between(50, 200);
            let end = e - g.between(200, 500);
            let message = match f {
                Failure::Timeout => "context deadline exceeded",
                _ => "FATAL: password authentication failed for user \"payments\" (SQLSTATE 28P01)",
            };
            let connect = Span::new(PGX, "connect", CLIENT, (start, end))
                .attr("db.system.name", "postgresql")
                .attr("db.namespace", "payments")
                .attr("server.address", DB_HOST)
                .int("server.port", 5432)
                .failed(message, None);
            vec![load(config), connect]
        }
        Some(Failure::FraudTimeout) => {
            let select = db(g, "SELECT", "orders", config.1);
            let start = select.end + g.between(100, 400);
            let fraud = fraud_check(start, start + 800 * MS).failed(
                "context deadline exceeded",
                Some("context.deadlineExceededError"),
            );
            vec![load(config), select, fraud]
        }
        None => {
            let select = db(g, "SELECT", "orders", config.1);
            let insert_took = g.between(2 * MS, 8 * MS);
            let insert_start = e - g.between(200, 800) - insert_took;
            let fraud_start = select.end + g.between(100, 400);
            let fraud_end = insert_start - g.between(100, 300);
            let fraud = fraud_check(fraud_start, fraud_end.max(fraud_start + MS))
                .int("http.response.status_code", 200);
            let mut insert = db(g, "INSERT", "charges", insert_start);
            insert.end = insert_start + insert_took;
            vec![load(config), select, fraud, insert]
        }
    }
}

/// A Postgres call starting just after `after`.
fn db(g: &mut Gen, op: &'static str, table: &'static str, after: Micros) -> Span {
    let start = after + g.between(50, 200);
    let took = g.between(1500, 6 * MS);
    let (name, query) = match op {
        "SELECT" => (
            "SELECT orders",
            "SELECT id, amount_cents, currency, status FROM orders WHERE id = $1",
        ),
        _ => (
            "INSERT charges",
            "INSERT INTO charges (order_id, amount_cents, currency, psp_ref) VALUES ($1, $2, $3, $4)",
        ),
    };
    Span::new(PGX, name, CLIENT, (start, start + took))
        .attr("db.system.name", "postgresql")
        .attr("db.namespace", "payments")
        .attr("db.operation.name", op)
        .attr("db.collection.name", table)
        .attr("db.query.text", query)
        .attr("server.address", DB_HOST)
        .int("server.port", 5432)
}

fn fraud_check(start: Micros, end: Micros) -> Span {
    Span::new(OTELHTTP, "POST fraud-check", CLIENT, (start, end))
        .attr("http.request.method", "POST")
        .attr("url.full", &format!("http://{FRAUD_HOST}/v1/score"))
        .attr("server.address", FRAUD_HOST)
}

/// The Go error type `payments` reports for a failure.
fn exception_type(f: Failure) -> &'static str {
    match f {
        Failure::ConfigKey => "*config.UnknownKeyError",
        Failure::SecretMissing => "*pgconn.ConnectError",
        Failure::Timeout | Failure::FraudTimeout => "context.deadlineExceededError",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::payments::charges;

    #[test]
    fn every_charge_has_its_trace_with_children_inside_their_parents() {
        let cs = charges();
        let mut g = Gen::new(SEED);
        for c in &cs {
            let spans = trace(&mut g, c);
            let serve = spans.iter().find(|s| s.id == c.span_id).unwrap();
            assert_eq!((serve.start, serve.end), c.served);
            assert_eq!(serve.error.is_some(), c.failure.is_some());
            for s in &spans {
                assert!(s.start < s.end, "{} {}", c.trace_id, s.name);
                if let Some(p) = spans.iter().find(|p| p.id == s.parent) {
                    assert!(
                        p.start <= s.start && s.end <= p.end,
                        "{} {}",
                        c.trace_id,
                        s.name
                    );
                }
            }
            assert_eq!(spans.iter().filter(|s| s.parent.is_empty()).count(), 1);
        }
        let text = String::from_utf8(payments_json(&cs)).unwrap();
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["resourceSpans"].as_array().unwrap().len(), 2);
        }
        assert!(text.lines().count() > 60);
    }
}
