//! Keys to actions: the defaults from [`ACTIONS`], overridden by the config file's `[keys]`.

use std::path::Path;

use ratatui::crossterm::event::KeyEvent;

use super::action::{ACTIONS, Action};
use super::config::KeyOverride;
use super::keys::KeySpec;

/// A config `[keys]` entry that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{file} line {line}: {message}")]
pub struct KeymapError {
    /// The config file.
    pub file: String,
    /// 1-based line of the entry.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The bindings in effect.
#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: Vec<(KeySpec, Action)>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::new(&[], None).expect("default keys parse")
    }
}

impl Keymap {
    /// The defaults with `overrides` applied. An override replaces all of its action's default
    /// keys; a key it takes is removed from whatever action had it by default. Two overrides
    /// claiming one key are an error naming the second one's line.
    pub fn new(overrides: &[KeyOverride], source: Option<&Path>) -> Result<Keymap, KeymapError> {
        let file = source.map_or_else(|| "config".to_string(), |p| p.display().to_string());
        let err = |line: usize, message: String| KeymapError {
            file: file.clone(),
            line,
            message,
        };
        let mut claimed: Vec<(KeySpec, Action, usize)> = Vec::new();
        let mut replaced: Vec<Action> = Vec::new();
        for o in overrides {
            let action = Action::from_name(&o.action).ok_or_else(|| {
                let names: Vec<&str> = ACTIONS.iter().map(|i| i.name).collect();
                err(
                    o.line,
                    format!(
                        "unknown action {:?} in [keys]; actions are: {}",
                        o.action,
                        names.join(", ")
                    ),
                )
            })?;
            replaced.push(action);
            for k in &o.keys {
                let spec =
                    KeySpec::parse(k).map_err(|e| err(o.line, format!("{}: {e}", o.action)))?;
                if let Some((_, other, line)) = claimed.iter().find(|(s, ..)| *s == spec) {
                    return Err(err(
                        o.line,
                        format!(
                            "key {spec} is bound to both {} (line {line}) and {}",
                            other.info().name,
                            o.action
                        ),
                    ));
                }
                claimed.push((spec, action, o.line));
            }
        }
        let mut bindings: Vec<(KeySpec, Action)> =
            claimed.iter().map(|(s, a, _)| (*s, *a)).collect();
        for info in ACTIONS.iter().filter(|i| !replaced.contains(&i.action)) {
            for k in info.keys {
                let spec =
                    KeySpec::parse(k).map_err(|e| err(0, format!("default key {k}: {e}")))?;
                if !bindings.iter().any(|(s, _)| *s == spec) {
                    bindings.push((spec, info.action));
                }
            }
        }
        Ok(Keymap { bindings })
    }

    /// The action bound to `ev`, if any.
    pub fn action_for(&self, ev: &KeyEvent) -> Option<Action> {
        self.bindings
            .iter()
            .find(|(s, _)| s.matches(ev))
            .map(|(_, a)| *a)
    }

    /// The first key bound to `action`, as shown to the user (for hints).
    pub fn first_key(&self, action: Action) -> Option<String> {
        self.bindings
            .iter()
            .find(|(_, a)| *a == action)
            .map(|(s, _)| s.to_string())
    }

    /// The keys bound to `action`, as shown to the user (`j ↓`).
    pub fn keys_of(&self, action: Action) -> String {
        let keys: Vec<String> = self
            .bindings
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(s, _)| s.to_string())
            .collect();
        if keys.is_empty() {
            "(unbound)".into()
        } else {
            keys.join(" ")
        }
    }

    /// Help lines: keys and description of every action, in [`ACTIONS`] order.
    pub fn help(&self) -> Vec<(String, &'static str)> {
        ACTIONS
            .iter()
            .map(|i| (self.keys_of(i.action), i.desc))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    use super::*;

    fn ov(action: &str, keys: &[&str], line: usize) -> KeyOverride {
        KeyOverride {
            action: action.into(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            line,
        }
    }

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn defaults_bind_the_documented_keys() {
        let k = Keymap::default();
        assert_eq!(k.action_for(&key('q')), Some(Action::Quit));
        assert_eq!(k.action_for(&key('/')), Some(Action::Search));
        assert_eq!(
            k.action_for(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Last)
        );
        assert_eq!(
            k.action_for(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(k.action_for(&key('Z')), None);
        // Every action has a key by default.
        for (keys, _) in k.help() {
            assert_ne!(keys, "(unbound)");
        }
    }

    #[test]
    fn an_override_replaces_defaults_and_steals_its_key() {
        let k = Keymap::new(&[ov("quit", &["x"], 3), ov("search", &["q"], 4)], None).unwrap();
        assert_eq!(k.action_for(&key('x')), Some(Action::Quit));
        assert_eq!(k.action_for(&key('q')), Some(Action::Search));
        assert_eq!(k.action_for(&key('/')), None);
        assert_eq!(k.keys_of(Action::Quit), "x");
        let help = k.help();
        assert!(
            help.iter()
                .any(|(keys, d)| keys == "q" && d.starts_with("search"))
        );
    }

    #[test]
    fn bad_overrides_name_the_line() {
        let e = Keymap::new(&[ov("qiut", &["x"], 7)], Some(Path::new("c.toml"))).unwrap_err();
        assert_eq!(e.line, 7);
        assert!(
            e.to_string()
                .starts_with("c.toml line 7: unknown action \"qiut\""),
            "{e}"
        );
        let e = Keymap::new(&[ov("quit", &["ctrl-nope"], 2)], None).unwrap_err();
        assert_eq!(e.line, 2);
        let e = Keymap::new(&[ov("quit", &["x"], 2), ov("help", &["x"], 5)], None).unwrap_err();
        assert_eq!(e.line, 5);
        assert!(e.message.contains("both quit (line 2) and help"), "{e}");
    }
}
