// peers.hpp — the other evaluators the benchmark times exprjit against, each through its
// own API the way its users call it: ExprTk (exprtk.cpp, when built with -Dexprtk=PATH),
// muparser and LuaJIT (Debian packages).  Each gives its engine-table entry, marked
// unavailable (with the reason, which the report prints) when its library was not found
// at build time, and a version string for the report.
#pragma once
#include <string>

#include "bench/harness/engines.hpp"

namespace exprjit::bench {

Engine exprtk_engine();
Engine muparser_engine();
Engine luajit_engine();
std::string exprtk_version();
std::string muparser_version();
std::string luajit_version();
// Whether muparser was built with OpenMP (its bulk mode is then limited to one thread so
// every evaluator uses one core; see muparser.cpp).
bool muparser_openmp();

}  // namespace exprjit::bench
