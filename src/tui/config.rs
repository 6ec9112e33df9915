//! The console's config file: theme, default time window, key overrides, redaction.
//!
//! The file lives at `$TRAILSCOPE_CONFIG` when that is set, else in the platform config
//! directory (`~/.config/trailscope/config.toml` on Linux). Every key is optional; a missing
//! file means the defaults, unless it was named explicitly (`TRAILSCOPE_CONFIG`, `--config`).
//! Unknown keys and wrong types are errors naming the key and line, so a typo is never ignored.
//!
//! ```toml
//! theme = "dark"            # built-in name, a theme in the config dir's themes/, or a path
//! window = "-24h"           # default start of the time window (RFC 3339, now, -15m/-2h/-7d);
//!                           # "all" = whole store (default)
//! bell = true               # ring the terminal bell when an alert fires (default true)
//! default_queries = true    # include the saved queries shipped in assets/queries/
//! redact = ["request.body", "response.body"]   # fields masked in the console
//! prometheus = "http://127.0.0.1:9090"   # metrics source (also --prometheus)
//! jaeger = "http://127.0.0.1:16686"       # trace lookup (also --jaeger)
//! [correlation]             # the audit events shown around a metric anomaly (`a`/`A`)
//! before = "5m"
//! after = "1m"
//! [keys]
//! quit = ["q", "ctrl-c"]    # action name = list of keys (or one string); replaces that
//!                           # action's default keys
//! search = "/"
//! [[metrics]]               # one line per metric under the histogram (also --metric)
//! label = "error rate"
//! query = 'sum(rate(http_requests_total{code=~"5.."}[1m]))'
//! [[queries]]              # saved queries and alert rules (see `alert::rules`)
//! name = "prod-secret-reads"
//! query = 'action:get AND resource:secrets/prod/*'
//! alert = true
//! ```
//!
//! User themes go in `themes/` beside the config file (`~/.config/trailscope/themes/NAME.toml`),
//! and are then selected with `theme = "NAME"`.

use std::ffi::OsString;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

/// The environment variable naming the config file explicitly.
const CONFIG_ENV: &str = "TRAILSCOPE_CONFIG";

/// The config file to read: `$TRAILSCOPE_CONFIG` if set, else the platform config directory's
/// `config.toml` (None when there is no home directory).
pub fn default_config_path() -> Option<PathBuf> {
    explicit_path(std::env::var_os(CONFIG_ENV)).or_else(|| Some(project_dir()?.join("config.toml")))
}

/// Where user themes live: `themes/` beside the config file.
pub fn user_theme_dir() -> Option<PathBuf> {
    theme_dir_for(explicit_path(std::env::var_os(CONFIG_ENV)), project_dir())
}

fn explicit_path(env: Option<OsString>) -> Option<PathBuf> {
    env.filter(|v| !v.is_empty()).map(PathBuf::from)
}

fn project_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "trailscope", "trailscope")
        .map(|d| d.config_dir().to_path_buf())
}

fn theme_dir_for(explicit: Option<PathBuf>, project: Option<PathBuf>) -> Option<PathBuf> {
    match explicit {
        Some(file) => Some(file.parent().unwrap_or(Path::new("")).join("themes")),
        None => Some(project?.join("themes")),
    }
}

/// The settings read from the config file; `Config::default()` is what no file means.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// The theme spec for `Theme::load` (None: the default theme).
    pub theme: Option<String>,
    /// The default window start as written (already checked to parse); None means the whole
    /// store, which is also what `"all"` becomes.
    pub window: Option<String>,
    /// Key overrides in file order; each replaces its action's default keys.
    pub keys: Vec<KeyOverride>,
    /// Field paths masked in the console.
    pub redact: Vec<String>,
    /// Whether `bell = false` turned the alert bell off (the bell rings by default).
    pub no_bell: bool,
    /// Whether `default_queries = false` dropped the shipped saved queries.
    pub no_default_queries: bool,
    /// The `[[queries]]` entries, in file order (without the defaults: see
    /// [`Config::saved_queries`]).
    pub queries: Vec<crate::alert::SavedQuery>,
    /// Prometheus-compatible API the `[[metrics]]` queries go to.
    pub prometheus: Option<String>,
    /// Metric queries, in file order.
    pub metrics: Vec<crate::metrics::PromQuery>,
    /// Jaeger-compatible query API for traces not found in the store.
    pub jaeger: Option<String>,
    /// Audit events shown around a metric anomaly: this long before its onset…
    pub before_ns: Option<i64>,
    /// …and this long after.
    pub after_ns: Option<i64>,
    /// The file this came from (None for defaults), for error messages.
    pub source: Option<PathBuf>,
}

/// One `[keys]` entry, unvalidated: the keymap checks the action and key names and reports
/// faults with `line`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyOverride {
    /// The action name as written.
    pub action: String,
    /// The key specs as written (see `keys::KeySpec::parse`); empty unbinds the action.
    pub keys: Vec<String>,
    /// 1-based line of the entry in the config file.
    pub line: usize,
}

/// Why the config file could not be used; each message names the file, and the line when
/// there is one.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file was named explicitly and does not exist.
    #[error("config file {} not found (named by {CONFIG_ENV} or --config)", path.display())]
    NotFound {
        /// The file.
        path: PathBuf,
    },
    /// The file exists but could not be read (permissions, not UTF-8…).
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{} line {line}, column {column}: invalid TOML: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A key is unknown or has the wrong type or value.
    #[error("{} line {line}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong, naming the key.
        message: String,
    },
}

impl Config {
    /// The saved queries: the shipped defaults (unless `default_queries = false`), each
    /// replaced by a `[[queries]]` entry of the same name, then the other entries.
    pub fn saved_queries(&self) -> Vec<crate::alert::SavedQuery> {
        crate::alert::rules::merge(&self.queries, !self.no_default_queries)
    }

    /// Whether alerts ring the terminal bell.
    pub fn bell(&self) -> bool {
        !self.no_bell
    }

    /// Loads `path`; a missing file is the defaults unless `explicit` (then an error).
    pub fn load(path: Option<&Path>, explicit: bool) -> Result<Config, ConfigError> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                Ok(Config::default())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ConfigError::NotFound {
                path: path.to_owned(),
            }),
            Err(source) => Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Loads the file `default_config_path` names; explicit when `TRAILSCOPE_CONFIG` is set.
    pub fn load_default() -> Result<Config, ConfigError> {
        let explicit = explicit_path(std::env::var_os(CONFIG_ENV)).is_some();
        Config::load(default_config_path().as_deref(), explicit)
    }

    /// Parses config text; `path` is recorded as the source and named in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |span: Range<usize>, message: String| ConfigError::Invalid {
            path: path.to_owned(),
            line: line_col(text, span.start).0,
            message,
        };
        let doc = DeTable::parse(text).map_err(|e| {
            let (line, column) = line_col(text, e.span().map_or(0, |s| s.start));
            ConfigError::Syntax {
                path: path.to_owned(),
                line,
                column,
                message: e.message().to_owned(),
            }
        })?;
        let mut config = Config {
            source: Some(path.to_owned()),
            ..Config::default()
        };
        for (key, value) in in_file_order(doc.get_ref()) {
            let name = key.get_ref().as_ref();
            let wrong_type = |expected: &str| {
                let found = value.get_ref().type_str();
                invalid(
                    value.span(),
                    format!("{name} must be {expected}, not {found}"),
                )
            };
            match name {
                "theme" => {
                    let s = value
                        .get_ref()
                        .as_str()
                        .ok_or_else(|| wrong_type("a string"))?;
                    config.theme = Some(s.to_owned());
                }
                "window" => {
                    let s = value
                        .get_ref()
                        .as_str()
                        .ok_or_else(|| wrong_type("a string"))?;
                    if !s.trim().eq_ignore_ascii_case("all") {
                        let now = crate::query::time_arg::now_ns();
                        crate::query::time_arg::parse_time_arg(s, now)
                            .map_err(|m| invalid(value.span(), format!("window {m}")))?;
                        config.window = Some(s.to_owned());
                    }
                }
                "bell" => {
                    config.no_bell = !value
                        .get_ref()
                        .as_bool()
                        .ok_or_else(|| wrong_type("true or false"))?;
                }
                "default_queries" => {
                    config.no_default_queries = !value
                        .get_ref()
                        .as_bool()
                        .ok_or_else(|| wrong_type("true or false"))?;
                }
                "queries" => {
                    let origin = path.display().to_string();
                    config.queries = crate::alert::rules::parse_entries(value, &origin)
                        .map_err(|(span, m)| invalid(span, m))?;
                }
                "redact" => {
                    config.redact = string_list(value.get_ref())
                        .ok_or_else(|| wrong_type("a list of strings"))?;
                }
                "keys" => {
                    let DeValue::Table(keys) = value.get_ref() else {
                        return Err(wrong_type("a table ([keys])"));
                    };
                    for (action, spec) in in_file_order(keys) {
                        let keys = string_list(spec.get_ref()).ok_or_else(|| {
                            let found = spec.get_ref().type_str();
                            let msg = format!(
                                "keys.{} must be a key or a list of keys, such as [\"q\", \"ctrl-c\"], not {found}",
                                action.get_ref()
                            );
                            invalid(spec.span(), msg)
                        })?;
                        config.keys.push(KeyOverride {
                            action: action.get_ref().to_string(),
                            keys,
                            line: line_col(text, action.span().start).0,
                        });
                    }
                }
                "prometheus" | "jaeger" => {
                    let s = value
                        .get_ref()
                        .as_str()
                        .ok_or_else(|| wrong_type("a URL string"))?;
                    if !(s.starts_with("http://") || s.starts_with("https://")) {
                        return Err(invalid(
                            value.span(),
                            format!("{name} must be an http:// or https:// URL, not {s:?}"),
                        ));
                    }
                    let slot = if name == "prometheus" {
                        &mut config.prometheus
                    } else {
                        &mut config.jaeger
                    };
                    *slot = Some(s.to_owned());
                }
                "correlation" => {
                    let DeValue::Table(t) = value.get_ref() else {
                        return Err(wrong_type("a table ([correlation])"));
                    };
                    for (k, v) in in_file_order(t) {
                        let key_name = k.get_ref().as_ref();
                        let slot = match key_name {
                            "before" => &mut config.before_ns,
                            "after" => &mut config.after_ns,
                            other => {
                                return Err(invalid(
                                    k.span(),
                                    format!(
                                        "unknown key correlation.{other} (known: before, after)"
                                    ),
                                ));
                            }
                        };
                        let d = v
                            .get_ref()
                            .as_str()
                            .and_then(|s| duration_ns(s).ok())
                            .ok_or_else(|| {
                                invalid(
                                    v.span(),
                                    format!(
                                        "correlation.{key_name} must be a duration such as \"5m\", \"90s\" or \"1h\""
                                    ),
                                )
                            })?;
                        *slot = Some(d);
                    }
                }
                "metrics" => {
                    let DeValue::Array(list) = value.get_ref() else {
                        return Err(wrong_type("a list of tables ([[metrics]])"));
                    };
                    for entry in list.iter() {
                        let DeValue::Table(t) = entry.get_ref() else {
                            return Err(invalid(
                                entry.span(),
                                "each [[metrics]] entry must be a table with label and query"
                                    .into(),
                            ));
                        };
                        let (mut label, mut query) = (None, None);
                        for (k, v) in in_file_order(t) {
                            let slot = match k.get_ref().as_ref() {
                                "label" => &mut label,
                                "query" => &mut query,
                                other => {
                                    return Err(invalid(
                                        k.span(),
                                        format!(
                                            "unknown key metrics.{other} (known: label, query)"
                                        ),
                                    ));
                                }
                            };
                            let s = v.get_ref().as_str().filter(|s| !s.trim().is_empty());
                            *slot = Some(s.map(str::to_owned).ok_or_else(|| {
                                invalid(
                                    v.span(),
                                    format!(
                                        "metrics.{} must be a non-empty string",
                                        k.get_ref().as_ref()
                                    ),
                                )
                            })?);
                        }
                        match (label, query) {
                            (Some(label), Some(promql)) => {
                                config.metrics.push(crate::metrics::PromQuery {
                                    label: label.trim().to_owned(),
                                    promql,
                                })
                            }
                            _ => {
                                return Err(invalid(
                                    entry.span(),
                                    "a [[metrics]] entry needs both label and query".into(),
                                ));
                            }
                        }
                    }
                }
                other => {
                    let msg = format!(
                        "unknown key {other:?} (known keys: theme, window, bell, default_queries, redact, prometheus, jaeger, [correlation], [[metrics]], [[queries]], [keys])"
                    );
                    return Err(invalid(key.span(), msg));
                }
            }
        }
        Ok(config)
    }
}

/// A duration such as `500ms`, `5m`, `90s`, `1h` or `2d` (also with a leading `-` or `+`, ignored), in
/// nanoseconds.
pub fn duration_ns(s: &str) -> Result<i64, String> {
    let t = s.trim().trim_start_matches(['-', '+']);
    if let Some(ms) = t.strip_suffix("ms") {
        return ms
            .parse::<i64>()
            .ok()
            .and_then(|n| n.checked_mul(1_000_000))
            .ok_or_else(|| format!("{s:?}: expected a number of milliseconds before ms"));
    }
    let d = crate::query::time_arg::parse_time_arg(&format!("-{t}"), 0)?;
    Ok(d.saturating_neg())
}

/// A table's entries in the order they appear in the file, so the first fault is reported.
pub(crate) fn in_file_order<'a, 'i>(
    t: &'a DeTable<'i>,
) -> Vec<(
    &'a toml::Spanned<toml::de::DeString<'i>>,
    &'a toml::Spanned<DeValue<'i>>,
)> {
    let mut v: Vec<_> = t.iter().collect();
    v.sort_by_key(|(k, _)| k.span().start);
    v
}

/// A string or an array of strings, as a list.
fn string_list(v: &DeValue<'_>) -> Option<Vec<String>> {
    match v {
        DeValue::String(s) => Some(vec![s.to_string()]),
        DeValue::Array(a) => a
            .iter()
            .map(|e| e.get_ref().as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/etc/ts/config.toml"))
    }

    fn invalid(text: &str) -> (usize, String) {
        let e = parse(text).unwrap_err();
        let shown = e.to_string();
        match e {
            ConfigError::Invalid { line, .. } | ConfigError::Syntax { line, .. } => (line, shown),
            other => panic!("expected a line-numbered error, got {other:?}"),
        }
    }

    const EXAMPLE: &str = r#"theme = "dark"            # built-in name
window = "-24h"
bell = true
redact = ["request.body", "response.body"]
[keys]
quit = ["q", "ctrl-c"]

search = "/"
"#;

    #[test]
    fn parses_the_documented_example() {
        let c = parse(EXAMPLE).unwrap();
        assert_eq!(c.theme.as_deref(), Some("dark"));
        assert_eq!(c.window.as_deref(), Some("-24h"));
        assert!(c.bell());
        assert_eq!(c.redact, ["request.body", "response.body"]);
        assert_eq!(c.source.as_deref(), Some(Path::new("/etc/ts/config.toml")));
        let keys: Vec<_> = c
            .keys
            .iter()
            .map(|k| (k.action.as_str(), k.keys.clone(), k.line))
            .collect();
        assert_eq!(
            keys,
            [
                ("quit", vec!["q".to_owned(), "ctrl-c".to_owned()], 6),
                ("search", vec!["/".to_owned()], 8)
            ]
        );
    }

    #[test]
    fn empty_file_and_all_window_are_defaults() {
        let c = parse("window = \"all\"\n").unwrap();
        assert_eq!(c.window, None);
        assert_eq!(
            Config {
                source: None,
                ..parse("").unwrap()
            },
            Config::default()
        );
    }

    #[test]
    fn unknown_keys_and_wrong_types_name_key_and_line() {
        for (text, line, needle) in [
            (
                "theme = \"dark\"\n\nthem = \"light\"\n",
                3,
                "unknown key \"them\"",
            ),
            ("theme = 3\n", 1, "theme must be a string, not integer"),
            ("bell = \"yes\"\n", 1, "bell must be true or false"),
            (
                "redact = [\"a\", 1]\n",
                1,
                "redact must be a list of strings",
            ),
            ("keys = \"q\"\n", 1, "keys must be a table"),
            (
                "[keys]\nquit = [\"q\"]\nhelp = 5\n",
                3,
                "keys.help must be a key or a list",
            ),
            ("window = \"-24x\"\n", 1, "window \"-24x\": unknown unit"),
            ("window = \"yesterday\"\n", 1, "RFC 3339"),
            (
                "theme = \"dark\"\nprometheus = \"localhost:9090\"\n",
                2,
                "prometheus must be an http:// or https:// URL",
            ),
            (
                "[correlation]\nbefore = \"5x\"\n",
                2,
                "correlation.before must be a duration",
            ),
            (
                "[correlation]\nbefor = \"5m\"\n",
                2,
                "unknown key correlation.befor",
            ),
            (
                "[[metrics]]\nlabel = \"errors\"\n",
                1,
                "needs both label and query",
            ),
            (
                "[[metrics]]\nlabel = \"e\"\nquery = \"\"\n",
                3,
                "metrics.query must be a non-empty string",
            ),
        ] {
            let (got, msg) = invalid(text);
            assert_eq!(got, line, "{msg}");
            assert!(
                msg.starts_with(&format!("/etc/ts/config.toml line {line}: ")),
                "{msg}"
            );
            assert!(msg.contains(needle), "{msg}");
        }
    }

    #[test]
    fn invalid_toml_names_line_and_column() {
        let e = parse("theme = \"dark\"\nbell = tru\n").unwrap_err();
        assert!(
            matches!(
                e,
                ConfigError::Syntax {
                    line: 2,
                    column: 8,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("/etc/ts/config.toml line 2, column 8: invalid TOML"),
            "{e}"
        );
        let (line, _) = invalid("[keys]\nquit = \"q\"\nquit = \"x\"\n");
        assert_eq!(line, 3);
    }

    #[test]
    fn missing_file_is_default_unless_explicit() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.toml");
        assert_eq!(
            Config::load(Some(&missing), false).unwrap(),
            Config::default()
        );
        assert_eq!(Config::load(None, true).unwrap(), Config::default());
        let e = Config::load(Some(&missing), true).unwrap_err();
        assert!(
            matches!(e, ConfigError::NotFound { .. }) && e.to_string().contains("nope.toml"),
            "{e}"
        );
        let present = dir.path().join("c.toml");
        std::fs::write(&present, "bell = false\n").unwrap();
        assert!(!Config::load(Some(&present), false).unwrap().bell());
    }

    #[test]
    fn paths_follow_the_explicit_file() {
        let explicit = explicit_path(Some("/srv/ts/conf.toml".into()));
        assert_eq!(explicit.as_deref(), Some(Path::new("/srv/ts/conf.toml")));
        assert_eq!(explicit_path(Some("".into())), None);
        assert_eq!(
            theme_dir_for(explicit, Some("/home/u/.config/trailscope".into())),
            Some(PathBuf::from("/srv/ts/themes"))
        );
        assert_eq!(
            theme_dir_for(None, Some("/home/u/.config/trailscope".into())),
            Some(PathBuf::from("/home/u/.config/trailscope/themes"))
        );
        assert_eq!(theme_dir_for(None, None), None);
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé=x", 7), (2, 4));
        assert_eq!(line_col("ab", 99), (1, 3));
        assert_eq!(line_col("é", 1), (1, 1));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*") {
            let _ = parse(&text);
        }

        #[test]
        fn config_like_text_never_panics(
            text in "(theme|window|bell|redact|keys|\\[keys\\]|quit|=|\"|-24h|all|\\[|\\]|,|\n| |1|true|#|\\.|é)*"
        ) {
            let _ = parse(&text);
        }
    }
}
