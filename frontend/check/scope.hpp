// scope.hpp — what names mean while checking: variables (slots) and callable functions
// (language and host), each a table with hash lookup and a roll-back mark, so that a session
// line that fails can forget what it defined in time proportional to what it defined.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "frontend/ir/ir.hpp"

namespace exprjit {

// Hash and equality that let a std::string_view look up a std::string key.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// The variables an expression may read, in slot order: names()[slot].
class Scope {
 public:
  Scope() = default;
  explicit Scope(std::vector<std::string> names);  // names must be distinct

  std::optional<std::uint32_t> find(std::string_view name) const;
  // The slot of name, adding it at the end when new.
  std::uint32_t define(std::string_view name);
  std::size_t size() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }

  std::size_t mark() const { return names_.size(); }
  void rollback(std::size_t mark);  // forgets the names defined after mark

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> index_;
};

// Functions callable by name: host functions (bound from C++) and language functions
// (defined in a session).  A later definition of a name replaces it; roll back restores it.
class Functions {
 public:
  const ir::Callee* find(std::string_view name) const;
  void define(std::string_view name, ir::Callee callee);
  std::size_t size() const { return index_.size(); }
  // Every name with its callee, in order of first definition.
  std::vector<std::pair<std::string, const ir::Callee*>> list() const;

  std::size_t mark() const { return undo_.size(); }
  void rollback(std::size_t mark);

 private:
  std::unordered_map<std::string, ir::Callee, StringHash, std::equal_to<>> index_;
  std::vector<std::string> order_;
  struct Undo {
    std::string name;
    std::optional<ir::Callee> previous;
  };
  std::vector<Undo> undo_;
};

}  // namespace exprjit
