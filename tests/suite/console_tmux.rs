//! The console end to end in a real terminal (tmux): the demo walk-through (search with its
//! live count, pivot, breadcrumb back, help, quit), the integrity alarm of the tampered demo,
//! a store of hostile events that must not reach the terminal raw, and SIGTERM giving the
//! terminal back. Expected numbers come from the headless CLI on the same index, never from
//! constants. See `console_tmux_common` for the harness; without tmux these tests skip.

use crate::console_tmux_common::{
    KEY_TIMEOUT, PULL_TIMEOUT, Sandbox, Screen, Tmux, exe_of, have_tmux, number_before,
};
use serde_json::json;

/// `"N match(es) in window"` as the search prompt writes it.
fn matches_text(n: usize) -> String {
    format!("{n} match{} in window", if n == 1 { "" } else { "es" })
}

/// The value of field `name` in the pivot picker (`│ actor      VALUE   │`).
fn picker_value(s: &Screen, name: &str) -> String {
    s.boxed("pivot")
        .into_iter()
        .flatten()
        .find_map(|row| {
            let rest = row.trim().strip_prefix(name)?;
            rest.starts_with(' ').then(|| rest.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no `{name}` line in the pivot picker:\n{s}"))
}

/// Whether a table cell shows `value`, whole or cut with `…` at either end (actors keep their
/// end: `…:user/svc-backup-legacy`).
fn cell_shows(cell: &str, value: &str) -> bool {
    if let Some(end) = cell.strip_prefix('…') {
        value.ends_with(end)
    } else if let Some(start) = cell.strip_suffix('…') {
        value.starts_with(start)
    } else {
        cell == value
    }
}

#[test]
fn demo_walkthrough_search_pivot_back_help_quit() {
    if !have_tmux() {
        return;
    }
    let sb = Sandbox::new();
    let store = sb.path_str("demo-store");
    let cmd = sb.console_cmd(&["demo", "--clean", "--dir", &store]);
    let tmux = Tmux::start(&format!("{cmd}; echo EXIT=$?; sleep 30"));
    let s = tmux.wait_pulled();
    assert!(s.line(0).contains("│ intact │"), "clean demo:\n{s}");
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "1",
        "the console owns the screen"
    );

    // The truth, from the headless CLI on the index the console's pull just wrote.
    let denied = sb.search(&store, "outcome:denied", &[]);
    assert!(!denied.is_empty(), "the demo has denied events");
    let all = sb.search(&store, "*", &[]).len();
    assert!(denied.len() < all);

    // Search: the live count is shown before Enter.
    tmux.keys(&["/"]);
    tmux.type_text("outcome:denied");
    let s = tmux.wait("the live count of outcome:denied", KEY_TIMEOUT, |s| {
        s.footer().starts_with("/outcome:denied") && s.footer().contains(" in window")
    });
    let live = number_before(s.footer(), " match").unwrap_or_else(|| panic!("count:\n{s}"));
    assert_eq!(
        live as usize,
        denied.len(),
        "live count vs `search --json`:\n{s}"
    );
    assert!(s.footer().ends_with(&matches_text(denied.len())), "{s}");
    // Not applied yet: the breadcrumb still says `all`.
    assert!(
        !s.line(1).contains("outcome:denied"),
        "applied before Enter:\n{s}"
    );

    tmux.keys(&["Enter"]);
    let s = tmux.wait("the search to apply", KEY_TIMEOUT, |s| {
        s.line(1).contains("› /outcome:denied")
            && number_before(s.line(1), " events") == Some(denied.len() as u64)
    });
    let rows = s.rows();
    assert_eq!(
        rows.len(),
        denied.len().min(s.table_capacity()),
        "every hit is listed, or the table is full:\n{s}"
    );
    for r in &rows {
        assert_eq!(r.outcome, "denied", "row {r:?} after /outcome:denied:\n{s}");
    }
    let first = rows[0].clone();

    // Pivot on the highlighted row's actor.
    tmux.keys(&["p"]);
    let s = tmux.wait("the pivot picker", KEY_TIMEOUT, |s| s.has("┌ pivot"));
    let actor = picker_value(&s, "actor");
    assert!(!actor.ends_with('…'), "actor cut in the picker:\n{s}");
    assert!(
        cell_shows(&first.actor, &actor),
        "picker is for the highlighted row:\n{s}"
    );
    let of_actor = sb.search(
        &store,
        &format!(
            "actor:\"{}\"",
            actor.replace('\\', "\\\\").replace('"', "\\\"")
        ),
        &[],
    );
    assert!(
        of_actor.iter().any(|h| h["outcome"] != "denied"),
        "the demo's actor has other outcomes too"
    );
    tmux.keys(&["Enter"]);
    assert_ne!(
        of_actor.len(),
        denied.len(),
        "the counts tell the two views apart"
    );
    let s = tmux.wait("the pivot to apply", KEY_TIMEOUT, |s| {
        !s.has("┌ pivot") && number_before(s.line(1), " events") == Some(of_actor.len() as u64)
    });
    // Regression: a breadcrumb too long for status line 2 was once cut at its start and lost
    // the field of the step just taken (`…223333:user/svc-backup-legacy`).
    assert!(
        s.line(1).contains("actor="),
        "status line 2 after the pivot does not name the field (`actor=`):\n{s}"
    );
    let crumb = s.line(1).rsplit("actor=").next().unwrap_or_default();
    let crumb = crumb.split(" (").next().unwrap_or_default().trim();
    assert!(
        cell_shows(crumb, &actor),
        "breadcrumb value {crumb:?}:\n{s}"
    );
    assert_eq!(
        number_before(s.line(1), " events"),
        Some(of_actor.len() as u64),
        "events of the actor vs `search --json`:\n{s}"
    );
    let rows = s.rows();
    assert!(!rows.is_empty(), "{s}");
    for r in &rows {
        assert!(
            cell_shows(&r.actor, &actor),
            "row {r:?} is not {actor}:\n{s}"
        );
    }
    assert!(
        rows.iter().any(|r| r.outcome != "denied"),
        "a pivot on the actor shows its other outcomes:\n{s}"
    );

    // Backspace goes back along the breadcrumb.
    tmux.keys(&["BSpace"]);
    let s = tmux.wait("the breadcrumb to go back", KEY_TIMEOUT, |s| {
        number_before(s.line(1), " events") == Some(denied.len() as u64)
    });
    assert!(s.line(1).contains("› /outcome:denied"), "{s}");
    assert!(!s.line(1).contains("actor="), "{s}");
    assert_eq!(
        number_before(s.line(1), " events"),
        Some(denied.len() as u64),
        "{s}"
    );
    for r in s.rows() {
        assert_eq!(r.outcome, "denied", "row {r:?} after going back:\n{s}");
    }

    // Help lists the actions; Esc closes it.
    tmux.keys(&["?"]);
    let s = tmux.wait("the help overlay", KEY_TIMEOUT, |s| s.has("┌ keys"));
    for action in [
        "pivot on a field of the event",
        "back along the pivot breadcrumb",
        "search (Tantivy syntax, live count)",
        "integrity: segments and problems",
    ] {
        assert!(s.has(action), "help lacks {action:?}:\n{s}");
    }
    tmux.keys(&["Escape"]);
    let s = tmux.wait("the help to close", KEY_TIMEOUT, |s| !s.has("┌ keys"));
    assert!(!s.has("pivot on a field of the event"), "{s}");
    assert!(
        s.line(1).contains("› /outcome:denied"),
        "Esc kept the search:\n{s}"
    );

    // q quits with status 0 and gives the normal screen back.
    tmux.keys(&["q"]);
    let s = tmux.wait("the console to exit", KEY_TIMEOUT, |s| s.has("EXIT="));
    assert!(s.has("EXIT=0"), "exit status:\n{s}");
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "0",
        "alternate screen left on:\n{s}"
    );
    assert_eq!(
        tmux.display("#{mouse_any_flag}"),
        "0",
        "mouse capture left on"
    );
    assert_eq!(tmux.display("#{cursor_flag}"), "1", "cursor left hidden");
    // The normal screen is what the demo printed before the console took over.
    assert!(
        s.has("INTACT"),
        "demo's report not on the normal screen:\n{s}"
    );
    assert!(!s.has(" trailscope │"), "console still drawn:\n{s}");
}

#[test]
fn tampered_demo_banner_integrity_view_and_nothing_after_the_break() {
    if !have_tmux() {
        return;
    }
    let sb = Sandbox::new();
    let store = sb.path_str("demo-store");
    let tmux = Tmux::start(&sb.console_cmd(&["demo", "--dir", &store]));
    let s = tmux.wait_pulled();

    let banner = s
        .lines
        .iter()
        .find(|l| l.contains("INTEGRITY:"))
        .unwrap_or_else(|| panic!("no integrity banner:\n{s}"));
    let at = banner
        .find("INTEGRITY: content_modified")
        .unwrap_or_else(|| panic!("banner names the problem kind:\n{s}"));
    let seg = banner[at..]
        .find("segment 12")
        .map(|k| &banner[at + k + "segment 12".len()..])
        .unwrap_or_else(|| panic!("banner names segment 12:\n{s}"));
    assert!(
        !seg.starts_with(|c: char| c.is_ascii_digit()),
        "segment 12, not 12x:\n{s}"
    );
    let problems = number_before(s.line(0), " problem")
        .unwrap_or_else(|| panic!("no problem count on status line 1:\n{s}"));
    assert!(problems >= 1, "{s}");
    assert!(!s.line(0).contains("intact"), "{s}");

    // The integrity view lists seq 12 as the problem.
    tmux.keys(&["i"]);
    let s = tmux.wait("the integrity view", KEY_TIMEOUT, |s| s.has("┌ integrity"));
    let text = s.squeezed();
    assert!(
        text.contains("seq 12 content_modified"),
        "problem list:\n{s}"
    );
    assert!(text.contains("│ 12 problem ✗"), "segment list:\n{s}");
    assert!(
        text.contains(&format!("{problems} problem(s)")),
        "same count:\n{s}"
    );
    for seq in 0..12 {
        assert!(
            text.contains(&format!("│ {seq} verified ✓")),
            "seq {seq}:\n{s}"
        );
    }

    // Esc closes the view, a second Esc dismisses the banner.
    tmux.keys(&["Escape"]);
    let s = tmux.wait("the integrity view to close", KEY_TIMEOUT, |s| {
        !s.has("┌ integrity")
    });
    assert!(
        s.has("INTEGRITY: content_modified"),
        "banner went with the view:\n{s}"
    );
    tmux.keys(&["Escape"]);
    let s = tmux.wait("the banner to go", KEY_TIMEOUT, |s| !s.has("INTEGRITY:"));
    assert!(
        s.line(0).contains("problem"),
        "the count stays after dismissing:\n{s}"
    );

    // The newest event shown is from before the break.
    let newest = sb.search(&store, "*", &["--order", "newest"]);
    let newest = newest.first().expect("something was indexed");
    let seq = newest["seq"].as_u64().expect("seq");
    let pos = newest["pos"].as_u64().expect("pos");
    assert!(seq < 12, "the index holds {newest}");
    let time = &newest["time"].as_str().expect("time")[11..23];
    tmux.keys(&["G"]);
    tmux.wait("the last page", KEY_TIMEOUT, |s| {
        s.table()
            .and_then(|rows| rows.last().map(|r| r.time == time))
            .unwrap_or(false)
    });
    tmux.keys(&["Enter"]);
    let s = tmux.wait("the detail pane", KEY_TIMEOUT, |s| {
        s.has("┌ event") && s.has("(event ")
    });
    let text = s.squeezed();
    let line = text
        .lines()
        .find(|l| l.contains("│ segment ") && l.contains("(event "))
        .unwrap_or_else(|| panic!("no segment line:\n{s}"));
    let (shown_seq, shown_pos) = segment_and_event(line).unwrap_or_else(|| panic!("{line}"));
    assert!(shown_seq < 12, "last row is from segment {shown_seq}:\n{s}");
    assert_eq!((shown_seq, shown_pos), (seq, pos), "the newest event:\n{s}");
    assert!(text.contains("state verified ✓"), "{s}");
}

/// `(N, M)` from the detail pane's `segment N (event M)`.
fn segment_and_event(line: &str) -> Option<(u64, u64)> {
    let rest = line.split_once("segment ")?.1;
    let (n, rest) = rest.split_once(" (event ")?;
    let m = rest.split_once(')')?.0;
    Some((n.trim().parse().ok()?, m.trim().parse().ok()?))
}

/// Control and formatting characters an attacker could put in an audit event.
const C1_CSI: char = '\u{9b}';

fn hostile_events() -> (String, String) {
    let long_actor: String = std::iter::once("LONG-".to_string())
        .chain((0..1000).map(|i| format!("{i:04}\x1b[7m|")))
        .collect::<String>()
        .chars()
        .take(5000)
        .collect();
    let events = [
        json!({"time": "2026-11-24T09:00:00Z", "actor": long_actor,
               "action": format!("act-{}", "a".repeat(4996)),
               "resource": format!("res-{}", "r".repeat(4996)), "outcome": "success"}),
        json!({"time": "2026-11-24T09:00:01Z", "actor": "\x1b[31mred-actor\x1b[0m",
               "action": "\x1b]0;PWNED\x07", "resource": "\x1b]52;c;cHduZWQ=\x07",
               "outcome": "denied"}),
        json!({"time": "2026-11-24T09:00:02Z", "actor": "evil\rOVERWRITE",
               "action": "abc\u{202E}fed", "resource": "a\u{200B}b\u{2060}c\u{FEFF}d",
               "outcome": "success"}),
        json!({"time": "2026-11-24T09:00:03Z", "actor": format!("c1{C1_CSI}31mcsi"),
               "action": "\x1b[2J\x1b[Hcleared", "resource": "\x1bP+q\x1b\\dcs",
               "user_agent": "\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07",
               "outcome": "failure"}),
    ];
    let ndjson = events.iter().map(|e| format!("{e}\n")).collect();
    (ndjson, long_actor)
}

#[test]
fn hostile_events_never_reach_the_terminal_raw() {
    if !have_tmux() {
        return;
    }
    let sb = Sandbox::new();
    let (ndjson, long_actor) = hostile_events();
    std::fs::write(sb.path("hostile.ndjson"), ndjson).expect("writing input");
    let keys = sb.path_str("keys");
    let store = sb.path_str("store");
    sb.ts(&["keygen", "--name", "hostile.test", "--out", &keys], 0);
    let key = format!("{keys}/hostile.test.key");
    let input = sb.path_str("hostile.ndjson");
    sb.ts(
        &[
            "seal", "--store", &store, "--key", &key, "--format", "ndjson", &input,
        ],
        0,
    );

    let tmux = Tmux::start(&sb.console_cmd(&["open", &store]));
    let s = tmux.wait("all four events", PULL_TIMEOUT, |s| {
        s.line(0).contains("pulled +1 seg") && s.table().is_some_and(|r| r.len() == 4)
    });
    assert!(s.line(0).contains("│ intact │"), "{s}");
    // Regression: a window of a few seconds (113 columns of 27 ms) once drew no bars at all,
    // the histogram having one bucket fewer than columns. One event per second: four
    // full-height bars under a scale of 1.
    assert_eq!(
        number_before(s.line(2), " █"),
        Some(1),
        "histogram scale:\n{s}"
    );
    assert_eq!(s.line(2).matches('█').count(), 4, "one bar per event:\n{s}");

    let assert_clean = |s: &Screen, when: &str| {
        let text = s.text();
        for (c, name) in [
            ('\x1b', "ESC"),
            ('\x07', "BEL"),
            ('\r', "CR"),
            (C1_CSI, "C1 CSI"),
            ('\u{202E}', "RLO"),
            ('\u{200B}', "ZWSP"),
            ('\u{2060}', "WJ"),
            ('\u{FEFF}', "BOM"),
        ] {
            assert!(!text.contains(c), "raw {name} on screen {when}:\n{s}");
        }
        // Colours: the only escapes in the pane are tmux's own SGR styling.
        let styled = tmux.capture(&["-e"]);
        for seq in styled.split('\x1b').skip(1) {
            let body: String = seq
                .chars()
                .take_while(|c| !c.is_ascii_alphabetic())
                .collect();
            let end = seq.chars().nth(body.chars().count());
            assert!(
                seq.starts_with('[') && end == Some('m'),
                "non-SGR escape {:?} in the pane {when}",
                seq.chars().take(20).collect::<String>()
            );
        }
        assert!(
            !styled.contains("[31mred-actor"),
            "the event's red reached the pane"
        );
    };
    assert_clean(&s, "in the table");

    // What was written is shown as visible escapes.
    let text = s.text();
    for visible in [
        r"31mred-actor\u{1B}[0m",
        r"\u{1B}]0;PWNED",
        r"\u{1B}]52;c;cHduZWQ=\u{7}",
        r"evil\u{D}OVERWRITE",
        r"abc\u{202E}fed",
        r"a\u{200B}b\u{2060}c\u{FEFF}d",
        r"c1\u{9B}31mcsi",
        r"\u{1B}[2J\u{1B}[H",
        r"\u{1B}P+q\u{1B}\dcs",
    ] {
        assert!(text.contains(visible), "{visible} not shown:\n{s}");
    }
    let title = tmux.display("#{pane_title}");
    assert!(
        !title.contains("PWNED"),
        "an event set the pane title: {title:?}"
    );
    let buffers = tmux.run(&["list-buffers"]);
    assert!(
        buffers.is_empty(),
        "an event wrote the clipboard (OSC 52): {buffers}"
    );
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "1",
        "an event left the alternate screen"
    );
    let rows = s.rows();
    assert_eq!(rows[0].time, "09:00:00.000", "{s}");
    let sanitized = long_actor.replace('\x1b', r"\u{1B}");
    assert!(
        cell_shows(&rows[0].actor, &sanitized),
        "{:?}:\n{s}",
        rows[0]
    );
    assert!(rows[0].actor.contains('…'), "{:?} not cut:\n{s}", rows[0]);
    assert!(
        rows[0].resource.starts_with("res-rrr") && rows[0].resource.ends_with('…'),
        "{s}"
    );

    // The long actor in the detail pane: sanitized and wrapped over many lines.
    tmux.keys(&["Enter"]);
    let s = tmux.wait("the detail pane", KEY_TIMEOUT, |s| s.has("┌ event"));
    assert_clean(&s, "in the detail pane");
    // Follow the value from its `actor` line for as long as each row continues it.
    let inside = s
        .boxed("event")
        .unwrap_or_else(|| panic!("no detail box:\n{s}"));
    let first = inside
        .iter()
        .position(|l| l.trim_start().starts_with("actor"))
        .unwrap_or_else(|| panic!("no actor in the detail:\n{s}"));
    let mut shown = String::new();
    let mut wrapped = 0;
    for (k, row) in inside[first..].iter().enumerate() {
        let row = row.trim();
        let piece = if k == 0 {
            row["actor".len()..].trim_start()
        } else {
            row
        };
        if k == 0 && piece.is_empty() {
            continue; // the value starts on the next row
        }
        if piece.is_empty() || !sanitized[shown.len()..].starts_with(piece) {
            break;
        }
        shown.push_str(piece);
        wrapped += 1;
    }
    assert!(
        shown.starts_with("LONG-0000"),
        "the actor's value is not the sanitized actor:\n{s}"
    );
    assert!(
        wrapped >= 10,
        "the 5,000-char actor wraps, in order, over many rows (got {wrapped}):\n{s}"
    );
    assert!(shown.contains(r"|0010\u{1B}[7m|0011"), "{s}");

    // The last event's OSC 8 hyperlink (in a field the table has no column for).
    // (One key at a time after Esc: ESC and G read together are Alt-G.)
    tmux.keys(&["Escape"]);
    tmux.wait("the detail to close", KEY_TIMEOUT, |s| !s.has("┌ event"));
    tmux.keys(&["G", "Enter"]);
    let s = tmux.wait("the last event's detail", KEY_TIMEOUT, |s| {
        s.has("┌ event") && s.squeezed().contains(r"│ actor c1\u{9B}31mcsi")
    });
    assert_clean(&s, "in the last event's detail");
    assert!(
        s.squeezed()
            .contains(r"user_agent \u{1B}]8;;http://evil.example/\u{7}link"),
        "user agent shown escaped:\n{s}"
    );
    let title = tmux.display("#{pane_title}");
    assert!(!title.contains("PWNED"), "{title:?}");
    assert!(tmux.run(&["list-buffers"]).is_empty(), "clipboard written");
}

/// The last `n` characters of `s`.
fn last_chars(s: &str, n: usize) -> String {
    let skip = s.chars().count().saturating_sub(n);
    s.chars().skip(skip).collect()
}

#[test]
fn sigterm_gives_the_terminal_back() {
    if !have_tmux() {
        return;
    }
    let sb = Sandbox::new();
    let store = sb.path_str("demo-store");
    sb.ts(&["demo", "--clean", "--no-open", "--dir", &store], 0);
    let cmd = sb.console_cmd(&["open", &store]);
    let tmux = Tmux::start(&format!("echo BEFORE-CONSOLE; exec {cmd}"));
    let record = sb.path("pane-output");
    tmux.record(&record);
    let s = tmux.wait_pulled();
    assert!(
        s.line(0).contains("up to date") || s.line(0).contains("pulled +"),
        "{s}"
    );
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "1",
        "console on the alternate screen"
    );
    assert_eq!(
        tmux.display("#{mouse_any_flag}"),
        "1",
        "console captures the mouse"
    );

    let pid: u32 = tmux.display("#{pane_pid}").parse().expect("pane pid");
    if let Some(exe) = exe_of(pid) {
        assert_eq!(
            exe.file_name(),
            std::path::Path::new(crate::console_tmux_common::BIN).file_name(),
            "pane pid {pid} is {exe:?}, not the console"
        );
    }
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("running kill");
    assert!(kill.success(), "kill -TERM {pid}");

    tmux.wait_display("#{pane_dead}", "1", KEY_TIMEOUT);
    // Handled, not killed by the signal (that would skip the restore).
    assert_eq!(
        tmux.wait_exit(pid, KEY_TIMEOUT),
        Ok(0),
        "how the console ended"
    );
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "0",
        "alternate screen left on"
    );
    assert_eq!(
        tmux.display("#{mouse_any_flag}"),
        "0",
        "mouse capture left on"
    );
    // tmux hides the cursor of a dead pane itself, so the cursor is checked in what the console
    // wrote last: the restoring sequences after its final frame.
    let tail = crate::console_tmux_common::recorded(&record, KEY_TIMEOUT);
    for (on, off, what) in [
        ("\x1b[?1049h", "\x1b[?1049l", "alternate screen"),
        ("\x1b[?1000h", "\x1b[?1000l", "mouse capture"),
        ("\x1b[?25l", "\x1b[?25h", "hidden cursor"),
    ] {
        let last_on = tail.rfind(on);
        let last_off = tail.rfind(off);
        assert!(
            last_off.is_some() && last_on < last_off,
            "{what} not undone after the last frame; output ends {:?}",
            last_chars(&tail, 300)
        );
    }
    // The normal screen (tmux's "Pane is dead" line may have scrolled it into history).
    let normal = tmux.capture(&["-S", "-50"]);
    assert!(
        normal.contains("BEFORE-CONSOLE"),
        "not the normal screen:\n{normal}"
    );
    assert!(
        !normal.contains(" trailscope │"),
        "console still drawn:\n{normal}"
    );
    assert!(!normal.contains("? help"), "console still drawn:\n{normal}");
}

#[test]
fn demo_anomaly_then_the_trace_of_a_failing_request_and_back() {
    if !have_tmux() {
        return;
    }
    let sb = Sandbox::new();
    let store = sb.path_str("demo-store");
    let cmd = sb.console_cmd(&["demo", "--clean", "--dir", &store]);
    let tmux = Tmux::start(&format!("{cmd}; echo EXIT=$?; sleep 30"));
    let s = tmux.wait_pulled();
    assert!(
        s.has("metrics unverified"),
        "the demo's metrics are shown under the histogram:\n{s}"
    );

    // `a` jumps to the first metric anomaly; the breadcrumb and footer say which.
    tmux.keys(&["a"]);
    let s = tmux.wait("the first anomaly", KEY_TIMEOUT, |s| {
        s.line(1).contains("› ⚠ ") && s.footer().contains("anomaly 1/")
    });
    assert!(s.footer().contains("error rate from 01:49:15"), "{s}");
    // What changed just before it: the config change is in the window (headless truth).
    let change = sb.search(
        &store,
        "resource:\"configmaps/prod/payments-config\" AND action:patch",
        &[
            "--from",
            "2026-11-24T01:44:15Z",
            "--to",
            "2026-11-24T01:50:15Z",
        ],
    );
    assert_eq!(change.len(), 1, "one config change before the onset");

    // A failing charge in that window, and its trace.
    tmux.keys(&["/"]);
    tmux.type_text("action:\"payments.charge\" AND outcome:failure");
    tmux.keys(&["Enter"]);
    let s = tmux.wait("the failing charges", KEY_TIMEOUT, |s| {
        s.line(1).contains("outcome:failure") && !s.rows().is_empty()
    });
    assert!(s.rows().iter().all(|r| r.outcome == "failure"), "{s}");
    tmux.keys(&["T"]);
    let s = tmux.wait("the waterfall", KEY_TIMEOUT, |s| s.has("┌ trace "));
    let title = s
        .lines
        .iter()
        .find_map(|l| l.split("┌ trace ").nth(1).map(str::to_owned))
        .unwrap();
    let id: String = title
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(id.len(), 32, "{s}");
    assert!(title.contains("ERROR"), "{s}");
    assert!(s.has("POST /charge") && s.has("POST /checkout"), "{s}");
    // The same trace, headless.
    let tree = String::from_utf8(sb.ts(&["trace", &store, &id], 0).stdout).unwrap();
    assert!(tree.starts_with(&format!("trace {id}")), "{tree}");
    assert!(tree.contains("POST /charge"), "{tree}");

    // Enter: back to the audit events of that trace.
    tmux.keys(&["Enter"]);
    let short: String = id.chars().take(8).collect();
    let s = tmux.wait("the trace's events", KEY_TIMEOUT, |s| {
        !s.has("┌ trace ") && s.line(1).contains(&format!("trace={short}"))
    });
    let of_trace = sb.search(&store, &format!("trace_id:\"{id}\""), &[]);
    assert!(!of_trace.is_empty());
    let rows = s.rows();
    assert_eq!(rows.len(), of_trace.len(), "{s}");
    assert!(
        rows.iter().all(|r| r.action.starts_with("payments.cha")),
        "{s}"
    );

    // Backspace: back to the failing charges.
    tmux.keys(&["BSpace"]);
    let s = tmux.wait("back to the search", KEY_TIMEOUT, |s| {
        !s.line(1).contains("trace=") && s.line(1).contains("outcome:failure")
    });
    assert!(s.rows().iter().all(|r| r.outcome == "failure"), "{s}");
    tmux.keys(&["q"]);
    let s = tmux.wait("the console to exit", KEY_TIMEOUT, |s| s.has("EXIT="));
    assert!(s.has("EXIT=0"), "{s}");
}

/// `n` NDJSON events from `start_s` seconds after 09:00, actor `who`.
fn batch(who: &str, start_s: u32, n: u32) -> String {
    (0..n)
        .map(|i| {
            let s = start_s + i;
            format!(
                "{}\n",
                json!({"time": format!("2026-11-24T09:{:02}:{:02}Z", s / 60, s % 60),
                       "actor": who, "action": "get", "resource": format!("item-{s}"),
                       "outcome": "success"})
            )
        })
        .collect()
}

#[test]
fn follow_shows_newly_sealed_events_live_and_counts_them_when_away() {
    if !have_tmux() {
        return;
    }
    let sb = Sandbox::new();
    let keys = sb.path_str("keys");
    let store = sb.path_str("store");
    sb.ts(&["keygen", "--name", "live.test", "--out", &keys], 0);
    let key = format!("{keys}/live.test.key");
    let seal = |name: &str, text: String| {
        std::fs::write(sb.path(name), text).expect("writing input");
        let input = sb.path_str(name);
        sb.ts(
            &[
                "seal", "--store", &store, "--key", &key, "--format", "ndjson", &input,
            ],
            0,
        );
    };
    seal("one.ndjson", batch("first-batch", 0, 5));
    let tmux = Tmux::start(&sb.console_cmd(&["open", &store, "--follow", "--interval", "300ms"]));
    let s = tmux.wait("the first batch", PULL_TIMEOUT, |s| {
        number_before(s.line(1), " events") == Some(5) && s.has("● live")
    });
    assert!(s.rows().iter().all(|r| r.actor == "first-batch"), "{s}");

    // Sealed while the console is open: verified and shown without a key press.
    seal("two.ndjson", batch("second-batch", 60, 4));
    let s = tmux.wait("the second batch, live", PULL_TIMEOUT, |s| {
        number_before(s.line(1), " events") == Some(9) && s.has("second-batch")
    });
    assert!(s.has("● live"), "{s}");
    assert_eq!(
        sb.search(&store, "actor:\"second-batch\"", &[]).len(),
        4,
        "the CLI sees what the console shows"
    );

    // Away from the live edge (zoomed in), new events are counted, not jumped to.
    tmux.keys(&["g", "+"]);
    tmux.wait("zoomed in", KEY_TIMEOUT, |s| s.has("live (F follows)"));
    seal("three.ndjson", batch("third-batch", 120, 3));
    let s = tmux.wait("the new-events marker", PULL_TIMEOUT, |s| {
        s.has("+3 new (F follows)")
    });
    assert!(!s.has("third-batch"), "the view did not move:\n{s}");
    tmux.keys(&["F"]);
    let s = tmux.wait("back to the live edge", KEY_TIMEOUT, |s| {
        s.has("● live") && s.has("third-batch") && number_before(s.line(1), " events") == Some(12)
    });
    assert!(!s.has("new (F follows)"), "{s}");
    tmux.keys(&["q"]);
}
