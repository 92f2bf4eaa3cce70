// options.cpp — the command line, declared with CLI11.  Usage errors exit with status 2.
#include "cli/options.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>

#include "frontend/builtins.hpp"

namespace exprjit::cli {

namespace {

const char* kDescription =
    "exprjit - evaluate arithmetic expressions with an interpreter, a bytecode VM or a Go JIT.\n";

const char* kFooter = R"(Examples:
  exprjit '1+1.2-5'                          prints -2.8
  exprjit --var a=2 'sin(2.2*a)+cos(pi/a)'   variables from the command line
  exprjit -- -2^2                            an expression starting with '-' goes after --
  exprjit --backend=jit 'x < y ? x : y' --var x=1 --var y=2
  exprjit -f session.txt                     one result per line; 'x = 1' assigns
  exprjit --csv data.csv 'x*y' --as area     a result column appended to every row
  echo '1+2; 3*4' | exprjit                  stdin that is not a terminal is read as a file
  exprjit --emit=tokens|ast|bytecode|go EXPR show a stage instead of evaluating

Language: numbers, variables, pi, e, + - * / % ^ (right-assoc, -a^2 = -(a^2)),
< <= > >= == != (1 or 0), && || !, c ? a : b, and the functions listed by --functions.
Values are IEEE doubles; 1/0 = inf, 0/0 = nan.  Full reference: docs/language.md.

Exit status: 0 success, 1 a compile error (or any failing line with -f), 2 usage error.
Environment: EXPRJIT_GO (Go toolchain for the jit), EXPRJIT_CACHE_DIR (plugin cache).)";

// A variable's value: decimal or hex float, inf, -inf, nan, -0; one leading '+' allowed.
std::optional<double> parse_value(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (end != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) return std::strtod(std::string(s).c_str(), nullptr);
  if (ec != std::errc()) return std::nullopt;
  return v;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::string function_list() {
  std::string s = "Functions:\n";
  for (const Builtin& b : builtins()) {
    std::string args = b.variadic() ? "a, b, ..." : b.min_args == 1 ? "x" : b.min_args == 2 ? "x, y" : "lo, x, hi";
    s += "  " + std::string(b.name) + "(" + args + ")\n";
  }
  s += "Constants:\n";
  for (const NamedConstant& c : constants()) s += "  " + std::string(c.name) + "\n";
  return s;
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  CLI::App app{kDescription, "exprjit"};
  app.footer(kFooter);
  app.set_version_flag("--version", std::string("exprjit ") + EXPRJIT_VERSION);
  app.get_formatter()->column_width(34);

  std::vector<std::string> var_specs, go_flags;
  std::string parser = "rd", emit;
  o.backend = std::string(backend_table().front().name);
  bool functions = false;

  app.add_option("EXPR", o.exprs, "expressions to evaluate, one result line each");
  app.add_option("-f,--file", o.file,
                 "evaluate each line of FILE ('-' = stdin) as a session: 'x = 1' assigns, ';' separates "
                 "statements, '#' starts a comment; prints one line per line ('error' for a failing one)")
      ->type_name("FILE");
  app.add_option("--var", var_specs, "bind a variable: NAME=VALUE (VALUE may be inf, -inf, nan, -0); repeatable")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);  // one value per --var, so `--var a=1 -- -a` works
  app.add_option("-b,--backend", o.backend, "evaluator: " + backend_names() + " (default " + o.backend + ")")
      ->type_name("NAME");
  app.add_option("--parser", parser, "front end: rd (recursive descent, default) or lalr (Bison reference)")
      ->check(CLI::IsMember({"rd", "lalr"}))
      ->type_name("rd|lalr");
  app.add_option("--emit", emit,
                 "print a stage instead of evaluating: tokens, ast, bytecode (vm program) or go (jit source)")
      ->check(CLI::IsMember({"tokens", "ast", "bytecode", "go"}))
      ->type_name("STAGE");
  app.add_flag("--time", o.time, "print per-phase timings (lex, parse, check, compile, eval) to stderr");
  app.add_flag("-v,--verbose", o.verbose, "jit: print go command lines, phase times and loaded plugins to stderr");
  app.add_flag("--functions", functions, "list the built-in functions and constants, then exit");
  app.add_option("--go", o.backend_options.go, "jit: Go toolchain to use (else $EXPRJIT_GO, Go 1.23, go on PATH)")
      ->type_name("PATH");
  app.add_option("--go-flag", go_flags, "jit: extra flag for 'go build'; repeatable")
      ->type_name("FLAG")
      ->allow_extra_args(false);
  app.add_flag("--keep-temps", o.backend_options.keep_temps, "jit: keep the temporary build directory");
  app.add_option("--jit-call", o.backend_options.jit_call,
                 "jit: call compiled code directly where vetted (auto, default), always (direct) or through cgo")
      ->check(CLI::IsMember({"auto", "direct", "cgo"}))
      ->type_name("MODE");
  app.add_option("--build-timeout", o.backend_options.build_timeout_s, "jit: seconds before 'go build' is killed")
      ->check(CLI::PositiveNumber)
      ->type_name("SECONDS");
  auto* csv = app.add_option("--csv", o.csv,
                             "evaluate EXPR for every row of the CSV FILE ('-' = stdin): the header row names the "
                             "variables, other columns pass through; writes the rows with the result appended")
                  ->type_name("FILE");
  app.add_option("--as", o.csv_as, "--csv: name of the result column (default: result)")->type_name("NAME")->needs(csv);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    *exit_code = 0;
    return std::nullopt;
  } catch (const CLI::CallForVersion& e) {
    std::printf("%s\n", e.what());
    *exit_code = 0;
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "error: %s\nRun 'exprjit --help' for usage.\n", e.what());
    *exit_code = 2;
    return std::nullopt;
  }
  auto usage = [&](const std::string& msg) {
    std::fprintf(stderr, "error: %s\nRun 'exprjit --help' for usage.\n", msg.c_str());
    *exit_code = 2;
    return std::nullopt;
  };

  if (functions) {
    std::fputs(function_list().c_str(), stdout);
    *exit_code = 0;
    return std::nullopt;
  }
  if (!find_backend(o.backend)) return usage("unknown backend '" + o.backend + "'; valid backends: " + backend_names());
  o.parser = parser == "lalr" ? ParserKind::lalr : ParserKind::rd;
  if (emit == "tokens") o.emit = Emit::tokens;
  if (emit == "ast") o.emit = Emit::ast;
  if (emit == "bytecode") o.emit = Emit::bytecode;
  if (emit == "go") o.emit = Emit::go;
  if (o.file && !o.exprs.empty()) return usage("give expressions or -f FILE, not both");
  if (o.csv && (o.exprs.size() != 1 || o.file || o.emit != Emit::none))
    return usage("--csv takes exactly one EXPR, and no -f or --emit");

  for (const std::string& spec : var_specs) {
    std::size_t eq = spec.find('=');
    if (eq == std::string::npos) return usage("--var '" + spec + "': expected NAME=VALUE");
    std::string name = spec.substr(0, eq);
    if (!is_identifier(name))
      return usage("--var '" + spec + "': '" + name + "' is not a valid name ([A-Za-z_][A-Za-z0-9_]*)");
    if (find_constant(name) || find_builtin(name))
      return usage("--var '" + spec + "': '" + name + "' is a built-in " +
                   (find_constant(name) ? "constant" : "function") + " and cannot be bound");
    std::optional<double> v = parse_value(std::string_view(spec).substr(eq + 1));
    if (!v) return usage("--var '" + spec + "': '" + spec.substr(eq + 1) + "' is not a number");
    bool replaced = false;
    for (auto& [n, val] : o.vars)
      if (n == name) val = *v, replaced = true;
    if (!replaced) o.vars.emplace_back(name, *v);
  }
  o.backend_options.go_flags = go_flags;
  return o;
}

}  // namespace exprjit::cli
