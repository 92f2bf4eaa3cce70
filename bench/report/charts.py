"""charts.py — the charts of bench/report/report.py (matplotlib, Debian's python3-matplotlib).

draw(run, folder, label, fmt_ns, fmt_count) writes single.png (ns per evaluation over the corpus, per evaluator),
batch.png (ns per row against N) and crossover.png (per expression, the evaluations after
which the jit's build has paid for itself) and returns ({kind: file name}, why) where why
says what is missing when matplotlib is not installed.
"""
import math
import os
import random
import statistics

COLOR = {
    "native": "#222222",
    "vm": "#1f77b4",
    "jit": "#d62728",
    "jit-values": "#ff9896",
    "vm-values": "#aec7e8",
    "tree-values": "#c5b0d5",
    "exprtk": "#8c564b",
    "tree": "#9467bd",
    "luajit": "#2ca02c",
    "muparser": "#ff7f0e",
}


def _color(e):
    return COLOR.get(e, "#7f7f7f")


def draw(r, folder, label, fmt_ns, fmt_count):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter, LogLocator
    except ImportError:
        return {}, "matplotlib is not installed (Debian: apt install python3-matplotlib)"

    plt.rcParams.update({"font.size": 11, "axes.titlesize": 13, "figure.dpi": 100})
    stamp = f"{r.machine.get('date_utc', '')[:10]} · {r.machine.get('commit', '')} · {r.machine.get('cpu_model', '')}"
    out = {}
    num = FuncFormatter(lambda v, _: f"{v:g}")

    # 1. Single evaluation: distribution over the corpus, per evaluator.
    es = [e for e in r.single_engines if r.singles(e)]
    if es:
        es.sort(key=lambda e: statistics.median(r.singles(e)))
        fig, ax = plt.subplots(figsize=(11, 1.0 + 0.75 * len(es)))
        data = [r.singles(e) for e in es]
        bp = ax.boxplot(data, vert=False, widths=0.55, showfliers=False, patch_artist=True,
                        medianprops={"color": "black", "linewidth": 2})
        rnd = random.Random(1)
        for i, (e, d) in enumerate(zip(es, data), start=1):
            bp["boxes"][i - 1].set_facecolor(_color(e))
            bp["boxes"][i - 1].set_alpha(0.35)
            ax.scatter(d, [i + rnd.uniform(-0.18, 0.18) for _ in d], s=9, color=_color(e), alpha=0.75, zorder=3)
            m = statistics.median(d)
            ax.annotate(f"median {fmt_ns(m)} ns", (max(d), i), xytext=(8, 0), textcoords="offset points",
                        va="center", fontsize=10)
        ax.set_yticks(range(1, len(es) + 1), [label(e) for e in es])
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(num)
        ax.set_xlabel("ns per evaluation (log scale); one dot per corpus expression")
        lo = min(min(d) for d in data)
        hi = max(max(d) for d in data)
        ax.set_xlim(lo / 1.5, hi * 6)
        ax.grid(axis="x", which="both", alpha=0.25)
        ax.set_title(f"Single evaluation: the {r.n} corpus expressions, per evaluator (fastest at the bottom)")
        fig.text(0.99, 0.01, stamp, ha="right", fontsize=8, color="#666666")
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        fig.savefig(os.path.join(folder, "single.png"))
        plt.close(fig)
        out["single"] = "single.png"

    # 2. Batch: median ns/row against N, and the geometric-mean ratio to native C++ against N.
    if r.rows and r.batch_engines:
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 6.2), gridspec_kw={"width_ratios": [3, 2]})
        rows = sorted(r.rows)
        big = rows[-1]
        for e in r.batch_engines:
            med, ratio = [], []
            for n in rows:
                v = [x for x in (r.batch(e, n, k) for k in range(r.n)) if x]
                med.append(statistics.median(v) if v else math.nan)
                rs = [r.batch(e, n, k) / r.batch("native", n, k) for k in range(r.n)
                      if r.batch(e, n, k) and r.batch("native", n, k)]
                ratio.append(math.exp(sum(math.log(x) for x in rs) / len(rs)) if rs else math.nan)
            name = f"{label(e)}: {fmt_ns(med[-1])} ns at {big:,}"
            ax.plot(rows, med, "o-", color=_color(e), linewidth=2.2, markersize=7, label=name)
            bx.plot(rows, ratio, "o-", color=_color(e), linewidth=2.2, markersize=7, label=label(e))
        for a in (ax, bx):
            a.set_xscale("log")
            a.set_xticks(rows, [f"{n:,}" for n in rows])
            a.xaxis.set_minor_formatter(plt.NullFormatter())
            a.set_xlim(rows[0] / 2, rows[-1] * 2)
            a.set_xlabel("N, rows per batch call (log scale)")
            a.grid(which="major", alpha=0.35)
            a.grid(which="minor", alpha=0.12)
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(num)
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if str(v)[0] in "25" else ""))
        ax.set_ylabel("ns per row, median over the corpus (log scale)")
        ax.legend(loc="center left", bbox_to_anchor=(0.01, 0.55), framealpha=0.9, fontsize=10)
        ax.set_title(f"Batch: ns per row, median over the {r.n} expressions", fontsize=12)
        bx.set_yscale("log")
        bx.yaxis.set_major_formatter(num)
        bx.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if str(v)[0] in "25" else ""))
        bx.axhline(1, color="black", linewidth=1)
        bx.set_ylabel("geometric mean of ns per row / native C++'s (log scale)")
        bx.set_title("Batch: relative to native C++ (below 1: faster)", fontsize=12)
        fig.text(0.99, 0.01, stamp, ha="right", fontsize=8, color="#666666")
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        fig.savefig(os.path.join(folder, "batch.png"))
        plt.close(fig)
        out["batch"] = "batch.png"

    # 3. Crossover per expression.
    xs = r.crossover()
    if xs:
        never = [x for x in xs if x["single"][0] is None]
        paid = sorted((x for x in xs if x["single"][0] is not None), key=lambda x: x["single"][0])
        order = paid + never
        fig, ax = plt.subplots(figsize=(11, 1.2 + 0.2 * len(order)))
        finite = [x["single"][0] for x in paid] + [x["hit"][0] for x in xs if x["hit"][0]]
        top = max(finite) * 8 if finite else 1e6
        ys = list(range(len(order)))[::-1]
        for y, x in zip(ys, order):
            c = x["single"][0]
            if c is not None:
                ax.barh(y, c, color=_color(x["engine"]), alpha=0.8, height=0.7)
                if x["hit"][0]:
                    ax.plot([x["hit"][0]], [y], "o", color="black", markersize=4)
            else:
                ax.text(1.2, y, f"never: the vm is at least as fast ({fmt_ns(x['t_vm'])} ns, jit {fmt_ns(x['t_jit'])} ns)",
                        va="center", fontsize=8, color="#555555")
        ax.set_yticks(ys, [f"#{x['k'] + 1}  {r.exprs[x['k']][:38]}" for x in order], fontsize=8)
        ax.set_xscale("log")
        ax.set_xlim(1, top)
        ax.xaxis.set_major_locator(LogLocator(base=10))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_count(v)))
        ax.set_ylim(-1, len(order))
        ax.grid(axis="x", which="major", alpha=0.3)
        ax.set_xlabel("evaluations after which jit build + evaluation beats vm compile + evaluation (log scale)")
        ax.set_title("Crossover, single evaluation: bars with a fresh go build, dots with a cache hit")
        fig.text(0.99, 0.005, stamp, ha="right", fontsize=8, color="#666666")
        fig.tight_layout(rect=(0, 0.015, 1, 1))
        fig.savefig(os.path.join(folder, "crossover.png"))
        plt.close(fig)
        out["crossover"] = "crossover.png"
    return out, ""
