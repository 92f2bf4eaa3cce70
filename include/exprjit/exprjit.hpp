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
//   right after compile(): the expression keeps what it needs, not the Symbols.
// - The backend is chosen by name ("tree", "vm", "jit", ...: available_backends()); every
//   backend gives the same results, bit for bit (docs/language.md).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
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

// Text safe to print on a terminal: control characters (C0, DEL, C1) and bytes that are
// not UTF-8 are escaped (\x1b, \u009b); at most max_bytes of it, then "...".
EXPRJIT_API std::string printable(std::string_view text, std::size_t max_bytes = 200);

// The built-in functions ("sin", "x"; "min", "a, b, ..."; "clamp", "lo, x, hi") and constants.
struct FunctionDescription {
  std::string name{};
  std::string params{};
};
EXPRJIT_API std::vector<FunctionDescription> builtin_functions();
EXPRJIT_API std::vector<std::string> builtin_constants();

// ---------------------------------------------------------------------------------------
// Errors.  Everything the API throws derives from exprjit::Error (a std::runtime_error);
// std::bad_alloc may also escape, and so does whatever a host function throws.

class EXPRJIT_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The text is not valid for the given variables and functions: a character outside the
// language, a syntax error, an unknown variable or function, a wrong number of arguments,
// nesting deeper than the documented limit.  Carries where: the byte offset into the text
// and the 1-based line and column (columns count bytes).  what() is "LINE:COL: MESSAGE".
class EXPRJIT_API ParseError : public Error {
 public:
  ParseError(std::string message, std::string text, std::size_t offset, std::size_t line, std::size_t column);

  const std::string& message() const noexcept { return message_; }  // without the position
  const std::string& text() const noexcept { return text_; }        // the text compiled
  std::size_t offset() const noexcept { return offset_; }
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }

 private:
  std::string message_, text_;
  std::size_t offset_, line_, column_;
};

// The error as the exprjit program prints it, with the offending line and a caret; lines
// count from first_line (the line the text starts on in its file):
//   <expr>:1:7: error: unknown variable 'q'
//   1+1.2-q
//         ^
EXPRJIT_API std::string format_error(const ParseError& e, std::string_view source_name = "<expr>",
                                     std::size_t first_line = 1);

// ---------------------------------------------------------------------------------------
// Backends, stages and options.

struct BackendDescription {
  std::string name{};         // what CompileOptions::backend takes
  std::string description{};  // one line
  bool is_default = false;    // used when CompileOptions::backend is empty
  bool is_reference = false;  // the readable reference the others are compared with
};
// The backends of this build, in the backend table's order.
EXPRJIT_API std::vector<BackendDescription> available_backends();

// The stages a text passes through that can be printed (exprjit --emit): tokens, ast,
// checked, and the listings of the backends that have one (bytecode, go).
struct StageDescription {
  std::string name{};
  std::string description{};
  std::string backend{};  // the backend whose listing it is, or "" for a front-end stage
};
EXPRJIT_API std::vector<StageDescription> available_stages();

// What compiling reports besides its result, for a caller that wants to show it.
struct Event {
  enum class Kind {
    detail,  // a line of detail (exprjit --verbose): command lines, cache decisions, sizes
    status,  // slow work starts (a jit build): worth a note on a terminal
    phase,   // a phase ended: name in text, its duration in seconds (exprjit --time)
  };
  Kind kind;
  std::string_view text;
  double seconds = 0;
};

struct CompileOptions {
  // Backend by name; "" = the default.  An unknown name makes compile() throw Error listing
  // the valid ones.
  std::string backend{};
  // Parser: "rd" (recursive descent, the default) or "lalr" (the Bison reference); both
  // build the same tree.
  std::string parser{};
  // jit backend only (the others ignore them):
  std::string go{};                     // Go toolchain; "" = $EXPRJIT_GO, Go 1.23, go on PATH
  std::vector<std::string> go_flags{};  // extra `go build` flags: trusted input (-toolexec runs anything)
  double go_build_timeout_s = 120;      // `go build` is killed after this long; inf: never
  bool keep_temps = false;              // keep the build directory (for debugging)
  // How the jit calls its code: "auto" (directly where vetted and the thread's stack has
  // room, else on the vm), "direct" (any refusal is an Error), "fallback" (always the vm).
  std::string jit_call{};
  // auto backend only: when it builds the jit version of what the vm runs (docs/jit.md,
  // "Tiers"): "measured" (the default: once the vm time spent, or predicted for a batch in
  // progress, reaches the measured cost of a build), "at-once" (in the background, at once),
  // "never" (only a cache hit switches), "wait" (at once, and compile() returns once it has
  // switched or failed: for tests).
  std::string tier{};
  // Threads for eval_batch: 0 = the machine's cores, 1 = the calling thread only.  A batch
  // runs its first kParallelProbeRows rows on the calling thread, timed; when the rest would
  // take longer than kParallelMinMicros, it is split over the library's pool.  Results are
  // the same bits whatever the count.
  unsigned threads = 0;
  // Receives what compiling reports (Event): from the compiling thread, and with the auto
  // backend also from its builder's thread (the background lookups and builds), never two
  // calls at once for one compile() call's expressions while one is alive.
  std::function<void(const Event&)> on_event{};
};

// Throws Error when options cannot be used: an unknown backend, parser or call mode, a
// timeout that is not a positive number, a go flag that cannot work in a plugin (-race,
// -msan, -asan).  compile() runs the same checks.
EXPRJIT_API void validate(const CompileOptions& options);

// Jit builds in progress (docs/api.md, "Cancelling builds").
// Stops every jit build of this process, the background ones of the auto backend too, and
// returns once their go processes are dead and their build directories removed (or after
// 10 s); what waited for a build gets an Error ("cancelled"), what runs on the vm stays
// there.  For a program stopping on a signal: call it from a thread, not from the handler.
EXPRJIT_API void cancel_builds();
// Async-signal-safe (a SIGINT handler may call it): stops the build a compile() call is
// waiting for, which then throws Error; background builds go on.  A request made while no
// compile() waits is dropped when the next compile() starts.
EXPRJIT_API void interrupt_compile() noexcept;

// ---------------------------------------------------------------------------------------
// Variables and functions.

// Options of a host function.
struct FunctionOptions {
  // The function returns the same value for the same arguments and has no effect: a call
  // whose arguments are constants may then be computed once, at compile time.
  bool pure = false;
};

// The general form of a host function: any number of arguments (within the bounds it was
// bound with), and a user pointer for state.
using GeneralFunction = double (*)(const double* args, std::size_t n, void* user);

// A symbol table: names bound to the addresses of doubles (muparser's DefineVar, ExprTk's
// symbol_table), names of variables without an address, host functions, and functions
// defined in the language.  A plain value type: copyable, not synchronised (do not mutate it
// while another thread compiles with it).
class EXPRJIT_API Symbols {
 public:
  Symbols();
  ~Symbols();
  Symbols(const Symbols&);
  Symbols(Symbols&&) noexcept;
  Symbols& operator=(const Symbols&);
  Symbols& operator=(Symbols&&) noexcept;

  // Binds name to *value; expressions compiled afterwards read *value on every operator().
  // Binding a bound name again replaces its address (expressions already compiled keep the
  // old one).  Throws Error when name is not an identifier ([A-Za-z_][A-Za-z0-9_]*), is a
  // built-in constant or function (pi, e, sin, ...) or a bound function, or value is null.
  Symbols& bind(std::string_view name, const double* value);
  // A variable without an address: its value comes with eval(values) and eval_batch().
  Symbols& declare(std::string_view name);

  // Host functions.  A function of 0 to 8 doubles returning a double, as a plain function
  // pointer (a capture-free lambda converts: +[](double x) { return 2 * x; }).  Declared
  // noexcept, it is called directly; otherwise an exception it throws is caught, the
  // evaluation finishes (the call yields NaN) and the exception is rethrown from the
  // evaluating call.  The contract (docs/api.md): thread-safe if the expression is
  // evaluated from several threads; pure only if declared so.  Names follow bind's rules.
  template <class F>
  Symbols& bind_function(std::string_view name, F* f, FunctionOptions options = {}) {
    using T = detail_fn<F>;
    static_assert(T::valid, "bind_function takes double f(double, ...) with 0 to 8 double parameters");
    return bind_typed(name, T::arity, reinterpret_cast<void*>(f), T::nothrow, options);
  }
  // The general form: min_args to max_args arguments (max_args 0: any number >= min_args).
  Symbols& bind_function(std::string_view name, GeneralFunction f, void* user, int min_args, int max_args,
                         FunctionOptions options = {});

  // Functions in the language, for every expression compiled with these symbols:
  // "f(x, y) = x^2 + y; g(t) = f(t, 1)".  Each may call built-ins, host functions and the
  // functions defined before it; a later definition of a name replaces it.  Throws
  // ParseError at the offending position.
  Symbols& define(std::string_view definitions);

  bool contains(std::string_view name) const;        // a variable of these symbols
  const double* find(std::string_view name) const;   // its address; nullptr when declared or absent
  // The variables in binding order: the order of eval()'s values and eval_batch()'s columns
  // for expressions compiled with these symbols.
  const std::vector<std::string>& names() const noexcept;
  std::size_t size() const noexcept { return names().size(); }
  // The function names (host, then language), in order of definition.
  std::vector<std::string> function_names() const;

  struct Data;  // private (lib/symbols.cpp)
  const Data& data() const { return *data_; }

 private:
  template <class F>
  struct detail_fn {
    static constexpr bool valid = false;
  };
  template <class... A>
  struct detail_fn<double(A...)> {
    static constexpr bool valid = (std::is_same_v<A, double> && ...) && sizeof...(A) <= 8;
    static constexpr int arity = static_cast<int>(sizeof...(A));
    static constexpr bool nothrow = false;
  };
  template <class... A>
  struct detail_fn<double(A...) noexcept> : detail_fn<double(A...)> {
    static constexpr bool nothrow = true;
  };
  Symbols& bind_typed(std::string_view name, int arity, void* fn, bool nothrow, FunctionOptions options);

  std::unique_ptr<Data> data_;
};

// ---------------------------------------------------------------------------------------
// Compiled expressions.

namespace detail {
// What operator() reaches in one step: the code's entry point and the bound addresses.
// The entry is switched atomically a few times at most (the auto backend's switch to
// faster code); everything it points at stays valid as long as the expression.
struct Entry {
  double (*fn)(const double* const* ptrs, const void* ctx);
  const void* ctx;
};
struct Hot {
  std::atomic<const Entry*> entry;
  const double* const* ptrs;
};
EXPRJIT_API extern const Hot empty_hot;  // an empty Expression's: evaluating it throws Error
}  // namespace detail

class EXPRJIT_API Expression {
 public:
  // An empty expression: evaluating it throws Error.  Also what a moved-from one becomes.
  Expression() noexcept = default;
  Expression(const Expression& o) = default;
  Expression(Expression&& o) noexcept : hot_(std::exchange(o.hot_, &detail::empty_hot)), impl_(std::move(o.impl_)) {}
  Expression& operator=(const Expression&) = default;
  Expression& operator=(Expression&& o) noexcept {
    hot_ = std::exchange(o.hot_, &detail::empty_hot);
    impl_ = std::move(o.impl_);
    return *this;
  }

  // With bound variables (compiled from Symbols): reads each bound variable's current value
  // through its address, and only the ones the expression uses.  Compiled without
  // addresses, this needs the expression to use no variable (else throws Error: use eval()).
  double operator()() const {
    const detail::Entry* e = hot_->entry.load(std::memory_order_acquire);
    return e->fn(hot_->ptrs, e->ctx);
  }

  // values[i] is the value of variables()[i]; values.size() must equal variables().size().
  double eval(std::span<const double> values) const;
  double eval(std::initializer_list<double> values) const { return eval(std::span(values.begin(), values.size())); }

  // Batch: columns[i] holds variables()[i] for every row; out receives one result per row.
  // Every column must hold at least out.size() values, and out must not overlap a column
  // (both are Errors).  Bit-identical to calling eval() row by row.
  void eval_batch(std::span<const std::span<const double>> columns, std::span<double> out) const;
  void eval_batch(std::initializer_list<std::span<const double>> columns, std::span<double> out) const {
    eval_batch(std::span(columns.begin(), columns.size()), out);
  }
  // The thread count its batches use (CompileOptions::threads, 0 resolved).
  unsigned threads() const;

  // The order of eval()'s values and eval_batch()'s columns: Symbols::names() or the list
  // of names the expression was compiled with (variables it does not use included).
  const std::vector<std::string>& variables() const;
  // The variables the expression reads, in the order of variables().
  const std::vector<std::string>& used_variables() const;
  const std::string& text() const;     // the source text
  const std::string& backend() const;  // the backend's name
  // How the code runs now (for a person): "vm", "jit: one row direct; ...", the fallback's
  // reason; for auto, the tier ("auto: vm (the jit is being built)", "auto: jit: ...").
  std::string how() const;
  bool has_bound_variables() const;    // compiled from Symbols with addresses
  explicit operator bool() const noexcept { return impl_ != nullptr; }

  struct Impl;  // private (lib/impl.hpp)

 private:
  explicit Expression(std::shared_ptr<const Impl> impl) noexcept;
  const Impl& impl() const;
  friend void eval_batch_many(std::span<const Expression> exprs, std::span<const std::span<const double>> columns,
                              std::span<const std::span<double>> outs);
  friend struct ExpressionFactory;

  const detail::Hot* hot_ = &detail::empty_hot;  // first: operator() needs only this
  std::shared_ptr<const Impl> impl_;
};

// Compiles text against symbols: every variable the text uses must be one of them, and
// every function a built-in or one of theirs (else ParseError at its position).
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
// When a batch goes parallel (CompileOptions::threads; docs/api.md has the measurements):
// the rows timed on the calling thread first, and the least time the rest must take.
inline constexpr std::size_t kParallelProbeRows = 4096;
inline constexpr double kParallelMinMicros = 200;

// Several outputs in one pass over the rows: outs[k] receives exprs[k] on every row of the
// columns, block by block (each block of every column is read once for all expressions,
// while it is in cache), on the threads of exprs[0] (CompileOptions::threads).  Every
// expression must have the same variables() (compiled against the same symbols or names),
// every out the same length, no out may overlap a column or another out: else Error.
EXPRJIT_API void eval_batch_many(std::span<const Expression> exprs, std::span<const std::span<const double>> columns,
                                 std::span<const std::span<double>> outs);

EXPRJIT_API std::vector<Expression> compile_many(std::span<const std::string> texts, const Symbols& symbols,
                                                 const CompileOptions& options = {});
EXPRJIT_API std::vector<Expression> compile_many(std::span<const std::string> texts,
                                                 std::span<const std::string> variables,
                                                 const CompileOptions& options = {});

// Checks text against symbols as compile() does, without compiling it: throws ParseError.
EXPRJIT_API void check(std::string_view text, const Symbols& symbols = {}, const CompileOptions& options = {});

// The variables text uses, in order of first use, without the constants (pi, e): what to
// bind before compiling.  Throws ParseError when text is not a valid expression.
EXPRJIT_API std::vector<std::string> variables_of(std::string_view text, const Symbols& symbols = {});

// A stage of text as `exprjit --emit=STAGE` prints it (available_stages()), compiled
// against symbols.  Throws ParseError for an invalid text, Error for an unknown stage.
EXPRJIT_API std::string emit(std::string_view stage, std::string_view text, const Symbols& symbols = {},
                             const CompileOptions& options = {});

// ---------------------------------------------------------------------------------------
// Sessions: lines of statements, as the REPL and `exprjit -f` run them.
//
//   statement := expr | name = expr | name(p, q) = expr         several per line, with ';'
//
// An assignment defines or changes a variable for later lines; a definition defines a
// function for later lines (a later one replaces it, for later lines only).  A line that
// fails changes nothing, not even by its earlier statements.

class EXPRJIT_API Session {
 public:
  explicit Session(CompileOptions options = {});
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  struct Line {
    std::string_view text;
    std::size_t number = 1;  // its line number in its file (for error positions)
  };
  // What a line gave: its last statement's value, or nothing (an empty line, or one that
  // ends with a definition: then `defined` names it, "f(x, y)"), or an error.
  struct Result {
    bool ok = true;
    bool has_value = false;
    double value = 0;
    std::string defined;
    // When !ok: the error as the exprjit program prints it ("where:line:col: error: ...",
    // the line, a caret), or "error: ..." for an error without a position.
    std::string error;
  };

  // One line.
  Result run(const Line& line, std::string_view source_name = "<session>");
  // Several lines checked in order, compiled together (one build on a backend with a costly
  // build: backend_compiles_lines_together()), then evaluated in order.
  std::vector<Result> run(std::span<const Line> lines, std::string_view source_name = "<session>");
  bool backend_compiles_lines_together() const;

  // A stage of a line's statements (checked as run() would check them, nothing assigned);
  // an error is returned formatted, as Result::error.
  Result emit(std::string_view stage, const Line& line, std::string& out, std::string_view source_name = "<session>");

  // Defines or changes a variable (exprjit --var, the REPL's _).
  void set(std::string_view name, double value);
  // The variables and their values, in definition order.
  std::vector<std::pair<std::string, double>> variables() const;
  // The functions defined in the session, as "f(x, y) = x^2 + y" (their text, normalised).
  std::vector<std::string> functions() const;
  // An expression over the session's variables (by value: eval(values()) evaluates it as the
  // session would) and functions, with the session's options or others (another backend).
  Expression compile(std::string_view text) const { return compile(text, options()); }
  Expression compile(std::string_view text, const CompileOptions& options) const;
  std::vector<double> values() const;
  // Forgets every variable and function.
  void reset();

  const std::string& backend() const;
  void set_backend(std::string_view name);  // throws Error for an unknown one
  void set_parser(std::string_view name);   // "rd" or "lalr"
  const CompileOptions& options() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace exprjit
