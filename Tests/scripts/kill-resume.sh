#!/usr/bin/env bash
# Acceptance check for `swiftlet train --resume` (issue #25): RUNS training runs, each killed
# with SIGKILL one to three times at random moments and then resumed to the end, must each
# end with exactly the files of one uninterrupted run, byte for byte, and nothing else in
# the output folder (no temporaries, no half-committed unit).
#
#   swift build -c release && Tests/scripts/kill-resume.sh [RUNS]        (RUNS default 100)
#
# Environment: SWIFTLET (default .build/release/swiftlet); MODEL (default hinton-teacher,
# whose dropout draws from the global generator, so its state must survive as well);
# EPOCHS (3); TRAIN and TEST images taken from the shipped MNIST (2048, 512); THREADS (1);
# WORK, a scratch folder (default: a new temporary one, removed at the end unless a run failed).
# Prints one line per run and a summary; exits 1 if any run differs.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-100}
swiftlet=${SWIFTLET:-.build/release/swiftlet}
model=${MODEL:-hinton-teacher} epochs=${EPOCHS:-3} threads=${THREADS:-1}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"

# The first COUNT items of an IDX file (header of HEADER bytes, ITEM bytes each), with the
# count in its header rewritten. (head closing the pipe early is expected: no pipefail here.)
idx_subset() (
    set +o pipefail
    local source=$1 destination=$2 header=$3 item=$4 count=$5 hex whole=$work/whole.idx
    hex=$(printf '%08x' "$count")
    gunzip -c "$source" > "$whole"
    {
        head -c 4 "$whole"
        printf "\\x${hex:0:2}\\x${hex:2:2}\\x${hex:4:2}\\x${hex:6:2}"
        head -c "$header" "$whole" | tail -c "$((header - 8))"
        tail -c "+$((header + 1))" "$whole" | head -c "$((count * item))"
    } > "$destination"
    rm "$whole"
)
data=$work/data
mkdir -p "$data"
for split in "train ${TRAIN:-2048}" "t10k ${TEST:-512}"; do
    set -- $split
    idx_subset "Datasets/MNIST/$1-images-idx3-ubyte.gz" "$data/$1-images-idx3-ubyte" 16 784 "$2"
    idx_subset "Datasets/MNIST/$1-labels-idx1-ubyte.gz" "$data/$1-labels-idx1-ubyte" 8 1 "$2"
done

# exec: run in the background, the process killed is swiftlet itself, not a shell around it.
train() { exec "$swiftlet" train --model "$model" --dataset "$data" --epochs "$epochs" --threads "$threads" "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

start=$(now_ms)
(train --out "$work/reference") > "$work/reference.log" 2>&1
duration=$(( $(now_ms) - start ))
reference_files=$(cd "$work/reference" && ls -A)
echo "uninterrupted run: ${duration} ms; files: $(echo $reference_files)"

failures=0 kills=0 killed_before_first_commit=0
declare -A resumed_after   # epochs completed when a resume found the folder → how often
for run in $(seq 1 "$runs"); do
    folder=$work/run
    rm -rf "$folder"
    log=$work/run.log
    : > "$log"
    for _ in $(seq 1 $((1 + RANDOM % 3))); do
        # A random moment within one uninterrupted run's time: startup, any epoch, a commit, the end.
        delay=$(( (RANDOM * 32768 + RANDOM) % duration ))
        (train --resume "$folder") >> "$log" 2>&1 &
        pid=$!
        sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
        kill -KILL "$pid" 2> /dev/null && kills=$((kills + 1)) || true
        wait "$pid" 2> /dev/null || true
    done
    verdict=identical
    (train --resume "$folder") >> "$log" 2>&1 || verdict="the final resume failed: $(tail -1 "$log")"
    last=$(grep -o 'resuming .* after epoch [0-9]*\|holds no training state yet' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    last=${last:-0}
    resumed_after[$last]=$(( ${resumed_after[$last]:-0} + 1 ))
    files=$(cd "$folder" && ls -A)
    if [ "$verdict" != identical ]; then
        :
    elif [ "$files" != "$reference_files" ]; then
        verdict="different files: $(echo $files)"
    else
        for file in $reference_files; do
            cmp -s "$work/reference/$file" "$folder/$file" || verdict="$file differs"
        done
    fi
    echo "run $run: final resume after epoch $last; $verdict"
    if [ "$verdict" != identical ]; then
        failures=$((failures + 1))
        cp -r "$folder" "$work/failed-$run"
        cp "$log" "$work/failed-$run.log"
    fi
done

summary=""
for epoch in $(echo "${!resumed_after[@]}" | tr ' ' '\n' | sort -n); do summary+=" after epoch $epoch: ${resumed_after[$epoch]};"; done
echo "$runs runs, $kills SIGKILLs; final resumes started${summary%;}"
echo "$((runs - failures)) of $runs final folders identical to the uninterrupted run's, byte for byte, with no other files"
if [ "$failures" -gt 0 ]; then
    echo "failed runs kept in $work"
    exit 1
fi
[ -n "${WORK:-}" ] || rm -rf "$work"
