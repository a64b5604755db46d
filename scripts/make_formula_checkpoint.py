#!/usr/bin/env python3
"""Saves a context encoder from PyTorch, with the parity fixture's formula weights (outputs spread over
0.03...0.96 instead of a fresh model's flat 0.5), as a plain `save_file(model.state_dict())` checkpoint with
no inpaint metadata: what someone who trained the model in PyTorch would hand to `inpaint`.

    venv/bin/python scripts/make_formula_checkpoint.py OUT.safetensors [--arch paper|strided] [--bias] [--mask-channel]

Used for the acceptance check of `inpaint fill` (see scripts/check_fill_parity.py): `inpaint` must infer
the configuration from the tensors and give PyTorch's reconstructions.
"""
import argparse
import os
import sys

from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from context_encoder import ContextEncoder  # noqa: E402
from make_parity_fixture import formula_weights  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--arch", choices=["paper", "strided"], default="paper")
parser.add_argument("--bias", action="store_true")
parser.add_argument("--mask-channel", action="store_true")
args = parser.parse_args()
model = ContextEncoder(args.arch, bias=args.bias, mask_channel=args.mask_channel)
formula_weights(model)
save_file({k: v.contiguous() for k, v in model.state_dict().items()}, args.out, metadata={"format": "pt"})
print("wrote", args.out)
