//! OTLP/JSON trace files (collector file exporter lines, or one pretty-printed request): parse,
//! group into traces, build each span tree and render it. The rendered tree goes to a terminal,
//! so it must hold no control, bidi or zero-width character.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::trace::{TraceSet, parse_otlp, render_tree};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(spans) = parse_otlp(&text, "fuzz.json") else {
        return;
    };
    let mut set = TraceSet::new();
    set.add(spans);
    let ids: Vec<String> = set.trace_ids().map(str::to_owned).collect();
    for id in ids {
        let trace = set.get(&id).expect("listed id is found");
        let rows = trace.tree();
        assert_eq!(
            rows.len(),
            trace.spans.len(),
            "every span appears once in the tree"
        );
        trailscope_fuzz::assert_terminal_safe(&render_tree(&trace), true);
    }
});
