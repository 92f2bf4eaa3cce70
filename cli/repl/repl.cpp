// repl.cpp — the REPL: statements as in a session file, `_` for the last result, and
// meta-commands (:help) to switch backend or parser, print stages, time and compare.
#include "cli/repl/repl.hpp"

#include <editline/readline.h>
#include <langinfo.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli/report.hpp"
#include "cli/repl/compare.hpp"
#include "cli/repl/keys.hpp"

namespace exprjit::cli {

namespace {

class Repl;
// libedit calls completion through plain function pointers with no user data, so the one
// active REPL is found through this pointer (set while run() executes): the one piece of
// global state the C callback forces.
Repl* g_active = nullptr;

struct Meta {
  std::string_view name, args, help;
  void (Repl::*fn)(std::string_view);
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// $XDG_STATE_HOME/exprjit/history (only an absolute XDG_STATE_HOME counts, as the XDG rules
// say), else ~/.local/state/exprjit/history; "" when there is neither, or when something
// other than a regular file is there (a FIFO would block libedit's open forever).
std::string history_path(std::string* why) {
  std::string dir;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && x[0] == '/') dir = x;
  else if (const char* h = std::getenv("HOME"); h && *h) dir = std::string(h) + "/.local/state";
  else return *why = "neither XDG_STATE_HOME nor HOME is set", "";
  dir += "/exprjit";
  // mkdir -p with private permissions; failure only means no history.
  for (std::size_t i = 1; i <= dir.size(); ++i)
    if (i == dir.size() || dir[i] == '/') ::mkdir(dir.substr(0, i).c_str(), 0700);
  const std::string path = dir + "/history";
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) return *why = path + " is not a regular file", "";
  return path;
}

class Repl {
 public:
  Repl(const Options& o, CompileOptions co, Output& out) : session_(std::move(co)), out_(out) {
    for (const auto& [name, v] : o.vars) session_.set(name, v);
    for (const std::string& d : o.defines) report(session_.run(Session::Line{d, 1}, "--define"));
  }
  int run();
  std::vector<std::string> completions(std::string_view line_before_word) const;

 private:
  Session session_;
  Output& out_;
  std::size_t lineno_ = 0;
  std::string history_, no_history_;
  bool quit_ = false;

  void line(const std::string& text);
  void report(const Session::Result& r);
  void print(const std::string& s) { out_.write(s); }
  void error(const std::string& s) { out_.flush(), std::fputs(s.c_str(), stderr); }

  void help(std::string_view);
  void backend(std::string_view);
  void parser(std::string_view);
  void emit(std::string_view);
  void time(std::string_view);
  void compare(std::string_view);
  void vars(std::string_view);
  void funcs(std::string_view);
  void reset(std::string_view);
  void quit(std::string_view) { quit_ = true; }

 public:
  static constexpr Meta kMeta[] = {
      {":help", "", "list the meta-commands", &Repl::help},
      {":backend", "[NAME]", "show or choose the backend", &Repl::backend},
      {":parser", "rd|lalr", "choose the parser (recursive descent or Bison LALR)", &Repl::parser},
      {":emit", "STAGE LINE", "print a stage of a line (stages: :emit alone lists them)", &Repl::emit},
      {":time", "EXPR", "per-phase timings of EXPR on the current backend", &Repl::time},
      {":compare", "EXPR", "EXPR on every backend: value, compile time, time per evaluation", &Repl::compare},
      {":vars", "", "list the variables and their values", &Repl::vars},
      {":funcs", "", "list the functions defined in this session", &Repl::funcs},
      {":reset", "", "forget every variable, function and _", &Repl::reset},
      {":quit", "", "leave (so does Ctrl-D)", &Repl::quit},
  };
};

int Repl::run() {
  g_active = this;
  own_ctrl_c();
  history_ = history_path(&no_history_);
  if (history_.empty() && !no_history_.empty())
    std::fprintf(stderr, "note: no history is kept: %s\n", printable(no_history_).c_str());
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

  print(std::string("exprjit ") + version() + " — backend " + session_.backend() +
        "; :help lists commands, Ctrl-D leaves\n");
  while (!quit_ && !out_.failed()) {
    out_.flush();
    clear_ctrl_c();
    char* raw = readline("exprjit> ");
    if (ctrl_c_pressed()) {  // Ctrl-C: abandon the line
      std::free(raw);
      print("\n");
      continue;
    }
    if (!raw) {  // Ctrl-D
      print("\n");
      break;
    }
    std::string text(raw);
    std::free(raw);
    if (trim(text).empty()) continue;
    add_history(text.c_str());
    if (!history_.empty()) write_history(history_.c_str());
    line(text);
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
    for (const BackendDescription& b : available_backends()) out.push_back(b.name);
    return out;
  }
  if (head == ":parser") return {"rd", "lalr"};
  if (head == ":emit") {
    for (const StageDescription& s : available_stages()) out.push_back(s.name);
    return out;
  }
  for (const FunctionDescription& f : builtin_functions()) out.push_back(f.name);
  for (const std::string& c : builtin_constants()) out.push_back(c);
  for (const auto& [name, v] : session_.variables()) out.push_back(name);
  for (const std::string& f : session_.functions()) out.push_back(f.substr(0, f.find('(')));
  return out;
}

void Repl::report(const Session::Result& r) {
  if (!r.ok) return error(r.error);
  if (r.has_value) {
    session_.set("_", r.value);
    print(format_number(r.value) + "\n");
  } else if (!r.defined.empty()) {
    print(r.defined + "\n");
  }
}

void Repl::line(const std::string& text) {
  ++lineno_;
  std::string_view t = trim(text);
  if (t.front() != ':') return report(session_.run(Session::Line{text, lineno_}, "<repl>"));
  std::size_t sp = t.find_first_of(" \t");
  std::string_view name = t.substr(0, sp), args = sp == std::string_view::npos ? "" : trim(t.substr(sp));
  for (const Meta& m : kMeta)
    if (m.name == name) return (this->*m.fn)(args);
  error("error: unknown command '" + printable(name) + "'; :help lists them\n");
}

void Repl::help(std::string_view) {
  std::string s = "Statements: EXPR, NAME = EXPR, NAME(P, Q) = EXPR, several separated by ';'.  _ is the last result.\n";
  for (const Meta& m : kMeta) {
    std::string left(m.name);
    if (!m.args.empty()) left.append(" ").append(m.args);
    char buf[256];
    std::snprintf(buf, sizeof buf, "  %-34s %.*s\n", left.c_str(), static_cast<int>(m.help.size()), m.help.data());
    s += buf;
  }
  s += "Tab completes functions, variables, constants and commands; history is kept in\n  ";
  if (history_.empty()) s.append("(no history file: ").append(no_history_).append(")\n");
  else s.append(history_).append("\n");
  print(s);
}

void Repl::backend(std::string_view args) {
  if (args.empty()) {
    std::string names;
    for (const BackendDescription& b : available_backends()) names += (names.empty() ? "" : ", ") + b.name;
    return print("backend " + session_.backend() + " (available: " + names + ")\n");
  }
  try {
    session_.set_backend(args);
  } catch (const Error& e) {
    error(std::string("error: ") + e.what() + "\n");
  }
}

void Repl::parser(std::string_view args) {
  try {
    session_.set_parser(args);
  } catch (const Error& e) {
    error(std::string("error: ") + e.what() + "\n");
  }
}

void Repl::emit(std::string_view args) {
  std::size_t sp = args.find_first_of(" \t");
  std::string stage(args.substr(0, sp));
  std::string text(sp == std::string_view::npos ? "" : trim(args.substr(sp)));
  if (text.empty()) {
    std::string s = "usage: :emit STAGE LINE; stages:\n";
    for (const StageDescription& d : available_stages()) s += "  " + d.name + "  " + d.description + "\n";
    return error(s);
  }
  try {
    std::string out;
    const Session::Result r = session_.emit(stage, Session::Line{text, lineno_}, out, "<repl>");
    print(out);
    if (!r.ok) error(r.error);
  } catch (const Error& e) {
    error(std::string("error: ") + e.what() + "\n");
  }
}

void Repl::time(std::string_view text) {
  std::vector<std::pair<std::string, double>> phases;
  CompileOptions o = session_.options();
  o.on_event = [&](const Event& e) {
    if (e.kind == Event::Kind::phase) phases.emplace_back(std::string(e.text), e.seconds);
  };
  try {
    Expression e = session_.compile(text, o);
    Timing t = time_evaluation(e, session_.values());
    std::string s = format_number(t.value) + "  (" + session_.backend() + " backend)\n ";
    for (const auto& [name, secs] : phases) s += " " + name + " " + duration_text(secs);
    print(s + "  eval " + duration_text(t.per_eval_s) + " per evaluation (" + std::to_string(t.runs) + " runs)\n");
  } catch (const ParseError& e) {
    error(format_error(e, "<repl>", lineno_));
  } catch (const std::exception& e) {
    error(std::string("error: ") + printable(e.what(), 4000) + "\n");
  }
}

void Repl::compare(std::string_view text) { print(compare_backends(session_, std::string(text))); }

void Repl::vars(std::string_view) {
  const auto vs = session_.variables();
  if (vs.empty()) print("(no variables)\n");
  for (const auto& [name, v] : vs) print(name + " = " + format_number(v) + "\n");
}

void Repl::funcs(std::string_view) {
  const auto fs = session_.functions();
  if (fs.empty()) print("(no functions: define one as f(x, y) = x^2 + y)\n");
  for (const std::string& f : fs) print(f + "\n");
}

void Repl::reset(std::string_view) {
  session_.reset();
  print("(variables and functions cleared)\n");
}

}  // namespace

int run_repl(const Options& o, const CompileOptions& co, Output& out) { return Repl(o, co, out).run(); }

}  // namespace exprjit::cli
