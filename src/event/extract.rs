//! Pulls a few fields out of a JSON object without building the whole tree.
//!
//! Verifying a segment needs each event's time but nothing else; deserializing every record
//! into a `serde_json::Value` would cost several times the hashing. This visitor walks the
//! record once, keeps only the values on the requested paths and skips the rest with
//! `IgnoredAny` (which still checks the JSON is well formed). Semantics match
//! [`super::path::lookup`] on a parsed `Value`: nested keys first, then the whole dotted path as
//! one literal key, and the last of duplicated keys wins.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// Values found for each requested path; index `i` answers `paths[i]`.
#[derive(Debug, Default)]
pub struct Extracted {
    nested: Vec<Option<Value>>,
    literal: Vec<Option<Value>>,
}

impl Extracted {
    /// The value of path `i`, with the same precedence as `path::lookup`.
    pub fn get(&self, i: usize) -> Option<&Value> {
        self.nested[i].as_ref().or(self.literal[i].as_ref())
    }
}

/// Error from [`extract`]: the record is not JSON, or not an object.
#[derive(Debug)]
pub struct ExtractError(pub String);

/// Extracts `paths` (dotted object keys; no array indexes) from the JSON object in `raw`.
pub fn extract(raw: &[u8], paths: &[&str]) -> Result<Extracted, ExtractError> {
    let split: Vec<Vec<&str>> = paths.iter().map(|p| p.split('.').collect()).collect();
    let mut out = Extracted {
        nested: vec![None; paths.len()],
        literal: vec![None; paths.len()],
    };
    let mut de = serde_json::Deserializer::from_slice(raw);
    let seed = Level {
        paths: &split,
        literal: paths,
        depth: 0,
        active: (0..paths.len()).collect(),
        out: &mut out,
        top: true,
    };
    seed.deserialize(&mut de)
        .map_err(|e| ExtractError(e.to_string()))?;
    de.end().map_err(|e| ExtractError(e.to_string()))?;
    Ok(out)
}

struct Level<'a, 'p> {
    paths: &'p [Vec<&'p str>],
    literal: &'p [&'p str],
    depth: usize,
    active: Vec<usize>,
    out: &'a mut Extracted,
    top: bool,
}

impl<'de> DeserializeSeed<'de> for Level<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! ignore_scalar {
    ($($name:ident: $t:ty),*) => {$(
        fn $name<E: de::Error>(self, _v: $t) -> Result<(), E> { self.not_object() }
    )*};
}

impl Level<'_, '_> {
    fn not_object<E: de::Error>(self) -> Result<(), E> {
        if self.top {
            Err(E::custom("record is not a JSON object"))
        } else {
            Ok(())
        }
    }
}

impl<'de> Visitor<'de> for Level<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    ignore_scalar!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.not_object()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.not_object()
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Level {
            paths,
            literal,
            depth,
            active,
            out,
            top,
        } = self;
        while let Some(key) = map.next_key::<KeyStr>()? {
            let key = key.0;
            let nested: Vec<usize> = active
                .iter()
                .copied()
                .filter(|&i| paths[i].get(depth) == Some(&key.as_str()))
                .collect();
            let lit: Vec<usize> = if top {
                (0..literal.len())
                    .filter(|&i| paths[i].len() > 1 && literal[i] == key)
                    .collect()
            } else {
                Vec::new()
            };
            if nested.is_empty() && lit.is_empty() {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            // A repeated key replaces everything the earlier occurrence provided.
            for &i in &nested {
                out.nested[i] = None;
            }
            let terminal = nested.iter().any(|&i| paths[i].len() == depth + 1) || !lit.is_empty();
            if terminal {
                let v: Value = map.next_value()?;
                for &i in &nested {
                    let rest = &paths[i][depth + 1..];
                    out.nested[i] = descend(&v, rest).cloned();
                }
                for &i in &lit {
                    out.literal[i] = Some(v.clone());
                }
            } else {
                map.next_value_seed(Level {
                    paths,
                    literal,
                    depth: depth + 1,
                    active: nested,
                    out,
                    top: false,
                })?;
            }
        }
        Ok(())
    }
}

fn descend<'v>(v: &'v Value, rest: &[&str]) -> Option<&'v Value> {
    let mut cur = v;
    for k in rest {
        cur = cur.as_object()?.get(*k)?;
    }
    Some(cur)
}

/// A map key, borrowed when the input allows and owned when it had escapes.
struct KeyStr(String);

impl<'de> de::Deserialize<'de> for KeyStr {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyStr;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyStr, E> {
                Ok(KeyStr(v.to_owned()))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::path::lookup;

    fn check_same(raw: &str, paths: &[&str]) {
        let full: Value = serde_json::from_str(raw).unwrap();
        let got = extract(raw.as_bytes(), paths).unwrap();
        for (i, p) in paths.iter().enumerate() {
            assert_eq!(got.get(i), lookup(&full, p), "path {p} in {raw}");
        }
    }

    #[test]
    fn agrees_with_full_parse() {
        check_same(
            r#"{"a":1,"b":{"c":"x","d":[1,2]},"e.f":true}"#,
            &["a", "b.c", "b.d", "e.f", "zz", "b"],
        );
        check_same(r#"{"a":{"b":1},"a":{"c":2}}"#, &["a.b", "a.c"]);
        check_same(r#"{"a":{"b":1},"a":3}"#, &["a.b", "a"]);
        check_same(r#"{"t\u0069me":"2020-01-01T00:00:00Z"}"#, &["time"]);
        check_same(r#"{"x":{"time":1},"time":2}"#, &["time", "x.time"]);
    }

    #[test]
    fn rejects_non_objects_and_bad_json() {
        assert!(extract(b"[1,2]", &["a"]).is_err());
        assert!(extract(b"\"s\"", &["a"]).is_err());
        assert!(extract(b"{\"a\":", &["a"]).is_err());
        assert!(extract(b"{\"a\":1} trailing", &["a"]).is_err());
    }
}
