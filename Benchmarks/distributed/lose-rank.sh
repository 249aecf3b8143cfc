#!/usr/bin/env bash
# What happens when a rank is lost (docs/distributed.md, "Failures"): starts 2-rank mnist-net training, after
# DELAY s (default 5) sends SIGNAL (KILL or STOP, default KILL) to rank 1 and times how long mpirun takes to exit;
# prints mpirun's exit status and the last lines of its output. Usage, from the repository root (needs mpirun, bc):
#   Benchmarks/distributed/lose-rank.sh [KILL|STOP] [DELAY]    # SWIFTLET=path/to/swiftlet overrides the binary
set -euo pipefail
SIGNAL=${1:-KILL}
DELAY=${2:-5}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
B=${SWIFTLET:-.build-mpi/release/swiftlet}
[ -x "$B" ] || { echo "error: no swiftlet binary at $B: build it with 'swift build -c release --traits MPI --scratch-path .build-mpi' or set SWIFTLET" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lose-$SIGNAL.XXXXXX")
mpirun -np 2 "$B" train --model mnist-net --epochs 3 --batch-size 32 --threads 1 --distributed --out "$WORK/out" > "$WORK/log" 2>&1 &
MPIRUN=$!
sleep "$DELAY"
RANK1=
for pid in $(ps -o pid= --ppid "$MPIRUN" || true); do
  if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -x OMPI_COMM_WORLD_RANK=1 > /dev/null; then RANK1=$pid; fi
done
[ -n "$RANK1" ] || { echo "error: found no rank 1 among mpirun's children (did the job end before $DELAY s? see $WORK/log)" >&2; exit 1; }
echo "sending SIG$SIGNAL to rank 1 (pid $RANK1) at $(date +%T.%N)"
START=$(date +%s.%N)
kill "-$SIGNAL" "$RANK1"
STATUS=0; wait "$MPIRUN" || STATUS=$?
END=$(date +%s.%N)
echo "mpirun exited with status $STATUS after $(echo "$END - $START" | bc) s"
tr '\r' '\n' < "$WORK/log" | grep -v '^\s*$' | tail -12 || true
[ "$SIGNAL" = STOP ] && kill -CONT "$RANK1" 2>/dev/null; true
rm -rf "$WORK"
