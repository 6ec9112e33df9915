//! Screens of the console, drawn into a `TestBackend` from the deterministic demo store and
//! compared with insta snapshots, at 80×24 and 160×48. Each snapshot comes with assertions on
//! the facts it must show, so a wrong screen cannot pass by being stable. Cell styles (banner
//! background, outcome colours, `NO_COLOR`) are checked on the buffer itself, and a store of
//! hostile strings must reach the screen only as visible escapes.

use crate::console_common::{Console, SMALL, STORE_LABEL, WIDE, row_of, table_rows};
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use serde_json::json;
use trailscope::demo::{INTRUDER, TAMPERED_SEGMENT};
use trailscope::tui::action::ACTIONS;
use trailscope::tui::state::{LiveCount, Overlay};
use trailscope::tui::theme::{Role, Theme};
use trailscope::tui::view::fit::row_time;
use trailscope::tui::view::layout::{GUTTER, areas};

/// Snapshots the screen of a console set up by `setup` at both sizes, after `check` passed
/// on it.
fn at_both_sizes(
    name: &str,
    tamper: bool,
    setup: impl Fn(&mut Console),
    check: impl Fn(&mut Console, &str),
) {
    for size in [SMALL, WIDE] {
        let mut c = Console::open(size, tamper);
        setup(&mut c);
        let text = c.screen();
        check(&mut c, &text);
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), text);
    }
}

fn line(text: &str, i: usize) -> &str {
    text.lines().nth(i).unwrap_or("")
}

fn footer(text: &str) -> &str {
    text.lines().last().unwrap_or("")
}

/// Cells whose symbols spell `needle` (ASCII) from left to right: the first cell of each.
fn find_cells(buf: &Buffer, needle: &str) -> Vec<(u16, u16)> {
    let a = buf.area;
    let n = needle.len() as u16;
    let mut out = Vec::new();
    for y in a.top()..a.bottom() {
        for x in a.left()..a.right().saturating_sub(n - 1) {
            let spelled: String = (0..n).map(|i| buf[(x + i, y)].symbol()).collect();
            if spelled == needle {
                out.push((x, y));
            }
        }
    }
    out
}

fn search(c: &mut Console, query: &str) {
    c.press("/");
    c.press("ctrl-u");
    c.type_text(query);
}

#[test]
fn main_screen() {
    at_both_sizes(
        "main",
        false,
        |_| {},
        |c, text| {
            let all = c.all_in_window();
            let l0 = line(text, 0);
            assert!(l0.contains(STORE_LABEL) && l0.contains("intact"), "{l0}");
            assert!(
                l0.contains("head 29") && l0.contains("pulled +30 seg"),
                "{l0}"
            );
            let l1 = line(text, 1);
            // Narrow screens drop the date of a same-day window.
            let want = if c.app.size == WIDE {
                "2026-11-24 01:00:01 → 2026-11-24 02:59:55 UTC"
            } else {
                " 01:00:01 → 02:59:55 UTC"
            };
            assert!(l1.contains(want), "{l1}");
            assert!(l1.contains(&format!("{} events", all.len())), "{l1}");
            assert!(l1.contains("│ all"), "{l1}");
            assert!(!text.contains("INTEGRITY"), "no banner on an intact store");
            // The table starts at the first event of the window, in time order.
            let rows = table_rows(text);
            let h = c
                .app
                .rows
                .hits
                .len()
                .min(areas(&c.app).table.height as usize - 1);
            assert_eq!(rows.len(), h);
            let span = c.app.window.unwrap().width();
            for (row, hit) in rows.iter().zip(&all) {
                assert!(
                    row.starts_with(&format!("✓ {}", row_time(hit.time_ns, span))),
                    "{row}"
                );
            }
            assert_eq!(c.app.rows.selected, 0);
            assert!(
                footer(text).contains("? help  / search"),
                "{}",
                footer(text)
            );
            // The histogram's cursor is at the left end, on the axis.
            let axis = areas(&c.app).axis;
            assert_eq!(
                line(text, axis.y as usize).chars().nth(GUTTER as usize),
                Some('▲')
            );
            if c.app.size == WIDE {
                assert!(text.contains("│ selected event"));
                assert!(text.contains("covered by checkpoint of 28 segments"));
            }
        },
    );
}

#[test]
fn main_screen_of_the_tampered_demo_shows_the_banner() {
    at_both_sizes(
        "main_tampered",
        true,
        |_| {},
        |c, text| {
            assert!(line(text, 0).contains("1 problem"), "{}", line(text, 0));
            assert!(line(text, 0).contains("head 11"), "{}", line(text, 0));
            let banner = line(text, 2);
            assert!(
                banner.starts_with(" ⚠ INTEGRITY: content_modified at segment 12 · "),
                "{banner}"
            );
            // Nothing from segment 12 on is shown.
            assert!(c.app.rows.hits.iter().all(|h| h.seq < TAMPERED_SEGMENT));
            assert!(
                line(text, 1).contains("→ 2026-11-24 01:47:59 UTC")
                    || line(text, 1).contains("→ 01:47:59 UTC"),
                "{}",
                line(text, 1)
            );
        },
    );
}

#[test]
fn help_overlay() {
    at_both_sizes(
        "help",
        false,
        |c| c.press("?"),
        |c, text| {
            assert!(text.contains("┌ keys "), "{text}");
            assert!(text.contains("? F1  this help"), "{text}");
            assert!(text.contains("j/k scroll · Esc close"));
            if c.app.size == WIDE {
                // Every action fits on the big screen, described from the keymap.
                for a in ACTIONS {
                    assert!(text.contains(a.desc), "{} missing", a.desc);
                }
                assert!(text.contains("Backspace  back along the pivot breadcrumb"));
            }
        },
    );
}

#[test]
fn detail_overlay() {
    // The intruder's first denied request, with its proof and original record.
    let setup = |c: &mut Console| {
        search(c, &format!("actor:{INTRUDER} AND outcome:denied"));
        c.press("enter");
        c.press("enter");
        assert!(matches!(c.app.overlay, Overlay::Detail { .. }));
    };
    at_both_sizes("detail", false, setup, |c, text| {
        let hit = c.app.selected().unwrap().clone();
        assert_eq!(hit.actor, INTRUDER);
        assert_eq!(hit.outcome, "denied");
        assert!(text.contains("┌ event "));
        assert!(text.contains(&format!(" actor      {INTRUDER}")), "{text}");
        assert!(text.contains(" outcome    denied"));
        assert!(text.contains(" source_ip  203.0.113.77"));
        assert!(text.contains(&format!(" segment    {} (event {})", hit.seq, hit.pos)));
        assert!(text.contains(" state      verified ✓"));
        let d = c.app.detail.as_ref().unwrap().as_ref().unwrap();
        // Long values wrap (never cut): joined back, the whole hash is there.
        let flat: String = text
            .lines()
            .map(|l| {
                // Inside the overlay's borders only (the screen under it shows at the sides).
                let inner = match (l.find('│'), l.rfind('│')) {
                    (Some(a), Some(b)) if b > a => &l[a + '│'.len_utf8()..b],
                    _ => l,
                };
                inner.trim()
            })
            .collect();
        assert!(
            flat.contains(&d.chain_hash),
            "the chain hash is shown whole:\n{text}"
        );
        if c.app.size == WIDE {
            assert!(text.contains(" original record"));
            assert!(
                text.contains(&format!("\"username\": \"{INTRUDER}\"")),
                "{text}"
            );
        }
    });
    // The record, scrolled into view on the small screen.
    let mut c = Console::open(SMALL, false);
    setup(&mut c);
    c.keys("pagedown pagedown");
    let text = c.screen();
    assert!(
        text.contains(" original record") || text.contains("\"kind\": \"Event\""),
        "{text}"
    );
    assert!(
        text.contains(&format!("\"username\": \"{INTRUDER}\"")),
        "{text}"
    );
    assert!(text.contains("\"sourceIPs\": ["), "{text}");
    insta::assert_snapshot!("detail_record_80x24", text);
}

#[test]
fn facets_overlay() {
    at_both_sizes(
        "facets",
        false,
        |c| c.press("f"),
        |c, text| {
            let all = c.all_in_window();
            assert!(text.contains("┌ facets of the window and query "));
            assert!(text.contains(" actor   resource   action   outcome   source_ip"));
            assert!(
                text.contains(&format!(
                    "{} events · 0 in other values · 0 without actor",
                    all.len()
                )),
                "{text}"
            );
            let facets = c.app.facets.as_ref().unwrap().as_ref().unwrap();
            let top = &facets[0].values[0];
            let want = all.iter().filter(|h| h.actor == top.value).count() as u64;
            assert_eq!(top.count, want);
            let r = row_of(text, &format!("{:>8} ", top.count)).expect("top value shown");
            assert!(
                line(text, r).contains("system:serviceaccount:monitoring:"),
                "{text}"
            );
        },
    );
    // The outcome field, with its outcome-coloured bars.
    at_both_sizes(
        "facets_outcome",
        false,
        |c| c.keys("f l l l"),
        |c, text| {
            let all = c.all_in_window();
            for outcome in ["success", "denied", "failure"] {
                let n = all.iter().filter(|h| h.outcome == outcome).count();
                assert!(n > 0);
                let r = row_of(text, &format!(" {outcome} ")).expect("outcome shown");
                assert!(
                    line(text, r).contains(&format!(" {n} ")),
                    "{outcome} {n}: {text}"
                );
            }
            assert!(matches!(c.app.overlay, Overlay::Facets { field: 3, .. }));
        },
    );
}

#[test]
fn integrity_view_of_the_tampered_demo() {
    at_both_sizes(
        "integrity",
        true,
        |c| c.press("i"),
        |c, text| {
            assert!(text.contains("┌ integrity "));
            assert!(text.contains(&format!(" store       {STORE_LABEL}")));
            assert!(text.contains(" 1 problem(s)"), "{text}");
            let r = row_of(text, "content_modified").expect("the problem is listed");
            assert!(
                line(text, r).contains(" seq     12  content_modified"),
                "{text}"
            );
            assert!(
                text.contains("30 in the store: 12 verified, 0 unsigned tail"),
                "{text}"
            );
            assert!(text.contains("    seq  state          events  chain hash"));
            // The banner row is under the overlay but still shows at its edges on the big
            // screen; the main-screen snapshot shows it whole.
            assert!(c.app.banner.is_some());
            if c.app.size == WIDE {
                assert!(text.contains("     12  problem ✗"), "{text}");
                assert!(text.contains("     13  after a break"), "{text}");
                assert!(text.contains("     11  verified ✓"), "{text}");
            }
        },
    );
    // Segment 12's row, scrolled into view on the small screen.
    let mut c = Console::open(SMALL, true);
    c.keys("i pagedown");
    let text = c.screen();
    assert!(text.contains("     12  problem ✗"), "{text}");
    assert!(text.contains("     13  after a break"), "{text}");
    assert!(text.contains("     11  verified ✓"), "{text}");
    insta::assert_snapshot!("integrity_segments_80x24", text);
}

#[test]
fn search_prompt_with_a_syntax_error() {
    at_both_sizes(
        "search_syntax_error",
        false,
        |c| search(c, "actor:("),
        |c, text| {
            let Overlay::Search { input, count } = &c.app.overlay else {
                panic!("prompt closed");
            };
            assert_eq!(input.text, "actor:(");
            let LiveCount::Error(msg, _) = count else {
                panic!("no error: {count:?}");
            };
            let f = footer(text);
            assert!(f.starts_with("/actor:("), "{f}");
            assert!(
                f.contains(&format!("✗ {}", &msg[..msg.len().min(20)])),
                "{f}"
            );
            // The table still shows the old query's events.
            assert_eq!(c.app.query, "");
            assert!(!table_rows(text).is_empty());
        },
    );
}

#[test]
fn search_prompt_with_a_live_count() {
    at_both_sizes(
        "search_count",
        false,
        |c| search(c, "outcome:denied"),
        |c, text| {
            let denied = c
                .all_in_window()
                .iter()
                .filter(|h| h.outcome == "denied")
                .count();
            assert!(denied > 1);
            assert_eq!(
                c.app.overlay,
                Overlay::Search {
                    input: trailscope::tui::state::Input::with("outcome:denied"),
                    count: LiveCount::Count(denied as u64)
                }
            );
            let f = footer(text);
            assert!(f.starts_with("/outcome:denied "), "{f}");
            assert!(f.ends_with(&format!("{denied} matches in window")), "{f}");
        },
    );
}

#[test]
fn denied_search_then_pivot_with_breadcrumb() {
    // The search applied: every row is denied.
    at_both_sizes(
        "search_denied",
        false,
        |c| {
            search(c, "outcome:denied");
            c.press("enter");
        },
        |c, text| {
            let rows = table_rows(text);
            assert!(rows.len() > 5, "{text}");
            for r in &rows {
                assert!(r.contains(" denied "), "{r}");
            }
            assert!(c.app.rows.hits.iter().all(|h| h.outcome == "denied"));
            assert_eq!(c.app.crumbs.len(), 1);
            assert_eq!(c.app.query, "outcome:denied");
            let want = "│ all › /outcome:denied (Backspace back)";
            assert!(line(text, 1).contains(want), "{text}");
        },
    );
    // The pivot picker on the first denied event.
    at_both_sizes(
        "pivot_picker",
        false,
        |c| {
            search(c, "outcome:denied");
            c.keys("enter p");
        },
        |c, text| {
            assert!(text.contains("┌ pivot: everything with… "), "{text}");
            let hit = c.app.selected().unwrap();
            let shown: String = hit.actor.chars().take(20).collect();
            assert!(text.contains(&format!(" actor      {shown}")), "{text}");
            assert!(text.contains(&format!(" source_ip  {}", hit.source_ip.as_ref().unwrap())));
            assert!(text.contains(" outcome    denied"));
        },
    );
    // Enter pivots on the actor: the whole extent, that actor only, the breadcrumb.
    at_both_sizes(
        "pivot",
        false,
        |c| {
            search(c, "outcome:denied");
            c.keys("enter p enter");
        },
        |c, text| {
            let actor = c.app.crumbs[1]
                .label
                .strip_prefix("actor=")
                .unwrap()
                .to_string();
            assert_eq!(c.app.query, format!("actor:\"{actor}\""));
            assert_eq!(c.app.crumbs.len(), 2);
            assert!(c.app.rows.hits.iter().all(|h| h.actor == actor));
            let w = c.app.window.unwrap();
            assert_eq!(Some((w.from, w.to)), c.app.extent);
            let l1 = line(text, 1);
            if c.app.size == WIDE {
                let trail = format!("› actor={actor} (Backspace back)");
                assert!(l1.contains(&trail), "{l1}");
            } else {
                // Only the newest step fits: its field stays, its value is cut at its start,
                // and the way back stays.
                let tail: String = actor
                    .chars()
                    .rev()
                    .take(10)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                assert!(
                    l1.contains("│ actor=…") && l1.contains(&format!("{tail} (Backspace back)")),
                    "{l1}"
                );
            }
            // Not only denied events: the pivot asks for everything the actor did.
            assert!(c.app.rows.hits.iter().any(|h| h.outcome != "denied"));
        },
    );
}

#[test]
fn zoomed_in_twice() {
    at_both_sizes(
        "zoom_in_twice",
        false,
        |c| c.keys("+ +"),
        |c, text| {
            let (lo, hi) = c.app.extent.unwrap();
            let w = c.app.window.unwrap();
            assert_eq!(w.width(), (hi - lo) / 2 / 2);
            assert_eq!(w.from, lo, "the cursor at the start keeps the start");
            let want = if c.app.size == WIDE {
                "2026-11-24 01:00:01 → 2026-11-24 01:29:59 UTC (29m58s)"
            } else {
                " 01:00:01 → 01:29:59 UTC │"
            };
            assert!(line(text, 1).contains(want), "{text}");
            let h = c.app.histogram.as_ref().unwrap();
            assert_eq!(h.buckets.len(), areas(&c.app).chart.width as usize);
            assert!(line(text, 1).contains(&format!("│ {} events", h.total)));
            assert_eq!(c.app.message, None);
        },
    );
}

#[test]
fn next_spike() {
    at_both_sizes(
        "next_spike",
        false,
        |c| c.press("n"),
        |c, text| {
            let a = areas(&c.app);
            let w = c.app.window.unwrap();
            let cols = a.chart.width as usize;
            let col = w.cursor_bucket(cols);
            assert_eq!(c.app.spikes.first(), Some(&col), "the first spike");
            assert_eq!(w.cursor, w.bucket_start(col, cols));
            // The cursor mark sits on the spike's column; the table starts there.
            let axis: Vec<char> = line(text, a.axis.y as usize).chars().collect();
            assert_eq!(axis[a.axis.x as usize + col], '▲');
            let first = &c.app.rows.hits[0];
            assert!(first.time_ns >= w.cursor);
            let rows = table_rows(text);
            assert!(
                rows[0].contains(&row_time(first.time_ns, w.width())),
                "{text}"
            );
            assert_eq!(c.app.message, None);
        },
    );
}

#[test]
fn banner_background_is_the_tampered_colour() {
    let c = Console::open(SMALL, true);
    let buf = c.buffer(80, 24);
    let tampered = c.theme.color(Role::Tampered);
    assert_ne!(tampered, Color::Reset);
    let banner_fg = c.theme.style(Role::BannerFg).fg;
    for x in 0..80 {
        let cell = &buf[(x, 2)];
        assert_eq!(cell.bg, tampered, "banner cell {x}");
        if let Some(fg) = banner_fg {
            assert_eq!(cell.fg, fg, "banner cell {x}");
        }
    }
    // The rows around it do not have that background.
    assert_ne!(buf[(0, 1)].bg, tampered);
    assert_ne!(buf[(0, 3)].bg, tampered);
}

#[test]
fn outcome_cells_have_their_roles_colours() {
    let mut c = Console::open(SMALL, false);
    search(&mut c, "outcome:denied");
    c.press("enter");
    let buf = c.buffer(80, 24);
    let table = areas(&c.app).table;
    let cells: Vec<_> = find_cells(&buf, "denied")
        .into_iter()
        .filter(|&(_, y)| y > table.y)
        .collect();
    assert!(cells.len() > 5);
    let denied = c.theme.color(Role::Denied);
    assert_ne!(denied, Color::Reset);
    for (x, y) in cells {
        for i in 0..6 {
            assert_eq!(buf[(x + i, y)].fg, denied, "cell {},{y}", x + i);
        }
    }
    // And success on the main screen.
    let c = Console::open(SMALL, false);
    let buf = c.buffer(80, 24);
    let success = c.theme.color(Role::Success);
    let cells = find_cells(&buf, "success");
    assert!(cells.len() > 5);
    for (x, y) in cells {
        assert_eq!(buf[(x, y)].fg, success);
    }
    // The selected row has the selection background, the others not.
    let sel = c.theme.color(Role::SelectionBg);
    assert_ne!(sel, Color::Reset);
    assert_eq!(buf[(3, table.y + 1)].bg, sel);
    assert_ne!(buf[(3, table.y + 2)].bg, sel);
}

#[test]
fn no_color_draws_no_colour_in_any_view() {
    let theme = || Theme::load(None, None, true).unwrap();
    let views: &[(&str, bool)] = &[
        ("", true),
        ("i", true),
        ("?", false),
        ("f", false),
        ("enter", false),
        ("p", false),
        ("/ x", false),
        ("n", false),
    ];
    for &(keys, tamper) in views {
        for size in [SMALL, WIDE] {
            let mut c = Console::on(crate::console_common::demo(tamper), size, theme());
            c.keys(keys);
            let buf = c.buffer(size.0, size.1);
            for (i, cell) in buf.content.iter().enumerate() {
                let (x, y) = buf.pos_of(i);
                assert_eq!(cell.fg, Color::Reset, "{keys:?} {size:?}: fg at {x},{y}");
                assert_eq!(cell.bg, Color::Reset, "{keys:?} {size:?}: bg at {x},{y}");
            }
        }
    }
    // Outcomes stay distinguishable: denied is bold and underlined.
    let mut c = Console::on(crate::console_common::demo(false), SMALL, theme());
    search(&mut c, "outcome:denied");
    c.press("enter");
    let buf = c.buffer(80, 24);
    let (x, y) = find_cells(&buf, "denied")[1];
    let m = buf[(x, y)].modifier;
    assert!(m.contains(ratatui::style::Modifier::BOLD | ratatui::style::Modifier::UNDERLINED));
}

/// Events whose strings try to drive the terminal.
fn hostile_records() -> Vec<serde_json::Value> {
    let long = format!("long-{}-end", "x".repeat(5000));
    vec![
        json!({
            "time": "2026-11-24T01:00:00Z",
            "actor": "evil\u{1b}[31mred\u{1b}[0m\u{1b}]8;;http://x.test\u{7}link\u{1b}]8;;\u{7}\u{9b}2J",
            "action": "del\rete\u{202E}gnp.exe",
            "resource": "a\u{2066}b\u{200B}c\u{2069}d\u{feff}",
            "outcome": "denied",
            "source_ip": "10.0.0.1",
        }),
        json!({
            "time": "2026-11-24T01:00:01Z",
            "actor": "bob",
            "action": "put",
            "resource": long,
            "outcome": "success",
        }),
        json!({
            "time": "2026-11-24T01:00:02Z",
            "actor": "carol\u{1b}[2J\u{1b}[H",
            "action": "get\u{8}\u{8}\u{8}DEL",
            "resource": "r\u{7f}",
            "outcome": "failure",
        }),
    ]
}

/// The hostile store, sealed and pulled once per process.
fn hostile() -> &'static crate::console_common::Pulled {
    static STORE: std::sync::OnceLock<crate::console_common::Pulled> = std::sync::OnceLock::new();
    STORE.get_or_init(|| crate::console_common::sealed(&hostile_records()))
}

fn assert_terminal_safe(text: &str) {
    for (i, l) in text.lines().enumerate() {
        for ch in l.chars() {
            assert!(
                !trailscope::text::is_unsafe(ch),
                "line {i} carries U+{:04X}: {l:?}",
                ch as u32
            );
        }
    }
}

#[test]
fn hostile_strings_reach_the_screen_only_as_escapes() {
    let pulled = hostile();
    assert!(pulled.summary.is_intact());
    let mut c = Console::on(pulled, SMALL, Theme::load(None, None, false).unwrap());
    assert_eq!(c.app.rows.hits.len(), 3);
    let text = c.screen();
    assert_terminal_safe(&text);
    let rows = table_rows(&text);
    assert_eq!(rows.len(), 3, "{text}");
    // Actors are cut keeping their end.
    assert!(rows[0].contains("\\u{9B}2J denied"), "{text}");
    assert!(
        rows[1].contains("long-xxx") && rows[1].ends_with('…'),
        "{text}"
    );
    insta::assert_snapshot!("hostile_main_80x24", text);

    // The detail overlay shows everything, escaped.
    c.press("enter");
    let text = c.screen();
    assert_terminal_safe(&text);
    let joined: String = text.lines().map(|l| l.trim_matches('│')).collect();
    for esc in [
        "\\u{1B}[31mred",
        "\\u{1B}]8;;http://x.test\\u{7}link",
        "\\u{9B}2J",
    ] {
        assert!(joined.contains(esc), "{esc} in {text}");
    }
    assert!(text.contains("del\\u{D}ete\\u{202E}gnp.exe"), "{text}");
    assert!(
        text.contains("a\\u{2066}b\\u{200B}c\\u{2069}d\\u{FEFF}"),
        "{text}"
    );
    insta::assert_snapshot!("hostile_detail_80x24", text);

    // The 5,000-character value wraps inside the box; nothing leaks past its border.
    c.keys("esc j enter");
    let text = c.screen();
    assert_terminal_safe(&text);
    assert!(text.contains("long-xxxx"), "{text}");
    assert!(
        text.contains("└ j/k scroll · y copy · Esc close "),
        "{text}"
    );
    insta::assert_snapshot!("hostile_long_detail_80x24", text);

    // At 160 columns the side panel shows the same escapes.
    let mut c = Console::on(pulled, WIDE, Theme::load(None, None, false).unwrap());
    let text = c.screen();
    assert_terminal_safe(&text);
    // A long actor is cut keeping its end, as in the table; the escapes stay visible.
    assert!(text.contains(" actor      …"), "{text}");
    assert!(text.contains("\\u{1B}]8;;\\u{7}\\u{9B}2J"), "{text}");

    // A pivot on the hostile actor: the breadcrumb is escaped too.
    c.keys("p enter");
    let text = c.screen();
    assert_terminal_safe(&text);
    // (The trail is cut at its start; its end, the actor's last escapes, stays.)
    assert!(
        line(&text, 1).contains("\\u{1B}]8;;\\u{7}\\u{9B}2J (Backspace back)"),
        "{}",
        line(&text, 1)
    );
    assert_eq!(c.app.rows.hits.len(), 1);

    // A bidi override typed into the search prompt is shown escaped.
    c.press("/");
    c.type_text("actor:\u{202E}x");
    let text = c.screen();
    assert_terminal_safe(&text);
    assert!(footer(&text).contains("\\u{202E}x"), "{}", footer(&text));
}

/// The breadcrumb gets the room the status line has left, cut at its start with an ellipsis,
/// and its "(Backspace back)" hint is never clipped (regression: it overflowed the line).
#[test]
fn the_breadcrumb_and_its_back_hint_are_not_clipped() {
    for size in [SMALL, WIDE] {
        let mut c = Console::open(size, false);
        search(&mut c, "outcome:denied");
        c.keys("enter p enter");
        let text = c.screen();
        let l1 = line(&text, 1);
        assert!(l1.ends_with("(Backspace back)"), "{size:?}: {l1}");
        assert!(
            l1.contains("…"),
            "{size:?}: a cut trail ends in an ellipsis: {l1}"
        );
    }
}

/// The end of a detail whose long value wraps into many screen rows (here the original
/// record below a 5,000-character resource) can be scrolled into view (regression).
#[test]
fn the_end_of_a_long_detail_can_be_scrolled_into_view() {
    let mut c = Console::on(hostile(), SMALL, Theme::load(None, None, false).unwrap());
    c.keys("j enter G");
    let text = c.screen();
    assert!(text.contains("-end\""), "the record's last value: {text}");
}

/// The prompt's terminal cursor follows the text as drawn: after a character shown as an
/// escape (`\u{202E}`: 8 columns for 1 char) it sits at the end (regression).
#[test]
fn the_prompt_cursor_follows_escaped_text() {
    use ratatui::backend::Backend;
    let mut c = Console::open(SMALL, false);
    c.press("/");
    c.type_text("actor:\u{202E}xy");
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    let ctx = trailscope::tui::view::Ctx {
        theme: &c.theme,
        keymap: &c.keymap,
    };
    term.draw(|f| trailscope::tui::view::draw(f, &c.app, &ctx))
        .unwrap();
    let shown = "/actor:\\u{202E}xy";
    assert!(footer(&c.screen()).starts_with(shown));
    let pos = term.backend_mut().get_cursor_position().unwrap();
    assert_eq!(
        pos.x as usize,
        shown.chars().count(),
        "cursor after the text"
    );
}

// ---- metrics and traces (issue 5) ----

/// The row of the screen that starts with `prefix`.
fn row_starting(text: &str, prefix: &str) -> Option<usize> {
    text.lines().position(|l| l.starts_with(prefix))
}

#[test]
fn metrics_area_after_jumping_to_the_first_anomaly() {
    at_both_sizes(
        "metrics_anomaly",
        false,
        |c| c.press("a"),
        |c, text| {
            let a = areas(&c.app).metrics.expect("a metrics area");
            let legend = line(text, a.y as usize);
            assert!(legend.starts_with("metrics unverified"), "{legend}");
            // One line per metric, labelled in the gutter, under the legend and above the axis.
            let labels: Vec<String> = c
                .app
                .correlation
                .lines
                .iter()
                .map(|l| l.overview.label.chars().take(GUTTER as usize - 2).collect())
                .collect();
            for (i, label) in labels.iter().enumerate() {
                let row = line(text, a.y as usize + 1 + i);
                assert!(row.starts_with(label.as_str()), "{row} / {label}");
                assert!(
                    row.chars()
                        .skip(GUTTER as usize)
                        .any(|ch| "▁▂▃▄▅▆▇█".contains(ch)),
                    "{row}"
                );
            }
            assert!(a.y > areas(&c.app).chart.y && a.bottom() <= areas(&c.app).axis.y);
            // The footer explains the jump; the breadcrumb shows the anomaly step.
            assert!(footer(text).contains("anomaly 1/"), "{}", footer(text));
            assert!(line(text, 1).contains("⚠"), "{}", line(text, 1));
            // The value at the cursor is in the legend at the wide size.
            if c.app.size == WIDE {
                assert!(legend.contains("error rate"), "{legend}");
            }
            // The anomaly onset is drawn in the failure colour on its line.
            let buf = c.buffer(c.app.size.0, c.app.size.1);
            let failure = c.theme.color(Role::Failure);
            let an = &c.app.correlation.anomalies[0];
            let y = a.y + 1 + an.series as u16;
            assert!(
                (GUTTER..c.app.size.0).any(|x| buf[(x, y)].fg == failure),
                "no onset mark on row {y}"
            );
        },
    );
}

#[test]
fn trace_waterfall_of_a_failing_payment() {
    at_both_sizes(
        "waterfall",
        false,
        |c| {
            c.press("/");
            c.press("ctrl-u");
            c.type_text("action:\"payments.charge\" AND outcome:failure");
            c.press("enter");
            c.press("T");
        },
        |c, text| {
            assert!(matches!(c.app.overlay, Overlay::Waterfall { .. }));
            let id = c.app.selected().and_then(|h| h.trace_id.clone()).unwrap();
            assert!(text.contains(&format!("trace {id}")), "{text}");
            assert!(text.contains("ERROR"), "{text}");
            assert!(text.contains("unverified"), "{text}");
            // Nested: a child span is indented under its parent.
            let parent = row_starting(text, "│POST /checkout")
                .or_else(|| text.lines().position(|l| l.contains("POST /checkout")));
            assert!(parent.is_some(), "{text}");
            assert!(
                text.contains("  POST /charge") || text.contains("    POST /charge"),
                "{text}"
            );
            // Error spans in the failure colour.
            let buf = c.buffer(c.app.size.0, c.app.size.1);
            let failure = c.theme.color(Role::Failure);
            assert!(
                find_cells(&buf, "POST /charge")
                    .iter()
                    .any(|&(x, y)| buf[(x, y)].fg == failure),
                "the failing span is not in the failure colour"
            );
        },
    );
}
