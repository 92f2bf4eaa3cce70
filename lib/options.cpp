// options.cpp — the one funnel from CompileOptions to the pipeline's settings.
#include <cmath>

#include "lib/impl.hpp"

namespace exprjit {

driver::Settings settings_from(const CompileOptions& o, Log& log) {
  driver::Settings s;
  s.backend = o.backend.empty() ? &backend_with(kDefault) : find_backend(o.backend);
  if (!s.backend) throw Error("unknown backend '" + o.backend + "'; valid backends: " + backend_names());
  if (o.parser.empty() || o.parser == "rd") s.parser = ParserKind::rd;
  else if (o.parser == "lalr") s.parser = ParserKind::lalr;
  else throw Error("unknown parser '" + o.parser + "'; valid parsers: rd, lalr");
  BackendOptions& b = s.backend_options;
  if (o.jit_call.empty() || o.jit_call == "auto") b.jit_call = JitCall::automatic;
  else if (o.jit_call == "direct") b.jit_call = JitCall::direct;
  else if (o.jit_call == "fallback") b.jit_call = JitCall::fallback;
  else throw Error("unknown jit call mode '" + o.jit_call + "'; valid modes: auto, direct, fallback");
  if (o.tier.empty() || o.tier == "measured") b.tier = TierPolicy::measured;
  else if (o.tier == "at-once") b.tier = TierPolicy::at_once;
  else if (o.tier == "never") b.tier = TierPolicy::never;
  else if (o.tier == "wait") b.tier = TierPolicy::wait;
  else throw Error("unknown tier policy '" + o.tier + "'; valid policies: measured, at-once, never, wait");
  if (std::isnan(o.go_build_timeout_s) || !(o.go_build_timeout_s > 0))
    throw Error("go_build_timeout_s must be a positive number of seconds (or inf for none)");
  // Beyond a year it is no deadline at all (and a count of nanoseconds of it would overflow).
  b.build_timeout_s = o.go_build_timeout_s > 365.0 * 86400 ? INFINITY : o.go_build_timeout_s;
  for (const std::string& f : o.go_flags)
    for (const char* bad : {"-race", "-msan", "-asan"})
      if (f == bad || f.rfind(std::string(bad) + "=", 0) == 0)
        throw Error(std::string("the go build flag ") + bad +
                    " cannot work in a plugin of this process: it needs the host program built with the same "
                    "runtime instrumentation");
  b.go = o.go;
  b.go_flags = o.go_flags;
  b.keep_temps = o.keep_temps;
  b.log = &log;
  return s;
}

void validate(const CompileOptions& options) {
  Log none;
  (void)settings_from(options, none);
}

}  // namespace exprjit
