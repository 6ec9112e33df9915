//! A bordered box in the middle of the screen, over whatever is under it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear};

use super::Ctx;
use crate::tui::theme::Role;

/// How big a popup is: percent of the screen, and a minimum, per axis.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    /// Percent of the screen's width and height.
    pub pct: (u16, u16),
    /// Smallest width and height.
    pub min: (u16, u16),
}

/// The box of `size` centred in `area`.
pub fn rect(area: Rect, size: Size) -> Rect {
    let w = (area.width * size.pct.0 / 100)
        .max(size.min.0)
        .min(area.width);
    let h = (area.height * size.pct.1 / 100)
        .max(size.min.1)
        .min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The inside of the box (inside its border).
pub fn inner(area: Rect, size: Size) -> Rect {
    let r = rect(area, size);
    Rect::new(
        r.x + 1,
        r.y + 1,
        r.width.saturating_sub(2),
        r.height.saturating_sub(2),
    )
}

/// Clears the box of `size` in `area`, draws its border with `title` and `hint`, and returns
/// the inside.
pub fn open(f: &mut Frame, area: Rect, size: Size, title: &str, hint: &str, ctx: &Ctx) -> Rect {
    let r = rect(area, size);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(ctx.theme.style(Role::Border))
        .title(format!(" {title} "))
        .title_style(ctx.theme.style(Role::Title))
        .title_bottom(format!(" {hint} "));
    let inner = block.inner(r);
    f.render_widget(block, r);
    inner
}

/// The size of every list overlay (bookmarks, alerts, saved queries).
pub const LIST: Size = Size {
    pct: (90, 70),
    min: (50, 8),
};

/// Opens a list overlay. With no rows (`empty` is the message saying why and what to do) the
/// message is drawn muted and None returned; else the inside and the index of the first row
/// that keeps row `selected` on screen.
pub fn open_list(
    f: &mut Frame,
    area: Rect,
    title: &str,
    hint: &str,
    empty: Option<&str>,
    selected: usize,
    ctx: &Ctx,
) -> Option<(Rect, usize)> {
    let inner = open(f, area, LIST, title, hint, ctx);
    if let Some(msg) = empty {
        let line = ratatui::text::Line::styled(
            super::fit::fit(msg, inner.width as usize),
            ctx.theme.style(Role::Muted),
        );
        f.render_widget(ratatui::widgets::Paragraph::new(line), inner);
        return None;
    }
    let first = selected.saturating_sub((inner.height as usize).saturating_sub(1));
    Some((inner, first))
}
