//! Alerts in the console (issue 9): the banner with its unseen count and the bell, the `!`
//! list whose Enter shows the event, the `s` saved-query picker and the `:` command line,
//! drawn into a `TestBackend` (insta snapshots at 80×24) and driven through the real `update`
//! functions; the pull thread's evaluation ([`LiveAlerts`]) on a store sealed in two steps; and
//! `open --follow` in a real terminal (tmux) raising the banner for a newly sealed matching
//! event and nothing for a non-matching one.
//!
//! The alerts fed to the console come from the real evaluator run on the pulled store, so what
//! the screens must show is derived from the events, never written down by hand.

use std::path::Path;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use ratatui::style::Color;
use serde_json::{Value, json};
use trailscope::alert::engine::Cooldowns;
use trailscope::alert::integrity::integrity_alerts;
use trailscope::alert::{Alert, AlertKind, Evaluator, SavedQuery};
use trailscope::event::InputFormat;
use trailscope::pull::{LocalState, PullOptions, pull};
use trailscope::seal::{SealOptions, Sealer};
use trailscope::segment::keys::{generate_with, parse_signer};
use trailscope::store::{DirStore, Store};
use trailscope::tui::action::Action;
use trailscope::tui::config::Config;
use trailscope::tui::live_alerts::LiveAlerts;
use trailscope::tui::state::Overlay;
use trailscope::tui::state::alerts::MAX_ALERTS;
use trailscope::tui::theme::{Role, Theme};
use trailscope::tui::update::{PullEvent, on_pull};
use trailscope::tui::view::layout::areas;
use trailscope::verify::{Kind, Problem};

use crate::console_common::{Console, Pulled, SMALL, sealed, table_rows};
use crate::console_tmux_common::{KEY_TIMEOUT, PULL_TIMEOUT, Sandbox, Tmux, have_tmux};

/// The alert rule every test uses, and the saved queries around it.
const QUERIES: &str = r#"
default_queries = false

[[queries]]
name = "prod-secret-reads"
query = 'actor:mallory AND action:get'
description = "mallory read a prod secret"
alert = true

[[queries]]
name = "denied"
query = 'outcome:denied'

[[queries]]
name = "recent-updates"
query = 'action:update'
description = "document updates in the last quarter hour"
window = "15m"

[[queries]]
name = "recent-deletes"
query = 'action:delete'
"#;

/// `raised_at` of the alerts fed to screens (the evaluator stamps the wall clock).
const RAISED_AT: &str = "2026-11-24T11:00:00Z";

fn saved_queries() -> Vec<SavedQuery> {
    Config::parse(QUERIES, Path::new("test-config.toml"))
        .expect("the test config parses")
        .saved_queries()
}

/// Twelve events a few minutes apart: updates by users, one denied delete, and two reads of a
/// prod secret by mallory near the end (what the rule matches).
fn records() -> Vec<Value> {
    (0..12)
        .map(|i| {
            let time = format!("2026-11-24T10:{:02}:00Z", i * 5);
            match i {
                9 | 11 => json!({"time": time, "actor": "mallory", "action": "get",
                    "resource": format!("secrets/prod/db-{i}"), "outcome": "success"}),
                4 => json!({"time": time, "actor": "user-4", "action": "delete",
                    "resource": "doc/4", "outcome": "denied"}),
                _ => json!({"time": time, "actor": format!("user-{i}"), "action": "update",
                    "resource": format!("doc/{i}"), "outcome": "success"}),
            }
        })
        .collect()
}

/// How many of [`records`] the rule matches.
fn matching_records() -> usize {
    records()
        .iter()
        .filter(|r| r["actor"] == "mallory" && r["action"] == "get")
        .count()
}

/// The alerts the real evaluator raises on every attested segment of `p`, oldest first, with
/// a fixed `raised_at`.
fn real_alerts(p: &Pulled) -> Vec<Alert> {
    let local = LocalState::at(&p.home, &p.location);
    let attested = p.summary.head.covered;
    let mut alerts = Evaluator::new(&saved_queries())
        .expect("rules compile")
        .evaluate(
            &local,
            &p.location,
            0..attested,
            attested,
            &mut Cooldowns::default(),
        )
        .expect("evaluate");
    for a in &mut alerts {
        a.raised_at = RAISED_AT.into();
    }
    assert_eq!(alerts.len(), matching_records(), "{alerts:?}");
    alerts
}

/// A console on a fresh store of [`records`] with the saved queries loaded, and the store.
fn console() -> (Console, Pulled) {
    let p = sealed(&records());
    let mut c = Console::on(&p, SMALL, Theme::load(None, None, false).expect("theme"));
    c.app.saved = saved_queries();
    (c, p)
}

/// Feeds alerts to the console as the pull thread's message does.
fn raise(c: &mut Console, alerts: Vec<Alert>) {
    let fx = on_pull(&mut c.app, PullEvent::Alerts(alerts));
    c.run(fx);
}

fn banner_line(text: &str) -> Option<&str> {
    text.lines().find(|l| l.contains("ALERT ("))
}

/// The summary as the banner shows it: the rule, then the event's canonical fields.
fn summary_start(a: &Alert) -> String {
    let e = a.event.as_ref().expect("an event alert");
    format!(
        "{}: {} {} {} {}",
        a.rule, e.actor, e.action, e.resource, e.outcome
    )
}

#[test]
fn an_alert_raises_the_banner_with_the_unseen_count_and_rings_the_bell() {
    let (mut c, p) = console();
    let alerts = real_alerts(&p);
    let before = c.screen();
    assert!(banner_line(&before).is_none(), "{before}");
    raise(&mut c, Vec::new());
    assert_eq!((c.app.alerts.bells, c.app.alerts.len()), (0, 0));

    raise(&mut c, vec![alerts[0].clone()]);
    assert!(c.app.alerts.banner_shown());
    assert_eq!((c.app.alerts.unseen, c.app.alerts.bells), (1, 1));
    let text = c.screen();
    let banner = banner_line(&text).unwrap_or_else(|| panic!("no banner:\n{text}"));
    assert!(
        banner.contains(&format!("ALERT (1 unseen) {}", summary_start(&alerts[0]))),
        "{banner}"
    );
    // The banner is the row under the status lines, on the theme's alert colour.
    let row = areas(&c.app).alert.expect("an alert row");
    assert_eq!(text.lines().nth(row.y as usize), Some(banner));
    let buf = c.buffer(SMALL.0, SMALL.1);
    assert_eq!(buf[(3, row.y)].bg, c.theme.color(Role::Alert));
    assert_ne!(c.theme.color(Role::Alert), Color::Reset);
    insta::assert_snapshot!("alert_banner_80x24", text);

    // A second alert: the banner shows the newest, two unseen, one more bell.
    raise(&mut c, vec![alerts[1].clone()]);
    assert_eq!((c.app.alerts.unseen, c.app.alerts.bells), (2, 2));
    let text = c.screen();
    let banner = banner_line(&text).unwrap_or_else(|| panic!("no banner:\n{text}"));
    assert!(
        banner.contains(&format!("ALERT (2 unseen) {}", summary_start(&alerts[1]))),
        "{banner}"
    );
    assert!(
        text.lines().next().unwrap().contains("2 alerts (!)"),
        "{text}"
    );

    // Esc dismisses the banner; the alerts stay (counted in the status bar).
    c.press("esc");
    let text = c.screen();
    assert!(banner_line(&text).is_none(), "{text}");
    assert_eq!(c.app.alerts.len(), 2);
    assert!(
        text.lines().next().unwrap().contains("2 alerts (!)"),
        "{text}"
    );
    assert_eq!(
        text.lines().nth(2),
        before.lines().nth(2),
        "the layout is back"
    );

    // `bell = false`: the banner still shows, no bell is asked for.
    c.app.alerts.bell = false;
    raise(&mut c, vec![alerts[0].clone()]);
    assert!(c.app.alerts.banner_shown());
    assert_eq!((c.app.alerts.unseen, c.app.alerts.bells), (3, 2));
}

#[test]
fn a_hostile_alert_reaches_the_banner_only_as_visible_escapes() {
    let (mut c, p) = console();
    let mut a = real_alerts(&p).remove(0);
    a.rule = "evil\u{1b}[2J\u{7}rule".into();
    if let Some(e) = a.event.as_mut() {
        e.actor = "mal\u{202e}lory\nx".into();
    }
    raise(&mut c, vec![a]);
    let buf = c.buffer(SMALL.0, SMALL.1);
    let text = crate::console_common::screen_text(&buf);
    let banner = banner_line(&text).unwrap_or_else(|| panic!("no banner:\n{text}"));
    assert!(banner.contains("evil\\u{1B}[2J\\u{7}rule"), "{banner}");
    assert!(banner.contains("mal\\u{202E}lory\\u{A}x"), "{banner}");
    for cell in buf.content() {
        assert!(
            !cell.symbol().chars().any(|ch| ch.is_control()),
            "a raw control character on screen"
        );
    }
}

#[test]
fn enter_in_the_alerts_list_jumps_to_the_event() {
    let (mut c, p) = console();
    let alerts = real_alerts(&p);
    // Zoomed in at the start: the alerts' events are out of the window.
    c.keys("g + + +");
    let w = c.app.window.unwrap();
    let target = alerts[0].event.clone().expect("event");
    assert!(target.time_ns >= w.to, "the event is outside the window");
    raise(&mut c, alerts.clone());
    assert_eq!(c.app.alerts.unseen, 2);

    c.press("!");
    assert_eq!(c.app.overlay, Overlay::Alerts { selected: 0 });
    assert_eq!(c.app.alerts.unseen, 0, "opening the list marks them seen");
    assert!(!c.app.alerts.banner_shown());
    let text = c.screen();
    // Newest first: the second alert's event on the first row.
    let newest = alerts[1].event.as_ref().unwrap();
    let oldest = &target;
    let at = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not listed:\n{text}"))
    };
    let first = at(&format!("seq {}:{}", newest.seq, newest.pos));
    let second = at(&format!("seq {}:{}", oldest.seq, oldest.pos));
    assert!(first < second, "{text}");
    assert!(text.contains("alerts (2)"), "{text}");
    assert!(
        text.lines()
            .nth(first)
            .unwrap()
            .contains("prod-secret-reads")
    );
    insta::assert_snapshot!("alerts_list_80x24", text);

    c.keys("j k j");
    assert_eq!(c.app.overlay, Overlay::Alerts { selected: 1 });
    c.press("enter");
    assert_eq!(c.app.overlay, Overlay::None);
    let sel = c.app.selected().expect("a selected event");
    assert_eq!((sel.seq, sel.pos), (target.seq, target.pos));
    let w = c.app.window.unwrap();
    assert!(w.from <= target.time_ns && target.time_ns < w.to);
    assert_eq!(w.cursor, target.time_ns);
    assert_eq!(c.app.query, "", "no query: the current one is kept");
}

#[test]
fn enter_on_an_alert_hidden_by_the_query_shows_the_rules_query_and_backspace_returns() {
    let (mut c, p) = console();
    let alerts = real_alerts(&p);
    c.press("/");
    c.type_text("outcome:denied");
    c.press("enter");
    assert_eq!(c.app.query, "outcome:denied");
    let target = alerts[1].event.clone().unwrap();
    assert!(
        c.app
            .rows
            .hits
            .iter()
            .all(|h| (h.seq, h.pos) != (target.seq, target.pos)),
        "the query hides the event"
    );
    raise(&mut c, alerts);
    c.keys("! enter");
    let rule = c.app.saved.iter().find(|q| q.alert).unwrap().query.clone();
    assert_eq!(c.app.query, rule);
    assert_eq!(c.app.crumbs.last().unwrap().label, "!prod-secret-reads");
    let sel = c.app.selected().expect("a selected event");
    assert_eq!((sel.seq, sel.pos), (target.seq, target.pos));
    c.press("backspace");
    assert_eq!(c.app.query, "outcome:denied");
}

#[test]
fn an_integrity_alert_is_listed_with_its_seq_and_opens_the_integrity_view() {
    let (mut c, p) = console();
    let mut report = p.summary.verify.clone();
    report.problems.push(Problem::new(
        Some(0),
        Kind::ContentModified,
        Some("segments/x.seg".into()),
        "body hash differs",
    ));
    let mut active = Default::default();
    let alerts = integrity_alerts(&report, &mut active, None, 0);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].kind, AlertKind::Integrity);
    raise(&mut c, alerts);
    let text = c.screen();
    let banner = banner_line(&text).unwrap_or_else(|| panic!("no banner:\n{text}"));
    assert!(
        banner.contains("INTEGRITY content_modified at seq 0: body hash differs"),
        "{banner}"
    );
    c.press("!");
    let text = c.screen();
    let row = text
        .lines()
        .find(|l| l.contains("INTEGRITY") && l.contains("content_modified"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        row.contains("seq 0") && row.contains("body hash differs"),
        "{row}"
    );
    c.press("enter");
    assert_eq!(c.app.overlay, Overlay::Integrity { scroll: 0 });
}

#[test]
fn the_list_keeps_the_newest_alerts_and_counts_the_dropped() {
    let (mut c, p) = console();
    let one = real_alerts(&p).remove(0);
    raise(&mut c, vec![one; MAX_ALERTS + 3]);
    assert_eq!((c.app.alerts.len(), c.app.alerts.dropped), (MAX_ALERTS, 3));
    assert_eq!(c.app.alerts.unseen, MAX_ALERTS as u64 + 3);
    let text = c.screen();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains(&format!("{} alerts (!)", MAX_ALERTS + 3)),
        "{text}"
    );
    c.press("!");
    c.press("G");
    assert_eq!(
        c.app.overlay,
        Overlay::Alerts {
            selected: MAX_ALERTS - 1
        }
    );
    let text = c.screen();
    assert!(
        text.contains(&format!("alerts ({MAX_ALERTS} newest, 3 older dropped)")),
        "{text}"
    );
}

#[test]
fn the_saved_query_picker_runs_a_query() {
    let (mut c, _p) = console();
    let window = c.app.window.unwrap();
    c.press("s");
    assert_eq!(c.app.overlay, Overlay::Saved { selected: 0 });
    let text = c.screen();
    for q in &c.app.saved {
        let row = text
            .lines()
            .find(|l| l.contains(&q.name))
            .unwrap_or_else(|| panic!("{} not listed:\n{text}", q.name));
        // The alert marker, and the description (else the query).
        assert_eq!(row.contains(" ! "), q.alert, "{row}");
        let about = if q.description.is_empty() {
            &q.query
        } else {
            &q.description
        };
        assert!(row.contains(about.as_str()), "{row}");
    }
    assert!(text.contains("saved queries (4)"), "{text}");
    insta::assert_snapshot!("saved_picker_80x24", text);

    // `denied` (no window): the query changes, the window stays.
    let at = c.app.saved.iter().position(|q| q.name == "denied").unwrap();
    for _ in 0..at {
        c.press("j");
    }
    c.press("enter");
    assert_eq!(c.app.overlay, Overlay::None);
    assert_eq!(c.app.query, "outcome:denied");
    assert_eq!(c.app.crumbs.last().unwrap().label, ":denied");
    assert_eq!(
        c.app.window.map(|w| (w.from, w.to)),
        Some((window.from, window.to))
    );
    let denied = c.all_in_window();
    assert!(!denied.is_empty());
    assert!(denied.iter().all(|h| h.outcome == "denied"));
    let text = c.screen();
    assert_eq!(table_rows(&text).len(), denied.len(), "{text}");

    // `recent-updates` (window 15m): the view becomes the last 15 minutes before now.
    let q = c
        .app
        .saved
        .iter()
        .find(|q| q.name == "recent-updates")
        .cloned()
        .unwrap();
    let at = c.app.saved.iter().position(|x| x.name == q.name).unwrap();
    let t0 = trailscope::query::now_ns();
    c.press("s");
    for _ in 0..at {
        c.press("j");
    }
    c.press("enter");
    let t1 = trailscope::query::now_ns();
    assert_eq!(c.app.query, q.query);
    let w = c.app.window.unwrap();
    assert_eq!(Some(w.width()), q.window_ns);
    assert!(t0 <= w.to && w.to <= t1, "{w:?} not ending now");

    // Esc closes the picker without running anything.
    c.press("s");
    c.press("esc");
    assert_eq!(c.app.overlay, Overlay::None);
    assert_eq!(c.app.query, q.query);
}

#[test]
fn the_command_line_runs_a_saved_query_by_name_with_tab_completion() {
    let (mut c, _p) = console();
    c.press(":");
    assert!(matches!(c.app.overlay, Overlay::Command { .. }));
    c.type_text("den");
    c.press("tab");
    let Overlay::Command { input, error } = &c.app.overlay else {
        panic!("{:?}", c.app.overlay)
    };
    assert_eq!((input.text.as_str(), error), ("denied", &None));
    c.press("enter");
    assert_eq!(c.app.overlay, Overlay::None);
    assert_eq!(c.app.query, "outcome:denied");

    // Two names share the prefix: Tab completes what they share and the footer lists them.
    c.press(":");
    c.type_text("rec");
    c.press("tab");
    let Overlay::Command { input, .. } = &c.app.overlay else {
        panic!()
    };
    assert_eq!(input.text, "recent-");
    let footer = c.screen().lines().last().unwrap().to_string();
    assert!(
        footer.starts_with(":recent-")
            && footer.contains("recent-updates")
            && footer.contains("recent-deletes"),
        "{footer}"
    );

    // An unknown name is an error next to the text; the command line stays.
    c.press("ctrl-u");
    c.type_text("nope");
    c.press("enter");
    let Overlay::Command { error, .. } = &c.app.overlay else {
        panic!("{:?}", c.app.overlay)
    };
    assert!(
        error.as_deref().unwrap_or("").contains("\"nope\""),
        "{error:?}"
    );
    let footer = c.screen().lines().last().unwrap().to_string();
    assert!(
        footer.contains("✗ no saved query named \"nope\""),
        "{footer}"
    );
    assert_eq!(c.app.query, "outcome:denied", "nothing ran");
    c.press("esc");
    assert_eq!(c.app.overlay, Overlay::None);

    // `alerts` opens the list (Tab completes it too).
    c.press(":");
    c.type_text("al");
    c.press("tab");
    c.press("enter");
    assert_eq!(c.app.overlay, Overlay::Alerts { selected: 0 });
    assert!(c.screen().contains("no alerts"));
}

#[test]
fn the_new_actions_are_bound_and_rebindable() {
    let (mut c, _p) = console();
    c.act(Action::SavedQueries);
    assert_eq!(c.app.overlay, Overlay::Saved { selected: 0 });
    c.act(Action::SavedQueries);
    assert_eq!(c.app.overlay, Overlay::None, "the same key closes it");
    let over = [trailscope::tui::config::KeyOverride {
        action: "alerts".into(),
        keys: vec!["ctrl-a".into()],
        line: 1,
    }];
    c.keymap = trailscope::tui::keymap::Keymap::new(&over, None).expect("keymap");
    c.press("!");
    assert_eq!(c.app.overlay, Overlay::None, "! is no longer bound");
    c.press("ctrl-a");
    assert_eq!(c.app.overlay, Overlay::Alerts { selected: 0 });
}

// ---- The pull thread's evaluation, on a store sealed in two steps ----

/// A store under `dir` sealed with a fixed key; each call appends `records` and signs a
/// checkpoint at `checkpoint_time`.
fn seal_into(dir: &Path, records: &[Value], checkpoint_time: &str) {
    let store = DirStore::new(dir);
    let key = generate_with(&mut ChaCha20Rng::seed_from_u64(9), "follow.test").expect("key");
    let opts = SealOptions {
        format: InputFormat::Ndjson,
        origin: Some("follow.test".into()),
        signer: Some(parse_signer(&key.private).expect("signer")),
        checkpoint_time: Some(checkpoint_time.into()),
        ..SealOptions::default()
    };
    let mut sealer = Sealer::open(&store, opts).expect("open sealer");
    for r in records {
        let raw = serde_json::to_vec(r).expect("json");
        let t = sealer.mapping().record_time(&raw).expect("record time");
        sealer.push(raw, t).expect("push");
    }
    sealer.finish().expect("finish");
}

fn event(minute: u32, actor: &str, action: &str) -> Value {
    json!({"time": format!("2026-11-24T12:{minute:02}:00Z"), "actor": actor,
           "action": action, "resource": format!("secrets/prod/{minute}"), "outcome": "success"})
}

#[test]
fn live_alerts_raise_only_for_newly_attested_matches() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store_dir = dir.path().join("store");
    let home = dir.path().join("home");
    let store = DirStore::new(&store_dir);
    let location = store.location();
    let pull_now = || pull(&store, &home, &PullOptions::default(), &mut |_| {}).expect("pull");
    // History with a match in it: it was there before the console opened.
    seal_into(
        &store_dir,
        &[event(0, "mallory", "get"), event(1, "bob", "get")],
        "2026-11-24T12:05:00Z",
    );
    let first = pull_now();
    let (mut live, error) = LiveAlerts::new(&saved_queries(), &home, &location);
    assert_eq!(error, None);
    assert_eq!(
        live.position(),
        Some(first.head.covered),
        "starts at the local head"
    );
    assert!(first.head.covered > 0);

    // A non-matching batch: nothing.
    seal_into(
        &store_dir,
        &[event(10, "bob", "get")],
        "2026-11-24T12:15:00Z",
    );
    let s = pull_now();
    let (alerts, error) = live.after_pull(s.head.covered, &s.verify);
    assert_eq!((alerts.len(), error), (0, None), "{alerts:?}");
    assert_eq!(live.position(), Some(s.head.covered));

    // A matching batch: one alert per matching event, naming its seq and pos.
    seal_into(
        &store_dir,
        &[
            event(20, "mallory", "get"),
            event(21, "alice", "get"),
            event(22, "mallory", "list"),
        ],
        "2026-11-24T12:25:00Z",
    );
    let before = s.head.covered;
    let s = pull_now();
    let (alerts, error) = live.after_pull(s.head.covered, &s.verify);
    assert_eq!(error, None);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let a = &alerts[0];
    assert_eq!(
        (a.kind, a.rule.as_str()),
        (AlertKind::Match, "prod-secret-reads")
    );
    let e = a.event.as_ref().unwrap();
    assert_eq!((e.actor.as_str(), e.action.as_str()), ("mallory", "get"));
    assert!(a.seq.unwrap() >= before, "a new segment: {a:?}");
    // The same pull again raises nothing more.
    let (alerts, _) = live.after_pull(s.head.covered, &s.verify);
    assert!(alerts.is_empty(), "{alerts:?}");
}

#[test]
fn live_alerts_on_a_store_never_pulled_start_at_the_first_pull() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store_dir = dir.path().join("store");
    let home = dir.path().join("home");
    let store = DirStore::new(&store_dir);
    seal_into(
        &store_dir,
        &[event(0, "mallory", "get"), event(1, "mallory", "get")],
        "2026-11-24T12:05:00Z",
    );
    let (mut live, _) = LiveAlerts::new(&saved_queries(), &home, &store.location());
    assert_eq!(live.position(), None, "nothing local yet");
    let s = pull(&store, &home, &PullOptions::default(), &mut |_| {}).expect("pull");
    let (alerts, error) = live.after_pull(s.head.covered, &s.verify);
    assert_eq!((alerts.len(), error), (0, None), "no alerts on the history");
    assert_eq!(live.position(), Some(s.head.covered));
    seal_into(
        &store_dir,
        &[event(9, "mallory", "get")],
        "2026-11-24T12:15:00Z",
    );
    let s = pull(&store, &home, &PullOptions::default(), &mut |_| {}).expect("pull");
    let (alerts, _) = live.after_pull(s.head.covered, &s.verify);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
}

// ---- `open --follow` in a real terminal ----

/// Whether the pane's recorded output holds a BEL outside OSC sequences (which end in BEL
/// too).
fn has_bell(recorded: &[u8]) -> bool {
    let mut in_osc = false;
    let mut prev = 0u8;
    for &b in recorded {
        match b {
            b']' if prev == 0x1b => in_osc = true,
            0x07 if in_osc => in_osc = false,
            0x07 => return true,
            _ => {}
        }
        prev = b;
    }
    false
}

/// Polls `file` until `ok` holds for its bytes; panics after `timeout`.
#[track_caller]
fn wait_recorded(file: &Path, timeout: Duration, what: &str, ok: impl Fn(&[u8]) -> bool) {
    let start = Instant::now();
    loop {
        if ok(&std::fs::read(file).unwrap_or_default()) {
            return;
        }
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn follow_raises_the_banner_for_a_newly_sealed_match_and_nothing_for_other_events() {
    if !have_tmux() {
        return;
    }
    let sb = Sandbox::new();
    let keys = sb.path_str("keys");
    let store = sb.path_str("store");
    sb.ts(&["keygen", "--name", "follow.test", "--out", &keys], 0);
    let key = format!("{keys}/follow.test.key");
    let seal = |name: &str, events: &[Value]| {
        let text: String = events.iter().map(|e| format!("{e}\n")).collect();
        std::fs::write(sb.path(name), text).expect("writing input");
        let input = sb.path_str(name);
        sb.ts(
            &[
                "seal", "--store", &store, "--key", &key, "--format", "ndjson", &input,
            ],
            0,
        );
    };
    // The history holds a match: it was there before, so it raises nothing.
    seal(
        "one.ndjson",
        &[
            event(0, "mallory", "get"),
            event(1, "user-1", "update"),
            event(2, "user-2", "update"),
        ],
    );
    let config = sb.path("alerts.toml");
    std::fs::write(&config, QUERIES).expect("writing the config");
    let config = config.to_str().expect("UTF-8 path").to_string();
    let recording = sb.path("pane.out");
    let cmd = sb.console_cmd_env(
        &[("TRAILSCOPE_CONFIG", &config)],
        &["open", &store, "--follow", "--interval", "1s"],
    );
    let tmux = Tmux::start(&format!("{cmd}; echo EXIT=$?; sleep 30"));
    tmux.record(&recording);
    let s = tmux.wait("the first batch", PULL_TIMEOUT, |s| {
        crate::console_tmux_common::number_before(s.line(1), " events") == Some(3)
            && s.has("● live")
    });
    assert!(!s.has("ALERT ("), "no alert on the history:\n{s}");

    // A batch the rule does not match: shown, no banner, no alert counted.
    seal(
        "two.ndjson",
        &[event(10, "bob", "get"), event(11, "mallory", "list")],
    );
    let s = tmux.wait("the non-matching batch", PULL_TIMEOUT, |s| {
        crate::console_tmux_common::number_before(s.line(1), " events") == Some(5)
    });
    // One more pull after it, so an alert from it would have arrived.
    std::thread::sleep(Duration::from_millis(2500));
    let s2 = tmux.screen();
    assert!(
        !s2.has("ALERT (") && !s2.line(0).contains("(!)"),
        "{s}\n{s2}"
    );
    assert!(
        !has_bell(&std::fs::read(&recording).unwrap_or_default()),
        "no bell yet"
    );

    // A matching event: the banner names the rule and the event; the bell rings.
    seal("three.ndjson", &[event(20, "mallory", "get")]);
    let s = tmux.wait("the alert banner", PULL_TIMEOUT, |s| {
        s.has("ALERT (1 unseen) prod-secret-reads: mallory get secrets/prod/20")
    });
    assert!(s.line(0).contains("1 alert (!)"), "{s}");
    wait_recorded(&recording, KEY_TIMEOUT, "the bell", has_bell);

    // The list names the rule and the event's place; Enter selects the event.
    tmux.keys(&["!"]);
    let s = tmux.wait("the alerts list", KEY_TIMEOUT, |s| s.has("alerts (1)"));
    let rows = s.boxed("alerts (1)").unwrap_or_else(|| panic!("{s}"));
    assert!(
        rows.iter()
            .any(|r| r.contains("match") && r.contains("prod-secret-reads")),
        "{s}"
    );
    assert!(!s.has("ALERT ("), "the list marks it seen:\n{s}");
    tmux.keys(&["Enter"]);
    tmux.wait("the list to close", KEY_TIMEOUT, |s| !s.has("alerts (1)"));
    tmux.keys(&["Enter"]);
    let s = tmux.wait("the event's detail", KEY_TIMEOUT, |s| {
        s.boxed("event")
            .is_some_and(|rows| rows.iter().any(|r| r.contains("secrets/prod/20")))
    });
    let rows = s.boxed("event").unwrap_or_default();
    assert!(rows.iter().any(|r| r.contains("mallory")), "{s}");
    tmux.keys(&["Escape", "q"]);
    let s = tmux.wait("the console to exit", KEY_TIMEOUT, |s| s.has("EXIT="));
    assert!(s.has("EXIT=0"), "{s}");
}
