//! Configured field paths (`request.body`, `responseElements.credentials`, `spec.*.env`) and
//! how they match the keys met while walking a record.
//!
//! A path is a list of object keys separated by dots; `*` stands for any one key. It matches
//! wherever its keys appear in a row, at any depth: `request.body` masks `{"request":{"body":…}}`
//! at the top and inside `{"items":[{"request":{"body":…}}]}` alike. Arrays are transparent
//! (their elements are walked without using up a path segment). A key that itself contains dots
//! (`"authorization.k8s.io/reason"`) matches the same segments written with dots. Keys are
//! compared exactly (JSON keys are case-sensitive).

/// What an empty `redact` list means: the bodies of requests and responses, which carry
/// whatever the client sent or the server returned (Kubernetes objects, including Secrets;
/// CloudTrail parameters and results, including temporary credentials).
pub const DEFAULT_FIELDS: &[&str] = &[
    "requestObject",     // Kubernetes audit
    "responseObject",    // Kubernetes audit
    "requestParameters", // CloudTrail
    "responseElements",  // CloudTrail
    "request.body",
    "response.body",
    "body",
];

/// One parsed field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldPath {
    segments: Vec<String>,
}

impl FieldPath {
    /// Parses `spec`; `None` for a path without any key (`""`, `"."`), which matches nothing.
    pub(crate) fn parse(spec: &str) -> Option<FieldPath> {
        let segments: Vec<String> = spec
            .split('.')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        (!segments.is_empty()).then_some(FieldPath { segments })
    }
}

/// How far into which paths the keys above a value have matched: `(path index, segments
/// matched)`.
pub(crate) type Partial = Vec<(usize, usize)>;

/// Takes object key `key` on top of the `active` partial matches (each path may also start at
/// this key). Returns the partial matches for the key's value, and whether a path matched in
/// full (the value is to be masked).
pub(crate) fn step(paths: &[FieldPath], active: &[(usize, usize)], key: &str) -> (Partial, bool) {
    let mut next: Partial = Vec::new();
    let mut complete = false;
    let starts = (0..paths.len()).map(|p| (p, 0));
    for (p, i) in active.iter().copied().chain(starts) {
        let segs = &paths[p].segments;
        let mut reached = Vec::new();
        if segs[i] == "*" || segs[i] == key {
            reached.push(i + 1);
        }
        if key.contains('.') {
            for j in i + 2..=segs.len() {
                if segs[i..j].join(".") == key {
                    reached.push(j);
                }
            }
        }
        for j in reached {
            if j == segs.len() {
                complete = true;
            } else if !next.contains(&(p, j)) {
                next.push((p, j));
            }
        }
    }
    (next, complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(specs: &[&str]) -> Vec<FieldPath> {
        specs.iter().filter_map(|s| FieldPath::parse(s)).collect()
    }

    /// Whether the key sequence `keys` reaches a masked value.
    fn hits(specs: &[&str], keys: &[&str]) -> bool {
        let ps = paths(specs);
        let mut active = Vec::new();
        for k in keys {
            let (next, done) = step(&ps, &active, k);
            if done {
                return true;
            }
            active = next;
        }
        false
    }

    #[test]
    fn parse_skips_empty_segments() {
        assert_eq!(FieldPath::parse(""), None);
        assert_eq!(FieldPath::parse(" . "), None);
        assert_eq!(FieldPath::parse("a..b"), FieldPath::parse("a.b"));
    }

    #[test]
    fn paths_match_at_any_depth() {
        assert!(hits(&["request.body"], &["request", "body"]));
        assert!(hits(&["request.body"], &["items", "request", "body"]));
        assert!(!hits(&["request.body"], &["request", "headers", "body"]));
        assert!(!hits(&["request.body"], &["request"]));
        assert!(!hits(&["request.body"], &["body"]));
        assert!(hits(&["body"], &["a", "b", "body"]));
    }

    #[test]
    fn star_is_any_one_key() {
        assert!(hits(&["spec.*.env"], &["spec", "containers", "env"]));
        assert!(!hits(&["spec.*.env"], &["spec", "env"]));
        assert!(hits(&["*"], &["anything"]));
    }

    #[test]
    fn dotted_keys_match_dotted_paths() {
        assert!(hits(
            &["annotations.authorization.k8s.io/reason"],
            &["annotations", "authorization.k8s.io/reason"]
        ));
        assert!(!hits(
            &["annotations.authorization.k8s.io/reason"],
            &["annotations", "authorization.k8s.io/decision"]
        ));
    }

    #[test]
    fn keys_are_case_sensitive() {
        assert!(!hits(&["requestObject"], &["requestobject"]));
    }
}
