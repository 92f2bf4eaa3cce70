// settings.hpp — what a compile or a session was asked for, checked once: the one funnel
// from the public CompileOptions (lib/options.cpp) to the pipeline.
#pragma once
#include <string>

#include "backends/backend.hpp"
#include "frontend/syntax/parser.hpp"

namespace exprjit::driver {

struct Settings {
  const BackendInfo* backend = nullptr;  // never null
  ParserKind parser = ParserKind::rd;
  bool fold = true;                      // off only for design measurements
  BackendOptions backend_options;        // with log set
};

}  // namespace exprjit::driver
