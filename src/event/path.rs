//! Dotted field paths (`user.name`, `objectRef.namespace`) into JSON records.

use serde_json::Value;

/// Looks `path` up in `v`: first as nested keys split on `.`, then as one literal key (flat
/// loggers write keys such as `"user.name"`). Array elements are addressed by decimal index.
pub fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    let mut ok = true;
    for part in path.split('.') {
        let next = match cur {
            Value::Object(m) => m.get(part),
            Value::Array(a) => part.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => {
                ok = false;
                break;
            }
        }
    }
    if ok {
        return Some(cur);
    }
    if path.contains('.') {
        if let Value::Object(m) = v {
            return m.get(path);
        }
    }
    None
}

/// The value at `path` as display text: strings as they are, numbers and booleans spelled out;
/// `None` for missing, null, empty strings, arrays and objects.
pub fn text(v: &Value, path: &str) -> Option<String> {
    scalar_text(lookup(v, path)?)
}

/// A scalar as display text (see [`text`]).
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The first of `paths` that yields text.
pub fn first_text(v: &Value, paths: &[&str]) -> Option<String> {
    paths.iter().find_map(|p| text(v, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_then_literal_then_index() {
        let v = json!({"user": {"name": "ann"}, "a.b": 3, "ips": ["10.0.0.1", "10.0.0.2"]});
        assert_eq!(text(&v, "user.name").as_deref(), Some("ann"));
        assert_eq!(text(&v, "a.b").as_deref(), Some("3"));
        assert_eq!(text(&v, "ips.1").as_deref(), Some("10.0.0.2"));
        assert_eq!(text(&v, "user.missing"), None);
        assert_eq!(text(&v, "user"), None);
    }
}
