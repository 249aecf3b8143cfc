#!/usr/bin/env bash
# The table "2 ranks × 1 thread against 1 process × 2 threads" of docs/distributed.md: one training epoch of each
# model as 1 process × 1 thread × batch 64, 1 process × 2 threads × batch 64 and 2 ranks × 1 thread × batch 32
# (the same 64 images per optimizer step); prints the epoch's img/s from the progress line and the load average.
# No arguments; run from the repository root (needs mpirun). SWIFTLET=path overrides the binary; datasets come
# through SWIFTLET_DATA / SWIFTLET_MIRROR as for any swiftlet command (cifar10 is downloaded if neither has it).
set -euo pipefail
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
B=${SWIFTLET:-.build-mpi/release/swiftlet}
[ -x "$B" ] || { echo "error: no swiftlet binary at $B: build it with 'swift build -c release --traits MPI --scratch-path .build-mpi' or set SWIFTLET" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/throughput.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
speed() { tr '\r' '\n' | grep "epoch 1/1" | tail -1 | grep -o '[0-9,]* img/s' || true; }
for pair in mnist-net:mnist lenet300:mnist cifar-simplecnn:cifar10 cifar-teacher:cifar10; do
  model=${pair%%:*}; data=${pair##*:}; rm -rf "$WORK"/tp-*
  echo "$model: load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "  1 process, 1 thread, batch 64:  $("$B" train --model "$model" --dataset "$data" --epochs 1 --batch-size 64 --threads 1 --out "$WORK/tp-1" 2>&1 | speed)"
  echo "  1 process, 2 threads, batch 64: $("$B" train --model "$model" --dataset "$data" --epochs 1 --batch-size 64 --threads 2 --out "$WORK/tp-2" 2>&1 | speed)"
  echo "  2 ranks × 1 thread, batch 32:   $(mpirun -np 2 "$B" train --model "$model" --dataset "$data" --epochs 1 --batch-size 32 --threads 1 --distributed --out "$WORK/tp-d" 2>&1 | speed)"
done
