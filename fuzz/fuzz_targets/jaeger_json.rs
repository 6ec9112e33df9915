//! A Jaeger/Tempo query API answer: parse, build each span tree and render it terminal-safe.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::trace::{parse_jaeger, render_tree};

fuzz_target!(|data: &[u8]| {
    let Ok(traces) = parse_jaeger(data, "fuzz") else {
        return;
    };
    for trace in traces {
        let rows = trace.tree();
        assert_eq!(
            rows.len(),
            trace.spans.len(),
            "every span appears once in the tree"
        );
        trailscope_fuzz::assert_terminal_safe(&render_tree(&trace), true);
    }
});
