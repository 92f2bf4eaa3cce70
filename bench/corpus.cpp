// corpus.cpp — reads the expression file.
#include "bench/corpus.hpp"

#include <fstream>
#include <stdexcept>

namespace exprjit::bench {

Corpus load_corpus(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the corpus " + path);
  Corpus c;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    c.exprs.push_back(line);
  }
  if (c.exprs.empty()) throw std::runtime_error("no expression in " + path);
  return c;
}

}  // namespace exprjit::bench
