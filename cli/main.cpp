// main.cpp — the exprjit program's entry: options, then run; nothing escapes main.
#include <cstdio>
#include <exception>
#include <iostream>

#include "cli/options.hpp"
#include "cli/run.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);  // stdin is read through std::cin only; output uses stdio
  int status = 0;
  auto opts = exprjit::cli::parse_options(argc, argv, &status);
  if (!opts) return status;
  try {
    return exprjit::cli::run(*opts);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (...) {
    std::fprintf(stderr, "error: unexpected internal failure\n");
    return 1;
  }
}
