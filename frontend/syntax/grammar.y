/* grammar.y — the language's grammar (spec/language.md) as a Bison LALR(1) parser: the
 * executable reference the hand-written parser (parser.cpp) is checked against.
 *
 * It reads the same tokens from the same re2c lexer (yylex in lalr_parser.cpp) and builds
 * the same AST with the same spans, height limit and error positions.  The grammar is
 * unambiguous as written (no %left/%right): one nonterminal per precedence level, and
 * %expect 0 makes any conflict a build error.
 *
 * Reentrant: a pure parser; all state is in the Context passed as %param.
 * Semantic values are raw owning pointers (Bison's union needs trivial types); %destructor
 * frees them on every error path.  Actions that fail (depth limit) free what they own
 * themselves, since Bison does not destroy the right-hand side of an aborting rule.
 */

%require "3.8"
%define api.pure full
%define api.prefix {exprjit_lalr_}
%define api.token.prefix {TOK_}
%define api.location.type {exprjit::lalr::Loc}
%define api.header.include {"grammar.hpp"}
%define parse.error custom
%locations
%param {exprjit::lalr::Context& ctx}
%expect 0

%code requires {
#include "frontend/syntax/lalr_parser.hpp"

// Compiled as C++, Bison's C skeleton grows its stacks (memcpy to a bigger block) only
// when told the value and location types are trivially copyable; without these the
// stack would be stuck at YYINITDEPTH entries and deep input would "exhaust memory".
#define EXPRJIT_LALR_STYPE_IS_TRIVIAL 1
#define EXPRJIT_LALR_LTYPE_IS_TRIVIAL 1
}

%code provides {
int exprjit_lalr_lex(EXPRJIT_LALR_STYPE* yylval, exprjit::lalr::Loc* yylloc, exprjit::lalr::Context& ctx);
void exprjit_lalr_error(exprjit::lalr::Loc* yylloc, exprjit::lalr::Context& ctx, const char* msg);
}

%code {
#include "frontend/base/limits.hpp"

// A rule's location runs from its first symbol's start to its last symbol's end.  The
// actions use token locations only (node spans come from the nodes: parentheses are not
// part of an expression's span); an empty rule gets the location of the symbol before it.
#define YYLLOC_DEFAULT(Cur, Rhs, N)                 \
  do {                                              \
    if (N) {                                        \
      (Cur) = YYRHSLOC(Rhs, 1);                     \
      (Cur).end = YYRHSLOC(Rhs, N).end;             \
    } else {                                        \
      (Cur) = YYRHSLOC(Rhs, 0);                     \
    }                                               \
  } while (0)

// Bison's own stack.  A nesting level (at most kMaxDepth, enforced by the actions) adds
// at most 15 entries: its opener (at most 5: a call's "IDENT '(' nest args ','") and the
// five binary levels' "operand operator" pairs, as in `f(1,1||1&&1<1+1*(`.  YYMAXDEPTH
// leaves 60% to spare; were it ever reached, Bison's "memory exhausted" becomes a
// CompileError (exprjit_lalr_error; checked once by hand with -DYYMAXDEPTH=300).
#define YYINITDEPTH 256
#ifndef YYMAXDEPTH  // (a -D can lower it to test the exhaustion path)
#define YYMAXDEPTH (24 * static_cast<long>(exprjit::kMaxDepth) + 256)
#endif

// In an action: has the parser read the token after the rule's last symbol?  (Bison
// reduces some rules by default without reading it.)
#define LOOKAHEAD_READ (yychar != TOK_EXPRJIT_LALR_EMPTY)
}

/* The tokens of tokens.def (lalr_parser.cpp maps every Tok to TOK_<name> through an
 * X-macro, so a token missing here is a compile error there).  END is the end of input. */
%token END 0
%token <number> NUMBER
%token IDENT
%token PLUS MINUS STAR SLASH PERCENT CARET
%token LPAREN RPAREN COMMA QUESTION COLON
%token LT LE GT GE EQ NE AND OR NOT
%token ASSIGN SEMI
/* Not from the lexer: yylex returns one of these first, choosing the entry point. */
%token START_EXPRESSION START_LINE

%union {
  double number;
  exprjit::lalr::Sub sub;
  exprjit::lalr::Args args;
}

%type <sub> expr or and cmp add mul unary power primary
%type <args> args

%destructor { delete $$.e; } <sub>
%destructor { delete $$.v; } <args>

%start start

%%

start
  : START_EXPRESSION expr   { ctx.result.reset($2.e); }
  | START_LINE line
  ;

/* A session line: statement ( ';' statement )* ';'?, or nothing at all. */
line
  : %empty
  | statements
  | statements SEMI
  ;

statements
  : statement
  | statements SEMI statement
  ;

/* statement := IDENT '=' expr | IDENT '(' params? ')' '=' expr | expr
 * The left side of '=' is read as an expression; the mid-rule action checks that it is a
 * name or a call of names written at the statement's start (syntax::statement_head), as
 * soon as '=' is read, where the RD parser checks it too. */
statement
  : expr
      { ctx.evaluate($1); }
  | expr ASSIGN
      { if (!ctx.begin_head($1, @1, @2)) YYABORT; }
    expr
      { ctx.end_statement($1, $4); }
  ;

/* A nesting level opened by the token just before it (@0): '?', a prefix operator, '^',
 * '(' or a call's '(' — where the RD parser enters a Nest guard.  Always reduced right
 * after that token is shifted (its state has no other item). */
nest
  : %empty   { if (!ctx.open(@0.begin(), LOOKAHEAD_READ)) YYABORT; }
  ;

/* expr := or ( '?' expr ':' expr )?   right-associative */
expr
  : or
  | or QUESTION nest expr COLON expr
      { ctx.close(); if (!ctx.conditional($$, $1, @2, $4, $6, LOOKAHEAD_READ)) YYABORT; }
  ;

/* The five left-associative levels (operators.def's LEVEL).  A level's operators in a row
 * build one chain (Context::link): left recursion keeps Bison's stack flat however long it is. */
or
  : and
  | or OR and   { if (!ctx.link($$, 0, exprjit::BinOp::Or, $1, @2, $3, LOOKAHEAD_READ)) YYABORT; }
  ;

and
  : cmp
  | and AND cmp   { if (!ctx.link($$, 1, exprjit::BinOp::And, $1, @2, $3, LOOKAHEAD_READ)) YYABORT; }
  ;

/* One level for all six comparisons, left-associative: 1<2<3 is (1<2)<3. */
cmp
  : add
  | cmp LT add   { if (!ctx.link($$, 2, exprjit::BinOp::Lt, $1, @2, $3, LOOKAHEAD_READ)) YYABORT; }
  | cmp LE add   { if (!ctx.link($$, 2, exprjit::BinOp::Le, $1, @2, $3, LOOKAHEAD_READ)) YYABORT; }
  | cmp GT add   { if (!ctx.link($$, 2, exprjit::BinOp::Gt, $1, @2, $3, LOOKAHEAD_READ)) YYABORT; }
  | cmp GE add   { if (!ctx.link($$, 2, exprjit::BinOp::Ge, $1, @2, $3, LOOKAHEAD_READ)) YYABORT; }
  | cmp EQ add   { if (!ctx.link($$, 2, exprjit::BinOp::Eq, $1, @2, $3, LOOKAHEAD_READ)) YYABORT; }
  | cmp NE add   { if (!ctx.link($$, 2, exprjit::BinOp::Ne, $1, @2, $3, LOOKAHEAD_READ)) YYABORT; }
  ;

add
  : mul
  | add PLUS mul   { if (!ctx.link($$, 3, exprjit::BinOp::Add, $1, @2, $3, LOOKAHEAD_READ)) YYABORT; }
  | add MINUS mul   { if (!ctx.link($$, 3, exprjit::BinOp::Sub, $1, @2, $3, LOOKAHEAD_READ)) YYABORT; }
  ;

mul
  : unary
  | mul STAR unary   { if (!ctx.link($$, 4, exprjit::BinOp::Mul, $1, @2, $3, LOOKAHEAD_READ)) YYABORT; }
  | mul SLASH unary   { if (!ctx.link($$, 4, exprjit::BinOp::Div, $1, @2, $3, LOOKAHEAD_READ)) YYABORT; }
  | mul PERCENT unary   { if (!ctx.link($$, 4, exprjit::BinOp::Mod, $1, @2, $3, LOOKAHEAD_READ)) YYABORT; }
  ;

/* A prefix sign applies to a whole power: -a^2 is -(a^2). */
unary
  : MINUS nest unary  { ctx.close(); if (!ctx.unary($$, exprjit::UnOp::Neg, @1, $3, LOOKAHEAD_READ)) YYABORT; }
  | PLUS nest unary   { ctx.close(); if (!ctx.unary($$, exprjit::UnOp::Plus, @1, $3, LOOKAHEAD_READ)) YYABORT; }
  | NOT nest unary    { ctx.close(); if (!ctx.unary($$, exprjit::UnOp::Not, @1, $3, LOOKAHEAD_READ)) YYABORT; }
  | power
  ;

/* power := primary ( '^' unary )?   the exponent is a unary: 2^-1, and 2^3^2 = 2^(3^2) */
power
  : primary
  | primary CARET nest unary
      { ctx.close(); if (!ctx.power($$, $1, @2, $4, LOOKAHEAD_READ)) YYABORT; }
  ;

primary
  : NUMBER   { if (!ctx.leaf($$, @1, exprjit::syntax::Number{$1})) YYABORT; }
  | IDENT    { if (!ctx.leaf($$, @1, exprjit::syntax::Name{ctx.text(@1)})) YYABORT; }
  | IDENT LPAREN nest RPAREN
      {
        ctx.close();
        if (!ctx.call($$, @1, exprjit::lalr::Args{new std::vector<exprjit::syntax::ExprPtr>, 0}, @4, LOOKAHEAD_READ))
          YYABORT;
      }
  | IDENT LPAREN nest args RPAREN   /* not "opt_args": ',' stays in the expected list */
      { ctx.close(); if (!ctx.call($$, @1, $4, @5, LOOKAHEAD_READ)) YYABORT; }
  | LPAREN nest expr RPAREN
      { ctx.close(); $$ = $3; $$.open = -1; }   /* the span stays the inner expression's; a chain closes */
  ;

args
  : expr
      {
        $$ = exprjit::lalr::Args{new std::vector<exprjit::syntax::ExprPtr>, $1.h};
        $$.v->emplace_back($1.e);
      }
  | args COMMA expr
      {
        $$ = $1;
        $$.v->emplace_back($3.e);
        if ($3.h > $$.h) $$.h = $3.h;
      }
  ;

%%

/* The syntax-error report lives here: yypcontext_t exists only in this file. */

namespace {

// The lexer's token for a Bison symbol (both lists come from tokens.def / this file).
// Bison names the symbol of token number 0 YYSYMBOL_YYEOF whatever it is called here.
#define YYSYMBOL_END YYSYMBOL_YYEOF
bool tok_of(yysymbol_kind_t sym, exprjit::Tok& out) {
  switch (sym) {
#define TOKEN(name, spelling, desc) \
  case YYSYMBOL_##name:             \
    out = exprjit::Tok::name;       \
    return true;
#include "frontend/lang/tokens.def"
#undef TOKEN
    default:
      return false;
  }
}

bool starts_expression(exprjit::Tok t) {
  switch (t) {
    case exprjit::Tok::NUMBER: case exprjit::Tok::IDENT: case exprjit::Tok::LPAREN:
    case exprjit::Tok::MINUS: case exprjit::Tok::PLUS: case exprjit::Tok::NOT:
      return true;
    default:
      return false;
  }
}

}  // namespace

/* "expected an expression, found ')'" / "expected an operator or ':', found number '2'".
 * Bison's default reductions make the expected list the one of the state where the error
 * was detected: after a complete operand, the operators no longer show, hence the
 * "an operator or" prefix. */
static int yyreport_syntax_error(const yypcontext_t* yyctx, exprjit::lalr::Context& ctx) {
  if (ctx.error) return 0;
  const exprjit::Token& found = ctx.last;
  std::string found_text(exprjit::tok_description(found.kind));
  if (found.kind == exprjit::Tok::NUMBER || found.kind == exprjit::Tok::IDENT) {
    std::string t = ctx.text(found.span);
    if (t.size() <= 40) found_text += " '" + t + "'";
  }

  yysymbol_kind_t expected[YYNTOKENS];
  int n = yypcontext_expected_tokens(yyctx, expected, YYNTOKENS);
  bool operand = false, close_call = false;
  std::vector<std::string> others;
  for (int i = 0; i < n; ++i) {
    exprjit::Tok t;
    if (!tok_of(expected[i], t)) continue;
    if (starts_expression(t)) {
      operand = true;
    } else if (t == exprjit::Tok::RPAREN) {
      close_call = true;
      others.emplace_back(exprjit::tok_description(t));
    } else if (exprjit::tok_spelling(t).empty() || t == exprjit::Tok::COMMA ||
               t == exprjit::Tok::COLON || t == exprjit::Tok::SEMI) {
      others.emplace_back(exprjit::tok_description(t));
    }
  }

  std::string msg;
  if (operand) {
    msg = close_call ? "expected an expression or ')'" : "expected an expression";
  } else if (ctx.mode == exprjit::lalr::Mode::expression && found.kind == exprjit::Tok::ASSIGN) {
    msg = "'=' assigns only at the start of a session line (REPL or -f)";
  } else {
    msg = "expected an operator";
    for (std::size_t i = 0; i < others.size(); ++i)
      msg += (i + 1 == others.size() ? " or " : ", ") + others[i];
  }
  msg += ", found " + found_text;
  ctx.error.emplace(std::move(msg), yypcontext_location(yyctx)->begin());
  return 0;
}

/* Called by Bison only for "memory exhausted" (syntax errors go to the function above). */
void exprjit_lalr_error(exprjit::lalr::Loc* yylloc, exprjit::lalr::Context& ctx, const char* msg) {
  if (ctx.error) return;
  ctx.error.emplace(std::string("expression too complex: parser stack exhausted (") + msg + ")",
                    yylloc->begin());
}
