// jit_latency.cpp — see jit_latency.hpp.
#include "bench/harness/jit_latency.hpp"

#include <exprjit/exprjit.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "bench/harness/spawn.hpp"

namespace exprjit::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Json lines_of(const std::string& text) {
  Json a = Json::array();
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) a.push(l);
  return a;
}

// What a child printed: total, per-expression seconds, log lines.
struct Probe {
  bool ok = false;
  std::string error;
  double total = NAN, process = NAN;
  std::vector<double> per_expr;
  std::string log;
};

Probe run_probe(const std::string& mode, const JitLatencyOptions& o) {
  Probe p;
  ChildResult r;
  try {
    r = run_child({self_exe(), "--jit-probe=" + mode, "--corpus=" + o.corpus_path}, {});
  } catch (const std::exception& e) {
    p.error = e.what();
    return p;
  }
  p.process = r.seconds;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) {
    if (l.rfind("total ", 0) == 0) p.total = std::strtod(l.c_str() + 6, nullptr);
    else if (l.rfind("expr ", 0) == 0) p.per_expr.push_back(std::strtod(l.c_str() + l.rfind(' ') + 1, nullptr));
    else if (l.rfind("log ", 0) == 0) p.log += l.substr(4) + "\n";
    else if (l.rfind("error ", 0) == 0) p.error = l.substr(6);
  }
  p.ok = r.status == 0 && std::isfinite(p.total);
  if (!p.ok && p.error.empty()) p.error = "the probe process exited with status " + std::to_string(r.status);
  return p;
}

Json probe_json(const Probe& p) {
  Json j = Json::object();
  j["ok"] = p.ok;
  if (!p.ok) j["error"] = p.error;
  j["seconds"] = p.total;           // backend creation to first result, inside the child
  j["process_seconds"] = p.process;  // spawn to exit
  if (!p.per_expr.empty()) {
    Json a = Json::array();
    for (double s : p.per_expr) a.push(s);
    j["per_expr"] = a;
  }
  j["log"] = lines_of(p.log);
  return j;
}

Json series(const std::vector<Probe>& runs) {
  Json j = Json::object();
  std::vector<double> s, ps;
  Json all = Json::array();
  for (const Probe& p : runs) {
    all.push(probe_json(p));
    if (p.ok) s.push_back(p.total), ps.push_back(p.process);
  }
  j["runs"] = all;
  j["median_seconds"] = median(s);
  j["median_process_seconds"] = median(ps);
  return j;
}

// Counts of the auto mode's choices, from its --verbose line
// "jit: direct calls for D of N entry points (X without a trampoline; ...".
struct DirectCounts {
  std::size_t direct = 0, bare = 0, entries = 0;
  std::vector<std::string> refusals;
};
void count_direct(const std::string& log, DirectCounts& c) {
  std::istringstream in(log);
  for (std::string l; std::getline(in, l);) {
    std::size_t d = 0, n = 0, x = 0;
    if (std::sscanf(l.c_str(), "jit: direct calls for %zu of %zu entry points (%zu", &d, &n, &x) == 3) {
      c.direct += d, c.entries += n, c.bare += x;
    } else if (l.rfind("jit: vm instead: ", 0) == 0 || l.rfind("jit: the vm backend runs it: ", 0) == 0) {
      c.refusals.push_back(l);
    }
  }
}

// Options that compile on the jit and collect its --verbose lines into log.
CompileOptions jit_options(std::string& log) {
  CompileOptions o;
  o.backend = "jit";
  o.on_event = [&log](const Event& e) {
    if (e.kind == Event::Kind::detail) log.append(e.text).append("\n");
  };
  return o;
}

bool have_jit() {
  for (const BackendDescription& b : available_backends())
    if (b.name == "jit") return true;
  return false;
}

}  // namespace

int jit_probe_main(const std::string& mode, const Corpus& corpus) {
  try {
    std::string log;
    const CompileOptions opts = jit_options(log);
    const auto t0 = Clock::now();
    if (mode.rfind("one:", 0) == 0) {
      const std::size_t k = std::stoul(mode.substr(4));
      if (k >= corpus.exprs.size()) throw std::runtime_error("no corpus expression " + mode.substr(4));
      compile(corpus.exprs[k], corpus.names, opts);
    } else if (mode == "each") {
      for (std::size_t k = 0; k < corpus.exprs.size(); ++k) {
        const auto t = Clock::now();
        compile(corpus.exprs[k], corpus.names, opts);
        std::cout << "expr " << k << " " << since(t) << "\n";
      }
    } else if (mode == "corpus") {
      compile_many(corpus.exprs, corpus.names, opts);
    } else {
      throw std::runtime_error("unknown --jit-probe mode '" + mode + "'");
    }
    std::cout << "total " << since(t0) << "\n";
    std::istringstream in(log);
    for (std::string l; std::getline(in, l);) std::cout << "log " << l << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cout << "error " << e.what() << "\n";
    return 1;
  }
}

Json measure_jit_latency(const JitLatencyOptions& o, const Corpus& corpus, std::ostream& log) {
  Json j = Json::object();
  if (!have_jit()) {
    j["skipped"] = "no jit backend in this build";
    return j;
  }
  const fs::path root = fs::absolute(o.work_dir);
  fs::remove_all(root);
  fs::create_directories(root);
  fs::permissions(root, fs::perms::owner_all, fs::perm_options::replace);
  const std::string cache = (root / "jit-cache").string(), gocache = (root / "gocache").string();
  ::setenv("EXPRJIT_CACHE_DIR", cache.c_str(), 1);
  if (o.cold) ::setenv("GOCACHE", gocache.c_str(), 1);
  const char* gc = std::getenv("GOCACHE");
  j["gocache"] = o.cold ? "fresh for this run (" + gocache + ")" : std::string("as the environment has it: ") + (gc ? gc : "Go's default");
  j["probe_index"] = o.probe;
  j["probe_text"] = corpus.exprs[o.probe];
  const std::string one = "one:" + std::to_string(o.probe);
  auto drop_plugins = [&] { fs::remove_all(fs::path(cache) / "plugins"); };

  if (o.cold) {
    log << "jit latency: cold (fresh jit cache and GOCACHE: loader and plugin built from nothing)...\n";
    j["cold"] = probe_json(run_probe(one, o));
  } else {
    j["cold"] = Json();
  }
  std::vector<Probe> warm, hit;
  for (int r = 0; r < o.reps; ++r) {
    log << "jit latency: warm, run " << r + 1 << " of " << o.reps << "...\n";
    drop_plugins();
    warm.push_back(run_probe(one, o));
  }
  for (int r = 0; r < o.reps; ++r) {
    log << "jit latency: cache hit, run " << r + 1 << " of " << o.reps << "...\n";
    hit.push_back(run_probe(one, o));
  }
  j["warm"] = series(warm);
  j["hit"] = series(hit);
  drop_plugins();

  // In this process: the loader starts with the first compile; then every expression as a
  // plugin of its own (cache misses), then the corpus as one plugin.
  std::string vb;
  const CompileOptions opts = jit_options(vb);
  const std::size_t n = corpus.exprs.size();
  try {
    {  // an expression of no interest first: it starts the loader (dlopen, Go runtime)
      const auto t = Clock::now();
      compile("a*0.5 + 0.25", corpus.names, opts);
      j["first_in_process"] = since(t);
      j["first_log"] = lines_of(vb);
    }
    log << "jit latency: in this process, " << n << " expressions one plugin each...\n";
    Json per = Json::array();
    DirectCounts dc;
    std::vector<double> secs;
    for (std::size_t k = 0; k < n; ++k) {
      vb.clear();
      const auto t = Clock::now();
      compile(corpus.exprs[k], corpus.names, opts);
      const double s = since(t);
      if (k == 0) j["expr_log"] = lines_of(vb);
      count_direct(vb, dc);
      secs.push_back(s);
      per.push(s);
    }
    j["per_expr"] = per;
    // Expressions whose Go source equals an earlier one's (`1+a-2/3` and `(1+a)-2/3` parse
    // to the same tree) reuse its plugin: their compile above was no build.
    Json same = Json::array();
    std::vector<std::string> sources;
    Symbols names;
    for (const std::string& v : corpus.names) names.declare(v);
    for (std::size_t k = 0; k < n; ++k) {
      sources.push_back(emit("go", corpus.exprs[k], names));
      int first = -1;
      for (std::size_t i = 0; i < k && first < 0; ++i)
        if (sources[i] == sources[k]) first = static_cast<int>(i);
      same.push(first);
    }
    j["per_expr_same_plugin_as"] = same;
    j["per_expr_median"] = median(secs);
    double sum = 0;
    for (double s : secs) sum += s;
    j["per_expr_total"] = sum;
    Json d = Json::object();
    d["direct"] = dc.direct;
    d["bare"] = dc.bare;
    d["entries"] = dc.entries;
    d["of"] = n;
    Json refusals = Json::array();
    for (const std::string& r : dc.refusals) refusals.push(r);
    d["refusals"] = refusals;
    j["auto_direct"] = d;

    log << "jit latency: in this process, the corpus as one plugin...\n";
    const auto t = Clock::now();
    compile_many(corpus.exprs, corpus.names, opts);
    j["corpus_one_plugin"] = since(t);
  } catch (const std::exception& e) {
    j["error"] = e.what();
    log << "jit latency: " << e.what() << "\n";
    return j;
  }
  log << "jit latency: new processes loading them from the cache...\n";
  j["corpus_one_plugin_hit"] = probe_json(run_probe("corpus", o));
  j["per_expr_hit"] = probe_json(run_probe("each", o));
  return j;
}

}  // namespace exprjit::bench
