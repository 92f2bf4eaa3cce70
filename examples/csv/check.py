#!/usr/bin/env python3
"""A small CSV through the exprjit CLI: the order total appended to every row.

    exprjit --csv orders.csv 'qty * unit * (qty >= 100 ? 0.9 : 1) + (express ? 5 : 0)' --as total

The header names the variables (qty, unit, express); `order` and the quoted `customer`
column pass through untouched.  This script runs that command and compares the output
with expected.csv, byte for byte (the meson test 'example csv').

Usage: check.py PATH/TO/exprjit
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXPR = "qty * unit * (qty >= 100 ? 0.9 : 1) + (express ? 5 : 0)"

exe = sys.argv[1]
p = subprocess.run([exe, "--csv", os.path.join(HERE, "orders.csv"), EXPR, "--as", "total"],
                   capture_output=True, timeout=60)
with open(os.path.join(HERE, "expected.csv"), "rb") as f:
    want = f.read()
sys.stdout.write(p.stdout.decode())
sys.stderr.write(p.stderr.decode())
if p.returncode != 0 or p.stdout != want:
    sys.exit(f"exit status {p.returncode}; expected output:\n{want.decode()}")
