#!/usr/bin/env python3
"""PyTorch autograd's answer for `inpaint explain`: d reconstruction[ROW, COL] / d (x * M), checked by
Tests/EndToEndTests/ExplainEndToEndTests.swift and Tests/InpaintingTests/ExplainTests.swift.

Remake the committed fixture (from the package root, with the project's venv):

    venv/bin/python scripts/make_explain_fixture.py > Tests/InpaintingTests/Fixtures/explain_bundled.json

The model is the bundled one (assets/model.safetensors, float16 weights widened to float32 exactly, as
inpaint reads them) and the image the bundled sample's (assets/mnist-sample-images-idx3-ubyte.gz), so the
fixture holds only the case and the answer. Two pixels: one inside the hole, one known pixel outside it.
The gradient is taken with respect to the network's first input channel x * M (the mask channel, the second
input, is held fixed) and, separately, with respect to the mask channel.
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from check_fill_parity import load_model, read_idx_images  # noqa: E402

ROOT = os.path.dirname(HERE)
MODEL = "assets/model.safetensors"
IMAGES = "assets/mnist-sample-images-idx3-ubyte.gz"
CASES = [  # index, hole (top, left, height, width), pixel (row, col)
    (3, (9, 6, 11, 13), (14, 12)),
    (17, (4, 15, 14, 9), (19, 16)),
]


def explain(model, image, hole, pixel):
    top, left, height, width = hole
    mask = torch.ones(1, 1, 28, 28)
    mask[0, 0, top:top + height, left:left + width] = 0
    x = torch.from_numpy(image).reshape(1, 1, 28, 28)
    masked = (x * mask).detach().requires_grad_(True)
    channel = mask.clone().requires_grad_(True)
    # The twin's forward multiplies x by m itself: run its layers on [x * M, M] directly, so that the
    # gradient is with respect to x * M (the first input channel) and, separately, to the mask channel.
    layers_input = torch.cat([masked, channel], dim=1) if model.mask_channel else masked
    y = model.dec(model.fc(model.enc(layers_input)))
    value = y[0, 0, pixel[0], pixel[1]]
    value.backward()
    return {
        "value": value.item(),
        "gradient": masked.grad.reshape(-1).tolist(),
        "mask_channel_gradient": channel.grad.reshape(-1).tolist() if model.mask_channel else None,
    }


def main():
    torch.set_grad_enabled(True)
    model, config = load_model(os.path.join(ROOT, MODEL))
    images = read_idx_images(os.path.join(ROOT, IMAGES))
    cases = []
    for index, hole, pixel in CASES:
        answer = explain(model, images[index], hole, pixel)
        cases.append({"index": index, "hole": list(hole), "pixel": list(pixel), **answer})
    json.dump({"model": MODEL, "images": IMAGES, "torch": torch.__version__, "cases": cases}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
