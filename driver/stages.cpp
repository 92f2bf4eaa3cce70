// stages.cpp — the stage table and the printers of the front-end stages.
#include "driver/stages.hpp"

#include <array>

#include "frontend/syntax/lexer.hpp"

namespace exprjit::driver {

namespace {
constexpr std::array kStages = {
#define STAGE(id, name, backend, description) StageInfo{Stage::id, name, backend, description},
#include "driver/stages.def"
#undef STAGE
};
}  // namespace

std::span<const StageInfo> stage_table() { return kStages; }

const StageInfo* find_stage(std::string_view name) {
  for (const StageInfo& s : kStages)
    if (s.name == name) return &s;
  return nullptr;
}

std::string stage_names() {
  std::string s;
  for (const StageInfo& st : kStages) s += (s.empty() ? "" : ", ") + std::string(st.name);
  return s;
}

std::string print_tokens(std::string_view text) {
  std::string out;
  for (const Token& t : tokenize(text)) out += token_text(t, text) + "\n";
  return out;
}

std::string print_checked(const std::vector<const ir::Expr*>& exprs, const std::vector<ir::FunctionRef>& functions,
                          const std::vector<std::string>& slot_names) {
  std::string out;
  for (const ir::FunctionRef& f : functions) {
    out += "function " + f->text + "\n";
    std::string body = ir::to_tree(*f->body, {}, f->params);
    for (std::size_t at = 0; at < body.size();) {  // indented under its head
      const std::size_t nl = body.find('\n', at);
      out += "  " + body.substr(at, nl - at + 1);
      at = nl + 1;
    }
  }
  for (const ir::Expr* e : exprs) out += ir::to_tree(*e, slot_names);
  return out;
}

}  // namespace exprjit::driver
