// repl.hpp — the interactive workbench started by `exprjit` on a terminal.
#pragma once
#include "cli/io.hpp"
#include "cli/options.hpp"

namespace exprjit::cli {

// Reads lines from the terminal with libedit (editing, history, completion) until Ctrl-D
// or :quit; returns the exit status (0, or 1 when the output could not be written).
int run_repl(const Options& o, const CompileOptions& co, Output& out);

}  // namespace exprjit::cli
