// corpus.hpp — the benchmark's expression set and variable bindings.
#pragma once
#include <string>
#include <vector>

namespace exprjit::bench {

struct Corpus {
  std::vector<std::string> exprs;  // one per non-blank, non-comment line, file after file
  std::vector<std::string> set;    // per expression: its file's name without the extension
  std::vector<std::string> sets;   // the files' names, in order
  // The public math-parser benchmark's variables and values, in slot order.
  std::vector<std::string> names = {"a", "b", "c", "x", "y", "z", "w"};
  std::vector<double> values = {1.1, 2.2, 3.3, 2.123456, 3.123456, 4.123456, 5.123456};
};

// Reads expression files (bench_expr.txt format: '#' comments, blank lines, Latin-1 bytes
// in comments) into one corpus.  Throws std::runtime_error when one cannot be read or
// holds no expression.
Corpus load_corpus(const std::vector<std::string>& paths);
inline Corpus load_corpus(const std::string& path) { return load_corpus(std::vector<std::string>{path}); }

// What the public benchmark does between evaluations, so nothing can be folded away:
// swap a with b and x with y.
inline void next_binding(double* v) {
  const double a = v[0], x = v[3];
  v[0] = v[1];
  v[1] = a;
  v[3] = v[4];
  v[4] = x;
}

}  // namespace exprjit::bench
