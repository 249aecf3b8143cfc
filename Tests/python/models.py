"""PyTorch twins of Swiftlet's built-in models, with the same state_dict names.

Imported by Tests/python/check_safetensors.py (loads Swiftlet checkpoints into these
classes) and by Tests/SwiftletTests/Fixtures/generate_fixtures.py (golden values for the
MNIST net). MnistNet, Lenet300, SimpleCNN and Teacher are exactly the classes of
shared/peer/pytorch_bench.py, so checkpoints, fixtures and the speed anchor agree.
"""
import sys
from pathlib import Path

import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Benchmarks" / "peer"))
from resnet20_cifar import BasicBlock  # noqa: E402  (the ResNet-20 twin's block, for ResidualNet)


class MnistNet(nn.Module):
    """The classic PyTorch MNIST example net: 28x28 -> conv 5 -> pool -> conv 5 -> pool -> 320."""
    def __init__(s):
        super().__init__(); s.conv1 = nn.Conv2d(1, 10, 5); s.conv2 = nn.Conv2d(10, 20, 5)
        s.fc1 = nn.Linear(320, 50); s.fc2 = nn.Linear(50, 10)

    def forward(s, x):
        x = F.relu(F.max_pool2d(s.conv1(x), 2)); x = F.relu(F.max_pool2d(s.conv2(x), 2))
        return s.fc2(F.relu(s.fc1(x.flatten(1))))


class Lenet300(nn.Module):
    """LeNet-300-100 of Han et al.: three fully connected layers on the flattened image."""
    def __init__(s):
        super().__init__(); s.fc1 = nn.Linear(784, 300); s.fc2 = nn.Linear(300, 100); s.fc3 = nn.Linear(100, 10)

    def forward(s, x):
        return s.fc3(F.relu(s.fc2(F.relu(s.fc1(x.flatten(1))))))


class Lenet5(nn.Module):
    """Caffe-style LeNet-5: 28 -> conv 5 (24) -> pool (12) -> conv 5 (8) -> pool (4): 50*4*4 = 800."""
    def __init__(s):
        super().__init__(); s.conv1 = nn.Conv2d(1, 20, 5); s.conv2 = nn.Conv2d(20, 50, 5)
        s.fc1 = nn.Linear(800, 500); s.fc2 = nn.Linear(500, 10)

    def forward(s, x):
        x = F.relu(F.max_pool2d(s.conv1(x), 2)); x = F.relu(F.max_pool2d(s.conv2(x), 2))
        return s.fc2(F.relu(s.fc1(x.flatten(1))))


class SimpleCNN(nn.Module):
    """CIFAR-10 net: 32 -> conv 3 (30) -> pool (15) -> conv 3 (13) -> pool (6): 32*6*6."""
    def __init__(s):
        super().__init__(); s.conv1 = nn.Conv2d(3, 16, 3); s.conv2 = nn.Conv2d(16, 32, 3)
        s.fc1 = nn.Linear(32*6*6, 120); s.fc2 = nn.Linear(120, 84); s.fc3 = nn.Linear(84, 10)

    def forward(s, x):
        x = F.max_pool2d(F.relu(s.conv1(x)), 2); x = F.max_pool2d(F.relu(s.conv2(x)), 2)
        return s.fc3(F.relu(s.fc2(F.relu(s.fc1(x.flatten(1))))))


class Teacher(nn.Module):
    """CIFAR-10 teacher (hidden 128); a distillation student is the same with a narrower fc1."""
    def __init__(s, hidden=128):
        super().__init__(); s.conv1 = nn.Conv2d(3, 32, 3); s.conv2 = nn.Conv2d(32, 64, 3)
        s.fc1 = nn.Linear(64*6*6, hidden); s.fc2 = nn.Linear(hidden, 10)

    def forward(s, x):
        x = F.max_pool2d(F.relu(s.conv1(x)), 2); x = F.max_pool2d(F.relu(s.conv2(x)), 2)
        return s.fc2(F.relu(s.fc1(x.flatten(1))))


class CifarVGG(nn.Module):
    """The stronger CIFAR-10 baseline: 3 x (two padded 3x3 conv + BatchNorm + ReLU, pool), 32-64-128, dropout, fc 2048."""
    def __init__(s):
        super().__init__()
        widths = [(3, 32), (32, 32), (32, 64), (64, 64), (64, 128), (128, 128)]
        for i, (cin, cout) in enumerate(widths, 1):
            setattr(s, f"conv{i}", nn.Conv2d(cin, cout, 3, padding=1)); setattr(s, f"bn{i}", nn.BatchNorm2d(cout))
        s.dropout = nn.Dropout(0.3); s.fc = nn.Linear(128*4*4, 10)

    def forward(s, x):
        for i in range(1, 7):
            x = F.relu(getattr(s, f"bn{i}")(getattr(s, f"conv{i}")(x)))
            if i % 2 == 0: x = F.max_pool2d(x, 2)
        return s.fc(s.dropout(x.flatten(1)))


# Model name (as on Swiftlet's command line) -> (class, input shape of one sample).
MODELS = {
    "mnist-net": (MnistNet, (1, 28, 28)),
    "lenet300": (Lenet300, (1, 28, 28)),
    "lenet5": (Lenet5, (1, 28, 28)),
    "cifar-simplecnn": (SimpleCNN, (3, 32, 32)),
    "cifar-teacher": (Teacher, (3, 32, 32)),
    "cifar-vgg": (CifarVGG, (3, 32, 32)),
}


def build_model(name, state_dict=None):
    """An instance of the model called `name`; widths that vary (the teacher's fc1) come
    from `state_dict` when one is given."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; expected one of {', '.join(MODELS)}")
    cls, _ = MODELS[name]
    if cls is Teacher and state_dict is not None and "fc1.weight" in state_dict:
        return Teacher(hidden=state_dict["fc1.weight"].shape[0])
    return cls()


class ResidualNet(nn.Module):
    """ResNet-20's shapes in miniature: a stem, an identity block, a projecting block, global
    average pooling, fc."""
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.layer1 = BasicBlock(4, 4, 1)
        self.layer2 = BasicBlock(4, 8, 2)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = self.layer2(self.layer1(F.relu(self.bn1(self.conv1(x)))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))
