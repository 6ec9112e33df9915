//! The alerts of the session: what the background pull raised during live follow (alert rules
//! on newly attested events, integrity problems), kept newest last up to [`MAX_ALERTS`], with
//! what the banner and the bell need.

use std::collections::VecDeque;

use crate::alert::Alert;

/// Alerts kept for the session; older ones are dropped (and counted) beyond it, so a rule
/// that matches everything cannot grow the console without bound.
pub const MAX_ALERTS: usize = 1000;

/// The session's alerts.
#[derive(Clone, Debug)]
pub struct Alerts {
    /// Oldest first, at most [`MAX_ALERTS`].
    pub items: VecDeque<Alert>,
    /// Alerts dropped to stay within [`MAX_ALERTS`].
    pub dropped: u64,
    /// Alerts raised since the list was last opened.
    pub unseen: u64,
    /// Whether the alert banner shows (until Esc, or until the list is opened).
    pub banner: bool,
    /// Whether an alert rings the terminal bell (the config's `bell`, on by default).
    pub bell: bool,
    /// Bells asked for so far: the event loop writes BEL to the terminal when this grows
    /// (the write is I/O, so it is the loop's, never `update`'s).
    pub bells: u64,
}

impl Default for Alerts {
    fn default() -> Self {
        Alerts {
            items: VecDeque::new(),
            dropped: 0,
            unseen: 0,
            banner: false,
            bell: true,
            bells: 0,
        }
    }
}

impl Alerts {
    /// Adds `new` (oldest first), dropping the oldest beyond [`MAX_ALERTS`].
    pub fn push(&mut self, new: Vec<Alert>) {
        for a in new {
            if self.items.len() == MAX_ALERTS {
                self.items.pop_front();
                self.dropped += 1;
            }
            self.items.push_back(a);
        }
    }

    /// How many alerts are kept.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The `i`-th newest alert (0 = the newest), as the list shows them.
    pub fn nth_newest(&self, i: usize) -> Option<&Alert> {
        self.items
            .len()
            .checked_sub(i + 1)
            .and_then(|at| self.items.get(at))
    }

    /// The newest alert.
    pub fn newest(&self) -> Option<&Alert> {
        self.items.back()
    }

    /// Whether the banner is on screen.
    pub fn banner_shown(&self) -> bool {
        self.banner && !self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::AlertKind;

    fn alert(n: usize) -> Alert {
        Alert {
            kind: AlertKind::Integrity,
            rule: format!("r{n}"),
            description: String::new(),
            store: "s".into(),
            seq: Some(n as u64),
            pos: None,
            hash: None,
            event: None,
            count: None,
            threshold: None,
            window: None,
            file: None,
            raised_at: String::new(),
        }
    }

    #[test]
    fn keeps_the_newest_and_counts_the_dropped() {
        let mut a = Alerts::default();
        a.push((0..MAX_ALERTS + 5).map(alert).collect());
        assert_eq!(a.len(), MAX_ALERTS);
        assert_eq!(a.dropped, 5);
        assert_eq!(a.newest().unwrap().rule, format!("r{}", MAX_ALERTS + 4));
        assert_eq!(a.nth_newest(0).unwrap().rule, a.newest().unwrap().rule);
        assert_eq!(a.nth_newest(MAX_ALERTS - 1).unwrap().rule, "r5");
        assert!(a.nth_newest(MAX_ALERTS).is_none());
        assert!(!a.banner_shown(), "pushing alone does not raise the banner");
    }
}
