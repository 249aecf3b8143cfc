#!/usr/bin/env bash
# Builds the libFuzzer driver (-sanitize=fuzzer,address) and fuzzes each target in turn:
#   Tests/Fuzz/run-fuzzers.sh [RUNS] [TARGET...]      (default 1000000 runs, every target)
# New inputs go to .build-fuzz/corpus/<target>/ (the committed seeds in Tests/Fuzz/Corpus/ are
# only read); a crash, timeout or out-of-memory input is written to .build-fuzz/artifacts/ and
# stops the run with a non-zero status. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-1000000}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(safetensors quantized idx gzip tar cifar10)

SWIFTLET_FUZZ=1 swift build -c release --scratch-path .build-fuzz --product swiftlet-fuzz \
    -Xswiftc -sanitize=fuzzer,address
mkdir -p .build-fuzz/artifacts
for target in "${targets[@]}"; do
    mkdir -p ".build-fuzz/corpus/$target"
    echo "== $target: $runs runs"
    SWIFTLET_FUZZ_TARGET=$target .build-fuzz/release/swiftlet-fuzz \
        -runs="$runs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix=".build-fuzz/artifacts/$target-" \
        ".build-fuzz/corpus/$target" "Tests/Fuzz/Corpus/$target"
done
