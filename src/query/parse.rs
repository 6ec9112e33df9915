//! Query text to a Tantivy query, with the time range, and the choice of index.

use std::collections::BTreeSet;
use std::ops::Bound;

use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery};
use tantivy::schema::Field;
use tantivy::{DateTime, Term};

use super::{Filter, Opened, QueryError, Workspace};
use crate::index::IndexKind;
use crate::index::schema::{self, Fields};

/// A query ready to run.
pub struct ParsedQuery {
    /// The query, time range included.
    pub query: Box<dyn Query>,
    /// Whether it needs the full index.
    pub needs_full: bool,
}

/// Whether the text matches everything.
fn is_match_all(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || t == "*"
}

fn parser_for(opened: &Opened) -> QueryParser {
    let f = &opened.index.fields;
    let default: Vec<Field> = match opened.index.kind {
        IndexKind::Full => f.text.into_iter().collect(),
        IndexKind::Structured => Vec::new(),
    };
    let mut p = QueryParser::for_index(&opened.index.index, default);
    p.set_conjunction_by_default();
    p
}

/// The position of the first syntax error in `text`, as Tantivy's lenient grammar sees it.
fn syntax_error(text: &str) -> Option<(usize, String)> {
    let (_, errors) = tantivy::query_grammar::parse_query_lenient(text);
    errors.into_iter().next().map(|e| (e.pos, e.message))
}

/// Names of the fields `text` refers to (`field:` prefixes; bare terms count as `text`).
fn fields_named(text: &str) -> Result<BTreeSet<String>, QueryError> {
    let (ast, errors) = tantivy::query_grammar::parse_query_lenient(text);
    if let Some(e) = errors.into_iter().next() {
        return Err(QueryError::Syntax {
            pos: Some(e.pos),
            message: e.message,
        });
    }
    let mut out = BTreeSet::new();
    collect_fields(&ast, &mut out);
    Ok(out)
}

fn collect_fields(ast: &tantivy::query_grammar::UserInputAst, out: &mut BTreeSet<String>) {
    use tantivy::query_grammar::{UserInputAst, UserInputLeaf};
    match ast {
        UserInputAst::Clause(cs) => cs.iter().for_each(|(_, c)| collect_fields(c, out)),
        UserInputAst::Boost(inner, _) => collect_fields(inner, out),
        UserInputAst::Leaf(leaf) => {
            let name = match leaf.as_ref() {
                UserInputLeaf::Literal(l) => l.field_name.clone(),
                UserInputLeaf::All => Some(schema::SEQ.to_string()),
                UserInputLeaf::Range { field, .. } => field.clone(),
                UserInputLeaf::Set { field, .. } => field.clone(),
                UserInputLeaf::Exists { field } => Some(field.clone()),
                UserInputLeaf::Regex { field, .. } => field.clone(),
            };
            out.insert(name.unwrap_or_else(|| schema::TEXT.to_string()));
        }
    }
}

/// Parses the filter for `ws`: decides the index, parses the text with that index's schema,
/// and adds the time range (and, on the full index, the pulled range of segments).
pub fn parse<'a>(
    ws: &'a Workspace,
    filter: &Filter,
) -> Result<(ParsedQuery, &'a Opened), QueryError> {
    let needs_full = if is_match_all(&filter.query) {
        false
    } else {
        fields_named(&filter.query)?.iter().any(|f| {
            let root = f.split('.').next().unwrap_or(f);
            !schema::is_structured_field(root)
        })
    };
    let (opened, _) = ws.pick(needs_full)?;
    let fields = &opened.index.fields;
    let text_query: Box<dyn Query> = if is_match_all(&filter.query) {
        Box::new(AllQuery)
    } else {
        let parser = parser_for(opened);
        // Tantivy reads `a AND NOT b` as `+a +(-b)`, and a clause of exclusions alone matches
        // nothing (or is refused). Give every such clause an explicit "all documents" to
        // exclude from, so NOT means what people mean.
        match tantivy::query_grammar::parse_query(&filter.query) {
            Ok(mut ast) => {
                anchor_exclusions(&mut ast);
                crate::query::scan::matcher::prefixes_as_ranges(&mut ast);
                parser.build_query_from_user_input_ast(ast)
            }
            Err(_) => parser.parse_query(&filter.query),
        }
        .map_err(|e| {
            let (pos, message) = match syntax_error(&filter.query) {
                Some((pos, m)) => (Some(pos), m),
                None => (position_of(&filter.query, &e), e.to_string()),
            };
            QueryError::Syntax { pos, message }
        })?
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
    if let Some(r) = time_range(fields, filter)? {
        clauses.push((Occur::Must, r));
    }
    if opened.index.kind == IndexKind::Full {
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(
                Bound::Unbounded,
                Bound::Excluded(Term::from_field_u64(fields.seq, ws.head().segments)),
            )),
        ));
    }
    let query: Box<dyn Query> = if clauses.len() == 1 {
        clauses.pop().expect("one clause").1
    } else {
        Box::new(BooleanQuery::new(clauses))
    };
    Ok((ParsedQuery { query, needs_full }, opened))
}

/// Adds a "match all" requirement to every clause made only of exclusions.
pub(crate) fn anchor_exclusions(ast: &mut tantivy::query_grammar::UserInputAst) {
    use tantivy::query_grammar::{Occur as O, UserInputAst, UserInputLeaf};
    match ast {
        UserInputAst::Clause(clauses) => {
            clauses.iter_mut().for_each(|(_, c)| anchor_exclusions(c));
            if !clauses.is_empty() && clauses.iter().all(|(o, _)| *o == Some(O::MustNot)) {
                clauses.push((
                    Some(O::Must),
                    UserInputAst::Leaf(Box::new(UserInputLeaf::All)),
                ));
            }
        }
        UserInputAst::Boost(inner, _) => anchor_exclusions(inner),
        UserInputAst::Leaf(_) => {}
    }
}

/// Where in `text` a semantic error (unknown field, bad value) points, when it names something.
fn position_of(text: &str, e: &tantivy::query::QueryParserError) -> Option<usize> {
    use tantivy::query::QueryParserError as E;
    let needle = match e {
        E::FieldDoesNotExist(f) => format!("{f}:"),
        E::ExpectedInt(_) | E::ExpectedFloat(_) | E::ExpectedBool(_) | E::DateFormatError(_) => {
            return text.find(':').map(|p| p + 1);
        }
        _ => return None,
    };
    text.find(&needle)
}

fn time_range(fields: &Fields, filter: &Filter) -> Result<Option<Box<dyn Query>>, QueryError> {
    if let (Some(f), Some(t)) = (filter.from, filter.to) {
        if f >= t {
            return Err(QueryError::Argument(format!(
                "--from ({}) is not before --to ({})",
                crate::event::time::format_ns(f),
                crate::event::time::format_ns(t)
            )));
        }
    }
    let term = |ns: i64| Term::from_field_date(fields.time, DateTime::from_timestamp_nanos(ns));
    let lower = filter
        .from
        .map_or(Bound::Unbounded, |f| Bound::Included(term(f)));
    let upper = filter
        .to
        .map_or(Bound::Unbounded, |t| Bound::Excluded(term(t)));
    if matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
        return Ok(None);
    }
    Ok(Some(Box::new(RangeQuery::new(lower, upper))))
}
