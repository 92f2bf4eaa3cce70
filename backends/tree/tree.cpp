// tree.cpp — the tree entry of backends.def: Compiled objects over a shared node program.
#include "backends/tree/tree.hpp"

#include <vector>

#include "backends/tree/compile.hpp"

namespace exprjit {
namespace {

using tree::Node;

double row(const double* vars, const void* root) {
  const Node* n = static_cast<const Node*>(root);
  return n->fn(n, vars);
}
double ptrs(const double* const* p, const void* root) {
  const Node* n = static_cast<const Node*>(root);
  return n->fn(n, p);
}

struct BatchCtx {
  const Node* root;
  std::size_t nslots;
};

// Row by row: one row of the columns gathered into a buffer, then the value-mode root.
void batch(const double* const* cols, std::size_t n, double* out, const void* ctx) {
  const auto& b = *static_cast<const BatchCtx*>(ctx);
  std::vector<double> r(b.nslots + 1);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t s = 0; s < b.nslots; ++s) r[s] = cols[s][i];
    out[i] = b.root->fn(b.root, r.data());
  }
}

class TreeCompiled final : public Compiled {
 public:
  TreeCompiled(std::shared_ptr<const tree::Program> p, std::size_t k, std::size_t nslots)
      : Compiled(nslots), program_(std::move(p)), batch_{program_->root(k, tree::Mode::value), nslots} {
    set_entries({&row, program_->root(k, tree::Mode::value)}, {&ptrs, program_->root(k, tree::Mode::pointer)},
                {&batch, &batch_});
  }

 private:
  std::shared_ptr<const tree::Program> program_;  // shared by the unit's expressions
  BatchCtx batch_;
};

class TreeBackend final : public Backend {
 public:
  std::string_view name() const override { return "tree"; }
  std::vector<std::unique_ptr<Compiled>> compile(const ir::Unit& unit) override {
    auto program = std::make_shared<const tree::Program>(unit);
    std::vector<std::unique_ptr<Compiled>> out;
    for (std::size_t k = 0; k < unit.exprs.size(); ++k)
      out.push_back(std::make_unique<TreeCompiled>(program, k, unit.nslots));
    return out;
  }
};

}  // namespace

std::unique_ptr<Backend> make_tree_backend(const BackendOptions&) { return std::make_unique<TreeBackend>(); }

}  // namespace exprjit
