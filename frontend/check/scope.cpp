// scope.cpp — see scope.hpp.
#include "frontend/check/scope.hpp"

#include <algorithm>

namespace exprjit {

Scope::Scope(std::vector<std::string> names) : names_(std::move(names)) {
  index_.reserve(names_.size());
  for (std::uint32_t i = 0; i < names_.size(); ++i) index_.emplace(names_[i], i);
}

std::optional<std::uint32_t> Scope::find(std::string_view name) const {
  auto it = index_.find(name);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::uint32_t Scope::define(std::string_view name) {
  if (auto slot = find(name)) return *slot;
  const auto slot = static_cast<std::uint32_t>(names_.size());
  names_.emplace_back(name);
  index_.emplace(names_.back(), slot);
  return slot;
}

void Scope::rollback(std::size_t mark) {
  while (names_.size() > mark) {
    index_.erase(names_.back());
    names_.pop_back();
  }
}

const ir::Callee* Functions::find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &it->second;
}

void Functions::define(std::string_view name, ir::Callee callee) {
  auto it = index_.find(name);
  if (it == index_.end()) {
    undo_.push_back({std::string(name), std::nullopt});
    order_.emplace_back(name);
    index_.emplace(std::string(name), std::move(callee));
  } else {
    undo_.push_back({std::string(name), it->second});
    it->second = std::move(callee);
  }
}

std::vector<std::pair<std::string, const ir::Callee*>> Functions::list() const {
  std::vector<std::pair<std::string, const ir::Callee*>> out;
  for (const std::string& n : order_)
    if (const ir::Callee* c = find(n)) out.emplace_back(n, c);
  return out;
}

void Functions::rollback(std::size_t mark) {
  while (undo_.size() > mark) {
    Undo& u = undo_.back();
    if (u.previous) {
      index_.find(u.name)->second = std::move(*u.previous);
    } else {
      index_.erase(u.name);
      order_.erase(std::find(order_.begin(), order_.end(), u.name));
    }
    undo_.pop_back();
  }
}

}  // namespace exprjit
