// fuzz_frontend.cpp — libFuzzer target: any bytes through both parsers.  They must agree
// (the same AST with spans, or the same error position) and never crash; accepted
// expressions then go through the checker, which must not crash either.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "frontend/check/check.hpp"
#include "frontend/base/diagnostic.hpp"
#include "frontend/syntax/parser.hpp"

namespace {

using namespace exprjit;

// Either the canonical printout of the statements or "error L:C".
template <class F>
std::string outcome(F&& parse) {
  try {
    return parse();
  } catch (const CompileError& e) {
    return "error " + std::to_string(e.pos().line) + ":" + std::to_string(e.pos().col);
  }
}

[[noreturn]] void disagree(std::string_view mode, std::string_view text, const std::string& rd, const std::string& lalr) {
  std::fprintf(stderr, "parsers disagree (%.*s mode) on %zu bytes:\n  rd:   %s\n  lalr: %s\n",
               static_cast<int>(mode.size()), mode.data(), text.size(), rd.c_str(), lalr.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  std::string rd = outcome([&] { return to_sexpr(*parse_expression(text, ParserKind::rd), true); });
  std::string lalr = outcome([&] { return to_sexpr(*parse_expression(text, ParserKind::lalr), true); });
  if (rd != lalr) disagree("expression", text, rd, lalr);

  std::string rd_line = outcome([&] { return to_sexpr(parse_line(text, ParserKind::rd), true); });
  std::string lalr_line = outcome([&] { return to_sexpr(parse_line(text, ParserKind::lalr), true); });
  if (rd_line != lalr_line) disagree("line", text, rd_line, lalr_line);

  // The checker on an accepted expression, and on each statement of a line (definitions
  // included): resolves or rejects, never crashes.
  const Scope scope({"a", "b", "c", "x", "y", "z", "w"});
  const Names names{&scope, nullptr, nullptr, {}};
  try {
    check(*parse_expression(text), names);
  } catch (const CompileError&) {
  }
  try {
    for (const syntax::Statement& st : parse_line(text)) {
      if (st.kind == syntax::Statement::Kind::define) check_definition(st, names, text);
      else check(*st.expr, names);
    }
  } catch (const CompileError&) {
  }
  return 0;
}
