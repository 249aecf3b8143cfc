"""Peer anchor: PyTorch CPU speed for the seed models on this machine.

Prints one JSON line per measurement. Run with the reference venv:
  python Benchmarks/peer/pytorch_bench.py [--threads 2] [--only models|sgemm]
"""
import argparse, json, time
import torch, torch.nn as nn, torch.nn.functional as F

class MnistNet(nn.Module):          # seed 000 (the classic PyTorch MNIST example net)
    def __init__(s):
        super().__init__(); s.conv1 = nn.Conv2d(1, 10, 5); s.conv2 = nn.Conv2d(10, 20, 5)
        s.fc1 = nn.Linear(320, 50); s.fc2 = nn.Linear(50, 10)
    def forward(s, x):
        x = F.relu(F.max_pool2d(s.conv1(x), 2)); x = F.relu(F.max_pool2d(s.conv2(x), 2))
        return s.fc2(F.relu(s.fc1(x.flatten(1))))

class Lenet300(nn.Module):          # Han et al. LeNet-300-100
    def __init__(s):
        super().__init__(); s.fc1 = nn.Linear(784, 300); s.fc2 = nn.Linear(300, 100); s.fc3 = nn.Linear(100, 10)
    def forward(s, x): return s.fc3(F.relu(s.fc2(F.relu(s.fc1(x.flatten(1))))))

class SimpleCNN(nn.Module):         # seed 004 CIFAR-10 net
    def __init__(s):
        super().__init__(); s.conv1 = nn.Conv2d(3, 16, 3); s.conv2 = nn.Conv2d(16, 32, 3)
        s.fc1 = nn.Linear(32*6*6, 120); s.fc2 = nn.Linear(120, 84); s.fc3 = nn.Linear(84, 10)
    def forward(s, x):
        x = F.max_pool2d(F.relu(s.conv1(x)), 2); x = F.max_pool2d(F.relu(s.conv2(x)), 2)
        return s.fc3(F.relu(s.fc2(F.relu(s.fc1(x.flatten(1))))))

class Teacher(nn.Module):           # seed 001 CIFAR-10 teacher (shapes corrected: 64*6*6)
    def __init__(s, hidden=128):
        super().__init__(); s.conv1 = nn.Conv2d(3, 32, 3); s.conv2 = nn.Conv2d(32, 64, 3)
        s.fc1 = nn.Linear(64*6*6, hidden); s.fc2 = nn.Linear(hidden, 10)
    def forward(s, x):
        x = F.max_pool2d(F.relu(s.conv1(x)), 2); x = F.max_pool2d(F.relu(s.conv2(x)), 2)
        return s.fc2(F.relu(s.fc1(x.flatten(1))))

MODELS = {"mnist-net": (MnistNet, (1, 28, 28)), "lenet300": (Lenet300, (1, 28, 28)),
          "cifar-simplecnn": (SimpleCNN, (3, 32, 32)), "cifar-teacher": (Teacher, (3, 32, 32))}

def bench(fn, seconds=3.0):
    fn(); fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds: fn(); n += 1
    return (time.perf_counter() - t0) / n

def main():
    ap = argparse.ArgumentParser(); ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--only", choices=["models", "sgemm"], default=None); a = ap.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    for name, (cls, shape) in (MODELS.items() if a.only != "sgemm" else []):
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
