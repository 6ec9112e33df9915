//! The detail overlay: every canonical field, the proof, and the original record
//! pretty-printed (long values wrap, nothing is cut; everything sanitized).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::{fit, full_time};
use super::popup::{self, Size};
use super::wrap::wrap;
use super::{Ctx, outcome_role};
use crate::query::Hit;
use crate::segment::keys::short_key;
use crate::text::sanitize;
use crate::tui::state::App;
use crate::tui::theme::Role;

/// A `name value` line; `w == 0` keeps the whole value (the detail overlay wraps it).
fn field(name: &str, value: &str, role: Role, w: usize, ctx: &Ctx) -> Line<'static> {
    let value = if w == 0 {
        sanitize(value).into_owned()
    } else {
        fit(value, w.saturating_sub(13))
    };
    Line::from(vec![
        Span::styled(format!(" {name:<11}"), ctx.theme.style(Role::Muted)),
        Span::styled(value, ctx.theme.style(role)),
    ])
}

/// Like [`field`], but a cut keeps the end (actors end with what tells them apart).
fn field_end(name: &str, value: &str, w: usize, ctx: &Ctx) -> Line<'static> {
    if w == 0 {
        return field(name, value, Role::Text, 0, ctx);
    }
    Line::from(vec![
        Span::styled(format!(" {name:<11}"), ctx.theme.style(Role::Muted)),
        Span::styled(
            super::fit::fit_left(value, w.saturating_sub(13)),
            ctx.theme.style(Role::Text),
        ),
    ])
}

/// The canonical fields of `hit`, one per line, cut to `w` columns (0: not cut).
pub fn event_lines(hit: &Hit, w: usize, ctx: &Ctx) -> Vec<Line<'static>> {
    let mut v = vec![
        field("time", &full_time(hit.time_ns), Role::Text, w, ctx),
        field("", &hit.time, Role::Muted, w, ctx),
        field_end("actor", &hit.actor, w, ctx),
        field("action", &hit.action, Role::Text, w, ctx),
        field("resource", &hit.resource, Role::Text, w, ctx),
        field("outcome", &hit.outcome, outcome_role(&hit.outcome), w, ctx),
    ];
    for (name, value) in [
        ("source_ip", &hit.source_ip),
        ("user_agent", &hit.user_agent),
        ("trace_id", &hit.trace_id),
        ("span_id", &hit.span_id),
        ("request_id", &hit.request_id),
    ] {
        if let Some(value) = value {
            v.push(field(name, value, Role::Text, w, ctx));
        }
    }
    v
}

/// Where `hit` sits in the chain and what vouches for it.
pub fn proof_lines(
    app: &App,
    hit: &Hit,
    chain_hash: Option<&str>,
    w: usize,
    ctx: &Ctx,
) -> Vec<Line<'static>> {
    let mut v = vec![field(
        "segment",
        &format!("{} (event {})", hit.seq, hit.pos),
        Role::Text,
        w,
        ctx,
    )];
    if let Some(h) = chain_hash {
        v.push(field("chain hash", h, Role::Muted, w, ctx));
    }
    if hit.verified {
        let covered = app.head.as_ref().map_or(0, |h| h.covered);
        let cp = app.report.as_ref().and_then(|r| r.checkpoint.as_ref());
        v.push(field("state", "verified ✓", Role::Verified, w, ctx));
        let by = match cp {
            Some(c) => format!(
                "checkpoint of {} segments, {}, signed by {}",
                c.size,
                c.time,
                short_key(&c.signer)
            ),
            None => format!(
                "signed checkpoint covering segments 0–{}",
                covered.saturating_sub(1)
            ),
        };
        v.push(field("covered by", &by, Role::Text, w, ctx));
    } else {
        v.push(field("state", "unsigned tail", Role::Unsigned, w, ctx));
        v.push(field(
            "",
            "chained to the verified head; no signed checkpoint covers it yet",
            Role::Muted,
            w,
            ctx,
        ));
    }
    v
}

/// The overlay's size.
pub const SIZE: Size = Size {
    pct: (90, 90),
    min: (60, 16),
};

/// The overlay's text, unwrapped: fields, proof, the original record.
pub fn lines(app: &App, ctx: &Ctx) -> Vec<Line<'static>> {
    let t = ctx.theme;
    // Nothing is cut here: long values wrap.
    let w = 0;
    let Some(hit) = app.selected() else {
        return vec![Line::raw(" no event selected")];
    };
    // The record and chain hash only of the event on screen (the selection can change under
    // the overlay when a pull refreshes the table).
    let detail = app.detail.as_ref().filter(|d| match d {
        Ok(d) => d.key == (hit.seq, hit.pos),
        Err(_) => true,
    });
    let chain_hash = detail
        .and_then(|d| d.as_ref().ok())
        .map(|d| d.chain_hash.as_str());
    let mut lines = event_lines(hit, w, ctx);
    lines.push(Line::raw(""));
    lines.push(Line::styled(" proof", t.style(Role::Title)));
    lines.extend(proof_lines(app, hit, chain_hash, w, ctx));
    lines.push(Line::raw(""));
    lines.push(Line::styled(" original record", t.style(Role::Title)));
    match detail {
        None => lines.push(Line::styled(" loading…", t.style(Role::Muted))),
        Some(Err(e)) => lines.push(Line::styled(
            format!(" {}", sanitize(e)),
            t.style(Role::Alert),
        )),
        Some(Ok(d)) => {
            if d.revealed {
                lines.push(Line::styled(
                    " revealed: masked values are shown (R masks them again)",
                    t.style(Role::Alert),
                ));
            } else if d.masked > 0 {
                lines.push(Line::styled(
                    format!(
                        " {} value{} masked (R reveals)",
                        d.masked,
                        if d.masked == 1 { "" } else { "s" }
                    ),
                    t.style(Role::Muted),
                ));
            }
            let pretty = serde_json::to_string_pretty(&d.record).unwrap_or_default();
            for l in pretty.lines() {
                lines.push(Line::raw(format!(" {}", sanitize(l))));
            }
        }
    }
    lines
}

/// Draws the overlay for the selected event.
pub fn draw(f: &mut Frame, area: Rect, app: &App, scroll: usize, ctx: &Ctx) {
    let inner = popup::open(
        f,
        area,
        SIZE,
        "event",
        "j/k scroll · y copy · Esc close",
        ctx,
    );
    let lines = wrap(lines(app, ctx), inner.width as usize);
    let scroll = scroll.min(lines.len().saturating_sub(inner.height as usize));
    f.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), inner);
}
