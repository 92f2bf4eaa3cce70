#!/usr/bin/env python3
"""Named regression tests for defects found by review (issues 12 and 16): each runs the
exprjit program the way the report did and checks the fixed behaviour.

Usage: test_regressions.py PATH/TO/exprjit
"""
import os
import signal
import subprocess
import sys
import tempfile
import unittest

EXE = None
TIMEOUT = 120  # a hang guard, never a speed goal


def run(*args, stdin=b"", env=None, **kw):
    p = subprocess.run([EXE, *args], input=stdin, capture_output=True, timeout=TIMEOUT,
                       env=dict(os.environ, **(env or {})), **kw)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class Dir:
    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="exprjit-reg-")
        self.path = self.tmp.name

    def write(self, name, data):
        p = os.path.join(self.path, name)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return p


class EveryModeSameOptions(unittest.TestCase):
    """Issue 12: --var and --define reach every CLI mode; a constant is never a slot."""

    def setUp(self):
        self.d = Dir()

    def test_var_in_every_mode(self):
        f = self.d.write("f", "a+1\n")
        csv = self.d.write("c.csv", "b\n1\n")
        self.assertEqual(run("--var", "a=1.1", "a+1")[:2], (0, "2.1\n"))
        self.assertEqual(run("--var", "a=1.1", "-f", f)[:2], (0, "2.1\n"))
        self.assertEqual(run("--var", "a=1.1", stdin=b"a+1\n")[:2], (0, "2.1\n"))
        self.assertEqual(run("--var", "a=1.1", "-f", "-", stdin=b"a+1\n")[:2], (0, "2.1\n"))
        self.assertEqual(run("--var", "a=1.1", "--csv", csv, "a+b")[:2], (0, "b,result\n1,2.1\n"))

    def test_define_in_every_mode(self):
        f = self.d.write("f", "sq(3)\n")
        csv = self.d.write("c.csv", "b\n2\n")
        self.assertEqual(run("--define", "sq(x)=x*x", "sq(3)")[:2], (0, "9\n"))
        self.assertEqual(run("--define", "sq(x)=x*x", "-f", f)[:2], (0, "9\n"))
        self.assertEqual(run("--define", "sq(x)=x*x", stdin=b"sq(3)\n")[:2], (0, "9\n"))
        self.assertEqual(run("--define", "sq(x)=x*x", "--csv", csv, "sq(b)")[:2], (0, "b,result\n2,4\n"))
        code, _, err = run("--define", "sq(x)=", "1")
        self.assertEqual(code, 1)
        self.assertIn("--define:1:7: error:", err)

    def test_pi_is_never_a_slot_under_emit(self):
        p = self.d.write("p", "pi = 3\npi\n")
        self.assertEqual(run("-f", p)[:2], (1, "error\n3.141592653589793\n"))
        code, out, err = run("--emit=bytecode", "-f", p)
        self.assertEqual(code, 1)
        self.assertIn("cannot assign to the constant 'pi'", err)
        self.assertIn("ret     3.141592653589793", out)  # line 2 reads the constant, not a variable
        self.assertNotIn("$pi", out)


class InputAndOutputErrors(unittest.TestCase):
    """Issue 16: a read or write error is an error (exit 1), never a silent end."""

    def test_read_errors(self):
        code, out, err = run("-f", "/proc/self/mem")
        self.assertEqual(code, 1)
        self.assertIn("/proc/self/mem:1: error: read error:", err)
        d = os.open("/tmp", os.O_RDONLY | os.O_DIRECTORY)  # stdin a directory
        try:
            p = subprocess.run([EXE], stdin=d, capture_output=True, timeout=TIMEOUT)
        finally:
            os.close(d)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"<stdin>:1: error: read error: Is a directory", p.stderr)
        p = subprocess.run([EXE], stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT,
                           preexec_fn=lambda: os.close(0))
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"no standard input", p.stderr)

    @unittest.skipIf(os.environ.get("EXPRJIT_B_SANITIZE", "none") != "none",
                     "a sanitizer runtime cannot start under an address-space limit")
    def test_a_huge_line_under_a_memory_limit_is_an_error_not_the_end(self):
        d = Dir()
        big = d.write("big", b"1+" * (100 << 20) + b"1\n2\n")  # 200 MB
        import resource

        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (300 << 20, 300 << 20))
        p = subprocess.run([EXE, "-f", big], capture_output=True, timeout=TIMEOUT, preexec_fn=limit)
        self.assertEqual(p.returncode, 1, p.stderr[-500:])
        self.assertGreaterEqual(p.returncode, 0)
        self.assertIn(b"error", p.stderr)
        self.assertNotIn(b"Sanitizer", p.stderr)

    def test_write_errors(self):
        with open("/dev/full", "wb") as full:
            for args, stdin in ((["1+1"], b""), ([], b"1\n"), (["--emit=ast", "1"], b""),
                                (["--csv", "-", "x"], b"x\n1\n"), (["--functions"], b"")):
                with self.subTest(args=args):
                    p = subprocess.run([EXE, *args], input=stdin, stdout=full, stderr=subprocess.PIPE,
                                       timeout=TIMEOUT)
                    self.assertEqual(p.returncode, 1, p.stderr)
                    self.assertIn(b"error: cannot write the output: No space left on device", p.stderr)

    def test_closed_stdout_and_sigpipe_stay_quiet(self):
        p = subprocess.run(f"'{EXE}' 1 2 3 | true", shell=True, capture_output=True, timeout=TIMEOUT)
        self.assertEqual(p.stderr, b"")


class Options(unittest.TestCase):
    """Issue 16: options that cannot work are refused with exit status 2, clearly."""

    def test_instrumented_go_flags_are_refused(self):
        for flag in ("-race", "-msan", "-asan"):
            with self.subTest(flag=flag):
                code, out, err = run("--backend=jit", "--go-flag=" + flag, "1")
                self.assertEqual((code, out), (2, ""))
                self.assertIn(f"the go build flag {flag} cannot work in a plugin", err)

    def test_build_timeout_values(self):
        for bad in ("nan", "-1", "0", "abc", ""):
            with self.subTest(value=bad):
                code, out, err = run("--build-timeout=" + bad, "1")
                self.assertEqual((code, out), (2, ""))
                self.assertLess(len(err), 300)  # no DBL_MAX with 300 digits
        for ok in ("inf", "1e300", "9.3e9", "30"):
            with self.subTest(value=ok):
                self.assertEqual(run("--build-timeout=" + ok, "1")[:2], (0, "1\n"))

    def test_empty_values_do_not_swallow_the_next_argument(self):
        for opt in ("--go-flag=", "--build-timeout=", "--var=", "--as="):
            with self.subTest(opt=opt):
                code, out, err = run(opt, "1")
                self.assertEqual((code, out), (2, ""))
                self.assertIn("needs a value", err)


class Messages(unittest.TestCase):
    """Issue 16: positions, escapes and names in error messages."""

    def setUp(self):
        self.d = Dir()

    def test_secondary_locations_count_from_the_files_first_line(self):
        s = self.d.write("s", "1\n2\n(1\n")
        code, out, err = run("-f", s)
        self.assertEqual(out, "1\n2\nerror\n")
        self.assertIn("s:3:3: error: expected ')' to close '(' at 3:1", err)
        c = self.d.write("c", "1\n\nx = 1 ? 2\n")
        self.assertIn("at 3:7", run("-f", c)[2])
        a = self.d.write("a", "1\nmax(1\n")
        self.assertIn("after an argument of 'max(' at 2:4", run("-f", a)[2])

    def test_a_bom_is_stripped_in_files_and_stdin(self):
        f = self.d.write("bom", b"\xef\xbb\xbf1+1\n2\n")
        self.assertEqual(run("-f", f)[:2], (0, "2\n2\n"))
        self.assertEqual(run(stdin=b"\xef\xbb\xbf3\n")[:2], (0, "3\n"))

    def test_control_characters_never_reach_the_terminal(self):
        code, _, err = run(stdin=b"1+\xc2\x9b31m\n")
        self.assertEqual(code, 1)
        self.assertIn("unexpected control character U+009B", err)
        self.assertNotIn("\x9b", err)
        self.assertNotIn("\x1b", run(stdin=b"1+\x1b[31m\n")[2])
        csv = self.d.write("h.csv", b'"\x1b]0;pwned\x07x",y\n1,2\n')
        code, _, err = run("--csv", csv, "q")
        self.assertEqual(code, 1)
        self.assertNotIn("\x1b", err)
        self.assertNotIn("\x07", err)
        self.assertIn("\\x1b]0;pwned\\x07x", err)

    def test_a_constant_called_as_a_function(self):
        code, _, err = run("pi()")
        self.assertEqual(code, 1)
        self.assertIn("'pi' is a constant, not a function", err)


class Csv(unittest.TestCase):
    """Issue 16: the CSV mode's corner cases."""

    def setUp(self):
        self.d = Dir()

    def test_quoted_header_after_a_bom(self):
        f = self.d.write("q.csv", b'\xef\xbb\xbf"x"\n1\n')
        code, out, _ = run("--csv", f, "x+1")
        self.assertEqual(code, 0)
        self.assertEqual(out.encode(), b'\xef\xbb\xbf"x",result\n1,2\n')

    def test_a_column_named_like_a_function_is_not_a_variable(self):
        f = self.d.write("fn.csv", "sin,x\n1,2\n")
        self.assertEqual(run("--csv", f, "x")[:2], (0, "sin,x,result\n1,2,2\n"))
        code, _, err = run("--csv", f, "sin + x")
        self.assertEqual(code, 1)
        self.assertIn("'sin' is a function", err)

    def test_whitespace_only_lines_are_blank_lines(self):
        f = self.d.write("ws.csv", "x\n1\n   \n\t\n2\n")
        self.assertEqual(run("--csv", f, "x*2")[:2], (0, "x,result\n1,2\n2,4\n"))

    def test_a_result_name_that_repeats_a_column_is_refused(self):
        f = self.d.write("col.csv", "x,result\n1,2\n")
        code, out, err = run("--csv", f, "x*2")
        self.assertEqual((code, out), (1, ""))
        self.assertIn("the result column 'result' would repeat a column name", err)
        self.assertEqual(run("--csv", f, "x*2", "--as", "r")[:2], (0, "x,result,r\n1,2,2\n"))
        code, out, err = run("--csv", f, "x*2", "--as", "x")
        self.assertEqual((code, out), (1, ""))


class History(unittest.TestCase):
    """Issue 16: the REPL's history file: XDG rules, and no FIFO can block it."""

    def repl(self, env, stdin=b":quit\n"):
        # Not a terminal: the session runs as a script and writes no history; through
        # `script` it runs on a pty.
        p = subprocess.run(["script", "-qec", f"'{EXE}'", "/dev/null"], input=stdin, capture_output=True,
                           timeout=60, env=dict(os.environ, TERM="dumb", **env))
        return p

    def test_a_fifo_in_place_of_the_history_file_does_not_block(self):
        d = Dir()
        os.makedirs(os.path.join(d.path, "exprjit"))
        os.mkfifo(os.path.join(d.path, "exprjit", "history"))
        p = self.repl({"XDG_STATE_HOME": d.path}, b"1+1\n:quit\n")
        self.assertEqual(p.returncode, 0, p.stdout[-500:])
        self.assertIn(b"2", p.stdout)
        self.assertIn(b"not a regular file", p.stdout)

    def test_a_relative_xdg_state_home_is_ignored(self):
        d = Dir()
        home = os.path.join(d.path, "home")
        os.makedirs(home)
        p = self.repl({"XDG_STATE_HOME": "relative/state", "HOME": home}, b"1+1\n:quit\n")
        self.assertEqual(p.returncode, 0, p.stdout[-500:])
        self.assertFalse(os.path.exists(os.path.join(d.path, "relative")))
        self.assertTrue(os.path.exists(os.path.join(home, ".local", "state", "exprjit", "history")))


if __name__ == "__main__":
    EXE = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
