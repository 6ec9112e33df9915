//! One raw record under the `ndjson` mapping or `auto`, with or without `--map` overrides
//! (the first byte picks which): `map_record`, `map_line_lenient`, `record_time` and the
//! fast `TimeReader` must not panic and must agree on every valid JSON record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::event::InputFormat;

fuzz_target!(|data: &[u8]| {
    trailscope_fuzz::check_mapping(InputFormat::Ndjson, data);
});
