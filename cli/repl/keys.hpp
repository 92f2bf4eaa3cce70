// keys.hpp — how the REPL reads keys: through libedit's rl_getc_function, with Ctrl-C
// (SIGINT) ending the current line.
#pragma once
#include <csignal>
#include <cstdio>

namespace exprjit::cli {

// Installs the SIGINT handler (no SA_RESTART) and unblocks SIGINT on this thread: an
// interactive session owns Ctrl-C even if whatever started it blocked the signal.
void own_ctrl_c();
// Whether Ctrl-C was pressed since the last clear_ctrl_c().
bool ctrl_c_pressed();
void clear_ctrl_c();

// libedit's key reader: one character (a UTF-8 sequence decoded), or EOF at the end of the
// input or after Ctrl-C.
extern "C" int read_key(FILE* in);

}  // namespace exprjit::cli
