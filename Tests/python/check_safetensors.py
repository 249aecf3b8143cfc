"""Acceptance check: a Swiftlet checkpoint loads into the matching PyTorch model and gives
Swiftlet's logits.

    python Tests/python/check_safetensors.py --model mnist-net \
        --checkpoint DIR/model.safetensors --probe DIR/probe.safetensors [--tolerance 1e-5]

The checkpoint must load with strict=True (same names, same shapes, nothing extra). The probe,
also written by Swiftlet, holds `input` (a batch of samples) and `logits` (Swiftlet's output for
it in eval mode). Prints the largest absolute difference between PyTorch's logits and the
probe's; exits 0 when it is within the tolerance, 1 when not or when loading fails.
Needs torch and safetensors (pip install torch safetensors).
"""
import argparse
import os
import sys

import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import MODELS, build_model  # noqa: E402


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, choices=sorted(MODELS))
    ap.add_argument("--checkpoint", required=True, help="model.safetensors written by Swiftlet")
    ap.add_argument("--probe", required=True, help="safetensors file with tensors `input` and `logits`")
    ap.add_argument("--tolerance", type=float, default=1e-5, help="largest allowed |difference| (default 1e-5)")
    a = ap.parse_args()

    try:
        state, probe = load_file(a.checkpoint), load_file(a.probe)
    except Exception as error:  # safetensors raises several types for missing or corrupt files
        fail(f"cannot read safetensors file: {error}")
    missing = {"input", "logits"} - probe.keys()
    if missing:
        fail(f"{a.probe} lacks {sorted(missing)}; it has {sorted(probe)}")

    model = build_model(a.model, state)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as error:  # names or shapes differ from the PyTorch class
        fail(f"{a.checkpoint} does not match {a.model}: {error}")
    model.eval()
    with torch.no_grad():
        logits = model(probe["input"].to(torch.float32))
    expected = probe["logits"].to(torch.float32)
    if logits.shape != expected.shape:
        fail(f"PyTorch logits have shape {list(logits.shape)}, the probe's {list(expected.shape)}")

    diff = (logits - expected).abs().max().item()
    print(f"{a.model}: {len(state)} tensors loaded strictly; max |logits difference| = {diff:.3g} "
          f"over {expected.numel()} logits (tolerance {a.tolerance:g})")
    if not diff <= a.tolerance:  # `not <=` also catches NaN
        fail(f"logits differ by {diff:.3g} > {a.tolerance:g}")


if __name__ == "__main__":
    main()
