// backend.cpp — defaults of the Backend interface and the backend table.
#include "backends/backend.hpp"

#include <array>

namespace exprjit {

#define BACKEND(name, desc, factory) std::unique_ptr<Backend> factory(const BackendOptions&);
#include "backends.def"
#undef BACKEND

void Compiled::eval_batch(const double* const* cols, std::size_t n, double* out) const {
  std::vector<double> row(nslots_);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t s = 0; s < nslots_; ++s) row[s] = cols[s][i];
    out[i] = eval(row.data());
  }
}

std::vector<std::unique_ptr<Compiled>> Backend::compile_many(std::span<const Expr* const> exprs,
                                                             std::size_t nslots) {
  std::vector<std::unique_ptr<Compiled>> out;
  out.reserve(exprs.size());
  for (const Expr* e : exprs) out.push_back(compile(*e, nslots));
  return out;
}

std::string Backend::emit(const Expr&, std::size_t) { return ""; }

namespace {
constexpr std::array kBackends = {
#define BACKEND(name, desc, factory) BackendInfo{#name, desc, &factory},
#include "backends.def"
#undef BACKEND
};
}  // namespace

std::span<const BackendInfo> backend_table() { return kBackends; }

const BackendInfo* find_backend(std::string_view name) {
  for (const BackendInfo& b : kBackends)
    if (b.name == name) return &b;
  return nullptr;
}

std::string backend_names() {
  std::string s;
  for (const BackendInfo& b : kBackends) s += (s.empty() ? "" : ", ") + std::string(b.name);
  return s;
}

}  // namespace exprjit
