"""PyTorch twin of `inpaint bench` (Sources/inpaint/BenchCommand.swift): the same models, inputs and fields.

Run with the project's venv, back to back with the Swift benchmark, and compare as ratios:

    /work/venv/bin/python scripts/bench_pytorch.py --json > torch.json
    .build/release/inpaint bench --against torch.json

Measures, on CPU with `--threads` intra-op threads (default 2, the machine of issue 4 §3):
  - training throughput of `paper` and `strided` at batch 64: one step is zero_grad, forward, the report's
    hole loss, backward and `Adam(fused=True)`; median step time over the timed steps after warm-up;
  - single-image forward latency of `paper` under torch.inference_mode (median and p99);
  - achieved GFLOP/s with the same FLOP count as the Swift side (multiply-adds count two; weight gradients
    for every layer, input gradients for all but the first), against torch.mm's rate on a square product
    measured in the same run;
  - VmHWM of /proc/self/status right after the paper training benchmark (includes torch's own ~300 MB).
`--default-adam` adds the paper model with PyTorch's default (foreach, unfused) Adam as an extra key.
`--layers` prints a per-layer forward/backward profile of a paper training step (torch.profiler).
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from context_encoder import ContextEncoder, hole_loss  # noqa: E402

BATCH = 64  # issue 4 §3


def synthetic_batch(count, generator):
    """Images uniform in [0, 1); holes as in ContextEncoderBenchmark.syntheticBatch: 10×12 at (4 + n%10, 6 + n%8)."""
    x = torch.rand(count, 1, 28, 28, generator=generator)
    m = torch.ones(count, 1, 28, 28)
    for n in range(count):
        top, left = 4 + n % 10, 6 + n % 8
        m[n, 0, top:top + 10, left:left + 12] = 0
    return x, m


def flops_per_image(model, backward):
    """Same count as ContextEncoderBenchmark.flopsPerImage: per layer 2·MACs forward, ×3 with backward (×2 for
    the first layer, whose input needs no gradient)."""
    x = torch.zeros(1, 1, 28, 28)
    layers = [model.enc[0], model.enc[2], model.enc[4], model.fc, model.dec[0], model.dec[2], model.dec[4]]
    forward = total = 0.0
    for i, layer in enumerate(layers):
        y = layer(x)
        weights = layer.weight.numel()
        if isinstance(layer, torch.nn.Conv2d):
            macs = weights * y.shape[2] * y.shape[3]
        elif isinstance(layer, torch.nn.ConvTranspose2d):
            macs = weights * x.shape[2] * x.shape[3]
        else:
            macs = weights
        forward += 2 * macs
        total += 2 * macs * (2 if i == 0 else 3)
        x = y
    return total if backward else forward


def median(values):
    return statistics.median_low(values)  # the Swift side takes sorted[count / 2]; equal for odd counts


def p99(values):
    s = sorted(values)
    return s[min(len(s) - 1, -(-99 * len(s) // 100) - 1)]  # nearest rank, as Timing.p99


def sgemm_gflops(n, runs):
    g = torch.Generator().manual_seed(3)
    a = torch.rand(n, n, generator=g) * 2 - 1
    c = torch.empty(n, n)
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        torch.mm(a, a, out=c)
        times.append(time.perf_counter() - start)
    return 2 * n ** 3 / median(times[1:]) / 1e9  # the first call starts the thread pool; as the Swift side


def training(architecture, steps, warmup, fused=True):
    torch.manual_seed(1)
    model = ContextEncoder(architecture)
    x, m = synthetic_batch(BATCH, torch.Generator().manual_seed(1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=fused)
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = hole_loss(model(x, m), x, m)
        loss.backward()
        optimizer.step()
        if i >= warmup:
            times.append(time.perf_counter() - start)
    step = median(times)
    flops = flops_per_image(model, backward=True)
    return {"images_per_second": BATCH / step, "step_ms_median": 1000 * step, "steps": steps,
            "mflop_per_image": flops / 1e6, "gflops": flops * BATCH / step / 1e9}


def forward_latency(runs, warmup):
    torch.manual_seed(1)
    model = ContextEncoder("paper").eval()
    x, m = synthetic_batch(1, torch.Generator().manual_seed(1))
    times = []
    with torch.inference_mode():
        for i in range(warmup + runs):
            start = time.perf_counter()
            model(x, m)
            if i >= warmup:
                times.append(time.perf_counter() - start)
    flops = flops_per_image(model, backward=False)
    return {"median_ms": 1000 * median(times), "p99_ms": 1000 * p99(times), "runs": runs,
            "gflops": flops / median(times) / 1e9}


def peak_resident_mb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def layer_profile(steps):
    """Per-operator self CPU time of a paper training step at batch 64 (torch.profiler), averaged per step."""
    from torch.profiler import ProfilerActivity, profile, record_function

    torch.manual_seed(1)
    model = ContextEncoder("paper")
    x, m = synthetic_batch(BATCH, torch.Generator().manual_seed(1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    names = {"enc.0": model.enc[0], "enc.2": model.enc[2], "enc.4": model.enc[4], "fc": model.fc,
             "dec.0": model.dec[0], "dec.2": model.dec[2], "dec.4": model.dec[4]}
    for _ in range(3):
        optimizer.zero_grad()
        hole_loss(model(x, m), x, m).backward()
        optimizer.step()

    # Manual per-layer timing: forward of each layer on its real input, then backward of that layer alone
    # (autograd.grad with respect to its input and weight), so each figure is one layer's cost.
    with torch.no_grad():
        inputs, h = {}, x * m
        sequence = [(f"enc.{i}", l) for i, l in enumerate(model.enc)] + [("fc", model.fc)]
        sequence += [(f"dec.{i}", l) for i, l in enumerate(model.dec)]
        for name, layer in sequence:  # activations included, so each layer sees its real input
            if name in names:
                inputs[name] = h
            h = layer(h)
    rows = []
    for name, layer in names.items():
        inp = inputs[name].clone().requires_grad_(name != "enc.0")
        fwd, bwd = [], []
        for _ in range(steps):
            start = time.perf_counter()
            out = layer(inp)
            fwd.append(time.perf_counter() - start)
            grad = torch.ones_like(out)
            wrt = [layer.weight] + ([inp] if inp.requires_grad else [])
            start = time.perf_counter()
            torch.autograd.grad(out, wrt, grad)
            bwd.append(time.perf_counter() - start)
        rows.append((name, 1000 * median(fwd), 1000 * median(bwd)))
    adam = []
    for p in model.parameters():
        p.grad = torch.randn_like(p) * 1e-3
    for _ in range(steps):
        start = time.perf_counter()
        optimizer.step()
        adam.append(time.perf_counter() - start)
    rows.append(("adam (fused)", 1000 * median(adam), 0.0))

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            with record_function("step"):
                optimizer.zero_grad()
                hole_loss(model(x, m), x, m).backward()
                optimizer.step()
    return rows, prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=20)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON (same keys as `inpaint bench --json`)")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    parser.add_argument("--quick", action="store_true", help="a few iterations only")
    parser.add_argument("--default-adam", action="store_true", help="also time paper with default (unfused) Adam")
    parser.add_argument("--layers", action="store_true", help="per-layer profile of a paper training step")
    args = parser.parse_args()
    if args.threads < 1:
        parser.error(f"--threads must be at least 1, found {args.threads}")
    torch.set_num_threads(args.threads)

    if args.layers:
        rows, table = layer_profile(steps=5 if args.quick else 20)
        print(f"pytorch {torch.__version__}, {args.threads} threads, paper, batch {BATCH}: per-layer median ms")
        print(f"{'layer':14s} {'forward':>9s} {'backward':>9s}")
        for name, f, b in rows:
            print(f"{name:14s} {f:9.2f} {b:9.2f}")
        print(f"{'total':14s} {sum(r[1] for r in rows):9.2f} {sum(r[2] for r in rows):9.2f}")
        print(table)
        return

    paper_steps, strided_steps, warmup, runs, side = (3, 5, 1, 20, 256) if args.quick else (40, 150, 5, 500, 1024)
    sgemm = sgemm_gflops(side, 2 if args.quick else 7)
    paper = training("paper", paper_steps, warmup)
    resident = peak_resident_mb()
    strided = training("strided", strided_steps, warmup)
    forward = forward_latency(runs, warmup * 4)
    for figures in (paper, strided, forward):
        figures["fraction_of_peak"] = figures["gflops"] / sgemm
    report = {"tool": "pytorch", "torch_version": torch.__version__, "threads": torch.get_num_threads(),
              "batch": BATCH, "sgemm_gflops": sgemm, "paper_train": paper, "strided_train": strided,
              "paper_forward": forward, "peak_resident_mb": resident}
    if args.default_adam:
        default = training("paper", paper_steps, warmup, fused=False)
        default["fraction_of_peak"] = default["gflops"] / sgemm
        report["paper_train_default_adam"] = default

    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return
    print(f"pytorch {torch.__version__} bench: {report['threads']} threads, batch {BATCH}, {paper_steps} paper / "
          f"{strided_steps} strided steps, {runs} forward runs")
    rows = [("sgemm peak (same run)", sgemm, "GFLOP/s")]
    trains = [("paper train, batch 64", paper), ("strided train, batch 64", strided)]
    if args.default_adam:
        trains.append(("paper train, default Adam", report["paper_train_default_adam"]))
    for title, t in trains:
        rows += [(title, t["images_per_second"], "img/s"), ("  step median", t["step_ms_median"], "ms"),
                 ("  achieved", t["gflops"], "GFLOP/s"), ("  of sgemm peak", 100 * t["fraction_of_peak"], "%")]
    rows += [("paper forward, 1 image, median", forward["median_ms"], "ms"), ("  p99", forward["p99_ms"], "ms"),
             ("  achieved", forward["gflops"], "GFLOP/s"), ("  of sgemm peak", 100 * forward["fraction_of_peak"], "%"),
             ("peak resident after paper train", resident, "MB")]
    for name, value, unit in rows:
        text = "–" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"
        print(f"{name:33s}{text:>11s} {unit}")


if __name__ == "__main__":
    main()
