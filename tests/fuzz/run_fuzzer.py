#!/usr/bin/env python3
"""Runs one libFuzzer target for a bounded time as a meson test.

run_fuzzer.py EXE TARGET DATA_DIR SECONDS WORKDIR

Seeds: every expression of tests/data/conformance.tsv and of both corpus files there (for the
differential target each seed is prefixed with the conformance variables as raw doubles).
Inputs under tests/fuzz/regressions/TARGET/ (past findings) are replayed first.  Exit status
is the fuzzer's: any crash, sanitizer report or parser disagreement fails the test.
"""
import os
import re
import shutil
import struct
import subprocess
import sys

exe, target, data, seconds, workdir = sys.argv[1:6]
here = os.path.dirname(os.path.abspath(__file__))


def expressions():
    with open(os.path.join(data, "conformance.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                yield line.split("\t")[0].encode()
    for name in ("bench_expr.txt", "bench_expr_weird.txt"):
        with open(os.path.join(data, name), "rb") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith(b"#"):
                    yield line


corpus = os.path.join(workdir, f"corpus-{target}")
shutil.rmtree(corpus, ignore_errors=True)
os.makedirs(corpus)
values = struct.pack("<7d", 1.1, 2.2, 3.3, 1.5, 2.5, 3.5, 4.5)
for i, expr in enumerate(expressions()):
    with open(os.path.join(corpus, f"seed{i:04d}"), "wb") as f:
        f.write((values if target == "differential" else b"") + expr)

regressions = os.path.join(here, "regressions", target)
if os.path.isdir(regressions):
    files = sorted(os.path.join(regressions, n) for n in os.listdir(regressions))
    if files:
        print(f"replaying {len(files)} regression inputs", flush=True)
        r = subprocess.run([exe, *files])
        if r.returncode != 0:
            sys.exit(r.returncode)

artifacts = os.path.join(workdir, f"findings-{target}") + os.sep
os.makedirs(artifacts, exist_ok=True)
cmd = [exe, f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048", "-max_len=4096",
       "-print_final_stats=1", f"-artifact_prefix={artifacts}", corpus]
print(" ".join(cmd), flush=True)
r = subprocess.run(cmd, stderr=subprocess.PIPE, text=True, errors="replace")
sys.stderr.write(r.stderr[-20000:])
m = re.search(r"stat::number_of_executed_units:\s*(\d+)", r.stderr)
print(f"fuzz {target}: {m.group(1) if m else '?'} executions in {seconds} s, exit status {r.returncode}")
sys.exit(r.returncode)
