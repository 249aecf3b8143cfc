"""Checks an ONNX file that `swiftlet export` wrote, in ONNX Runtime, against Swiftlet.

  python Benchmarks/peer/onnx_check.py MODEL.onnx DATA.safetensors [--threads 2] [--batch 64] [--seconds 3]

DATA.safetensors (written by `swiftlet export --verify`) holds `input` [N, C, H, W] (test
images, normalised as Swiftlet feeds them), `labels` [N] (I64) and `logits` [N, K]: what
Swiftlet computed for them, in float or through its int8 engine.

The script runs onnx.checker (full check: strict shape inference), checks that protobuf
re-serializes the file to the same bytes (Swiftlet's encoder writes fields in field-number
order, as protobuf does), runs the model with ONNX Runtime on the CPU execution provider
with a fixed thread count at batch `--batch` (and the remainder, so the dynamic batch
dimension is exercised), and prints one JSON line: the largest |logit difference|, top-1
agreement and both accuracies in percent, ONNX Runtime's img/s at batch `--batch` (mean over
repeated passes for `--seconds`), and the op types ONNX Runtime runs after its graph
optimisations (how many QDQ groups became integer kernels).
"""
import argparse, json, os, tempfile, time
from collections import Counter

import numpy as np
import onnx
import onnxruntime as ort
from safetensors.numpy import load_file

from ort_session import run_reporting_errors, session


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("data")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()

    raw = open(args.model, "rb").read()
    model = onnx.load_from_string(raw)
    onnx.checker.check_model(model, full_check=True)
    canonical = model.SerializeToString() == raw

    data = load_file(args.data)
    images, labels, reference = data["input"].astype(np.float32), data["labels"].astype(np.int64), data["logits"]
    with tempfile.TemporaryDirectory() as folder:
        optimized = os.path.join(folder, "optimized.onnx")
        sess = session(args.model, args.threads, optimized)
        ops = Counter(node.op_type for node in onnx.load(optimized).graph.node)
    input_name, output_name = sess.get_inputs()[0].name, sess.get_outputs()[0].name

    def run(x):
        return sess.run([output_name], {input_name: x})[0]

    outputs = [run(images[start:start + args.batch]) for start in range(0, len(images), args.batch)]
    logits = np.concatenate(outputs).reshape(reference.shape)
    difference = np.abs(logits.astype(np.float64) - reference.astype(np.float64))
    ours, theirs = logits.argmax(axis=1), reference.argmax(axis=1)

    # Throughput over the whole batches only.
    whole = [images[s:s + args.batch] for s in range(0, len(images) - args.batch + 1, args.batch)] or [images]
    for x in whole[:2]:
        run(x)
    passes, seen, start = 0, 0, time.perf_counter()
    while passes == 0 or time.perf_counter() - start < args.seconds:
        for x in whole:
            run(x)
            seen += len(x)
        passes += 1
    seconds = time.perf_counter() - start

    print(json.dumps({
        "model": args.model, "checker": "passed", "canonical": canonical,
        "opset": max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0),
        "images": int(len(images)), "threads": args.threads, "batch": args.batch,
        "max_abs_diff": float(difference.max()) if difference.size else 0.0,
        "top1_agreement": float(100.0 * np.mean(ours == theirs)),
        "ort_accuracy": float(100.0 * np.mean(ours == labels)),
        "swiftlet_accuracy": float(100.0 * np.mean(theirs == labels)),
        "ort_img_per_s": seen / seconds,
        "onnxruntime": ort.__version__, "onnx": onnx.__version__,
        "ort_ops": dict(sorted(ops.items())),
    }))


if __name__ == "__main__":
    run_reporting_errors(main, "onnx_check")
