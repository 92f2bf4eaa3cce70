// engines.hpp — the backends of one compile or session, made on first use from the
// settings: the one backend factory.  A backend flagged kNeedsFallback gets the one flagged
// kFallback (backends.def), which must not need one itself.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "backends/backend.hpp"

namespace exprjit::driver {

class Engines {
 public:
  explicit Engines(BackendOptions options) : options_(std::move(options)) {}
  Engines(const Engines&) = delete;
  Engines& operator=(const Engines&) = delete;

  Backend& get(const BackendInfo& info);
  Backend& get(std::string_view name);  // throws std::invalid_argument for an unknown name
  const BackendOptions& options() const { return options_; }

 private:
  BackendOptions options_;
  std::map<std::string, std::unique_ptr<Backend>, std::less<>> made_;
};

}  // namespace exprjit::driver
