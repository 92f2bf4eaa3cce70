// options.hpp — what the command line asked for (parsed by options.cpp with CLI11).
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exprjit/exprjit.hpp"

namespace exprjit::cli {

struct Options {
  std::vector<std::string> exprs;                    // EXPR...
  std::optional<std::string> file;                   // -f FILE ("-" = stdin)
  std::vector<std::pair<std::string, double>> vars;  // --var NAME=VALUE, in order, last binding wins
  std::vector<std::string> defines;                  // --define 'f(x) = ...', in order
  std::string stage;                                 // --emit STAGE ("" = evaluate)
  bool time = false;                                 // --time
  bool verbose = false;                              // --verbose
  CompileOptions compile;                            // --backend, --parser, --go, --jit-call, ...
  std::optional<std::string> csv;                    // --csv FILE ("-" = stdin): cli/csv/
  std::vector<std::string> csv_as;                   // --as NAME per expression
};

// Parses argv.  On --help/--version/--functions prints and sets *exit_code to 0; on a usage
// error prints "error: ..." to stderr and sets 2.  Returns nullopt then.
std::optional<Options> parse_options(int argc, char** argv, int* exit_code);

}  // namespace exprjit::cli
