//! The console's config file (TOML): parsed, then its `[keys]` overrides turned into a keymap,
//! as `trailscope open` does before drawing anything.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use trailscope::tui::config::Config;
use trailscope::tui::keymap::Keymap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("config.toml");
    match Config::parse(text, path) {
        Ok(config) => {
            if let Ok(keymap) = Keymap::new(&config.keys, config.source.as_deref()) {
                let _ = keymap.help();
            }
        }
        Err(e) => {
            // Every error names the file.
            assert!(e.to_string().contains("config.toml"), "{e}");
        }
    }
});
