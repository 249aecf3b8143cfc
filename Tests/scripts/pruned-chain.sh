#!/usr/bin/env bash
# Acceptance check for issue #25's masks: prune 80 % → quantize (8-bit QAT, 1 epoch) → decompose
# fc2 to rank 5 + fine-tune 1 epoch → distill into that pruned student (1 epoch), on MNIST with
# the release binary; prints every command's stages and how many of the pruned weights are still
# zero in each later checkpoint (decompose reads the pruned float file: it refuses quantized ones).
#
#   swift build -c release && Tests/scripts/pruned-chain.sh
#
# Environment: SWIFTLET (default .build/release/swiftlet), PYTHON (with numpy; default python3),
# WORK (a scratch folder; default a new temporary one).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
swiftlet=${SWIFTLET:-$root/.build/release/swiftlet}
python=${PYTHON:-python3}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work" && cd "$work"
run() { echo "\$ swiftlet $*"; "$swiftlet" "$@" --json 2>/dev/null | sed 's/, "size_bytes.*//'; }
run train --model mnist-net --epochs 2 --out dense
run prune --model mnist-net --checkpoint dense/model.safetensors --method global-sparsity --sparsity 0.8 --out pruned
run quantize --model mnist-net --checkpoint pruned/model.safetensors --bits 8 --qat-epochs 1 --out quantized
run decompose --model mnist-net --checkpoint pruned/model.safetensors --layer fc2 --rank 5 --finetune-epochs 1 --out decomposed
run distill --teacher dense/model.safetensors --teacher-model mnist-net --student mnist-net \
    --student-checkpoint decomposed/model.safetensors --epochs 1 --out distilled
for f in pruned quantized decomposed distilled; do run evaluate --model mnist-net --checkpoint $f/model.safetensors; done
"$python" "$root/Tests/scripts/pruned_retention.py" pruned/model.safetensors quantized/model.safetensors \
    decomposed/model.safetensors distilled/model.safetensors
