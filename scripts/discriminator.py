"""PyTorch twin of the Swift `Discriminator` (Sources/Inpainting/Discriminator.swift) and of one step of
adversarial training (Sources/Inpainting/AdversarialTraining.swift).

Names match the checkpoint's `disc.*` tensors, so `Discriminator().load_state_dict({k: v for k, v in
load_file(path).items() if k.startswith("disc.")})` loads the discriminator of an adversarial run.

    disc.0  Conv2d 1→32 4×4 s2 p1, LeakyReLU 0.2     [B, 1, 28, 28] → [B, 32, 14, 14]
    disc.2  Conv2d 32→64 4×4 s2 p1, LeakyReLU 0.2    → [B, 64, 7, 7]
    disc.4  Flatten                                  → [B, 3136]
    disc.5  Linear 3136→1                            → [B] logits
"""
import torch
import torch.nn.functional as F
from torch import nn


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.disc = nn.Sequential(
            nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(32, 64, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 1))

    def forward(self, x):
        """x: [B, 1, 28, 28] → logits [B]."""
        return self.disc(x).reshape(-1)


def composite(x, m, y):
    """x̂ = M ⊙ x + (1 − M) ⊙ y: the known pixels kept, the hole from the generator."""
    return m * x + (1 - m) * y


def discriminator_loss(disc, x, x_hat):
    """BCE(D(x), real) + BCE(D(x̂), fake), x̂ detached (D's step does not move G)."""
    real = disc(x)
    fake = disc(x_hat.detach())
    return (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
            + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))


def generator_adversarial_loss(disc, x_hat):
    """The non-saturating loss BCE(D(x̂), real) = −mean log σ(D(x̂))."""
    logits = disc(x_hat)
    return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
