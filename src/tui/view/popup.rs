//! A bordered box in the middle of the screen, over whatever is under it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear};

use super::Ctx;
use crate::tui::theme::Role;

/// Clears a centred box of `pct_w` × `pct_h` percent of `area` (at least `min_w` × `min_h`),
/// draws its border with `title` and `hint`, and returns the inside.
pub fn open(
    f: &mut Frame,
    area: Rect,
    (pct_w, pct_h): (u16, u16),
    (min_w, min_h): (u16, u16),
    title: &str,
    hint: &str,
    ctx: &Ctx,
) -> Rect {
    let w = (area.width * pct_w / 100).max(min_w).min(area.width);
    let h = (area.height * pct_h / 100).max(min_h).min(area.height);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
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
