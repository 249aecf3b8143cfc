"""Peer anchor: ONNX Runtime CPU speed for models Swiftlet exported, on this machine.

  python Benchmarks/peer/ort_bench.py [--threads 2] [--batch 64] --model NAME FORMAT FILE.onnx [--model ...]

`swiftlet bench --peer PYTHON` writes each model it measures as ONNX in float and as the int8
engine's QDQ pipeline (ONNXExporter, as `swiftlet export` writes them) and runs this script on
the files. For each it prints one JSON line: inference img/s at `--batch` and batch-1 latency in
µs on normally distributed inputs, timed as pytorch_bench.py times PyTorch, in the ONNX Runtime
session onnx_check.py uses (CPU execution provider, `--threads` intra-op threads).
"""
import argparse, json

import numpy as np
import onnxruntime as ort

from ort_session import run_reporting_errors, session
from peer_timing import bench


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--model", nargs=3, action="append", required=True, metavar=("NAME", "FORMAT", "FILE"))
    args = parser.parse_args()
    generator = np.random.default_rng(0)
    for name, form, path in args.model:
        sess = session(path, args.threads)
        source, output = sess.get_inputs()[0], sess.get_outputs()[0].name
        x = generator.standard_normal([args.batch] + list(source.shape[1:])).astype(np.float32)
        one = x[:1]
        seconds = bench(lambda: sess.run([output], {source.name: x}))
        latency = bench(lambda: sess.run([output], {source.name: one}))
        print(json.dumps({"ort_model": name, "format": form, "threads": args.threads, "batch": args.batch,
                          "infer_img_per_s": round(args.batch / seconds), "latency_b1_us": round(latency * 1e6, 1),
                          "onnxruntime": ort.__version__}), flush=True)


if __name__ == "__main__":
    run_reporting_errors(main, "ort_bench")
