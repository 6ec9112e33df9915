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
//! bell = false              # reserved for alerts
//! redact = ["request.body", "response.body"]   # fields masked in the console
//! [keys]
//! quit = ["q", "ctrl-c"]    # action name = list of keys (or one string); replaces that
//!                           # action's default keys
//! search = "/"
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
    directories::ProjectDirs::from("", "", "trailscope").map(|d| d.config_dir().to_path_buf())
}

fn theme_dir_for(explicit: Option<PathBuf>, project: Option<PathBuf>) -> Option<PathBuf> {
    match explicit {
        Some(file) => Some(file.parent().unwrap_or(Path::new("")).join("themes")),
        None => Some(project?.join("themes")),
    }
}

/// The settings read from the config file; `Config::default()` is what no file means.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
    /// Ring the terminal bell on alerts (reserved).
    pub bell: bool,
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
                    config.bell = value
                        .get_ref()
                        .as_bool()
                        .ok_or_else(|| wrong_type("true or false"))?;
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
                other => {
                    let msg = format!(
                        "unknown key {other:?} (known keys: theme, window, bell, redact, [keys])"
                    );
                    return Err(invalid(key.span(), msg));
                }
            }
        }
        Ok(config)
    }
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
