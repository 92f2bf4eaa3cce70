// jit_latency.hpp — the Go JIT's compile latency (docs/benchmarks.md, "Compile latency"):
//   cold   a new process, empty jit cache, fresh GOCACHE: toolchain probe, loader build,
//          plugin build, load, first call;
//   warm   a new process, the loader in the jit cache but not the plugin, warm GOCACHE;
//   hit    a new process, the plugin in the jit cache;
// for one corpus expression, each in child processes of this program (--jit-probe), and, in
// this process with the loader running, every corpus expression as a plugin of its own
// (cache misses; these feed the crossover) and the whole corpus as one plugin, plus new
// processes loading both from the cache.  Wall-clock times (a build runs on both cores).
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "bench/harness/corpus.hpp"
#include "bench/harness/json.hpp"

namespace exprjit::bench {

struct JitLatencyOptions {
  std::string work_dir;      // made fresh: <work_dir>/jit-cache and <work_dir>/gocache
  std::string corpus_path;   // passed to the children
  std::size_t probe = 0;     // the corpus expression of cold / warm / hit
  bool cold = true;          // false: no cold run, and GOCACHE as the environment has it
  int reps = 3;              // warm and hit runs
};

// Runs everything above and returns it for run.json.  Leaves EXPRJIT_CACHE_DIR (and GOCACHE,
// when cold) set in this process, so the jit engines afterwards load the plugins built
// here instead of building them again.  Progress goes to log.
Json measure_jit_latency(const JitLatencyOptions& o, const Corpus& corpus, std::ostream& log);

// The child side (--jit-probe=MODE): MODE is one:<index>, each or corpus.  Prints
// "total <seconds>", "expr <index> <seconds>" and "log <line>" lines on stdout.
int jit_probe_main(const std::string& mode, const Corpus& corpus);

}  // namespace exprjit::bench
