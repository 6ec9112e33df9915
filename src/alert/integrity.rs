//! Integrity alerts: what the verifier found wrong with the store (tamper, rollback, fork, a
//! bad signature…) and a stale head. These always alert, whatever the rules say.

use std::collections::BTreeSet;

use super::{Alert, AlertKind, now_rfc3339};
use crate::event::time::parse_rfc3339_ns;
use crate::verify::{Report, Severity};

/// The rule name of a stale-head alert.
pub const STALE_HEAD: &str = "stale_head";

/// The integrity alerts of one pull's verification. `active` holds the problems alerted on
/// before (`kind:seq`); a problem still present is not alerted again, one that went away is
/// forgotten (and alerts again if it comes back). A stale head (the newest valid checkpoint
/// signed more than `stale_after_ns` before `now_ns`) alerts once per checkpoint.
pub fn integrity_alerts(
    report: &Report,
    active: &mut BTreeSet<String>,
    stale_after_ns: Option<i64>,
    now_ns: i64,
) -> Vec<Alert> {
    let mut out = Vec::new();
    let mut present = BTreeSet::new();
    for p in report
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
    {
        let key = format!(
            "{}:{}",
            p.kind.as_str(),
            p.seq.map_or("-".into(), |s| s.to_string())
        );
        if !active.contains(&key) && present.insert(key.clone()) {
            out.push(alert(
                report,
                p.kind.as_str(),
                p.seq,
                p.file.clone(),
                p.detail.clone(),
            ));
        }
        present.insert(key);
    }
    if let (Some(limit), Some(c)) = (stale_after_ns, &report.checkpoint) {
        let signed = parse_rfc3339_ns(&c.time).unwrap_or(i64::MIN);
        let key = format!("{STALE_HEAD}:{}", c.size);
        if now_ns.saturating_sub(signed) > limit {
            if !active.contains(&key) {
                out.push(alert(
                    report,
                    STALE_HEAD,
                    c.size.checked_sub(1),
                    Some(c.file.clone()),
                    format!(
                        "the newest valid checkpoint (size {}) was signed at {}, more than {} ago: the writer may have stopped, or the store is being held back",
                        c.size,
                        c.time,
                        human_duration(limit)
                    ),
                ));
            }
            present.insert(key);
        }
    }
    *active = present;
    out
}

fn alert(
    report: &Report,
    rule: &str,
    seq: Option<u64>,
    file: Option<String>,
    detail: String,
) -> Alert {
    Alert {
        kind: AlertKind::Integrity,
        rule: rule.to_owned(),
        description: detail,
        store: report.store.clone(),
        seq,
        pos: None,
        hash: None,
        event: None,
        count: None,
        threshold: None,
        window: None,
        file,
        raised_at: now_rfc3339(),
    }
}

/// `90m`, `2h`, `45s` for messages.
fn human_duration(ns: i64) -> String {
    let s = ns / 1_000_000_000;
    if s % 3600 == 0 && s >= 3600 {
        format!("{}h", s / 3600)
    } else if s % 60 == 0 && s >= 60 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::{Kind, Problem};

    fn report(problems: Vec<Problem>) -> Report {
        Report {
            store: "s".into(),
            origin: None,
            segments: 3,
            verified_segments: 3,
            unsigned_segments: 0,
            events: 0,
            first_time: None,
            last_time: None,
            head: None,
            checkpoint: None,
            signer: None,
            problems,
            states: Vec::new(),
        }
    }

    #[test]
    fn a_problem_alerts_once_while_it_lasts_and_again_when_it_returns() {
        let tamper = Problem::new(Some(2), Kind::ContentModified, None, "body differs");
        let warn = Problem::new(Some(2), Kind::UnsignedTail, None, "tail");
        let mut active = BTreeSet::new();
        let r = report(vec![tamper.clone(), warn]);
        let first = integrity_alerts(&r, &mut active, None, 0);
        assert_eq!(first.len(), 1, "warnings do not alert");
        assert_eq!(
            (first[0].rule.as_str(), first[0].seq),
            ("content_modified", Some(2))
        );
        assert!(integrity_alerts(&r, &mut active, None, 0).is_empty());
        assert!(integrity_alerts(&report(vec![]), &mut active, None, 0).is_empty());
        assert_eq!(integrity_alerts(&r, &mut active, None, 0).len(), 1);
    }
}
