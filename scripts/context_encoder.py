"""PyTorch twin of the Swift `ContextEncoder` (Sources/Inpainting/ContextEncoder*.swift).

Same module names as the Swift parameter layout, so a safetensors checkpoint written by `inpaint` loads
with `model.load_state_dict(safetensors.torch.load_file(path))` and vice versa:

    enc.0.weight [16, Cin, k, k]   enc.2.weight, enc.4.weight      (Conv2d, [out, in, kh, kw])
    fc.weight    [C, F, F]         y[b, c, :] = x[b, c, :] @ W[c]   (channel-wise fully connected)
    dec.0.weight, dec.2.weight, dec.4.weight                       (ConvTranspose2d, [in, out, kh, kw])
    *.bias when bias=True

Architectures (Hu & Velarde 2016 §2 for `paper`; `strided` is the project's faster variant, issue 4 §2):
    paper:   Conv k s1 p(k//2) 1→16→16→16, LeakyReLU(0.2); fc 16 × [784, 784];
             ConvT k s1 p(k//2) 16→16→16→1, ReLU between, sigmoid out.
    strided: Conv 1→16 4×4 s2 p1, 16→32 4×4 s2 p1, 32→64 3×3 s1 p1, LeakyReLU(0.2); fc 64 × [49, 49];
             ConvT 64→32 3×3 s1 p1, 32→16 4×4 s2 p1, 16→1 4×4 s2 p1, ReLU between, sigmoid out.
    pooled:  Conv 1→16 5×5 p2, LeakyReLU, MaxPool2d(2) (16×14×14); Conv 16→32 5×5 p2, LeakyReLU,
             MaxPool2d(2) (32×7×7); Conv 32→64 3×3 p1, LeakyReLU; fc 64 × [49, 49]; strided's decoder.
             The pools take Sequential slots, so its convolutions are enc.0, enc.3 and enc.6.

Input: x ⊙ M (mask_channel=False) or [x ⊙ M, M] (mask_channel=True); M = 1 known, 0 hole.
Loss (the report's): sum over hole pixels of (ŷ − x)² / number of hole pixels in the batch.
"""
import math

import torch
from torch import nn


FC_FORMULATIONS = ("einsum", "bmm")


class ChannelWiseLinear(nn.Module):
    """Per channel c an independent [in_features, out_features] matrix: y[b, c, :] = x[b, c, :] @ W[c] (+ b[c]).

    `formulation` is how PyTorch is asked for the product (the same numbers, different kernels): `einsum`
    ("bcf,cfg->bcg") or `bmm` (channels first: [C, B, F] @ [C, F, G] with torch.bmm). A broadcast
    torch.matmul of [B, C, 1, F] by [C, F, G] is left out: it expands the weights to [B, C, F, G] (2.5 GB at
    batch 64, seen as a 5.3 GB peak). scripts/bench_pytorch.py times both and compares against the fastest."""

    def __init__(self, channels, in_features, out_features, bias=False, formulation="einsum"):
        super().__init__()
        if formulation not in FC_FORMULATIONS:
            raise ValueError(f"unknown formulation {formulation!r}; expected one of {', '.join(FC_FORMULATIONS)}")
        self.formulation = formulation
        self.weight = nn.Parameter(torch.empty(channels, in_features, out_features))
        self.bias = nn.Parameter(torch.empty(channels, out_features)) if bias else None
        # Each W[c] initialised like nn.Linear(in_features, out_features): U(-1/sqrt(in), 1/sqrt(in)).
        bound = 1.0 / math.sqrt(in_features)
        nn.init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x):  # x: [B, C, H, W] → [B, C, H, W] (F = H·W)
        b, c, h, w = x.shape
        flat = x.reshape(b, c, h * w)
        if self.formulation == "bmm":
            y = torch.bmm(flat.transpose(0, 1), self.weight).transpose(0, 1)
        else:
            y = torch.einsum("bcf,cfg->bcg", flat, self.weight)
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(b, c, h, w)


STRIDED = [(1, 16, 4, 2, 1), (16, 32, 4, 2, 1), (32, 64, 3, 1, 1)]


def _layers(architecture, kernel_size):
    """(in, out, kernel, stride, padding, pool) for the three encoder convs, (channels, features) of the fc,
    and (in, out, kernel, stride, padding) for the three decoder transposed convs."""
    def mirror(enc):
        return [(cout, cin, k, s, p) for cin, cout, k, s, p, _ in reversed(enc)]
    if architecture == "paper":
        k, p = kernel_size, kernel_size // 2
        enc = [(1, 16, k, 1, p, 1), (16, 16, k, 1, p, 1), (16, 16, k, 1, p, 1)]
        return enc, (16, 28 * 28), mirror(enc)
    if architecture == "strided":
        enc = [layer + (1,) for layer in STRIDED]
        return enc, (64, 7 * 7), mirror(enc)
    if architecture == "pooled":
        enc = [(1, 16, 5, 1, 2, 2), (16, 32, 5, 1, 2, 2), (32, 64, 3, 1, 1, 1)]
        return enc, (64, 7 * 7), mirror([layer + (1,) for layer in STRIDED])
    raise ValueError(f"unknown architecture {architecture!r}; expected paper, strided or pooled")


class ContextEncoder(nn.Module):
    def __init__(self, architecture="paper", bias=False, mask_channel=False, kernel_size=5, fc_formulation="einsum"):
        super().__init__()
        self.mask_channel = mask_channel
        convs, (channels, features), deconvs = _layers(architecture, kernel_size)
        enc = []
        for i, (cin, cout, k, s, p, pool) in enumerate(convs):
            if i == 0 and mask_channel:
                cin = 2
            enc += [nn.Conv2d(cin, cout, k, s, p, bias=bias), nn.LeakyReLU(0.2)]
            if pool > 1:
                enc += [nn.MaxPool2d(pool)]
        self.enc = nn.Sequential(*enc)
        self.fc = ChannelWiseLinear(channels, features, features, bias=bias, formulation=fc_formulation)
        dec = []
        for i, (cin, cout, k, s, p) in enumerate(deconvs):
            dec += [nn.ConvTranspose2d(cin, cout, k, s, p, bias=bias)]
            dec += [nn.ReLU()] if i < 2 else [nn.Sigmoid()]
        self.dec = nn.Sequential(*dec)

    def forward(self, x, m):
        """x, m: [B, 1, 28, 28] (x in [0, 1], m 1 known / 0 hole) → reconstruction [B, 1, 28, 28] in (0, 1)."""
        inp = torch.cat([x * m, m], dim=1) if self.mask_channel else x * m
        return self.dec(self.fc(self.enc(inp)))


def hole_loss(output, x, m, loss="l2", known_weight=0.0):
    """(Σ_hole e + known_weight · Σ_known e) / number of hole pixels; e = (ŷ−x)² (l2) or |ŷ−x| (l1)."""
    e = (output - x) ** 2 if loss == "l2" else (output - x).abs()
    hole = 1 - m
    return ((e * hole).sum() + known_weight * (e * m).sum()) / hole.sum().clamp_min(1)


if __name__ == "__main__":
    for arch in ("paper", "strided", "pooled"):
        for bias in (False, True):
            for mc in (False, True):
                n = sum(p.numel() for p in ContextEncoder(arch, bias, mc).parameters())
                print(f"{arch:8s} bias={bias!s:5s} mask_channel={mc!s:5s} {n:,} parameters")
