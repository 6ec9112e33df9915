//! Drawing: a pure function from the state to a frame. Nothing here changes the state or
//! does I/O; every string that came from the store goes through [`fit`] (sanitized, cut).

pub mod fit;
pub mod layout;

mod alerts;
mod bookmarks;
mod detail;
mod facets;
mod footer;
mod help;
mod integrity;
mod metrics;
mod pivot;
mod popup;
mod saved;
mod side;
mod status;
mod table;
mod timeline;
mod waterfall;
mod wrap;

use ratatui::Frame;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::keymap::Keymap;
use super::state::{App, Overlay};
use super::theme::{Role, Theme};

/// What drawing needs besides the state.
pub struct Ctx<'a> {
    /// Colours.
    pub theme: &'a Theme,
    /// Keys (for hints and help).
    pub keymap: &'a Keymap,
}

/// Smallest terminal the console draws in (columns, rows); below it a notice asks for more.
pub const MIN_SIZE: (u16, u16) = (50, 14);

/// Draws the whole screen.
pub fn draw(f: &mut Frame, app: &App, ctx: &Ctx) {
    let area = f.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let text = format!(
            "terminal too small: {}×{}, need {}×{} (q quits)",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        );
        f.render_widget(
            Paragraph::new(text)
                .wrap(ratatui::widgets::Wrap { trim: true })
                .style(ctx.theme.style(Role::Alert)),
            area,
        );
        return;
    }
    let a = layout::areas(app);
    status::draw(f, a.status, app, ctx);
    if let (Some(r), Some(text)) = (a.banner, app.banner.as_ref()) {
        let style = ctx
            .theme
            .style(Role::BannerFg)
            .bg(ctx.theme.color(Role::Tampered))
            .add_modifier(Modifier::BOLD);
        let line = Line::from(fit::pad(&format!(" ⚠ {text}"), r.width as usize));
        f.render_widget(Paragraph::new(line).style(style), r);
    }
    if let Some(r) = a.alert {
        alerts::draw_banner(f, r, app, ctx);
    }
    timeline::draw(f, &a, app, ctx);
    if let Some(r) = a.metrics {
        metrics::draw(f, r, app, ctx);
    }
    table::draw(f, a.table, app, ctx);
    if let Some(r) = a.side {
        side::draw(f, r, app, ctx);
    }
    footer::draw(f, a.footer, app, ctx);
    match &app.overlay {
        Overlay::None | Overlay::Search { .. } | Overlay::Jump { .. } | Overlay::Command { .. } => {
        }
        Overlay::Help { scroll } => help::draw(f, area, *scroll, ctx),
        Overlay::Detail { scroll } => detail::draw(f, area, app, *scroll, ctx),
        Overlay::Facets { field, value } => facets::draw(f, area, app, *field, *value, ctx),
        Overlay::Integrity { scroll } => integrity::draw(f, area, app, *scroll, ctx),
        Overlay::Pivot { choice } => pivot::draw(f, area, app, *choice, ctx),
        Overlay::Waterfall { selected } => waterfall::draw(f, area, app, *selected, ctx),
        Overlay::Bookmarks { selected } => bookmarks::draw(f, area, app, *selected, ctx),
        Overlay::Export { choice } => bookmarks::draw_export(f, area, app, *choice, ctx),
        Overlay::Alerts { selected } => alerts::draw_list(f, area, app, *selected, ctx),
        Overlay::Saved { selected } => saved::draw(f, area, app, *selected, ctx),
        Overlay::Note { .. } => {}
    }
}

/// For a scrollable overlay: the rows its content takes once wrapped at the current size, and
/// the rows it shows. `update` uses it to keep the scroll position within the content.
pub fn overlay_rows(app: &App) -> Option<(usize, usize)> {
    let theme = Theme::default();
    let keymap = Keymap::default();
    let ctx = Ctx {
        theme: &theme,
        keymap: &keymap,
    };
    let screen = ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1);
    let (lines, size) = match &app.overlay {
        Overlay::Help { .. } => (help::lines(&ctx), help::SIZE),
        Overlay::Detail { .. } => (detail::lines(app, &ctx), detail::SIZE),
        Overlay::Integrity { .. } => (integrity::lines(app, &ctx), integrity::SIZE),
        _ => return None,
    };
    let inner = popup::inner(screen, size);
    Some((
        wrap::wrap(lines, inner.width as usize).len(),
        inner.height as usize,
    ))
}

/// The theme role for an outcome.
pub fn outcome_role(outcome: &str) -> Role {
    match outcome {
        "success" => Role::Success,
        "failure" => Role::Failure,
        "denied" => Role::Denied,
        _ => Role::Muted,
    }
}

/// Spinner frames.
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// The spinner's current frame, or a space when nothing is in flight.
pub fn spinner(app: &App) -> char {
    if app.pending > 0 {
        SPINNER[(app.tick % SPINNER.len() as u64) as usize]
    } else {
        ' '
    }
}
