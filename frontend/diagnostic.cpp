// diagnostic.cpp — error formatting with a caret under the column.
#include "diagnostic.hpp"

#include <algorithm>

namespace exprjit {

namespace {
constexpr std::size_t kWindow = 100;  // bytes of a long line shown around the error

char printable(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7f ? '?' : c;
}
}  // namespace

std::string format_error(const Source& src, const CompileError& err) {
  const Pos p = err.pos();
  std::string out = src.name + ":" + std::to_string(src.first_line + p.line - 1) + ":" +
                    std::to_string(p.col) + ": error: " + err.message() + "\n";

  // The source line holding the error.
  std::size_t off = std::min<std::size_t>(p.offset, src.text.size());
  std::size_t begin = src.text.rfind('\n', off == 0 ? std::string_view::npos : off - 1);
  begin = (off == 0 || begin == std::string_view::npos) ? 0 : begin + 1;
  if (off < begin) begin = off;
  std::size_t end = src.text.find('\n', off);
  if (end == std::string_view::npos) end = src.text.size();
  if (end > begin && src.text[end - 1] == '\r') --end;

  // Window around the caret for long lines.
  std::size_t from = begin, to = end;
  bool cut_left = false, cut_right = false;
  if (to - from > kWindow) {
    from = off > begin + kWindow / 2 ? off - kWindow / 2 : begin;
    cut_left = from > begin;
    to = std::min(end, from + kWindow);
    cut_right = to < end;
  }
  std::string line, caret;
  if (cut_left) line += "...", caret += "   ";
  for (std::size_t i = from; i < to; ++i) {
    char c = printable(src.text[i]);
    line += c;
    if (i < off) caret += c == '\t' ? '\t' : ' ';
  }
  if (cut_right) line += "...";
  out += line + "\n" + caret + "^\n";
  return out;
}

std::string format_error(std::string_view message) {
  return "error: " + std::string(message) + "\n";
}

}  // namespace exprjit
