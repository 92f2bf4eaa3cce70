// options.cpp — the command line, declared with CLI11.  Usage errors exit with status 2.
#include "cli/options.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace exprjit::cli {

namespace {

const char* kDescription =
    "exprjit - evaluate arithmetic expressions with an interpreter, a bytecode VM or a Go JIT.\n";

const char* kFooter = R"(Examples:
  exprjit '1+1.2-5'                          prints -2.8
  exprjit --var a=2 'sin(2.2*a)+cos(pi/a)'   variables from the command line
  exprjit -- -2^2                            an expression starting with '-' goes after --
  exprjit --backend=jit 'x < y ? x : y' --var x=1 --var y=2
  exprjit -f session.txt                     one result per line; 'x = 1' assigns, 'f(x) = x^2' defines
  exprjit --define 'f(x) = x^2' -f data.txt  a function for every line
  exprjit --csv data.csv 'x*y' 'x+y' --as area --as sum   result columns appended to every row
  echo '1+2; 3*4' | exprjit                  stdin that is not a terminal is read as a file
  exprjit --emit=STAGE EXPR                  print a stage instead of evaluating (see --emit)

Language: numbers, variables, pi, e, + - * / % ^ (right-assoc, -a^2 = -(a^2)),
< <= > >= == != (1 or 0), && || !, c ? a : b, and the functions listed by --functions.
Values are IEEE doubles; 1/0 = inf, 0/0 = nan.  Full reference: docs/language.md.

Exit status: 0 success, 1 a compile error (or any failing line with -f, or a read or write
error), 2 usage error.
Environment: EXPRJIT_GO (Go toolchain for the jit), EXPRJIT_CACHE_DIR (plugin cache), GOCACHE.)";

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

std::string names_of(const auto& list) {
  std::string s;
  for (const auto& x : list) s += (s.empty() ? "" : ", ") + x.name;
  return s;
}

// --help, --version, --functions: the text on stdout; a write error is an error (exit 1).
int print_and_exit(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return 0;
  if (errno != EPIPE) std::fprintf(stderr, "error: cannot write the output: %s\n", std::strerror(errno));
  return 1;
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  CLI::App app{kDescription, "exprjit"};
  app.footer(kFooter);
  app.set_version_flag("--version", std::string("exprjit ") + version());
  app.get_formatter()->column_width(34);
  auto usage = [&](const std::string& msg) {
    std::fprintf(stderr, "error: %s\nRun 'exprjit --help' for usage.\n", msg.c_str());
    *exit_code = 2;
    return std::nullopt;
  };

  // An option written --name= with nothing after it must not take the next word as its value.
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") break;
    if (a.size() > 3 && a.substr(0, 2) == "--" && a.back() == '=')
      return usage(std::string(a.substr(0, a.size() - 1)) + " needs a value after '='");
  }

  std::vector<std::string> var_specs;
  std::string parser = "rd", timeout;
  const std::string default_backend = [] {
    for (const BackendDescription& b : available_backends())
      if (b.is_default) return b.name;
    return std::string();
  }();
  o.compile.backend = default_backend;
  bool functions = false;

  std::string stage_help = "print a stage instead of evaluating:";
  for (const StageDescription& s : available_stages())
    stage_help += "\n  " + s.name + ": " + s.description + (s.backend.empty() ? "" : " (" + s.backend + ")");
  std::string backend_help = "evaluator (default " + default_backend + "):";
  for (const BackendDescription& b : available_backends()) backend_help += "\n  " + b.name + ": " + b.description;

  app.add_option("EXPR", o.exprs, "expressions to evaluate, one result line each");
  app.add_option("-f,--file", o.file,
                 "evaluate each line of FILE ('-' = stdin) as a session: 'x = 1' assigns, 'f(x) = x^2' defines, ';' "
                 "separates statements, '#' starts a comment; prints one line per line ('error' for a failing one)")
      ->type_name("FILE");
  app.add_option("--var", var_specs, "bind a variable: NAME=VALUE (VALUE may be inf, -inf, nan, -0); repeatable")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);  // one value per --var, so `--var a=1 -- -a` works
  app.add_option("--define", o.defines, "define a function for every line or row: 'f(x, y) = x^2 + y'; repeatable")
      ->type_name("DEFINITION")
      ->allow_extra_args(false);
  app.add_option("-b,--backend", o.compile.backend, backend_help)->type_name("NAME");
  app.add_option("--parser", parser, "front end: rd (recursive descent, default) or lalr (Bison reference)")
      ->type_name("rd|lalr");
  app.add_option("--emit", o.stage, stage_help)->type_name("STAGE");
  app.add_flag("--time", o.time, "print per-phase timings (lex, parse, check, compile, eval) to stderr");
  app.add_flag("-v,--verbose", o.verbose, "jit: print go command lines, cache decisions and phase times to stderr");
  app.add_flag("--functions", functions, "list the built-in functions and constants, then exit");
  app.add_option("--go", o.compile.go, "jit: Go toolchain to use (else $EXPRJIT_GO, Go 1.23, go on PATH)")
      ->type_name("PATH");
  app.add_option("--go-flag", o.compile.go_flags, "jit: extra flag for 'go build' (trusted input); repeatable")
      ->type_name("FLAG")
      ->allow_extra_args(false);
  app.add_flag("--keep-temps", o.compile.keep_temps, "jit: keep the temporary build directory");
  app.add_option("--jit-call", o.compile.jit_call,
                 "jit: call the compiled code directly where vetted, else on the vm (auto, default); always "
                 "directly, any refusal an error (direct); never (fallback)")
      ->type_name("MODE");
  app.add_option("--tier", o.compile.tier,
                 "auto: when the jit version is built in the background: once the vm time spent (or predicted for "
                 "a batch) reaches a build's measured cost (measured, default); at once (at-once); only a cache hit "
                 "switches (never); at once, waiting for it before evaluating (wait)")
      ->type_name("POLICY");
  app.add_option("--build-timeout", timeout, "jit: seconds before 'go build' is killed (default 120; inf: never)")
      ->type_name("SECONDS");
  app.add_option("--threads", o.compile.threads,
                 "threads for batch evaluation: --csv parses, evaluates and formats blocks of rows on this many worker threads (at most one per core); 0 = one per core (default), 1 = the reading thread only")
      ->type_name("N")
      ->check(CLI::Range(0u, 1024u));
  auto* csv = app.add_option("--csv", o.csv,
                             "evaluate each EXPR for every row of the CSV FILE ('-' = stdin): the header row names the "
                             "variables, other columns pass through; writes the rows with one result column per EXPR")
                  ->type_name("FILE");
  app.add_option("--as", o.csv_as, "--csv: name of a result column, one per EXPR (default: result, or result1, ...)")
      ->type_name("NAME")
      ->allow_extra_args(false)
      ->needs(csv);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    *exit_code = print_and_exit(app.help());
    return std::nullopt;
  } catch (const CLI::CallForVersion& e) {
    *exit_code = print_and_exit(std::string(e.what()) + "\n");
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    return usage(e.what());
  }

  if (functions) {
    std::string list = "Functions:\n";
    for (const FunctionDescription& f : builtin_functions()) list += "  " + f.name + "(" + f.params + ")\n";
    list += "Constants:\n";
    for (const std::string& c : builtin_constants()) list += "  " + c + "\n";
    *exit_code = print_and_exit(list);
    return std::nullopt;
  }
  o.compile.parser = parser;
  if (!o.stage.empty()) {
    bool ok = false;
    for (const StageDescription& s : available_stages()) ok = ok || s.name == o.stage;
    if (!ok) return usage("unknown stage '" + o.stage + "' for --emit; valid stages: " + names_of(available_stages()));
  }
  if (!timeout.empty()) {
    double t = 0;
    auto [end, ec] = std::from_chars(timeout.data(), timeout.data() + timeout.size(), t);
    if (ec != std::errc() || end != timeout.data() + timeout.size() || std::isnan(t) || !(t > 0))
      return usage("--build-timeout takes a positive number of seconds (or inf), not '" + printable(timeout) + "'");
    o.compile.go_build_timeout_s = t;
  }
  try {
    validate(o.compile);  // the library's own checks: backend, parser, call mode, timeout, go flags
  } catch (const Error& e) {
    return usage(e.what());
  }
  if (o.file && !o.exprs.empty()) return usage("give expressions or -f FILE, not both");
  if (o.csv && (o.exprs.empty() || o.file || !o.stage.empty()))
    return usage("--csv takes one or more EXPR, and no -f or --emit");
  if (o.csv && o.csv_as.size() != o.exprs.size() && !(o.csv_as.empty()))
    return usage("--csv: give one --as NAME per expression (" + std::to_string(o.exprs.size()) + "), or none");

  for (const std::string& spec : var_specs) {
    std::size_t eq = spec.find('=');
    if (eq == std::string::npos) return usage("--var '" + printable(spec) + "': expected NAME=VALUE");
    std::string name = spec.substr(0, eq);
    std::optional<double> v = parse_value(std::string_view(spec).substr(eq + 1));
    if (!v) return usage("--var '" + printable(spec) + "': '" + printable(spec.substr(eq + 1)) + "' is not a number");
    try {
      Symbols().declare(name);  // the library's rules for a variable's name
    } catch (const Error& e) {
      return usage("--var '" + printable(spec) + "': " + e.what());
    }
    bool replaced = false;
    for (auto& [n, val] : o.vars)
      if (n == name) val = *v, replaced = true;
    if (!replaced) o.vars.emplace_back(name, *v);
  }
  return o;
}

}  // namespace exprjit::cli
