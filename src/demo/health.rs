//! How `prod/payments` behaves over the timeline, as the story has it: the phases that drive
//! both its application audit log (and the traces behind it) and its metrics, so that the two
//! tell the same story as the Kubernetes and CloudTrail records.

use super::rng::{Micros, SEC};
use super::story::{CONFIG_CHANGE, DELETED, OUTAGE, RESTART, RESTORED, REVERT_ROLLOUT};

/// What `payments` is doing at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Serving normally.
    Normal,
    /// The running pods have hot-reloaded the patched config; their charge handler rejects it
    /// (`config: unknown key "retry_budget"`), while `/readyz` still answers.
    BadConfig,
    /// The restarted pods crash-loop: each lives a few seconds, fails to read its database
    /// secret (`prod/payments/db-v2` does not exist) and exits; charges fail or time out.
    CrashLoop,
    /// The revert is rolling out: failures fade until the probes pass again.
    Recovering,
    /// The intruder deleted the deployment: nothing serves, the mesh answers 503 itself.
    Gone,
    /// GitOps recreated the pods but `checkout` is not back yet: only webhooks arrive.
    Idle,
    /// Everything is back; caches are cold and the checkout backlog drains.
    Warming,
}

/// The restart replaces the old pods about this long after it starts (they are deleted 12–18 s
/// in; the new ones already take traffic).
const OLD_PODS_GONE: Micros = 15 * SEC;
/// The good pods of the revert take traffic this long after the revert's rollout starts.
const REVERT_SERVING: Micros = 10 * SEC;
/// Deleted pods stop serving this long after the deployment is deleted.
const DELETE_TAKES: Micros = 3 * SEC;
/// Recreated `payments` pods serve this long after GitOps recreates the deployment.
const RECREATE_TAKES: Micros = 10 * SEC;
/// How long after everything is back the backlog and cold caches show.
pub(crate) const WARMING: Micros = 120 * SEC;

/// When the intruder deleted `prod/payments` and when GitOps recreated it.
fn deleted() -> (Micros, Micros) {
    let (_, from, to) = DELETED[0];
    (from, to)
}

/// The phase `payments` is in at `t`.
pub(crate) fn phase(t: Micros) -> Phase {
    let (del, recreated) = deleted();
    if (CONFIG_CHANGE..RESTART + OLD_PODS_GONE).contains(&t) {
        Phase::BadConfig
    } else if (RESTART + OLD_PODS_GONE..REVERT_ROLLOUT + REVERT_SERVING).contains(&t) {
        Phase::CrashLoop
    } else if (REVERT_ROLLOUT + REVERT_SERVING..OUTAGE.1).contains(&t) {
        Phase::Recovering
    } else if (del + DELETE_TAKES..recreated + RECREATE_TAKES).contains(&t) {
        Phase::Gone
    } else if (recreated + RECREATE_TAKES..RESTORED).contains(&t) {
        Phase::Idle
    } else if (RESTORED..RESTORED + WARMING).contains(&t) {
        Phase::Warming
    } else {
        Phase::Normal
    }
}

/// When `checkout` sends no charges: from the moment `payments` is deleted (`checkout` follows
/// it seconds later) until both answer their probes again.
pub(crate) fn charge_pause() -> (Micros, Micros) {
    (deleted().0, RESTORED)
}

/// How far (0..=1000 ‰) `t` is through the span `from..to`.
pub(crate) fn progress(t: Micros, from: Micros, to: Micros) -> i64 {
    if to <= from {
        return 1000;
    }
    ((t - from).clamp(0, to - from) * 1000) / (to - from)
}

/// Start and end of the [`Phase::Recovering`] span.
pub(crate) fn recovering() -> (Micros, Micros) {
    (REVERT_ROLLOUT + REVERT_SERVING, OUTAGE.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::rng::hms;

    #[test]
    fn the_phases_follow_the_story() {
        assert_eq!(phase(hms(1, 30, 0)), Phase::Normal);
        assert_eq!(phase(CONFIG_CHANGE - 1), Phase::Normal);
        assert_eq!(phase(CONFIG_CHANGE), Phase::BadConfig);
        assert_eq!(phase(hms(1, 53, 0)), Phase::CrashLoop);
        assert_eq!(phase(hms(1, 58, 20)), Phase::Recovering);
        assert_eq!(phase(OUTAGE.1), Phase::Normal);
        assert_eq!(phase(hms(2, 30, 0)), Phase::Gone);
        assert_eq!(phase(hms(2, 46, 0)), Phase::Idle);
        assert_eq!(phase(RESTORED), Phase::Warming);
        let pause = charge_pause();
        assert!(phase(pause.0 + 5 * SEC) == Phase::Gone && phase(pause.1) == Phase::Warming);
        assert_eq!(progress(5, 0, 10), 500);
    }
}
