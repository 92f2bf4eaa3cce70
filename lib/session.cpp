// session.cpp — the public Session over the driver's statement loop.
#include "driver/front.hpp"
#include "driver/session.hpp"
#include "backends/cancel.hpp"
#include "lib/impl.hpp"

namespace exprjit {

struct Session::Impl {
  CompileOptions options;
  EventLog log;
  driver::Session session;
  std::string backend_name;
  explicit Impl(CompileOptions o)
      : options(std::move(o)), log(options.on_event), session(settings_from(options, log)),
        backend_name(session.backend().name) {}
};

namespace {

Session::Result to_result(const driver::Session::Outcome& o, const Session::Line& line, std::string_view source) {
  Session::Result r;
  r.ok = o.ok;
  r.has_value = o.has_value;
  r.value = o.value;
  r.defined = o.defined;
  if (o.error)
    r.error = format_error(Source{std::string(source), line.text, static_cast<std::uint32_t>(line.number)}, *o.error);
  else if (!o.ok)
    r.error = format_error(o.message);
  return r;
}

}  // namespace

Session::Session(CompileOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

Session::Result Session::run(const Line& line, std::string_view source_name) {
  return run(std::span(&line, 1), source_name).front();
}

std::vector<Session::Result> Session::run(std::span<const Line> lines, std::string_view source_name) {
  std::vector<driver::Session::Line> in;
  for (const Line& l : lines) in.push_back({l.text, static_cast<std::uint32_t>(l.number)});
  process_interrupt().reset();  // an interrupt_compile() made while nothing waited
  std::vector<driver::Session::Outcome> out = impl_->session.run(in);
  std::vector<Result> results;
  for (std::size_t i = 0; i < out.size(); ++i) results.push_back(to_result(out[i], lines[i], source_name));
  return results;
}

bool Session::backend_compiles_lines_together() const { return impl_->session.backend().has(kCostlyCompile); }

Session::Result Session::emit(std::string_view stage, const Line& line, std::string& out, std::string_view source_name) {
  const driver::StageInfo* st = driver::find_stage(stage);
  if (!st) throw Error("unknown stage '" + std::string(stage) + "'; valid stages: " + driver::stage_names());
  return to_result(impl_->session.emit(*st, {line.text, static_cast<std::uint32_t>(line.number)}, out), line,
                   source_name);
}

void Session::set(std::string_view name, double value) {
  validate_variable_name(name);
  if (impl_->session.callables().find(name)) throw Error("cannot use '" + std::string(name) + "' as a variable: it names a function");
  impl_->session.set(name, value);
}

std::vector<std::pair<std::string, double>> Session::variables() const { return impl_->session.variables(); }

std::vector<std::string> Session::functions() const {
  std::vector<std::string> out;
  for (const ir::FunctionRef& f : impl_->session.functions()) out.push_back(f->text);
  return out;
}

std::vector<double> Session::values() const { return impl_->session.values(); }

Expression Session::compile(std::string_view text, const CompileOptions& options) const {
  // Over the session's variables by name, calling its functions.
  return compile_with(text, impl_->session.scope().names(), {}, &impl_->session.callables(), options);
}

void Session::reset() { impl_->session.reset(); }

const std::string& Session::backend() const { return impl_->backend_name; }

void Session::set_backend(std::string_view name) {
  const BackendInfo* b = find_backend(name);
  if (!b) throw Error("unknown backend '" + std::string(name) + "'; valid backends: " + backend_names());
  impl_->session.set_backend(*b);
  impl_->options.backend = impl_->backend_name = std::string(name);
}

void Session::set_parser(std::string_view name) {
  if (name == "rd") impl_->session.set_parser(ParserKind::rd);
  else if (name == "lalr") impl_->session.set_parser(ParserKind::lalr);
  else throw Error("unknown parser '" + std::string(name) + "'; valid parsers: rd, lalr");
  impl_->options.parser = std::string(name);
}

const CompileOptions& Session::options() const { return impl_->options; }

}  // namespace exprjit
