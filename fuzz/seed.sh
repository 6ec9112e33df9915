#!/bin/sh
# Fills fuzz/corpus/<target>/ with seed inputs: a small store sealed from the test fixtures
# (segments and signed checkpoints), the demo store's checkpoints, metrics and traces, the
# fixture records line by line, and a few hand-written time expressions and config files.
# Safe to run again: it only adds files. Runs the main crate with `cargo run` (debug build), or
# the binary named by $TRAILSCOPE_BIN.
set -eu
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
fixtures="$root/tests/fixtures"
corpus="$fuzz/corpus"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -n "${TRAILSCOPE_BIN:-}" ]; then
    ts() { "$TRAILSCOPE_BIN" "$@"; }
else
    ts() { cargo run --quiet --manifest-path "$root/Cargo.toml" -- "$@"; }
fi
export TRAILSCOPE_HOME="$work/home"

# Stores: the demo (big segments: only its notes, metrics and traces are used) and a small
# one, three events per segment, signed after each input file.
ts demo --dir "$work/demo" --clean --no-open </dev/null >/dev/null
ts keygen --name fuzz.example --out "$work/keys" >/dev/null 2>&1
for f in generic.ndjson k8s-audit.ndjson cloudtrail-lines.ndjson cloudtrail.json; do
    ts seal --store "$work/small" --origin fuzz.example --key "$work/keys/fuzz.example.key" \
        --segment-events 3 --skip-bad "$fixtures/inputs/$f" >/dev/null 2>&1
done

for t in segment_check segment_roundtrip checkpoint map_k8s_audit map_cloudtrail map_ndjson \
    record_reader otlp_json jaeger_json prom_json time_arg config sanitize; do
    mkdir -p "$corpus/$t"
done

cp "$work/small/segments/"*.seg "$corpus/segment_check/"
cp "$work/small/checkpoints/"0*.note "$corpus/checkpoint/"
for n in "$work/demo/checkpoints/"0*.note; do cp "$n" "$corpus/checkpoint/demo-$(basename "$n")"; done

# One record per file, sorted by format, after a selector byte (which mapping: 0-7).
records() { # records FILE TARGET
    n=0
    while IFS= read -r line; do
        for sel in 0 1 2 3 4 5 6 7; do
            { printf "\\00$sel"; printf '%s' "$line"; } >"$corpus/$2/$(basename "$1")-$n-$sel"
        done
        n=$((n + 1))
    done <"$1"
}
records "$fixtures/inputs/k8s-audit.ndjson" map_k8s_audit
records "$fixtures/inputs/cloudtrail-lines.ndjson" map_cloudtrail
records "$fixtures/inputs/generic.ndjson" map_ndjson
records "$fixtures/inputs/bad.ndjson" map_ndjson

# Segment round trip: a selector byte (format, override) and a few records.
i=0
for f in generic.ndjson k8s-audit.ndjson cloudtrail-lines.ndjson; do
    for sel in 0 1 2 3 4; do
        { printf "\\00$sel"; head -n 4 "$fixtures/inputs/$f"; } >"$corpus/segment_roundtrip/seed-$i"
        i=$((i + 1))
    done
done

cp "$fixtures/inputs/"* "$corpus/record_reader/"
cp "$fixtures/otlp/shop.json" "$corpus/otlp_json/"
head -n 3 "$work/demo/traces/payments.json" | split -l 1 -a 2 - "$corpus/otlp_json/demo-"
for f in "$fixtures/jaeger/api/traces/"*; do cp "$f" "$corpus/jaeger_json/$(basename "$f").json"; done
cp "$work/demo/metrics/"*.json "$corpus/prom_json/"

for s in now -15m -2h -7d -30s -1w 2026-11-25T02:00:00Z "2026-11-25 02:00:00.5+01:00" \
    500ms 5m 90s 1h 2026-11-25T02:00:00.123456789-07:00; do
    printf '%s' "$s" >"$corpus/time_arg/$(printf '%s' "$s" | cksum | cut -d' ' -f1)"
done

cat >"$corpus/config/full.toml" <<'TOML'
theme = "dark"
window = "-24h"
bell = false
redact = ["request.body", "response.body"]
prometheus = "http://127.0.0.1:9090"
jaeger = "http://127.0.0.1:16686"
[correlation]
before = "5m"
after = "1m"
[keys]
quit = ["q", "ctrl-c"]
search = "/"
[[metrics]]
label = "error rate"
query = 'sum(rate(http_requests_total{code=~"5.."}[1m]))'
TOML
printf 'window = "all"\n[keys]\nhelp = ["?", "f1", "shift-tab", "alt-x"]\n' >"$corpus/config/keys.toml"

printf 'plain text' >"$corpus/sanitize/plain"
printf 'a\033[31mred\033]8;;http://x\007link\033P1$r\033\\' >"$corpus/sanitize/escapes"
printf 'abc\342\200\256fed\342\200\213\357\273\277\302\233' >"$corpus/sanitize/bidi"
printf 'bad \377\376 utf8 \342\200' >"$corpus/sanitize/invalid"

echo "seeded $(find "$corpus" -type f | wc -l) files under $corpus"
