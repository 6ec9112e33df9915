//! `search`, `histogram` and `facets` end to end, checked against answers the test computes on
//! its own: a few thousand seeded random events are sealed (a signed part, then an unsigned
//! tail) and pulled, and every query's hits, totals, buckets and top values are compared with
//! plain filtering, sorting and counting of the generated records (`query_model`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::common::{Run, Sandbox};
use crate::query_model::{
    C1_ACTOR, EVIL_ACTOR, Ev, HOUR, MIN, Order, SEC, expected, generate, has_terminal_controls,
    in_range, outcome_counts, rfc3339, top_values,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

const SIGNED_EVENTS: usize = 3000;
const SIGNED_PER_SEGMENT: usize = 200;
const TAIL_EVENTS: usize = 240;
const TAIL_PER_SEGMENT: usize = 60;
const SIGNED_SEGMENTS: u64 = (SIGNED_EVENTS / SIGNED_PER_SEGMENT) as u64;
/// More than any query here matches.
const ALL: &str = "100000";

/// The pulled store and the model of what it holds.
struct Fixture {
    sb: Sandbox,
    /// The test's "now" (the binary's is a little later; see `quiet_windows`).
    now: i64,
    /// Every event, in store order.
    evs: Vec<Ev>,
}

/// Seals the generated events (signed, then an unsigned tail), pulls after each, and checks the
/// store holds each line byte for byte where the model says. Shared by the read-only tests.
fn fixture() -> &'static Fixture {
    static FX: OnceLock<Fixture> = OnceLock::new();
    FX.get_or_init(|| {
        let now = chrono::Utc::now()
            .timestamp_nanos_opt()
            .expect("now in range");
        let mut rng = ChaCha8Rng::seed_from_u64(0x7a11_5c09e);
        let mut signed = generate(&mut rng, now, SIGNED_EVENTS, 0, &[]);
        let mut tail = generate(&mut rng, now, TAIL_EVENTS, SIGNED_EVENTS, &signed);
        place(&mut signed, 0, SIGNED_PER_SEGMENT, true);
        place(&mut tail, SIGNED_SEGMENTS, TAIL_PER_SEGMENT, false);

        let sb = Sandbox::new();
        sb.keygen("ops");
        sb.write("signed.ndjson", ndjson(&signed));
        sb.seal_signed(&["--segment-events", "200", "signed.ndjson"])
            .ok()
            .stdout_has("sealed 3000 events into 15 segments");
        sb.ts(&["pull", "store"]).ok();
        sb.write("tail.ndjson", ndjson(&tail));
        sb.ts(&[
            "seal",
            "--store",
            "store",
            "--segment-events",
            "60",
            "tail.ndjson",
        ])
        .ok()
        .stdout_has("sealed 240 events into 4 segments");
        let pulled = sb.ts(&["pull", "--json", "store"]).ok().json();
        assert_eq!(pulled["head"]["segments"], 19, "{pulled:#}");
        assert_eq!(pulled["head"]["covered"], SIGNED_SEGMENTS, "{pulled:#}");
        assert_eq!(pulled["head"]["events"], 3240, "{pulled:#}");

        let evs: Vec<Ev> = signed.into_iter().chain(tail).collect();
        let stored = crate::common::segments(&sb.path("store"));
        assert_eq!(stored.len(), 19);
        let mut model = evs.iter();
        for seg in &stored {
            for (pos, line) in seg.body.iter().enumerate() {
                let e = model.next().expect("as many events as lines");
                assert_eq!((e.seq, e.pos), (seg.seq(), pos as u64));
                assert_eq!(line, e.line.as_bytes(), "seq {} pos {pos}", seg.seq());
            }
        }
        assert!(model.next().is_none(), "every event was stored");

        // Ties are common: to the ns, and to the second.
        let shared = |key: fn(i64) -> i64| {
            let mut keys: Vec<i64> = evs.iter().map(|e| key(e.time)).collect();
            keys.sort_unstable();
            keys.windows(2).filter(|w| w[0] == w[1]).count()
        };
        let (same_ns, same_s) = (shared(|t| t), shared(|t| t.div_euclid(SEC)));
        assert!(
            same_ns > 200 && same_s > same_ns + 200,
            "{same_ns} {same_s}"
        );
        Fixture { sb, now, evs }
    })
}

/// Sets `seq`/`pos` the way seal cuts `evs` into segments of `per` from `first_seq`.
fn place(evs: &mut [Ev], first_seq: u64, per: usize, verified: bool) {
    for (i, e) in evs.iter_mut().enumerate() {
        e.seq = first_seq + (i / per) as u64;
        e.pos = (i % per) as u64;
        e.verified = verified;
    }
}

fn ndjson(evs: &[Ev]) -> String {
    evs.iter().map(|e| format!("{}\n", e.line)).collect()
}

/// A query and the model's idea of what it matches.
struct Q {
    text: &'static str,
    pred: fn(&Ev) -> bool,
}

/// Queries over structured fields, full text and JSON paths.
fn queries() -> Vec<Q> {
    vec![
        Q {
            text: "*",
            pred: |_| true,
        },
        Q {
            text: "",
            pred: |_| true,
        },
        Q {
            text: "actor:alice",
            pred: |e| e.actor == "alice",
        },
        Q {
            text: "actor:alice AND action:delete",
            pred: |e| e.actor == "alice" && e.action == "delete",
        },
        Q {
            text: "action:(create OR delete)",
            pred: |e| e.action == "create" || e.action == "delete",
        },
        Q {
            text: "action:IN [read update]",
            pred: |e| e.action == "read" || e.action == "update",
        },
        Q {
            text: "* -outcome:success",
            pred: |e| e.outcome != "success",
        },
        Q {
            text: "actor:alice NOT action:delete",
            pred: |e| e.actor == "alice" && e.action != "delete",
        },
        Q {
            text: "outcome:denied OR outcome:unknown",
            pred: |e| e.outcome == "denied" || e.outcome == "unknown",
        },
        Q {
            text: r#"actor:"dave smith""#,
            pred: |e| e.actor == "dave smith",
        },
        Q {
            text: "actor:zoë",
            pred: |e| e.actor == "zoë",
        },
        Q {
            text: "actor:\"mallory\u{202E}\u{1b}[31mlive\"",
            pred: |e| e.actor == EVIL_ACTOR,
        },
        Q {
            text: r#"resource:"db/prod" AND source_ip:"10.1.0.7""#,
            pred: |e| e.resource == "db/prod" && e.source_ip.as_deref() == Some("10.1.0.7"),
        },
        Q {
            text: r#""disk full""#,
            pred: |e| e.has_phrase("disk full"),
        },
        Q {
            text: "timeout",
            pred: |e| e.has_word("timeout"),
        },
        Q {
            text: "Quota AND outcome:failure",
            pred: |e| e.has_word("quota") && e.outcome == "failure",
        },
        Q {
            text: "record.meta.tier:gold",
            pred: |e| e.tier == Some("gold"),
        },
        // The record's leaves are exact terms under their paths (numbers as numbers).
        Q {
            text: r#"record.meta.region:"eu-west" AND actor:bob"#,
            pred: |e| e.actor == "bob" && e.region == Some("eu-west"),
        },
        Q {
            text: "record.outcome:403",
            pred: |e| e.record()["outcome"] == 403,
        },
        Q {
            text: "seq:3",
            pred: |e| e.seq == 3,
        },
        Q {
            text: "seq:17",
            pred: |e| e.seq == 17,
        },
        Q {
            text: r#"request_id:"req-00042""#,
            pred: |e| e.request_id == "req-00042",
        },
    ]
}

/// A time range as given on the command line, and as the model sees it.
struct Range {
    args: Vec<String>,
    lo: Option<i64>,
    hi: Option<i64>,
}

/// Ranges: none; absolute ones whose ends fall on times several events share to the ns
/// (written in UTC and with offsets); relative ones.
fn ranges(fx: &Fixture) -> Vec<Range> {
    let mut shared: Vec<i64> = fx.evs.iter().map(|e| e.time).collect();
    shared.sort_unstable();
    let shared: Vec<i64> = shared
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    let (a, b) = (shared[shared.len() / 5], shared[shared.len() * 3 / 5]);
    let r = |from: Option<String>, to: Option<String>, lo, hi| {
        let mut args = Vec::new();
        if let Some(f) = from {
            args.extend(["--from".to_string(), f]);
        }
        if let Some(t) = to {
            args.extend(["--to".to_string(), t]);
        }
        Range { args, lo, hi }
    };
    let now = fx.now;
    vec![
        r(None, None, None, None),
        r(
            Some(rfc3339(a, 0)),
            Some(rfc3339(b, 19_800)),
            Some(a),
            Some(b),
        ),
        r(
            Some(rfc3339(a + 1, -28_800)),
            Some(rfc3339(b + 1, 0)),
            Some(a + 1),
            Some(b + 1),
        ),
        r(
            Some("-2h".into()),
            Some("now".into()),
            Some(now - 2 * HOUR),
            Some(now),
        ),
        r(Some("-15m".into()), None, Some(now - 15 * MIN), None),
        r(None, Some("-15m".into()), None, Some(now - 15 * MIN)),
    ]
}

impl Fixture {
    fn ts(&self, args: &[&str]) -> Run {
        self.sb.ts(args)
    }

    /// `trailscope CMD store QUERY EXTRA… RANGE…`, asserting success.
    fn query(&self, cmd: &str, query: &str, extra: &[&str], range: &Range) -> Run {
        let mut args = vec![cmd, "store", query];
        args.extend_from_slice(extra);
        args.extend(range.args.iter().map(String::as_str));
        self.ts(&args).ok()
    }

    /// `trailscope facets store FIELD QUERY EXTRA… RANGE…`, asserting success.
    fn facets(&self, field: &str, query: &str, extra: &[&str], range: &Range) -> Run {
        let mut args = vec!["facets", "store", field, query];
        args.extend_from_slice(extra);
        args.extend(range.args.iter().map(String::as_str));
        self.ts(&args).ok()
    }

    /// `search --json` hits.
    fn hits(&self, query: &str, order: Order, limit: &str, range: &Range) -> Vec<Value> {
        let run = self.query(
            "search",
            query,
            &["--json", "--order", order.arg(), "--limit", limit],
            range,
        );
        json_lines(&run)
    }

    /// The total `search --limit 0` reports.
    fn total(&self, query: &str, range: &Range) -> u64 {
        let run = self.query("search", query, &["--limit", "0"], range);
        let (shown, total) = shown_of(&run);
        assert_eq!(shown, 0, "{run}");
        total
    }

    fn by_request_id(&self, id: &str) -> &Ev {
        self.evs
            .iter()
            .find(|e| e.request_id == id)
            .unwrap_or_else(|| panic!("no event {id}"))
    }
}

#[track_caller]
fn json_lines(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{run}")))
        .collect()
}

/// `(shown, total)` from the table's `N of M matching events shown` line.
#[track_caller]
fn shown_of(run: &Run) -> (u64, u64) {
    let last = run.stdout.lines().last().unwrap_or_default();
    let words: Vec<&str> = last.split(' ').collect();
    assert!(
        last.ends_with(" matching events shown") && words[1] == "of",
        "no summary line\n{run}"
    );
    (
        words[0].parse().expect("shown"),
        words[2].parse().expect("total"),
    )
}

/// The hits are exactly `want`, in order, each with the fields of its record.
#[track_caller]
fn assert_hits(hits: &[Value], want: &[&Ev], what: &str) {
    let got: Vec<&str> = hits
        .iter()
        .map(|h| h["request_id"].as_str().expect("request_id"))
        .collect();
    let exp: Vec<&str> = want.iter().map(|e| e.request_id.as_str()).collect();
    if got != exp {
        let at = got.iter().zip(&exp).take_while(|(g, e)| g == e).count();
        panic!(
            "{what}: {} hits, expected {}; first difference at index {at}: got {:?}, expected {:?}",
            got.len(),
            exp.len(),
            got.get(at),
            want.get(at).map(|e| (&e.request_id, e.time, e.seq, e.pos)),
        );
    }
    for (h, e) in hits.iter().zip(want) {
        let source_ip = e.source_ip.as_deref().map_or(Value::Null, Value::from);
        let fields = [
            ("time", Value::from(rfc3339(e.time, 0))),
            ("time_ns", e.time.into()),
            ("seq", e.seq.into()),
            ("pos", e.pos.into()),
            ("verified", e.verified.into()),
            ("actor", e.actor.as_str().into()),
            ("action", e.action.as_str().into()),
            ("resource", e.resource.as_str().into()),
            ("outcome", e.outcome.into()),
            ("source_ip", source_ip),
        ];
        for (k, v) in fields {
            assert_eq!(h[k], v, "{what}: {k} of {}: {h}", e.request_id);
        }
    }
}

#[test]
fn search_hits_match_the_model_for_every_query_range_and_order() {
    let fx = fixture();
    let rs = ranges(fx);
    for q in queries() {
        // Each query selects something, and (but for match-all) not everything.
        let n = expected(&fx.evs, &q.pred, None, None, Order::Newest).len();
        let match_all = matches!(q.text, "*" | "");
        assert!(
            n > 0 && (match_all || n < fx.evs.len()),
            "{:?} selects {n}",
            q.text
        );
        for (i, r) in rs.iter().enumerate() {
            // Oldest first on fewer ranges: the order of ties is the same logic either way.
            let orders: &[Order] = if i % 2 == 0 {
                &[Order::Newest, Order::Oldest]
            } else {
                &[Order::Newest]
            };
            for &order in orders {
                let want = expected(&fx.evs, &q.pred, r.lo, r.hi, order);
                let what = format!(
                    "search {:?} {} --order {}",
                    q.text,
                    r.args.join(" "),
                    order.arg()
                );
                assert_hits(&fx.hits(q.text, order, ALL, r), &want, &what);
            }
        }
    }
}

#[test]
fn totals_and_limits_give_the_count_and_the_first_hits() {
    let fx = fixture();
    let rs = ranges(fx);
    for q in queries().iter().step_by(3) {
        for r in [&rs[0], &rs[2], &rs[3]] {
            let newest = expected(&fx.evs, &q.pred, r.lo, r.hi, Order::Newest);
            let what = format!("search {:?} {}", q.text, r.args.join(" "));
            assert_eq!(fx.total(q.text, r), newest.len() as u64, "{what}");
            let oldest = expected(&fx.evs, &q.pred, r.lo, r.hi, Order::Oldest);
            let hits = fx.hits(q.text, Order::Oldest, "7", r);
            assert_hits(&hits, &oldest[..oldest.len().min(7)], &what);
        }
    }

    // Record paths match exact values, case included; free text is case-insensitive.
    let all = &rs[0];
    assert_eq!(fx.total("record.meta.tier:Gold", all), 0);
    let gold = expected(
        &fx.evs,
        &|e| e.tier == Some("gold"),
        None,
        None,
        Order::Newest,
    );
    assert_eq!(fx.total("record.meta.tier:gold", all), gold.len() as u64);
    let words = expected(&fx.evs, &|e| e.has_word("gold"), None, None, Order::Newest);
    assert_eq!(fx.total("GOLD", all), words.len() as u64);

    // The table: a header, the first N rows in order, and the count of all matches.
    let want = expected(&fx.evs, &|_| true, None, None, Order::Newest);
    let run = fx.query("search", "*", &[], all);
    assert_eq!(shown_of(&run), (50, want.len() as u64), "{run}");
    let run = fx.query("search", "actor:alice", &["--limit", "0"], all);
    assert_eq!(
        run.stdout.lines().count(),
        2,
        "header and summary only\n{run}"
    );
    assert!(run.stdout.starts_with("TIME "), "{run}");
    let run = fx.query("search", "*", &["--limit", "5"], all);
    let places: Vec<String> = run
        .stdout
        .lines()
        .skip(1)
        .take(5)
        .map(|l| {
            l.split_whitespace()
                .nth(2)
                .expect("SEQ:POS column")
                .to_string()
        })
        .collect();
    let exp: Vec<String> = want[..5]
        .iter()
        .map(|e| format!("{}:{}", e.seq, e.pos))
        .collect();
    assert_eq!(places, exp, "{run}");
    assert_eq!(shown_of(&run), (5, want.len() as u64), "{run}");
}

#[test]
fn hits_name_their_record_and_whether_a_checkpoint_signs_it() {
    let fx = fixture();
    let all = &ranges(fx)[0];
    for (query, seq, verified) in [("seq:2", 2, "yes"), ("seq:16", 16, "UNSIGNED")] {
        let run = fx.query("search", query, &["--limit", "3"], all);
        let rows: Vec<&str> = run.stdout.lines().skip(1).take(3).collect();
        assert_eq!(rows.len(), 3, "{run}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            assert_eq!(cols[1], verified, "{run}");
            assert!(cols[2].starts_with(&format!("{seq}:")), "{run}");
        }
    }

    // --records carries the original record; seq/pos name its line in the store.
    let run = fx.query(
        "search",
        "request_id:\"req-00042\" OR request_id:\"req-03100\"",
        &["--json", "--records", "--order", "oldest"],
        all,
    );
    let hits = json_lines(&run);
    assert_eq!(hits.len(), 2, "{run}");
    let segs = crate::common::segments(&fx.sb.path("store"));
    for h in &hits {
        let e = fx.by_request_id(h["request_id"].as_str().expect("request_id"));
        let original: Value = serde_json::from_str(&e.line).expect("line is JSON");
        assert_eq!(h["record"], original, "{run}");
        let seg = segs
            .iter()
            .find(|s| Some(s.seq()) == h["seq"].as_u64())
            .expect("seq");
        let line = &seg.body[h["pos"].as_u64().expect("pos") as usize];
        assert_eq!(line, e.line.as_bytes());
        assert_eq!(h["verified"], e.seq < SIGNED_SEGMENTS);
    }
}

/// Runs `histogram --json` and checks every bucket against the model: the buckets tile the
/// range in whole milliseconds, and each one's count and outcomes are those of the matching
/// events in `[start, end)` (within the range). With `loose`, the range's ends are relative
/// times the binary resolved a little later than the model.
fn check_histogram(fx: &Fixture, q: &Q, r: &Range, buckets: usize, loose: bool) {
    let n = buckets.to_string();
    let run = fx.query("histogram", q.text, &["--json", "--buckets", &n], r);
    let got = json_lines(&run);
    let matching = expected(&fx.evs, &q.pred, r.lo, r.hi, Order::Oldest);
    let lo =
        r.lo.unwrap_or_else(|| matching.first().expect("matches").time);
    let hi =
        r.hi.unwrap_or_else(|| matching.last().expect("matches").time + 1);
    let slack = if loose { 10 * MIN } else { 0 };
    assert!((1..=buckets).contains(&got.len()), "{run}");
    let start = |b: &Value| b["start_ns"].as_i64().expect("start_ns");
    let end = |b: &Value| b["end_ns"].as_i64().expect("end_ns");
    let width = end(&got[0]) - start(&got[0]);
    assert!(
        width > 0 && width % 1_000_000 == 0,
        "whole ms: {width}\n{run}"
    );
    assert!(
        start(&got[0]) <= lo + slack && lo < end(&got[0]),
        "first bucket\n{run}"
    );
    let last = got.last().expect("buckets");
    assert!(
        start(last) < hi + slack && hi <= end(last),
        "last bucket\n{run}"
    );
    let mut sum = 0;
    for (i, b) in got.iter().enumerate() {
        let (s, e) = (start(b), end(b));
        assert_eq!(e - s, width, "bucket {i}\n{run}");
        if i > 0 {
            assert_eq!(s, end(&got[i - 1]), "bucket {i} follows on\n{run}");
        }
        assert_eq!(b["start"], rfc3339(s, 0), "bucket {i}\n{run}");
        let inside: Vec<&Ev> = matching
            .iter()
            .copied()
            .filter(|ev| in_range(ev.time, Some(s.max(lo)), Some(e.min(hi))))
            .collect();
        let what = format!(
            "histogram {:?} {} bucket {i} [{s}, {e})",
            q.text,
            r.args.join(" ")
        );
        assert_eq!(b["count"], inside.len(), "{what}\n{run}");
        let outcomes: BTreeMap<String, u64> =
            serde_json::from_value(b["outcomes"].clone()).expect("outcomes");
        assert_eq!(outcomes, outcome_counts(inside), "{what}\n{run}");
        sum += b["count"].as_u64().expect("count");
    }
    assert_eq!(sum, matching.len() as u64, "{run}");
    assert_eq!(
        sum,
        fx.total(q.text, r),
        "the search total for the same filter"
    );
}

#[test]
fn histogram_buckets_tile_the_range_and_count_like_the_model() {
    let fx = fixture();
    let rs = ranges(fx);
    let qs = queries();
    let q = |text: &str| qs.iter().find(|q| q.text == text).expect("query");
    check_histogram(fx, q("*"), &rs[0], 13, false);
    check_histogram(fx, q("*"), &rs[1], 7, false);
    check_histogram(fx, q("*"), &rs[2], 1, false);
    check_histogram(fx, q("actor:alice"), &rs[2], 24, false);
    check_histogram(fx, q("actor:alice"), &rs[3], 5, true);
    check_histogram(fx, q("* -outcome:success"), &rs[4], 9, true);
    check_histogram(fx, q("timeout"), &rs[0], 4, false);
    check_histogram(fx, q("record.meta.tier:gold"), &rs[1], 3000, false);

    // The table: one row per bucket, and the total with the bucket width.
    let run = fx.query("histogram", "*", &["--buckets", "10"], &rs[0]);
    let last = run.stdout.lines().last().expect("summary");
    assert!(
        last.starts_with(&format!("{} matching events, ", fx.evs.len())),
        "{run}"
    );
    assert!(
        run.stdout
            .lines()
            .next()
            .expect("header")
            .starts_with("START"),
        "{run}"
    );
}

/// Runs `facets --json` (and the table) and checks the values, counts and the summary line.
fn check_facets(fx: &Fixture, field: &str, q: &Q, r: &Range, top: usize) {
    let get: fn(&Ev) -> Option<String> = match field {
        "actor" => |e| Some(e.actor.clone()),
        "action" => |e| Some(e.action.clone()),
        "resource" => |e| Some(e.resource.clone()),
        "outcome" => |e| Some(e.outcome.to_string()),
        "source_ip" => |e| e.source_ip.clone(),
        "request_id" => |e| Some(e.request_id.clone()),
        other => panic!("no model for {other}"),
    };
    let matching = expected(&fx.evs, &q.pred, r.lo, r.hi, Order::Oldest);
    let (want, other, missing) = top_values(&matching, &get, top);
    let n = top.to_string();
    let run = fx.facets(field, q.text, &["--json", "--top", &n], r);
    let got: Vec<(String, u64)> = json_lines(&run)
        .iter()
        .map(|v| {
            let value = v["value"].as_str().expect("value").to_string();
            (value, v["count"].as_u64().expect("count"))
        })
        .collect();
    assert_eq!(
        got,
        want,
        "facets {field} {:?} {}\n{run}",
        q.text,
        r.args.join(" ")
    );

    let table = fx.facets(field, q.text, &["--top", &n], r);
    let summary = format!(
        "{} matching events; {other} with other values, {missing} without {field}",
        matching.len()
    );
    assert_eq!(
        table.stdout.lines().last(),
        Some(summary.as_str()),
        "{table}"
    );
    assert_eq!(table.stdout.lines().count(), want.len() + 2, "{table}");
}

#[test]
fn facets_give_the_models_top_values_and_the_events_without_one() {
    let fx = fixture();
    let rs = ranges(fx);
    let qs = queries();
    let q = |text: &str| qs.iter().find(|q| q.text == text).expect("query");
    check_facets(fx, "actor", q("*"), &rs[0], 3);
    check_facets(fx, "actor", q("*"), &rs[0], 10);
    check_facets(fx, "source_ip", q("*"), &rs[0], 4);
    check_facets(
        fx,
        "source_ip",
        q("actor:alice AND action:delete"),
        &rs[1],
        2,
    );
    check_facets(fx, "outcome", q("*"), &rs[2], 10);
    check_facets(fx, "resource", q(r#""disk full""#), &rs[3], 3);
    check_facets(fx, "action", q("record.meta.tier:gold"), &rs[5], 2);
    // Every request id occurs once: the top values are a tie, broken by value.
    check_facets(fx, "request_id", q("actor:alice"), &rs[0], 5);
    check_facets(fx, "request_id", q("seq:17"), &rs[4], 4);
}

#[test]
fn tables_escape_terminal_controls_and_json_keeps_the_exact_names() {
    let fx = fixture();
    let all = &ranges(fx)[0];
    let evil = "mallory\\u{202E}\\u{1B}[31mlive";
    let c1 = "eve\\u{9B}2J";

    let table = fx.query("search", "*", &["--limit", ALL], all);
    assert!(!has_terminal_controls(&table.stdout), "{table}");
    assert!(
        table.stdout.contains(evil) && table.stdout.contains(c1),
        "{table}"
    );
    let table = fx.facets("actor", "*", &[], all);
    assert!(!has_terminal_controls(&table.stdout), "{table}");
    assert!(
        table.stdout.contains(evil) && table.stdout.contains(c1),
        "{table}"
    );

    let json = fx.query("search", "*", &["--json", "--limit", ALL], all);
    assert!(
        !has_terminal_controls(&json.stdout),
        "JSON escapes them too\n{json}"
    );
    let hits = json_lines(&json);
    assert_eq!(hits.len(), fx.evs.len());
    for h in &hits {
        let e = fx.by_request_id(h["request_id"].as_str().expect("request_id"));
        assert_eq!(h["actor"].as_str(), Some(e.actor.as_str()));
    }
    assert!(hits.iter().any(|h| h["actor"] == EVIL_ACTOR));
    let json = fx.facets("actor", "*", &["--json"], all);
    assert!(!has_terminal_controls(&json.stdout), "{json}");
    let values: Vec<Value> = json_lines(&json)
        .iter()
        .map(|v| v["value"].clone())
        .collect();
    assert!(
        values.contains(&EVIL_ACTOR.into()) && values.contains(&C1_ACTOR.into()),
        "{json}"
    );
}

/// The two lines `explain` prints under a syntax error: the query, and a caret under `pos`.
#[track_caller]
fn assert_caret(run: &Run, query: &str) {
    let pos: usize = run
        .stderr
        .split("(at position ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no position\n{run}"));
    let lines: Vec<&str> = run.stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == format!("  {query}"))
        .unwrap_or_else(|| panic!("query not shown\n{run}"));
    let col = query[..pos].chars().count();
    assert_eq!(lines[at + 1], format!("  {}^", " ".repeat(col)), "{run}");
}

#[test]
fn bad_queries_ranges_and_fields_exit_2_and_say_why() {
    let fx = fixture();
    let all = &ranges(fx)[0];
    for query in [
        "actor:alice AND (action:delete",
        "actor:zoë AND (action:delete",
    ] {
        let run = fx
            .ts(&["search", "store", query])
            .code(2)
            .stderr_has("query syntax");
        assert_caret(&run, query);
        assert!(
            run.stderr
                .contains(&format!("(at position {})", query.len())),
            "{run}"
        );
    }
    fx.ts(&["search", "store", "nosuchfield:x"])
        .code(2)
        .stderr_has("Field does not exist: 'nosuchfield'");
    fx.ts(&["histogram", "store", "actor:alice AND nosuchfield:x"])
        .code(2)
        .stderr_has("nosuchfield");
    // The error names both times (in the fixed spelling: `…00:00:00.500000000Z`).
    let (late, early) = ("2026-01-02T00:00:00.5", "2026-01-01T00:00:00.5");
    let (from, to) = (format!("{late}Z"), format!("{early}+00:00"));
    for cmd in [
        &["search", "store"][..],
        &["facets", "store", "actor"],
        &["histogram", "store"],
    ] {
        let mut args = cmd.to_vec();
        args.extend(["*", "--from", &from, "--to", &to]);
        fx.ts(&args).code(2).stderr_has(late).stderr_has(early);
    }
    fx.ts(&["search", "store", "--from", "yesterday"])
        .code(2)
        .stderr_has("--from");
    fx.ts(&["facets", "store", "colour"])
        .code(2)
        .stderr_has("unknown facet field \"colour\"");
    // Nothing was wrongly cached: the store still answers.
    assert_eq!(fx.total("*", all), fx.evs.len() as u64);

    let sb = Sandbox::new();
    sb.write("one.ndjson", format!("{}\n", fx.evs[0].line));
    sb.ts(&["seal", "--store", "store", "one.ndjson"]).ok();
    for cmd in [
        &["search", "store"][..],
        &["histogram", "store"],
        &["facets", "store", "actor"],
    ] {
        sb.ts(cmd).code(2).stderr_has("run `trailscope pull");
    }
}

/// `a AND NOT b` must mean "a, except b", and a lone `NOT b` "everything except b" (the
/// `search` help advertises NOT). Tantivy's parser turns `a AND NOT b` into `+a +(-b)`, whose
/// all-negative inner clause matches nothing (quickwit-oss/tantivy#2584), and refuses a lone
/// `NOT b` ("Only excluding terms given", #1980); `query::parse` passes both through.
#[test]
fn and_not_excludes_instead_of_emptying_the_result() {
    let fx = fixture();
    let cases = [
        Q {
            text: "actor:alice AND NOT action:delete",
            pred: |e| e.actor == "alice" && e.action != "delete",
        },
        Q {
            text: "NOT outcome:success",
            pred: |e| e.outcome != "success",
        },
        Q {
            text: "timeout AND NOT (actor:alice OR actor:bob)",
            pred: |e| e.has_word("timeout") && e.actor != "alice" && e.actor != "bob",
        },
    ];
    for Q { text: query, pred } in cases {
        let want = expected(&fx.evs, &pred, None, None, Order::Newest);
        assert!(!want.is_empty());
        let run = fx.ts(&["search", "store", query, "--json", "--limit", ALL]);
        assert_eq!(run.code, 0, "search {query:?}\n{run}");
        assert_hits(&json_lines(&run), &want, query);
    }
}
