//! A query, compiled to run on events read from verified copies instead of on the index.
//!
//! It gives the answer the structured index gives for the same text: the same grammar
//! (Tantivy's), conjunction by default, `NOT` anchored the same way, exact terms on the
//! keyword fields (they are raw-tokenized in the index), prefixes, sets, ranges and `*`
//! existence. Anything the structured index does not answer either (free text, `record.`
//! paths) or whose index semantics are not mirrored exactly here (regexes, a term on `time`) is
//! [`Unsupported`]: such a query waits for the index rather than getting a different answer.

use std::collections::HashSet;
use std::ops::Bound;

use tantivy::query_grammar::{Occur, UserInputAst, UserInputBound, UserInputLeaf};

use crate::event::time::parse_rfc3339_ns;
use crate::index::schema::{KEYWORDS, OFFSET, ORD, POS, SEQ, TIME};

/// The query cannot be answered by scanning (the reason says why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

/// One event as a query sees it: its place, time and canonical keyword values (an empty value
/// counts as absent, as in the index).
pub trait Fields {
    /// Event time, ns.
    fn time(&self) -> i64;
    /// Segment seq.
    fn seq(&self) -> u64;
    /// Position in the segment.
    fn pos(&self) -> u64;
    /// Byte offset of the line in the segment file.
    fn offset(&self) -> u64;
    /// Value of keyword `KEYWORDS[k]`.
    fn keyword(&self, k: usize) -> Option<&str>;
}

/// A numeric field of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Num {
    /// Segment seq.
    Seq,
    /// Position in the segment.
    Pos,
    /// Byte offset of the line.
    Offset,
    /// `seq << 24 | pos`.
    Ord,
}

/// A compiled query.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Every event.
    All,
    /// Boolean combination: every `must`, no `must_not`, and one `should` when there is no
    /// `must`.
    Bool {
        /// Required.
        must: Vec<Matcher>,
        /// Optional (one required when `must` is empty).
        should: Vec<Matcher>,
        /// Excluded.
        must_not: Vec<Matcher>,
    },
    /// Keyword equals.
    Term(usize, String),
    /// Keyword starts with.
    Prefix(usize, String),
    /// Keyword is one of.
    Set(usize, HashSet<String>),
    /// Keyword within bounds (byte order).
    KeywordRange(usize, Bound<String>, Bound<String>),
    /// Keyword present.
    Exists(usize),
    /// Number equals one of.
    NumSet(Num, Vec<u64>),
    /// Number within bounds.
    NumRange(Num, Bound<u64>, Bound<u64>),
    /// Time within bounds, ns.
    TimeRange(Bound<i64>, Bound<i64>),
}

fn keyword(name: &str) -> Option<usize> {
    KEYWORDS.iter().position(|k| *k == name)
}

/// Rewrites a prefix on a keyword field — `resource:secrets/prod/*` or `actor:"system:node:"*` —
/// into the range of values starting with it (`[P TO Q}`, Q being P with its last character
/// moved one up), which both the index and the scan answer exactly. Keyword values are whole,
/// untokenized strings, so Tantivy itself reads the first form as the literal `…*` and refuses
/// the second.
pub(crate) fn prefixes_as_ranges(ast: &mut UserInputAst) {
    match ast {
        UserInputAst::Clause(cs) => cs.iter_mut().for_each(|(_, c)| prefixes_as_ranges(c)),
        UserInputAst::Boost(inner, _) => prefixes_as_ranges(inner),
        UserInputAst::Leaf(leaf) => {
            let UserInputLeaf::Literal(l) = leaf.as_ref() else {
                return;
            };
            let Some(field) = l.field_name.clone().filter(|f| keyword(f).is_some()) else {
                return;
            };
            let bare_star = matches!(l.delimiter, tantivy::query_grammar::Delimiter::None)
                && l.phrase.ends_with('*')
                && l.phrase.matches('*').count() == 1;
            let prefix = if l.prefix {
                l.phrase.clone()
            } else if bare_star {
                l.phrase.trim_end_matches('*').to_owned()
            } else {
                return;
            };
            let Some(last) = prefix.chars().last() else {
                return;
            };
            let upper = char::from_u32(last as u32 + 1).map_or(UserInputBound::Unbounded, |c| {
                let mut u = prefix[..prefix.len() - last.len_utf8()].to_owned();
                u.push(c);
                UserInputBound::Exclusive(u)
            });
            **leaf = UserInputLeaf::Range {
                field: Some(field),
                lower: UserInputBound::Inclusive(prefix),
                upper,
            };
        }
    }
}

fn num(name: &str) -> Option<Num> {
    match name {
        SEQ => Some(Num::Seq),
        POS => Some(Num::Pos),
        OFFSET => Some(Num::Offset),
        ORD => Some(Num::Ord),
        _ => None,
    }
}

fn unsupported<T>(why: impl Into<String>) -> Result<T, Unsupported> {
    Err(Unsupported(why.into()))
}

fn parse_u64(field: &str, s: &str) -> Result<u64, Unsupported> {
    s.parse()
        .map_err(|_| Unsupported(format!("{field}: {s:?} is not a number")))
}

fn bound<T>(
    b: &UserInputBound,
    conv: impl Fn(&str) -> Result<T, Unsupported>,
) -> Result<Bound<T>, Unsupported> {
    Ok(match b {
        UserInputBound::Inclusive(s) if s != "*" => Bound::Included(conv(s)?),
        UserInputBound::Exclusive(s) if s != "*" => Bound::Excluded(conv(s)?),
        _ => Bound::Unbounded,
    })
}

impl Matcher {
    /// Compiles query text (empty or `*` for everything).
    pub fn compile(text: &str) -> Result<Matcher, Unsupported> {
        let t = text.trim();
        if t.is_empty() || t == "*" {
            return Ok(Matcher::All);
        }
        let mut ast = tantivy::query_grammar::parse_query(t)
            .map_err(|_| Unsupported("query syntax".into()))?;
        super::super::parse::anchor_exclusions(&mut ast);
        prefixes_as_ranges(&mut ast);
        Self::from_ast(&ast)
    }

    fn from_ast(ast: &UserInputAst) -> Result<Matcher, Unsupported> {
        match ast {
            UserInputAst::Boost(inner, _) => Self::from_ast(inner),
            UserInputAst::Leaf(leaf) => Self::from_leaf(leaf),
            UserInputAst::Clause(clauses) => {
                let (mut must, mut should, mut must_not) = (Vec::new(), Vec::new(), Vec::new());
                for (occur, sub) in clauses {
                    let m = Self::from_ast(sub)?;
                    match occur.unwrap_or(Occur::Must) {
                        Occur::Must => must.push(m),
                        Occur::Should => should.push(m),
                        Occur::MustNot => must_not.push(m),
                    }
                }
                Ok(Matcher::Bool {
                    must,
                    should,
                    must_not,
                })
            }
        }
    }

    fn from_leaf(leaf: &UserInputLeaf) -> Result<Matcher, Unsupported> {
        match leaf {
            UserInputLeaf::All => Ok(Matcher::All),
            UserInputLeaf::Literal(l) => {
                let Some(field) = l.field_name.as_deref() else {
                    return unsupported("free text needs the full-text index");
                };
                if let Some(k) = keyword(field) {
                    return Ok(if l.prefix {
                        Matcher::Prefix(k, l.phrase.clone())
                    } else {
                        Matcher::Term(k, l.phrase.clone())
                    });
                }
                match num(field) {
                    Some(n) if !l.prefix => {
                        Ok(Matcher::NumSet(n, vec![parse_u64(field, &l.phrase)?]))
                    }
                    _ => unsupported(format!("a term on {field}")),
                }
            }
            UserInputLeaf::Set { field, elements } => {
                let Some(field) = field.as_deref() else {
                    return unsupported("a set without a field");
                };
                if let Some(k) = keyword(field) {
                    return Ok(Matcher::Set(k, elements.iter().cloned().collect()));
                }
                match num(field) {
                    Some(n) => Ok(Matcher::NumSet(
                        n,
                        elements
                            .iter()
                            .map(|e| parse_u64(field, e))
                            .collect::<Result<_, _>>()?,
                    )),
                    None => unsupported(format!("a set on {field}")),
                }
            }
            UserInputLeaf::Range {
                field,
                lower,
                upper,
            } => {
                let Some(field) = field.as_deref() else {
                    return unsupported("a range without a field");
                };
                if let Some(k) = keyword(field) {
                    let s = |x: &str| Ok(x.to_string());
                    return Ok(Matcher::KeywordRange(k, bound(lower, s)?, bound(upper, s)?));
                }
                if field == TIME {
                    let t = |x: &str| parse_rfc3339_ns(x).map_err(Unsupported);
                    return Ok(Matcher::TimeRange(bound(lower, t)?, bound(upper, t)?));
                }
                match num(field) {
                    Some(n) => {
                        let u = |x: &str| parse_u64(field, x);
                        Ok(Matcher::NumRange(n, bound(lower, u)?, bound(upper, u)?))
                    }
                    None => unsupported(format!("a range on {field}")),
                }
            }
            UserInputLeaf::Exists { field } => match keyword(field) {
                Some(k) => Ok(Matcher::Exists(k)),
                None if field == TIME || num(field).is_some() => Ok(Matcher::All),
                None => unsupported(format!("{field}:* ")),
            },
            UserInputLeaf::Regex { .. } => unsupported("regular expressions"),
        }
    }

    /// Whether `e` matches.
    pub fn matches(&self, e: &impl Fields) -> bool {
        match self {
            Matcher::All => true,
            Matcher::Bool {
                must,
                should,
                must_not,
            } => {
                must.iter().all(|m| m.matches(e))
                    && !must_not.iter().any(|m| m.matches(e))
                    && (!must.is_empty() || should.iter().any(|m| m.matches(e)))
            }
            Matcher::Term(k, v) => e.keyword(*k) == Some(v.as_str()),
            Matcher::Prefix(k, p) => e.keyword(*k).is_some_and(|v| v.starts_with(p.as_str())),
            Matcher::Set(k, set) => e.keyword(*k).is_some_and(|v| set.contains(v)),
            Matcher::KeywordRange(k, lo, hi) => e.keyword(*k).is_some_and(|v| {
                within(
                    v,
                    lo.as_ref().map(String::as_str),
                    hi.as_ref().map(String::as_str),
                )
            }),
            Matcher::Exists(k) => e.keyword(*k).is_some(),
            Matcher::NumSet(n, set) => set.contains(&value(*n, e)),
            Matcher::NumRange(n, lo, hi) => within(value(*n, e), *lo, *hi),
            Matcher::TimeRange(lo, hi) => within(e.time(), *lo, *hi),
        }
    }
}

/// Substrings a line's raw bytes must contain for `m` to match it, as clauses of alternatives
/// (every clause needs one of its alternatives); empty when nothing is required.
///
/// Every keyword value is one JSON string of the record taken as it is, except two joins: a
/// Kubernetes resource (`resource.group/subresource/namespace/name`, joined with `.` and `/`)
/// and a CloudTrail action (`service:EventName`). So the whole value (or, for those two fields,
/// each piece between the separators) is a substring of one JSON string of the record, and in
/// a line without any backslash every JSON string is stored exactly as it reads. Lines with
/// escapes are checked with their escapes decoded. Outcomes are derived (a status code becomes
/// `denied`) and give no witness; neither does a value a JSON number could have produced in
/// another spelling (`1e3` for `1000`).
pub fn witnesses(m: &Matcher) -> Vec<Vec<String>> {
    const ACTION: usize = 1;
    const RESOURCE: usize = 2;
    const OUTCOME: usize = 3;
    fn number_like(p: &str) -> bool {
        p.bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
            && p.bytes().filter(|c| *c == b'.').count() <= 1
    }
    fn piece(k: usize, v: &str) -> Option<String> {
        let seps: &[char] = match k {
            ACTION => &[':'],
            RESOURCE => &['.', '/'],
            _ => &[],
        };
        let best = v
            .split(seps)
            .filter(|p| !number_like(p))
            .max_by_key(|p| p.len())
            .filter(|p| p.len() >= 2)?;
        let escaped = best
            .chars()
            .any(|c| c == '"' || c == '\\' || c.is_control());
        (!escaped).then(|| best.to_string())
    }
    match m {
        Matcher::Term(k, v) | Matcher::Prefix(k, v) if *k != OUTCOME => {
            piece(*k, v).map(|p| vec![vec![p]]).unwrap_or_default()
        }
        Matcher::Set(k, vals) if *k != OUTCOME => {
            let alts: Option<Vec<String>> = vals.iter().map(|v| piece(*k, v)).collect();
            alts.filter(|a| !a.is_empty())
                .map(|a| vec![a])
                .unwrap_or_default()
        }
        Matcher::Bool { must, .. } => must.iter().flat_map(witnesses).collect(),
        _ => Vec::new(),
    }
}

fn value(n: Num, e: &impl Fields) -> u64 {
    match n {
        Num::Seq => e.seq(),
        Num::Pos => e.pos(),
        Num::Offset => e.offset(),
        Num::Ord => (e.seq() << 24) | e.pos().min(crate::index::schema::MAX_POS),
    }
}

fn within<T: PartialOrd>(v: T, lo: Bound<T>, hi: Bound<T>) -> bool {
    let above = match lo {
        Bound::Included(l) => v >= l,
        Bound::Excluded(l) => v > l,
        Bound::Unbounded => true,
    };
    let below = match hi {
        Bound::Included(h) => v <= h,
        Bound::Excluded(h) => v < h,
        Bound::Unbounded => true,
    };
    above && below
}

#[cfg(test)]
mod tests {
    use super::*;

    struct E {
        time: i64,
        seq: u64,
        values: [Option<&'static str>; 9],
    }

    impl Fields for E {
        fn time(&self) -> i64 {
            self.time
        }
        fn seq(&self) -> u64 {
            self.seq
        }
        fn pos(&self) -> u64 {
            3
        }
        fn offset(&self) -> u64 {
            100
        }
        fn keyword(&self, k: usize) -> Option<&str> {
            self.values[k]
        }
    }

    fn ev(actor: &'static str, action: &'static str, outcome: &'static str) -> E {
        let mut values = [None; 9];
        values[0] = Some(actor);
        values[1] = Some(action);
        values[3] = Some(outcome);
        E {
            time: 1_000_000_000,
            seq: 7,
            values,
        }
    }

    fn m(q: &str, e: &E) -> bool {
        Matcher::compile(q).expect(q).matches(e)
    }

    #[test]
    fn terms_booleans_and_not() {
        let e = ev("alice", "delete", "denied");
        assert!(m("actor:alice", &e));
        assert!(!m("actor:ali", &e));
        // A trailing `*` on a keyword value is a prefix (rewritten to a range the index answers
        // the same way); bare or quoted.
        assert!(m("actor:ali*", &e));
        assert!(m(r#"actor:"ali"*"#, &e));
        assert!(!m("actor:alx*", &e));
        assert!(!m("actor:alice2*", &e));
        assert!(m("actor:alice*", &e));
        assert!(!m("NOT actor:al*", &e));
        // A star elsewhere is not a prefix.
        assert!(!m("actor:a*e", &e));
        assert!(m("actor:alice action:delete", &e));
        assert!(!m("actor:alice action:get", &e));
        assert!(m("actor:bob OR action:delete", &e));
        assert!(m("NOT outcome:success", &e));
        assert!(!m("actor:alice AND NOT outcome:denied", &e));
        assert!(m("actor: IN [bob alice]", &e));
        assert!(m("actor:[a TO b}", &e));
        assert!(!m("actor:{alice TO *]", &e));
        assert!(m("source_ip:* OR actor:*", &e));
        assert!(!m("source_ip:*", &e));
        assert!(m("seq:7 AND seq:[5 TO 9]", &e));
        assert!(m("time:[1970-01-01T00:00:01Z TO *]", &e));
        assert!(!m("time:{1970-01-01T00:00:01Z TO *]", &e));
        assert!(m("*", &e) && m("", &e));
    }

    #[test]
    fn witnesses_are_pieces_of_required_values() {
        let w = |q: &str| witnesses(&Matcher::compile(q).expect(q));
        assert_eq!(w("actor:alice"), vec![vec!["alice".to_string()]]);
        assert_eq!(
            w(r#"actor:"system:serviceaccount:ns-24:mailer-sa""#),
            vec![vec!["system:serviceaccount:ns-24:mailer-sa".to_string()]]
        );
        assert_eq!(
            w(r#"source_ip:"203.0.113.5""#),
            vec![vec!["203.0.113.5".to_string()]]
        );
        assert!(w("source_ip:12.5").is_empty());
        assert_eq!(
            w(r#"resource:"deployments.apps/prod/web-frontend" AND outcome:denied"#),
            vec![vec!["web-frontend".to_string()]]
        );
        assert_eq!(
            w("action:s3\\:DeleteBucket"),
            vec![vec!["DeleteBucket".to_string()]]
        );
        assert!(w("outcome:denied").is_empty());
        assert!(w("actor:alice OR actor:bob").is_empty());
        assert!(w("request_id:12345").is_empty());
        assert!(w("NOT actor:alice").is_empty());
        let mut set = w("actor: IN [bob alice]");
        set[0].sort();
        assert_eq!(set, vec![vec!["alice".to_string(), "bob".to_string()]]);
    }

    #[test]
    fn what_only_an_index_answers_is_refused() {
        for q in [
            "hello",
            "record.verb:get",
            "actor:/al.*/",
            "time:1970-01-01T00:00:01Z",
        ] {
            assert!(Matcher::compile(q).is_err(), "{q}");
        }
    }
}
