#!/usr/bin/env python3
"""PyTorch reference for the digit classifier's forward and backward (Tests/EvaluationTests/Fixtures).

Weights and images come from closed formulas that the Swift test evaluates too, so the fixture stores
only results: the logits, the mean cross-entropy and, for every parameter tensor, its first 8 gradient
entries, the gradient sum and the sum of absolute values.
  weight t (layout index), element j: sin(1.3 j + 0.7 t + 0.1) / sqrt(fan_in)   (biases: fan_in of their layer)
  image n, pixel p:                    0.5 + 0.5 sin(0.11 p + 0.9 n) * cos(0.05 p)
Run: venv/bin/python scripts/make_classifier_fixture.py
"""
import json
import math
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
net = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(1568, 64), nn.ReLU(), nn.Linear(64, 10))
names = ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
params = [net[0].weight, net[0].bias, net[3].weight, net[3].bias, net[7].weight, net[7].bias, net[9].weight, net[9].bias]
fan_in = [9, 9, 144, 144, 1568, 1568, 64, 64]
with torch.no_grad():
    for t, (p, fan) in enumerate(zip(params, fan_in)):
        values = [math.sin(1.3 * j + 0.7 * t + 0.1) / math.sqrt(fan) for j in range(p.numel())]
        p.copy_(torch.tensor(values, dtype=torch.float64).float().reshape(p.shape))
n = 3
labels = [3, 8, 0]
x = torch.tensor([[0.5 + 0.5 * math.sin(0.11 * q + 0.9 * i) * math.cos(0.05 * q) for q in range(784)] for i in range(n)],
                 dtype=torch.float64).float()
logits = net(x.reshape(n, 1, 28, 28))
loss = F.cross_entropy(logits, torch.tensor(labels))
loss.backward()
fixture = {
    "labels": labels,
    "logits": logits.detach().reshape(-1).tolist(),
    "loss": loss.item(),
    "gradients": {name: {"first": p.grad.reshape(-1)[:8].tolist(), "sum": p.grad.sum().item(),
                         "absSum": p.grad.abs().sum().item()} for name, p in zip(names, params)},
}
out = pathlib.Path(__file__).resolve().parent.parent / "Tests/EvaluationTests/Fixtures/classifier_reference.json"
out.write_text(json.dumps(fixture, indent=1))
print(f"wrote {out}: loss {loss.item():.6f}")
