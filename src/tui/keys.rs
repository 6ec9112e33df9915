//! Key specs: the keys a keymap binds, written as in the config file (`q`, `ctrl-c`,
//! `shift-left`, `pagedown`, `f1`), matched against terminal key events, and shown on the help
//! screen (`Ctrl-c`, `PgDn`, `←`).
//!
//! Specs and events are normalised the same way so plain equality matches: a character never
//! carries Shift (the terminal already reports Shift+g as `G`), a Ctrl-letter is lowercase
//! (terminals cannot tell Ctrl-C from Ctrl-c), and Shift+Tab is `BackTab`.

use std::fmt;
use std::str::FromStr;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// A key with its modifiers, normalised (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeySpec {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, Alt and (for non-character keys) Shift.
    pub mods: KeyModifiers,
}

/// Named keys; the canonical spelling of each comes before its aliases, so suggestions for a
/// typo prefer the canonical one.
const NAMES: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("space", KeyCode::Char(' ')),
    ("pgup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("escape", KeyCode::Esc),
    ("return", KeyCode::Enter),
    ("del", KeyCode::Delete),
    ("ins", KeyCode::Insert),
];

impl KeySpec {
    /// Parses a spec such as `q`, `G`, `?`, `ctrl-c`, `alt-enter`, `shift-left`, `pgdn`, `f5`.
    /// Names and modifiers are case-insensitive; a single character is taken as written.
    pub fn parse(s: &str) -> Result<KeySpec, String> {
        if s.is_empty() {
            return Err("empty key spec".into());
        }
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (flag, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            if rest.len() == len {
                return Err(format!("{s:?}: missing the key after {:?}", &rest[..len]));
            }
            mods |= flag;
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if mods.contains(KeyModifiers::SHIFT) && !c.is_alphabetic() {
                    return Err(format!(
                        "{s:?}: shift- only goes with letters and named keys; write the shifted character itself"
                    ));
                }
                KeyCode::Char(c)
            }
            _ => named(rest)?,
        };
        Ok(KeySpec { code, mods }.normalised())
    }

    /// The spec an event is equal to when it matches.
    pub fn from_event(ev: &KeyEvent) -> KeySpec {
        KeySpec {
            code: ev.code,
            mods: ev.modifiers,
        }
        .normalised()
    }

    /// Whether a key press (or auto-repeat) is this key; releases never match.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        ev.kind != KeyEventKind::Release && KeySpec::from_event(ev) == *self
    }

    fn normalised(mut self) -> KeySpec {
        match self.code {
            KeyCode::Char(c) => {
                if self.mods.contains(KeyModifiers::SHIFT) {
                    self.code = KeyCode::Char(c.to_uppercase().next().unwrap_or(c));
                    self.mods.remove(KeyModifiers::SHIFT);
                }
                if self.mods.contains(KeyModifiers::CONTROL) {
                    self.code = KeyCode::Char(c.to_ascii_lowercase());
                }
            }
            KeyCode::Tab if self.mods.contains(KeyModifiers::SHIFT) => {
                self.code = KeyCode::BackTab;
                self.mods.remove(KeyModifiers::SHIFT);
            }
            KeyCode::BackTab => self.mods.remove(KeyModifiers::SHIFT),
            _ => {}
        }
        self
    }
}

/// The key a multi-character name stands for, or why it stands for none.
fn named(name: &str) -> Result<KeyCode, String> {
    let lower = name.to_ascii_lowercase();
    if let Some((_, code)) = NAMES.iter().find(|(n, _)| *n == lower) {
        return Ok(*code);
    }
    if let Some(n) = lower.strip_prefix('f').and_then(|d| d.parse::<u8>().ok()) {
        return if (1..=12).contains(&n) {
            Ok(KeyCode::F(n))
        } else {
            Err(format!("{name:?}: no such function key (f1 to f12)"))
        };
    }
    let closest = NAMES
        .iter()
        .map(|(n, _)| (edit_distance(&lower.replace(['-', '_'], ""), n), *n))
        .min_by_key(|(d, _)| *d)
        .filter(|(d, _)| *d <= 2);
    if let Some((_, n)) = closest {
        return Err(format!("unknown key name {name:?}; try {n}"));
    }
    if name.contains('+') {
        return Err(format!(
            "{name:?}: join a modifier to its key with '-', as in ctrl-c"
        ));
    }
    if let Some((m, _)) = name.split_once('-') {
        return Err(format!(
            "{name:?}: unknown modifier {m:?} (use ctrl-, alt- or shift-, as in ctrl-c)"
        ));
    }
    Err(format!(
        "unknown key name {name:?} (use a character, a name such as enter, esc, tab, pagedown, up, space, or f1..f12)"
    ))
}

/// Levenshtein distance, for "did you mean" suggestions on short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

impl FromStr for KeySpec {
    type Err = String;

    fn from_str(s: &str) -> Result<KeySpec, String> {
        KeySpec::parse(s)
    }
}

impl fmt::Display for KeySpec {
    /// The help screen's form: `q`, `Ctrl-c`, `Alt-Enter`, `PgUp`, `←`, `Shift-Tab`, `F1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (flag, label) in [
            (KeyModifiers::CONTROL, "Ctrl-"),
            (KeyModifiers::ALT, "Alt-"),
            (KeyModifiers::SHIFT, "Shift-"),
        ] {
            if self.mods.contains(flag) {
                f.write_str(label)?;
            }
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventState;

    fn spec(s: &str) -> KeySpec {
        KeySpec::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn parses_characters_names_and_modifiers() {
        let k = |code, mods| KeySpec { code, mods };
        let none = KeyModifiers::NONE;
        for (s, want) in [
            ("q", k(KeyCode::Char('q'), none)),
            ("G", k(KeyCode::Char('G'), none)),
            ("?", k(KeyCode::Char('?'), none)),
            ("-", k(KeyCode::Char('-'), none)),
            ("+", k(KeyCode::Char('+'), none)),
            ("ctrl-c", k(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            ("Ctrl-C", k(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            ("ctrl--", k(KeyCode::Char('-'), KeyModifiers::CONTROL)),
            ("shift-g", k(KeyCode::Char('G'), none)),
            ("shift-left", k(KeyCode::Left, KeyModifiers::SHIFT)),
            ("alt-enter", k(KeyCode::Enter, KeyModifiers::ALT)),
            (
                "ctrl-alt-Delete",
                k(KeyCode::Delete, KeyModifiers::CONTROL | KeyModifiers::ALT),
            ),
            ("PgUp", k(KeyCode::PageUp, none)),
            ("pagedown", k(KeyCode::PageDown, none)),
            ("pgdn", k(KeyCode::PageDown, none)),
            ("space", k(KeyCode::Char(' '), none)),
            ("backtab", k(KeyCode::BackTab, none)),
            ("shift-tab", k(KeyCode::BackTab, none)),
            ("F12", k(KeyCode::F(12), none)),
            ("esc", k(KeyCode::Esc, none)),
        ] {
            assert_eq!(spec(s), want, "{s}");
            assert_eq!(s.parse::<KeySpec>(), Ok(want));
        }
    }

    #[test]
    fn errors_say_what_was_wrong() {
        for (s, needle) in [
            ("", "empty"),
            ("pgdown", "unknown key name \"pgdown\"; try pagedown"),
            ("entr", "try enter"),
            ("f13", "no such function key"),
            ("ctrl-", "missing the key after \"ctrl-\""),
            ("ctrl+c", "join a modifier to its key with '-'"),
            ("control-c", "unknown modifier \"control\""),
            ("shift-1", "shift- only goes with letters"),
            ("banana", "unknown key name \"banana\" (use"),
        ] {
            let e = KeySpec::parse(s).unwrap_err();
            assert!(e.contains(needle), "{s}: {e}");
        }
    }

    #[test]
    fn matching_ignores_shift_on_characters_and_skips_releases() {
        let g = spec("G");
        assert!(g.matches(&press(KeyCode::Char('G'), KeyModifiers::SHIFT)));
        assert!(g.matches(&press(KeyCode::Char('G'), KeyModifiers::NONE)));
        assert!(!g.matches(&press(KeyCode::Char('g'), KeyModifiers::NONE)));
        assert!(spec("?").matches(&press(KeyCode::Char('?'), KeyModifiers::SHIFT)));
        let ctrl_c = spec("ctrl-c");
        assert!(ctrl_c.matches(&press(KeyCode::Char('c'), KeyModifiers::CONTROL)));
        assert!(ctrl_c.matches(&press(
            KeyCode::Char('C'),
            KeyModifiers::CONTROL | KeyModifiers::SHIFT
        )));
        assert!(!ctrl_c.matches(&press(KeyCode::Char('c'), KeyModifiers::NONE)));
        assert!(!spec("left").matches(&press(KeyCode::Left, KeyModifiers::SHIFT)));
        assert!(spec("shift-tab").matches(&press(KeyCode::BackTab, KeyModifiers::SHIFT)));
        assert!(spec("shift-tab").matches(&press(KeyCode::Tab, KeyModifiers::SHIFT)));
        let mut ev = press(KeyCode::Char('q'), KeyModifiers::NONE);
        ev.kind = KeyEventKind::Repeat;
        assert!(spec("q").matches(&ev));
        ev = KeyEvent::new_with_kind_and_state(
            KeyCode::Char('q'),
            KeyModifiers::NONE,
            KeyEventKind::Release,
            KeyEventState::NONE,
        );
        assert!(!spec("q").matches(&ev));
    }

    #[test]
    fn from_event_is_normalised() {
        let ev = press(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(KeySpec::from_event(&ev), spec("G"));
        assert_eq!(KeySpec::from_event(&ev).to_string(), "G");
    }

    #[test]
    fn displays_for_the_help_screen() {
        for (s, shown) in [
            ("q", "q"),
            ("ctrl-c", "Ctrl-c"),
            ("enter", "Enter"),
            ("pgup", "PgUp"),
            ("pagedown", "PgDn"),
            ("left", "←"),
            ("right", "→"),
            ("up", "↑"),
            ("down", "↓"),
            ("space", "Space"),
            ("f1", "F1"),
            ("backtab", "Shift-Tab"),
            ("alt-enter", "Alt-Enter"),
            ("shift-right", "Shift-→"),
            ("G", "G"),
        ] {
            assert_eq!(spec(s).to_string(), shown, "{s}");
        }
    }

    #[test]
    fn every_display_form_of_a_named_key_parses_back() {
        for (name, _) in NAMES {
            let k = spec(name);
            let again = match k.to_string().as_str() {
                "←" => spec("left"),
                "→" => spec("right"),
                "↑" => spec("up"),
                "↓" => spec("down"),
                shown => spec(&shown.to_ascii_lowercase()),
            };
            assert_eq!(again, k, "{name}");
        }
    }
}
