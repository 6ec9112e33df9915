//! Redaction of exported events (everything, unless the user reveals it).
//!
//! The record goes through [`Masker::mask_record`]. When anything in it was masked, the
//! canonical fields are mapped again from the masked record with the segment's mapping, so a
//! canonical field repeats a value only if the masker left it readable in the record (the actor,
//! by the masker's rules, stays: an investigation needs it); if the masked record no longer maps
//! (its time was masked), every canonical text field goes through [`Masker::mask_text`]. Such an
//! event loses its exact line: a JSON bundle then proves it by its leaf hash alone (see
//! `docs/FORMAT.md`, "Export bundles"), so the secret is in no export unless revealed. The
//! investigator's note is free text and goes through [`Masker::mask_text`]; it is not part of
//! any proof, so masking it never drops the line.

use crate::event::AuditEvent;
use crate::mask::{MASK, Masker};

use super::evidence::Item;

/// Masks every item in place; returns how many events had something masked.
pub fn mask_all(items: &mut [Item], masker: &Masker) -> usize {
    let mut n = 0;
    for i in items.iter_mut() {
        n += usize::from(mask_item(i, masker));
    }
    n
}

/// Masks one item; returns whether its record changed.
fn mask_item(item: &mut Item, masker: &Masker) -> bool {
    item.note = masker.mask_text(&item.note);
    let (record, n) = masker.mask_record(&item.record);
    if n == 0 {
        return false;
    }
    item.event = match item.mapping.map_value(&record) {
        Ok(e) => merge(&item.event, &e),
        Err(_) => mask_fields(&item.event, masker),
    };
    item.record = record;
    item.line = None;
    item.masked = true;
    true
}

/// The canonical fields of the masked record, except that a value the masking removed (its
/// source was masked as a whole) shows as [`MASK`] rather than as missing.
fn merge(original: &AuditEvent, remapped: &AuditEvent) -> AuditEvent {
    let text = |o: &String, r: &String| {
        if r.is_empty() && !o.is_empty() {
            MASK.to_string()
        } else {
            r.clone()
        }
    };
    let opt = |o: &Option<String>, r: &Option<String>| match (o, r) {
        (Some(_), None) => Some(MASK.to_string()),
        (_, r) => r.clone(),
    };
    AuditEvent {
        time: original.time,
        actor: text(&original.actor, &remapped.actor),
        action: text(&original.action, &remapped.action),
        resource: text(&original.resource, &remapped.resource),
        outcome: remapped.outcome,
        source_ip: opt(&original.source_ip, &remapped.source_ip),
        user_agent: opt(&original.user_agent, &remapped.user_agent),
        trace_id: opt(&original.trace_id, &remapped.trace_id),
        span_id: opt(&original.span_id, &remapped.span_id),
        request_id: opt(&original.request_id, &remapped.request_id),
    }
}

/// `e` with every canonical text field masked as free text.
fn mask_fields(e: &AuditEvent, masker: &Masker) -> AuditEvent {
    let opt = |o: &Option<String>| o.as_deref().map(|s| masker.mask_text(s));
    AuditEvent {
        time: e.time,
        actor: masker.mask_text(&e.actor),
        action: masker.mask_text(&e.action),
        resource: masker.mask_text(&e.resource),
        outcome: e.outcome,
        source_ip: opt(&e.source_ip),
        user_agent: opt(&e.user_agent),
        trace_id: opt(&e.trace_id),
        span_id: opt(&e.span_id),
        request_id: opt(&e.request_id),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::event::Mapping;
    use crate::segment::Hash32;

    fn item(record: serde_json::Value) -> Item {
        let mapping = Mapping::default();
        let line = serde_json::to_vec(&record).unwrap();
        let (event, record) = super::super::evidence::canonical(&mapping, &line);
        Item {
            seq: 0,
            pos: 0,
            event,
            record,
            line: Some(line),
            leaf: Hash32::ZERO,
            path: vec![],
            segment_hash: Hash32::ZERO,
            signed: true,
            note: "mailed bob@example.com".into(),
            masked: false,
            mapping,
        }
    }

    #[test]
    fn a_masked_record_drops_the_line_and_remaps_its_fields() {
        let mut items = vec![
            item(
                json!({"time": "2026-11-24T10:00:00Z", "actor": "alice@example.com",
                "action": "login", "password": "hunter2", "user_agent": "curl"}),
            ),
            item(json!({"time": "2026-11-24T10:00:01Z", "actor": "bob", "action": "read"})),
        ];
        assert_eq!(mask_all(&mut items, &Masker::default()), 1);
        let [secret, plain] = &items[..] else {
            unreachable!()
        };
        assert!(secret.masked && secret.line.is_none());
        assert_eq!(secret.record["password"], crate::mask::MASK);
        assert_eq!(secret.event.actor, "alice@example.com");
        assert_eq!(secret.event.user_agent.as_deref(), Some("curl"));
        assert!(!secret.note.contains("bob@example.com"), "{}", secret.note);
        assert!(!plain.masked && plain.line.is_some());

        // A field whose source object is masked as a whole shows as masked, not as missing.
        let mut items = vec![item(
            json!({"time": "2026-11-24T10:00:00Z", "actor": "carol",
            "action": "put", "resource": {"name": "ledger"}, "request": {"body": "x"},
            "user_agent": "curl"}),
        )];
        let masker = Masker::new(&["resource".to_string()]);
        assert_eq!(mask_all(&mut items, &masker), 1);
        assert!(
            items[0].event.resource.starts_with("«redacted"),
            "{}",
            items[0].event.resource
        );
        assert_eq!(items[0].event.actor, "carol");
    }
}
