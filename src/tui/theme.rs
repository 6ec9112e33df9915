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
    /// Loads the theme `spec` names: None is `dark`; then a built-in name; then
    /// `user_theme_dir/NAME.toml`; then, if it contains `/` or ends in `.toml`, a path.
    /// User files are merged over `dark`. `no_color` strips every colour (see [`Theme::style`]).
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
    /// Under `NO_COLOR` only modifiers remain: cursor and selection reversed; failure, alert,
    /// tampered and title bold; denied bold and underlined; muted dim; banner reversed bold.
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
        DeValue::Integer(i) => i.as_str(),
        other => return Err(bad(format!("of type {}", other.type_str()))),
    };
    // ratatui's parser: its names (also "grey", "bright red", "dark-gray"), "#rrggbb", "0".."255".
    s.parse::<Color>().map_err(|_| bad(format!("{s:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads `text` as a user theme file named `name` in a fresh directory.
    fn load_file(name: &str, text: &str) -> Result<Theme, ThemeError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), text).unwrap();
        Theme::load(
            Some(name.trim_end_matches(".toml")),
            Some(dir.path()),
            false,
        )
    }

    #[test]
    fn role_names_round_trip_in_declaration_order() {
        for (i, role) in Role::ALL.into_iter().enumerate() {
            assert_eq!(role as usize, i);
            assert_eq!(Role::from_name(role.name()), Some(role));
        }
        assert_eq!(Role::from_name("selection_bg"), Some(Role::SelectionBg));
        assert_eq!(Role::from_name("Text"), None);
    }

    #[test]
    fn every_builtin_theme_defines_every_role() {
        assert_eq!(builtin_names(), BUILTINS.map(|(n, _)| n));
        for (name, text) in BUILTINS {
            let doc = DeTable::parse(text).unwrap();
            let roles = doc
                .get_ref()
                .get("roles")
                .and_then(|r| r.get_ref().as_table());
            for role in Role::ALL {
                let defined = roles.is_some_and(|t| t.contains_key(role.name()));
                assert!(defined, "{name} lacks {}", role.name());
            }
            let theme = Theme::load(Some(name), None, false).unwrap();
            assert_eq!(theme.name, name);
            assert!(!theme.description.is_empty(), "{name} has no description");
        }
    }

    #[test]
    fn dark_is_the_default_and_keeps_the_old_default_colours() {
        let dark = Theme::load(None, None, false).unwrap();
        assert_eq!(dark, Theme::default());
        assert_eq!(dark.name, "dark");
        assert_eq!(dark.color(Role::Title), Color::Cyan);
        assert_eq!(dark.style(Role::Success), Style::default().fg(Color::Green));
        let selection = Color::Rgb(0x30, 0x30, 0x40);
        assert_eq!(
            dark.style(Role::SelectionBg),
            Style::default().bg(selection)
        );
        assert_eq!(dark.color(Role::SelectionBg), selection);
        assert_eq!(dark.color(Role::Tampered), Color::Red);
        let key = dark.style(Role::Key);
        assert_eq!(
            (key.fg, key.add_modifier),
            (Some(Color::LightCyan), Modifier::BOLD)
        );
    }

    #[test]
    fn user_themes_are_merged_over_dark() {
        let text = "[roles]\nsuccess = \"#0072b2\"\ncursor = \"238\"\nborder = 7\n\
                    title = { fg = \"white\", bg = \"blue\", bold = true, reversed = false }\n";
        let t = load_file("mine.toml", text).unwrap();
        assert_eq!(t.name, "mine");
        assert_eq!(t.color(Role::Success), Color::Rgb(0x00, 0x72, 0xb2));
        assert_eq!(t.color(Role::Cursor), Color::Indexed(238));
        assert_eq!(t.color(Role::Border), Color::Indexed(7));
        let title = t.style(Role::Title);
        assert_eq!(
            (title.fg, title.bg),
            (Some(Color::White), Some(Color::Blue))
        );
        assert_eq!(title.add_modifier, Modifier::BOLD);
        assert_eq!(
            t.color(Role::Muted),
            Color::DarkGray,
            "missing roles fall back to dark"
        );
        // A built-in name wins over a user file of the same name.
        let light = load_file("light.toml", "[roles]\ntext = \"red\"\n").unwrap();
        assert_eq!(light.color(Role::Text), Color::Reset);
    }

    #[test]
    fn a_path_is_loaded_and_a_missing_one_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.toml");
        std::fs::write(&p, "name = \"mine\"\n[roles]\nkey = \"red\"\n").unwrap();
        let t = Theme::load(p.to_str(), None, false).unwrap();
        assert_eq!((t.name.as_str(), t.color(Role::Key)), ("mine", Color::Red));
        let missing = Theme::load(Some("/nonexistent/x.toml"), None, false).unwrap_err();
        assert!(matches!(missing, ThemeError::Read { .. }), "{missing}");
    }

    #[test]
    fn faults_name_the_file_the_line_and_the_value() {
        for (text, line, needle) in [
            (
                "name = \"x\"\n\n[roles]\ntext = \"red\"\nsucess = \"green\"\n",
                5,
                "role \"sucess\"",
            ),
            (
                "[roles]\ntext = \"red\"\ntitle = \"#12345\"\n",
                3,
                "bad colour \"#12345\"",
            ),
            ("[roles]\n\ncursor = \"256\"\n", 3, "bad colour \"256\""),
            ("[roles]\nkey = { fg = \"purple\" }\n", 2, "\"purple\""),
            ("name = \"x\"\ncolours = 1\n", 2, "unknown key \"colours\""),
            (
                "[roles]\ntext = { fg = \"red\", blink = true }\n",
                2,
                "blink",
            ),
            (
                "[roles]\ntext = { bold = \"yes\" }\n",
                2,
                "bold must be true or false",
            ),
            ("roles = 3\n", 1, "roles must be a table"),
            ("[roles]\ntext = \"red\"\ntext = \"blue\"\n", 3, "duplicate"),
        ] {
            let e = load_file("bad.toml", text).unwrap_err();
            let msg = e.to_string();
            assert!(
                matches!(e, ThemeError::Invalid { line: l, .. } if l == line),
                "{msg}"
            );
            assert!(msg.contains(&format!("bad.toml line {line}: ")), "{msg}");
            assert!(msg.contains(needle), "{msg}");
        }
    }

    #[test]
    fn unknown_theme_lists_the_builtins() {
        let dir = tempfile::tempdir().unwrap();
        let e = Theme::load(Some("solarized"), Some(dir.path()), false).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("\"solarized\""), "{msg}");
        assert!(
            msg.contains("dark, light, high-contrast, colorblind"),
            "{msg}"
        );
        assert!(msg.contains("solarized.toml"), "{msg}");
    }

    #[test]
    fn no_color_drops_colours_and_keeps_distinguishing_modifiers() {
        for name in builtin_names() {
            let t = Theme::load(Some(name), None, true).unwrap();
            for role in Role::ALL {
                let s = t.style(role);
                assert_eq!(
                    (s.fg, s.bg, t.color(role)),
                    (None, None, Color::Reset),
                    "{role:?}"
                );
            }
            let m = |r| t.style(r).add_modifier;
            assert_eq!(m(Role::Cursor), Modifier::REVERSED);
            assert_eq!(m(Role::SelectionBg), Modifier::REVERSED);
            for r in [Role::Tampered, Role::Alert, Role::Failure, Role::Title] {
                assert_eq!(m(r), Modifier::BOLD, "{r:?}");
            }
            assert_eq!(m(Role::Muted), Modifier::DIM);
            assert_eq!(m(Role::Denied), Modifier::BOLD | Modifier::UNDERLINED);
            assert_eq!(m(Role::Success), Modifier::empty());
        }
    }

    /// The sRGB distance (0..=441) between two colours as seen with a colour vision deficiency,
    /// simulated by a Viénot–Brettel–Mollon (1999) matrix in linear RGB.
    fn distance_as_seen(a: Color, b: Color, cvd: &[[f64; 3]; 3]) -> f64 {
        let seen = |c: Color| {
            let Color::Rgb(r, g, b) = c else {
                panic!("{c:?} is not #rrggbb")
            };
            let lin = [r, g, b].map(|v| (f64::from(v) / 255.0).powf(2.2));
            cvd.map(|m| {
                255.0
                    * (m[0] * lin[0] + m[1] * lin[1] + m[2] * lin[2])
                        .clamp(0.0, 1.0)
                        .powf(1.0 / 2.2)
            })
        };
        let (x, y) = (seen(a), seen(b));
        (0..3).map(|i| (x[i] - y[i]).powi(2)).sum::<f64>().sqrt()
    }

    #[test]
    fn colorblind_outcomes_stay_distinct_for_red_green_blindness() {
        const PROTAN: [[f64; 3]; 3] = [
            [0.11238, 0.88762, 0.0],
            [0.11238, 0.88762, 0.0],
            [0.00401, -0.00401, 1.0],
        ];
        const DEUTAN: [[f64; 3]; 3] = [
            [0.29275, 0.70725, 0.0],
            [0.29275, 0.70725, 0.0],
            [-0.02234, 0.02234, 1.0],
        ];
        const MIN: f64 = 50.0;
        // The yardstick: a red and a green that deuteranopes confuse fall below it.
        let (red, green) = (Color::Rgb(0xcc, 0, 0), Color::Rgb(0, 0xa0, 0));
        assert!(distance_as_seen(red, green, &DEUTAN) < MIN);
        let t = Theme::load(Some("colorblind"), None, false).unwrap();
        assert_eq!(t.color(Role::Success), Color::Rgb(0x00, 0x72, 0xb2));
        assert_eq!(t.color(Role::Failure), Color::Rgb(0xd5, 0x5e, 0x00));
        use Role::*;
        for (a, b) in [
            (Success, Failure),
            (Success, Denied),
            (Failure, Denied),
            (Verified, Unsigned),
            (Verified, Tampered),
            (Unsigned, Tampered),
        ] {
            for cvd in [&PROTAN, &DEUTAN] {
                let d = distance_as_seen(t.color(a), t.color(b), cvd);
                assert!(d >= MIN, "{a:?} vs {b:?}: {d:.0}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(text in "(\\[roles\\]|text|key|=|\"|#|[0-9a-f]|\\{|\\}|fg|bold|true|,|\n| |.)*") {
            let _ = Theme::parse(&text, "prop.toml", "prop", None);
        }
    }
}
