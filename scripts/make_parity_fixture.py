#!/usr/bin/env python3
"""PyTorch reference numbers for the Swift context encoder: forward, loss, gradients and one Adam step.

Remake the committed fixtures (from the package root, with the project's venv):

    venv/bin/python scripts/make_parity_fixture.py Tests/InpaintingTests/Fixtures [NAME ...]

It writes one small safetensors file per configuration, checked by Tests/InpaintingTests/ParityTests.swift
(a rerun reproduces every tensor bit for bit; only the JSON header's key order may change):

    parity_paper.safetensors             architecture paper, no biases, one input channel
    parity_paper_bias_mask.safetensors   architecture paper, biases, mask as second input channel
    parity_strided.safetensors           architecture strided
    parity_pooled.safetensors            architecture pooled (max pools in the encoder)

Weights by formula. The paper model's FC alone is 16 x 784 x 784 floats (39 MB), too big to commit, so the
weights are not stored: both sides compute them. Tensor number k (0, 1, 2, ... in state_dict order) with n
elements gets, for flat (row-major) index i in 0..<n, a 32-bit integer hash turned into a uniform number:

    x = (i * 0x9E3779B1 + k * 0x85EBCA77 + 1) mod 2^32
    x ^= x >> 16;  x = x * 0x7FEB352D mod 2^32
    x ^= x >> 15;  x = x * 0x846CA68B mod 2^32
    x ^= x >> 16                                     (Chris Wellons' "lowbias32" mixer)
    w[i] = float32( scale_k * ((2.0 * x) / 2^32 - 1.0) )   every step exact in float64 except the one
                                                             product and the final rounding, so both
                                                             sides get the same bits
    scale_k = 2.5 * sqrt(3 / fan_in)   for weights: uniform values of variance 1/fan_in (LeCun) times a
                                 gain of 2.5 that makes up for what LeakyReLU, ReLU and the sparse digits
                                 lose, so the pre-sigmoid output spans about ±2 (outputs 0.03 to 0.96) and
                                 the test sees real signal, not 0.5 everywhere; fan_in is n / shape[0] for
                                 Conv2d and the FC, n / shape[1] for ConvTranspose2d ([in, out, kh, kw]:
                                 each output sums over in * kh * kw inputs)
            = 0.1                for biases

(A smooth formula such as sin(0.7 i) looks simpler but makes the FC's 784-term sums cancel: the output is
0.5 everywhere and the test would check nothing.) The scale of every tensor is also stored in the metadata
("weights" key, JSON, with k), so the Swift test reads it instead of repeating the fan_in rule.

Inputs: the first 3 images of the MNIST test split (from $INPAINT_DATA or ../shared/data/mnist beside the repository), scaled
to [0, 1], with three fixed rectangular holes (below).

Fixture tensors (all F32):
    images, masks                [3, 1, 28, 28]   mask 1 = known, 0 = hole
    reconstruction               [3, 1, 28, 28]   the network's output (sigmoid)
    loss                         [1]              L2 on the hole: sum of (1-M)(y-x)^2 / sum of (1-M), whole batch
    grad.<name>                  the gradient of the loss, in full, for tensors of at most 65,536 elements
    adam.<name>                  the parameters after ONE torch.optim.Adam step (lr 1e-3, defaults otherwise)
    For larger tensors (the FC weights):
    sample.<name>.index          [4096]  flat indices (exact in F32: all < 2^24), idx_j = (j * 7919 + 17) mod n
    grad.<name>.sample / adam.<name>.sample   [4096]  values at those indices
    grad.<name>.sum / grad.<name>.sumsq       [1]     sum and sum of squares of the whole gradient (float64)
"""
import json
import math
import os
import sys
import gzip

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from context_encoder import ContextEncoder, hole_loss  # noqa: E402  (scripts/context_encoder.py)

GAIN = 2.5  # see the docstring: keeps the pre-sigmoid output around ±1
SAMPLE_LIMIT = 65_536
SAMPLES = 4096
HOLES = [(3, 5, 10, 12), (14, 0, 14, 7), (0, 9, 9, 19)]  # (top, left, height, width)

CONFIGS = {
    "parity_paper": dict(architecture="paper", bias=False, mask_channel=False, kernel_size=5),
    "parity_paper_bias_mask": dict(architecture="paper", bias=True, mask_channel=True, kernel_size=5),
    "parity_strided": dict(architecture="strided", bias=False, mask_channel=False, kernel_size=5),
    "parity_pooled": dict(architecture="pooled", bias=False, mask_channel=False, kernel_size=5),
}


def mnist_test_images(count):
    repository = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    root = os.environ.get("INPAINT_DATA") or os.path.join(repository, "..", "shared", "data", "mnist")
    with gzip.open(os.path.join(root, "t10k-images-idx3-ubyte.gz"), "rb") as f:
        data = f.read()
    assert int.from_bytes(data[0:4], "big") == 0x803
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16)[: count * 784]
    return torch.from_numpy(pixels.astype(np.float32) / 255.0).reshape(count, 1, 28, 28)


def hash_uniform(k, n):
    """The formula of the module docstring: n float64 values in [-1, 1) for tensor number k."""
    mask = np.uint64(0xFFFFFFFF)
    x = (np.arange(n, dtype=np.uint64) * np.uint64(0x9E3779B1) + np.uint64(k * 0x85EBCA77 + 1)) & mask
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x7FEB352D)) & mask
    x ^= x >> np.uint64(15)
    x = (x * np.uint64(0x846CA68B)) & mask
    x ^= x >> np.uint64(16)
    return (2.0 * x.astype(np.float64)) / 2.0**32 - 1.0


def formula_weights(model):
    """Fills every parameter by the formula in the module docstring; returns the per-tensor recipe."""
    recipe = {}
    with torch.no_grad():
        for k, (name, p) in enumerate(model.named_parameters()):
            n = p.numel()
            if name.endswith(".bias"):
                scale = 0.1
            else:
                fan_in = n // p.shape[1] if name.startswith("dec.") else n // p.shape[0]
                scale = GAIN * math.sqrt(3.0 / fan_in)
            values = scale * hash_uniform(k, n)
            p.copy_(torch.from_numpy(values.astype(np.float32)).reshape(p.shape))
            recipe[name] = {"k": k, "scale": repr(scale)}
    return recipe


def make(name, config, out_dir):
    torch.manual_seed(0)
    model = ContextEncoder(**config)
    recipe = formula_weights(model)
    images = mnist_test_images(len(HOLES))
    masks = torch.ones_like(images)
    for b, (top, left, height, width) in enumerate(HOLES):
        masks[b, 0, top : top + height, left : left + width] = 0

    reconstruction = model(images, masks)
    loss = hole_loss(reconstruction, images, masks, loss="l2")
    loss.backward()

    tensors = {
        "images": images,
        "masks": masks,
        "reconstruction": reconstruction.detach(),
        "loss": loss.detach().reshape(1),
    }
    sampled = {}
    for pname, p in model.named_parameters():
        g = p.grad.detach()
        if p.numel() <= SAMPLE_LIMIT:
            tensors[f"grad.{pname}"] = g.clone()
        else:
            n = p.numel()
            assert n < 2**24, "indices must be exact in float32"
            index = (np.arange(SAMPLES, dtype=np.int64) * 7919 + 17) % n
            assert len(np.unique(index)) == SAMPLES
            sampled[pname] = torch.from_numpy(index)
            flat = g.reshape(-1).double()
            tensors[f"sample.{pname}.index"] = torch.from_numpy(index.astype(np.float32))
            tensors[f"grad.{pname}.sample"] = g.reshape(-1)[sampled[pname]].clone()
            tensors[f"grad.{pname}.sum"] = flat.sum().float().reshape(1)
            tensors[f"grad.{pname}.sumsq"] = (flat * flat).sum().float().reshape(1)

    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    optimizer.step()
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if pname in sampled:
                tensors[f"adam.{pname}.sample"] = p.reshape(-1)[sampled[pname]].clone()
            else:
                tensors[f"adam.{pname}"] = p.detach().clone()

    metadata = {
        "config": json.dumps(config),
        "weights": json.dumps(recipe),
        "formula": "w[i] = float32(scale * ((2.0 * lowbias32(i * 0x9E3779B1 + k * 0x85EBCA77 + 1)) / 2^32 - 1.0))",
        "loss": "sum((1-M)*(y-x)^2) / sum(1-M) over the whole batch",
        "adam": "torch.optim.Adam(lr=1e-3), one step",
        "torch": torch.__version__,
    }
    path = os.path.join(out_dir, name + ".safetensors")
    save_file({k: v.contiguous() for k, v in tensors.items()}, path, metadata=metadata)
    r = reconstruction.detach()
    print(f"{path}: loss {loss.item():.6f}, output min {r.min():.4f} max {r.max():.4f} mean {r.mean():.4f}, "
          f"{os.path.getsize(path)} bytes")


if __name__ == "__main__":
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "Tests/InpaintingTests/Fixtures"
    torch.set_num_threads(2)
    # Names on the command line remake only those fixtures (the others stay byte for byte as committed).
    only = set(sys.argv[2:])
    for name, config in CONFIGS.items():
        if not only or name in only:
            make(name, config, out_dir)
