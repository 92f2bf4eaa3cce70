#!/usr/bin/env python3
"""Hostile input through the exprjit program: every case ends in its stated outcome (a
value, or a clear positioned error with exit status 1 or 2), never a signal, a hang or a
crash report.  Each runs on the tree and vm backends (front-end errors need no jit build).

Usage: test_hostile.py PATH/TO/exprjit
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

EXE = None
BACKENDS = ("tree", "vm")
TIMEOUT = 120  # a hang fails the test; nothing here asserts speed


def run(args, stdin=b""):
    p = subprocess.run([EXE, *args], input=stdin, capture_output=True, timeout=TIMEOUT)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class Hostile(unittest.TestCase):
    def outcome(self, stdin, *, code, out=None, err_has=None, args=()):
        for backend in BACKENDS:
            with self.subTest(backend=backend):
                rc, o, e = run(["--backend", backend, *args], stdin)
                self.assertGreaterEqual(rc, 0, f"killed by signal {-rc}")
                self.assertEqual(rc, code, e[-2000:])
                if out is not None:
                    self.assertEqual(o, out)
                if err_has is not None:
                    self.assertIn(err_has, e)
                self.assertNotIn("Sanitizer", e)
                self.assertNotIn("terminate called", e)

    def test_empty_and_blank_input(self):
        self.outcome(b"", code=0, out="")
        self.outcome(b" \t\r\n\n   \n", code=0, out="")
        self.outcome(b"# just a comment\n   # another\n", code=0, out="")

    def test_ten_megabyte_expression(self):
        text = b"max(" + b",".join([b"1.5"] * 2_500_000) + b")\n"
        self.assertGreater(len(text), 10_000_000)
        self.outcome(text, code=0, out="1.5\n")

    def test_deep_nesting_is_a_depth_error(self):
        depth_error = "expression nests too deeply (limit 2000 levels)"
        n = 100_000
        self.outcome(b"(" * n + b"1" + b")" * n + b"\n", code=1, out="error\n", err_has="<stdin>:1:2001: error: " + depth_error)
        self.outcome(b"-" * n + b"1\n", code=1, out="error\n", err_has=depth_error)
        self.outcome(b"!" * n + b"1\n", code=1, out="error\n", err_has=depth_error)
        self.outcome(b"2" + b"^2" * n + b"\n", code=1, out="error\n", err_has=depth_error)
        self.outcome(b"sin(" * n + b"1" + b")" * n + b"\n", code=1, out="error\n", err_has=depth_error)

    def test_nesting_at_the_limit_evaluates(self):
        n = 1000
        self.outcome(b"(" * n + b"1" + b")" * n + b"\n", code=0, out="1\n")
        self.outcome(b"-" * n + b"1\n", code=0, out="1\n")

    def test_chains_of_a_million_terms_evaluate(self):
        # A chain of one precedence level (a+b-c+...) is not nesting: it evaluates at any
        # length (docs/limits.md).  The jit's is in tests/gojit (100,000 terms).
        self.outcome(b"1" + b"+1" * 1_000_000 + b"\n", code=0, out="1000001\n")
        self.outcome(b"1" + b"-1+2" * 500_000 + b"\n", code=0, out="500001\n")
        self.outcome(b"2" + b"*1" * 1_000_000 + b"\n", code=0, out="2\n")
        self.outcome(b"0" + b"<1" * 1_000_000 + b"\n", code=0, out="0\n")  # ((0<1)<1)...: 1, 0, 1, ...
        self.outcome(b"1" + b"&&1" * 1_000_000 + b"\n", code=0, out="1\n")
        # Parentheses still nest: a chain inside 2001 of them is the depth error.
        self.outcome(b"(" * 2001 + b"1+1" + b")" * 2001 + b"\n", code=1, out="error\n", err_has="nests too deeply")

    def test_nul_bytes_and_invalid_utf8(self):
        self.outcome(b"1+\x00+2\n", code=1, out="error\n", err_has="<stdin>:1:3: error: unexpected byte 0x00")
        self.outcome(b"\x00\n", code=1, out="error\n", err_has="unexpected byte 0x00")
        self.outcome(b"1 + \xff\xfe\n", code=1, out="error\n", err_has="unexpected byte 0xff")
        self.outcome(b"\xc3\x28\n", code=1, out="error\n", err_has="unexpected byte 0xc3")
        self.outcome(b"1 # comment with \x00 and \xff bytes\n", code=0, out="1\n")

    def test_megabyte_identifier_and_number(self):
        ident = b"x" * (1 << 20)
        self.outcome(ident + b"\n", code=1, out="error\n", err_has="unknown variable")
        self.outcome(b"1" * (1 << 20) + b"\n", code=0, out="inf\n")
        self.outcome(b"0." + b"0" * (1 << 20) + b"1\n", code=0, out="0\n")

    def test_unknown_names_and_arity(self):
        self.outcome(b"nope + 1\n", code=1, out="error\n", err_has="<stdin>:1:1: error: unknown variable 'nope'")
        self.outcome(b"frob(1)\n", code=1, out="error\n", err_has="unknown function 'frob'")
        self.outcome(b"sin(1, 2)\n", code=1, out="error\n", err_has="'sin' takes 1 argument, given 2")
        self.outcome(b"max()\n", code=1, out="error\n", err_has="'max' takes at least 1 argument, given 0")

    def test_malformed_var_options(self):
        for spec in ("=1", "1a=2", "a b=1", "a", "a=", "a=1x", "a=0x", "pi=3", "sin=1", "a=--1", "\xff=1"):
            with self.subTest(spec=spec):
                rc, out, err = run(["--var", spec, "1"])
                self.assertEqual(rc, 2, err)
                self.assertTrue(err.startswith("error: --var"), err)

    def test_missing_and_unreadable_files(self):
        rc, out, err = run(["-f", "/nonexistent/expressions.txt"])
        self.assertEqual((rc, out), (1, ""))
        self.assertIn("cannot read '/nonexistent/expressions.txt'", err)
        rc, out, err = run(["-f", "/"])  # a directory
        self.assertEqual((rc, out), (1, ""))
        self.assertIn("cannot read '/': Is a directory", err)
        with tempfile.NamedTemporaryFile(delete=False) as f:
            f.write(b"1+1\n")
        exe = EXE
        try:
            os.chmod(f.name, 0)
            # root reads anything: as root, run exprjit as nobody (util-linux's setpriv), from
            # a copy in a directory that user can enter (the build tree may be private)
            drop = []
            if os.geteuid() == 0:
                bindir = tempfile.mkdtemp()
                os.chmod(bindir, 0o755)
                exe = shutil.copy(EXE, bindir)
                drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            p = subprocess.run([*drop, exe, "-f", f.name], capture_output=True, timeout=TIMEOUT, text=True)
            self.assertEqual((p.returncode, p.stdout), (1, ""), p.stderr)
            self.assertIn(f"cannot read '{f.name}': Permission denied", p.stderr)
        finally:
            os.unlink(f.name)
            if exe != EXE:
                shutil.rmtree(os.path.dirname(exe), ignore_errors=True)

    def test_stdout_closed_early(self):
        with tempfile.TemporaryFile() as src:
            src.write(b"".join(b"%d+1\n" % i for i in range(200_000)))
            src.seek(0)
            p = subprocess.Popen([EXE, "--backend", "vm"], stdin=src, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        first = p.stdout.readline()
        p.stdout.close()  # like `| head -1`
        err = p.stderr.read()
        p.stderr.close()
        rc = p.wait(timeout=TIMEOUT)
        self.assertEqual(first, b"1\n")
        self.assertIn(rc, (0, -signal.SIGPIPE))  # a quiet end, no crash report
        self.assertEqual(err, b"")


if __name__ == "__main__":
    EXE = sys.argv.pop(1)
    unittest.main(verbosity=2)
