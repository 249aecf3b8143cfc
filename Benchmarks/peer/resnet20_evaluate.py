"""Cross-check: a Swiftlet ResNet-20 checkpoint evaluated by PyTorch on the same CIFAR-10 files.

Loads the .safetensors file that `swiftlet reproduce resnet20-cifar-compress` (or `resnet20-tool
train`) wrote into resnet20_cifar.py's PyTorch twin (same state-dict names) and prints its test
accuracy with the saved BatchNorm statistics, and, with --recalibrate N, again after
re-estimating those statistics over the first N training images (no augmentation): a large gain
there would point at Swiftlet's running statistics, not at its weights. Run with the reference venv:
  python Benchmarks/peer/resnet20_evaluate.py --cifar cifar-10-binary.tar.gz --checkpoint runs/r20/trained.safetensors
"""
import argparse, json, sys
from pathlib import Path
import torch
from safetensors.torch import load_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cifar_data import load_cifar  # noqa: E402
from resnet20_cifar import ResNet20  # noqa: E402


def accuracy(model, images, labels):
    model.eval()
    with torch.no_grad():
        correct = sum((model(images[i:i + 1000]).argmax(1) == labels[i:i + 1000]).sum().item() for i in range(0, len(images), 1000))
    return round(100 * correct / len(images), 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cifar", required=True); ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--recalibrate", type=int, default=0, help="re-estimate BatchNorm statistics over this many training images")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    (train_x, _), (test_x, test_y) = load_cifar(a.cifar)
    model = ResNet20()
    model.load_state_dict(load_file(a.checkpoint), strict=True)
    result = {"checkpoint": a.checkpoint, "test_accuracy": accuracy(model, test_x, test_y)}
    if a.recalibrate:
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.reset_running_stats(); module.momentum = None  # a cumulative average
        model.train()
        with torch.no_grad():
            for i in range(0, a.recalibrate, 500): model(train_x[i:min(i + 500, a.recalibrate)])
        result["recalibrated_test_accuracy"] = accuracy(model, test_x, test_y)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
