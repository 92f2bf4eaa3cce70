// engines.cpp — see engines.hpp.
#include "driver/engines.hpp"

#include <stdexcept>

namespace exprjit::driver {

Backend& Engines::get(const BackendInfo& info) {
  if (auto it = made_.find(info.name); it != made_.end()) return *it->second;
  BackendOptions o = options_;
  if (info.has(kNeedsFallback)) {
    const BackendInfo& fb = backend_with(kFallback);
    if (fb.has(kNeedsFallback)) throw std::logic_error("backends.def: the fallback backend needs a fallback itself");
    o.fallback = &get(fb);
  }
  return *made_.emplace(std::string(info.name), info.make(o)).first->second;
}

Backend& Engines::get(std::string_view name) {
  const BackendInfo* info = find_backend(name);
  if (!info) throw std::invalid_argument("unknown backend '" + std::string(name) + "'; valid backends: " + backend_names());
  return get(*info);
}

}  // namespace exprjit::driver
