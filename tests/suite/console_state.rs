//! State transitions of the console, key by key, on the deterministic demo store: pivots and
//! back, zoom limits, the table's ends and pages, empty results, prompts, stale answers,
//! mouse, resize and clipboard. Every expectation about events comes from asking the worker
//! directly, not from the console's own state.

use crate::console_common::{Console, SMALL, WIDE, click, table_rows};
use ratatui::crossterm::event::{KeyModifiers, MouseEvent, MouseEventKind};
use trailscope::query::Hit;
use trailscope::tui::state::rows::PAGE;
use trailscope::tui::state::window::MIN_WIDTH_NS;
use trailscope::tui::state::{Level, LiveCount, Overlay};
use trailscope::tui::update::{Effect, on_resize, on_response};
use trailscope::tui::view::layout::{areas, histogram_columns, table_rows as visible_rows};
use trailscope::tui::worker::{Request, Response};

fn key_of(h: &Hit) -> (i64, u64, u64) {
    (h.time_ns, h.seq, h.pos)
}

fn info(c: &Console) -> Option<&str> {
    match &c.app.message {
        Some((Level::Info, m)) => Some(m.as_str()),
        _ => None,
    }
}

fn search(c: &mut Console, query: &str) {
    c.press("/");
    c.press("ctrl-u");
    c.type_text(query);
}

/// Rows are in strict (time, seq, pos) order: no duplicate, nothing out of order.
fn assert_strictly_ordered(hits: &[Hit]) {
    for w in hits.windows(2) {
        assert!(
            key_of(&w[0]) < key_of(&w[1]),
            "{:?} then {:?}",
            key_of(&w[0]),
            key_of(&w[1])
        );
    }
}

#[test]
fn pivot_and_back_restore_query_and_window_exactly() {
    let mut c = Console::open(SMALL, false);
    // A window that is not the extent, so restoring it means something.
    c.keys("l l l +");
    assert!(!c.app.follow_extent);
    let (q0, w0, follow0) = (c.app.query.clone(), c.app.window, c.app.follow_extent);
    let first0 = key_of(&c.app.rows.hits[0]);

    search(&mut c, "outcome:denied");
    c.press("enter");
    assert_eq!(c.app.query, "outcome:denied");
    assert_eq!(c.app.window, w0, "a search keeps the window");
    if c.app.rows.hits.is_empty() {
        // No denied event in this window: widen to find one to pivot on.
        c.keys("- - - - - - - -");
    }
    let (q1, w1b, follow1) = (c.app.query.clone(), c.app.window, c.app.follow_extent);
    let hit = c.app.selected().expect("a denied event").clone();

    c.keys("p enter");
    assert_eq!(c.app.query, format!("actor:\"{}\"", hit.actor));
    let w = c.app.window.unwrap();
    assert_eq!(
        Some((w.from, w.to)),
        c.app.extent,
        "a pivot widens to the extent"
    );
    assert_eq!(w.cursor, hit.time_ns, "the cursor stays at the event");
    assert!(c.app.follow_extent);
    assert!(c.app.rows.hits.iter().all(|h| h.actor == hit.actor));

    c.press("backspace");
    assert_eq!(c.app.query, q1);
    assert_eq!(c.app.window, w1b);
    assert_eq!(c.app.follow_extent, follow1);
    assert!(c.app.rows.hits.iter().all(|h| h.outcome == "denied"));

    // Back to before the search (undoing any zoom-out taken inside it too).
    while !c.app.crumbs.is_empty() {
        c.press("backspace");
    }
    assert_eq!(c.app.query, q0);
    assert_eq!(c.app.window, w0);
    assert_eq!(c.app.follow_extent, follow0);
    assert_eq!(key_of(&c.app.rows.hits[0]), first0, "the same rows again");
    c.press("backspace");
    assert_eq!(info(&c), Some("nothing to go back to"));
    assert_eq!(c.app.window, w0);
}

#[test]
fn zoom_in_stops_at_one_second_and_zoom_out_at_the_extent() {
    let mut c = Console::open(SMALL, false);
    let extent = c.app.extent.unwrap();
    // Somewhere in the middle, so zooming has both sides to cut.
    c.keys("n");
    let cursor = c.app.window.unwrap().cursor;
    let mut steps = 0;
    while info(&c) != Some("zoomed in as far as it goes (1 s)") {
        c.press("+");
        steps += 1;
        assert!(steps < 30, "zoom in never stops");
        let w = c.app.window.unwrap();
        assert!(w.from <= w.cursor && w.cursor < w.to, "cursor stays inside");
    }
    let w = c.app.window.unwrap();
    assert_eq!(w.width(), MIN_WIDTH_NS);
    assert_eq!(w.cursor, cursor, "zooming keeps the cursor");
    // The status line shows the 1-second window (no duration at 80 columns: the times say it).
    let screen = c.screen();
    let (from, to) = (
        chrono::DateTime::<chrono::Utc>::from_timestamp_nanos(w.from)
            .format("%H:%M:%S")
            .to_string(),
        chrono::DateTime::<chrono::Utc>::from_timestamp_nanos(w.to)
            .format("%H:%M:%S")
            .to_string(),
    );
    assert!(screen.contains(&format!("{from} → {to} UTC")), "{screen}");
    // One more refusal changes nothing and sends nothing.
    let before = c.answered;
    c.press("+");
    assert_eq!(c.app.window, Some(w));
    assert_eq!(c.answered, before);

    steps = 0;
    c.press("esc"); // clears the message
    while info(&c) != Some("already showing everything") {
        c.press("-");
        steps += 1;
        assert!(steps < 30, "zoom out never stops");
    }
    let w = c.app.window.unwrap();
    assert_eq!((w.from, w.to), extent);
    assert_eq!(w.cursor, cursor);
    assert!(
        c.app.follow_extent,
        "the whole extent follows new data again"
    );
    assert!(c.screen().ends_with(" already showing everything\n"));
}

#[test]
fn first_and_last_select_the_window_ends_and_up_stays_at_the_top() {
    let mut c = Console::open(SMALL, false);
    let all = c.all_in_window();
    let (first, last) = (key_of(&all[0]), key_of(all.last().unwrap()));

    c.press("G");
    let sel = c.app.selected().unwrap();
    assert_eq!(key_of(sel), last);
    assert_eq!(c.app.rows.selected, c.app.rows.hits.len() - 1);
    assert_eq!(c.app.window.unwrap().cursor, sel.time_ns);
    assert_strictly_ordered(&c.app.rows.hits);
    // Visible: the last table row on screen is the last event.
    let text = c.screen();
    let rows = table_rows(&text);
    assert!(rows.last().unwrap().starts_with("· 02:59:55"), "{text}");
    // `j` at the last row stays there.
    c.press("j");
    assert_eq!(key_of(c.app.selected().unwrap()), last);

    c.press("g");
    assert_eq!(c.app.rows.selected, 0);
    assert_eq!(key_of(c.app.selected().unwrap()), first);
    let before = c.answered;
    c.press("k");
    assert_eq!(c.app.rows.selected, 0);
    assert_eq!(key_of(c.app.selected().unwrap()), first);
    assert_eq!(c.answered, before, "nothing earlier to load");
    assert!(c.app.message.is_none());
}

#[test]
fn moving_down_past_a_page_loads_the_next_page_in_order() {
    let mut c = Console::open(SMALL, false);
    let all = c.all_in_window();
    assert!(all.len() > 2 * PAGE);
    assert_eq!(c.app.rows.hits.len(), PAGE);
    for (i, want) in all.iter().enumerate().take(PAGE + 51).skip(1) {
        c.press("j");
        assert_eq!(c.app.rows.selected, i);
        assert_eq!(key_of(c.app.selected().unwrap()), key_of(want), "row {i}");
    }
    let hits = &c.app.rows.hits;
    assert!(hits.len() > PAGE + 50, "{}", hits.len());
    assert_strictly_ordered(hits);
    let want: Vec<_> = all.iter().take(hits.len()).map(key_of).collect();
    let got: Vec<_> = hits.iter().map(key_of).collect();
    assert_eq!(
        got, want,
        "the loaded rows are exactly the window's first events"
    );
    // The selected row is on screen.
    let h = visible_rows(&c.app);
    assert!(
        c.app.rows.scroll <= c.app.rows.selected && c.app.rows.selected < c.app.rows.scroll + h
    );
    // Page keys and a second page boundary.
    for _ in 0..(2 * PAGE / h) {
        c.press("pagedown");
    }
    assert_strictly_ordered(&c.app.rows.hits);
    let sel = c.app.rows.selected;
    assert_eq!(key_of(c.app.selected().unwrap()), key_of(&all[sel]));
}

#[test]
fn moving_up_past_the_first_loaded_row_loads_the_previous_page() {
    let mut c = Console::open(SMALL, false);
    let all = c.all_in_window();
    // `G` loads the newest page only.
    c.press("G");
    let n = c.app.rows.hits.len();
    assert_eq!(n, PAGE);
    let top = key_of(&c.app.rows.hits[0]);
    let at = all.iter().position(|h| key_of(h) == top).unwrap();
    // n - 1 presses reach the first loaded row (which loads the page before it), ten more go
    // into that page.
    for _ in 0..n - 1 + 10 {
        c.press("k");
    }
    assert_strictly_ordered(&c.app.rows.hits);
    let sel = key_of(c.app.selected().unwrap());
    assert_eq!(sel, key_of(&all[at - 10]), "10 rows above the first page");
    let first_loaded = all
        .iter()
        .position(|h| key_of(h) == key_of(&c.app.rows.hits[0]))
        .unwrap();
    let got: Vec<_> = c.app.rows.hits.iter().map(key_of).collect();
    let want: Vec<_> = all[first_loaded..].iter().map(key_of).collect();
    assert_eq!(got, want, "no gap and no duplicate between the pages");

    // After moving the cursor, `k` on the first row loads the events before it and selects
    // the one just before.
    c.press("g");
    c.keys("l l l l l");
    let top = key_of(&c.app.rows.hits[0]);
    assert!(c.app.rows.more_before);
    c.press("k");
    assert!(key_of(&c.app.rows.hits[0]) < top, "earlier rows loaded");
    let i = all.iter().position(|h| key_of(h) == top).unwrap();
    assert_eq!(key_of(c.app.selected().unwrap()), key_of(&all[i - 1]));
    assert_strictly_ordered(&c.app.rows.hits);
}

/// On the first loaded row with earlier events not loaded yet, one `k` loads the previous
/// page and selects the event just before (regression: the key press used to be lost).
#[test]
fn one_up_on_the_first_row_selects_the_event_before_it() {
    let mut c = Console::open(SMALL, false);
    let all = c.all_in_window();
    c.keys("l l l l l");
    let top = key_of(&c.app.rows.hits[0]);
    c.press("k");
    let i = all.iter().position(|h| key_of(h) == top).unwrap();
    assert_eq!(key_of(c.app.selected().unwrap()), key_of(&all[i - 1]));
}

#[test]
fn an_empty_result_says_so_and_row_keys_do_nothing_harmful() {
    let mut c = Console::open(SMALL, false);
    search(&mut c, "actor:nobody");
    assert_eq!(
        c.app.overlay,
        Overlay::Search {
            input: trailscope::tui::state::Input::with("actor:nobody"),
            count: LiveCount::Count(0)
        }
    );
    c.press("enter");
    assert!(c.app.rows.hits.is_empty());
    assert_eq!(c.app.histogram.as_ref().unwrap().total, 0);
    let text = c.screen();
    assert!(
        text.contains(
            "  no events match in this window (Backspace: back, -: zoom out, /: edit query)"
        ),
        "{text}"
    );
    assert!(text.contains("│ 0 events │"), "{text}");

    c.press("p");
    assert_eq!(c.app.overlay, Overlay::None);
    assert_eq!(info(&c), Some("no event selected"));
    let before = c.answered;
    c.keys("enter y");
    assert_eq!(c.app.overlay, Overlay::None);
    assert!(c.clipboard.is_empty());
    assert_eq!(c.answered, before, "nothing asked");
    c.keys("j k g G pagedown pageup n N h l");
    assert!(c.app.rows.hits.is_empty());
    assert!(c.app.selected().is_none());
    // Every overlay draws without an event.
    for k in ["f", "i", "?"] {
        c.press(k);
        let _ = c.screen();
        c.press("esc");
    }
    assert!(c.screen().contains("no events match"));
    c.press("backspace");
    assert_eq!(c.app.query, "");
    assert!(!c.app.rows.hits.is_empty());
}

#[test]
fn a_syntax_error_keeps_the_prompt_open_and_the_query_unchanged() {
    let mut c = Console::open(SMALL, false);
    let rows0: Vec<_> = c.app.rows.hits.iter().map(key_of).collect();
    search(&mut c, "actor:(");
    let Overlay::Search { count, .. } = &c.app.overlay else {
        panic!("no prompt");
    };
    assert!(matches!(count, LiveCount::Error(_, Some(7))), "{count:?}");
    c.press("enter");
    assert!(
        matches!(c.app.overlay, Overlay::Search { .. }),
        "the prompt stays"
    );
    assert_eq!(c.app.query, "");
    assert!(c.app.crumbs.is_empty());
    assert!(
        c.screen()
            .lines()
            .last()
            .unwrap()
            .contains("✗ expected word (at 7)")
    );
    // Fixing the text makes it count again; Esc leaves everything as it was.
    c.type_text("alice@example.com)");
    let Overlay::Search { count, .. } = &c.app.overlay else {
        panic!("no prompt");
    };
    assert!(matches!(count, LiveCount::Count(n) if *n > 0), "{count:?}");
    c.press("esc");
    assert_eq!(c.app.overlay, Overlay::None);
    assert_eq!(c.app.query, "");
    let rows: Vec<_> = c.app.rows.hits.iter().map(key_of).collect();
    assert_eq!(rows, rows0);
}

#[test]
fn stale_answers_are_dropped() {
    let mut c = Console::open(SMALL, false);
    // Two zooms in a row, nothing answered in between: two histogram and two rows requests.
    c.press_deferred("+");
    c.press_deferred("+");
    let fx = c.take();
    let mut hist = Vec::new();
    let mut rows = Vec::new();
    for e in fx {
        match e {
            Effect::Request(r) => match *r {
                r @ Request::Histogram { .. } => hist.push(r),
                r @ Request::Rows { .. } => rows.push(r),
                other => panic!("unexpected {other:?}"),
            },
            Effect::Clipboard(_) => panic!("clipboard"),
            Effect::Correlate(r) => panic!("no metric query is configured: {r:?}"),
        }
    }
    assert_eq!((hist.len(), rows.len()), (2, 2));
    assert_eq!(c.app.pending, 4);
    let answers: Vec<Response> = hist.into_iter().chain(rows).map(|r| c.answer(r)).collect();
    let [h1, h2, r1, r2] = <[Response; 4]>::try_from(answers).unwrap();
    let (Response::Histogram(_, Ok(want_h)), Response::Rows(_, _, Ok((want_rows, _)))) =
        (h2.clone(), r2.clone())
    else {
        panic!("answers");
    };
    let Response::Histogram(_, Ok(old_h)) = h1.clone() else {
        panic!()
    };
    assert_ne!(old_h.width_ns, want_h.width_ns, "the two answers differ");
    // The newer answers first, the older ones after them.
    for r in [h2, r2, h1, r1] {
        let fx = on_response(&mut c.app, r);
        assert!(fx.is_empty());
    }
    let h = c.app.histogram.as_ref().unwrap();
    assert_eq!(h.width_ns, want_h.width_ns);
    assert_eq!(h.total, want_h.total);
    let got: Vec<_> = c.app.rows.hits.iter().map(key_of).collect();
    let want: Vec<_> = want_rows.iter().map(key_of).collect();
    assert_eq!(got, want);
    assert_eq!(c.app.pending, 0, "stale answers still count as answered");
    // And the state is what settling in order gives.
    let mut d = Console::open(SMALL, false);
    d.keys("+ +");
    assert_eq!(c.screen(), d.screen());
}

#[test]
fn a_stale_live_count_is_dropped() {
    let mut c = Console::open(SMALL, false);
    c.press("/");
    c.take();
    c.app.pending = 0;
    for ch in ["a", "c", "t", "o", "r", ":", "x"] {
        c.press_deferred(ch);
    }
    let reqs: Vec<Request> = c
        .take()
        .into_iter()
        .map(|e| match e {
            Effect::Request(r) => *r,
            Effect::Clipboard(_) | Effect::Correlate(_) => panic!(),
        })
        .collect();
    assert_eq!(reqs.len(), 7);
    // The last count (actor:x → 0) arrives first, then the one for "actor:" (an error).
    let last = c.answer(reqs[6].clone());
    let earlier = c.answer(reqs[5].clone());
    assert!(matches!(earlier, Response::Count(_, Err(_))), "{earlier:?}");
    on_response(&mut c.app, last);
    on_response(&mut c.app, earlier);
    let Overlay::Search { count, .. } = &c.app.overlay else {
        panic!()
    };
    assert_eq!(*count, LiveCount::Count(0));
}

#[test]
fn a_click_selects_a_row_or_moves_the_cursor() {
    let mut c = Console::open(SMALL, false);
    let a = areas(&c.app);
    // The fourth event row (the header is the table's first line).
    c.mouse(click(20, a.table.y + 4));
    assert_eq!(c.app.rows.selected, 3);
    let sel = c.app.selected().unwrap().clone();
    assert_eq!(c.app.window.unwrap().cursor, sel.time_ns);
    // The header and the rows below the last event do nothing.
    c.mouse(click(20, a.table.y));
    assert_eq!(c.app.rows.selected, 3);
    // The wheel scrolls three rows.
    c.mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 20,
        row: a.table.y + 2,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(c.app.rows.selected, 6);

    // A click on the histogram puts the cursor at that column's start; the table follows.
    let cols = a.chart.width as usize;
    c.mouse(click(a.chart.x + 40, a.chart.y + 1));
    let w = c.app.window.unwrap();
    assert_eq!(w.cursor, w.bucket_start(40, cols));
    assert_eq!(w.cursor_bucket(cols), 40);
    let first = c.app.rows.hits[0].clone();
    assert!(first.time_ns >= w.cursor);
    let all = c.all_in_window();
    let want = all.iter().find(|h| h.time_ns >= w.cursor).unwrap();
    assert_eq!(
        key_of(&first),
        key_of(want),
        "the first event from the cursor on"
    );
    let text = c.screen();
    let axis: Vec<char> = text
        .lines()
        .nth(a.axis.y as usize)
        .unwrap()
        .chars()
        .collect();
    assert_eq!(axis[a.axis.x as usize + 40], '▲');
    // The axis line works too.
    c.mouse(click(a.axis.x + 5, a.axis.y));
    assert_eq!(c.app.window.unwrap().cursor_bucket(cols), 5);

    // With an overlay open, a click does nothing.
    c.press("?");
    let w = c.app.window;
    c.mouse(click(a.chart.x + 60, a.chart.y));
    assert_eq!(c.app.window, w);
}

#[test]
fn a_resize_asks_for_a_histogram_with_the_new_column_count() {
    let mut c = Console::open(SMALL, false);
    let fx = on_resize(&mut c.app, WIDE.0, WIDE.1);
    assert_eq!(fx.len(), 1);
    c.run(fx);
    assert_eq!(
        c.app.histogram.as_ref().unwrap().buckets.len(),
        histogram_columns(&c.app)
    );
    let d = Console::open(WIDE, false);
    assert_eq!(c.screen(), d.screen());
}

#[test]
fn copy_puts_the_event_with_its_proof_on_the_clipboard() {
    let mut c = Console::open(SMALL, false);
    c.keys("j y");
    assert_eq!(c.clipboard.len(), 1);
    let v: serde_json::Value = serde_json::from_str(&c.clipboard[0]).unwrap();
    let hit = c.app.selected().unwrap();
    assert_eq!(v["actor"], hit.actor.as_str());
    assert_eq!(v["seq"], hit.seq);
    assert_eq!(v["pos"], hit.pos);
    assert_eq!(v["chain_hash"].as_str().unwrap().len(), 64);
    assert!(v["record"].is_object());
    let msg = format!(
        "copied the event as JSON ({} bytes, OSC 52)",
        c.clipboard[0].len()
    );
    assert_eq!(info(&c), Some(msg.as_str()));
}

#[test]
fn facets_enter_narrows_to_the_value_and_back_undoes_it() {
    let mut c = Console::open(SMALL, false);
    c.keys("f j");
    let facets = c.app.facets.as_ref().unwrap().as_ref().unwrap();
    let second = facets[0].values[1].clone();
    c.press("enter");
    assert_eq!(c.app.overlay, Overlay::None);
    assert_eq!(c.app.query, format!("actor:\"{}\"", second.value));
    assert_eq!(c.app.histogram.as_ref().unwrap().total, second.count);
    assert!(c.app.rows.hits.iter().all(|h| h.actor == second.value));
    c.press("backspace");
    assert_eq!(c.app.query, "");
}

#[test]
fn jump_moves_the_cursor_and_a_bad_time_keeps_the_prompt() {
    let mut c = Console::open(SMALL, false);
    c.press("t");
    c.type_text("25:00");
    c.press("enter");
    let Overlay::Jump { error, .. } = &c.app.overlay else {
        panic!("the prompt closed");
    };
    assert!(error.as_deref().unwrap().contains("HH:MM"), "{error:?}");
    c.press("ctrl-u");
    c.type_text("02:07");
    c.press("enter");
    assert_eq!(c.app.overlay, Overlay::None);
    let w = c.app.window.unwrap();
    let t = trailscope::event::time::parse_rfc3339_ns("2026-11-24T02:07:00Z").unwrap();
    assert_eq!(w.cursor, t);
    let cols = histogram_columns(&c.app);
    assert!(c.app.rows.hits[0].time_ns >= w.bucket_start(w.cursor_bucket(cols), cols));
}

#[test]
fn esc_dismisses_the_banner_and_the_table_grows() {
    let mut c = Console::open(SMALL, true);
    let rows = visible_rows(&c.app);
    assert!(c.app.banner.is_some());
    c.press("esc");
    assert!(c.app.banner.is_none());
    assert_eq!(visible_rows(&c.app), rows + 1);
    assert!(!c.screen().contains("INTEGRITY"));
    // The problem is still counted in the status line.
    assert!(c.screen().lines().next().unwrap().contains("1 problem"));
    // Live follow pulls again and finds the same problem: the dismissed banner stays away…
    let summary = crate::console_common::demo(true).summary.clone();
    let again = |c: &mut Console, s: &trailscope::pull::PullSummary| {
        let fx = trailscope::tui::update::on_pull(
            &mut c.app,
            trailscope::tui::update::PullEvent::Done(Box::new(Ok(s.clone()))),
        );
        c.run(fx);
    };
    again(&mut c, &summary);
    assert!(
        c.app.banner.is_none(),
        "the same problem is not raised again"
    );
    // …but a different problem raises it again.
    let mut worse = summary.clone();
    let mut extra = worse.verify.problems[0].clone();
    extra.seq = extra.seq.map(|s| s + 1);
    worse.verify.problems.push(extra);
    again(&mut c, &worse);
    assert!(
        c.app
            .banner
            .as_deref()
            .is_some_and(|b| b.contains("(+1 more)"))
    );
    c.press("q");
    assert!(c.app.quit);
}

/// `k` / PgUp right after `G` in an overlay scroll back at once (regression: `G` used to park
/// the scroll far past the content, clamped only when drawn).
#[test]
fn up_after_last_scrolls_an_overlay() {
    let mut c = Console::open(SMALL, false);
    c.keys("? G");
    let at_end = c.screen();
    c.press("k");
    assert_ne!(c.screen(), at_end, "k after G moves the help up a line");
}

/// The narrowest window still has bars, and the cursor's column is the histogram bucket
/// holding the cursor (the histogram's buckets are whole milliseconds: at 1 s, 73 columns of
/// 13.7 ms are 72 buckets of 14 ms; before the fix the chart drew nothing then).
#[test]
fn the_histogram_is_drawn_at_the_zoom_limit() {
    let mut c = Console::open(SMALL, false);
    // The cursor on an event, so the narrowest window still holds it.
    c.keys("j j j");
    for _ in 0..15 {
        c.press("+");
    }
    let w = c.app.window.unwrap();
    assert_eq!(w.width(), MIN_WIDTH_NS);
    let h = c.app.histogram.as_ref().unwrap();
    assert!(h.total > 0);
    let cols = histogram_columns(&c.app);
    assert!(h.buckets.len() <= cols);
    let b = &h.buckets[w.cursor_bucket(cols)];
    assert!(b.start_ns <= w.cursor && w.cursor < b.end_ns, "{b:?} {w:?}");
    assert!(b.count > 0, "the selected event is in the cursor's bucket");
    let a = areas(&c.app);
    let text = c.screen();
    let bottom: Vec<char> = text
        .lines()
        .nth(a.chart.bottom() as usize - 1)
        .unwrap()
        .chars()
        .collect();
    let bars = bottom[a.chart.x as usize..]
        .iter()
        .filter(|ch| "▁▂▃▄▅▆▇█".contains(**ch))
        .count();
    assert!(bars > 0, "{text}");
}

/// An info message ("zoomed in as far as it goes", "no spike after the cursor", "nothing to
/// go back to") describes the last action only (regression: it stayed until Esc).
#[test]
fn a_refusal_message_goes_away_once_the_action_succeeds_again() {
    let mut c = Console::open(SMALL, false);
    for _ in 0..20 {
        c.press("+");
    }
    assert_eq!(info(&c), Some("zoomed in as far as it goes (1 s)"));
    c.press("-");
    assert_eq!(info(&c), None, "zoomed out: the refusal no longer holds");
}

/// Esc then `G` typed quickly arrive as Alt+G: unbound, it is taken as the two keys (the
/// banner is dismissed, then the last event selected).
#[test]
fn an_unbound_alt_key_is_esc_then_the_key() {
    let mut c = Console::open(SMALL, true);
    assert!(c.app.banner.is_some());
    c.keys("j j");
    c.press("alt-G");
    assert!(c.app.banner.is_none(), "Esc part dismissed the banner");
    let last = c.all_in_window().last().cloned().unwrap();
    let sel = c.app.selected().unwrap();
    assert_eq!(
        (sel.seq, sel.pos),
        (last.seq, last.pos),
        "G part selected the last event"
    );
}

/// A terminal too small to draw in gets a notice instead of a panic; at the smallest size
/// drawn, every view draws.
#[test]
fn tiny_terminals_never_panic() {
    use trailscope::tui::view::MIN_SIZE;
    for size in [
        (1, 1),
        (10, 4),
        (49, 13),
        MIN_SIZE,
        (MIN_SIZE.0, 40),
        (200, MIN_SIZE.1),
    ] {
        let mut c = Console::open(size, false);
        let small = size.0 < MIN_SIZE.0 || size.1 < MIN_SIZE.1;
        // The notice, as much of it as fits.
        let notice = |text: &str| {
            let t: String = text.split_whitespace().collect();
            let t: String = t.chars().take(17).collect();
            !t.is_empty() && "terminaltoosmall:".starts_with(&t)
        };
        let text = c.screen();
        assert_eq!(notice(&text), small, "{size:?}:\n{text}");
        for k in [
            "?", "G", "k", "esc", "i", "G", "esc", "f", "j", "esc", "enter", "G", "esc", "p", "j",
            "esc", "/", "x", "esc", "t", "esc", "+", "-", "l", "G",
        ] {
            c.press(k);
            let text = c.screen();
            assert_eq!(notice(&text), small, "{size:?} after {k}");
        }
    }
}

// ---- metrics and traces (issue 5) ----

/// Nanoseconds of 2026-11-24 `h:m:s` UTC (the demo's day).
fn demo_time(h: i64, m: i64, s: i64) -> i64 {
    (1_795_478_400 + h * 3600 + m * 60 + s) * 1_000_000_000
}

#[test]
fn the_demo_metrics_load_and_a_jumps_to_the_error_rate_onset_with_the_change_before_it() {
    let mut c = Console::open(SMALL, false);
    let corr = &c.app.correlation;
    let labels: Vec<&str> = corr
        .lines
        .iter()
        .map(|l| l.overview.label.as_str())
        .collect();
    assert_eq!(labels.len(), 4, "{labels:?}");
    assert!(labels.contains(&"error rate"), "{labels:?}");
    assert!(corr.errors.is_empty(), "{:?}", corr.errors);
    let error_rate = labels.iter().position(|l| *l == "error rate").unwrap();
    let onset = corr
        .anomalies
        .iter()
        .find(|a| a.series == error_rate)
        .expect("an error-rate anomaly")
        .start;
    let change = demo_time(1, 49, 12);
    assert!(
        onset > change && onset < change + 90_000_000_000,
        "the error-rate anomaly starts right after the config change, not at {onset}"
    );
    let w0 = c.app.window;
    // Jump to anomalies until the error rate's (others may start earlier).
    let mut seen = 0;
    while c.app.window.unwrap().cursor < onset - c.app.correlation.around.0 / 5 {
        c.press("a");
        seen += 1;
        assert!(seen < 20, "never reached the error-rate anomaly");
    }
    let w = c.app.window.unwrap();
    let (before, after) = c.app.correlation.around;
    assert!(
        c.app
            .message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("anomaly"))
    );
    let anomaly_at = w.from + before;
    assert!(anomaly_at <= onset && w.to == anomaly_at + after.max(1_000_000_000));
    assert_eq!(c.app.crumbs.len(), 1, "a run of jumps is one step back");
    assert!(c.app.crumbs[0].anomaly);
    // What changed just before the spike: the config change is in the table's window.
    let hits = c.all_in_window();
    assert!(
        hits.iter()
            .any(|h| h.resource.contains("payments-config") && h.time_ns < onset),
        "the config change is among the events shown before the onset"
    );
    c.press("backspace");
    assert_eq!(c.app.window, w0);
    assert!(c.app.crumbs.is_empty());
}

#[test]
fn a_and_shift_a_say_when_there_is_no_further_anomaly() {
    let mut c = Console::open(SMALL, false);
    let last = c.app.correlation.anomalies.last().expect("anomalies").start;
    c.press("G");
    // Past the last anomaly: `a` refuses, `A` goes back.
    let w = c.app.window.unwrap();
    if w.cursor <= last {
        c.app.window.as_mut().unwrap().cursor = last + 1;
    }
    c.press("a");
    assert!(
        info(&c).is_some_and(|m| m.contains("no metric anomaly after")),
        "{:?}",
        c.app.message
    );
    c.press("A");
    assert_eq!(
        c.app.window.unwrap().from + c.app.correlation.around.0,
        last
    );
}

#[test]
fn m_hides_the_metrics_and_the_table_gets_their_rows() {
    let mut c = Console::open(SMALL, false);
    let with = visible_rows(&c.app);
    assert!(areas(&c.app).metrics.is_some());
    c.press("M");
    assert!(areas(&c.app).metrics.is_none());
    assert_eq!(visible_rows(&c.app), with + 5, "legend and four lines");
    c.press("M");
    assert_eq!(visible_rows(&c.app), with);
}

#[test]
fn s_shows_span_marks_from_the_store_traces() {
    let mut c = Console::open(SMALL, false);
    assert!(c.app.correlation.trace_count > 0);
    assert!(c.app.correlation.spans.iter().any(|s| s.error));
    let rows = visible_rows(&c.app);
    c.press("S");
    assert!(c.app.correlation.show_spans);
    assert_eq!(visible_rows(&c.app), rows - 1);
    assert!(c.screen().lines().any(|l| l.starts_with("spans")));
}

#[test]
fn t_opens_the_trace_of_a_failing_payment_and_enter_shows_its_audit_events() {
    let mut c = Console::open(SMALL, false);
    search(&mut c, "action:\"payments.charge\" AND outcome:failure");
    c.press("enter");
    let hit = c.app.selected().expect("a failing payment").clone();
    let trace_id = hit.trace_id.clone().expect("it carries a trace id");
    let (q0, w0) = (c.app.query.clone(), c.app.window);
    c.press("T");
    let Overlay::Waterfall { selected } = c.app.overlay else {
        panic!("no waterfall: {:?}", c.app.overlay)
    };
    let view = c.app.correlation.trace.as_ref().unwrap();
    let trailscope::tui::state::correlation::TraceLookup::Found(t) = &view.lookup else {
        panic!("trace not found: {:?}", view.lookup)
    };
    assert_eq!(t.trace_id, trace_id);
    assert!(t.has_error());
    // The span the event was logged in is selected.
    let rows = t.tree();
    assert_eq!(
        Some(&t.spans[rows[selected].span].span_id),
        hit.span_id.as_ref()
    );
    let screen = c.screen();
    assert!(screen.contains(&format!("trace {trace_id}")), "{screen}");
    assert!(screen.contains("POST /charge"), "{screen}");
    c.press("enter");
    assert_eq!(c.app.overlay, Overlay::None);
    assert_eq!(c.app.query, format!("trace_id:\"{trace_id}\""));
    let hits = c.all_in_window();
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|h| h.trace_id.as_deref() == Some(trace_id.as_str()))
    );
    assert!(hits.iter().any(|h| (h.seq, h.pos) == (hit.seq, hit.pos)));
    c.press("backspace");
    assert_eq!((c.app.query.clone(), c.app.window), (q0, w0));
}

#[test]
fn w_in_a_trace_shows_every_event_during_the_span() {
    let mut c = Console::open(SMALL, false);
    search(&mut c, "action:\"payments.charge\" AND outcome:failure");
    c.press("enter");
    c.keys("T w");
    let w = c.app.window.unwrap();
    assert!(
        w.width() >= MIN_WIDTH_NS && w.width() < 60_000_000_000,
        "{w:?}"
    );
    assert_eq!(
        c.app.crumbs.last().map(|k| k.label.starts_with("span ")),
        Some(true)
    );
    assert_eq!(
        c.app.query, "",
        "every event during the span, not only the search's"
    );
}

#[test]
fn t_on_an_event_without_a_trace_says_so_and_an_unknown_trace_is_reported() {
    let mut c = Console::open(SMALL, false);
    search(&mut c, "outcome:denied");
    c.press("enter");
    let hit = c
        .app
        .selected()
        .expect("a denied Kubernetes request")
        .clone();
    assert_eq!(hit.trace_id, None);
    c.press("T");
    assert_eq!(info(&c), Some("this event has no trace id"));
    assert_eq!(c.app.overlay, Overlay::None);
    use trailscope::tui::correlate::{CRequest, CResponse};
    let r = c.correlator.answer(CRequest::Trace {
        generation: 1,
        trace_id: "0af7651916cd43dd8448eb211c80319c".into(),
    });
    let CResponse::Trace(_, _, Ok(Err(why))) = r else {
        panic!("{r:?}")
    };
    assert!(
        why.contains("not found") && why.contains("loaded traces"),
        "{why}"
    );
}

#[test]
fn a_goes_on_from_the_anomaly_shown_and_shift_a_comes_back() {
    let mut c = Console::open(SMALL, false);
    let all = c.app.correlation.anomalies.clone();
    assert!(all.len() >= 3, "{all:?}");
    let w0 = c.app.window;
    let shown = |c: &Console| {
        let w = c.app.window.unwrap();
        w.from + c.app.correlation.around.0
    };
    for (i, want) in all.iter().take(3).enumerate() {
        c.press("a");
        assert_eq!(shown(&c), want.start, "jump {}", i + 1);
        let msg = info(&c).unwrap_or_default().to_string();
        assert!(
            msg.starts_with(&format!("anomaly {}/{}: ", i + 1, all.len())),
            "{msg}"
        );
    }
    c.press("A");
    assert_eq!(shown(&c), all[1].start);
    assert!(info(&c).is_some_and(|m| m.starts_with("anomaly 2/")));
    c.press("A");
    c.press("A");
    assert!(
        info(&c).is_some_and(|m| m.contains("no metric anomaly before this one")),
        "{:?}",
        c.app.message
    );
    assert_eq!(c.app.crumbs.len(), 1, "one step for the whole run");
    c.press("backspace");
    assert_eq!(c.app.window, w0);
}
