"""Peer anchor: PyTorch's SimpleCNN fc1 rank-16 SVD and 1-epoch fine-tune from a Swiftlet checkpoint.

Loads a trained `cifar-simplecnn` safetensors file (the state-dict names are PyTorch's),
replaces fc1 by its truncated SVD as nn.Sequential(Linear(in, r, bias=False), Linear(r, out))
with the singular values split as asked, and fine-tunes it for --epochs epochs per --seeds
(SGD, momentum 0.9, batch 64, no augmentation, last partial batch kept), so that the spread
over data orders and the effect of the split can be set beside `swiftlet decompose`.
--order swiftlet visits the images in the order of Swiftlet's loader for that seed (its first
epoch's shuffle, which is what `swiftlet decompose --finetune-epochs 1 --seed N` fine-tunes on),
so the two frameworks can be compared on identical batches; --order torch draws torch.randperm.
Prints one JSON line per measurement. Run with the reference venv:
  python Benchmarks/peer/lowrank_finetune.py --checkpoint trained.safetensors \
      --cifar cifar-10-binary.tar.gz --split balanced --seeds 1 2 3 4 5 [--order swiftlet] [--threads 1]

Splits of W ≈ U_r Σ_r V_rᵀ into (second · first):
  balanced      first = Σ^½ Vᵀ, second = U Σ^½   (Swiftlet's)
  sigma-first   first = Σ Vᵀ,   second = U
  sigma-second  first = Vᵀ,     second = U Σ
"""
import argparse, json, sys
from pathlib import Path
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from safetensors.torch import load_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Tests" / "python"))
from cifar_data import load_cifar  # noqa: E402
from models import SimpleCNN  # noqa: E402

MASK = (1 << 64) - 1


class SeededRandom:
    """Swiftlet's SeededRandom: xoshiro256** seeded through SplitMix64."""
    def __init__(self, seed):
        self.state = []
        for _ in range(4):
            seed = (seed + 0x9E3779B97F4A7C15) & MASK
            z = ((seed ^ (seed >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            self.state.append(z ^ (z >> 31))

    def next(self):
        s0, s1, s2, s3 = self.state
        scaled = (s1 * 5) & MASK
        result = (((scaled << 7) | (scaled >> 57)) & MASK) * 9 & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = ((s3 << 45) | (s3 >> 19)) & MASK
        self.state = [s0, s1, s2, s3]
        return result

    def below(self, bound):
        """Swift's `next(upperBound:)` (Lemire's method; for bounds this small the
        toolchains' newer no-rejection method draws the same values)."""
        product = self.next() * bound
        if product & MASK < bound:
            threshold = ((1 << 64) - bound) % bound
            while product & MASK < threshold:
                product = self.next() * bound
        return product >> 64


def swiftlet_order(count, seed, epoch):
    """BatchLoader.order(epoch:): Fisher–Yates from SeededRandom(seed ^ epoch·φ)."""
    order, random = list(range(count)), SeededRandom(seed ^ ((epoch * 0x9E3779B97F4A7C15) & MASK))
    for i in range(count - 1, 0, -1):
        j = random.below(i + 1); order[i], order[j] = order[j], order[i]
    return torch.tensor(order)


def low_rank(linear, rank, split):
    u, s, vt = torch.linalg.svd(linear.weight.detach().double(), full_matrices=False)
    u, s, vt = u[:, :rank], s[:rank], vt[:rank]
    power = {"balanced": 0.5, "sigma-first": 1.0, "sigma-second": 0.0}[split]
    first = nn.Linear(linear.in_features, rank, bias=False); second = nn.Linear(rank, linear.out_features)
    with torch.no_grad():
        first.weight.copy_((s ** power)[:, None] * vt); second.weight.copy_(u * s ** (1 - power)); second.bias.copy_(linear.bias)
    return nn.Sequential(first, second)


def accuracy(model, images, labels):
    model.eval()
    with torch.no_grad():
        correct = sum((model(images[i:i + 1000]).argmax(1) == labels[i:i + 1000]).sum().item() for i in range(0, len(labels), 1000))
    return 100.0 * correct / len(labels)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True); ap.add_argument("--cifar", required=True)
    ap.add_argument("--split", choices=["balanced", "sigma-first", "sigma-second"], default="balanced")
    ap.add_argument("--rank", type=int, default=16); ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--epochs", type=int, default=1); ap.add_argument("--seeds", type=int, nargs="+", default=[1])
    ap.add_argument("--order", choices=["torch", "swiftlet"], default="torch")
    ap.add_argument("--threads", type=int, default=1); a = ap.parse_args()
    torch.set_num_threads(a.threads)
    (train_x, train_y), (test_x, test_y) = load_cifar(a.cifar)
    state = load_file(a.checkpoint)
    trained = SimpleCNN(); trained.load_state_dict(state)
    common = {"split": a.split, "rank": a.rank, "lr": a.lr, "order": a.order}
    print(json.dumps({"stage": "trained", "accuracy": round(accuracy(trained, test_x, test_y), 2)}), flush=True)
    for seed in a.seeds:
        model = SimpleCNN(); model.load_state_dict(state); model.fc1 = low_rank(model.fc1, a.rank, a.split)
        if seed == a.seeds[0]:
            print(json.dumps({"stage": "decomposed", **common, "accuracy": round(accuracy(model, test_x, test_y), 2)}), flush=True)
        optimizer = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9)
        generator = torch.Generator().manual_seed(seed)
        for epoch in range(1, a.epochs + 1):
            model.train()
            order = swiftlet_order(len(train_y), seed, epoch) if a.order == "swiftlet" else torch.randperm(len(train_y), generator=generator)
            for start in range(0, len(order), 64):
                batch = order[start:start + 64]
                loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
                optimizer.zero_grad(); loss.backward(); optimizer.step()
        print(json.dumps({"stage": "finetuned", **common, "seed": seed, "epochs": a.epochs,
                          "accuracy": round(accuracy(model, test_x, test_y), 2)}), flush=True)


if __name__ == "__main__":
    main()
