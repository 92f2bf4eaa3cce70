// error.cpp — the public errors and their caret printout.
#include <string>

#include "lib/impl.hpp"

namespace exprjit {

ParseError::ParseError(std::string message, std::string text, std::size_t offset, std::size_t line,
                       std::size_t column)
    : Error(std::to_string(line) + ":" + std::to_string(column) + ": " + message),
      message_(std::move(message)),
      text_(std::move(text)),
      offset_(offset),
      line_(line),
      column_(column) {}

std::string format_error(const ParseError& e, std::string_view source_name, std::size_t first_line) {
  // The internal printer does the line window and caret; it needs the internal error.
  Pos pos{static_cast<std::uint32_t>(e.offset()), static_cast<std::uint32_t>(e.line()),
          static_cast<std::uint32_t>(e.column())};
  return format_error(Source{std::string(source_name), e.text(), static_cast<std::uint32_t>(first_line)},
                      CompileError(e.message(), pos));
}

ParseError to_public(const CompileError& e, std::string_view text) {
  return ParseError(e.message(), std::string(text), e.pos().offset, e.pos().line, e.pos().col);
}

}  // namespace exprjit
