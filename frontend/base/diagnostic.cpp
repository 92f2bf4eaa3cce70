// diagnostic.cpp — error formatting with a caret under the column.
#include "frontend/base/diagnostic.hpp"

#include <algorithm>
#include <cstdio>

namespace exprjit {

namespace {
constexpr std::size_t kWindow = 100;  // bytes of a long line shown around the error

// The length of the UTF-8 character at s[i] (1 for a byte that starts none), and whether
// it is a C1 control (U+0080 .. U+009F, encoded C2 80 .. C2 9F).
std::size_t utf8_length(std::string_view s, std::size_t i, bool* c1) {
  const auto c = static_cast<unsigned char>(s[i]);
  *c1 = false;
  const std::size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 1;
  if (len == 1 || i + len > s.size()) return 1;
  for (std::size_t k = 1; k < len; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 1;
  *c1 = c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0;
  return len;
}

std::string at_text(Pos p, std::uint32_t first_line) {
  return std::to_string(first_line + p.line - 1) + ":" + std::to_string(p.col);
}
}  // namespace

CompileError::CompileError(std::string message, Pos pos, std::optional<Pos> related)
    : template_(std::move(message)), pos_(pos), related_(related) {
  text_ = this->message();
}

std::string CompileError::message(std::uint32_t first_line) const {
  const std::size_t at = template_.find("{at}");
  if (at == std::string::npos || !related_) return template_;
  return template_.substr(0, at) + at_text(*related_, first_line) + template_.substr(at + 4);
}

std::string format_error(const Source& src, const CompileError& err) {
  const Pos p = err.pos();
  std::string out = src.name + ":" + at_text(p, src.first_line) + ": error: " +
                    printable_text(err.message(src.first_line), 4000) + "\n";

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
  for (std::size_t i = from; i < to;) {
    const unsigned char u = static_cast<unsigned char>(src.text[i]);
    bool c1 = false;
    const std::size_t len = utf8_length(src.text, i, &c1);
    const bool before = i < off;
    if (u == '\t') {
      line += '\t';
      if (before) caret += '\t';
    } else if (u < 0x20 || u == 0x7f || c1 || (len == 1 && u >= 0x80)) {
      line += '?';
      if (before) caret += ' ';
    } else {
      line.append(src.text.substr(i, len));
      if (before) caret += ' ';
    }
    i += std::min(len, to - i);
  }
  if (cut_right) line += "...";
  out += line + "\n" + caret + "^\n";
  return out;
}

std::string format_error(std::string_view message) { return "error: " + printable_text(message, 4000) + "\n"; }

std::string printable_text(std::string_view raw, std::size_t max_bytes) {
  std::string s;
  const std::string_view in = raw.substr(0, max_bytes);
  for (std::size_t i = 0; i < in.size();) {
    const unsigned char u = static_cast<unsigned char>(in[i]);
    bool c1 = false;
    const std::size_t len = utf8_length(in, i, &c1);
    char buf[12];
    if (u == '\n' || u == '\t') {
      s += static_cast<char>(u);
    } else if (c1) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])));
      s += buf;
    } else if (u < 0x20 || u == 0x7f || (len == 1 && u >= 0x80)) {
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      s += buf;
    } else {
      s.append(in.substr(i, len));
    }
    i += len;
  }
  return raw.size() > max_bytes ? s + "..." : s;
}

}  // namespace exprjit
