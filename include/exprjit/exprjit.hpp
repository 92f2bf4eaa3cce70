// exprjit.hpp — the exprjit embedding API, the one header a program includes.
//
//   double x = 0, y = 0;
//   exprjit::Symbols syms;
//   syms.bind("x", &x).bind("y", &y);            // by pointer: compile once, evaluate many
//   exprjit::Expression f = exprjit::compile("sin(x)*y + 1", syms, {.backend = "vm"});
//   for (...) { x = ...; y = ...; double r = f(); }
//   f.eval_batch({xs, ys}, out);                 // columns in, column out
//
// Rules (docs/api.md has the full reference):
// - An Expression is immutable once compiled.  All its const member functions may be called
//   from any number of threads at once.  operator() reads the bound variables, so it is
//   only race-free while no thread writes them; eval(values) and eval_batch read only
//   their arguments and are the way to evaluate from many threads.
// - Copying an Expression copies one shared_ptr (an atomic increment); moving is cheaper
//   still and leaves the source empty.  Copies share the compiled code, which lives as
//   long as the last copy.
// - Variables bound by pointer must stay alive and at the same address as long as the
//   expression may be evaluated with operator().  The Symbols object itself may go away
//   right after compile(): the expression keeps the pointers, not the Symbols.
// - The backend is chosen by name ("tree", "vm", "jit", ...: available_backends()); every
//   backend gives the same results (docs/language.md, "Exactness across backends").
#pragma once
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#if defined(__GNUC__)
#define EXPRJIT_API __attribute__((visibility("default")))
#else
#define EXPRJIT_API
#endif

namespace exprjit {

// The library's version, e.g. "0.1.0".
EXPRJIT_API const char* version() noexcept;

// A value in the language's output format, as the exprjit program prints it: the shortest
// decimal that reads back to the same double (-2.8, 0.30000000000000004, 1e+21, inf, -0),
// and "nan" for every NaN.
EXPRJIT_API std::string format_number(double v);

// ---------------------------------------------------------------------------------------
// Errors.  Everything the API throws derives from exprjit::Error (a std::runtime_error);
// std::bad_alloc may also escape.

class EXPRJIT_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The text is not a valid expression for the given variables: a character outside the
// language, a syntax error, an unknown variable or function, a wrong number of arguments,
// nesting deeper than the documented limit.  Carries where: the byte offset into the text
// and the 1-based line and column (columns count bytes).  what() is "LINE:COL: MESSAGE".
class EXPRJIT_API ParseError : public Error {
 public:
  ParseError(std::string message, std::string text, std::size_t offset, std::size_t line, std::size_t column);

  const std::string& message() const noexcept { return message_; }  // without the position
  const std::string& text() const noexcept { return text_; }        // the expression compiled
  std::size_t offset() const noexcept { return offset_; }
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }

 private:
  std::string message_, text_;
  std::size_t offset_, line_, column_;
};

// The error as the exprjit program prints it, with the offending line and a caret:
//   <expr>:1:7: error: unknown variable 'q'
//   1+1.2-q
//         ^
EXPRJIT_API std::string format_error(const ParseError& e, std::string_view source_name = "<expr>");

// ---------------------------------------------------------------------------------------
// Backends.

struct BackendDescription {
  std::string name{};       // what CompileOptions::backend takes
  std::string description{};  // one line
};

// The backends of this build, the default (used when CompileOptions::backend is empty) first.
EXPRJIT_API std::vector<BackendDescription> available_backends();

struct CompileOptions {
  // Backend by name; "" = the default.  An unknown name makes compile() throw Error listing
  // the valid ones.
  std::string backend{};
  // jit backend only (the others ignore them):
  std::string go{};                     // Go toolchain; "" = $EXPRJIT_GO, Go 1.23, go on PATH
  std::vector<std::string> go_flags{};  // extra `go build` flags
  double go_build_timeout_s = 120;      // `go build` is killed after this long
};

// ---------------------------------------------------------------------------------------
// Variables.

// A symbol table: names bound to the addresses of doubles (muparser's DefineVar, ExprTk's
// symbol_table).  A plain value type: copyable, not synchronised (do not mutate it while
// another thread compiles with it).
class EXPRJIT_API Symbols {
 public:
  // Binds name to *value; expressions compiled afterwards read *value on every operator().
  // Binding a bound name again replaces its address (expressions already compiled keep the
  // old one).  Throws Error when name is not an identifier ([A-Za-z_][A-Za-z0-9_]*), is a
  // built-in constant or function (pi, e, sin, ...), or value is null.
  Symbols& bind(std::string_view name, const double* value);

  bool contains(std::string_view name) const { return find(name) != nullptr; }
  const double* find(std::string_view name) const;  // nullptr when not bound
  // The bound names in binding order: the order of eval()'s values and eval_batch()'s
  // columns for expressions compiled with these symbols.
  const std::vector<std::string>& names() const noexcept { return names_; }
  std::size_t size() const noexcept { return names_.size(); }

 private:
  std::vector<std::string> names_;
  std::vector<const double*> values_;
};

// ---------------------------------------------------------------------------------------
// Compiled expressions.

class EXPRJIT_API Expression {
 public:
  // An empty expression: evaluating it throws Error.  Also what a moved-from one becomes.
  Expression() noexcept = default;

  // With bound variables (compiled from Symbols): reads each bound variable's current value.
  // Compiled from a list of names instead, this needs the expression to use no variable
  // (else throws Error: use eval()).
  double operator()() const;

  // values[i] is the value of variables()[i]; values.size() must equal variables().size().
  double eval(std::span<const double> values) const;
  double eval(std::initializer_list<double> values) const { return eval(std::span(values.begin(), values.size())); }

  // Batch: columns[i] holds variables()[i] for every row; out receives one result per row.
  // Every column must hold at least out.size() values.  Bit-identical to calling eval()
  // row by row, and faster on every backend but tree (one dispatch per block of rows).
  void eval_batch(std::span<const std::span<const double>> columns, std::span<double> out) const;
  void eval_batch(std::initializer_list<std::span<const double>> columns, std::span<double> out) const {
    eval_batch(std::span(columns.begin(), columns.size()), out);
  }

  // The order of eval()'s values and eval_batch()'s columns: Symbols::names() or the list
  // of names the expression was compiled with (variables it does not use included).
  const std::vector<std::string>& variables() const;
  // The variables the expression reads, in the order of variables().
  const std::vector<std::string>& used_variables() const;
  const std::string& text() const;     // the source text
  const std::string& backend() const;  // the backend's name
  bool has_bound_variables() const;    // compiled from Symbols
  explicit operator bool() const noexcept { return impl_ != nullptr; }

  struct Impl;  // private (lib/impl.hpp)

 private:
  explicit Expression(std::shared_ptr<const Impl> impl) noexcept : impl_(std::move(impl)) {}
  const Impl& impl() const;
  friend struct ExpressionFactory;

  std::shared_ptr<const Impl> impl_;
};

// Compiles text against bound variables: every variable the text uses must be bound in
// symbols (else ParseError "unknown variable" at its position).
EXPRJIT_API Expression compile(std::string_view text, const Symbols& symbols, const CompileOptions& options = {});

// Compiles text against variable names without addresses: evaluate with eval() or
// eval_batch(), values in the order of `variables`.  Names follow Symbols::bind's rules
// and may not repeat (else Error).
EXPRJIT_API Expression compile(std::string_view text, std::span<const std::string> variables = {},
                               const CompileOptions& options = {});
EXPRJIT_API Expression compile(std::string_view text, std::initializer_list<std::string_view> variables,
                               const CompileOptions& options = {});
// No variables, options only: compile("1+2", {.backend = "vm"}).
EXPRJIT_API Expression compile(std::string_view text, const CompileOptions& options);

// Several expressions at once.  The jit builds them in one `go build`, so this is much
// faster than compiling them one by one there.  Throws on the first invalid text (the
// ParseError's text() says which).
EXPRJIT_API std::vector<Expression> compile_many(std::span<const std::string> texts, const Symbols& symbols,
                                                 const CompileOptions& options = {});
EXPRJIT_API std::vector<Expression> compile_many(std::span<const std::string> texts,
                                                 std::span<const std::string> variables,
                                                 const CompileOptions& options = {});

// The variables text uses, in order of first use, without the constants (pi, e): what to
// bind before compiling.  Throws ParseError when text is not a valid expression.
EXPRJIT_API std::vector<std::string> variables_of(std::string_view text);

}  // namespace exprjit
