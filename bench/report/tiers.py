#!/usr/bin/env python3
"""tiers.py — time to result of the vm, the jit (empty plugin cache, warm GOCACHE), the jit
on a cache hit, and auto, for N evaluations (single) and rows (batch); docs/benchmarks.md,
"Time to result".  Each measurement is a fresh process of build/bench/exprjit_tiers.

  bench/report/tiers.py BUILD_DIR OUT_DIR [--reps K] [--max-exp E]

Writes OUT_DIR/tiers.json, OUT_DIR/tiers.md (the table) and OUT_DIR/tiers.svg (the plot:
each configuration's time over the vm's, against N, log scale).
"""
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

CONFIGS = ["vm", "jit", "jit-hit", "auto"]


def main():
    args = sys.argv[1:]
    build, out = args[0], args[1]
    reps = int(args[args.index("--reps") + 1]) if "--reps" in args else 3
    max_exp = int(args[args.index("--max-exp") + 1]) if "--max-exp" in args else 9
    exe = os.path.join(build, "bench", "exprjit_tiers")
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="exprjit-tiers-")
    primed = os.path.join(work, "primed")
    # A cache with the loader and the toolchain identity, no plugin: what "empty plugin
    # cache" starts from (the loader is built once per toolchain, not per expression).
    env = dict(os.environ, EXPRJIT_CACHE_DIR=primed)
    subprocess.run([exe, "single", "jit", "1"], env=env, check=True, capture_output=True)
    hit = os.path.join(work, "hit")
    shutil.copytree(primed, hit)
    shutil.rmtree(os.path.join(primed, "plugins"), ignore_errors=True)
    for mode in ("single", "batch"):  # the hit cache holds both expressions' plugins
        subprocess.run([exe, mode, "jit", "1"], env=dict(os.environ, EXPRJIT_CACHE_DIR=hit), check=True,
                       capture_output=True)

    def once(mode, config, n):
        cache = hit if config == "jit-hit" else os.path.join(work, "run")
        if config != "jit-hit":
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(primed, cache)
        backend = "jit" if config.startswith("jit") else config
        p = subprocess.run([exe, mode, backend, str(n)], env=dict(os.environ, EXPRJIT_CACHE_DIR=cache),
                           check=True, capture_output=True, text=True)
        s, checksum, how = p.stdout.split(" ", 2)
        return float(s), checksum, how.strip()

    results = {}
    ns = [10 ** e for e in range(0, max_exp + 1, 2)] + ([10 ** max_exp] if max_exp % 2 else [])
    for mode in ("single", "batch"):
        for n in ns:
            row = {}
            sums = set()
            for config in CONFIGS:
                k = 1 if n >= 10 ** 9 else reps
                runs = [once(mode, config, n) for _ in range(k)]
                row[config] = {"median_s": statistics.median(r[0] for r in runs), "runs": [r[0] for r in runs],
                               "how": runs[-1][2]}
                sums.update(r[1] for r in runs)
            row["same_checksum"] = len(sums) == 1
            results[f"{mode} {n}"] = row
            print(mode, n, {c: round(row[c]["median_s"], 4) for c in CONFIGS}, "same" if row["same_checksum"] else
                  "DIFFERENT", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    with open(os.path.join(out, "tiers.json"), "w") as f:
        json.dump(results, f, indent=1)

    lines = ["| mode | N | vm | jit (empty cache) | jit (cache hit) | auto | auto / best of vm, jit | auto / jit |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for key, row in results.items():
        mode, n = key.split()
        t = {c: row[c]["median_s"] for c in CONFIGS}
        best = min(t["vm"], t["jit"])
        lines.append(f"| {mode} | 1e{int(math.log10(int(n)))} | " + " | ".join(fmt(t[c]) for c in CONFIGS) +
                     f" | {t['auto'] / best:.2f} | {t['auto'] / t['jit']:.2f} |")
    with open(os.path.join(out, "tiers.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    svg(results, os.path.join(out, "tiers.svg"))


def fmt(s):
    return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"


def svg(results, path):
    """Each configuration's time over the vm's against N (log-log), one panel per mode."""
    colors = {"vm": "#1f77b4", "jit": "#d62728", "jit-hit": "#ff9896", "auto": "#2ca02c"}
    w, h, pad = 420, 300, 50
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * w}" height="{h + 40}" font-family="sans-serif" '
             'font-size="11">']
    for p, mode in enumerate(("single", "batch")):
        rows = [(int(k.split()[1]), v) for k, v in results.items() if k.startswith(mode)]
        ratios = [v[c]["median_s"] / v["vm"]["median_s"] for _, v in rows for c in CONFIGS]
        lo, hi = math.log10(min(ratios)) - 0.1, math.log10(max(ratios)) + 0.1
        nmax = math.log10(max(n for n, _ in rows)) or 1
        x0 = p * w

        def X(n):
            return x0 + pad + (w - 2 * pad) * math.log10(n) / nmax

        def Y(r):
            return h - pad + 20 - (h - 2 * pad) * (math.log10(r) - lo) / (hi - lo)

        parts.append(f'<text x="{x0 + w / 2}" y="15" text-anchor="middle">{mode}: time to result / vm\'s</text>')
        parts.append(f'<line x1="{x0 + pad}" y1="{Y(1)}" x2="{x0 + w - pad}" y2="{Y(1)}" stroke="#ccc"/>')
        for n, _ in rows:
            parts.append(f'<text x="{X(n)}" y="{h + 30}" text-anchor="middle">1e{int(math.log10(n))}</text>')
        for e in range(math.floor(lo), math.ceil(hi) + 1):
            if lo <= e <= hi:
                parts.append(f'<text x="{x0 + pad - 5}" y="{Y(10 ** e)}" text-anchor="end">{10 ** e:g}x</text>')
        for i, c in enumerate(CONFIGS):
            pts = " ".join(f"{X(n):.1f},{Y(v[c]['median_s'] / v['vm']['median_s']):.1f}" for n, v in rows)
            parts.append(f'<polyline points="{pts}" fill="none" stroke="{colors[c]}" stroke-width="2"/>')
            parts.append(f'<text x="{x0 + w - pad - 60}" y="{40 + 14 * i}" fill="{colors[c]}">{c}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
