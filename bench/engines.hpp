// engines.hpp — what the benchmark can time: each engine turns one corpus expression into
// something with Compiled's interface (eval / eval_batch).  Our backends are engines; the
// peers (muparser, ExprTk, LuaJIT, ...) join by adding an entry to engines.cpp.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.hpp"

namespace exprjit::bench {

struct Engine {
  std::string name;
  std::string description;
  bool design;  // only in --design runs (variants measured for docs/design.md)
  // text is the expression as written; checked the front end's result for it over `names`.
  std::function<std::unique_ptr<Compiled>(const std::string& text, const Expr& checked,
                                          const std::vector<std::string>& names)>
      compile;
};

const std::vector<Engine>& engines();
const Engine* find_engine(const std::string& name);

}  // namespace exprjit::bench
