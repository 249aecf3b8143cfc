"""Peer anchor: PyTorch's accuracy for cifar-vgg-compress's training recipe.

The `cifar-vgg` twin of Tests/python/models.py trained as the experiment trains it: SGD lr 0.05,
momentum 0.9, weight decay 5e-4, batch 128, cosine annealing to 0 stepped once per epoch,
random 4-pixel-padded crops (zero padding after normalisation, as Swiftlet's loader) and
horizontal flips; the test accuracy after every epoch is printed as one JSON line, so that
`swiftlet reproduce cifar-vgg-compress`'s trained stage can be set beside it. Run with the
reference venv:
  python Benchmarks/peer/cifar_vgg_reference.py --cifar cifar-10-binary.tar.gz [--epochs 30] [--threads 2] [--seed 0]
"""
import argparse, json, sys, time
from pathlib import Path
import torch, torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Tests" / "python"))
from lowrank_finetune import load_cifar  # noqa: E402
from models import CifarVGG  # noqa: E402


def augment(images):
    """Random 32×32 crops of the 4-pixel zero-padded images, half of them flipped."""
    padded = F.pad(images, (4, 4, 4, 4))
    rows, columns = torch.randint(0, 9, (2, len(images)))
    crops = torch.stack([p[:, r:r + 32, c:c + 32] for p, r, c in zip(padded, rows.tolist(), columns.tolist())])
    flip = torch.rand(len(images)) < 0.5
    crops[flip] = crops[flip].flip(3)
    return crops


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cifar", required=True); ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2); ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
    (train_x, train_y), (test_x, test_y) = load_cifar(a.cifar)
    model = CifarVGG()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, a.epochs)
    for epoch in range(1, a.epochs + 1):
        model.train(); start = time.perf_counter()
        for batch in torch.randperm(len(train_x)).split(128):
            loss = F.cross_entropy(model(augment(train_x[batch])), train_y[batch])
            optimizer.zero_grad(); loss.backward(); optimizer.step()
        schedule.step(); model.eval()
        with torch.no_grad():
            correct = sum((model(x).argmax(1) == y).sum().item() for x, y in zip(test_x.split(1000), test_y.split(1000)))
        print(json.dumps({"model": "cifar-vgg", "epoch": epoch, "test_accuracy": 100 * correct / len(test_x),
                          "seconds": round(time.perf_counter() - start, 1)}), flush=True)


if __name__ == "__main__":
    main()
