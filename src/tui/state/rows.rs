//! The event table: a page of events around the cursor, extended a page at a time as the
//! selection reaches either end.

use crate::query::Hit;

/// Rows asked for per request.
pub const PAGE: usize = 200;

/// The loaded rows and the selection.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    /// Events in time order (oldest first).
    pub hits: Vec<Hit>,
    /// Index of the selected row.
    pub selected: usize,
    /// First row on screen.
    pub scroll: usize,
    /// Whether events after the last row may exist in the window.
    pub more_after: bool,
    /// Whether events before the first row may exist in the window.
    pub more_before: bool,
    /// A page request is in flight.
    pub loading: bool,
    /// Why the last request failed.
    pub error: Option<String>,
    /// The page in flight was asked newest first (`G`).
    pub from_end: bool,
    /// Rows to move up once the previous page arrives (a move up from the first row).
    pub pending_up: usize,
    /// The event (seq, pos) to select when the next replacing page arrives.
    pub want: Option<(u64, u64)>,
}

fn key(h: &Hit) -> (i64, u64, u64) {
    (h.time_ns, h.seq, h.pos)
}

impl Rows {
    /// The selected event.
    pub fn selected_hit(&self) -> Option<&Hit> {
        self.hits.get(self.selected)
    }

    /// Replaces the rows with `hits` (oldest first), selecting `select` (clamped).
    pub fn replace(&mut self, hits: Vec<Hit>, select: usize, more_before: bool, more_after: bool) {
        self.hits = hits;
        let wanted = self
            .want
            .take()
            .and_then(|(seq, pos)| self.hits.iter().position(|h| h.seq == seq && h.pos == pos));
        self.selected = wanted
            .unwrap_or(select)
            .min(self.hits.len().saturating_sub(1));
        self.scroll = 0;
        self.pending_up = 0;
        self.more_before = more_before;
        self.more_after = more_after;
        self.loading = false;
        self.error = None;
    }

    /// Adds later events (oldest first), skipping those already loaded; `full` says the page
    /// was full (so more may follow). Returns how many rows were added.
    pub fn append(&mut self, hits: Vec<Hit>, full: bool) -> usize {
        let last = self.hits.last().map(key);
        let before = self.hits.len();
        for h in hits {
            if last.is_some_and(|l| key(&h) <= l) {
                continue;
            }
            self.hits.push(h);
        }
        let added = self.hits.len() - before;
        self.more_after = full && added > 0;
        self.loading = false;
        added
    }

    /// Adds earlier events (given newest first, as asked), skipping those already loaded;
    /// keeps the same event selected. Returns how many rows were added.
    pub fn prepend(&mut self, hits: Vec<Hit>, full: bool) -> usize {
        let first = self.hits.first().map(key);
        let mut fresh: Vec<Hit> = hits
            .into_iter()
            .filter(|h| first.is_none_or(|f| key(h) < f))
            .collect();
        fresh.reverse();
        let added = fresh.len();
        fresh.append(&mut self.hits);
        self.hits = fresh;
        self.selected += added;
        self.scroll += added;
        self.more_before = full && added > 0;
        self.loading = false;
        let up = std::mem::take(&mut self.pending_up);
        self.selected = self.selected.saturating_sub(up);
        added
    }

    /// Moves the selection by `d` rows within what is loaded; keeps it visible in a table of
    /// `height` rows.
    pub fn move_by(&mut self, d: isize, height: usize) {
        if self.hits.is_empty() {
            return;
        }
        let max = self.hits.len() as isize - 1;
        self.selected = (self.selected as isize + d).clamp(0, max) as usize;
        self.keep_visible(height);
    }

    /// Adjusts `scroll` so the selected row is on screen.
    pub fn keep_visible(&mut self, height: usize) {
        let h = height.max(1);
        if self.selected < self.scroll {
            self.scroll = self.selected;
        } else if self.selected >= self.scroll + h {
            self.scroll = self.selected + 1 - h;
        }
        let max_scroll = self.hits.len().saturating_sub(h);
        self.scroll = self.scroll.min(max_scroll).min(self.selected);
    }

    /// Whether the selection is close enough to the end to ask for the next page.
    pub fn wants_next(&self, height: usize) -> bool {
        self.more_after && !self.loading && self.selected + height >= self.hits.len()
    }

    /// Whether the selection is at the top with earlier events left to load.
    pub fn wants_previous(&self) -> bool {
        self.more_before && !self.loading && self.selected == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn hit(t: i64, pos: u64) -> Hit {
        Hit {
            time: String::new(),
            time_ns: t,
            seq: 0,
            pos,
            verified: true,
            actor: String::new(),
            action: String::new(),
            resource: String::new(),
            outcome: "success".into(),
            source_ip: None,
            user_agent: None,
            trace_id: None,
            span_id: None,
            request_id: None,
            record: None,
            offset: 0,
        }
    }

    #[test]
    fn pages_join_without_duplicates_and_selection_stays_on_its_event() {
        let mut r = Rows::default();
        r.replace(
            (0..5).map(|i| hit(10 + i, i as u64)).collect(),
            0,
            true,
            true,
        );
        // The next page starts at the last row's time, so it repeats it.
        assert_eq!(r.append(vec![hit(14, 4), hit(15, 5), hit(16, 6)], true), 2);
        assert_eq!(r.hits.len(), 7);
        assert!(r.more_after);
        assert_eq!(r.append(vec![hit(16, 6)], true), 0);
        assert!(!r.more_after);
        r.selected = 0;
        assert!(r.wants_previous());
        assert_eq!(r.prepend(vec![hit(10, 0), hit(9, 9), hit(8, 8)], false), 2);
        assert_eq!(r.hits[0].time_ns, 8);
        assert_eq!(r.selected, 2);
        assert_eq!(r.selected_hit().unwrap().time_ns, 10);
        assert!(!r.more_before);
    }

    #[test]
    fn selection_is_clamped_and_kept_visible() {
        let mut r = Rows::default();
        r.move_by(5, 3); // empty: nothing happens
        assert_eq!(r.selected, 0);
        r.replace((0..10).map(|i| hit(i, i as u64)).collect(), 0, false, false);
        r.move_by(4, 3);
        assert_eq!((r.selected, r.scroll), (4, 2));
        r.move_by(100, 3);
        assert_eq!((r.selected, r.scroll), (9, 7));
        r.move_by(-100, 3);
        assert_eq!((r.selected, r.scroll), (0, 0));
        assert!(!r.wants_next(3));
    }
}
