//! The integrity view: the verified head, the checkpoint, every problem with its seq, kind
//! and detail, and each segment's state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::fit::fit;
use super::popup::{self, Size};
use super::wrap::wrap;
use crate::text::sanitize;
use crate::tui::state::App;
use crate::tui::theme::Role;
use crate::verify::SegmentState;

fn kv(k: &str, v: String, role: Role, ctx: &Ctx) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {k:<12}"), ctx.theme.style(Role::Muted)),
        Span::styled(v, ctx.theme.style(role)),
    ])
}

/// The view's size.
pub const SIZE: Size = Size {
    pct: (90, 90),
    min: (60, 16),
};

/// The view's text, unwrapped.
pub fn lines(app: &App, ctx: &Ctx) -> Vec<Line<'static>> {
    let t = ctx.theme;
    let mut lines: Vec<Line<'static>> = vec![kv(
        "store",
        sanitize(&app.store).into_owned(),
        Role::Text,
        ctx,
    )];
    if let Some(h) = &app.head {
        lines.push(kv(
            "indexed",
            format!(
                "segments 0–{} ({} events); signed checkpoints cover 0–{}",
                h.segments.saturating_sub(1),
                h.events,
                h.covered.saturating_sub(1)
            ),
            Role::Text,
            ctx,
        ));
    }
    let Some(r) = &app.report else {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            " verifying the store now (background pull); shown so far: what earlier pulls verified",
            t.style(Role::Muted),
        ));
        return lines;
    };
    if let Some(h) = &r.head {
        lines.push(kv(
            "store head",
            format!("segment {} {}", h.seq, sanitize(&h.hash)),
            Role::Text,
            ctx,
        ));
    }
    if let Some(c) = &r.checkpoint {
        lines.push(kv(
            "checkpoint",
            sanitize(&format!(
                "{} segments, {}, signed by {} ({})",
                c.size, c.time, c.signer, c.file
            ))
            .into_owned(),
            Role::Verified,
            ctx,
        ));
    }
    lines.push(kv(
        "segments",
        format!(
            "{} in the store: {} verified, {} unsigned tail",
            r.segments, r.verified_segments, r.unsigned_segments
        ),
        Role::Text,
        ctx,
    ));
    lines.push(Line::raw(""));
    let errors: Vec<_> = r.problems.iter().collect();
    // Warnings (e.g. a stale head) are listed too; the status bar counts errors only.
    if errors.is_empty() {
        lines.push(Line::styled(
            " no problems: the chain is intact",
            t.style(Role::Verified),
        ));
    } else {
        lines.push(Line::styled(
            format!(" {} problem(s)", errors.len()),
            t.style(Role::Tampered),
        ));
        for p in errors {
            let seq = p.seq.map_or("-".to_string(), |s| s.to_string());
            lines.push(Line::from(vec![
                Span::styled(format!(" seq {seq:>6}  "), t.style(Role::Tampered)),
                Span::styled(format!("{:<20} ", p.kind.as_str()), t.style(Role::Tampered)),
                Span::raw(sanitize(&p.detail).into_owned()),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "    seq  state          events  chain hash",
        t.style(Role::Title),
    ));
    for s in &r.states {
        let (label, role) = match s.state {
            SegmentState::Verified => ("verified ✓", Role::Verified),
            SegmentState::UnsignedTail => ("unsigned tail", Role::Unsigned),
            SegmentState::Problem => ("problem ✗", Role::Tampered),
            SegmentState::AfterBreak => ("after a break", Role::Tampered),
        };
        lines.push(Line::from(vec![
            Span::raw(format!(" {:>6}  ", s.seq)),
            Span::styled(format!("{label:<13}"), t.style(role)),
            Span::raw(format!(" {:>7}  ", s.events)),
            Span::styled(
                fit(s.hash.as_deref().unwrap_or("-"), 16),
                t.style(Role::Muted),
            ),
        ]));
    }
    lines
}

/// Draws the view.
pub fn draw(f: &mut Frame, area: Rect, app: &App, scroll: usize, ctx: &Ctx) {
    let inner = popup::open(f, area, SIZE, "integrity", "j/k scroll · Esc close", ctx);
    let lines = wrap(lines(app, ctx), inner.width as usize);
    let scroll = scroll.min(lines.len().saturating_sub(inner.height as usize));
    f.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), inner);
}
