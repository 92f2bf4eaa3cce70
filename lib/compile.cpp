// compile.cpp — text to Expression: the caller's variables become the slots (in the
// caller's order, so values and columns are read in place), the driver checks and folds
// the texts and compiles them together on the backend the options name.
#include <algorithm>

#include "driver/front.hpp"
#include <thread>

#include "backends/cancel.hpp"
#include "lib/impl.hpp"

namespace exprjit {

namespace {

// The caller's variables and functions.
struct Layout {
  std::vector<std::string> names;
  std::vector<const double*> addresses;  // empty when compiled from names
  const Functions* functions = nullptr;
};

template <class Range>
Layout layout_of(const Range& names) {
  Layout l;
  std::unordered_map<std::string, int, StringHash, std::equal_to<>> seen;
  for (const auto& n : names) {
    validate_variable_name(n);
    if (!seen.emplace(std::string(n), 0).second) throw Error("the variable '" + std::string(n) + "' is listed twice");
    l.names.emplace_back(n);
  }
  return l;
}

Layout layout_of(const Symbols& symbols) {
  return Layout{symbols.data().names, symbols.data().addresses, &symbols.data().functions};
}

double throw_unbound(const double* const*, const void* ctx) {
  const auto& m = *static_cast<const Expression::Impl*>(ctx);
  std::string list;
  for (std::size_t k = 0; k < m.variables.size(); ++k)
    if (std::find(m.reads.begin(), m.reads.end(), m.variables[k]) != m.reads.end() && (m.bound.empty() || !m.bound[k]))
      list += (list.empty() ? "" : ", ") + m.variables[k];
  throw Error("'" + m.text + "' reads variables without an address (" + list + "): evaluate it with eval(values)");
}

std::vector<Expression> compile_texts(std::span<const std::string_view> texts, const Layout& layout,
                                      const CompileOptions& options) {
  auto log = std::make_shared<EventLog>(options.on_event);
  driver::Settings settings = settings_from(options, *log);  // an unknown backend: before any work
  process_interrupt().reset();  // an interrupt_compile() made while nothing waited
  auto engines = std::make_shared<driver::Engines>(settings.backend_options);

  const Scope scope(layout.names);
  const Names names{&scope, layout.functions, nullptr, {}};
  std::vector<std::shared_ptr<const ir::Expr>> exprs;
  std::vector<std::vector<bool>> reads;
  for (std::string_view text : texts) {
    try {
      exprs.push_back(driver::front(text, settings, names, *log));
    } catch (const CompileError& e) {
      throw to_public(e, text);
    }
    std::vector<bool> used(layout.names.size(), false);
    auto walk = [&](auto& self, const ir::Expr& e) -> void {
      if (const auto* v = std::get_if<ir::Variable>(&e.node)) used[v->slot] = true;
      ir::for_each_child(e, [&](const ir::Expr& c) { self(self, c); });
    };
    walk(walk, *exprs.back());
    reads.push_back(std::move(used));
  }

  std::vector<std::unique_ptr<Compiled>> code;
  Backend& backend = engines->get(*settings.backend);
  try {
    code = driver::compile(backend, driver::make_unit(exprs, scope), *log);
  } catch (const CompileError& e) {
    // A backend limit at a position; a backend compiling several texts at once does not
    // say which, so the position is only meaningful for one text.
    if (texts.size() == 1) throw to_public(e, texts[0]);
    throw Error(e.message());
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(e.what());  // the backends' messages name themselves ("the jit backend needs ...")
  }
  if (code.size() != exprs.size()) throw Error(std::string(backend.name()) + " backend: wrong number of results");

  std::vector<Expression> out;
  for (std::size_t k = 0; k < exprs.size(); ++k) {
    auto impl = std::make_shared<Expression::Impl>();
    impl->text = std::string(texts[k]);
    impl->backend_name = std::string(backend.name());
    impl->variables = layout.names;
    bool all_bound = true;
    for (std::size_t i = 0; i < layout.names.size(); ++i)
      if (reads[k][i]) {
        impl->reads.push_back(layout.names[i]);
        all_bound = all_bound && !layout.addresses.empty() && layout.addresses[i];
      }
    impl->bound = layout.addresses;
    impl->has_bound = !layout.addresses.empty() && all_bound;
    impl->threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    impl->log = log;
    impl->engines = engines;
    impl->code = std::move(code[k]);
    if (all_bound) {  // every variable it reads has an address (or it reads none)
      const PtrEntry& e = impl->code->ptr_entry();
      impl->entry = detail::Entry{e.fn, e.ctx};
    } else {
      impl->entry = detail::Entry{&throw_unbound, impl.get()};
    }
    impl->hot.ptrs = impl->bound.empty() ? nullptr : impl->bound.data();
    impl->hot.entry.store(&impl->entry, std::memory_order_release);
    if (all_bound) {
      // A tiered Compiled tells when its pointer entry changes (Compiled::on_switch: under
      // its own lock, never after its destruction began, which comes before the Impl's).
      const Expression::Impl* raw = impl.get();
      impl->code->on_switch([raw](PtrEntry e) {
        if (raw->nswitched == raw->switched.size()) return;  // stays on the last one: still correct
        detail::Entry& slot = raw->switched[raw->nswitched++];
        slot = detail::Entry{e.fn, e.ctx};
        raw->hot.entry.store(&slot, std::memory_order_release);
      });
    }
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

Expression compile_with(std::string_view text, const std::vector<std::string>& names,
                        const std::vector<const double*>& addresses, const Functions* functions,
                        const CompileOptions& options) {
  return compile_one(text, Layout{names, addresses, functions}, options);
}

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

void check(std::string_view text, const Symbols& symbols, const CompileOptions& options) {
  EventLog log(options.on_event);
  driver::Settings settings = settings_from(options, log);
  const Scope scope(symbols.names());
  try {
    (void)driver::front(text, settings, Names{&scope, &symbols.data().functions, nullptr, {}}, log);
  } catch (const CompileError& e) {
    throw to_public(e, text);
  }
}

std::vector<std::string> variables_of(std::string_view text, const Symbols& symbols) {
  try {
    syntax::ExprPtr e = parse_expression(text);
    std::vector<std::string> vars = syntax::free_variables(*e);
    // Check too, so that calls are validated; a function name used as a value stays out of
    // the scope, so the checker reports it.
    const Functions& functions = symbols.data().functions;
    Scope scope;
    for (const std::string& n : vars)
      if (!find_builtin(n) && !functions.find(n)) scope.define(n);
    check(*e, Names{&scope, &functions, nullptr, {}});
    return vars;
  } catch (const CompileError& e) {
    throw to_public(e, text);
  }
}

std::string emit(std::string_view stage, std::string_view text, const Symbols& symbols, const CompileOptions& options) {
  const driver::StageInfo* st = driver::find_stage(stage);
  if (!st) throw Error("unknown stage '" + std::string(stage) + "'; valid stages: " + driver::stage_names());
  EventLog log(options.on_event);
  driver::Settings settings = settings_from(options, log);
  driver::Engines engines(settings.backend_options);
  const Scope scope(symbols.names());
  try {
    return driver::emit_expression(*st, text, settings, Names{&scope, &symbols.data().functions, nullptr, {}}, scope,
                                   engines);
  } catch (const CompileError& e) {
    throw to_public(e, text);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(e.what());
  }
}

std::vector<BackendDescription> available_backends() {
  std::vector<BackendDescription> out;
  for (const BackendInfo& b : backend_table())
    out.push_back({std::string(b.name), std::string(b.description), b.has(kDefault), b.has(kReference)});
  return out;
}

std::vector<StageDescription> available_stages() {
  std::vector<StageDescription> out;
  for (const driver::StageInfo& s : driver::stage_table())
    out.push_back({std::string(s.name), std::string(s.description), std::string(s.backend)});
  return out;
}

}  // namespace exprjit
