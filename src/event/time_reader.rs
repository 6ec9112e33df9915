//! [`TimeReader`]: the time of each record under one mapping, fast.
//!
//! Built once per segment. Uses [`fastscan`](super::fastscan) for the common case and the serde
//! path ([`Mapping::record_time`]) whenever the scanner cannot answer exactly, so the result is
//! always the time `Mapping::map_record` would give.

use serde_json::Number;

use super::detect::{DETECT_KEYS, InputFormat, detect_format_by};
use super::fastscan::{Found, Scalar, ScanPaths};
use super::mapping::{MapError, Mapping};
use super::time::{TimeNs, parse_rfc3339_ns, time_from_number};

/// Reads record times for one mapping.
pub struct TimeReader<'m> {
    mapping: &'m Mapping,
    scan: Option<ScanPaths<'m>>,
    /// For each concrete format: the time paths' indexes into `paths`, in order.
    by_format: [Vec<(usize, &'m str)>; 3],
    /// Indexes of the detection keys (auto mode), in `DETECT_KEYS` order.
    detect: Option<[usize; DETECT_KEYS.len()]>,
}

const CONCRETE: [InputFormat; 3] = [
    InputFormat::K8sAudit,
    InputFormat::Cloudtrail,
    InputFormat::Ndjson,
];

fn slot(f: InputFormat) -> usize {
    match f {
        InputFormat::K8sAudit => 0,
        InputFormat::Cloudtrail => 1,
        _ => 2,
    }
}

impl<'m> TimeReader<'m> {
    /// Prepares the paths `mapping` needs.
    pub fn new(mapping: &'m Mapping) -> TimeReader<'m> {
        let mut paths: Vec<&'m str> = Vec::new();
        if mapping.format == InputFormat::Auto && !mapping.map.contains_key("time") {
            paths.extend(DETECT_KEYS);
            for f in [
                InputFormat::K8sAudit,
                InputFormat::Cloudtrail,
                InputFormat::Ndjson,
            ] {
                paths.extend(mapping.time_paths(f));
            }
        } else {
            paths.extend(mapping.time_paths(mapping.format));
        }
        let mut uniq: Vec<&'m str> = Vec::new();
        for p in paths {
            if !uniq.contains(&p) {
                uniq.push(p);
            }
        }
        let paths = uniq;
        let index = |p: &str| paths.iter().position(|q| *q == p).expect("path listed");
        let by_format = CONCRETE.map(|f| {
            let f = if mapping.format == InputFormat::Auto {
                f
            } else {
                mapping.format
            };
            mapping
                .time_paths(f)
                .into_iter()
                .map(|p| (index(p), p))
                .collect()
        });
        let detect = (mapping.format == InputFormat::Auto && !mapping.map.contains_key("time"))
            .then(|| DETECT_KEYS.map(index));
        let scan = ScanPaths::new(&paths);
        TimeReader {
            mapping,
            scan,
            by_format,
            detect,
        }
    }

    /// The record's time, exactly as `Mapping::map_record(raw)?.time`.
    pub fn time_of(&self, raw: &[u8]) -> Result<TimeNs, MapError> {
        if let Some(scan) = &self.scan {
            if let Ok(found) = scan.scan(raw) {
                if let Some(answer) = self.decide(&found) {
                    return answer;
                }
            }
        }
        self.mapping.record_time(raw)
    }

    /// `None` when the scanner's answer needs the serde path after all (non-canonical number
    /// text that serde would read differently).
    fn decide(&self, found: &Found) -> Option<Result<TimeNs, MapError>> {
        let format = match &self.detect {
            Some(idx) => detect_format_by(|k| {
                let i = DETECT_KEYS.iter().position(|d| *d == k)?;
                match found.get(idx[i]) {
                    Some(Scalar::Str(s)) => Some(s),
                    _ => None,
                }
            }),
            None => self.mapping.format,
        };
        let candidates = &self.by_format[slot(format)];
        for &(i, p) in candidates {
            let value = match found.get(i) {
                None | Some(Scalar::Null) => continue,
                Some(v) => v,
            };
            let t = match value {
                Scalar::Str(s) => parse_rfc3339_ns(s),
                Scalar::Num(text) => match serde_json::from_str::<Number>(text) {
                    Ok(n) => time_from_number(&n),
                    Err(_) => return None,
                },
                Scalar::Other(kind) => {
                    Err(format!("time must be a string or a number, found {kind}"))
                }
                Scalar::Null => unreachable!("skipped above"),
            };
            return Some(t.map_err(|reason| MapError {
                field: "time",
                reason: format!("{p}: {reason}"),
            }));
        }
        let names: Vec<&str> = candidates.iter().map(|(_, p)| *p).collect();
        Some(Err(MapError {
            field: "time",
            reason: format!(
                "no time field (looked for {}; use --map time=PATH)",
                names.join(", ")
            ),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn agree(m: &Mapping, raw: &str) {
        let fast = TimeReader::new(m).time_of(raw.as_bytes());
        let slow = m.map_record(raw.as_bytes()).map(|e| e.time);
        match (&fast, &slow) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{raw}"),
            (Err(a), Err(b)) => assert_eq!(a.field, b.field, "{raw}: {a} vs {b}"),
            _ => panic!("fast {fast:?} vs slow {slow:?} for {raw}"),
        }
    }

    #[test]
    fn agrees_with_the_full_mapping_on_tricky_records() {
        let auto = Mapping::default();
        let nested = Mapping::new(InputFormat::Ndjson, &["time=meta.at".into()]).unwrap();
        for raw in [
            r#"{"time":"2026-01-01T00:00:00Z"}"#,
            r#"{"time":null,"ts":1767225600}"#,
            r#"{"time":"2026-01-01T00:00:00Z","time":"2027-01-01T00:00:00Z"}"#,
            r#"{"t\u0069me":"2026-01-01T00:00:00Z"}"#,
            r#"{"time":"2026-01-01T00:00:00\u005a"}"#,
            r#"{"time":{"x":1}}"#,
            r#"{"time":true}"#,
            r#"{"ts":1.50}"#,
            r#"{"ts":15e8}"#,
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","time":"2020-01-01T00:00:00Z","stageTimestamp":"2026-01-01T00:00:00.5Z"}"#,
            r#"{"eventVersion":"1.0","eventSource":"s3","eventName":"X","eventTime":"2026-01-01T00:00:00Z","time":"2020-01-01T00:00:00Z"}"#,
            r#"{"meta":{"at":"2026-01-01T00:00:00Z"}}"#,
            r#"{"meta":{"at":"2026-01-01T00:00:00Z"},"meta":{"x":1}}"#,
            r#"{"meta":5,"meta.at":"2026-01-01T00:00:00Z"}"#,
            r#" { "time" : "2026-01-01 00:00:00+02:00" , "a" : [ "}" , "\"" ] } "#,
            r#"{"time":"2026-01-01T00:00:00Z"} x"#,
            r#"[1]"#,
            r#"{"a":"\u00e9","when":1}"#,
        ] {
            agree(&auto, raw);
            agree(&nested, raw);
        }
    }

    #[test]
    fn never_panics_on_truncated_or_mangled_records() {
        let records = [
            r#"{"a":"x\"y","b":["\\",{"c":"}"}],"time":"2026-01-01T00:00:00Z","ts":12}"#,
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","objectRef":{"name":"a\u0041"},"stageTimestamp":"2026-01-01T00:00:00Z"}"#,
        ];
        let m = Mapping::default();
        let tr = TimeReader::new(&m);
        for r in records {
            let b = r.as_bytes();
            for end in 0..=b.len() {
                let _ = tr.time_of(&b[..end]);
                let mut mangled = b.to_vec();
                if end < b.len() {
                    mangled[end] = b'\\';
                    let _ = tr.time_of(&mangled);
                    mangled[end] = b']';
                    let _ = tr.time_of(&mangled);
                }
            }
        }
        assert!(tr.time_of(br#"{"a":"\"#).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let m = Mapping::default();
            let _ = TimeReader::new(&m).time_of(&bytes);
        }

        #[test]
        fn agrees_with_the_full_mapping_on_generated_records(
            keys in proptest::collection::vec(prop_oneof![
                Just("time"), Just("ts"), Just("kind"), Just("apiVersion"), Just("eventTime"),
                Just("stageTimestamp"), Just("meta"), Just("x")], 0..6),
            vals in proptest::collection::vec(prop_oneof![
                Just("\"2026-01-01T00:00:00Z\"".to_string()), Just("\"Event\"".to_string()),
                Just("\"audit.k8s.io/v1\"".to_string()), Just("1767225600123".to_string()),
                Just("null".to_string()), Just("{\"at\":\"2026-02-01T00:00:00Z\"}".to_string()),
                Just("[1,{\"time\":2}]".to_string()), Just("\"bad\"".to_string())], 6),
        ) {
            let body: Vec<String> = keys.iter().zip(&vals).map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let raw = format!("{{{}}}", body.join(","));
            agree(&Mapping::default(), &raw);
            agree(&Mapping::new(InputFormat::Ndjson, &["time=meta.at".into()]).unwrap(), &raw);
        }
    }
}
