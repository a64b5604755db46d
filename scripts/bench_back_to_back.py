"""Runs `inpaint bench --json` and `scripts/bench_pytorch.py --json` alternately and prints the median of
each figure over the rounds, the ratio and issue 16's target (PyTorch at its best: bench_pytorch.py
probes einsum/bmm, channels-last and torch.compile and measures with the fastest, named below the table), so that one noisy run on the shared
machine does not decide the comparison.

    venv/bin/python scripts/bench_back_to_back.py --rounds 3 [--threads 2] [--binary .build/release/inpaint]

Every round's JSON is kept in --out (default .build/bench-rounds in the repository) with the load average at its start.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# (label, path into the report, unit, target): target ("≥", r) / ("≤", r) is a ratio to PyTorch; ("max", v) absolute.
ROWS = [
    ("sgemm peak (same run)", ("sgemm_gflops",), "GFLOP/s", None),
    ("paper train img/s", ("paper_train", "images_per_second"), "img/s", ("≥", 1.4)),
    ("  paper step median", ("paper_train", "step_ms_median"), "ms", None),
    ("  paper fastest step", ("paper_train", "step_ms_min"), "ms", None),
    ("  paper of sgemm peak", ("paper_train", "fraction_of_peak"), "", None),
    ("strided train img/s", ("strided_train", "images_per_second"), "img/s", ("≥", 1.6)),
    ("  strided step median", ("strided_train", "step_ms_median"), "ms", None),
    ("  strided fastest step", ("strided_train", "step_ms_min"), "ms", None),
    ("paper forward median", ("paper_forward", "median_ms"), "ms", ("≤", 0.35)),
    ("  forward p99", ("paper_forward", "p99_ms"), "ms", ("≤", 0.5)),
    ("  forward fastest", ("paper_forward", "min_ms"), "ms", None),
    ("peak resident", ("peak_resident_mb",), "MB", ("max", 400)),
]


def pick(report, path):
    for key in path:
        report = report.get(key) if isinstance(report, dict) else None
    return report


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")
    return json.loads(result.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--binary", default=os.path.join(HERE, "..", ".build", "release", "inpaint"))
    parser.add_argument("--out", default=os.path.join(HERE, "..", ".build", "bench-rounds"))
    parser.add_argument("--swift-args", default="", help="extra arguments for inpaint bench, e.g. '--workers 2'")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, found {args.rounds}")
    if not os.access(args.binary, os.X_OK):
        parser.error(f"--binary {args.binary}: not an executable; run `swift build -c release` first")
    os.makedirs(args.out, exist_ok=True)

    ours, theirs = [], []
    for r in range(args.rounds):
        for name, command, into in (
                ("inpaint", [args.binary, "bench", "--json", "--threads", str(args.threads)] + args.swift_args.split(), ours),
                ("pytorch", [sys.executable, os.path.join(HERE, "bench_pytorch.py"), "--json", "--threads", str(args.threads)],
                 theirs)):
            load = os.getloadavg()[0]
            report = run(command)
            report["load_average_at_start"] = load
            into.append(report)
            with open(os.path.join(args.out, f"{name}-{r}.json"), "w") as f:
                json.dump(report, f, indent=2, sort_keys=True)
            print(f"round {r + 1}/{args.rounds} {name}: load {load:.1f}, paper {pick(report, ('paper_train', 'images_per_second')):.0f} img/s, "
                  f"strided {pick(report, ('strided_train', 'images_per_second')):.0f} img/s, "
                  f"forward {pick(report, ('paper_forward', 'median_ms')):.2f} ms", file=sys.stderr)

    print(f"medians over {args.rounds} alternating rounds, {args.threads} threads")
    print(f"{'':26s}{'inpaint':>10s}{'pytorch':>10s}{'ratio':>8s}  target")
    for label, path, unit, target in ROWS:
        a = [v for v in (pick(x, path) for x in ours) if v is not None]
        b = [v for v in (pick(x, path) for x in theirs) if v is not None]
        ma = statistics.median(a) if a else None
        mb = statistics.median(b) if b else None
        ratio = ma / mb if ma is not None and mb else None
        verdict = ""
        if target and target[0] == "max" and ma is not None:
            verdict = f"≤ {target[1]} {unit} " + ("met" if ma <= target[1] else "MISSED")
        elif target and ratio is not None:
            ok = ratio >= target[1] if target[0] == "≥" else ratio <= target[1]
            verdict = f"{target[0]} {target[1]}× " + ("met" if ok else "MISSED")
        fmt = lambda v: "–" if v is None else f"{v:.0f}" if v >= 100 else f"{v:.2f}"
        print(f"{label:26s}{fmt(ma):>10s}{fmt(mb):>10s}{'' if ratio is None else f'{ratio:.2f}×':>8s}  {verdict}")

    for key in ("paper_train", "strided_train", "paper_forward"):
        used = [pick(x, (key, "formulation")) for x in theirs]
        counts = {name: used.count(name) for name in dict.fromkeys(used)}
        print(f"pytorch {key} ran as " + ", ".join(f"{name} ({n} of {len(used)} rounds)" for name, n in counts.items()))


if __name__ == "__main__":
    main()
