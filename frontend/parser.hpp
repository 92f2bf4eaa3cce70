// parser.hpp — the two parsers of the language.  Both take the same tokens (lexer.hpp) and
// build the same AST (ast.hpp); both throw CompileError at the first offending token.
//   rd:   hand-written recursive descent (parser.cpp), the default
//   lalr: Bison LALR(1) grammar (grammar.y, lalr_parser.cpp), the executable reference
#pragma once
#include <string_view>
#include <vector>

#include "ast.hpp"

namespace exprjit {

enum class ParserKind { rd, lalr };

// A whole text as one expression: expr END.
ExprPtr parse_expression(std::string_view text, ParserKind kind = ParserKind::rd);

// A session line (REPL, -f): statement ( ';' statement )* ';'?  where
// statement := IDENT '=' expr | expr.  An empty line (only blanks/comments) gives no
// statements.
std::vector<Statement> parse_line(std::string_view text, ParserKind kind = ParserKind::rd);

// The LALR(1) entry points (lalr_parser.cpp); parse_* dispatch to them.
ExprPtr lalr_parse_expression(std::string_view text);
std::vector<Statement> lalr_parse_line(std::string_view text);

}  // namespace exprjit
