// run.hpp — what the exprjit program does once its options are parsed.
#pragma once
#include "cli/options.hpp"

namespace exprjit::cli {

// Evaluates the expressions or the session file the options name; returns the exit status.
int run(const Options& o);

}  // namespace exprjit::cli
