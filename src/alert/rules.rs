//! Saved queries: the `[[queries]]` entries of the config file and the defaults shipped in
//! `assets/queries/` (Kubernetes and CloudTrail).
//!
//! ```toml
//! [[queries]]
//! name = "k8s-cluster-admin-binding"        # letters, digits, - _ . (unique)
//! query = 'action:create AND resource:clusterrolebindings.rbac.authorization.k8s.io/*'
//! description = "A binding to cluster-admin was created"
//! window = "15m"      # optional: `search --saved` looks at the last 15m unless --from/--to
//!                     # is given; with threshold, the span the matches must fall within
//! alert = true        # optional: evaluated on every newly verified batch (watch, open --follow)
//! threshold = 5       # optional, needs alert and window: alert when 5 matches fall within 15m
//! ```
//!
//! An entry of the config file with the name of a default replaces it; `default_queries = false`
//! drops the defaults.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::query::scan::Matcher;
use crate::tui::config::{duration_ns, in_file_order};

/// The defaults shipped with trailscope: (file name shown in errors, contents).
const DEFAULTS: [(&str, &str); 2] = [
    (
        "assets/queries/kubernetes.toml",
        include_str!("../../assets/queries/kubernetes.toml"),
    ),
    (
        "assets/queries/cloudtrail.toml",
        include_str!("../../assets/queries/cloudtrail.toml"),
    ),
];

/// One named query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedQuery {
    /// Unique name (letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// The query text, in the search language.
    pub query: String,
    /// What it finds, for people.
    pub description: String,
    /// The window as written (`15m`), if any.
    pub window: Option<String>,
    /// The window in nanoseconds.
    pub window_ns: Option<i64>,
    /// Evaluated on newly verified batches.
    pub alert: bool,
    /// With `alert`: how many matches within `window` raise it (None: every match does).
    pub threshold: Option<u64>,
    /// Where it was defined (the config file or the shipped defaults file), for messages.
    pub origin: String,
}

impl SavedQuery {
    /// The compiled matcher of an alert rule (checked when the rule was read, so only a
    /// non-alert query can fail here).
    pub fn matcher(&self) -> Result<Matcher, String> {
        Matcher::compile(&self.query).map_err(|u| {
            format!(
                "query {:?} of {:?} cannot be evaluated on new segments ({}); alert rules use fields, phrases, prefixes, sets, ranges, AND/OR/NOT",
                self.query, self.name, u.0
            )
        })
    }
}

/// The shipped default queries, in file order.
pub fn default_queries() -> Vec<SavedQuery> {
    let mut out = Vec::new();
    for (file, text) in DEFAULTS {
        // The files are part of the build and covered by tests; a fault is a build defect.
        match parse_file(text, file) {
            Ok(q) => out.extend(q),
            Err((_, m)) => panic!("{file}: {m}"),
        }
    }
    out
}

/// The queries of a whole TOML text whose only key is `queries` (the defaults files).
fn parse_file(text: &str, origin: &str) -> Result<Vec<SavedQuery>, (Range<usize>, String)> {
    let doc = DeTable::parse(text).map_err(|e| (0..0, e.message().to_owned()))?;
    let mut out = Vec::new();
    for (k, v) in in_file_order(doc.get_ref()) {
        if k.get_ref().as_ref() != "queries" {
            return Err((k.span(), format!("unknown key {:?}", k.get_ref().as_ref())));
        }
        out = parse_entries(v, origin)?;
    }
    Ok(out)
}

/// Reads a `[[queries]]` array. Errors carry the span of the entry or value at fault.
pub(crate) fn parse_entries(
    value: &toml::Spanned<DeValue<'_>>,
    origin: &str,
) -> Result<Vec<SavedQuery>, (Range<usize>, String)> {
    let DeValue::Array(list) = value.get_ref() else {
        return Err((
            value.span(),
            "queries must be a list of tables ([[queries]])".into(),
        ));
    };
    let mut out: Vec<SavedQuery> = Vec::new();
    for entry in list.iter() {
        let DeValue::Table(t) = entry.get_ref() else {
            return Err((
                entry.span(),
                "each [[queries]] entry must be a table with name and query".into(),
            ));
        };
        let mut q = SavedQuery {
            name: String::new(),
            query: String::new(),
            description: String::new(),
            window: None,
            window_ns: None,
            alert: false,
            threshold: None,
            origin: origin.to_owned(),
        };
        for (k, v) in in_file_order(t) {
            let key = k.get_ref().as_ref();
            let text = || {
                v.get_ref()
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| (v.span(), format!("queries.{key} must be a string")))
            };
            match key {
                "name" => q.name = text()?,
                "query" => q.query = text()?,
                "description" => q.description = text()?,
                "window" => {
                    let w = text()?;
                    let ns = duration_ns(&w).ok().filter(|n| *n > 0).ok_or_else(|| {
                        (
                            v.span(),
                            format!(
                                "queries.window must be a duration such as \"15m\", \"1h\" or \"7d\", not {w:?}"
                            ),
                        )
                    })?;
                    q.window = Some(w);
                    q.window_ns = Some(ns);
                }
                "alert" => {
                    q.alert = v
                        .get_ref()
                        .as_bool()
                        .ok_or_else(|| (v.span(), "queries.alert must be true or false".into()))?;
                }
                "threshold" => {
                    let n = v
                        .get_ref()
                        .as_integer()
                        .and_then(|i| u64::from_str_radix(i.as_str(), i.radix()).ok())
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| {
                            (
                                v.span(),
                                "queries.threshold must be a whole number of at least 1".into(),
                            )
                        })?;
                    q.threshold = Some(n);
                }
                other => {
                    return Err((
                        k.span(),
                        format!(
                            "unknown key queries.{other} (known: name, query, description, window, alert, threshold)"
                        ),
                    ));
                }
            }
        }
        check(&q, &out).map_err(|m| (entry.span(), m))?;
        out.push(q);
    }
    Ok(out)
}

/// Checks one entry against the rules and the entries before it.
fn check(q: &SavedQuery, before: &[SavedQuery]) -> Result<(), String> {
    if q.name.is_empty() || q.query.trim().is_empty() {
        return Err("a [[queries]] entry needs a name and a query".into());
    }
    if !q
        .name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(format!(
            "query name {:?} may hold only letters, digits, -, _ and .",
            q.name
        ));
    }
    if before.iter().any(|b| b.name == q.name) {
        return Err(format!("query name {:?} is used twice", q.name));
    }
    if tantivy::query_grammar::parse_query(q.query.trim()).is_err() && q.query.trim() != "*" {
        return Err(format!(
            "query {:?} of {:?} is not valid query syntax",
            q.query, q.name
        ));
    }
    if q.threshold.is_some() && !(q.alert && q.window_ns.is_some()) {
        return Err(format!(
            "query {:?}: threshold needs alert = true and a window",
            q.name
        ));
    }
    if q.alert {
        q.matcher()?;
    }
    Ok(())
}

/// The defaults (unless `with_defaults` is false) with the user's queries: a user query with a
/// default's name replaces it, the others follow in file order.
pub fn merge(user: &[SavedQuery], with_defaults: bool) -> Vec<SavedQuery> {
    let mut out: Vec<SavedQuery> = if with_defaults {
        default_queries()
            .into_iter()
            .filter(|d| !user.iter().any(|u| u.name == d.name))
            .collect()
    } else {
        Vec::new()
    };
    out.extend(user.iter().cloned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<SavedQuery>, String> {
        parse_file(text, "test.toml").map_err(|(_, m)| m)
    }

    #[test]
    fn reads_an_alert_rule_with_a_threshold() {
        let q = parse(
            r#"[[queries]]
name = "denied-deletes"
query = 'action:delete AND outcome:denied'
description = "a burst of denied deletes"
window = "5m"
alert = true
threshold = 5
"#,
        )
        .unwrap();
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].window_ns, Some(300_000_000_000));
        assert_eq!(q[0].threshold, Some(5));
        assert!(q[0].alert);
    }

    #[test]
    fn refuses_what_cannot_be_evaluated_or_is_ambiguous() {
        for (text, want) in [
            ("[[queries]]\nname = \"a\"\n", "needs a name and a query"),
            (
                "[[queries]]\nname = \"a b\"\nquery = \"x\"\n",
                "only letters",
            ),
            (
                "[[queries]]\nname = \"a\"\nquery = \"x\"\n[[queries]]\nname = \"a\"\nquery = \"y\"\n",
                "used twice",
            ),
            (
                "[[queries]]\nname = \"a\"\nquery = \"x\"\nthreshold = 3\n",
                "threshold needs alert",
            ),
            (
                "[[queries]]\nname = \"a\"\nquery = \"x\"\nwindow = \"soon\"\n",
                "must be a duration",
            ),
            (
                "[[queries]]\nname = \"a\"\nquery = \"actor:/ali.*/\"\nalert = true\n",
                "cannot be evaluated",
            ),
            (
                "[[queries]]\nname = \"a\"\nquery = \"x\"\ncolour = 1\n",
                "unknown key queries.colour",
            ),
            (
                "[[queries]]\nname = \"a\"\nquery = \"x\"\nthreshold = 0\nalert = true\nwindow = \"1m\"\n",
                "at least 1",
            ),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn defaults_parse_and_user_entries_replace_them_by_name() {
        let d = default_queries();
        assert!(d.len() >= 2, "{d:?}");
        let first = d[0].clone();
        let mine = SavedQuery {
            query: "actor:me".into(),
            origin: "config".into(),
            ..first.clone()
        };
        let merged = merge(std::slice::from_ref(&mine), true);
        assert_eq!(merged.len(), d.len());
        assert_eq!(
            merged.iter().filter(|q| q.name == first.name).count(),
            1,
            "one entry per name"
        );
        assert!(merged.contains(&mine));
        assert_eq!(merge(&[], false), Vec::<SavedQuery>::new());
    }
}
