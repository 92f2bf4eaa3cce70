// backend.cpp — defaults of the Backend interface and the backend table.
#include "backends/backend.hpp"

#include <array>
#include <stdexcept>

namespace exprjit {

#define BACKEND(name, desc, factory, flags) std::unique_ptr<Backend> factory(const BackendOptions&);
#include "backends/backends.def"
#undef BACKEND

std::string Backend::listing(const ir::Unit&) { return ""; }

namespace {
constexpr std::array kBackends = {
#define BACKEND(name, desc, factory, flags) BackendInfo{#name, desc, &factory, flags},
#include "backends/backends.def"
#undef BACKEND
};
}  // namespace

std::span<const BackendInfo> backend_table() { return kBackends; }

const BackendInfo* find_backend(std::string_view name) {
  for (const BackendInfo& b : kBackends)
    if (b.name == name) return &b;
  return nullptr;
}

const BackendInfo& backend_with(BackendFlag flag) {
  for (const BackendInfo& b : kBackends)
    if (b.has(flag)) return b;
  throw std::logic_error("backends.def has no backend with this flag");
}

std::string backend_names() {
  std::string s;
  for (const BackendInfo& b : kBackends) s += (s.empty() ? "" : ", ") + std::string(b.name);
  return s;
}

}  // namespace exprjit
