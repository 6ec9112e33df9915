//! Actions while an overlay (help, detail, facets, integrity, pivot picker) is open.

use super::nav::{pivot_choices, push_query, term_query};
use super::{Effect, ask, window_filter};
use crate::tui::action::Action;
use crate::tui::state::{App, Overlay};
use crate::tui::worker::{FACET_FIELDS, Request};

/// Lines a page key scrolls an overlay by.
const OVERLAY_PAGE: usize = 10;

/// Opens the facets panel and asks for its values.
pub(crate) fn open_facets(app: &mut App, out: &mut Vec<Effect>) {
    app.overlay = Overlay::Facets { field: 0, value: 0 };
    if app.facets.is_none() {
        request_facets(app, out);
    }
}

/// Asks for the facets of the window and query.
pub(crate) fn request_facets(app: &mut App, out: &mut Vec<Effect>) {
    app.generations.facets += 1;
    let r = Request::Facets {
        generation: app.generations.facets,
        filter: window_filter(app),
    };
    ask(app, out, r);
}

/// Opens the selected event's detail and asks for its record and proof.
pub(crate) fn open_detail(app: &mut App, out: &mut Vec<Effect>) {
    if app.selected().is_none() {
        return;
    }
    app.overlay = Overlay::Detail { scroll: 0 };
    request_detail(app, out);
}

/// Asks (again) for the selected event's record and proof.
pub(crate) fn request_detail(app: &mut App, out: &mut Vec<Effect>) {
    let Some(hit) = app.selected().cloned() else {
        return;
    };
    app.detail = None;
    app.generations.detail += 1;
    let reveal = app.is_revealed(&hit);
    let r = Request::Detail {
        generation: app.generations.detail,
        hit,
        reveal,
    };
    ask(app, out, r);
}

/// Scrolls within `0..=max` (a list overlay's move keys; other actions leave `pos`).
pub(crate) fn scroll(pos: &mut usize, action: Action, max: usize) {
    *pos = match action {
        Action::Down => pos.saturating_add(1),
        Action::Up => pos.saturating_sub(1),
        Action::PageDown => pos.saturating_add(OVERLAY_PAGE),
        Action::PageUp => pos.saturating_sub(OVERLAY_PAGE),
        Action::First => 0,
        Action::Last => max,
        _ => *pos,
    }
    .min(max);
}

/// An action while an overlay is open.
pub(crate) fn on_action(app: &mut App, action: Action, out: &mut Vec<Effect>) {
    if action == Action::Close {
        app.overlay = Overlay::None;
        return;
    }
    // The same key closes the overlay it opened.
    let toggles = matches!(
        (&app.overlay, action),
        (Overlay::Help { .. }, Action::Help)
            | (Overlay::Facets { .. }, Action::Facets)
            | (Overlay::Integrity { .. }, Action::Integrity)
            | (Overlay::Pivot { .. }, Action::Pivot)
    );
    if toggles {
        app.overlay = Overlay::None;
        return;
    }
    if let Overlay::Waterfall { selected } = app.overlay {
        super::correlation::on_waterfall(app, action, selected, out);
        return;
    }
    if let Overlay::Bookmarks { selected } = app.overlay {
        super::notes::on_list(app, action, selected, out);
        return;
    }
    if let Overlay::Export { choice } = app.overlay {
        super::notes::on_export_menu(app, action, choice, out);
        return;
    }
    if let Overlay::Alerts { selected } = app.overlay {
        super::alerts::on_list(app, action, selected, out);
        return;
    }
    if let Overlay::Saved { selected } = app.overlay {
        super::saved::on_picker(app, action, selected, out);
        return;
    }
    // In the detail overlay, the event's own actions still work.
    if matches!(app.overlay, Overlay::Detail { .. })
        && matches!(action, Action::Reveal | Action::Bookmark | Action::Note)
    {
        super::notes::on_action(app, action, out);
        return;
    }
    if action == Action::Copy {
        if let Some(hit) = app.selected().cloned() {
            let reveal = app.is_revealed(&hit);
            ask(app, out, Request::Copy { hit, reveal });
        }
        return;
    }
    let pivot_n = app.selected().map_or(0, |h| pivot_choices(h).len());
    let facet_n = |facets: &Option<Result<Vec<crate::query::Facets>, String>>, f: usize| {
        facets
            .as_ref()
            .and_then(|r| r.as_ref().ok())
            .and_then(|v| v.get(f))
            .map_or(0, |f| f.values.len())
    };
    let facets_now = app.facets.clone();
    let max_scroll =
        crate::tui::view::overlay_rows(app).map_or(0, |(rows, shown)| rows.saturating_sub(shown));
    match &mut app.overlay {
        Overlay::None
        | Overlay::Search { .. }
        | Overlay::Jump { .. }
        | Overlay::Waterfall { .. }
        | Overlay::Bookmarks { .. }
        | Overlay::Note { .. }
        | Overlay::Export { .. }
        | Overlay::Alerts { .. }
        | Overlay::Saved { .. }
        | Overlay::Command { .. } => {}
        Overlay::Help { scroll: s }
        | Overlay::Detail { scroll: s }
        | Overlay::Integrity { scroll: s } => scroll(s, action, max_scroll),
        Overlay::Pivot { choice } => {
            let n = pivot_n;
            match action {
                Action::Down => *choice = (*choice + 1).min(n.saturating_sub(1)),
                Action::Up => *choice = choice.saturating_sub(1),
                Action::First => *choice = 0,
                Action::Last => *choice = n.saturating_sub(1),
                Action::Select => {
                    let c = *choice;
                    app.overlay = Overlay::None;
                    let Some(hit) = app.selected().cloned() else {
                        return;
                    };
                    if let Some((field, value)) = pivot_choices(&hit).into_iter().nth(c) {
                        let label = format!("{field}={value}");
                        push_query(app, label, term_query(field, &value), true, Some(&hit), out);
                    }
                }
                _ => {}
            }
        }
        Overlay::Facets { field, value } => {
            let n = facet_n(&facets_now, *field);
            match action {
                Action::CursorRight | Action::PanRight => {
                    *field = (*field + 1) % FACET_FIELDS.len();
                    *value = 0;
                }
                Action::CursorLeft | Action::PanLeft => {
                    *field = (*field + FACET_FIELDS.len() - 1) % FACET_FIELDS.len();
                    *value = 0;
                }
                Action::Down => *value = (*value + 1).min(n.saturating_sub(1)),
                Action::Up => *value = value.saturating_sub(1),
                Action::PageDown => *value = (*value + OVERLAY_PAGE).min(n.saturating_sub(1)),
                Action::PageUp => *value = value.saturating_sub(OVERLAY_PAGE),
                Action::First => *value = 0,
                Action::Last => *value = n.saturating_sub(1),
                Action::Select | Action::Pivot => {
                    let (f, v) = (*field, *value);
                    let chosen = facets_now
                        .as_ref()
                        .and_then(|r| r.as_ref().ok())
                        .and_then(|all| all.get(f))
                        .and_then(|fc| {
                            fc.values
                                .get(v)
                                .map(|x| (fc.field.clone(), x.value.clone()))
                        });
                    if let Some((fname, fvalue)) = chosen {
                        app.overlay = Overlay::None;
                        let label = format!("{fname}={fvalue}");
                        push_query(app, label, term_query(&fname, &fvalue), false, None, out);
                    }
                }
                _ => {}
            }
        }
    }
}
