#!/usr/bin/env python3
"""exprjit's Python module against numexpr and plain numpy on numexpr's own kind of
timing expressions, at N = 10^3, 10^5, 10^7 rows, on 1 and 2 threads: rows per second
(median of repeated runs), printed as a Markdown table.

    PYTHONPATH=build/python python3 bench/python/bench_numexpr.py [--quick] [--backends=vm,jit]

Each evaluator computes the same expression into a fresh array; results are checked
against numpy (relative 1e-12) before anything is timed.
"""
import argparse
import statistics
import time

import numexpr as ne
import numpy as np

import exprjit

# (numexpr / numpy text, exprjit text)
EXPRS = [
    ("a*b+c", "a*b+c"),
    ("2*a+3*b", "2*a+3*b"),
    ("a**2+b**2+2*a*b", "a^2+b^2+2*a*b"),
    ("sin(a)**2+cos(b)**2", "sin(a)^2+cos(b)^2"),
    ("exp(a)", "exp(a)"),
    ("where(a>b, a, b)", "a > b ? a : b"),
]


def numpy_eval(text, env):
    return eval(text, {"sin": np.sin, "cos": np.cos, "exp": np.exp, "where": np.where}, env)  # noqa: S307


def timed(fn, min_time):
    runs = []
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
        if len(runs) >= 5 and time.perf_counter() - start > min_time:
            break
    return statistics.median(runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--backends", default=",".join(b for b in exprjit.backends() if b != "tree"))
    a = ap.parse_args()
    sizes = [10**3, 10**5] if a.quick else [10**3, 10**5, 10**7]
    min_time = 0.05 if a.quick else 0.4
    backends = a.backends.split(",")
    rng = np.random.default_rng(1)
    print("| expression | N | threads | numpy | numexpr | " + " | ".join(f"exprjit {b}" for b in backends)
          + " | " + " | ".join(f"{b} / numexpr" for b in backends) + " |")
    print("|---|---:|---:|---:|---:|" + "---:|" * (2 * len(backends)))
    for n in sizes:
        env = {k: rng.uniform(0.1, 2.0, n) for k in "abc"}
        for ne_text, ej_text in EXPRS:
            want = numpy_eval(ne_text, env)
            for threads in (1, 2):
                ne.set_num_threads(threads)
                fs = {b: exprjit.compile(ej_text, variables=["a", "b", "c"], backend=b, threads=threads) for b in backends}
                args = (env["a"], env["b"], env["c"])
                for b, f in fs.items():
                    got = f(*args)
                    assert np.allclose(got, want, rtol=1e-12, atol=0), (b, ej_text)
                assert np.allclose(ne.evaluate(ne_text, local_dict=env), want, rtol=1e-12, atol=0)
                t_np = timed(lambda: numpy_eval(ne_text, env), min_time) if threads == 1 else None
                t_ne = timed(lambda: ne.evaluate(ne_text, local_dict=env), min_time)
                t_ej = {b: timed(lambda f=f: f(*args), min_time) for b, f in fs.items()}
                rate = lambda t: f"{n / t / 1e6:.1f}" if t else "–"  # noqa: E731
                cells = [f"`{ej_text}`", f"{n:,}", str(threads), rate(t_np), rate(t_ne)]
                cells += [rate(t_ej[b]) for b in backends]
                cells += [f"{t_ne / t_ej[b]:.2f}×" for b in backends]
                print("| " + " | ".join(cells) + " |", flush=True)
    print("\nMillions of rows per second (median); the last columns are exprjit's throughput over numexpr's "
          "(above 1: faster).  numexpr " + ne.__version__ + ", numpy " + np.__version__ + ".")


if __name__ == "__main__":
    main()
