// diagnostic.hpp — the one error type of the front end and backends, and its printer.
//
// Printed as ninja and compilers do:
//   <expr>:1:8: error: unknown variable 'q'
//   1+1.2-q
//          ^
#pragma once
#include <exception>
#include <string>
#include <string_view>

#include "token.hpp"

namespace exprjit {

// What the text being compiled is called and where its first line sits in its file.
struct Source {
  std::string name = "<expr>";  // "<expr>", "<stdin>", or a file name
  std::string_view text;        // the text the positions refer to
  std::uint32_t first_line = 1; // line number of text's first line in the file
};

class CompileError : public std::exception {
 public:
  CompileError(std::string message, Pos pos) : message_(std::move(message)), pos_(pos) {}
  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& message() const { return message_; }
  Pos pos() const { return pos_; }

 private:
  std::string message_;
  Pos pos_;
};

// "where: error: message\n<source line>\n<caret>\n".  The line is cut to a window around
// the column when it is long, and control bytes are shown as '?' so the caret stays aligned.
std::string format_error(const Source& src, const CompileError& err);

// An error that has no position (usage, toolchain): "error: message\n".
std::string format_error(std::string_view message);

}  // namespace exprjit
