// tree.hpp — the tree backend: the checked tree compiled once into specialised nodes
// (nodes.hpp, compile.cpp), evaluated by calling the root's function.  The readable
// reference the other backends are compared with.
#pragma once
#include <memory>

#include "backends/backend.hpp"

namespace exprjit {

std::unique_ptr<Backend> make_tree_backend(const BackendOptions&);

}  // namespace exprjit
