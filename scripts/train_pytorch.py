"""Train the context encoder in PyTorch (on a GPU if there is one) and save it for `inpaint`.

The model is the PyTorch twin `scripts/context_encoder.py`; the recipe is `inpaint train`'s (batch 64, Adam,
a fresh rectangle hole of 98–196 pixels per image per step, L2 on the hole, optional cosine decay). The file
written is a plain `save_file(model.state_dict())`: `inpaint` reads the configuration off the tensor shapes,
so the terminal UI, `fill` and `eval` use it as it is:

    pip install torch safetensors numpy
    python scripts/train_pytorch.py --data ../shared/data/mnist --mask-channel --epochs 30 --schedule cosine \
        --out gpu-model.safetensors
    inpaint eval --model gpu-model.safetensors
    inpaint tui --model gpu-model.safetensors --no-train

The holes follow the same distribution as `RectangleHoleSampler` (Sources/Inpainting/MaskSampler.swift) but
not the same random stream, so a run here does not repeat an `inpaint train` run bit for bit.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from context_encoder import ContextEncoder, hole_loss  # noqa: E402
from check_fill_parity import read_idx_images  # noqa: E402


def hole_shapes(side=28, min_area=98, max_area=196, max_aspect=3):
    """Every (h, w) the Swift sampler allows: area in [min, max], aspect at most 3."""
    return [(h, w) for h in range(1, side + 1) for w in range(1, side + 1)
            if min_area <= h * w <= max_area and max(h, w) <= max_aspect * min(h, w)]


def sample_masks(count, shapes, rng, side=28):
    """[count, 1, 28, 28] masks: 1 known, 0 hole; shape uniform over `shapes`, then position uniform."""
    masks = np.ones((count, 1, side, side), dtype=np.float32)
    picks = rng.integers(len(shapes), size=count)
    for i, k in enumerate(picks):
        h, w = shapes[k]
        top, left = rng.integers(side - h + 1), rng.integers(side - w + 1)
        masks[i, 0, top:top + h, left:left + w] = 0
    return masks


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="folder with train-images-idx3-ubyte[.gz]")
    parser.add_argument("--arch", default="paper", choices=["paper", "strided"])
    parser.add_argument("--mask-channel", action="store_true", help="feed [x⊙M, M] as two channels")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--steps", type=int, help="stop after this many steps (overrides --epochs)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--schedule", default="constant", choices=["constant", "cosine"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--out", required=True, help="safetensors file to write")
    args = parser.parse_args()

    names = ["train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"]
    path = next((os.path.join(args.data, n) for n in names if os.path.exists(os.path.join(args.data, n))), None)
    if path is None:
        sys.exit(f"--data {args.data}: expected train-images-idx3-ubyte[.gz], found none")
    images = torch.from_numpy(read_idx_images(path).copy()).reshape(-1, 1, 28, 28)
    count = images.shape[0]

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    device = torch.device(args.device)
    model = ContextEncoder(architecture=args.arch, mask_channel=args.mask_channel).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = math.ceil(count / args.batch)
    total = args.steps or args.epochs * steps_per_epoch
    scheduler = (torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total)
                 if args.schedule == "cosine" else None)
    shapes = hole_shapes()
    images = images.to(device)
    print(f"training {args.arch} on {count} images from {path}, {total} steps on {device}", file=sys.stderr)
    start, step = time.time(), 0
    while step < total:
        order = torch.randperm(count, device=device)
        for first in range(0, count, args.batch):
            if step >= total:
                break
            x = images[order[first:first + args.batch]]
            m = torch.from_numpy(sample_masks(x.shape[0], shapes, rng)).to(device)
            optimizer.zero_grad(set_to_none=True)
            loss = hole_loss(model(x, m), x, m)
            loss.backward()
            optimizer.step()
            if scheduler:
                scheduler.step()
            step += 1
            if step % 100 == 0 or step == total:
                rate = step * args.batch / (time.time() - start)
                print(f"step {step}/{total}  loss {loss.item():.4f}  {rate:.0f} img/s", file=sys.stderr)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, args.out)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
