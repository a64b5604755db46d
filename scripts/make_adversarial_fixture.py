#!/usr/bin/env python3
"""PyTorch reference numbers for adversarial training: the discriminator's forward, loss, gradients (weights
and input image), one Adam step of D, and the generator's combined loss and gradient through the updated D.

Remake the committed fixture (from the package root, with the project's venv):

    venv/bin/python scripts/make_adversarial_fixture.py Tests/InpaintingTests/Fixtures

It writes `adversarial_parity.safetensors`, checked by Tests/InpaintingTests/AdversarialParityTests.swift.
Weights by the formula of scripts/make_parity_fixture.py (its docstring), so that nothing large is stored:
the generator is `strided` without biases (gain 2.5, as there); the discriminator's tensors are numbered
k = 100, 101, ... in state_dict order, weights with scale sqrt(3 / fan_in) (gain 1: its logits stay near
±1, where the sigmoid has slope), biases 0.1. Inputs: the first 3 MNIST test images with the holes of the
parity fixture.

One training step, as the Swift trainer takes it (Pathak et al. / DCGAN order):
    y = G(x ⊙ M);  x̂ = M ⊙ x + (1 − M) ⊙ y
    D step: L_D = BCE(D(x), 1) + BCE(D(x̂.detach()), 0); Adam(lr 2e-4, betas (0.5, 0.999)), one step
    G loss: L_G = λ · L_rec + (1 − λ) · BCE(D'(x̂), 1) through the updated D', with 1 − λ = WEIGHT below
    (0.3, not Pathak's 0.001, so that the adversarial part of the gradient is large enough to check)

Fixture tensors (F32):
    images, masks                    [3, 1, 28, 28]
    disc.logits                      [3]        D(images)
    disc.input_loss                  [1]        BCE(D(images), targets [1, 0, 1])
    disc.input_grad                  [3, 1, 28, 28]  its gradient with respect to the images
    disc.loss                        [1]        L_D
    disc.grad.<name>                 L_D's gradient for every D tensor
    disc.adam.<name>                 D's tensors after one Adam step
    gen.reconstruction               [3, 1, 28, 28]  y
    gen.loss_rec, gen.loss_adv       [1]        L_rec (hole L2) and BCE(D'(x̂), 1)
    gen.grad.<name>                  L_G's gradient
    Tensors of more than 8,192 elements are stored as samples: sample.<name>.index [4096] holds
    idx_j = (j * 7919 + 17) mod n, and <key>.sample the values there (e.g. disc.grad.disc.2.weight.sample).
"""
import json
import math
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from context_encoder import ContextEncoder, hole_loss  # noqa: E402
from discriminator import Discriminator, composite, discriminator_loss, generator_adversarial_loss  # noqa: E402
from make_parity_fixture import HOLES, SAMPLES, formula_weights, hash_uniform, mnist_test_images  # noqa: E402

WEIGHT = 0.3
SAMPLE_LIMIT = 8192  # tensors above this are stored as 4,096 samples (keeps the fixture near 250 kB)
DISC_K0 = 100


def discriminator_formula_weights(disc):
    recipe = {}
    with torch.no_grad():
        for j, (name, p) in enumerate(disc.named_parameters()):
            n, k = p.numel(), DISC_K0 + j
            scale = 0.1 if name.endswith(".bias") else math.sqrt(3.0 / (n // p.shape[0]))
            p.copy_(torch.from_numpy((scale * hash_uniform(k, n)).astype(np.float32)).reshape(p.shape))
            recipe[name] = {"k": k, "scale": repr(scale)}
    return recipe


def store(tensors, key, name, value):
    """value in full, or sampled at the indices of `name` when large."""
    n = value.numel()
    if n <= SAMPLE_LIMIT:
        tensors[key] = value.detach().clone()
        return
    index = (np.arange(SAMPLES, dtype=np.int64) * 7919 + 17) % n
    assert len(np.unique(index)) == SAMPLES and n < 2**24
    tensors[f"sample.{name}.index"] = torch.from_numpy(index.astype(np.float32))
    tensors[f"{key}.sample"] = value.detach().reshape(-1)[torch.from_numpy(index)].clone()


def main(out_dir):
    torch.set_num_threads(2)
    config = dict(architecture="strided", bias=False, mask_channel=False, kernel_size=5)
    gen = ContextEncoder(**config)
    gen_recipe = formula_weights(gen)
    disc = Discriminator()
    disc_recipe = discriminator_formula_weights(disc)

    images = mnist_test_images(len(HOLES))
    masks = torch.ones_like(images)
    for b, (top, left, height, width) in enumerate(HOLES):
        masks[b, 0, top : top + height, left : left + width] = 0
    tensors = {"images": images, "masks": masks}

    # D alone: logits, and the gradient with respect to its input for mixed targets.
    x = images.clone().requires_grad_(True)
    logits = disc(x)
    input_loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.tensor([1.0, 0.0, 1.0]))
    input_loss.backward()
    tensors["disc.logits"] = logits.detach()
    tensors["disc.input_loss"] = input_loss.detach().reshape(1)
    tensors["disc.input_grad"] = x.grad.detach().clone()
    disc.zero_grad()

    # One adversarial step.
    y = gen(images, masks)
    x_hat = composite(images, masks, y)
    loss_d = discriminator_loss(disc, images, x_hat)
    loss_d.backward()
    tensors["disc.loss"] = loss_d.detach().reshape(1)
    for name, p in disc.named_parameters():
        store(tensors, f"disc.grad.{name}", name, p.grad)
    torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999)).step()
    for name, p in disc.named_parameters():
        store(tensors, f"disc.adam.{name}", name, p)
    gen.zero_grad()
    disc.zero_grad()

    loss_rec = hole_loss(y, images, masks, loss="l2")
    loss_adv = generator_adversarial_loss(disc, x_hat)
    ((1 - WEIGHT) * loss_rec + WEIGHT * loss_adv).backward()
    tensors["gen.reconstruction"] = y.detach()
    tensors["gen.loss_rec"] = loss_rec.detach().reshape(1)
    tensors["gen.loss_adv"] = loss_adv.detach().reshape(1)
    for name, p in gen.named_parameters():
        store(tensors, f"gen.grad.{name}", name, p.grad)

    metadata = {
        "config": json.dumps(config),
        "weights": json.dumps(gen_recipe),
        "disc_weights": json.dumps(disc_recipe),
        "adversarial_weight": repr(WEIGHT),
        "torch": torch.__version__,
    }
    path = os.path.join(out_dir, "adversarial_parity.safetensors")
    save_file({k: v.contiguous() for k, v in tensors.items()}, path, metadata=metadata)
    print(f"{path}: D logits {logits.detach().numpy()}, L_D {loss_d.item():.6f}, L_rec {loss_rec.item():.6f}, "
          f"L_adv {loss_adv.item():.6f}, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/InpaintingTests/Fixtures")
