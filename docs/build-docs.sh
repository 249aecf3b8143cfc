#!/usr/bin/env bash
# The DocC documentation of Swiftlet and Datasets, built with the toolchain's own tools (no
# plugin): release build, public symbol graphs (swift-symbolgraph-extract), a check that every
# public symbol has a doc comment, then `docc convert --warnings-as-errors` per module.
#   docs/build-docs.sh [OUTPUT_DIR]        (default .build/docs)
# Writes OUTPUT_DIR/Swiftlet.doccarchive and OUTPUT_DIR/Datasets.doccarchive (static hosting
# layout: serve the folder, open /documentation/swiftlet). Fails on any undocumented public
# symbol or any DocC warning. See docs/documentation.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:-.build/docs}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The same flags as the test command, so this reuses the test build instead of recompiling
# every module (`-enable-testing` changes nothing public).
swift build -c release -Xswiftc -enable-testing --target Datasets
bin=$(swift build -c release -Xswiftc -enable-testing --show-bin-path)
modules=$bin/Modules
[ -d "$modules" ] || modules=$bin
case "$(uname -s)" in
    Darwin) triple="$(uname -m)-apple-macosx15.0" ;;
    *) triple=$(swiftc -print-target-info | sed -n 's/^ *"triple": "\(.*\)",*$/\1/p' | head -n 1) ;;
esac

checker=$out/check-doc-coverage
swiftc -O -D DOC_COVERAGE_TOOL -parse-as-library Tests/DocsTests/DocumentationCoverage.swift -o "$checker"

status=0
for module in Swiftlet Datasets; do
    graphs=$out/symbol-graphs/$module
    rm -rf "$graphs" && mkdir -p "$graphs"
    swift-symbolgraph-extract -module-name "$module" -I "$modules" -target "$triple" \
        -minimum-access-level public -output-dir "$graphs"
    "$checker" "$graphs" "$root" || status=1
done
[ "$status" = 0 ] || { echo "error: undocumented public symbols (listed above)" >&2; exit 1; }

for module in Swiftlet Datasets; do
    case $module in Swiftlet) catalog=Sources/Swiftlet/Swiftlet.docc ;; Datasets) catalog=Datasets/Datasets.docc ;; esac
    rm -rf "$out/$module.doccarchive"
    docc convert "$catalog" --additional-symbol-graph-dir "$out/symbol-graphs/$module" \
        --fallback-display-name "$module" --fallback-bundle-identifier "org.swiftlet.$module" \
        --transform-for-static-hosting \
        --warnings-as-errors --output-dir "$out/$module.doccarchive"
done
echo "documentation: $out/Swiftlet.doccarchive $out/Datasets.doccarchive"
