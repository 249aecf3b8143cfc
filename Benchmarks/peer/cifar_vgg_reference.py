"""Peer anchor: PyTorch's accuracy for cifar-vgg-compress's training recipe.

The `cifar-vgg` twin of Tests/python/models.py trained as the experiment trains it: SGD lr 0.05,
momentum 0.9, weight decay 5e-4, batch 128, cosine annealing to 0 stepped once per epoch,
random 4-pixel-padded crops (padded with 0 after normalisation, the mean pixel; Swiftlet's loader pads
with black pixels, which resnet20_cifar.py follows) and
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
from cifar_data import augment, load_cifar  # noqa: E402
from models import CifarVGG  # noqa: E402


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
