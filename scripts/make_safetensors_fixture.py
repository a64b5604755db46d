#!/usr/bin/env python3
"""Writes a tiny safetensors file with Python's own writer, so the Swift reader is tested against the
reference implementation and not only against itself.

Remake (from the package root):
    venv/bin/python scripts/make_safetensors_fixture.py Tests/NeuralCoreTests/Fixtures/python.safetensors

Contents (checked by Tests/NeuralCoreTests/SafetensorsTests.swift):
    a     F32  [2, 3]   0.5 * arange(6) - 1          -> -1, -0.5, 0, 0.5, 1, 1.5
    half  F16  [4]      [1, -2, 0.333251953125, 65504]  (all exact in float16)
    brain BF16 [2, 2]   [1, -3, 0.5, 256]               (all exact in bfloat16)
    empty F32  [0, 3]
    metadata {"format": "pt", "note": "quote \" and newline \n"}
"""
import sys

import torch
from safetensors.torch import save_file

out = sys.argv[1]
tensors = {
    "a": (0.5 * torch.arange(6, dtype=torch.float32) - 1).reshape(2, 3),
    "half": torch.tensor([1, -2, 0.333251953125, 65504], dtype=torch.float16),
    "brain": torch.tensor([[1, -3], [0.5, 256]], dtype=torch.bfloat16),
    "empty": torch.zeros(0, 3, dtype=torch.float32),
}
save_file(tensors, out, metadata={"format": "pt", "note": 'quote " and newline \n'})
print("wrote", out)
