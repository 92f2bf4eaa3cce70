#!/usr/bin/env python3
"""Beyond one machine: an exprjit expression evaluated over a Dask array and a Dask
DataFrame, partition by partition, on a local `distributed` cluster of two worker
processes, and compared bit for bit with a single-process run.

    PYTHONPATH=build/python python3 examples/dask/dask_example.py [BACKEND]

The Expression travels to the workers pickled as its text and options; each worker
compiles it once however many partitions it evaluates (the jit's build is shared through
its on-disk plugin cache: one worker builds, the other finds it).  Exit status 1 when a
result differs or a worker compiled more than once.
"""
import sys

import numpy as np
import pandas as pd

import dask.array as da
import dask.dataframe as dd
from dask.distributed import Client, LocalCluster

import exprjit

TEXT = "sin(a)*b + (a > b ? sqrt(a) : b^2) - hypot(a, b) % 3"


def main():
    backend = sys.argv[1] if len(sys.argv) > 1 else ("jit" if "jit" in exprjit.backends() else "vm")
    f = exprjit.compile(TEXT, variables=["a", "b"], backend=backend, threads=1)
    rng = np.random.default_rng(2026)
    a, b = rng.uniform(0, 10, 2_000_000), rng.uniform(0, 10, 2_000_000)
    want = f(a, b)  # the single-process result

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        # A Dask array in 16 chunks: each chunk one task, f pickled with it.
        got = da.map_blocks(f, da.from_array(a, chunks=125_000), da.from_array(b, chunks=125_000),
                            dtype=np.float64).compute()
        # A Dask DataFrame in 8 partitions.
        ddf = dd.from_pandas(pd.DataFrame({"a": a, "b": b}), npartitions=8)
        got_df = ddf.map_partitions(lambda part, f=f: pd.Series(f(part["a"].to_numpy(), part["b"].to_numpy()),
                                                                index=part.index),
                                    meta=("r", "f8")).compute().to_numpy()
        compiles = client.run(exprjit.compiled_in_this_process)

    same = lambda x, y: bool(np.all((x.view(np.uint64) == y.view(np.uint64)) | (np.isnan(x) & np.isnan(y))))
    ok = same(got, want) and same(got_df, want) and all(n == 1 for n in compiles.values())
    print(f"{TEXT}\n  backend {backend}: 2,000,000 rows over 2 workers (16 array chunks, 8 DataFrame partitions)")
    print(f"  bit-identical to one process: array {same(got, want)}, DataFrame {same(got_df, want)}")
    print("  compiles per worker: " + ", ".join(f"{n}" for n in compiles.values()) + " (each worker once)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
