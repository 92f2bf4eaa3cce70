#!/usr/bin/env python3
"""End-to-end tests of the exprjit program: outputs, exit codes, -f alignment, stdin mode.

Usage: test_cli.py PATH/TO/exprjit   (meson passes the built binary)
"""
import os
import subprocess
import sys
import tempfile
import unittest

EXE = None


def run(*args, stdin=None, env=None):
    p = subprocess.run([EXE, *args], input=stdin, capture_output=True, timeout=60,
                       env=env, stdin=None if stdin is not None else subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class Expressions(unittest.TestCase):
    def test_main_job(self):
        self.assertEqual(run("1+1.2-5"), (0, "-2.8\n", ""))

    def test_output_format(self):
        cases = {"0.1+0.2": "0.30000000000000004", "1e21": "1e+21", "1/0": "inf", "-1/0": "-inf",
                 "0/0": "nan", "-(0/0)": "nan", "0*-1": "-0", "2^-1": "0.5", "1e400": "inf"}
        for expr, want in cases.items():
            with self.subTest(expr=expr):
                self.assertEqual(run("--", expr), (0, want + "\n", ""))

    def test_several_expressions(self):
        code, out, err = run("1+1", "2*3")
        self.assertEqual((code, out), (0, "2\n6\n"))

    def test_leading_minus_after_double_dash(self):
        self.assertEqual(run("--", "-2^2"), (0, "-4\n", ""))

    def test_vars(self):
        code, out, _ = run("--var", "a=1.1", "--var", "b=2.2", "sin(2.2*a)+cos(pi/b)")
        self.assertEqual((code, out), (0, "0.8028960395524858\n"))
        code, out, _ = run("--var", "x=-0", "--var", "y=inf", "--var", "z=nan", "--var", "w=-inf", "x", "y", "z", "w")
        self.assertEqual((code, out), (0, "-0\ninf\nnan\n-inf\n"))
        self.assertEqual(run("--var", "x=1", "--var", "x=2", "x")[1], "2\n")  # the last binding wins

    def test_compile_error_exit_1_with_caret(self):
        code, out, err = run("1+1.2-q")
        self.assertEqual(code, 1)
        self.assertEqual(out, "")
        self.assertEqual(err, "<expr>:1:7: error: unknown variable 'q'\n1+1.2-q\n      ^\n")

    def test_one_bad_expression_among_good_ones(self):
        code, out, err = run("1", "2+", "3")
        self.assertEqual((code, out), (1, "1\n3\n"))
        self.assertIn("<expr>:1:3: error:", err)

    def test_usage_errors_exit_2(self):
        for args in (["--backend=nope", "1"], ["--var", "1x=2", "1"], ["--var", "x", "1"],
                     ["--var", "x=abc", "1"], ["--var", "pi=3", "1"], ["--parser=yacc", "1"],
                     ["--emit=nothing", "1"], ["--no-such-flag"], ["-f", "x", "1"]):
            with self.subTest(args=args):
                code, out, err = run(*args)
                self.assertEqual(code, 2)
                self.assertEqual(out, "")
                self.assertTrue(err.startswith("error: "), err)
        code, _, err = run("--backend=nope", "1")
        self.assertIn("valid backends: ", err)
        self.assertIn("tree", err.split("valid backends: ")[1])

    def test_help_and_version(self):
        code, out, _ = run("--help")
        self.assertEqual(code, 0)
        for word in ("--backend", "--var", "--emit", "-f", "--parser", "--time", "Exit status"):
            self.assertIn(word, out)
        code, out, _ = run("--version")
        self.assertEqual(code, 0)
        self.assertTrue(out.startswith("exprjit "))
        code, out, _ = run("--functions")
        self.assertIn("clamp(lo, x, hi)", out)

    def test_parsers_give_same_results(self):
        for expr in ("-2^2", "2^3^2", "1 ? 0 ? 3 : 4 : 5", "1<2<3", "min(3,1,2)"):
            with self.subTest(expr=expr):
                self.assertEqual(run("--parser=lalr", "--", expr), run("--parser=rd", "--", expr))

    def test_emit_tokens_and_ast(self):
        code, out, _ = run("--emit=tokens", "1+sin(x)")
        self.assertEqual(out, "NUMBER 1\nPLUS\nIDENT sin\nLPAREN\nIDENT x\nRPAREN\nEND\n")
        code, out, _ = run("--emit=ast", "--", "-a^2")
        self.assertEqual(out, "Unary neg @1:1\n  Power ^ @1:2\n    Name a @1:2\n    Number 2 @1:4\n")

    def test_time(self):
        code, out, err = run("--time", "1+2")
        self.assertEqual((code, out), (0, "3\n"))
        for phase in ("lex", "parse", "check", "compile", "eval"):
            self.assertIn(phase, err)


class Sessions(unittest.TestCase):
    SCRIPT = "x = 1.5\nsin(x)^2 + cos(x)^2\n\n# a comment\n  y = x*2; y + 1\nbad(\nundefined_var\nx\n"

    def check_session(self, code, out, err, name):
        self.assertEqual(code, 1)
        self.assertEqual(out, "1.5\n1\n4\nerror\nerror\n1.5\n")  # one line per non-blank line
        self.assertIn(f"{name}:6:5: error: expected an expression, found end of input\nbad(\n    ^\n", err)
        self.assertIn(f"{name}:7:1: error: unknown variable 'undefined_var'", err)

    def test_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(self.SCRIPT)
        try:
            self.check_session(*run("-f", f.name), f.name)
        finally:
            os.unlink(f.name)

    def test_stdin_dash_and_piped(self):
        self.check_session(*run("-f", "-", stdin=self.SCRIPT.encode()), "<stdin>")
        self.check_session(*run(stdin=self.SCRIPT.encode()), "<stdin>")

    def test_all_good_exits_0(self):
        self.assertEqual(run(stdin=b"a = 2\r\nb = a^10\nb - 1000\n"), (0, "2\n1024\n24\n", ""))

    def test_failed_line_assigns_nothing(self):
        code, out, err = run(stdin=b"x = 1; y = nope\ny\nx\n")
        self.assertEqual(out, "error\nerror\nerror\n")
        self.assertIn("unknown variable 'y'", err)
        self.assertIn("unknown variable 'x'", err)

    def test_constants_cannot_be_assigned(self):
        code, out, err = run(stdin=b"pi = 3\nsin = 2\npi\n")
        self.assertEqual(out, "error\nerror\n3.141592653589793\n")
        self.assertIn("<stdin>:1:1: error: cannot assign to the constant 'pi'", err)

    def test_missing_file(self):
        code, out, err = run("-f", "/nonexistent/file.txt")
        self.assertEqual(code, 1)
        self.assertIn("error: cannot read '/nonexistent/file.txt'", err)

    def test_empty_input(self):
        self.assertEqual(run(stdin=b""), (0, "", ""))
        self.assertEqual(run(stdin=b"  \n# only comments\n\t\n"), (0, "", ""))

    def test_odd_bytes_never_crash(self):
        code, out, err = run(stdin=b"1+\x00\n\xff\xfe\n2\n")
        self.assertEqual((code, out), (1, "error\nerror\n2\n"))
        self.assertIn("unexpected byte 0x00", err)


if __name__ == "__main__":
    EXE = sys.argv.pop(1)
    unittest.main(verbosity=2)
