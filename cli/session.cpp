// session.cpp — a session read from a file or stdin: one output line per non-blank line
// (its value, the head of the function it defines, or "error"), errors on stderr.
#include <cstdio>

#include "cli/run.hpp"

namespace exprjit::cli {

namespace {

bool blank(std::string_view line) {
  const std::size_t first = line.find_first_not_of(" \t\r");
  return first == std::string_view::npos || line[first] == '#';
}

struct Printer {
  Output& out;
  bool failed = false;
  void operator()(const Session::Result& r) {
    if (!r.ok) {
      std::fputs(r.error.c_str(), stderr);
      out.line("error");
      failed = true;
    } else if (r.has_value) {
      out.line(format_number(r.value));
    } else {
      out.line(r.defined);
    }
  }
};

}  // namespace

int run_session(const Options& o, const CompileOptions& co, Reporter& rep, Output& out, LineReader& in) {
  Session session(co);
  for (const auto& [name, v] : o.vars) session.set(name, v);
  Printer print{out};
  for (const std::string& d : o.defines) {  // --define: before the first line, printing nothing
    const Session::Result r = session.run(Session::Line{d, 1}, "--define");
    if (!r.ok) {
      std::fputs(r.error.c_str(), stderr);
      return 1;
    }
  }
  // A backend that builds (the jit) gets the whole input at once, for one build; the others
  // answer line by line, as the lines come.
  const bool together = o.stage.empty() && session.backend_compiles_lines_together();
  std::vector<std::string> texts;
  std::vector<std::size_t> numbers;
  while (std::optional<std::string> line = in.next()) {
    if (blank(*line)) continue;
    if (!o.stage.empty()) {
      std::string text;
      const Session::Result r = session.emit(o.stage, Session::Line{*line, in.line_number()}, text, in.name());
      if (!r.ok) print(r);
      out.write(text);
      continue;
    }
    if (together) {
      texts.push_back(std::move(*line));
      numbers.push_back(in.line_number());
      continue;
    }
    print(session.run(Session::Line{*line, in.line_number()}, in.name()));
    out.flush();  // each result as it comes: a pipe's reader sees it at once
  }
  if (together && !texts.empty()) {
    std::vector<Session::Line> lines;
    for (std::size_t i = 0; i < texts.size(); ++i) lines.push_back({texts[i], numbers[i]});
    for (const Session::Result& r : session.run(lines, in.name())) print(r);
  }
  if (!in.error().empty()) {
    std::fprintf(stderr, "%s\n", in.error().c_str());
    print.failed = true;
  }
  if (o.time) std::fprintf(stderr, "%s\n", rep.summary(session.backend(), -1).c_str());
  return print.failed ? 1 : 0;
}

}  // namespace exprjit::cli
