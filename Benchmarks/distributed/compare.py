# The "Equivalence with one process" figures of docs/distributed.md: the largest difference between two safetensors
# checkpoints, per tensor, max|a-b| / max|b| (a: the 2-rank run, b: the 1-process run); one line per tensor, then the largest.
# Usage: python3 Benchmarks/distributed/compare.py A.safetensors B.safetensors
# Python 3 standard library only: any python3 or venv runs it (a venv with numpy, such as Benchmarks/peer's, does too).
import json, struct, sys, array
def load(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n]); body = data[8 + n:]
    out = {}
    for k, v in header.items():
        if k == "__metadata__": continue
        a = array.array("f"); a.frombytes(body[v["data_offsets"][0]:v["data_offsets"][1]]); out[k] = a
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
worst = 0
for k in sorted(b):
    d = max(abs(x - y) for x, y in zip(a[k], b[k])); m = max(abs(y) for y in b[k])
    rel = d / m; worst = max(worst, rel)
    print(f"{k:14s} max|diff| {d:.3e}  max|w| {m:.3e}  relative {rel:.3e}")
print(f"largest relative difference: {worst:.3e}")
