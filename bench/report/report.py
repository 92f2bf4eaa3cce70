#!/usr/bin/python3
"""bench/report/report.py — the benchmark report from one run's output folder.

    bench/report/report.py DIR            writes DIR/report.md and DIR/*.png
    bench/report/report.py DIR --docs FILE --docs-images IMGDIR
                                          also puts the report into FILE between the
                                          markers <!-- report:begin --> / <!-- report:end -->
                                          and copies the charts into IMGDIR

DIR holds what scripts/bench leaves there: bench.json (Google Benchmark's JSON),
run.json (exprjit_bench: corpus, engines, gate results, jit compile latency) and
machine.json (scripts/bench: machine, compiler, Go, commit, load).  Python 3's standard
library; the charts need matplotlib (Debian: python3-matplotlib) and are left out, with a
line saying so, without it.  Numbers are medians of Google Benchmark's repetitions (CPU
time); the jit's compile latencies are wall-clock times of single runs or medians of a few.
"""
import argparse
import json
import math
import os
import re
import shutil
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import charts as report_charts  # noqa: E402  (bench/report/charts.py)

# Column order of the tables and charts; anything else the run measured follows.
ORDER = ["native", "jit", "vm", "tree", "jit-values", "vm-values", "tree-values", "exprtk", "luajit", "muparser"]
LABEL = {
    "native": "native C++",
    "jit": "jit",
    "vm": "vm",
    "tree": "tree",
    "jit-values": "jit, eval(values)",
    "vm-values": "vm, eval(values)",
    "tree-values": "tree, eval(values)",
    "exprtk": "ExprTk",
    "luajit": "LuaJIT",
    "muparser": "muparser",
}
PEERS = ("native", "exprtk", "muparser", "luajit")
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def label(e):
    return LABEL.get(e, e)


def load(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        if default is not None:
            return default
        raise


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def median(xs):
    xs = [x for x in xs if x is not None and not math.isnan(x)]
    return statistics.median(xs) if xs else float("nan")


def fmt_ns(v):
    if v is None or math.isnan(v):
        return "–"
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def fmt_s(s):
    if s is None or (isinstance(s, float) and math.isnan(s)):
        return "–"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.1f} µs"


def fmt_count(n):
    if n is None:
        return "never"
    for scale, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if n >= scale:
            return f"{n / scale:.3g}{suffix}"
    return f"{n:.0f}"


def md_code(text, limit=60):
    t = text if len(text) <= limit else text[: limit - 1] + "…"
    return "`" + t.replace("`", "'").replace("|", "\\|") + "`"


class Run:
    """Everything one output folder says, indexed."""

    def __init__(self, folder):
        self.folder = folder
        self.bench = load(os.path.join(folder, "bench.json"))
        self.run = load(os.path.join(folder, "run.json"))
        self.machine = load(os.path.join(folder, "machine.json"), {})
        self.exprs = self.run["corpus"]["exprs"]
        self.n = len(self.exprs)
        self.set_of = self.run["corpus"].get("set") or ["corpus"] * self.n
        self.sets = self.run["corpus"].get("sets") or ["corpus"]
        self.rows = self.run["config"].get("rows", [])
        self.ns = {}  # run_name -> ns per item (median)
        for b in self.bench.get("benchmarks", []):
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
                continue
            if b.get("error_occurred"):
                continue
            per = b.get("evals") or b.get("rows") or 1
            self.ns[b["run_name"]] = b["cpu_time"] * UNIT_NS[b["time_unit"]] / per
        self.engines = {e["name"]: e for e in self.run.get("engines", [])}
        names = [e for e in ORDER if e in self.engines] + [e for e in self.engines if e not in ORDER]
        self.available = [e for e in names if "unavailable" not in self.engines[e]]
        self.single_engines = [e for e in self.available if self.engines[e].get("single")]
        self.batch_engines = [e for e in self.available if self.engines[e].get("batch")]
        self.jit = self.run.get("jit_compile", {})

    def single(self, engine, k):
        return self.ns.get(f"single/{engine}/{k + 1}")

    def batch(self, engine, rows, k):
        return self.ns.get(f"batch/{engine}/{rows}/{k + 1}")

    def status(self, engine, k):
        res = self.engines.get(engine, {}).get("results")
        return res[k] if res and k < len(res) else {"status": "–"}

    def in_set(self, s):
        return [k for k in range(self.n) if s is None or self.set_of[k] == s]

    def singles(self, engine, s=None):
        return [v for v in (self.single(engine, k) for k in self.in_set(s)) if v]

    def ratio(self, a, b, fn=None, s=None):
        """Geometric mean and count of a/b over the expressions (of set s) both timed."""
        fn = fn or self.single
        rs = [fn(a, k) / fn(b, k) for k in self.in_set(s) if fn(a, k) and fn(b, k)]
        return geomean(rs), len(rs), sum(1 for r in rs if r < 1)

    def crossover(self):
        """Per expression: vm compile, jit build, eval times and the crossover counts."""
        per = self.jit.get("per_expr")
        if not per:
            return []
        same = self.jit.get("per_expr_same_plugin_as", [-1] * self.n)
        hit = (self.jit.get("per_expr_hit") or {}).get("per_expr") or []
        jit_engine = "jit"
        big = max(self.rows) if self.rows else None
        out = []
        for k in range(min(self.n, len(per))):
            c_vm = self.ns.get(f"compile/vm/{k + 1}")
            shared = same[k] if k < len(same) else -1
            c_jit = per[shared if shared >= 0 else k] * 1e9
            t_vm, t_jit = self.single("vm", k), self.single(jit_engine, k)
            b_vm = self.batch("vm", big, k) if big else None
            b_jit = self.batch(jit_engine, big, k) if big else None
            c_hit = hit[k] * 1e9 if k < len(hit) else None  # a new process: [0] also starts the loader

            def cross(c_j, tv, tj):
                if None in (c_vm, c_j, tv, tj):
                    return None, "not measured"
                if tj >= tv:
                    return None, "never"
                return max(0.0, math.ceil((c_j - c_vm) / (tv - tj))), ""

            out.append({
                "k": k, "c_vm": c_vm, "c_jit": c_jit, "shared": shared, "t_vm": t_vm, "t_jit": t_jit,
                "single": cross(c_jit, t_vm, t_jit), "hit": cross(c_hit, t_vm, t_jit) if c_hit else (None, "not measured"),
                "batch": cross(c_jit, b_vm, b_jit), "engine": jit_engine,
            })
        return out


def machine_lines(r):
    m = r.machine
    ctx = r.bench.get("context", {})
    when = m.get("date_utc") or ctx.get("date", "?")
    commit = m.get("commit", "?")
    if m.get("dirty"):
        commit += f" plus uncommitted changes ({m['dirty']} files)"
    cpu = m.get("cpu_model", "?")
    cores = m.get("cores") or ctx.get("num_cpus", "?")
    lines = [
        f"- **When**: {when}; **commit** {commit}",
        f"- **Machine**: {cpu}, {cores} cores, {m.get('memory', '?')}; {m.get('os', '?')}, kernel {m.get('kernel', '?')}",
        f"- **Compiler**: {m.get('compiler', '?')} (meson buildtype={m.get('buildtype', '?')}, "
        "native C++ at -O2; everything with -ffp-contract=off)",
        f"- **Go**: {m.get('go', '?')}; **peers**: ExprTk {r.run['peers'].get('exprtk') or 'not built'}, "
        f"muparser {r.run['peers'].get('muparser') or 'not built'}, "
        f"{r.run['peers'].get('luajit') or 'LuaJIT not built'}; Google Benchmark {m.get('benchmark', '?')}"
        + (" (Debian's build, which reports itself as a debug build; the timed loop is inline in the benchmark's "
           "own code, and an iteration is many evaluations or rows)"
           if ctx.get("library_build_type") == "debug" else ""),
    ]
    la = m.get("load")
    if la:
        lines.append(
            f"- **Noise**: the machine is shared with other developers' builds; load average "
            f"{la.get('min', '?')}–{la.get('max', '?')} during the run (1-minute, sampled every "
            f"{la.get('interval', '?')} s). Figures move by ±20–30 % between runs; compare within one run.")
    if m.get("seconds"):
        lines.append(f"- **Run time** of `scripts/bench`: {m['seconds'] / 60:.1f} min "
                     f"({m.get('build_seconds', 0):.0f} s building, {m.get('bench_seconds', 0):.0f} s measuring; "
                     "the report takes seconds more)")
    return lines


def summary(r):
    out = []
    for st in r.sets:
        ks = r.in_set(st)
        others = [p for p in PEERS if p in r.single_engines]
        out += [f"**{st}** ({len(ks)} expressions)", ""]
        out += ["| evaluator | median ns/eval | " + " | ".join(f"vs {label(o)}" for o in others)
                + " | timed | failed | n/a |",
                "|---|---:|" + "---:|" * len(others) + "---:|---:|---:|"]
        for e in r.single_engines:
            res = r.engines[e].get("results", [])
            failed = sum(1 for k in ks if k < len(res) and res[k]["status"] == "failed")
            na = sum(1 for k in ks if k < len(res) and res[k]["status"] == "n/a")
            cells = [label(e), fmt_ns(median(r.singles(e, st)))]
            for other in others:
                if other == e:
                    cells.append("1")
                    continue
                g, n, _ = r.ratio(e, other, s=st)
                cells.append(f"{g:.2f}×" + ("" if n == len(ks) else f" ({n})"))
            cells += [str(len(r.singles(e, st))), str(failed), str(na)]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    out.append("Ratios are geometric means over the expressions both evaluators timed of "
               "(this evaluator's ns) / (the other's ns): below 1 is faster. exprjit's rows are its public API: "
               "`jit`, `vm`, `tree` with the variables bound by address and `f()` per evaluation, `*-values` "
               "with `f.eval(values)`.")
    for name, e in r.engines.items():
        if "unavailable" in e:
            out += ["", f"**{label(name)} skipped**: {e['unavailable']}."]
    return out


def single_table(r):
    es = r.single_engines
    out = ["| # | expression | " + " | ".join(label(e) for e in es) + " |",
           "|---:|:---|" + "---:|" * len(es)]
    for k in range(r.n):
        vals = {e: r.single(e, k) for e in es}
        best = min((v for v in vals.values() if v), default=None)
        cells = []
        for e in es:
            v = vals[e]
            if v is None:
                st = r.status(e, k)["status"]
                cells.append("failed" if st == "failed" else "n/a" if st == "n/a" else "–")
            else:
                s = fmt_ns(v)
                cells.append(f"**{s}**" if v == best else s)
        out.append(f"| {k + 1} | {md_code(r.exprs[k])} | " + " | ".join(cells) + " |")
    return out


def batch_tables(r):
    big = max(r.rows)
    others = [o for o in PEERS if o in r.batch_engines]
    out = ["| evaluator | " + " | ".join(f"N = {n:,}" for n in r.rows) + " | "
           + " | ".join(f"vs {label(o)} at {big:,}" for o in others) + " |",
           "|---|" + "---:|" * (len(r.rows) + len(others))]
    for e in r.batch_engines:
        cells = [label(e)]
        for n in r.rows:
            cells.append(fmt_ns(median([r.batch(e, n, k) for k in range(r.n)])))
        for o in others:
            if o == e:
                cells.append("1")
                continue
            g, cnt, _ = r.ratio(e, o, lambda a, k: r.batch(a, big, k))
            cells.append(f"{g:.2f}×")
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "Median ns per row over the corpus; the ratios are geometric means over the expressions "
            "(below 1: faster).", "",
            f"<details><summary>Every expression, ns per row at N = {big:,}</summary>", "",
            "| # | expression | " + " | ".join(label(e) for e in r.batch_engines) + " |",
            "|---:|:---|" + "---:|" * len(r.batch_engines)]
    for k in range(r.n):
        vals = {e: r.batch(e, big, k) for e in r.batch_engines}
        best = min((v for v in vals.values() if v), default=None)
        cells = [("**" + fmt_ns(v) + "**" if v == best else fmt_ns(v)) if v else "–" for v in vals.values()]
        out.append(f"| {k + 1} | {md_code(r.exprs[k])} | " + " | ".join(cells) + " |")
    out += ["", "</details>"]
    return out


def compile_section(r):
    out = []
    fe = [r.ns.get(f"compile/frontend/{k + 1}") for k in range(r.n)]
    vm = [r.ns.get(f"compile/vm/{k + 1}") for k in range(r.n)]
    corpus_ns = r.ns.get("compile/frontend/corpus")
    total_bytes = sum(len(x) for x in r.exprs)
    rows = ["| what | median per expression | notes |", "|---|---:|---|"]
    if any(fe):
        rate = f"; the whole corpus ({total_bytes:,} bytes, {r.n} lines) in {fmt_s(corpus_ns / 1e9)}: " \
               f"{total_bytes / corpus_ns * 1e3:.0f} MB/s" if corpus_ns else ""
        per_mbs = median([len(r.exprs[k]) / fe[k] * 1e3 for k in range(r.n) if fe[k]])
        rows.append(f"| front end (lex + parse + check) | {fmt_s(median(fe) / 1e9)} | "
                    f"{per_mbs:.0f} MB/s per expression at the median{rate} |")
    if any(vm):
        rows.append(f"| vm compile (`compile()`: front end and bytecode) | {fmt_s(median(vm) / 1e9)} | |")
    j = r.jit
    if j.get("per_expr"):
        probe = md_code(j.get("probe_text", "?"))
        cold = j.get("cold")
        if cold and cold.get("ok"):
            rows.append(f"| jit cold: new process, empty jit cache, fresh GOCACHE ({probe}) | {fmt_s(cold['seconds'])} | "
                        "one run: Go toolchain probe, the c-shared loader and the plugin built from nothing |")
        elif cold:
            rows.append(f"| jit cold | failed | {cold.get('error', '')} |")
        else:
            rows.append("| jit cold | not measured | this run was made with --no-cold |")
        for key, what, note in (
                ("warm", "jit warm: new process, loader cached, plugin not, warm GOCACHE", "go build of the plugin"),
                ("hit", "jit cache hit: new process, plugin cached", "loader dlopen, Go runtime start, SHA-256 checks, plugin.Open")):
            s = j.get(key) or {}
            n = len(s.get("runs", []))
            rows.append(f"| {what} ({probe}) | {fmt_s(s.get('median_seconds'))} | median of {n}; {note}; "
                        f"whole process {fmt_s(s.get('median_process_seconds'))} |")
        rows.append(f"| jit build in a running process, each corpus expression a plugin of its own | "
                    f"{fmt_s(j.get('per_expr_median'))} | warm GOCACHE; codegen, go build, objdump vetting, load, "
                    f"first call; all {r.n} one after another: {fmt_s(j.get('per_expr_total'))} |")
        h = j.get("per_expr_hit") or {}
        if h.get("per_expr"):
            rows.append(f"| jit cache hit of each of those in a new process | {fmt_s(median(h['per_expr'][1:]))} | "
                        f"the first (loader start included) {fmt_s(h['per_expr'][0])}; all {r.n}: {fmt_s(h.get('seconds'))} |")
        one = j.get("corpus_one_plugin")
        oh = j.get("corpus_one_plugin_hit") or {}
        if one:
            rows.append(f"| jit: the whole corpus as **one** plugin (compile_many) | {fmt_s(one)} for all {r.n} | "
                        f"vs {fmt_s(j.get('per_expr_total'))} as {r.n} plugins; a cache hit of it in a new process "
                        f"{fmt_s(oh.get('seconds'))} vs {fmt_s(h.get('seconds'))} |")
        ad = j.get("auto_direct")
        if ad:
            rows.append(f"| jit call path chosen by `--jit-call=auto` | | direct calls for {ad.get('direct')} of "
                        f"{ad.get('entries')} entry points of {ad['of']} expressions ({ad.get('bare')} without a trampoline) |")
    elif j.get("skipped") or j.get("error"):
        rows.append(f"| jit | – | {j.get('skipped') or j.get('error')} |")
    out += rows
    out += ["", "Front end and vm: Google Benchmark, CPU time. jit: wall-clock time (go build uses both cores), "
            "from creating the backend (or calling compile) to the first result."]
    return out


def crossover_section(r, xs):
    if not xs:
        return ["No crossover: the jit's compile latency was not measured in this run."]
    eng = label(xs[0]["engine"])
    finite = [x["single"][0] for x in xs if x["single"][0] is not None]
    never = sum(1 for x in xs if x["single"][1] == "never")
    out = [f"For each expression, the number of evaluations after which *compile with the jit + evaluate* "
           f"takes less time than *compile with the vm + evaluate*: (jit build − vm compile) / "
           f"(vm ns − {eng} ns), from this run's medians (front end excluded: both pay it). "
           f"Single evaluation: median crossover **{fmt_count(median(finite))} evaluations** over the "
           f"{len(finite)} expressions where the jit evaluates faster; on {never} the vm is at least as fast, "
           f"so the jit never catches up. With a cache hit instead of a build the crossover is "
           f"{fmt_count(median([x['hit'][0] for x in xs if x['hit'][0] is not None]))} evaluations at the median.",
           "", "<details><summary>Every expression</summary>", "",
           f"| # | expression | vm compile | jit build | vm ns | {eng} ns | crossover | with a cache hit | batch rows (N = {max(r.rows):,}) |",
           "|---:|:---|---:|---:|---:|---:|---:|---:|---:|"]
    for x in xs:
        k = x["k"]
        build = fmt_s(x["c_jit"] / 1e9) + (f" (#{x['shared'] + 1}'s)" if x["shared"] >= 0 else "")

        def c(p):
            return fmt_count(p[0]) if p[0] is not None else p[1]
        out.append(f"| {k + 1} | {md_code(r.exprs[k], 40)} | {fmt_s((x['c_vm'] or float('nan')) / 1e9)} | {build} | "
                   f"{fmt_ns(x['t_vm'])} | {fmt_ns(x['t_jit'])} | {c(x['single'])} | {c(x['hit'])} | {c(x['batch'])} |")
    out += ["", "\"(#n's)\": this expression's Go source is the same as #n's (e.g. `1+a-2/3` and `(1+a)-2/3` "
            "parse to one tree), so its own compile found #n's plugin loaded; #n's build time is used.",
            "", "</details>"]
    return out


def gate_section(r):
    out = [f"Before anything is timed, every evaluator's result on every expression is compared with the reference "
           f"(tree) backend's, on both bindings and on every row of every batch size, through the code that is timed: "
           f"relative error at most {r.run['config'].get('tolerance', 1e-12):g}, NaN equal to NaN. "
           "A failed expression is not timed.", "",
           "| evaluator | ok | failed | n/a |", "|---|---:|---:|---:|"]
    notes = []
    for name, e in r.engines.items():
        if "unavailable" in e:
            out.append(f"| {label(name)} | – | – | skipped: {e['unavailable']} |")
            continue
        res = e.get("results", [])
        cnt = {s: sum(1 for x in res if x["status"] == s) for s in ("ok", "failed", "n/a")}
        out.append(f"| {label(name)} | {cnt['ok']} | {cnt['failed']} | {cnt['n/a']} |")
        for k, x in enumerate(res):
            if x.get("note"):
                notes.append(f"- {label(name)}, #{k + 1} {md_code(r.exprs[k], 50)}: **{x['status']}**: {x['note']}")
    if notes:
        out += ["", "Notes:", ""] + notes[:60]
        if len(notes) > 60:
            out.append(f"- … and {len(notes) - 60} more (run.json has them all)")
    return out


def method_section(r):
    cfg = r.run["config"]
    flags = " ".join(f for f in cfg.get("benchmark_flags", []) if f.startswith("--benchmark_")
                     and "out" not in f)
    omp = r.run["peers"].get("muparser_openmp")
    lines = [
        f"- **Corpora**: `tests/data/bench_expr.txt`, the 74 expressions of Arash Partow's "
        "math-parser-benchmark-project (copied from `../shared/corpus/`), and `bench/data/bench_long.txt`, 200 "
        "long expressions without functions (10–40 operations over a and b, deeply parenthesised; generated by "
        "`bench/data/make_long.py`, seeded); variables "
        + ", ".join(f"{n}={v}" for n, v in zip(r.run["corpus"]["names"], r.run["corpus"]["values"]))
        + ". After every evaluation a↔b and x↔y are swapped, as that benchmark does, so no evaluator can fold an "
        "evaluation away.",
        f"- **Single evaluation**: one timed iteration is {cfg.get('evals_per_iteration')} evaluations, each "
        "followed by the swap and added to a sum. exprjit runs through its public library as a user calls it: "
        "`Symbols::bind` of the seven variables to the array the loop swaps, `compile`, then `f()` per "
        "evaluation (`jit`, `vm`, `tree`), or `f.eval(values)` (`*-values`). Native C++ through a function "
        "pointer; ExprTk `value()` on variables added by reference; muparser `Eval()` on variables bound with "
        "`DefineVar`. **LuaJIT**: each expression is a Lua function of the seven variables (from the checked tree), "
        "and the loop — call, add, swap — is written in Lua, one `lua_pcall` per iteration, so LuaJIT traces loop "
        "and function together and inlines the function.",
        "- **Native C++**: each expression written out as a C++ function by the translator "
        "(`bench/translate/`, at build time), compiled with g++ -O2 -ffp-contract=off into the benchmark binary; "
        "called through a pointer for single evaluation, and as a loop over the columns (the expression inlined) "
        "for batch.",
        f"- **Batch**: N rows as columns (a row per binding, alternating as above), ns per row for N in "
        f"{', '.join(f'{n:,}' for n in r.rows)}: `Expression::eval_batch` (jit, vm, tree), a C++ loop (native), "
        "ExprTk `value()` per row after setting its bound variables, "
        "muparser's bulk mode `Eval(double*, int)` over variables bound to the columns, LuaJIT over the columns as "
        "FFI `double*` arrays in a Lua loop."
        + (" Debian builds muparser with OpenMP; its bulk mode is limited to one thread "
           "(`omp_set_num_threads(1)`) like every other evaluator." if omp else ""),
        f"- **Timing**: Google Benchmark, CPU time of the benchmark thread, `{flags}`; the medians are "
        "reported. The evaluators of one expression run back to back.",
        "- **Crossover** and **compile latency**: see their sections.",
    ]
    for name, e in r.engines.items():
        if "unavailable" in e:
            lines.append(f"- **{label(name)} skipped**: {e['unavailable']}.")
    return lines


def render(r, charts, img_prefix="", level=1):
    h = "#" * level
    xs = r.crossover()
    out = [f"{h} exprjit benchmark report", ""]
    out += machine_lines(r)
    out += ["", f"{h}# Summary: single evaluation, ns per evaluation", ""]
    out += summary(r)
    reading = closing_lines(r)
    if reading:
        out += [""] + reading
    if "single" in charts:
        out += ["", f"![ns per evaluation over the corpus, per evaluator]({img_prefix}{charts['single']})"]
    if r.rows and r.batch_engines:
        out += ["", f"{h}# Batch evaluation, ns per row", ""] + batch_tables(r)
        if "batch" in charts:
            out += ["", f"![batch ns per row against N]({img_prefix}{charts['batch']})"]
    out += ["", f"{h}# Compile latency", ""] + compile_section(r)
    out += ["", f"{h}# Crossover: when the jit's compile time pays off", ""] + crossover_section(r, xs)
    if "crossover" in charts:
        out += ["", f"![crossover per expression]({img_prefix}{charts['crossover']})"]
    out += ["", f"{h}# Single evaluation, every expression (ns per evaluation; fastest in bold)", ""]
    out += single_table(r)
    out += ["", f"{h}# Correctness gate", ""] + gate_section(r)
    out += ["", f"{h}# Method", ""] + method_section(r)
    files = "`bench.json` (Google Benchmark), `run.json` (corpus, engines, gate, jit compile latency), " \
            "`machine.json`, `report.md`, the charts (`*.png`) and `bench.log` (console output)"
    out += ["", f"The run's folder holds {files}. Produced by `scripts/bench`; see `bench/README.md`."]
    return "\n".join(out) + "\n"


def closing_lines(r):
    """Where each backend stands, in words."""
    out = []
    for st in r.sets:
        for e in ("jit", "vm", "tree"):
            if e not in r.single_engines:
                continue
            parts = []
            for other in PEERS:
                if other in r.single_engines:
                    g, n, faster = r.ratio(e, other, s=st)
                    parts.append(f"{g:.2f}× {label(other)} (faster on {faster} of {n})")
            out.append(f"- **{label(e)}**, {st}: median {fmt_ns(median(r.singles(e, st)))} ns; " + ", ".join(parts))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder")
    ap.add_argument("--docs", help="Markdown file to put the report into (between the markers)")
    ap.add_argument("--docs-images", help="folder to copy the charts into (with --docs)")
    a = ap.parse_args()
    r = Run(a.folder)
    charts, why = report_charts.draw(r, a.folder, label, fmt_ns, fmt_count)
    text = render(r, charts)
    if why:
        text = text.replace("\n\n", f"\n\n*Charts left out: {why}.*\n\n", 1)
    with open(os.path.join(a.folder, "report.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(f"report: {os.path.join(a.folder, 'report.md')}" + (f" and {len(charts)} charts" if charts else ""))
    if a.docs:
        imgdir = a.docs_images or os.path.join(os.path.dirname(a.docs), "bench")
        os.makedirs(imgdir, exist_ok=True)
        for name in charts.values():
            shutil.copyfile(os.path.join(a.folder, name), os.path.join(imgdir, name))
        prefix = os.path.relpath(imgdir, os.path.dirname(os.path.abspath(a.docs))) + "/"
        section = render(r, charts, prefix, level=2)
        with open(a.docs, encoding="utf-8") as f:
            doc = f.read()
        begin, end = "<!-- report:begin -->", "<!-- report:end -->"
        if begin not in doc or end not in doc:
            sys.exit(f"report: {a.docs} has no {begin} ... {end} markers")
        doc = re.sub(re.escape(begin) + ".*?" + re.escape(end),
                     lambda _: f"{begin}\n<!-- Written by bench/report/report.py from {os.path.basename(os.path.normpath(a.folder))}; "
                     f"do not edit by hand. -->\n\n{section}\n{end}", doc, count=1, flags=re.S)
        with open(a.docs, "w", encoding="utf-8") as f:
            f.write(doc)
        print(f"report: {a.docs} and {imgdir}/")


if __name__ == "__main__":
    main()
