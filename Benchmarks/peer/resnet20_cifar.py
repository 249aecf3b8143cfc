"""Peer anchor: PyTorch's accuracy (and speed) for resnet20-cifar-compress's training recipe.

The PyTorch twin of Sources/Examples/ResNet20/ResNet20.swift (same layers, same state-dict
names, PyTorch's default initialisation as Swiftlet's) trained as the experiment trains it:
SGD lr 0.1, Nesterov momentum 0.9, weight decay 5e-4 on every parameter, batch 128, cosine
annealing to 0 stepped once per epoch, random crops of the image padded by 4 black pixels (0
before normalisation, as Swiftlet's loader) and horizontal flips. Prints one JSON line per
epoch with the test accuracy (or, with --validation N, the accuracy on the last N training
images, which are then not trained on, as `swiftlet reproduce --validation N`) and the
training throughput. Run with the reference venv:
  python Benchmarks/peer/resnet20_cifar.py --cifar cifar-10-binary.tar.gz [--epochs 30] [--stop-after 10] [--threads 2] [--seed 0]
(--stop-after N runs only the first N epochs of the --epochs schedule, to set beside the accuracy
after each epoch that `swiftlet reproduce resnet20-cifar-compress` reports.)
"""
import argparse, json, sys, time
from pathlib import Path
import torch, torch.nn as nn, torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cifar_data import BLACK, augment, load_cifar  # noqa: E402


class BasicBlock(nn.Module):
    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.shortcut = None if stride == 1 and inputs == outputs else nn.Sequential(
            nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class ResNet20(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        def stage(inputs, outputs, stride):
            return nn.Sequential(BasicBlock(inputs, outputs, stride), BasicBlock(outputs, outputs, 1), BasicBlock(outputs, outputs, 1))
        self.layer1, self.layer2, self.layer3 = stage(16, 16, 1), stage(16, 32, 2), stage(32, 64, 2)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(F.relu(self.bn1(self.conv1(x))))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cifar", required=True); ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2); ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--validation", type=int, default=0, help="hold out the last N training images and measure on them")
    ap.add_argument("--stop-after", type=int, default=0, help="stop after this many epochs of the --epochs schedule")
    ap.add_argument("--time-only", action="store_true", help="skip the evaluation after each epoch (timing training alone)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
    (train_x, train_y), (test_x, test_y) = load_cifar(a.cifar)
    if a.validation:
        train_x, train_y, test_x, test_y = train_x[:-a.validation], train_y[:-a.validation], train_x[-a.validation:], train_y[-a.validation:]
    model = ResNet20()
    print(json.dumps({"model": "resnet20", "parameters": sum(p.numel() for p in model.parameters()), "torch": torch.__version__,
                      "threads": a.threads}), flush=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, a.epochs)
    for epoch in range(1, (a.stop_after or a.epochs) + 1):
        model.train(); start = time.perf_counter()
        for batch in torch.randperm(len(train_x)).split(128):
            loss = F.cross_entropy(model(augment(train_x[batch], fill=BLACK)), train_y[batch])
            optimizer.zero_grad(); loss.backward(); optimizer.step()
        seconds = time.perf_counter() - start
        schedule.step(); model.eval()
        record = {"model": "resnet20", "epoch": epoch, "train_img_per_s": round(len(train_x) / seconds, 1), "seconds": round(seconds, 1)}
        if not a.time_only:
            with torch.no_grad():
                correct = sum((model(x).argmax(1) == y).sum().item() for x, y in zip(test_x.split(1000), test_y.split(1000)))
            record["validation_accuracy" if a.validation else "test_accuracy"] = 100 * correct / len(test_x)
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
