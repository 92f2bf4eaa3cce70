// repl.cpp — the REPL: statements as in a session file, `_` for the last result, and
// meta-commands (:help) to switch backend or parser, print stages, time and compare.
#include "cli/repl.hpp"

#include <editline/readline.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <clocale>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "cli/compare.hpp"
#include "cli/session.hpp"
#include "frontend/diagnostic.hpp"
#include "frontend/format.hpp"
#include "frontend/lexer.hpp"

namespace exprjit::cli {

namespace {

// Set by the SIGINT handler: a signal handler may only touch a sig_atomic_t.
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) { g_interrupted = 1; }

// libedit reads every key through this (rl_getc_function).  An interrupt ends readline()
// by end of input, and run() then sees g_interrupted.  Relying on the signal to interrupt
// libedit's own read() lost a Ctrl-C that came while libedit was busy echoing or redrawing:
// readline() went on waiting for another key.  Here SIGINT is blocked from the check of
// the flag until ppoll() unblocks it atomically for the wait, so it cannot fall between.
int read_byte(int fd, const sigset_t& open) {
  for (;;) {
    if (g_interrupted) return EOF;
    pollfd p{fd, POLLIN, 0};
    if (ppoll(&p, 1, nullptr, &open) < 0) {
      if (errno == EINTR) continue;
      return EOF;
    }
    unsigned char c;
    const ssize_t n = ::read(fd, &c, 1);
    if (n == 1) return c;
    if (n < 0 && errno == EINTR) continue;
    return EOF;  // end of input, or an error: Ctrl-D's way out
  }
}

extern "C" int read_key(FILE* in) {
  sigset_t intr, open;
  sigemptyset(&intr);
  sigaddset(&intr, SIGINT);
  pthread_sigmask(SIG_BLOCK, &intr, &open);
  // libedit takes one character, not one byte: a UTF-8 sequence is decoded.
  int key = read_byte(fileno(in), open);
  const int more = key >= 0xF0 && key < 0xF5 ? 3 : key >= 0xE0 && key < 0xF0 ? 2 : key >= 0xC2 && key < 0xE0 ? 1 : 0;
  int cp = key & (0x3F >> more);
  for (int i = 0; i < more; ++i) {
    const int b = read_byte(fileno(in), open);
    if (b == EOF || (b & 0xC0) != 0x80) {
      cp = -1;
      break;
    }
    cp = cp << 6 | (b & 0x3F);
  }
  if (more && cp >= 0) key = cp;
  else if (key >= 0x80) key = 0xFFFD;  // not UTF-8: the replacement character, an error too
  pthread_sigmask(SIG_SETMASK, &open, nullptr);
  return key;
}

class Repl;
// libedit calls completion through plain function pointers with no user data, so the one
// active REPL is found through this pointer (set while run() executes).
Repl* g_active = nullptr;

using Clock = std::chrono::steady_clock;

struct Meta {
  std::string_view name, args, help;
  void (Repl::*fn)(std::string_view);
};

class Repl {
 public:
  explicit Repl(const Options& o) : opts_(o), engine_(opts_), parser_(o.parser) {
    for (const auto& [name, v] : o.vars) {
      scope_.define(name);
      values_.push_back(v);
    }
  }
  int run();
  std::vector<std::string> completions(std::string_view line_before_word) const;

 private:
  Options opts_;
  Engine engine_;
  ParserKind parser_;
  Scope scope_;
  std::vector<double> values_;
  std::uint32_t lineno_ = 0;
  std::string history_;

  void line(const std::string& text);
  void statements(const std::string& text);
  ExprPtr checked_expr(std::string_view text, Source& src);
  void report(const Source& src, const CompileError& e) { std::fputs(format_error(src, e).c_str(), stderr); }

  void help(std::string_view);
  void backend(std::string_view);
  void parser(std::string_view);
  void emit(std::string_view);
  void time(std::string_view);
  void compare(std::string_view);
  void vars(std::string_view);
  void reset(std::string_view);
  void quit(std::string_view) { quit_ = true; }
  bool quit_ = false;

 public:
  static constexpr Meta kMeta[] = {
      {":help", "", "list the meta-commands", &Repl::help},
      {":backend", "[NAME]", "show or choose the backend", &Repl::backend},
      {":parser", "rd|lalr", "choose the parser (recursive descent or Bison LALR)", &Repl::parser},
      {":emit", "tokens|ast|bytecode|go EXPR", "print a stage of EXPR", &Repl::emit},
      {":time", "EXPR", "per-phase timings of EXPR on the current backend", &Repl::time},
      {":compare", "EXPR", "EXPR on every backend: value, compile time, time per evaluation", &Repl::compare},
      {":vars", "", "list the variables and their values", &Repl::vars},
      {":reset", "", "forget every variable and _", &Repl::reset},
      {":quit", "", "leave (so does Ctrl-D)", &Repl::quit},
  };
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string history_path() {
  std::string dir;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) dir = x;
  else if (const char* h = std::getenv("HOME"); h && *h) dir = std::string(h) + "/.local/state";
  else return "";
  dir += "/exprjit";
  // mkdir -p with private permissions; failure only means no history.
  for (std::size_t i = 1; i <= dir.size(); ++i)
    if (i == dir.size() || dir[i] == '/') ::mkdir(dir.substr(0, i).c_str(), 0700);
  return dir + "/history";
}

int Repl::run() {
  g_active = this;
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: Ctrl-C interrupts the read and abandons the line
  sigaction(SIGINT, &sa, nullptr);
  // An interactive session owns Ctrl-C even if whatever started it blocked the signal.
  sigset_t intr;
  sigemptyset(&intr);
  sigaddset(&intr, SIGINT);
  sigprocmask(SIG_UNBLOCK, &intr, nullptr);

  history_ = history_path();
  // libedit keeps characters, not bytes, and silently drops one the locale cannot
  // represent: under the C locale "2×3" became "23".  With a UTF-8 character type (the
  // user's, else C.UTF-8) every key reaches the lexer, which points at what it refuses.
  // Only LC_CTYPE: numbers are read and printed without the locale (from_chars, to_chars).
  if (!std::setlocale(LC_CTYPE, "") || std::strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
    std::setlocale(LC_CTYPE, "C.UTF-8");
  rl_getc_function = read_key;  // before libedit starts (using_history() starts it)
  using_history();
  if (!history_.empty()) read_history(history_.c_str());
  // Words break at operators and punctuation, but not at ':' (meta-commands start with it).
  static char breaks[] = " \t+-*/%^(),?<>=!&|;";
  rl_completer_word_break_characters = breaks;
  rl_completion_append_character = '\0';
  rl_attempted_completion_function = [](const char* text, int start, int) -> char** {
    rl_attempted_completion_over = 1;  // never fall back to file names
    static std::vector<std::string> cands;  // owned by this callback between generator calls
    cands = g_active->completions(std::string_view(rl_line_buffer, static_cast<std::size_t>(start)));
    std::string_view t(text);
    std::erase_if(cands, [&](const std::string& c) { return c.compare(0, t.size(), t) != 0; });
    return rl_completion_matches(text, [](const char*, int state) -> char* {
      static std::size_t i;
      if (state == 0) i = 0;
      return i < cands.size() ? strdup(cands[i++].c_str()) : nullptr;
    });
  };

  std::printf("exprjit %s — backend %s; :help lists commands, Ctrl-D leaves\n", EXPRJIT_VERSION,
              engine_.backend_name().c_str());
  while (!quit_) {
    g_interrupted = 0;
    char* raw = readline("exprjit> ");
    if (g_interrupted) {  // Ctrl-C: abandon the line
      std::free(raw);
      std::fputs("\n", stdout);
      continue;
    }
    if (!raw) {  // Ctrl-D
      std::fputs("\n", stdout);
      break;
    }
    std::string text(raw);
    std::free(raw);
    if (trim(text).empty()) continue;
    add_history(text.c_str());
    if (!history_.empty()) write_history(history_.c_str());
    line(text);
    std::fflush(stdout);
  }
  if (!history_.empty()) history_truncate_file(history_.c_str(), 1000);
  g_active = nullptr;
  return 0;
}

std::vector<std::string> Repl::completions(std::string_view before) const {
  std::vector<std::string> out;
  std::string_view head = trim(before);
  if (head.empty())  // the first word: a meta-command, or the start of an expression
    for (const Meta& m : kMeta) out.emplace_back(m.name);
  if (head == ":backend") {
    for (const BackendInfo& b : backend_table()) out.emplace_back(b.name);
    return out;
  }
  if (head == ":parser") return {"rd", "lalr"};
  if (head == ":emit") return {"tokens", "ast", "bytecode", "go"};
  for (const Builtin& b : builtins()) out.emplace_back(b.name);
  for (const NamedConstant& c : constants()) out.emplace_back(c.name);
  for (const std::string& v : scope_.names()) out.push_back(v);
  return out;
}

void Repl::line(const std::string& text) {
  ++lineno_;
  std::string_view t = trim(text);
  if (t.front() != ':') return statements(text);
  std::size_t sp = t.find_first_of(" \t");
  std::string_view name = t.substr(0, sp), args = sp == std::string_view::npos ? "" : trim(t.substr(sp));
  for (const Meta& m : kMeta)
    if (m.name == name) return (this->*m.fn)(args);
  std::fprintf(stderr, "error: unknown command '%.*s'; :help lists them\n", static_cast<int>(name.size()),
               name.data());
}

// A line of statements: all are checked and compiled before any runs, so a failing line
// changes nothing.
void Repl::statements(const std::string& text) {
  Source src{"<repl>", text, lineno_};
  Scope saved = scope_;
  try {
    std::vector<Statement> stmts = parse_line(text, parser_);
    std::vector<std::optional<std::uint32_t>> targets;
    for (Statement& s : stmts) {
      check(*s.expr, scope_);
      if (s.target) check_assignable(*s.target, s.target_span.begin);
      targets.push_back(s.target ? std::optional(scope_.define(*s.target)) : std::nullopt);
    }
    std::vector<const Expr*> exprs;
    for (Statement& s : stmts) exprs.push_back(s.expr.get());
    std::vector<std::unique_ptr<Compiled>> compiled = engine_.compile_many(exprs, scope_.size());
    values_.resize(scope_.size(), 0.0);
    double v = 0;
    for (std::size_t i = 0; i < compiled.size(); ++i) {
      v = compiled[i]->eval(values_.data());
      if (targets[i]) values_[*targets[i]] = v;
    }
    if (stmts.empty()) return;
    std::uint32_t last = scope_.define("_");
    values_.resize(scope_.size(), 0.0);
    values_[last] = v;
    std::printf("%s\n", format_value(v).c_str());
  } catch (const CompileError& e) {
    scope_ = std::move(saved);
    report(src, e);
  } catch (const std::exception& e) {
    scope_ = std::move(saved);
    std::fputs(format_error(e.what()).c_str(), stderr);
  }
}

ExprPtr Repl::checked_expr(std::string_view text, Source& src) {
  src = Source{"<repl>", text, lineno_};
  ExprPtr e = parse_expression(text, parser_);
  check(*e, scope_);
  return e;
}

void Repl::help(std::string_view) {
  std::puts("Statements: EXPR, NAME = EXPR, several separated by ';'.  _ is the last result.");
  for (const Meta& m : kMeta) {
    std::string left = std::string(m.name) + (m.args.empty() ? "" : " " + std::string(m.args));
    std::printf("  %-34s %.*s\n", left.c_str(), static_cast<int>(m.help.size()), m.help.data());
  }
  std::puts("Tab completes functions, variables, constants and commands; history is kept in");
  std::printf("  %s\n", history_.empty() ? "(no history file: neither XDG_STATE_HOME nor HOME is set)" : history_.c_str());
}

void Repl::backend(std::string_view args) {
  if (args.empty()) {
    std::printf("backend %s (available: %s)\n", engine_.backend_name().c_str(), backend_names().c_str());
    return;
  }
  if (!find_backend(args)) {
    std::fprintf(stderr, "error: unknown backend '%.*s'; valid backends: %s\n", static_cast<int>(args.size()),
                 args.data(), backend_names().c_str());
    return;
  }
  engine_.set_backend(std::string(args));
}

void Repl::parser(std::string_view args) {
  if (args == "rd") parser_ = ParserKind::rd;
  else if (args == "lalr") parser_ = ParserKind::lalr;
  else std::fputs("error: :parser takes rd or lalr\n", stderr);
}

void Repl::emit(std::string_view args) {
  std::size_t sp = args.find_first_of(" \t");
  std::string_view what = args.substr(0, sp), text = sp == std::string_view::npos ? "" : trim(args.substr(sp));
  Emit kind = what == "tokens" ? Emit::tokens : what == "ast" ? Emit::ast : what == "bytecode" ? Emit::bytecode
            : what == "go" ? Emit::go : Emit::none;
  if (kind == Emit::none || text.empty()) {
    std::fputs("error: usage: :emit tokens|ast|bytecode|go EXPR\n", stderr);
    return;
  }
  Source src{"<repl>", text, lineno_};
  try {
    if (kind == Emit::tokens) {
      for (const Token& t : tokenize(text)) std::printf("%s\n", token_text(t, text).c_str());
    } else if (kind == Emit::ast) {
      std::fputs(to_tree(*parse_expression(text, parser_)).c_str(), stdout);
    } else {
      ExprPtr e = checked_expr(text, src);
      std::fputs(engine_.emit(kind, *e, scope_.size()).c_str(), stdout);
    }
  } catch (const CompileError& e) {
    report(src, e);
  } catch (const std::exception& e) {
    std::fputs(format_error(e.what()).c_str(), stderr);
  }
}

void Repl::time(std::string_view text) {
  Source src{"<repl>", text, lineno_};
  try {
    auto t0 = Clock::now();
    tokenize(text);
    auto t1 = Clock::now();
    ExprPtr e = parse_expression(text, parser_);
    auto t2 = Clock::now();
    check(*e, scope_);
    auto t3 = Clock::now();
    Backend& b = engine_.get(engine_.backend_name());
    std::unique_ptr<Compiled> c = b.compile(*e, scope_.size());
    auto t4 = Clock::now();
    values_.resize(scope_.size(), 0.0);
    Timing per = time_evaluation(*c, values_.data());
    std::printf("%s  (%s backend)\n", format_value(per.value).c_str(), engine_.backend_name().c_str());
    std::printf("  lex %s  parse %s  check %s  compile %s  eval %s per evaluation (%zu runs)\n",
                duration_text(t1 - t0).c_str(), duration_text(t2 - t1).c_str(), duration_text(t3 - t2).c_str(),
                duration_text(t4 - t3).c_str(), duration_text(per.per_eval).c_str(), per.runs);
  } catch (const CompileError& e) {
    report(src, e);
  } catch (const std::exception& e) {
    std::fputs(format_error(e.what()).c_str(), stderr);
  }
}

void Repl::compare(std::string_view text) {
  Source src{"<repl>", text, lineno_};
  try {
    ExprPtr e = checked_expr(text, src);
    values_.resize(scope_.size(), 0.0);
    std::fputs(compare_backends(engine_, *e, scope_.size(), values_.data()).c_str(), stdout);
  } catch (const CompileError& e) {
    report(src, e);
  }
}

void Repl::vars(std::string_view) {
  if (scope_.size() == 0) std::puts("(no variables)");
  for (std::size_t i = 0; i < scope_.size(); ++i)
    std::printf("%s = %s\n", scope_.names()[i].c_str(), format_value(values_[i]).c_str());
}

void Repl::reset(std::string_view) {
  scope_ = Scope();
  values_.clear();
  std::puts("(variables cleared)");
}

}  // namespace

int run_repl(const Options& o) { return Repl(o).run(); }

}  // namespace exprjit::cli
