// parser.hpp — the two parsers of the language.  Both take the same tokens (lexer.hpp) and
// build the same tree (ast.hpp); both throw CompileError at the first offending token.
//   rd:   hand-written recursive descent (parser.cpp), the default
//   lalr: Bison LALR(1) grammar (grammar.y, lalr_parser.cpp), the executable reference
#pragma once
#include <string_view>
#include <vector>

#include "frontend/syntax/ast.hpp"

namespace exprjit {

enum class ParserKind { rd, lalr };

// A whole text as one expression: expr END.
syntax::ExprPtr parse_expression(std::string_view text, ParserKind kind = ParserKind::rd);

// A session line (REPL, -f): statement ( ';' statement )* ';'?  where
//   statement := IDENT '=' expr | IDENT '(' params? ')' '=' expr | expr
// An empty line (only blanks/comments) gives no statements.  Both parsers read the left
// side of '=' as an expression and then require it to be a bare name (assignment) or a call
// of bare names (a definition), written at the statement's start.
std::vector<syntax::Statement> parse_line(std::string_view text, ParserKind kind = ParserKind::rd);

// The LALR(1) entry points (lalr_parser.cpp); parse_* dispatch to them.
syntax::ExprPtr lalr_parse_expression(std::string_view text);
std::vector<syntax::Statement> lalr_parse_line(std::string_view text);

namespace syntax {
// Turns the left side of '=' into the statement's head (shared by both parsers): fills
// s.kind, s.name, s.name_span, s.params from lhs, or throws CompileError at eq.  start is
// where the statement's first token begins.
void statement_head(Statement& s, Expr& lhs, std::uint32_t start, Pos eq);
}  // namespace syntax

}  // namespace exprjit
