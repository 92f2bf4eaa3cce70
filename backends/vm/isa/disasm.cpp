// disasm.cpp — bytecode listing.
#include "backends/vm/isa/disasm.hpp"

#include "frontend/base/diagnostic.hpp"

#include <algorithm>
#include <cstdio>

#include "frontend/base/format.hpp"

namespace exprjit::vm {
namespace {

std::string index_text(std::size_t i) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%04zu", i);
  return buf;
}

// Appends operand text to line.  (Built with append, not `"r" + std::to_string(...)`,
// which trips GCC 12's false -Wrestrict warning, bug 105329.)
void operand(std::string& line, const Program& p, std::span<const std::string> names, Kind k, std::uint32_t v, Op op) {
  switch (k) {
    case Kind::R: line.append("r").append(std::to_string(v)); break;
    case Kind::K: line.append(format_value(p.consts[v])); break;
    case Kind::V:
      line.append("$");
      if (v < names.size() && !names[v].empty()) line.append(names[v]);
      else line.append("v").append(std::to_string(v));
      break;
    case Kind::J: line.append("@").append(index_text(v)); break;
    case Kind::X: {
      const CallSite& cs = p.calls[v];
      const std::string& name = op == Op::CALLH ? p.module->hosts[cs.callee]->name : p.module->functions[cs.callee].name;
      line.append(name).append("/").append(std::to_string(cs.nargs));
      break;
    }
    case Kind::_: break;
  }
}

}  // namespace

std::string disassemble(const Program& p, std::span<const std::string> names) {
  std::string out;
  out.append("; words: ").append(std::to_string(p.code.size()));
  out.append(", registers: ").append(std::to_string(p.nregs));
  out.append(", constants: ").append(std::to_string(p.consts.size()));
  out.append(p.batch ? " (batch program: conditionals select)\n" : "\n");
  for (std::size_t i = 0; i < p.code.size();) {
    const Ins& ins = p.code[i];
    const OpInfo& oi = info(ins.op);
    std::string line = index_text(i);
    line.append("  ").append(oi.mnemonic);
    line.resize(std::max<std::size_t>(line.size() + 1, 14), ' ');
    const Kind kinds[4] = {oi.a, oi.b, oi.c, oi.d};
    const std::uint32_t vals[4] = {ins.a, ins.b, ins.c, oi.words == 2 && i + 1 < p.code.size() ? p.code[i + 1].a : 0};
    bool first = true;
    for (int j = 0; j < 4; ++j) {
      if (kinds[j] == Kind::_) continue;
      if (!first) line.append(", ");
      operand(line, p, names, kinds[j], vals[j], ins.op);
      first = false;
    }
    // Registers read beyond the named operand are implied by the instruction (SEL's else
    // arm, a ternary call's 2nd and 3rd argument, a call's further arguments): shown so the
    // listing is complete.
    if (ins.op == Op::SEL) operand(line.append(", "), p, names, Kind::R, ins.c + 1, ins.op);
    for (Op t : kTernOp) {
      if (ins.op != t) continue;
      operand(line.append(", "), p, names, Kind::R, ins.b + 1, ins.op);
      operand(line.append(", "), p, names, Kind::R, ins.b + 2, ins.op);
    }
    if (ins.op == Op::CALLH || ins.op == Op::CALLF) {
      line.append(" (");
      for (std::uint32_t a = 0; a < p.calls[ins.c].nargs; ++a)
        operand(line.append(a ? ", " : ""), p, names, Kind::R, ins.b + a, ins.op);
      line.append(")");
    }
    out.append(line).append("\n");
    i += static_cast<std::size_t>(oi.words);
  }
  return out;
}

std::string disassemble_functions(const Module& m, const std::vector<std::vector<std::string>>& param_names,
                                  const std::vector<std::string>& texts) {
  std::string out;
  for (std::size_t i = 0; i < m.functions.size(); ++i) {
    const FunctionCode& f = m.functions[i];
    const std::vector<std::string>& params = param_names[i];
    out.append("function ").append(f.name).append("(");
    for (std::size_t j = 0; j < params.size(); ++j) out.append(j ? ", " : "").append(params[j]);
    out.append(")");
    if (i < texts.size() && !texts[i].empty()) out.append("   ; ").append(printable_text(texts[i]));
    out.append("\n");
    out += disassemble(f.single, params);
    if (!f.batch.code.empty()) out += disassemble(f.batch, params);
  }
  return out;
}

}  // namespace exprjit::vm
