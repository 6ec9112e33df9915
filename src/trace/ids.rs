//! Trace and span ids: 16-byte and 8-byte values written as lowercase hex.
//!
//! OTLP/JSON writes them as exactly 32 or 16 hex digits; Jaeger's API drops leading zeros; a W3C
//! `traceparent` header carries the trace id in its second field. Everything is normalised to
//! the fixed-width lowercase form before it is compared, stored or put in a URL.

use super::error::quote;

/// Hex digits of a trace id (16 bytes).
pub const TRACE_ID_HEX: usize = 32;
/// Hex digits of a span id (8 bytes).
pub const SPAN_ID_HEX: usize = 16;

/// The canonical form of a trace id typed by a user or found in an event: trimmed, lowercased,
/// left-padded with zeros to 32 hex digits (Jaeger drops leading zeros, 64-bit ids have 16).
/// A W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`) gives its trace id. `None` for an empty,
/// non-hex, too long or all-zero id (the W3C and OTLP "invalid" id).
pub fn normalize_trace_id(s: &str) -> Option<String> {
    let s = s.trim();
    let id = traceparent_trace_id(s).unwrap_or(s);
    pad_hex(id, TRACE_ID_HEX)
}

/// The trace id field of a W3C `traceparent`, when `s` has its shape: a 2-digit version (not
/// `ff`), then `-`-separated fields of 32, 16 and 2 hex digits (later versions may append more
/// fields after another `-`).
fn traceparent_trace_id(s: &str) -> Option<&str> {
    let mut parts = s.split('-');
    let version = parts.next()?;
    let trace = parts.next()?;
    let parent = parts.next()?;
    let flags = parts.next()?;
    let shaped = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit());
    let ok = shaped(version, 2)
        && !version.eq_ignore_ascii_case("ff")
        && shaped(trace, TRACE_ID_HEX)
        && shaped(parent, SPAN_ID_HEX)
        && shaped(flags, 2)
        // Version 00 has exactly four fields; later versions may add more.
        && (version != "00" || parts.next().is_none());
    ok.then_some(trace)
}

/// A span id with leading zeros restored (Jaeger's API may drop them), lowercased; `None` when
/// it is empty, not hex, longer than 16 digits or all zero.
pub(crate) fn normalize_span_id(s: &str) -> Option<String> {
    pad_hex(s.trim(), SPAN_ID_HEX)
}

/// `s` lowercased and left-padded with `0` to `width` hex digits; `None` for anything else or
/// zero.
fn pad_hex(s: &str, width: usize) -> Option<String> {
    if s.is_empty() || s.len() > width || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    if s.bytes().all(|b| b == b'0') {
        return None;
    }
    let mut out = "0".repeat(width - s.len());
    out.push_str(&s.to_ascii_lowercase());
    Some(out)
}

/// Checks an OTLP/JSON id strictly: exactly `width` hex digits (either case), not all zero.
/// Returns it lowercased, or a message naming `field` and the value.
pub(crate) fn strict_hex_id(field: &str, value: &str, width: usize) -> Result<String, String> {
    let q = quote(value);
    if value.is_empty() {
        return Err(format!("{field} is empty"));
    }
    if !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        // Some old exporters wrote ids as base64 (the protobuf default for bytes): say so.
        let base64_len = (width / 2).div_ceil(3) * 4;
        let hint = if value.len() == base64_len {
            " (OTLP/JSON ids are hex, not base64)"
        } else {
            ""
        };
        return Err(format!("{field} {q} is not hex{hint}"));
    }
    if value.len() % 2 == 1 {
        return Err(format!(
            "{field} {q} has an odd number of hex digits ({})",
            value.len()
        ));
    }
    if value.len() != width {
        return Err(format!(
            "{field} {q} is {} bytes, want {}",
            value.len() / 2,
            width / 2
        ));
    }
    if value.bytes().all(|b| b == b'0') {
        return Err(format!("{field} {q} is all zeros (the invalid id)"));
    }
    Ok(value.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_ids() {
        assert_eq!(
            strict_hex_id("spanId", "EEE19B7EC3C1B174", 16).unwrap(),
            "eee19b7ec3c1b174"
        );
        let e = strict_hex_id("spanId", "abc", 16).unwrap_err();
        assert!(e.contains("odd number"), "{e}");
        let e = strict_hex_id("spanId", "abcd", 16).unwrap_err();
        assert!(e.contains("is 2 bytes, want 8"), "{e}");
        let e = strict_hex_id("traceId", "W47/95gDgQPSabYzgT/GDA==", 32).unwrap_err();
        assert!(e.contains("not base64"), "{e}");
        let e = strict_hex_id("spanId", "0000000000000000", 16).unwrap_err();
        assert!(e.contains("all zeros"), "{e}");
    }

    #[test]
    fn span_ids_are_padded() {
        assert_eq!(normalize_span_id("1a").unwrap(), "000000000000001a");
        assert_eq!(normalize_span_id("0"), None);
        assert_eq!(normalize_span_id("00000000000000001"), None);
    }

    #[test]
    fn traceparent_versions() {
        let id = "4bf92f3577b34da6a3ce929d0e0e4736";
        let tp = format!("00-{id}-00f067aa0ba902b7-01");
        assert_eq!(traceparent_trace_id(&tp), Some(id));
        assert_eq!(traceparent_trace_id(&format!("{tp}-extra")), None);
        let future = format!("01-{id}-00f067aa0ba902b7-01-extra");
        assert_eq!(traceparent_trace_id(&future), Some(id));
        assert_eq!(
            traceparent_trace_id(&format!("ff-{id}-00f067aa0ba902b7-01")),
            None
        );
    }
}
