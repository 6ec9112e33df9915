//! Themes by meaning: views ask for a [`Role`] (`verified`, `denied`, `cursor`…), never a colour.
//!
//! Themes are TOML files (`themes/*.toml`, embedded at build time). A user theme, found by name
//! in the config directory's `themes/` or given as a path, is merged over the `dark` theme, so
//! it only needs the roles it changes. With `NO_COLOR` every role drops its colours and keeps a
//! fixed set of modifiers, so outcomes stay distinguishable on a monochrome terminal.

use std::ops::Range;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use toml::de::{DeTable, DeValue};

use super::config::{in_file_order, line_col};

/// What a piece of text means; the theme decides how that looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Ordinary text.
    Text,
    /// Secondary text: timestamps, hints, empty states.
    Muted,
    /// Pane and dialog titles.
    Title,
    /// Pane borders.
    Border,
    /// The cursor row marker and the input cursor.
    Cursor,
    /// Background of the selected row (its colour is a background).
    SelectionBg,
    /// Histogram bars.
    Histogram,
    /// Requests that succeeded.
    Success,
    /// Requests that failed.
    Failure,
    /// Requests refused by authorisation.
    Denied,
    /// Segments whose chain and signature verified.
    Verified,
    /// Segments not covered by a signed checkpoint yet.
    Unsigned,
    /// Segments that failed verification.
    Tampered,
    /// Alerts and errors the user must see.
    Alert,
    /// Text on a banner whose background is the `alert` or `tampered` colour.
    BannerFg,
    /// Key names in the help screen and status line.
    Key,
}

impl Role {
    /// Every role, in declaration order (`Role::ALL[r as usize] == r`).
    pub const ALL: [Role; 16] = [
        Role::Text,
        Role::Muted,
        Role::Title,
        Role::Border,
        Role::Cursor,
        Role::SelectionBg,
        Role::Histogram,
        Role::Success,
        Role::Failure,
        Role::Denied,
        Role::Verified,
        Role::Unsigned,
        Role::Tampered,
        Role::Alert,
        Role::BannerFg,
        Role::Key,
    ];

    /// The role's key in a theme file's `[roles]` table.
    pub fn name(self) -> &'static str {
        match self {
            Role::Text => "text",
            Role::Muted => "muted",
            Role::Title => "title",
            Role::Border => "border",
            Role::Cursor => "cursor",
            Role::SelectionBg => "selection_bg",
            Role::Histogram => "histogram",
            Role::Success => "success",
            Role::Failure => "failure",
            Role::Denied => "denied",
            Role::Verified => "verified",
            Role::Unsigned => "unsigned",
            Role::Tampered => "tampered",
            Role::Alert => "alert",
            Role::BannerFg => "banner_fg",
            Role::Key => "key",
        }
    }

    /// The role a theme file's key names, if any.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// What the role keeps under `NO_COLOR`: enough to tell outcomes apart without colour.
    fn no_color_modifier(self) -> Modifier {
        match self {
            Role::Cursor | Role::SelectionBg => Modifier::REVERSED,
            Role::Tampered | Role::Alert | Role::Failure | Role::Title => Modifier::BOLD,
            Role::Muted => Modifier::DIM,
            Role::Denied => Modifier::BOLD | Modifier::UNDERLINED,
            Role::BannerFg => Modifier::BOLD | Modifier::REVERSED,
            _ => Modifier::empty(),
        }
    }
}

/// The built-in themes, embedded at build time; the first is the default.
const BUILTINS: [(&str, &str); 4] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

/// The names `Theme::load` accepts without looking at the disk.
pub fn builtin_names() -> &'static [&'static str] {
    &["dark", "light", "high-contrast", "colorblind"]
}

/// Whether `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
pub fn no_color_from_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Why a theme could not be loaded; each message names the file (or built-in theme) and line.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// The spec is no built-in name, no theme in the user's theme directory and no path.
    #[error(
        "unknown theme {name:?}: the built-in themes are {}{}",
        builtin_names().join(", "),
        searched.as_ref().map(|d| format!(", and there is no {}", d.display())).unwrap_or_default()
    )]
    Unknown {
        /// The spec as given.
        name: String,
        /// The user theme file looked for, if there is a user theme directory.
        searched: Option<PathBuf>,
    },
    /// A theme file could not be read.
    #[error("cannot read theme {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A theme file is not valid TOML or not a valid theme.
    #[error("{file} line {line}: {message}")]
    Invalid {
        /// The file's path, or `built-in theme NAME`.
        file: String,
        /// 1-based line of the fault.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// A loaded theme: one style per role.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// The theme's name (its `name` key, else the name it was loaded by).
    pub name: String,
    /// One line saying what the theme is for.
    pub description: String,
    styles: [Style; Role::ALL.len()],
    no_color: bool,
}

impl Default for Theme {
    /// The `dark` theme, with colours.
    fn default() -> Self {
        Theme::builtin("dark").expect("the built-in themes are tested to parse")
    }
}

impl Theme {
    /// Loads the theme `spec` names (see the module docs); `no_color` strips every colour.
    pub fn load(
        spec: Option<&str>,
        user_theme_dir: Option<&Path>,
        no_color: bool,
    ) -> Result<Theme, ThemeError> {
        let mut theme = match spec {
            None => Theme::builtin("dark")?,
            Some(name) if builtin_names().contains(&name) => Theme::builtin(name)?,
            Some(name) => {
                let in_dir = user_theme_dir
                    .filter(|_| !name.is_empty() && !looks_like_path(name))
                    .map(|d| d.join(format!("{name}.toml")));
                match &in_dir {
                    Some(p) if p.is_file() => Theme::from_file(p, name)?,
                    _ if looks_like_path(name) => Theme::from_file(Path::new(name), name)?,
                    _ => {
                        return Err(ThemeError::Unknown {
                            name: name.to_owned(),
                            searched: in_dir,
                        });
                    }
                }
            }
        };
        theme.no_color = no_color;
        Ok(theme)
    }

    /// The style for text in `role`; for `SelectionBg`, a style whose background is the colour.
    pub fn style(&self, role: Role) -> Style {
        if self.no_color {
            Style::default().add_modifier(role.no_color_modifier())
        } else {
            self.styles[role as usize]
        }
    }

    /// The role's colour: its background for `SelectionBg`, else its foreground (`Reset` when
    /// the theme gives none, and always under `NO_COLOR`).
    pub fn color(&self, role: Role) -> Color {
        let s = self.style(role);
        let c = if role == Role::SelectionBg {
            s.bg
        } else {
            s.fg
        };
        c.unwrap_or(Color::Reset)
    }

    fn builtin(name: &str) -> Result<Theme, ThemeError> {
        let (_, text) =
            BUILTINS
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| ThemeError::Unknown {
                    name: name.to_owned(),
                    searched: None,
                })?;
        Theme::parse(text, &format!("built-in theme {name}"), name, None)
    }

    fn from_file(path: &Path, name: &str) -> Result<Theme, ThemeError> {
        let text = std::fs::read_to_string(path).map_err(|source| ThemeError::Read {
            path: path.to_owned(),
            source,
        })?;
        let dark = Theme::builtin("dark")?;
        let stem = path
            .file_stem()
            .map_or(name.into(), |s| s.to_string_lossy());
        Theme::parse(&text, &path.display().to_string(), &stem, Some(&dark))
    }

    /// Parses a theme file; roles it leaves out come from `base` (or stay unstyled).
    fn parse(
        text: &str,
        file: &str,
        name: &str,
        base: Option<&Theme>,
    ) -> Result<Theme, ThemeError> {
        let err = |span: Range<usize>, message: String| ThemeError::Invalid {
            file: file.to_owned(),
            line: line_col(text, span.start).0,
            message,
        };
        let doc = DeTable::parse(text)
            .map_err(|e| err(e.span().unwrap_or(0..0), e.message().to_owned()))?;
        let mut theme = Theme {
            name: name.to_owned(),
            description: base.map(|b| b.description.clone()).unwrap_or_default(),
            styles: base.map_or([Style::default(); Role::ALL.len()], |b| b.styles),
            no_color: false,
        };
        for (key, value) in in_file_order(doc.get_ref()) {
            let string = |what: &str| match value.get_ref() {
                DeValue::String(s) => Ok(s.to_string()),
                v => Err(err(
                    value.span(),
                    format!("{what} must be a string, not {}", v.type_str()),
                )),
            };
            match key.get_ref().as_ref() {
                "name" => theme.name = string("name")?,
                "description" => theme.description = string("description")?,
                "roles" => {
                    let DeValue::Table(roles) = value.get_ref() else {
                        return Err(err(value.span(), "roles must be a table".into()));
                    };
                    for (rk, rv) in in_file_order(roles) {
                        let role = Role::from_name(rk.get_ref()).ok_or_else(|| {
                            let all: Vec<_> = Role::ALL.iter().map(|r| r.name()).collect();
                            let msg = format!(
                                "unknown role {:?}; roles are {}",
                                rk.get_ref(),
                                all.join(", ")
                            );
                            err(rk.span(), msg)
                        })?;
                        theme.styles[role as usize] = role_style(role, rv.get_ref())
                            .map_err(|m| err(rv.span(), format!("role {}: {m}", role.name())))?;
                    }
                }
                other => {
                    let msg =
                        format!("unknown key {other:?}; a theme has name, description and [roles]");
                    return Err(err(key.span(), msg));
                }
            }
        }
        Ok(theme)
    }
}

fn looks_like_path(spec: &str) -> bool {
    spec.contains('/') || spec.contains(std::path::MAIN_SEPARATOR) || spec.ends_with(".toml")
}

/// A role's style from its value: a colour, or a table of fg, bg and modifiers.
fn role_style(role: Role, value: &DeValue<'_>) -> Result<Style, String> {
    let DeValue::Table(t) = value else {
        let c = parse_color(value)?;
        return Ok(if role == Role::SelectionBg {
            Style::default().bg(c)
        } else {
            Style::default().fg(c)
        });
    };
    let mut style = Style::default();
    for (k, v) in t {
        let flag = match k.get_ref().as_ref() {
            "fg" => {
                style = style.fg(parse_color(v.get_ref())?);
                continue;
            }
            "bg" => {
                style = style.bg(parse_color(v.get_ref())?);
                continue;
            }
            "bold" => Modifier::BOLD,
            "dim" => Modifier::DIM,
            "italic" => Modifier::ITALIC,
            "underlined" => Modifier::UNDERLINED,
            "reversed" => Modifier::REVERSED,
            other => {
                return Err(format!(
                    "unknown style key {other:?} (use fg, bg, bold, dim, italic, underlined, reversed)"
                ));
            }
        };
        match v.get_ref().as_bool() {
            Some(true) => style = style.add_modifier(flag),
            Some(false) => {}
            None => return Err(format!("{} must be true or false", k.get_ref())),
        }
    }
    Ok(style)
}

/// Parses a colour: a ratatui name, `#rrggbb`, or a 256-colour index (string or integer).
fn parse_color(value: &DeValue<'_>) -> Result<Color, String> {
    let bad = |shown: String| {
        format!(
            "bad colour {shown} (use a name such as red or lightblue, \"#rrggbb\", or an index \"0\"..\"255\")"
        )
    };
    let s = match value {
        DeValue::String(s) => s.as_ref(),
        DeValue::Integer(i) => {
            return i
                .as_str()
                .parse::<u8>()
                .map(Color::Indexed)
                .map_err(|_| bad(i.as_str().into()));
        }
        other => return Err(bad(format!("of type {}", other.type_str()))),
    };
    let named = match s.to_ascii_lowercase().as_str() {
        "reset" => Some(Color::Reset),
        "black" => Some(Color::Black),
        "red" => Some(Color::Red),
        "green" => Some(Color::Green),
        "yellow" => Some(Color::Yellow),
        "blue" => Some(Color::Blue),
        "magenta" => Some(Color::Magenta),
        "cyan" => Some(Color::Cyan),
        "gray" => Some(Color::Gray),
        "darkgray" => Some(Color::DarkGray),
        "lightred" => Some(Color::LightRed),
        "lightgreen" => Some(Color::LightGreen),
        "lightyellow" => Some(Color::LightYellow),
        "lightblue" => Some(Color::LightBlue),
        "lightmagenta" => Some(Color::LightMagenta),
        "lightcyan" => Some(Color::LightCyan),
        "white" => Some(Color::White),
        _ => None,
    };
    if let Some(c) = named {
        return Ok(c);
    }
    if let Some(hex) = s
        .strip_prefix('#')
        .filter(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
        return Ok(Color::Rgb(byte(0), byte(2), byte(4)));
    }
    let index = s
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| s.parse::<u8>().ok());
    if let Some(Some(i)) = index {
        return Ok(Color::Indexed(i));
    }
    Err(bad(format!("{s:?}")))
}
