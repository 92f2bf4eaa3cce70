// impl.hpp — what the public objects hold (private to the library), and the bridges from the
// internal errors and options to the public ones.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "driver/engines.hpp"
#include "driver/session.hpp"
#include "driver/settings.hpp"
#include "exprjit/exprjit.hpp"
#include "frontend/base/diagnostic.hpp"
#include "frontend/check/scope.hpp"

namespace exprjit {

// The public on_event callback as the pipeline's Log.
class EventLog final : public Log {
 public:
  explicit EventLog(std::function<void(const Event&)> f) : f_(std::move(f)) {}
  bool wants_detail() const override { return static_cast<bool>(f_); }
  bool wants_phases() const override { return static_cast<bool>(f_); }
  void detail(std::string_view line) override { emit({Event::Kind::detail, line, 0}); }
  void status(std::string_view line) override { emit({Event::Kind::status, line, 0}); }
  void phase(std::string_view name, double s) override { emit({Event::Kind::phase, name, s}); }

 private:
  void emit(const Event& e) {
    if (f_) f_(e);
  }
  std::function<void(const Event&)> f_;
};

// The options funnel: CompileOptions checked once into the pipeline's Settings (throws
// Error for an unknown backend, parser or call mode, or a timeout that is not a positive
// number; a timeout of inf, or too large to count, means none).  log must outlive them.
driver::Settings settings_from(const CompileOptions& o, Log& log);

// Immutable after construction; shared by every copy of the Expression.
struct Expression::Impl {
  mutable detail::Hot hot;           // first: all operator() reads (entry switched: Compiled::on_switch)
  detail::Entry entry{};             // what hot.entry points at first
  // The entries a tiered Compiled switched to (Compiled::on_switch), in order: never
  // overwritten, since an evaluation may still be reading the one before.
  mutable std::array<detail::Entry, 4> switched{};
  mutable std::size_t nswitched = 0;
  std::vector<const double*> bound;  // slot k reads *bound[k]; hot.ptrs = bound.data()
  std::string text;
  std::string backend_name;
  std::vector<std::string> variables;  // the caller's order (values, columns): slot order
  std::vector<std::string> reads;      // the variables the text reads (variables' order)
  bool has_bound = false;
  unsigned threads = 1;                // eval_batch's (CompileOptions::threads resolved)
  std::shared_ptr<EventLog> log;               // what the backends were made with
  std::shared_ptr<driver::Engines> engines;    // the backends (declared before code: outlives it)
  std::unique_ptr<Compiled> code;
  Impl() : hot{nullptr, nullptr} {}
};

struct ExpressionFactory {
  static Expression make(std::shared_ptr<const Expression::Impl> impl) { return Expression(std::move(impl)); }
};

struct Symbols::Data {
  std::vector<std::string> names;         // variables, in binding order
  std::vector<const double*> addresses;   // nullptr: declared without an address
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> index;
  Functions functions;                    // host and language functions
};

// compile() of one text against variables in slot order (addresses empty: none bound) and
// functions (nullptr: built-ins only); what Session::compile and the public overloads share.
Expression compile_with(std::string_view text, const std::vector<std::string>& names,
                        const std::vector<const double*>& addresses, const Functions* functions,
                        const CompileOptions& options);

// The public error for an internal one raised while compiling text.
ParseError to_public(const CompileError& e, std::string_view text);

// Throws Error unless name can be a variable: an identifier that is not a built-in
// constant or function.
void validate_variable_name(std::string_view name);

}  // namespace exprjit
