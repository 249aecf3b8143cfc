"""Peer anchor: PyTorch CPU speed for the seed models on this machine.

Prints one JSON line per measurement. Run with the reference venv:
  python Benchmarks/peer/pytorch_bench.py [--threads 2] [--only models|sgemm|decompose] [--models NAME ...]
"""
import argparse, copy, json, sys
from pathlib import Path
import torch, torch.nn as nn, torch.nn.functional as F

# The same PyTorch classes the checkpoint cross-check and the fixture generator use.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Tests" / "python"))
from models import MODELS as ALL_MODELS  # noqa: E402
from peer_timing import bench  # noqa: E402

# The four seed models `swiftlet bench` measures unless told others.
SEED_MODELS = ["mnist-net", "lenet300", "cifar-simplecnn", "cifar-teacher"]

class HintonStudent(nn.Module):
    """Hinton et al. 2015's student, 784-800-800-10 (Swiftlet's hinton-student)."""
    def __init__(s):
        super().__init__(); s.fc1 = nn.Linear(784, 800); s.fc2 = nn.Linear(800, 800); s.fc3 = nn.Linear(800, 10)

    def forward(s, x):
        x = F.relu(s.fc1(x.flatten(1))); return s.fc3(F.relu(s.fc2(x)))


# What `swiftlet bench --only decompose` measures (DecompositionCase.defaults), labelled as it labels them.
DECOMPOSITIONS = [
    ("lenet300", [("fc1", 50)], False), ("lenet300", [("fc1", 20)], False),
    ("hinton-student", [("fc2", 100)], False), ("hinton-student", [("fc2", 25)], False),
    ("cifar-simplecnn", [("fc1", 16)], False), ("cifar-simplecnn", [("conv2", 8)], False),
    ("cifar-simplecnn", [("conv2", 8)], True), ("cifar-simplecnn", [("fc1", 16), ("conv2", 8)], False),
]
DECOMPOSITION_MODELS = {**ALL_MODELS, "hinton-student": (HintonStudent, (1, 28, 28))}


def factorized(layer, r, separable):
    """The layer's rank-r replacement, shaped as Swiftlet's Linear/Conv2d.lowRank builds it
    (weights random: speed does not depend on them). Every layer factorised here has stride 1
    and no padding."""
    if isinstance(layer, nn.Linear):
        return nn.Sequential(nn.Linear(layer.in_features, r, bias=False), nn.Linear(r, layer.out_features))
    kh, kw = layer.kernel_size
    first, second = ((kh, 1), (1, kw)) if separable else ((kh, kw), 1)
    return nn.Sequential(nn.Conv2d(layer.in_channels, r, first, bias=False), nn.Conv2d(r, layer.out_channels, second))


def bench_decompositions(threads, batch, rounds=5, seconds=0.3):
    """Each factorised model timed alternately with the original, best of `rounds` rounds of
    about `seconds` each, as `swiftlet bench --only decompose` does."""
    for name, layers, separable in DECOMPOSITIONS:
        cls, shape = DECOMPOSITION_MODELS[name]
        original = cls().eval(); model = copy.deepcopy(original)
        for layer, r in layers:
            setattr(model, layer, factorized(getattr(model, layer), r, separable))
        x = torch.randn(batch, *shape); best = [float("inf"), float("inf")]
        with torch.no_grad():
            for _ in range(rounds):
                for i, m in enumerate((model, original)):
                    best[i] = min(best[i], bench(lambda: m(x), seconds))
        label = " + ".join(f"{layer} r{r}" for layer, r in layers) + (" separable" if separable else "")
        print(json.dumps({"decompose": name, "decomposition": label, "threads": threads, "batch": batch,
                          "img_per_s": round(batch / best[0]), "original_img_per_s": round(batch / best[1]),
                          "speedup": round(best[1] / best[0], 2)}), flush=True)


def main():
    ap = argparse.ArgumentParser(); ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--only", choices=["models", "sgemm", "decompose"], default=None)
    ap.add_argument("--models", nargs="+", choices=sorted(ALL_MODELS), default=SEED_MODELS); a = ap.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    if a.only == "decompose":
        return bench_decompositions(a.threads, a.batch)
    for name in (a.models if a.only != "sgemm" else []):
        cls, shape = ALL_MODELS[name]
        m = cls(); opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
        x = torch.randn(a.batch, *shape); y = torch.randint(0, 10, (a.batch,))
        def step():
            opt.zero_grad(); F.cross_entropy(m(x), y).backward(); opt.step()
        t = bench(step)
        m.eval()
        with torch.no_grad():
            ti = bench(lambda: m(x)); x1 = x[:1]; t1 = bench(lambda: m(x1))
        print(json.dumps({"model": name, "threads": a.threads, "batch": a.batch,
                          "train_img_per_s": round(a.batch / t), "infer_img_per_s": round(a.batch / ti),
                          "latency_b1_us": round(t1 * 1e6, 1)}), flush=True)
    for n in ((256, 512, 1024) if a.only != "models" else ()):
        A, B = torch.randn(n, n), torch.randn(n, n)
        t = bench(lambda: A @ B, 2.0)
        print(json.dumps({"sgemm": n, "threads": a.threads, "gflops": round(2 * n**3 / t / 1e9, 1)}), flush=True)

if __name__ == "__main__":
    main()
