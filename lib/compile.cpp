// compile.cpp — text to Expression: parse and check against the caller's variables, then
// compile on the backend chosen by name (the backend table, backends.def).
#include <algorithm>

#include "frontend/builtins.hpp"
#include "frontend/check.hpp"
#include "frontend/parser.hpp"
#include "lib/impl.hpp"

namespace exprjit {

namespace {

// The caller's variables: names in their order, with addresses when bound.
struct Layout {
  std::vector<std::string> names;
  std::vector<const double*> addresses;  // empty unless bound
  bool bound = false;
};

Layout layout_of(const Symbols& symbols) {
  Layout l{symbols.names(), {}, true};
  for (const std::string& n : l.names) l.addresses.push_back(symbols.find(n));
  return l;
}

template <class Range>
Layout layout_of(const Range& names) {
  Layout l;
  for (const auto& n : names) {
    validate_variable_name(n);
    if (std::find(l.names.begin(), l.names.end(), n) != l.names.end())
      throw Error("the variable '" + std::string(n) + "' is listed twice");
    l.names.emplace_back(n);
  }
  return l;
}

std::shared_ptr<Backend> make_backend(const CompileOptions& o) {
  const BackendInfo* info = o.backend.empty() ? &backend_table().front() : find_backend(o.backend);
  if (!info) throw Error("unknown backend '" + o.backend + "'; valid backends: " + backend_names());
  if (!(o.go_build_timeout_s > 0)) throw Error("go_build_timeout_s must be positive");
  BackendOptions bo;
  bo.go = o.go;
  bo.go_flags = o.go_flags;
  bo.build_timeout_s = o.go_build_timeout_s;
  return std::shared_ptr<Backend>(info->make(bo));
}

// The names e reads, in the order of layout.names.
std::vector<std::uint32_t> reads_of(const Expr& e, const Layout& layout) {
  std::vector<std::string> fv = free_variables(e);
  std::vector<std::uint32_t> idx;
  for (std::uint32_t i = 0; i < layout.names.size(); ++i)
    if (std::find(fv.begin(), fv.end(), layout.names[i]) != fv.end()) idx.push_back(i);
  return idx;
}

std::vector<Expression> compile_texts(std::span<const std::string_view> texts, const Layout& layout,
                                      const CompileOptions& options) {
  std::shared_ptr<Backend> backend = make_backend(options);  // unknown backend: before any work

  // 1. Parse each text; the slots are the union of the variables they read, in layout order
  //    (so that an expression reading every variable reads the caller's values in place).
  std::vector<ExprPtr> exprs;
  std::vector<std::vector<std::uint32_t>> reads;
  std::vector<bool> in_union(layout.names.size(), false);
  for (std::string_view text : texts) {
    try {
      exprs.push_back(parse_expression(text));
    } catch (const CompileError& e) {
      throw to_public(e, text);
    }
    reads.push_back(reads_of(*exprs.back(), layout));
    for (std::uint32_t i : reads.back()) in_union[i] = true;
  }
  Scope scope;
  std::vector<std::uint32_t> slot_source;
  for (std::uint32_t i = 0; i < layout.names.size(); ++i)
    if (in_union[i]) {
      scope.define(layout.names[i]);
      slot_source.push_back(i);
    }

  // 2. Check: a name the layout lacks is an error at its position.
  for (std::size_t k = 0; k < exprs.size(); ++k) {
    try {
      check(*exprs[k], scope);
    } catch (const CompileError& e) {
      throw to_public(e, texts[k]);
    }
  }

  // 3. Compile together (the jit builds once).
  std::vector<const Expr*> ptrs;
  for (const ExprPtr& e : exprs) ptrs.push_back(e.get());
  std::vector<std::unique_ptr<Compiled>> code;
  try {
    code = backend->compile_many(ptrs, scope.size());
  } catch (const CompileError& e) {
    // A backend limit at a position; a backend compiling several texts at once does not
    // say which, so the position is only meaningful for one text.
    if (texts.size() == 1) throw to_public(e, texts[0]);
    throw Error(std::string(backend->name()) + " backend: " + e.message());
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(std::string(backend->name()) + " backend: " + e.what());
  }
  if (code.size() != exprs.size()) throw Error(std::string(backend->name()) + " backend: wrong number of results");

  bool identity = slot_source.size() == layout.names.size();  // then slot_source[k] == k
  std::vector<Expression> out;
  for (std::size_t k = 0; k < exprs.size(); ++k) {
    auto impl = std::make_shared<Expression::Impl>();
    impl->text = std::string(texts[k]);
    impl->backend_name = std::string(backend->name());
    impl->variables = layout.names;
    for (std::uint32_t i : reads[k]) impl->reads.push_back(layout.names[i]);
    impl->slot_source = slot_source;
    if (layout.bound)
      for (std::uint32_t i : slot_source) impl->bound.push_back(layout.addresses[i]);
    impl->has_bound = layout.bound;
    impl->identity = identity;
    impl->maker = backend;
    impl->code = std::move(code[k]);
    out.push_back(ExpressionFactory::make(std::move(impl)));
  }
  return out;
}

Expression compile_one(std::string_view text, const Layout& layout, const CompileOptions& options) {
  return std::move(compile_texts(std::span(&text, 1), layout, options).front());
}

std::vector<Expression> compile_strings(std::span<const std::string> texts, const Layout& layout,
                                        const CompileOptions& options) {
  std::vector<std::string_view> views(texts.begin(), texts.end());
  return compile_texts(views, layout, options);
}

}  // namespace

Expression compile(std::string_view text, const Symbols& symbols, const CompileOptions& options) {
  return compile_one(text, layout_of(symbols), options);
}

Expression compile(std::string_view text, std::span<const std::string> variables, const CompileOptions& options) {
  return compile_one(text, layout_of(variables), options);
}

Expression compile(std::string_view text, std::initializer_list<std::string_view> variables,
                   const CompileOptions& options) {
  return compile_one(text, layout_of(variables), options);
}

Expression compile(std::string_view text, const CompileOptions& options) {
  return compile_one(text, Layout{}, options);
}

std::vector<Expression> compile_many(std::span<const std::string> texts, const Symbols& symbols,
                                     const CompileOptions& options) {
  return compile_strings(texts, layout_of(symbols), options);
}

std::vector<Expression> compile_many(std::span<const std::string> texts, std::span<const std::string> variables,
                                     const CompileOptions& options) {
  return compile_strings(texts, layout_of(variables), options);
}

std::vector<std::string> variables_of(std::string_view text) {
  try {
    ExprPtr e = parse_expression(text);
    std::vector<std::string> names = free_variables(*e);
    // Check too, so that calls are validated; a function name used as a value stays out of
    // the scope, so the checker reports it.
    Scope scope;
    for (const std::string& n : names)
      if (!find_builtin(n)) scope.define(n);
    check(*e, scope);
    return names;
  } catch (const CompileError& e) {
    throw to_public(e, text);
  }
}

std::vector<BackendDescription> available_backends() {
  std::vector<BackendDescription> out;
  for (const BackendInfo& b : backend_table()) out.push_back({std::string(b.name), std::string(b.description)});
  return out;
}

}  // namespace exprjit
