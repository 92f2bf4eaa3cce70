// corpus.cpp — reads the expression files.
#include "bench/harness/corpus.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace exprjit::bench {

Corpus load_corpus(const std::vector<std::string>& paths) {
  Corpus c;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read the corpus " + path);
    const std::string name = std::filesystem::path(path).stem().string();
    const std::size_t before = c.exprs.size();
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::size_t first = line.find_first_not_of(" \t");
      if (first == std::string::npos || line[first] == '#') continue;
      c.exprs.push_back(line);
      c.set.push_back(name);
    }
    if (in.bad()) throw std::runtime_error("cannot read the corpus " + path);
    if (c.exprs.size() == before) throw std::runtime_error("no expression in " + path);
    c.sets.push_back(name);
  }
  return c;
}

}  // namespace exprjit::bench
