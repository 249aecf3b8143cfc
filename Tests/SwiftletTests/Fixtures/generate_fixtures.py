"""Regenerates every golden fixture in this folder from PyTorch (float32, CPU, 1 thread).

Run from the repository root, with any Python that has torch and numpy:
    python Tests/SwiftletTests/Fixtures/generate_fixtures.py [GROUP ...]
It rewrites ops.json, optimizers.json, batchnorm.json, mnist_net.json and residual_net.json
beside itself, or only the named groups. The last bits of some results depend on the CPU
torch runs on (AVX2 or AVX-512 kernels): regenerate only the groups you change.
Each case seeds torch from its own name, so adding a case never changes the others.

File format (read by Tests/SwiftletTests/Fixture.swift):
    {"generator": "generate_fixtures.py", "torch": "<version>",
     "cases": [{"name": ..., "params": {...},
                "tensors": {"x": {"shape": [2, 3], "data": [...]}, ...}}]}
Data is row-major float32. Each number is the shortest decimal that, read as a double and
rounded to float32, gives back the exact float32 value. Scalars have shape []; integer
targets and booleans (0/1) are stored as numbers. Gradients are of L = sum(y * gy) for the
stored upstream gradient gy, except for losses, whose gradients are of the loss itself.
"""
import json
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from models import MnistNet, ResidualNet  # noqa: E402


# ---------------------------------------------------------------- output

def float32_text(v):
    """Shortest decimal for float32 `v` that survives decimal -> double -> float32."""
    v = np.float32(v)
    if not np.isfinite(v):
        raise ValueError(f"non-finite value {v} in a fixture")
    short = str(v)  # numpy prints the shortest decimal that identifies v among float32s
    if np.float32(float(short)) == v:
        return short
    return repr(float(v))  # the exact double value of v: always round-trips


def tensor_json(t):
    a = t.detach().to(torch.float32).contiguous().numpy()
    data = ",".join(float32_text(v) for v in a.reshape(-1))
    return '{"shape": %s, "data": [%s]}' % (json.dumps(list(a.shape)), data)


def write_group(group, cases):
    """Writes GROUP.json: one case per line block, one tensor per line."""
    lines = ['{"generator": "generate_fixtures.py", "torch": %s,' % json.dumps(torch.__version__),
             ' "cases": [']
    for i, (name, params, tensors) in enumerate(cases):
        body = ",\n".join("   %s: %s" % (json.dumps(k), tensor_json(v)) for k, v in tensors.items())
        lines.append('  {"name": %s, "params": %s,\n  "tensors": {\n%s}}%s'
                     % (json.dumps(name), json.dumps(params), body, "," if i + 1 < len(cases) else ""))
    lines.append(" ]}")
    path = os.path.join(HERE, group + ".json")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{path}: {len(cases)} cases, {os.path.getsize(path) // 1024} KB")


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def leaf(*shape, scale=1.0, offset=0.0):
    return (torch.randn(*shape) * scale + offset).requires_grad_()


def backward(y, gy, *inputs):
    """Gradients of sum(y * gy) with respect to `inputs`."""
    return torch.autograd.grad(y, inputs, gy)


# ---------------------------------------------------------------- ops.json

def linear_case():
    seed("linear")
    x, w, b = leaf(5, 4), leaf(3, 4), leaf(3)
    y = F.linear(x, w, b); gy = torch.randn_like(y)
    gx, gw, gb = backward(y, gy, x, w, b)
    return "linear", {}, dict(x=x, w=w, b=b, y=y, gy=gy, gx=gx, gw=gw, gb=gb)


def conv2d_case(name, x_shape, w_shape, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    seed(name)
    x, w, b = leaf(*x_shape), leaf(*w_shape, scale=0.5), leaf(w_shape[0])
    y = F.conv2d(x, w, b, stride, padding, dilation, groups); gy = torch.randn_like(y)
    gx, gw, gb = backward(y, gy, x, w, b)
    params = dict(stride=list(stride), padding=list(padding), dilation=list(dilation), groups=groups)
    return name, params, dict(x=x, w=w, b=b, y=y, gy=gy, gx=gx, gw=gw, gb=gb)


def max_pool2d_case(name, x_shape, kernel, stride, padding=(0, 0)):
    seed(name)
    x = leaf(*x_shape)  # continuous random values: no ties inside a window
    y = F.max_pool2d(x, kernel, stride, padding); gy = torch.randn_like(y)
    gx, = backward(y, gy, x)
    params = dict(kernel=list(kernel), stride=list(stride), padding=list(padding))
    return name, params, dict(x=x, y=y, gy=gy, gx=gx)


def avg_pool2d_case(name, x_shape, kernel, stride, padding=(0, 0), count_include_pad=True):
    seed(name)
    x = leaf(*x_shape)
    y = F.avg_pool2d(x, kernel, stride, padding, count_include_pad=count_include_pad)
    gy = torch.randn_like(y)
    gx, = backward(y, gy, x)
    params = dict(kernel=list(kernel), stride=list(stride), padding=list(padding),
                  count_include_pad=int(count_include_pad))
    return name, params, dict(x=x, y=y, gy=gy, gx=gx)


def global_avg_pool2d_case(name, x_shape):
    seed(name)
    x = leaf(*x_shape)
    y = F.adaptive_avg_pool2d(x, 1); gy = torch.randn_like(y)
    gx, = backward(y, gy, x)
    return name, {}, dict(x=x, y=y, gy=gy, gx=gx)


def concat_case(name, shapes, dim, repeat_first=False):
    """torch.cat of inputs x0, x1, ...; with `repeat_first` the list is [x0, x0, x1, ...]."""
    seed(name)
    xs = [leaf(*shape) for shape in shapes]
    parts = [xs[0]] + xs if repeat_first else xs
    y = torch.cat(parts, dim); gy = torch.randn_like(y)
    grads = backward(y, gy, *xs)
    tensors = {f"x{i}": x for i, x in enumerate(xs)}
    tensors.update(y=y, gy=gy)
    tensors.update({f"gx{i}": g for i, g in enumerate(grads)})
    return name, dict(axis=dim, inputs=len(xs), repeat_first=int(repeat_first)), tensors


def pad_case(name, x_shape, padding, value=0.0):
    """`padding` holds one [before, after] pair per dimension, first dimension first."""
    seed(name)
    x = leaf(*x_shape)
    torch_pad = [amount for pair in reversed(padding) for amount in pair]  # F.pad: last dimension first
    y = F.pad(x, torch_pad, mode="constant", value=value); gy = torch.randn_like(y)
    gx, = backward(y, gy, x)
    return name, dict(padding=[list(p) for p in padding], value=value), dict(x=x, y=y, gy=gy, gx=gx)


def zero_pad2d_case(name, x_shape, left, right, top, bottom):
    seed(name)
    x = leaf(*x_shape)
    y = nn.ZeroPad2d((left, right, top, bottom))(x); gy = torch.randn_like(y)
    gx, = backward(y, gy, x)
    return name, dict(left=left, right=right, top=top, bottom=bottom), dict(x=x, y=y, gy=gy, gx=gx)


def slice_case(name, x_shape, dim, start, length):
    seed(name)
    x = leaf(*x_shape)
    y = x.narrow(dim, start, length); gy = torch.randn_like(y)
    gx, = backward(y, gy, x)
    return name, dict(axis=dim, start=start, length=length), dict(x=x, y=y, gy=gy, gx=gx)


def extreme_logits():
    """[4, 7]: an ordinary row, a row of +-1000, a row offset by +5000, a widely spread row."""
    x = torch.randn(4, 7)
    x[1] = torch.tensor([1000.0, -1000.0, 0.0, 999.0, -999.5, 1000.0, 3.0])
    x[2] += 5000.0
    x[3] *= 10.0
    return x.requires_grad_()


def softmax_case(name, fn):
    seed(name)
    x = extreme_logits()
    y = fn(x, dim=1); gy = torch.randn_like(y)
    gx, = backward(y, gy, x)
    return name, dict(dim=1), dict(x=x, y=y, gy=gy, gx=gx)


def cross_entropy_case():
    seed("cross_entropy")
    logits = torch.randn(6, 5)
    logits[4] = logits[4] * 100.0 + 1000.0  # large logits: needs the max-subtraction
    logits.requires_grad_()
    targets = torch.randint(0, 5, (6,))
    loss = F.cross_entropy(logits, targets)
    glogits, = torch.autograd.grad(loss, logits)
    return "cross_entropy", dict(reduction="mean"), dict(
        logits=logits, targets=targets, loss=loss, glogits=glogits)


def nll_loss_case():
    seed("nll_loss")
    logp = F.log_softmax(torch.randn(6, 5), dim=1).requires_grad_()
    targets = torch.randint(0, 5, (6,))
    loss = F.nll_loss(logp, targets)
    glogp, = torch.autograd.grad(loss, logp)
    return "nll_loss", dict(reduction="mean"), dict(logp=logp, targets=targets, loss=loss, glogp=glogp)


def kl_div_case(temperature):
    name = f"kl_div_T{temperature}"
    seed(name)
    s, t = leaf(6, 5, scale=2.0), torch.randn(6, 5) * 2.0
    loss = F.kl_div(F.log_softmax(s / temperature, 1), F.softmax(t / temperature, 1), reduction="batchmean")
    gs, = torch.autograd.grad(loss, s)
    params = dict(T=float(temperature), reduction="batchmean", t_squared_factor=0,
                  note="loss = kl_div(log_softmax(s/T), softmax(t/T), batchmean), NOT multiplied by T^2")
    return name, params, dict(s=s, t=t, loss=loss, gs=gs)


def mse_case():
    seed("mse")
    x, target = leaf(3, 4), torch.randn(3, 4)
    loss = F.mse_loss(x, target)
    gx, = torch.autograd.grad(loss, x)
    return "mse", dict(reduction="mean"), dict(x=x, target=target, loss=loss, gx=gx)


def elementwise_case(name, fn, make_x):
    seed(name)
    x = make_x().requires_grad_()
    y = fn(x); gy = torch.randn_like(y)
    gx, = backward(y, gy, x)
    return name, {}, dict(x=x, y=y, gy=gy, gx=gx)


def nonzero_randn():
    x = torch.randn(3, 5)
    return torch.where(x.abs() < 1e-3, torch.full_like(x, 0.5), x)  # relu'(0) is a convention


def ops_cases():
    return [
        linear_case(),
        conv2d_case("conv2d_s2_p1", (2, 3, 7, 6), (4, 3, 3, 3), stride=(2, 2), padding=(1, 1)),
        conv2d_case("conv2d_s1_p0_d2", (2, 3, 7, 6), (4, 3, 3, 3), dilation=(2, 2)),
        conv2d_case("conv2d_g2", (2, 4, 6, 6), (6, 2, 3, 3), padding=(1, 1), groups=2),
        conv2d_case("conv2d_k3x2_s1x2_p2x1", (2, 3, 7, 6), (4, 3, 3, 2), stride=(1, 2), padding=(2, 1)),
        conv2d_case("conv2d_1x1", (2, 5, 4, 3), (3, 5, 1, 1)),
        max_pool2d_case("max_pool2d_k2_s2", (2, 3, 6, 6), (2, 2), (2, 2)),
        max_pool2d_case("max_pool2d_k3_s2_p1", (2, 3, 7, 7), (3, 3), (2, 2), (1, 1)),
        max_pool2d_case("max_pool2d_k2x3_s1x2", (2, 2, 5, 7), (2, 3), (1, 2)),
        avg_pool2d_case("avg_pool2d_k2_s2", (2, 3, 6, 6), (2, 2), (2, 2)),
        avg_pool2d_case("avg_pool2d_k3_s2_p1_include_pad", (2, 3, 7, 7), (3, 3), (2, 2), (1, 1), True),
        avg_pool2d_case("avg_pool2d_k3_s2_p1_exclude_pad", (2, 3, 7, 7), (3, 3), (2, 2), (1, 1), False),
        global_avg_pool2d_case("global_avg_pool2d_5x7", (2, 3, 5, 7)),
        global_avg_pool2d_case("global_avg_pool2d_8x8", (2, 4, 8, 8)),
        concat_case("concat_channels", [(2, 3, 4, 4), (2, 5, 4, 4), (2, 1, 4, 4)], 1),
        concat_case("concat_last_axis_repeated", [(3, 2, 4), (3, 2, 5)], -1, repeat_first=True),
        concat_case("concat_batch", [(1, 2, 3), (3, 2, 3)], 0),
        pad_case("pad_spatial", (2, 3, 4, 5), [(0, 0), (0, 0), (0, 3), (2, 1)]),
        pad_case("pad_every_axis_value", (2, 3, 4), [(1, 0), (0, 2), (3, 1)], value=1.5),
        zero_pad2d_case("zero_pad2d", (2, 3, 4, 5), 1, 2, 0, 3),
        slice_case("slice_channels", (2, 6, 3, 3), 1, 2, 3),
        slice_case("slice_last_axis", (4, 7), -1, 1, 5),
        slice_case("slice_batch", (3, 2, 2), 0, 2, 1),
        softmax_case("log_softmax", F.log_softmax),
        softmax_case("softmax", F.softmax),
        cross_entropy_case(),
        nll_loss_case(),
        kl_div_case(1),
        kl_div_case(4),
        mse_case(),
        elementwise_case("sigmoid", torch.sigmoid, lambda: torch.randn(3, 5) * 3),
        elementwise_case("tanh", torch.tanh, lambda: torch.randn(3, 5) * 2),
        elementwise_case("exp", torch.exp, lambda: torch.randn(3, 5) * 2),
        elementwise_case("log", torch.log, lambda: torch.rand(3, 5) * 10 + 0.01),
        elementwise_case("relu", F.relu, nonzero_randn),
    ]


# ---------------------------------------------------------------- optimizers.json

def optimizer_case(name, optimizer, scheduler=None, steps=10, **hyper):
    """Ten steps of `optimizer` on mean((x @ w.T + b - y)^2), the same problem in every case."""
    torch.manual_seed(zlib.crc32(b"optimizer problem"))
    w0, b0 = torch.randn(3, 4), torch.randn(3)
    x, y = torch.randn(8, 4), torch.randn(8, 3)
    w, b = w0.clone().requires_grad_(), b0.clone().requires_grad_()
    opt = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[optimizer]([w, b], **hyper)
    sched = None
    if scheduler is not None:
        kind, args = scheduler
        sched = {"StepLR": torch.optim.lr_scheduler.StepLR,
                 "CosineAnnealingLR": torch.optim.lr_scheduler.CosineAnnealingLR,
                 "MultiStepLR": torch.optim.lr_scheduler.MultiStepLR}[kind](opt, **args)
    w_steps, b_steps, losses, lrs = [], [], [], []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        loss = F.mse_loss(x @ w.T + b, y)
        opt.zero_grad(); loss.backward(); opt.step()
        if sched is not None:
            sched.step()
        losses.append(loss.item()); w_steps.append(w.detach().clone()); b_steps.append(b.detach().clone())
    params = {"optimizer": optimizer, "steps": steps}
    for k, v in sorted(opt.param_groups[0].items()):
        if k in ("momentum", "dampening", "nesterov", "weight_decay", "betas", "eps", "amsgrad"):
            params[k] = int(v) if isinstance(v, bool) else (list(v) if isinstance(v, tuple) else v)
    if optimizer != "sgd":
        params["weight_decay_mode"] = "decoupled" if optimizer == "adamw" else "l2_coupled"
    params["lr"] = hyper["lr"]  # the initial lr (a scheduler has changed the group's lr)
    if scheduler is not None:
        params["scheduler"] = scheduler[0]
        params.update(scheduler[1])
    return name, params, dict(w0=w0, b0=b0, x=x, y=y, w_steps=torch.stack(w_steps), b_steps=torch.stack(b_steps),
                              loss_steps=torch.tensor(losses), lr_steps=torch.tensor(lrs))


def optimizer_cases():
    return [
        optimizer_case("sgd", "sgd", lr=0.1),
        optimizer_case("sgd_momentum", "sgd", lr=0.1, momentum=0.9),
        optimizer_case("sgd_momentum_dampening", "sgd", lr=0.1, momentum=0.9, dampening=0.5),
        optimizer_case("sgd_nesterov_wd", "sgd", lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        optimizer_case("adam", "adam", lr=0.01),
        optimizer_case("adam_wd", "adam", lr=0.01, weight_decay=0.1),
        optimizer_case("adamw", "adamw", lr=0.01, weight_decay=0.1),
        optimizer_case("sgd_momentum_steplr", "sgd", ("StepLR", dict(step_size=3, gamma=0.5)), lr=0.1, momentum=0.9),
        optimizer_case("sgd_momentum_cosine", "sgd", ("CosineAnnealingLR", dict(T_max=10)), lr=0.1, momentum=0.9),
        optimizer_case("sgd_momentum_multisteplr", "sgd", ("MultiStepLR", dict(milestones=[2, 5], gamma=0.1)),
                       lr=0.1, momentum=0.9),
    ]


# ---------------------------------------------------------------- batchnorm.json

def batchnorm_case(name, module, shape):
    seed(name)
    bn = module
    with torch.no_grad():
        bn.weight.copy_(torch.rand(bn.num_features) + 0.5)
        bn.bias.copy_(torch.randn(bn.num_features))
    x1 = (torch.randn(*shape) * 2.0 + 3.0).requires_grad_()  # mean far from 0, variance far from 1
    x2 = torch.randn(*shape) * 0.5 - 1.0
    weight, bias = bn.weight.detach().clone(), bn.bias.detach().clone()
    bn.train()
    y1 = bn(x1); gy = torch.randn_like(y1)
    gx, gweight, gbias = backward(y1, gy, x1, bn.weight, bn.bias)
    rm1, rv1 = bn.running_mean.clone(), bn.running_var.clone()
    with torch.no_grad():
        y2 = bn(x2)
    rm2, rv2 = bn.running_mean.clone(), bn.running_var.clone()
    bn.eval()
    with torch.no_grad():
        y_eval = bn(x1)
    params = dict(num_features=bn.num_features, momentum=bn.momentum, eps=bn.eps,
                  note="running stats start at mean 0, var 1; running_var uses the unbiased batch "
                       "variance, normalisation the biased one")
    return name, params, dict(weight=weight, bias=bias, x1=x1, y1=y1, gy=gy, gx=gx, gweight=gweight, gbias=gbias,
                              running_mean_1=rm1, running_var_1=rv1, x2=x2, y2=y2,
                              running_mean_2=rm2, running_var_2=rv2, y_eval=y_eval)


def batchnorm_cases():
    return [
        batchnorm_case("batchnorm2d", nn.BatchNorm2d(3, eps=1e-5, momentum=0.1), (4, 3, 5, 5)),
        batchnorm_case("batchnorm1d", nn.BatchNorm1d(5, eps=1e-5, momentum=0.1), (6, 5)),
    ]


# ---------------------------------------------------------------- mnist_net.json

def forward_and_backward(model, x, targets):
    """The batch, the logits, the cross-entropy loss and every parameter's gradient (what
    FixtureCase.expectForwardAndBackward checks)."""
    logits = model(x)
    loss = F.cross_entropy(logits, targets)
    loss.backward()
    return {"x": x, "targets": targets, "logits": logits, "loss": loss,
            **{"grad." + k: p.grad.clone() for k, p in model.named_parameters()}}


def mnist_net_case():
    seed("mnist_net")
    model = MnistNet()
    x, targets = torch.randn(4, 1, 28, 28), torch.randint(0, 10, (4,))
    tensors = {k: v.clone() for k, v in model.state_dict().items()}
    tensors.update(forward_and_backward(model, x, targets))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    losses = []
    for _ in range(3):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), targets)
        loss.backward(); opt.step(); losses.append(loss.item())
    tensors["loss_steps"] = torch.tensor(losses)
    tensors.update({"step3." + k: p.detach().clone() for k, p in model.named_parameters()})
    params = dict(optimizer="sgd", lr=0.01, momentum=0.9, steps=3, loss="cross_entropy mean",
                  parameters=list(model.state_dict().keys()))
    return "mnist_net", params, tensors


# ---------------------------------------------------------------- residual_net.json

def residual_net_case():
    """A residual net in training mode (BatchNorm on batch statistics) through three steps of
    the ResNet-20 recipe's optimizer: SGD, Nesterov momentum 0.9, weight decay 5e-4."""
    seed("residual_net")
    model = ResidualNet()
    x, targets = torch.randn(6, 3, 8, 8), torch.randint(0, 10, (6,))
    tensors = {k: v.clone() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    tensors.update(forward_and_backward(model, x, targets))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    opt.step()
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(model(x), targets).backward()
        opt.step()
    tensors.update({"step3." + k: v.detach().clone() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")})
    params = dict(optimizer="sgd", lr=0.1, momentum=0.9, nesterov=1, weight_decay=5e-4, steps=3, loss="cross_entropy mean")
    return "residual_net", params, tensors


def main():
    torch.set_num_threads(1)  # a fixed summation order: the same bits on every run
    torch.use_deterministic_algorithms(True)
    groups = {"ops": ops_cases, "optimizers": optimizer_cases, "batchnorm": batchnorm_cases,
              "mnist_net": lambda: [mnist_net_case()], "residual_net": lambda: [residual_net_case()]}
    for name in sys.argv[1:] or groups:
        write_group(name, groups[name]())


if __name__ == "__main__":
    main()
