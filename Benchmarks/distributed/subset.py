# For the "Equivalence with one process" runs of docs/distributed.md: writes an MNIST-layout IDX folder DST holding the
# first N training images of SRC (and all test images), for `swiftlet train --dataset DST`. SRC holds the four .gz files,
# e.g. Datasets/MNIST (shipped) or $SWIFTLET_MIRROR/mnist. Usage: python3 Benchmarks/distributed/subset.py SRC DST N
# Python 3 standard library only: any python3 or venv runs it (a venv with numpy, such as Benchmarks/peer's, does too).
import gzip, struct, sys, os
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(dst, exist_ok=True)
def rd(name): return gzip.open(os.path.join(src, name + ".gz")).read()
ti, tl = rd("train-images-idx3-ubyte"), rd("train-labels-idx1-ubyte")
open(os.path.join(dst, "train-images-idx3-ubyte"), "wb").write(struct.pack(">IIII", 0x803, n, 28, 28) + ti[16:16 + n * 784])
open(os.path.join(dst, "train-labels-idx1-ubyte"), "wb").write(struct.pack(">II", 0x801, n) + tl[8:8 + n])
for name in ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]:
    open(os.path.join(dst, name), "wb").write(rd(name))
