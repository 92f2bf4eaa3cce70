// report.hpp — where the library's events go (exprjit::Event): --verbose details and slow
// work on stderr (a build's note only when stderr is a terminal), --time phases collected
// and printed as one line.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "exprjit/exprjit.hpp"

namespace exprjit::cli {

class Reporter {
 public:
  Reporter(bool verbose, bool time);
  // The callback for CompileOptions::on_event.
  std::function<void(const Event&)> sink();
  // "time: lex 1.2 us, parse 3.4 us, ..., eval 5 us (vm backend)" for the phases seen since
  // the last summary, then forgets them.  eval_s < 0: no eval phase.
  std::string summary(const std::string& backend, double eval_s);

 private:
  bool verbose_, time_, tty_;
  std::vector<std::pair<std::string, double>> phases_;
};

// "12.3 ns", "4.5 us", "150.2 ms", "1.23 s"
std::string duration_text(double seconds);

}  // namespace exprjit::cli
