# The "Scaling model" table of docs/distributed.md: ring allreduce time and projected speed-up S(N) of N machines at
# 10 and 25 Gb/s, from each model's gradient size and its measured 1-thread training speed (the table below).
# No arguments; prints the table as Markdown: python3 Benchmarks/distributed/scaling.py
# Python 3 standard library only: any python3 or venv runs it (a venv with numpy, such as Benchmarks/peer's, does too).
# name, gradient scalars, training img/s at batch 64 with 1 thread on this machine, idle (session 11: the mean of
# throughput.sh's two runs; cifar-vgg from `swiftlet bench --only train --threads 1`), except resnet20 (not a zoo
# model, so neither measures it): session 10's figure at load 5-7, which makes its compute time an overestimate.
models = [
    ("mnist-net", 21840, 14460), ("lenet300", 266610, 35380), ("cifar-simplecnn", 154462, 4690),
    ("cifar-teacher", 315722, 2013), ("resnet20", 272474, 149), ("cifar-vgg", 308394, 329)]
alpha = 50e-6  # assumed per-step latency of a TCP message between machines
def allreduce(n, nbytes, gbit):
    return 2 * (n - 1) * alpha + 2 * (n - 1) / n * nbytes * 8 / (gbit * 1e9)
print("| model | gradient MB | compute ms/step | " + " | ".join(f"{n} × {g} Gb/s" for g in (10, 25) for n in (2, 4, 8, 16, 32)) + " |")
print("|---|---|---|" + "---|" * 10)
for name, scalars, ips in models:
    tc = 64 / ips; b = 4 * scalars
    cells = []
    for g in (10, 25):
        for n in (2, 4, 8, 16, 32):
            cells.append(f"{n * tc / (tc + allreduce(n, b, g)):.1f}×")
    print(f"| {name} | {b/1e6:.3f} | {tc*1e3:.1f} | " + " | ".join(cells) + " |")
