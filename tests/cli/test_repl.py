#!/usr/bin/env python3
"""The REPL driven through a real pseudo-terminal: prompt, evaluation, assignment and reuse,
error with caret then recovery, :backend, :emit, :compare, completion, history file,
Ctrl-C and Ctrl-D.

Usage: test_repl.py PATH/TO/exprjit
"""
import os
import pty
import re
import select
import shutil
import signal
import sys
import tempfile
import termios
import time
import unittest

EXE = None
PROMPT = "exprjit> "
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x07")


class Terminal:
    """exprjit on the child side of a pty."""

    def __init__(self, state_home, *args, env_extra=None, block_sigint=False):
        env = dict(os.environ, XDG_STATE_HOME=state_home, TERM="xterm", **(env_extra or {}))
        env.pop("EXPRJIT_BACKEND", None)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            # A terminal program starts with default signal handling, whatever the test
            # runner inherited (a CI job may run with SIGINT ignored or blocked).
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE):
                signal.signal(sig, signal.SIG_DFL)
            if block_sigint:
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            os.execve(EXE, [EXE, *args], env)
        self.banner = self.until(PROMPT)

    def until(self, pattern, timeout=60):
        buf = b""
        end = time.time() + timeout
        while time.time() < end:
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if not r:
                continue
            try:
                data = os.read(self.fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            buf += data
            if pattern.encode() in buf:
                return buf.decode("utf-8", "replace").replace("\r\n", "\n")
        raise AssertionError(f"timed out waiting for {pattern!r}; got {buf!r}")

    def editing(self, timeout=60):
        """Waits until the line editor has put the terminal in character mode.

        A control key typed before that is handled by the kernel's line discipline in
        canonical mode (Ctrl-D becomes an end-of-line marker that the switch to character
        mode turns into a NUL byte), so tests wait for it before typing one. On Linux the
        master side reads the slave's termios."""
        end = time.time() + timeout
        while time.time() < end:
            if not termios.tcgetattr(self.fd)[3] & termios.ICANON:
                return
            time.sleep(0.01)
        raise AssertionError("the line editor never took the terminal")

    def send(self, text):
        """Types text and Enter; returns what the REPL printed before the next prompt."""
        os.write(self.fd, text.encode() + b"\r")
        out = self.until(PROMPT)
        # drop the terminal's echo of the typed line (and anything the line editor drew
        # before it), and the next prompt
        out = ANSI.sub("", out[: -len(PROMPT)]).replace("\r", "")
        lines = out.split("\n")
        # The line may be echoed more than once (by the terminal, then by the line editor's
        # redraw); no test sends a line whose result is the line itself.
        while lines and lines[0] == text:
            lines.pop(0)
        return "\n".join(lines)

    def exit_status(self, timeout=60):
        """Waits (bounded) for the child to exit, draining its output meanwhile."""
        end = time.time() + timeout
        while time.time() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            r, _, _ = select.select([self.fd], [], [], 0.05)
            if r:
                try:
                    os.read(self.fd, 4096)
                except OSError:
                    pass
        raise AssertionError("exprjit did not exit")


class Repl(unittest.TestCase):
    def setUp(self):
        self.state = tempfile.mkdtemp()
        self.t = Terminal(self.state)

    def tearDown(self):
        try:
            os.kill(self.t.pid, 9)
            os.waitpid(self.t.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        shutil.rmtree(self.state, ignore_errors=True)

    def test_session(self):
        t = self.t
        self.assertIn(":help", t.banner)
        self.assertEqual(t.send("x = 1.5"), "1.5\n")
        self.assertEqual(t.send("sin(x)^2 + cos(x)^2"), "1\n")
        self.assertEqual(t.send("y = x * 2; y + 1"), "4\n")
        self.assertEqual(t.send("_ * 10"), "40\n")  # _ is the last result
        # an error shows a caret under the column, and the session goes on
        self.assertEqual(t.send("x + q"), "<repl>:5:5: error: unknown variable 'q'\nx + q\n    ^\n")
        self.assertEqual(t.send("x"), "1.5\n")
        self.assertEqual(t.send(":vars"), "x = 1.5\n_ = 1.5\ny = 3\n")  # in order of definition

    def test_non_ascii_keys_are_errors_not_dropped(self):
        # libedit drops characters its locale cannot hold: "2×3" once evaluated as 23.
        # The REPL runs libedit with a UTF-8 character type whatever the locale, so the
        # lexer sees every key and points at the one it refuses.
        t = Terminal(self.state, env_extra={"LANG": "C", "LC_ALL": "C"})
        try:
            out = t.send("2×3")
            self.assertEqual(out, "<repl>:1:2: error: unexpected character '×'\n2×3\n ^\n")
            t.editing()
            os.write(t.fd, b"2\xff3\r")  # not UTF-8 at all
            self.assertIn("<repl>:2:2: error: unexpected character", t.until(PROMPT))
        finally:
            os.kill(t.pid, 9)
            os.waitpid(t.pid, 0)

    def test_meta_commands(self):
        t = self.t
        self.assertIn(":compare", t.send(":help"))
        self.assertIn("backend", t.send(":backend"))
        self.assertEqual(t.send(":backend tree"), "")
        self.assertIn("valid backends", t.send(":backend nope"))
        self.assertEqual(t.send(":emit tokens 1+x"), "NUMBER 1\nPLUS\nIDENT x\nEND\n")
        self.assertEqual(t.send(":emit ast -a^2"),
                         "Unary neg @1:1\n  Power ^ @1:2\n    Name a @1:2\n    Number 2 @1:4\n")
        self.assertEqual(t.send(":parser lalr"), "")
        self.assertEqual(t.send("-2^2"), "-4\n")
        self.assertIn("error", t.send(":parser yacc"))
        self.assertIn("unknown command", t.send(":frobnicate"))
        t.send("x = 1.5")
        cmp = t.send(":compare 2*x+1 < 4 ? 1 : sqrt(x)")
        self.assertIn("backend", cmp)
        self.assertIn("tree", cmp)
        self.assertIn("1.224744871391589", cmp)
        self.assertNotIn("DIFFERS", cmp)
        timing = t.send(":time sin(x)")
        for phase in ("lex", "parse", "check", "compile", "eval"):
            self.assertIn(phase, timing)
        self.assertEqual(t.send(":reset"), "(variables and functions cleared)\n")
        self.assertIn("unknown variable 'x'", t.send("x"))

    def test_completion(self):
        # "sqr" completes to the only match "sqrt"; the line then evaluates as sqrt(4)
        self.t.editing()
        os.write(self.t.fd, b"sqr\t")  # the editor reads keys in order: no wait needed
        os.write(self.t.fd, b"(4)\r")
        out = self.t.until(PROMPT)
        self.assertIn("\n2\n", out)

    def test_functions(self):
        t = self.t
        self.assertEqual(t.send("hyp(a, b) = sqrt(a*a + b*b)"), "hyp(a, b)\n")
        self.assertEqual(t.send("hyp(3, 4)"), "5\n")
        self.assertEqual(t.send(":funcs"), "hyp(a, b) = sqrt(a*a + b*b)\n")
        # completed like a built-in
        t.editing()
        os.write(t.fd, b"hy\t")
        os.write(t.fd, b"(6, 8)\r")
        self.assertIn("\n10\n", t.until(PROMPT))
        # :emit shows the function's own compiled form, and the call of it
        self.assertEqual(t.send("x = 1"), "1\n")
        out = t.send(":emit bytecode hyp(x, 2) + 1")
        self.assertIn("hyp(a, b) = sqrt(a*a + b*b)", out)
        self.assertIn("callf", out)
        self.assertIn("sqrt", out)
        err = t.send("hyp(1)")
        self.assertIn("'hyp' takes 2 arguments, given 1", err)
        self.assertEqual(t.send("hyp(x) = x"), "hyp(x)\n")  # a later definition replaces it
        self.assertEqual(t.send("hyp(-2)"), "-2\n")

    def test_ctrl_c_abandons_line_and_ctrl_d_exits_0_with_history(self):
        t = self.t
        self.assertEqual(t.send("1+1"), "2\n")
        t.editing()
        os.write(t.fd, b"7*7")
        t.until("7*7")
        os.write(t.fd, b"\x03")  # Ctrl-C: the line is dropped
        t.until(PROMPT)
        self.assertEqual(t.send("1+2"), "3\n")
        t.editing()
        os.write(t.fd, b"\x04")  # Ctrl-D
        self.assertEqual(t.exit_status(), 0)
        with open(os.path.join(self.state, "exprjit", "history"), encoding="utf-8") as f:
            history = f.read()
        self.assertIn("1+1", history)
        self.assertNotIn("7*7", history)

    def test_ctrl_c_works_when_started_with_sigint_blocked(self):
        # the REPL unblocks SIGINT for itself: a blocked mask inherited from whatever
        # started it must not leave Ctrl-C dead
        t = Terminal(self.state, block_sigint=True)
        try:
            t.editing()
            os.write(t.fd, b"8*8")
            t.until("8*8")
            os.write(t.fd, b"\x03")
            t.until(PROMPT)
            self.assertEqual(t.send("2*3"), "6\n")
        finally:
            os.kill(t.pid, 9)
            os.waitpid(t.pid, 0)

    def test_jit_backend_shows_that_it_builds(self):
        # A fresh plugin cache forces a go build: the REPL says so on the terminal instead
        # of freezing silently, then answers.
        cache = os.path.join(self.state, "cache")
        t = Terminal(self.state, env_extra={"EXPRJIT_CACHE_DIR": cache})
        try:
            self.assertEqual(t.send(":backend jit"), "")
            out = t.send("1+1.2-5")
            self.assertIn("jit: building", out)
            self.assertTrue(out.endswith("-2.8\n"), out)
            t.send("2+2")  # defines nothing new: _ exists from here on
            # the same source again (the scope holds _ both times): a cache hit, no build
            self.assertEqual(t.send("2+2"), "4\n")
        finally:
            os.kill(t.pid, 9)
            os.waitpid(t.pid, 0)

    def test_ctrl_c_cancels_a_jit_build_and_the_repl_goes_on(self):
        cache = os.path.join(self.state, "cache")
        t = Terminal(self.state, env_extra={"EXPRJIT_CACHE_DIR": cache})
        try:
            self.assertEqual(t.send(":backend jit"), "")
            t.editing()
            # Under the terminal's 4096-byte line, typed once the line editor has the terminal.
            big = "+".join(f"sin(a*{i}.5)" for i in range(200))
            os.write(t.fd, b"a = 2\r")
            t.until(PROMPT)
            t.editing()
            os.write(t.fd, big.encode() + b"\r")
            t.until("jit: building")
            time.sleep(0.05)
            os.write(t.fd, b"\x03")
            out = t.until(PROMPT, timeout=30)  # at once, not after the build
            self.assertIn("cancelled", out)
            tmp = os.path.join(cache, "tmp")
            self.assertEqual([d for d in os.listdir(tmp) if d.startswith("build-")], [])
            out = t.send("2*3")  # a build of its own, not cancelled by the Ctrl-C before
            self.assertTrue(out.endswith("6\n"), out)
        finally:
            os.kill(t.pid, 9)
            os.waitpid(t.pid, 0)

    def test_auto_backend_answers_while_its_jit_builds(self):
        cache = os.path.join(self.state, "cache")
        t = Terminal(self.state, "--tier=at-once", env_extra={"EXPRJIT_CACHE_DIR": cache})
        try:
            self.assertEqual(t.send(":backend auto"), "")
            start = time.time()
            self.assertEqual(t.send("1+1.2-5"), "-2.8\n")
            self.assertEqual(t.send("2*3.5"), "7\n")
            # Both answered by the vm while their builds run or wait in the background.
            self.assertLess(time.time() - start, 60)
            out = t.send(":compare 1+1.2-5")
            self.assertIn("auto", out)
        finally:
            os.kill(t.pid, 9)
            os.waitpid(t.pid, 0)

    def test_quit(self):
        self.t.editing()
        os.write(self.t.fd, b":quit\r")
        self.assertEqual(self.t.exit_status(), 0)


if __name__ == "__main__":
    EXE = sys.argv.pop(1)
    unittest.main(verbosity=2)
