// diagnostic.hpp — the one error type of the front end and backends, and its printer.
//
// Printed as ninja and compilers do:
//   <expr>:1:8: error: unknown variable 'q'
//   1+1.2-q
//          ^
#pragma once
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "frontend/base/pos.hpp"

namespace exprjit {

// What the text being compiled is called and where its first line sits in its file.
struct Source {
  std::string name = "<expr>";  // "<expr>", "<stdin>", or a file name
  std::string_view text;        // the text the positions refer to
  std::uint32_t first_line = 1; // line number of text's first line in the file
};

// A compile error at a position of the text.  A message may also name a second place
// ("expected ')' to close '(' at 3:1"): it is written with the placeholder {at} and the
// place given as `related`, so that the printed line number counts from the file's first
// line, like the main position's (a session reads a file line by line).
class CompileError : public std::exception {
 public:
  CompileError(std::string message, Pos pos, std::optional<Pos> related = std::nullopt);
  const char* what() const noexcept override { return text_.c_str(); }
  // The message with {at} filled in, lines counted from first_line.
  std::string message(std::uint32_t first_line = 1) const;
  Pos pos() const { return pos_; }
  std::optional<Pos> related() const { return related_; }

 private:
  std::string template_, text_;
  Pos pos_;
  std::optional<Pos> related_;
};

// "where: error: message\n<source line>\n<caret>\n".  The line is cut to a window around
// the column when it is long; control characters (C0, DEL, and C1 in UTF-8) are shown as
// '?' so that nothing reaches the terminal as a control sequence, and the caret counts
// characters, so it stays under the column on lines with multi-byte UTF-8.
std::string format_error(const Source& src, const CompileError& err);

// An error that has no position (usage, toolchain): "error: message\n".
std::string format_error(std::string_view message);

// Text safe to print on a terminal: C0 and C1 control characters, DEL and bytes that are
// not UTF-8 become \xNN (C1 as \u009b); at most max_bytes of input, then "...".
std::string printable_text(std::string_view raw, std::size_t max_bytes = 200);

}  // namespace exprjit
