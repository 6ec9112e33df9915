//! A labelled PromQL query as the user writes it on the command line: `LABEL=PROMQL`.

use std::str::FromStr;

use super::MetricsError;

/// A PromQL expression and the label the console shows for it.
#[derive(Clone, Debug, PartialEq)]
pub struct PromQuery {
    /// What the user sees (`error rate`).
    pub label: String,
    /// The PromQL expression sent to Prometheus.
    pub promql: String,
}

impl FromStr for PromQuery {
    type Err = MetricsError;

    /// Splits `LABEL=PROMQL` at the first `=` (PromQL itself may contain `=`, a label may not).
    /// The label is trimmed and must not be empty; neither may the PromQL. A label holding `{`
    /// or `"` is refused: that is a PromQL selector given without a label.
    fn from_str(s: &str) -> Result<PromQuery, MetricsError> {
        let bad = |detail: &str| MetricsError::BadQuery {
            input: s.to_string(),
            detail: detail.to_string(),
        };
        let Some((label, promql)) = s.split_once('=') else {
            return Err(bad("no '=' between the label and the PromQL"));
        };
        let label = label.trim();
        if label.is_empty() {
            return Err(bad("the label before '=' is empty"));
        }
        if label.contains(['{', '"']) {
            return Err(bad(
                "the text before the first '=' looks like PromQL, not a label (put a label first)",
            ));
        }
        let promql = promql.trim();
        if promql.is_empty() {
            return Err(bad("the PromQL after '=' is empty"));
        }
        Ok(PromQuery {
            label: label.to_string(),
            promql: promql.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> (String, String) {
        let q: PromQuery = s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"));
        (q.label, q.promql)
    }

    fn err(s: &str) -> String {
        match s.parse::<PromQuery>() {
            Ok(q) => panic!("{s:?} parsed as {q:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn splits_at_the_first_equals_sign() {
        assert_eq!(
            ok("error rate=sum(rate(x{code=~\"5..\"}[5m]))"),
            (
                "error rate".to_string(),
                "sum(rate(x{code=~\"5..\"}[5m]))".to_string()
            )
        );
        assert_eq!(ok("  cpu  =  up == 1 "), ("cpu".into(), "up == 1".into()));
    }

    #[test]
    fn says_what_is_missing_and_shows_the_form() {
        let e = err("rate(x[5m])");
        assert!(e.contains("no '='") && e.contains("LABEL=PROMQL"), "{e}");
        let e = err(" =up");
        assert!(e.contains("label") && e.contains("empty"), "{e}");
        assert!(e.contains("LABEL=PROMQL"), "{e}");
        let e = err("errors=  ");
        assert!(e.contains("PromQL") && e.contains("empty"), "{e}");
        let e = err("up{job=\"api\"}");
        assert!(e.contains("looks like PromQL"), "{e}");
        assert!(
            e.contains("\"up{job=\\\"api\\\"}\""),
            "quotes the input: {e}"
        );
    }
}
