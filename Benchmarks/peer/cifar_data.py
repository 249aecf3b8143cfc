"""CIFAR-10 for the peer scripts: the binary archive read into normalised tensors, and the
training augmentation of Swiftlet's loader (random crops of the padded image, flips)."""
import tarfile
import numpy as np, torch, torch.nn.functional as F

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
# The value of a black pixel after normalisation, per channel: what Swiftlet's crops pad with.
BLACK = torch.tensor([-m / s for m, s in zip(MEAN, STD)]).view(1, 3, 1, 1)


def load_cifar(path):
    """(train_x, train_y), (test_x, test_y) from cifar-10-binary.tar.gz, normalised per channel."""
    archive = tarfile.open(path)
    def part(names):
        rows = np.concatenate([np.frombuffer(archive.extractfile(f"cifar-10-batches-bin/{n}").read(), np.uint8).reshape(-1, 3073)
                               for n in names])
        images = rows[:, 1:].reshape(-1, 3, 32, 32) / 255.0
        images = (images - np.array(MEAN).reshape(1, 3, 1, 1)) / np.array(STD).reshape(1, 3, 1, 1)
        return torch.tensor(images.astype(np.float32)), torch.tensor(rows[:, 0].astype(np.int64))
    return part([f"data_batch_{i}.bin" for i in range(1, 6)]), part(["test_batch.bin"])


def augment(images, fill=0.0):
    """Random 32×32 crops of the images padded by 4 pixels of `fill` (after normalisation),
    half of them mirrored."""
    padded = F.pad(images - fill, (4, 4, 4, 4)) + fill
    rows, columns = torch.randint(0, 9, (2, len(images)))
    crops = torch.stack([p[:, r:r + 32, c:c + 32] for p, r, c in zip(padded, rows.tolist(), columns.tolist())])
    flip = torch.rand(len(images)) < 0.5
    crops[flip] = crops[flip].flip(3)
    return crops
