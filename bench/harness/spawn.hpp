// spawn.hpp — running this program again as a child with a changed environment (the jit's
// compile latency needs new processes: a Go plugin cannot be unloaded, and a process
// loads the Go loader once).
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace exprjit::bench {

struct ChildResult {
  int status = -1;      // exit status, or -1 when it did not exit normally
  std::string out;      // its standard output (standard error is inherited)
  double seconds = 0;   // wall time from spawn to exit
};

// Runs argv[0] with argv and the current environment plus `set` (NAME, value pairs);
// waits for it.  Throws std::runtime_error when it cannot be started.
ChildResult run_child(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& set);

// The absolute path of this program (/proc/self/exe).
std::string self_exe();

}  // namespace exprjit::bench
