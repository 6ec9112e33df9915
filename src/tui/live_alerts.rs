//! Alerts during live follow (`open --follow`), evaluated on the background pull's thread
//! (never the UI's): after each successful pull, the alert rules run on the segments a signed
//! checkpoint attests since the pull before, and the pull's verification report is checked
//! for integrity problems. The console gets the result as one message.
//!
//! Where evaluation starts: segments attested before the console opened raise nothing. For a
//! store pulled before, that is the local index's attested count read before the first pull;
//! for a store never pulled, the first pull's attested count (no alerts on the whole
//! history). The position, the threshold rules' cooldowns and the set of integrity problems
//! already alerted on live in memory for the session (`watch` persists its own).

use std::collections::BTreeSet;
use std::path::Path;

use crate::alert::engine::Cooldowns;
use crate::alert::integrity::integrity_alerts;
use crate::alert::{Alert, Evaluator, SavedQuery};
use crate::pull::LocalState;
use crate::query::{Workspace, now_ns};
use crate::verify::Report;

/// The pull thread's alerting state for one store.
pub struct LiveAlerts {
    evaluator: Evaluator,
    local: LocalState,
    location: String,
    /// Segments before this seq were attested before: they raise nothing. None until the
    /// first pull of a store never pulled.
    next: Option<u64>,
    cooldowns: Cooldowns,
    /// Integrity problems alerted on and still present (`kind:seq`).
    active: BTreeSet<String>,
}

/// What one pull raised: the alerts, oldest first, and why the rules could not be evaluated
/// (integrity alerts still come).
pub type Raised = (Vec<Alert>, Option<String>);

impl LiveAlerts {
    /// The state before the first pull of the store at `location` under `home`: its alert
    /// rules compiled (an error is returned with a state that raises integrity alerts only)
    /// and the start position read from the local index.
    pub fn new(
        queries: &[SavedQuery],
        home: &Path,
        location: &str,
    ) -> (LiveAlerts, Option<String>) {
        let (evaluator, error) = match Evaluator::new(queries) {
            Ok(e) => (e, None),
            Err(e) => (Evaluator::new(&[]).expect("no rules compile"), Some(e)),
        };
        // An index that cannot be opened counts as never pulled: the first pull sets the start.
        let next = Workspace::open(home, location)
            .ok()
            .map(|ws| ws.verified_head().covered);
        let live = LiveAlerts {
            evaluator,
            local: LocalState::at(home, location),
            location: location.to_owned(),
            next,
            cooldowns: Cooldowns::default(),
            active: BTreeSet::new(),
        };
        (live, error)
    }

    /// Where the next evaluation starts (None before the first pull of a new store).
    pub fn position(&self) -> Option<u64> {
        self.next
    }

    /// The alerts of a pull that left `attested` segments attested (`summary.head.covered`)
    /// and verified the chain into `report`. A failed evaluation keeps the position, so the
    /// next pull tries the same segments again.
    pub fn after_pull(&mut self, attested: u64, report: &Report) -> Raised {
        let mut alerts = Vec::new();
        let mut error = None;
        match self.next {
            None => self.next = Some(attested),
            Some(from) if attested > from => {
                match self.evaluator.evaluate(
                    &self.local,
                    &self.location,
                    from..attested,
                    attested,
                    &mut self.cooldowns,
                ) {
                    Ok(found) => {
                        alerts = found;
                        self.next = Some(attested);
                    }
                    Err(e) => error = Some(format!("{e:#}")),
                }
            }
            // Nothing newly attested (or fewer attested than before: those were seen).
            Some(_) => {}
        }
        alerts.extend(integrity_alerts(report, &mut self.active, None, now_ns()));
        (alerts, error)
    }
}
