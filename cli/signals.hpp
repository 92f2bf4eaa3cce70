// signals.hpp — a program stopped by a signal leaves no jit build behind.
#pragma once

namespace exprjit::cli {

// Blocks SIGTERM and SIGHUP, and SIGINT unless the REPL handles it itself (with_sigint
// false), in this thread and so in every thread made after it (call it first), and waits
// for them on a thread of its own: on one, every jit build is cancelled (its go processes
// killed, its directory removed: exprjit::cancel_builds) before the signal's default action
// ends the program, with the status a shell expects (130 for Ctrl-C).
void stop_builds_on_signals(bool with_sigint);

// When a signal is stopping the program: waits for it to end the program (so that a build
// it cancelled does not end it first with an error and status 1).  Returns at once otherwise.
void await_stopping_signal();

}  // namespace exprjit::cli
