"""Peer anchor: PyTorch CPU speed for the seed models on this machine.

Prints one JSON line per measurement. Run with the reference venv:
  python Benchmarks/peer/pytorch_bench.py [--threads 2] [--only models|sgemm] [--models NAME ...]
"""
import argparse, json, sys, time
from pathlib import Path
import torch, torch.nn.functional as F

# The same PyTorch classes the checkpoint cross-check and the fixture generator use.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Tests" / "python"))
from models import MODELS as ALL_MODELS  # noqa: E402

# The four seed models `swiftlet bench` measures unless told others.
SEED_MODELS = ["mnist-net", "lenet300", "cifar-simplecnn", "cifar-teacher"]

def bench(fn, seconds=3.0):
    fn(); fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds: fn(); n += 1
    return (time.perf_counter() - t0) / n

def main():
    ap = argparse.ArgumentParser(); ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--only", choices=["models", "sgemm"], default=None)
    ap.add_argument("--models", nargs="+", choices=sorted(ALL_MODELS), default=SEED_MODELS); a = ap.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(0)
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
