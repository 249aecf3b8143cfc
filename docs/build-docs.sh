#!/usr/bin/env bash
# The DocC documentation of Swiftlet and Datasets, built with the toolchain's own tools (no
# plugin): the test build, a check that every public symbol has a doc comment, the public
# symbol graphs (swift-symbolgraph-extract), then `docc convert --warnings-as-errors` per module.
#   docs/build-docs.sh [OUTPUT_DIR]        (default .build/docs)
# Writes OUTPUT_DIR/Swiftlet.doccarchive and OUTPUT_DIR/Datasets.doccarchive (static hosting
# layout). Fails on any undocumented public symbol or any DocC warning. See docs/documentation.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.build/docs}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The coverage check is a test: running it through the README's test command builds exactly what
# `swift test` builds (nothing, right after it). A `swift build` would compile Swiftlet with
# other flags (no testable imports), and the next `swift test` would compile it all again.
swift test -c release -Xswiftc -enable-testing --disable-swift-testing --filter DocumentationCoverageTests
bin=$(swift build -c release --show-bin-path)
modules=$bin/Modules
[ -d "$modules" ] || modules=$bin
case "$(uname -s)" in
    Darwin) triple="$(uname -m)-apple-macosx15.0" ;;
    *) triple=$(swiftc -print-target-info | sed -n 's/^ *"triple": "\(.*\)",*$/\1/p' | head -n 1) ;;
esac

for module in Swiftlet Datasets; do
    case $module in Swiftlet) catalog=Sources/Swiftlet/Swiftlet.docc ;; Datasets) catalog=Datasets/Datasets.docc ;; esac
    graphs=$out/symbol-graphs/$module
    rm -rf "$graphs" "$out/$module.doccarchive" && mkdir -p "$graphs"
    swift-symbolgraph-extract -module-name "$module" -I "$modules" -target "$triple" \
        -minimum-access-level public -output-dir "$graphs"
    docc convert "$catalog" --additional-symbol-graph-dir "$graphs" \
        --fallback-display-name "$module" --fallback-bundle-identifier "org.swiftlet.$module" \
        --transform-for-static-hosting --warnings-as-errors --output-dir "$out/$module.doccarchive"
done
echo "documentation: $out/Swiftlet.doccarchive $out/Datasets.doccarchive"
