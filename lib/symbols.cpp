// symbols.cpp — the symbol table: variables (bound or declared), host functions, functions
// defined in the language; and which names may be variables.
#include <string>

#include "frontend/lang/builtins.hpp"
#include "frontend/syntax/parser.hpp"
#include "lib/impl.hpp"

namespace exprjit {

void validate_variable_name(std::string_view name) {
  auto fail = [&](const std::string& why) {
    throw Error("cannot use '" + std::string(name) + "' as a variable: " + why);
  };
  if (!is_identifier(name)) fail("not an identifier ([A-Za-z_][A-Za-z0-9_]*)");
  if (find_constant(name)) fail("it is a built-in constant");
  if (find_builtin(name)) fail("it is a built-in function");
}

namespace {

void add_variable(Symbols::Data& d, std::string_view name, const double* value) {
  validate_variable_name(name);
  if (d.functions.find(name)) throw Error("cannot use '" + std::string(name) + "' as a variable: it names a function");
  if (auto it = d.index.find(name); it != d.index.end()) {
    d.addresses[it->second] = value;
    return;
  }
  d.index.emplace(std::string(name), d.names.size());
  d.names.emplace_back(name);
  d.addresses.push_back(value);
}

void add_function(Symbols::Data& d, std::string_view name, std::shared_ptr<ir::HostFunction> h) {
  if (!is_identifier(name)) throw Error("cannot bind the function '" + std::string(name) + "': not an identifier");
  if (find_builtin(name) || find_constant(name))
    throw Error("cannot bind the function '" + std::string(name) + "': it is a built-in " +
                (find_constant(name) ? "constant" : "function"));
  if (d.index.count(name)) throw Error("cannot bind the function '" + std::string(name) + "': it is a variable");
  if (!h->fn) throw Error("cannot bind the function '" + std::string(name) + "': the function pointer is null");
  h->name = name;
  d.functions.define(name, ir::HostRef(std::move(h)));
}

}  // namespace

Symbols::Symbols() : data_(std::make_unique<Data>()) {}
Symbols::~Symbols() = default;
Symbols::Symbols(const Symbols& o) : data_(std::make_unique<Data>(*o.data_)) {}
Symbols::Symbols(Symbols&& o) noexcept : data_(std::exchange(o.data_, std::make_unique<Data>())) {}
Symbols& Symbols::operator=(const Symbols& o) {
  if (this != &o) data_ = std::make_unique<Data>(*o.data_);
  return *this;
}
Symbols& Symbols::operator=(Symbols&& o) noexcept {
  std::swap(data_, o.data_);
  return *this;
}

Symbols& Symbols::bind(std::string_view name, const double* value) {
  if (!value) throw Error("cannot bind '" + std::string(name) + "': the address is null");
  add_variable(*data_, name, value);
  return *this;
}

Symbols& Symbols::declare(std::string_view name) {
  add_variable(*data_, name, nullptr);
  return *this;
}

Symbols& Symbols::bind_typed(std::string_view name, int arity, void* fn, bool nothrow, FunctionOptions options) {
  auto h = std::make_shared<ir::HostFunction>();
  h->form = ir::HostFunction::Form::typed;
  h->min_args = h->max_args = arity;
  h->fn = fn;
  h->nothrow = nothrow;
  h->pure = options.pure;
  add_function(*data_, name, std::move(h));
  return *this;
}

Symbols& Symbols::bind_function(std::string_view name, GeneralFunction f, void* user, int min_args, int max_args,
                                FunctionOptions options) {
  if (min_args < 0 || max_args < 0 || (max_args != 0 && max_args < min_args))
    throw Error("cannot bind the function '" + std::string(name) + "': arguments " + std::to_string(min_args) + " to " +
                std::to_string(max_args) + " (max_args 0 means any number >= min_args)");
  auto h = std::make_shared<ir::HostFunction>();
  h->form = ir::HostFunction::Form::general;
  h->min_args = min_args, h->max_args = max_args;
  h->fn = reinterpret_cast<void*>(f);
  h->user = user;
  h->nothrow = false;  // a plain function pointer type says nothing: guarded
  h->pure = options.pure;
  add_function(*data_, name, std::move(h));
  return *this;
}

Symbols& Symbols::define(std::string_view text) {
  try {
    std::vector<syntax::Statement> stmts = parse_line(text);
    Functions added = data_->functions;  // all or nothing
    Names names{nullptr, &added, nullptr, {}};
    for (const syntax::Statement& s : stmts) {
      if (s.kind != syntax::Statement::Kind::define)
        throw CompileError("define() takes function definitions (f(x) = ...), not other statements", s.expr->span.begin);
      if (data_->index.count(s.name))
        throw CompileError("cannot define '" + s.name + "': it is a variable", s.name_span.begin);
      added.define(s.name, check_definition(s, names, text));
    }
    data_->functions = std::move(added);
  } catch (const CompileError& e) {
    throw to_public(e, text);
  }
  return *this;
}

bool Symbols::contains(std::string_view name) const { return data_->index.count(name) != 0; }

const double* Symbols::find(std::string_view name) const {
  auto it = data_->index.find(name);
  return it == data_->index.end() ? nullptr : data_->addresses[it->second];
}

const std::vector<std::string>& Symbols::names() const noexcept { return data_->names; }

std::vector<std::string> Symbols::function_names() const {
  std::vector<std::string> out;
  for (const auto& [name, callee] : data_->functions.list()) out.push_back(name);
  return out;
}

}  // namespace exprjit
