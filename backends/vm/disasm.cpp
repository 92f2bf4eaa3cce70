// disasm.cpp — bytecode listing.
#include "backends/vm/disasm.hpp"

#include <algorithm>
#include <cstdio>

#include "frontend/format.hpp"

namespace exprjit::vm {
namespace {

std::string index_text(std::size_t i) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%04zu", i);
  return buf;
}

// Appends operand text to line.  (Built with append, not `"r" + std::to_string(...)`,
// which trips GCC 12's false -Wrestrict warning, bug 105329.)
void operand(std::string& line, const Program& p, std::span<const std::string> names, Kind k, std::uint32_t v) {
  switch (k) {
    case Kind::R: line.append("r").append(std::to_string(v)); break;
    case Kind::K: line.append(format_value(p.consts[v])); break;
    case Kind::V:
      line.append("$");
      if (v < names.size() && !names[v].empty()) line.append(names[v]);
      else line.append("v").append(std::to_string(v));
      break;
    case Kind::J: line.append("@").append(index_text(v)); break;
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
      operand(line, p, names, kinds[j], vals[j]);
      first = false;
    }
    // Registers read beyond the named operand are implied by the instruction (SEL's else
    // arm, a ternary call's 2nd and 3rd argument): shown so the listing is complete.
    if (ins.op == Op::SEL) operand(line.append(", "), p, names, Kind::R, ins.c + 1);
    for (Op t : kTernOp) {
      if (ins.op != t) continue;
      operand(line.append(", "), p, names, Kind::R, ins.b + 1);
      operand(line.append(", "), p, names, Kind::R, ins.b + 2);
    }
    out.append(line).append("\n");
    i += static_cast<std::size_t>(oi.words);
  }
  return out;
}

}  // namespace exprjit::vm
