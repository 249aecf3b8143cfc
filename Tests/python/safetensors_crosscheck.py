"""Cross-checks Swiftlet's safetensors reader and writer against the reference implementation.

    python safetensors_crosscheck.py write   # (re)writes Fixtures/safetensors/python_written.safetensors
    python safetensors_crosscheck.py check   # loads Fixtures/safetensors/swift_written.safetensors

`SafeTensorsTests.testReadsFileWrittenByPython` reads the first file; the second is pinned
byte-for-byte by `SafeTensorsTests.testEncodingMatchesCommittedSwiftFixture`, so the values
asserted here must match `SafeTensorsTests.crossCheckFile()`.
Needs `torch`, `numpy` and `safetensors` (pip install torch safetensors).
"""
import sys
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file as load_torch, save_file

FIXTURES = Path(__file__).resolve().parent.parent / "SwiftletTests" / "Fixtures" / "safetensors"


def write():
    tensors = {
        "weight": torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4 - 0.5,
        "half": torch.tensor([1.5, -2, 65504], dtype=torch.float16),
        "brain": torch.tensor([1, -3.5], dtype=torch.bfloat16),
        "counts": torch.tensor([[-1, 2], [-3, 2_147_483_647]], dtype=torch.int32),
        "index": torch.tensor([0, -5, 1 << 40], dtype=torch.int64),
        "mask": torch.tensor([True, False, False, True]),
        "bytes": torch.tensor([0, 128, 255], dtype=torch.uint8),
    }
    FIXTURES.mkdir(parents=True, exist_ok=True)
    path = FIXTURES / "python_written.safetensors"
    save_file(tensors, str(path), metadata={"producer": "torch", "note": 'quote " and é'})
    print(f"wrote {path} ({path.stat().st_size} bytes)")


def check():
    path = FIXTURES / "swift_written.safetensors"
    t = load_torch(str(path))
    expected_names = {"conv1.weight", "special", "half", "brain", "double", "labels", "counts",
                      "small", "pixels", "mask", "empty"}
    assert set(t) == expected_names, sorted(t)

    assert t["conv1.weight"].shape == (2, 3, 2, 2) and t["conv1.weight"].dtype == torch.float32
    assert t["conv1.weight"].flatten().tolist() == [i * 0.125 - 1 for i in range(24)]

    # NaN payloads and signed zero must survive bit for bit: compare the raw bits.
    special = [b & 0xFFFFFFFF for b in t["special"].view(torch.int32).tolist()]
    assert special == [0x00000000, 0x80000000, 0x7F800000, 0xFF800000,
                                                0x7FC00001, 0xFF800001, 0x00000001, 0x40500000], \
        [hex(b) for b in special]

    assert t["half"].dtype == torch.float16 and t["half"].tolist() == [1, -2.5, 65504]
    assert t["brain"].dtype == torch.bfloat16 and t["brain"].tolist() == [1, -3.5]
    assert t["double"].dtype == torch.float64 and t["double"].item() == float(np.float32(0.1))
    assert t["labels"].dtype == torch.int64 and t["labels"].tolist() == [-3, 1 << 40]
    assert t["counts"].dtype == torch.int32 and t["counts"].tolist() == [[-7, 9]]
    assert t["small"].dtype == torch.int8 and t["small"].tolist() == [-128, 127]
    assert t["pixels"].dtype == torch.uint8 and t["pixels"].tolist() == [0, 200, 255]
    assert t["mask"].dtype == torch.bool and t["mask"].tolist() == [True, False, True]
    assert t["empty"].shape == (0, 4)

    with safe_open(str(path), framework="pt") as f:
        assert f.metadata() == {"producer": "swiftlet", "epochs": "10"}, f.metadata()
    print(f"{path.name}: {len(t)} tensors and metadata load in safetensors/torch as expected")


if __name__ == "__main__":
    {"write": write, "check": check}[sys.argv[1] if len(sys.argv) > 1 else "check"]()
