"""PyTorch twin of `inpaint bench` (Sources/inpaint/BenchCommand.swift): the same models, inputs and fields.

Run with the project's venv, back to back with the Swift benchmark, and compare as ratios:

    venv/bin/python scripts/bench_pytorch.py --json > torch.json
    .build/release/inpaint bench --against torch.json

Measures, on CPU with `--threads` intra-op threads (default 2, the machine of issue 4 §3):
  - training throughput of `paper` and `strided` at batch 64: one step is zero_grad, forward, the report's
    hole loss, backward and `Adam(fused=True)`; median step time over the timed steps after warm-up;
  - single-image forward latency of `paper` under torch.inference_mode (median and p99);
  - achieved GFLOP/s with the same FLOP count as the Swift side (multiply-adds count two; weight gradients
    for every layer, input gradients for all but the first), against torch.mm's rate on a square product
    measured in the same run;
  - VmHWM of /proc/self/status right after the paper training benchmark (includes torch's own ~300 MB;
    with `--formulation best` also the probes that ran before it).
PyTorch at its best (issue 16): the channel-wise layer can be asked for as einsum or bmm,
the convolutions can run channels-last, and the model can go through torch.compile. `--formulation best` (the
default) probes each for the paper step and the forward (a few steps each, eager einsum/bmm × NCHW /
channels-last, then torch.compile of the fastest eager one), measures with the fastest and names it in
`formulation`; `formulations` keeps the probes' figures. `--formulation NAME` (e.g. `bmm+channels_last`,
`einsum+compile`) measures one.
`--default-adam` adds the paper model with PyTorch's default (foreach, unfused) Adam as an extra key.
`--layers [--arch strided|pooled] [--cpu-clock]` prints where a training step's time goes, part by part, as
`inpaint bench --layers` does.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from context_encoder import FC_FORMULATIONS, ContextEncoder, hole_loss  # noqa: E402

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
    # Every module in order (activations and pools too, so each layer sees its real input size); only the
    # weighted ones are counted.
    modules = list(model.enc) + [model.fc] + list(model.dec)
    forward = total = 0.0
    i = 0
    for layer in modules:
        y = layer(x)
        if not hasattr(layer, "weight"):
            x = y
            continue
        weights = layer.weight.numel()
        if isinstance(layer, torch.nn.Conv2d):
            macs = weights * y.shape[2] * y.shape[3]
        elif isinstance(layer, torch.nn.ConvTranspose2d):
            macs = weights * x.shape[2] * x.shape[3]
        else:
            macs = weights
        forward += 2 * macs
        total += 2 * macs * (2 if i == 0 else 3)
        i += 1
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


def parse_formulation(name):
    """'bmm', 'einsum+channels_last', 'bmm+channels_last+compile' → (fc formulation, channels_last, compile)."""
    parts = name.split("+")
    if parts[0] not in FC_FORMULATIONS or any(p not in ("channels_last", "compile") for p in parts[1:]):
        raise ValueError(f"unknown formulation {name!r}: expected one of {', '.join(FC_FORMULATIONS)}, "
                         "optionally +channels_last and/or +compile")
    return parts[0], "channels_last" in parts, "compile" in parts


def build(architecture, formulation, inference=False):
    """The model in `formulation` and a function that lays out its inputs to match (channels-last or not);
    `model` is what to call (compiled or not), `module` holds the parameters."""
    fc, channels_last, compiled = parse_formulation(formulation)
    torch.manual_seed(1)
    module = ContextEncoder(architecture, fc_formulation=fc)
    if inference:
        module = module.eval()
    layout = torch.channels_last if channels_last else torch.contiguous_format
    module = module.to(memory_format=layout)
    model = torch.compile(module) if compiled else module
    return module, model, lambda t: t.contiguous(memory_format=layout)


def training(architecture, steps, warmup, fused=True, formulation="einsum"):
    module, model, lay = build(architecture, formulation)
    x, m = synthetic_batch(BATCH, torch.Generator().manual_seed(1))
    x, m = lay(x), lay(m)
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3, fused=fused)
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
    flops = flops_per_image(ContextEncoder(architecture), backward=True)
    return {"formulation": formulation, "images_per_second": BATCH / step, "step_ms_median": 1000 * step, "step_ms_min": 1000 * min(times), "steps": steps,
            "mflop_per_image": flops / 1e6, "gflops": flops * BATCH / step / 1e9}


def forward_latency(runs, warmup, formulation="einsum"):
    _, model, lay = build("paper", formulation, inference=True)
    x, m = synthetic_batch(1, torch.Generator().manual_seed(1))
    x, m = lay(x), lay(m)
    times = []
    with torch.inference_mode():
        for i in range(warmup + runs):
            start = time.perf_counter()
            model(x, m)
            if i >= warmup:
                times.append(time.perf_counter() - start)
    flops = flops_per_image(ContextEncoder("paper"), backward=False)
    return {"formulation": formulation, "median_ms": 1000 * median(times), "p99_ms": 1000 * p99(times), "min_ms": 1000 * min(times), "runs": runs,
            "gflops": flops / median(times) / 1e9}


def probe_formulations(measure, faster, quick):
    """Every eager formulation measured briefly by `measure(name)`, then torch.compile of the fastest eager
    one; returns the fastest name and every probe's figure (or the error that stopped it)."""
    eager = [fc + layout for fc in FC_FORMULATIONS for layout in ("", "+channels_last")]
    probes = {}
    for name in eager:
        probes[name] = measure(name)
    best = min(eager, key=lambda n: probes[n]) if faster == "lower" else max(eager, key=lambda n: probes[n])
    if not quick:
        try:
            probes[best + "+compile"] = measure(best + "+compile")
            better = probes[best + "+compile"] < probes[best] if faster == "lower" else probes[best + "+compile"] > probes[best]
            if better:
                best = best + "+compile"
        except Exception as error:  # inductor needs a working C++ toolchain; say why it did not run
            probes[best + "+compile"] = f"failed: {type(error).__name__}: {str(error).splitlines()[0][:160]}"
    return best, probes


def peak_resident_mb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def layer_profile(architecture, steps, clock):
    """Each part of a training step at batch 64 timed alone, as `inpaint bench --layers`: every layer's forward
    (the module on its real input) and backward (autograd.grad for its weight and, except the first layer, its
    input), the activations, the loss, zero_grad and fused Adam. Median seconds per part with `clock`
    (time.perf_counter, or time.thread_time: CPU time of this thread, meaningful with 1 thread only)."""
    torch.manual_seed(1)
    model = ContextEncoder(architecture)
    x, m = synthetic_batch(BATCH, torch.Generator().manual_seed(1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    for _ in range(3):
        optimizer.zero_grad()
        hole_loss(model(x, m), x, m).backward()
        optimizer.step()
    sequence = [(f"enc.{i}", l) for i, l in enumerate(model.enc)] + [("fc", model.fc)]
    sequence += [(f"dec.{i}", l) for i, l in enumerate(model.dec)]
    with torch.no_grad():  # every module's real input
        inputs, h = {}, x * m
        for name, layer in sequence:
            inputs[name] = h
            h = layer(h)

    def timed(body):
        start = clock()
        body()
        return clock() - start

    rows = []
    activation_fwd, activation_bwd = [0.0] * steps, [0.0] * steps
    for name, layer in sequence:
        weighted = hasattr(layer, "weight")
        inp = inputs[name].clone().requires_grad_(name != "enc.0" or not weighted)
        fwd, bwd = [], []
        for i in range(steps):
            holder = {}
            fwd.append(timed(lambda: holder.update(out=layer(inp))))
            out, grad = holder["out"], torch.ones_like(holder["out"])
            wrt = ([layer.weight] if weighted else []) + ([inp] if inp.requires_grad else [])
            bwd.append(timed(lambda: torch.autograd.grad(out, wrt, grad)))
            if not weighted:
                activation_fwd[i] += fwd[-1]
                activation_bwd[i] += bwd[-1]
        if weighted:
            rows.append((name, median(fwd), median(bwd)))
    rows.append(("activations", median(activation_fwd), median(activation_bwd)))
    out = model(x, m).detach().requires_grad_(True)
    loss_fwd, loss_bwd = [], []
    for _ in range(steps):
        holder = {}
        loss_fwd.append(timed(lambda: holder.update(loss=hole_loss(out, x, m))))
        loss_bwd.append(timed(lambda: torch.autograd.grad(holder["loss"], [out])))
    rows.append(("loss", median(loss_fwd), median(loss_bwd)))
    for p in model.parameters():
        p.grad = torch.randn_like(p) * 1e-3
    zero, adam = [], []
    for _ in range(steps):
        adam.append(timed(optimizer.step))
        zero.append(timed(optimizer.zero_grad))  # set_to_none: frees, and the next backward allocates
        for p in model.parameters():
            p.grad = torch.randn_like(p) * 1e-3
    rows.append(("zero_grad", median(zero), 0.0))
    rows.append(("adam (fused)", median(adam), 0.0))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON (same keys as `inpaint bench --json`)")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    parser.add_argument("--quick", action="store_true", help="a few iterations only")
    parser.add_argument("--default-adam", action="store_true", help="also time paper with default (unfused) Adam")
    parser.add_argument("--layers", action="store_true", help="per-layer profile of a training step")
    parser.add_argument("--arch", default="paper", choices=["paper", "strided", "pooled"], help="the model --layers profiles")
    parser.add_argument("--formulation", default="best",
                        help="best (probe all, measure the fastest), or one: einsum|bmm[+channels_last][+compile]")
    parser.add_argument("--cpu-clock", action="store_true", help="with --layers --threads 1: time with the thread's CPU clock")
    args = parser.parse_args()
    if args.threads < 1:
        parser.error(f"--threads must be at least 1, found {args.threads}")
    if args.cpu_clock and not (args.layers and args.threads == 1):
        parser.error("--cpu-clock needs --layers and --threads 1 (worker threads' CPU time is not counted)")
    if args.formulation != "best":
        try:
            parse_formulation(args.formulation)
        except ValueError as error:
            parser.error(f"--formulation: {error}")
    torch.set_num_threads(args.threads)

    if args.layers:
        clock = time.thread_time if args.cpu_clock else time.perf_counter
        rows = layer_profile(args.arch, 5 if args.quick else 20, clock)
        total = sum(f + b for _, f, b in rows)
        print(f"pytorch {torch.__version__}, {args.arch}, batch {BATCH}, {args.threads} thread{'s' if args.threads > 1 else ''}: "
              f"median {'thread CPU' if args.cpu_clock else 'wall-clock'} ms")
        print(f"{'part':16s}{'forward':>9s}{'backward':>10s}{'total':>9s}{'share':>7s}")
        for name, f, b in rows:
            print(f"{name:16s}{1000 * f:9.2f}{1000 * b:10.2f}{1000 * (f + b):9.2f}{100 * (f + b) / total:6.0f}%")
        print(f"{'sum of parts':16s}{1000 * sum(r[1] for r in rows):9.2f}{1000 * sum(r[2] for r in rows):10.2f}"
              f"{1000 * total:9.2f}   ({BATCH / total:.0f} img/s)")
        return

    paper_steps, strided_steps, warmup, runs, side = (3, 5, 1, 20, 256) if args.quick else (40, 150, 5, 500, 1024)
    sgemm = sgemm_gflops(side, 2 if args.quick else 7)
    probes = {}
    if args.formulation == "best":
        probe_steps, probe_runs = (2, 10) if args.quick else (6, 150)
        train_form, probes["paper_train"] = probe_formulations(
            lambda name: training("paper", probe_steps, 2, formulation=name)["images_per_second"], "higher", args.quick)
        strided_form, probes["strided_train"] = probe_formulations(
            lambda name: training("strided", probe_steps * 3, 3, formulation=name)["images_per_second"], "higher", args.quick)
        forward_form, probes["paper_forward"] = probe_formulations(
            lambda name: forward_latency(probe_runs, 20, formulation=name)["median_ms"], "lower", args.quick)
    else:
        train_form = strided_form = forward_form = args.formulation
    paper = training("paper", paper_steps, warmup, formulation=train_form)
    resident = peak_resident_mb()
    strided = training("strided", strided_steps, warmup, formulation=strided_form)
    forward = forward_latency(runs, warmup * 4, formulation=forward_form)
    for figures in (paper, strided, forward):
        figures["fraction_of_peak"] = figures["gflops"] / sgemm
    report = {"tool": "pytorch", "torch_version": torch.__version__, "threads": torch.get_num_threads(),
              "batch": BATCH, "sgemm_gflops": sgemm, "paper_train": paper, "strided_train": strided,
              "paper_forward": forward, "peak_resident_mb": resident}
    if probes:
        report["formulations"] = probes
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
                 ("  fastest step", t["step_ms_min"], "ms"),
                 ("  achieved", t["gflops"], "GFLOP/s"), ("  of sgemm peak", 100 * t["fraction_of_peak"], "%")]
    rows += [("paper forward, 1 image, median", forward["median_ms"], "ms"), ("  p99", forward["p99_ms"], "ms"),
             ("  fastest", forward["min_ms"], "ms"),
             ("  achieved", forward["gflops"], "GFLOP/s"), ("  of sgemm peak", 100 * forward["fraction_of_peak"], "%"),
             ("peak resident after paper train", resident, "MB")]
    for title, figures in (("paper train", paper), ("strided train", strided), ("paper forward", forward)):
        print(f"{title:33s}{figures['formulation']:>22s}")
    for name, value, unit in rows:
        text = "–" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"
        print(f"{name:33s}{text:>11s} {unit}")


if __name__ == "__main__":
    main()
