//! Bookmarks, notes, exports, revealing masked values and the journal, from the console's
//! keys (issue 6). Each test seals a store of its own, so bookmarks written by one test never
//! show in another's screens.

use serde_json::{Value, json};
use trailscope::tui::state::Overlay;

use crate::console_common::{Console, Pulled, SMALL, sealed};

/// Ten events a minute apart; the fourth carries a fake secret in its request body and a
/// password field.
fn records() -> Vec<Value> {
    (0..10)
        .map(|i| {
            let mut r = json!({
                "time": format!("2026-11-24T10:{i:02}:00Z"),
                "actor": format!("user-{i}"),
                "action": "update",
                "resource": format!("doc/{i}"),
                "outcome": "success",
            });
            if i == 3 {
                r["request"] = json!({"body": {"text": "rotate"}, "password": "hunter2-secret"});
            }
            r
        })
        .collect()
}

/// A fresh store of [`records`], pulled, and a console on it.
fn console() -> (&'static Pulled, Console) {
    let pulled: &'static Pulled = Box::leak(Box::new(sealed(&records())));
    (pulled, open(pulled))
}

fn open(pulled: &Pulled) -> Console {
    Console::on(
        pulled,
        SMALL,
        trailscope::tui::theme::Theme::load(None, None, false).expect("theme"),
    )
}

fn select(c: &mut Console, actor: &str) {
    c.press("g");
    for _ in 0..20 {
        if c.app.selected().is_some_and(|h| h.actor == actor) {
            return;
        }
        c.press("j");
    }
    panic!("{actor} not in the table");
}

#[test]
fn m_bookmarks_c_notes_b_lists_and_enter_jumps_back_to_the_event() {
    let (pulled, mut c) = console();
    select(&mut c, "user-2");
    c.press("m");
    assert_eq!(c.app.bookmarks.len(), 1);
    assert!(
        c.screen()
            .lines()
            .any(|l| l.starts_with("✓*") && l.contains("user-2"))
    );
    select(&mut c, "user-5");
    c.press("c");
    assert!(matches!(c.app.overlay, Overlay::Note { .. }));
    c.type_text("the deploy that broke it");
    c.press("enter");
    assert_eq!(c.app.overlay, Overlay::None);
    let notes: Vec<(&str, &str)> = c
        .app
        .bookmarks
        .iter()
        .map(|b| (b.actor.as_str(), b.note.as_str()))
        .collect();
    assert_eq!(
        notes,
        [("user-2", ""), ("user-5", "the deploy that broke it")],
        "a note bookmarks the event"
    );
    // They are on disk: a new console on the same store lists them.
    let mut d = open(pulled);
    assert_eq!(d.app.bookmarks, c.app.bookmarks);
    d.press("b");
    let screen = d.screen();
    assert!(screen.contains("bookmarks (2)"), "{screen}");
    assert!(screen.contains("the deploy that broke it"), "{screen}");
    d.keys("j enter");
    assert_eq!(d.app.selected().map(|h| h.actor.as_str()), Some("user-5"));
    // Delete from the list; m on a bookmarked event removes it.
    d.keys("b j d");
    assert_eq!(d.app.bookmarks.len(), 1);
    assert_eq!(d.app.bookmarks[0].actor, "user-2");
    d.press("esc");
    select(&mut d, "user-2");
    d.press("m");
    assert!(d.app.bookmarks.is_empty());
}

#[test]
fn masked_values_stay_hidden_until_r_reveals_them() {
    let (_, mut c) = console();
    select(&mut c, "user-3");
    c.press("enter");
    let masked = c.screen();
    assert!(!masked.contains("hunter2-secret"), "{masked}");
    assert!(masked.contains("masked (R reveals)"), "{masked}");
    let record = |c: &Console| {
        let d = c
            .app
            .detail
            .as_ref()
            .expect("detail")
            .as_ref()
            .expect("record");
        (d.record.to_string(), d.masked, d.revealed)
    };
    let (text, n, revealed) = record(&c);
    assert!(
        !text.contains("hunter2-secret") && n == 2 && !revealed,
        "{text}"
    );
    c.press("R");
    let shown = c.screen();
    assert!(
        shown.contains("revealed: masked values are shown"),
        "{shown}"
    );
    let (text, n, revealed) = record(&c);
    assert!(
        text.contains("hunter2-secret") && n == 0 && revealed,
        "{text}"
    );
    c.press("R");
    let (text, _, revealed) = record(&c);
    assert!(!text.contains("hunter2-secret") && !revealed, "{text}");
}

#[test]
fn e_exports_the_view_masked_and_says_where() {
    let (pulled, mut c) = console();
    c.press("e");
    assert!(matches!(c.app.overlay, Overlay::Export { .. }));
    // The first three choices are the bookmarks: none yet.
    c.press("enter");
    assert!(
        c.app
            .message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("no bookmarks to export")),
        "{:?}",
        c.app.message
    );
    // "the events of this view" as Markdown.
    c.keys("e j j j enter");
    let msg = c.app.message.clone().expect("a message").1;
    let path = msg
        .strip_prefix("exported 10 events to ")
        .unwrap_or_else(|| panic!("{msg}"));
    let path = path.split(',').next().unwrap();
    let md = std::fs::read_to_string(path).expect("the export file");
    for i in 0..10 {
        assert!(md.contains(&format!("user-{i}")), "{md}");
    }
    assert!(!md.contains("hunter2-secret"), "exports are masked:\n{md}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "exports are private");
    let journal = trailscope::journal::entries(&pulled.home).expect("the journal");
    assert_eq!(
        journal.last().map(|e| e.kind.as_str()),
        Some("export"),
        "the export is journaled"
    );
}

#[test]
fn searches_pivots_and_reveals_are_journaled() {
    let (pulled, mut c) = console();
    c.press("/");
    c.press("ctrl-u");
    c.type_text("actor:\"user-3\"");
    c.press("enter");
    c.keys("p enter");
    c.press("R");
    let entries = trailscope::journal::entries(&pulled.home).expect("the journal");
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    let tail: Vec<&str> = kinds.iter().rev().take(3).rev().copied().collect();
    assert_eq!(tail, ["search", "pivot", "reveal"], "{kinds:?}");
}
