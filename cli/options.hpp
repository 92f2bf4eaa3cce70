// options.hpp — what the command line asked for (parsed by options.cpp with CLI11).
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends/backend.hpp"
#include "frontend/parser.hpp"

namespace exprjit::cli {

enum class Emit { none, tokens, ast, bytecode, go };

struct Options {
  std::vector<std::string> exprs;                        // EXPR...
  std::optional<std::string> file;                       // -f FILE ("-" = stdin)
  std::vector<std::pair<std::string, double>> vars;      // --var NAME=VALUE, in order
  std::string backend;                                   // --backend (default: first in table)
  ParserKind parser = ParserKind::rd;                    // --parser
  Emit emit = Emit::none;                                // --emit
  bool time = false;                                     // --time
  bool verbose = false;                                  // --verbose
  BackendOptions backend_options;                        // --go, --go-flag, --keep-temps, ...
  std::optional<std::string> csv;                        // --csv FILE ("-" = stdin): cli/csv.hpp
  std::string csv_as = "result";                         // --as NAME: the result column
};

// Parses argv.  On --help/--version prints and returns exit code 0 in *exit_code; on a
// usage error prints "exprjit: error: ..." to stderr and sets 2.  Returns nullopt then.
std::optional<Options> parse_options(int argc, char** argv, int* exit_code);

}  // namespace exprjit::cli
