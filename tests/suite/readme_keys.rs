//! README's key table documents every action of the console's keymap, with its default keys.

use trailscope::tui::action::ACTIONS;
use trailscope::tui::keys::KeySpec;

const README: &str = include_str!("../../README.md");

fn key_table() -> Vec<&'static str> {
    let start = README.find("### Keys").expect("README has a Keys section");
    README[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect()
}

#[test]
fn every_action_is_in_the_readme_key_table_with_its_default_keys() {
    let rows = key_table();
    assert!(rows.len() > 10, "key table not found");
    for info in ACTIONS {
        let name = format!("`{}`", info.name);
        let row = rows
            .iter()
            .find(|r| r.contains(&name))
            .unwrap_or_else(|| panic!("README's key table lacks the action {name}"));
        for k in info.keys {
            let shown = KeySpec::parse(k).unwrap().to_string();
            assert!(
                row.contains(&format!("`{shown}`")),
                "README's row for {name} lacks its default key `{shown}`: {row}"
            );
        }
    }
}

#[test]
fn the_readme_config_example_is_a_valid_config() {
    let start = README
        .find("### Themes and config")
        .expect("README has a config section");
    let block = README[start..]
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a toml block");
    let c = trailscope::tui::config::Config::parse(block, std::path::Path::new("README.md"))
        .unwrap_or_else(|e| panic!("README's config example: {e}"));
    assert_eq!(c.metrics.len(), 1);
    assert_eq!(c.before_ns, Some(5 * 60 * 1_000_000_000));
    assert!(c.prometheus.is_some() && c.jaeger.is_some());
    assert!(!c.keys.is_empty());
}
