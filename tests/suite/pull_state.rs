//! Local state of a pulled store: private directories, verified copies, the summary a script
//! reads and plain progress lines off a terminal.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::pull_common::{fast_sandbox, pull, seal_events};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn state_directories_are_private_and_the_summary_adds_up() {
    let sb = fast_sandbox();
    sb.keygen("ops");
    let home = sb.home().join("fresh-home");
    seal_events(&sb, "store", "a", 0, 30, 10, true);
    let (summary, run) = pull(&sb, &home, "store", &[], 0);
    assert_eq!(summary["indexed_events"], 30, "{run}");
    assert_eq!(summary["head"]["segments"], 3, "{run}");
    assert_eq!(
        summary["verify"]["problems"],
        serde_json::json!([]),
        "{run}"
    );
    // Plain progress lines when stderr is not a terminal.
    assert!(
        run.stderr.contains("trailscope: fetch: 3/3 segments"),
        "{run}"
    );

    let stores = home.join("stores");
    let entries: Vec<_> = std::fs::read_dir(&stores)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(
        entries.len(),
        1,
        "one state directory per store: {entries:?}"
    );
    let state = &entries[0];
    for dir in [
        home.as_path(),
        stores.as_path(),
        state.as_path(),
        &state.join("segments"),
        &state.join("index"),
        &state.join("fulltext"),
        &home.join("pins"),
    ] {
        assert_eq!(mode(dir), 0o700, "{} is not private", dir.display());
    }
    // Verified copies of every segment, byte for byte.
    for seq in 0..3u64 {
        let name = format!("{seq:020}.seg");
        assert_eq!(
            std::fs::read(state.join("segments").join(&name)).unwrap(),
            std::fs::read(sb.path("store/segments").join(&name)).unwrap()
        );
    }
}
