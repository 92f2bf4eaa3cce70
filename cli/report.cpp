// report.cpp — see report.hpp.
#include "cli/report.hpp"

#include <unistd.h>

#include <cstdio>

namespace exprjit::cli {

Reporter::Reporter(bool verbose, bool time) : verbose_(verbose), time_(time), tty_(isatty(STDERR_FILENO) != 0) {}

std::function<void(const Event&)> Reporter::sink() {
  if (!verbose_ && !time_ && !tty_) return {};  // nothing to show: the library skips its reports
  return [this](const Event& e) {
    switch (e.kind) {
      case Event::Kind::detail:
        if (verbose_) std::fprintf(stderr, "%s\n", printable(e.text, 4000).c_str());
        break;
      case Event::Kind::status:
        if (tty_ || verbose_) std::fprintf(stderr, "%s\n", printable(e.text, 4000).c_str());
        break;
      case Event::Kind::phase:
        if (!time_) break;
        for (auto& [name, s] : phases_)
          if (name == e.text) {
            s += e.seconds;
            return;
          }
        phases_.emplace_back(std::string(e.text), e.seconds);
        break;
    }
  };
}

std::string Reporter::summary(const std::string& backend, double eval_s) {
  std::string s = "time:";
  for (const auto& [name, secs] : phases_) s += (s.size() > 5 ? ", " : " ") + name + " " + duration_text(secs);
  if (eval_s >= 0) s += (s.size() > 5 ? ", " : " ") + std::string("eval ") + duration_text(eval_s);
  phases_.clear();
  return s + " (" + backend + " backend)";
}

std::string duration_text(double seconds) {
  char buf[32];
  const double ns = seconds * 1e9;
  if (ns < 1e3) std::snprintf(buf, sizeof buf, "%.1f ns", ns);
  else if (ns < 1e6) std::snprintf(buf, sizeof buf, "%.1f us", ns / 1e3);
  else if (ns < 1e9) std::snprintf(buf, sizeof buf, "%.1f ms", ns / 1e6);
  else std::snprintf(buf, sizeof buf, "%.2f s", ns / 1e9);
  return buf;
}

}  // namespace exprjit::cli
