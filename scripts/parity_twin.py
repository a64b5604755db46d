"""A stand-in PyTorch twin of the context encoder, used by make_parity_fixture.py only until
scripts/context_encoder.py (engineer core's twin) lands; then the two are reconciled and this goes."""
import torch
from torch import nn


class ChannelWiseLinear(nn.Module):
    """y[b, c, :] = x[b, c, :] @ W[c] (+ bias[c]); weight [C, HW, HW]."""

    def __init__(self, channels, features, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(channels, features, features))
        self.bias = nn.Parameter(torch.zeros(channels, features)) if bias else None

    def forward(self, x):
        b, c, h, w = x.shape
        y = torch.einsum("bci,cij->bcj", x.reshape(b, c, h * w), self.weight)
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(b, c, h, w)


class ContextEncoder(nn.Module):
    def __init__(self, architecture="paper", bias=False, mask_channel=False, kernel_size=5):
        super().__init__()
        self.mask_channel = mask_channel
        cin = 2 if mask_channel else 1
        if architecture == "paper":
            k, p = kernel_size, kernel_size // 2
            enc = [(cin, 16, k, 1, p), (16, 16, k, 1, p), (16, 16, k, 1, p)]
            dec = [(16, 16, k, 1, p), (16, 16, k, 1, p), (16, 1, k, 1, p)]
            channels, side = 16, 28
        else:
            enc = [(cin, 16, 4, 2, 1), (16, 32, 4, 2, 1), (32, 64, 3, 1, 1)]
            dec = [(64, 32, 3, 1, 1), (32, 16, 4, 2, 1), (16, 1, 4, 2, 1)]
            channels, side = 64, 7
        layers = []
        for i, (a, b, k, s, p) in enumerate(enc):
            layers += [nn.Conv2d(a, b, k, s, p, bias=bias), nn.LeakyReLU(0.2)]
        self.enc = nn.Sequential(*layers)
        self.fc = ChannelWiseLinear(channels, side * side, bias)
        layers = []
        for i, (a, b, k, s, p) in enumerate(dec):
            layers += [nn.ConvTranspose2d(a, b, k, s, p, bias=bias), nn.ReLU() if i < 2 else nn.Sigmoid()]
        self.dec = nn.Sequential(*layers)

    def forward(self, images, masks):
        x = images * masks
        if self.mask_channel:
            x = torch.cat([x, masks], dim=1)
        return self.dec(self.fc(self.enc(x)))


def hole_l2_loss(output, images, masks):
    hole = 1 - masks
    return (hole * (output - images) ** 2).sum() / hole.sum()
