// compile.hpp — a checked tree into the tree backend's nodes (nodes.hpp).
#pragma once
#include <array>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "backends/tree/nodes.hpp"
#include "frontend/ir/ir.hpp"

namespace exprjit::tree {

// Owns the nodes of one unit: every expression's in both modes, and each language
// function's body once (value mode), shared by the expressions that call it.
class Program {
 public:
  explicit Program(const ir::Unit& unit);
  const Node* root(std::size_t expr, Mode mode) const { return roots_[expr][static_cast<int>(mode)]; }

 private:
  Node* add() { return &nodes_.emplace_back(); }

  std::deque<Node> nodes_;                      // a deque: node addresses stay put
  std::deque<std::vector<const Node*>> kids_;
  std::deque<std::vector<BinOp>> ops_;
  std::deque<Body> bodies_;
  std::unordered_map<const ir::Function*, const Body*> body_of_;
  std::vector<std::array<const Node*, 2>> roots_;
  friend struct Builder;
};

}  // namespace exprjit::tree
