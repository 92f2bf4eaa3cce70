// run.hpp — what the exprjit program does once its options are parsed.
#pragma once
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "cli/report.hpp"

namespace exprjit::cli {

// Evaluates the expressions, the session file or stdin, the CSV file, or runs the REPL;
// returns the exit status.  stdin_closed: the program started without a standard input.
int run(const Options& o, Output& out, bool stdin_closed);

// The pieces run() dispatches to.
int run_expressions(const Options& o, const CompileOptions& co, Reporter& rep, Output& out);
int run_session(const Options& o, const CompileOptions& co, Reporter& rep, Output& out, LineReader& in);

}  // namespace exprjit::cli
