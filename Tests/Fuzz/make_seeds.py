#!/usr/bin/env python3
"""Writes the fuzz seed corpora in Tests/Fuzz/Corpus/<target>/ (small, valid inputs of every
form each reader takes). Deterministic: rerunning it rewrites the same bytes. Needs numpy.

The checkpoint seeds hold the tensors of FuzzTarget.makeModel(): conv1 Conv2d(1, 2, k3),
fc1 Linear(32, 8), fc2 Linear(8, 3)."""
import gzip, io, json, os, struct, tarfile, zlib
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Corpus")
rng = np.random.default_rng(0)
SHAPES = {"conv1.weight": [2, 1, 3, 3], "conv1.bias": [2], "fc1.weight": [8, 32], "fc1.bias": [8],
          "fc2.weight": [3, 8], "fc2.bias": [3]}


def put(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data)


def safetensors(tensors, metadata=None):
    """tensors: name -> (dtype, shape, bytes), laid out in sorted order as Swiftlet writes."""
    header, offset, data = {}, 0, b""
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def floats(shape, scale=0.3):
    return (rng.standard_normal(int(np.prod(shape))) * scale).astype("<f4")


def f32(values):
    return ("F32", [len(values)], np.asarray(values, dtype="<f4").tobytes())


# Float checkpoints: the model as is, structurally pruned (one filter of conv1 removed), and
# with fc1 decomposed into two factors of rank 4.
weights = {name: floats(shape) for name, shape in SHAPES.items()}
full = {name: ("F32", SHAPES[name], values.tobytes()) for name, values in weights.items()}
put("safetensors", "model.safetensors", safetensors(full, {"stage": "trained"}))
pruned = dict(full)
pruned["conv1.weight"] = ("F32", [1, 1, 3, 3], weights["conv1.weight"][:9].tobytes())
pruned["conv1.bias"] = ("F32", [1], weights["conv1.bias"][:1].tobytes())
pruned["fc1.weight"] = ("F32", [8, 16], weights["fc1.weight"].reshape(8, 32)[:, :16].copy().tobytes())
put("safetensors", "pruned.safetensors", safetensors(pruned))
decomposed = {k: v for k, v in full.items() if not k.startswith("fc1.")}
decomposed["fc1.0.weight"] = ("F32", [4, 32], floats([4, 32]).tobytes())
decomposed["fc1.1.weight"] = ("F32", [8, 4], floats([8, 4]).tobytes())
decomposed["fc1.1.bias"] = full["fc1.bias"]
put("safetensors", "decomposed.safetensors", safetensors(decomposed))


# Quantized checkpoints (QuantizedCheckpoint's storage, docs/quantization.md#storage).
def pack(offsets, bits):
    value, filled, out = 0, 0, bytearray()
    for offset in offsets:
        value |= int(offset) << filled
        filled += bits
        while filled >= 8:
            out.append(value & 0xFF)
            value >>= 8
            filled -= 8
    if filled:
        out.append(value & 0xFF)
    return bytes(out)


def description(kind, shape, **fields):
    words = [kind] + [f"{k}={v}" for k, v in fields.items()] + ["shape=" + ",".join(map(str, shape))]
    return " ".join(words)


def quantized(kind, activations):
    tensors, metadata = {}, {}
    for layer in ["conv1", "fc1", "fc2"]:
        name, shape = layer + ".weight", SHAPES[layer + ".weight"]
        w = weights[name].reshape(shape[0], -1)
        channels = shape[0]
        if kind == "int8":
            scale = np.abs(w).max(axis=1) / 127
            codes = np.clip(np.round(w / scale[:, None]), -127, 127).astype(int) + 127
            tensors[name + ".codes"] = ("U8", [codes.size], pack(codes.ravel(), 8))
            tensors[name + ".scale"] = f32(scale)
            metadata[name] = description("affine", shape, bits=8, mapping="symmetric", rounding="nearest", granularity="perChannel")
        elif kind == "asym4":
            low, high = np.minimum(w.min(axis=1), 0), np.maximum(w.max(axis=1), 0)
            scale = (high - low) / 15
            zero = np.clip(np.round(-low / scale), 0, 15).astype(int)
            codes = np.clip(np.round(w / scale[:, None]) + zero[:, None], 0, 15).astype(int)
            tensors[name + ".codes"] = ("U8", [(codes.size * 4 + 7) // 8], pack(codes.ravel(), 4))
            tensors[name + ".scale"] = f32(scale)
            tensors[name + ".zero_point"] = ("U8", [channels], bytes(zero.astype(np.uint8)))
            metadata[name] = description("affine", shape, bits=4, mapping="asymmetric", rounding="nearest", granularity="perChannel")
        elif kind == "binary":
            codes = (w.ravel() >= 0).astype(int)
            tensors[name + ".codes"] = ("U8", [(codes.size + 7) // 8], pack(codes, 1))
            tensors[name + ".scale"] = f32([np.abs(w).mean()])
            metadata[name] = description("binary", shape, granularity="perTensor")
        elif kind == "ternary":
            delta = 0.7 * np.abs(w).mean(axis=1)
            codes = np.where(w > delta[:, None], 2, np.where(w < -delta[:, None], 0, 1))
            tensors[name + ".codes"] = ("U8", [(codes.size * 2 + 7) // 8], pack(codes.ravel(), 2))
            tensors[name + ".scale"] = f32(np.abs(w).mean(axis=1))
            metadata[name] = description("ternary", shape, granularity="perChannel")
        else:  # float16
            tensors[name] = ("F16", shape, weights[name].astype("<f2").tobytes())
            metadata[name] = description("float16", shape)
        tensors[layer + ".bias"] = full[layer + ".bias"]
        if activations:
            metadata[layer + ".input"] = description("affine", [], bits=8, mapping="asymmetric", rounding="nearest", granularity="perTensor")
            tensors[layer + ".input_scale"] = f32([0.02])
            tensors[layer + ".input_zero_point"] = ("I32", [1], struct.pack("<i", 20))
    return safetensors(tensors, {"quantized:" + k: v for k, v in metadata.items()})


put("quantized", "int8-activations.safetensors", quantized("int8", True))
put("quantized", "asymmetric4.safetensors", quantized("asym4", True))
put("quantized", "binary.safetensors", quantized("binary", False))
put("quantized", "ternary.safetensors", quantized("ternary", False))
put("quantized", "float16.safetensors", quantized("float16", True))


# IDX: images and labels as MNIST stores them, other element types, plain and gzip.
def idx(type_byte, dims, payload):
    return bytes([0, 0, type_byte, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def gz(data, level=9):
    return gzip.compress(data, compresslevel=level, mtime=0)


images = idx(0x08, [3, 4, 4], bytes(range(48)))
put("idx", "images.idx", images)
put("idx", "images.idx.gz", gz(images))
put("idx", "labels.idx.gz", gz(idx(0x08, [5], bytes([0, 1, 2, 1, 0]))))
put("idx", "floats.idx", idx(0x0D, [2, 2], np.array([1.5, -2, 0, 3], dtype=">f4").tobytes()))
put("idx", "int16.idx.gz", gz(idx(0x0B, [3], np.array([1, -2, 300], dtype=">i2").tobytes()), level=1))

# Gzip: stored, fixed and dynamic Huffman blocks, two members, optional header fields.
text = b"The quick brown fox jumps over the lazy dog. " * 8 + bytes(range(256))
put("gzip", "stored.gz", gz(text, level=0))
put("gzip", "fixed.gz", gz(b"abcabcabcabd", level=1))
put("gzip", "dynamic.gz", gz(text))
put("gzip", "members.gz", gz(b"first member\n") + gz(b"second member\n"))
raw = zlib.compressobj(9, zlib.DEFLATED, -15)
body = raw.compress(text) + raw.flush()
header = bytes([0x1F, 0x8B, 8, 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 255]) + struct.pack("<H", 4) + b"xtra" + b"name\0" + b"comment\0"
put("gzip", "header-fields.gz", header + body + struct.pack("<II", zlib.crc32(text), len(text)))


# Tar: ustar, a GNU long name, a pax path, a folder and a link.
def tar(members, form=tarfile.USTAR_FORMAT):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=form) as archive:
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            info.mtime, info.type = 0, kind
            if kind == tarfile.SYMTYPE:
                info.linkname = "a.txt"
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            archive.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    # Cut tarfile's padding to a 10 kB record down to the two zero blocks that end an archive.
    content = buffer.getvalue().rstrip(b"\0")
    return content + b"\0" * (-len(content) % 512 + 1024)


put("tar", "ustar.tar", tar([("folder", b"", tarfile.DIRTYPE), ("folder/a.txt", b"hello\n", tarfile.REGTYPE),
                             ("folder/link", b"", tarfile.SYMTYPE)]))
put("tar", "gnu-long-name.tar", tar([("d/" + "n" * 120 + ".bin", b"\x00\x01\x02", tarfile.REGTYPE)], tarfile.GNU_FORMAT))
put("tar", "pax.tar", tar([("p/" + "x" * 200, b"pax member", tarfile.REGTYPE)], tarfile.PAX_FORMAT))

# CIFAR-10: the canonical layout with one record per batch.
classes = b"airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n"
batches = [(f"data_batch_{i}.bin", i) for i in range(1, 6)] + [("test_batch.bin", 7)]
members = [("cifar-10-batches-bin/batches.meta.txt", classes, tarfile.REGTYPE)]
members += [("cifar-10-batches-bin/" + name, bytes([label]) + bytes((j * label) % 256 for j in range(3072)), tarfile.REGTYPE)
            for name, label in batches]
put("cifar10", "cifar-10-binary.tar.gz", gz(tar(members, tarfile.GNU_FORMAT)))
