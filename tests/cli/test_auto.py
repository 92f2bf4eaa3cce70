#!/usr/bin/env python3
"""The auto backend through the exprjit program: the same output as the vm in every mode,
before, during and after the switch to the jit; a session prints each line as it comes; a
--csv file switches mid-file; and a signal during a jit build (foreground or background)
leaves no process and no build directory behind.  Needs a Go toolchain.

Usage: test_auto.py PATH/TO/exprjit
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

EXE = None
TIMEOUT = 300  # a hang guard, never a speed goal


def live_builds(cache):
    """Live processes (not zombies) working in the cache's build directories."""
    n = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                args = f.read()
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if (cache + "/tmp/build-").encode() in args and state != "Z":
            n += 1
    return n


def build_dirs(cache):
    tmp = os.path.join(cache, "tmp")
    return [d for d in os.listdir(tmp) if d.startswith("build-")] if os.path.isdir(tmp) else []


def wait_for(pred, seconds=TIMEOUT):
    end = time.time() + seconds
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.01)
    return pred()


class Auto(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="exprjit-auto-")
        self.cache = os.path.join(self.dir, "cache")
        self.env = dict(os.environ, EXPRJIT_CACHE_DIR=self.cache)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_(self, *args, stdin=b""):
        p = subprocess.run([EXE, *args], input=stdin, capture_output=True, timeout=TIMEOUT, env=self.env)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_same_output_as_the_vm_in_every_mode_and_tier(self):
        exprs = ["1+1.2-5", "atan2(a, -1e300) + a^3", "a < 2 ? hypot(a, 3) : log10(1e15)"]
        session = self.write("s", "a = -1e-300\n" + "\n".join(exprs) + "\nf(x) = x^2 + 1\nf(a)\n")
        csv = self.write("c.csv", "a,b\n" + "".join(f"{i * 0.37 - 20},{i}\n" for i in range(5000)))
        for args in (["--var", "a=-1e-300", *exprs], ["-f", session], ["--csv", csv, *exprs]):
            want = self.run_("--backend=vm", *args)
            self.assertEqual(want[0], 0, want)
            for tier in ("measured", "at-once", "never", "wait"):
                got = self.run_("--backend=auto", f"--tier={tier}", *args)
                self.assertEqual(got[:2], want[:2], (tier, args[0], got[2]))

    def test_a_session_prints_each_line_as_it_comes(self):
        p = subprocess.Popen([EXE, "--backend=auto", "-f", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.env)
        try:
            for line, want in (("a = 1.5", b"1.5\n"), ("a * 4 + 0.25", b"6.25\n"), ("sin(a) - a", None)):
                p.stdin.write(line.encode() + b"\n")
                p.stdin.flush()
                got = p.stdout.readline()  # before the next line is written: nothing waits for a build
                if want:
                    self.assertEqual(got, want)
            p.stdin.close()
            self.assertEqual(p.wait(timeout=TIMEOUT), 0)
        finally:
            p.kill()
            p.wait()

    def test_csv_switches_to_the_jit_mid_file(self):
        expr = "sin(a) * cos(b) + exp(a / 50) - 0.125"
        rows = ["a,b\n"] + [f"{i * 0.001 - 3},{i % 17}\n" for i in range(40000)]
        want = self.run_("--backend=vm", "--csv", "-", expr, stdin="".join(rows).encode())
        self.assertEqual(want[0], 0)
        p = subprocess.Popen([EXE, "--backend=auto", "--tier=at-once", "--verbose", "--csv", "-", expr],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)
        err = []
        out = []
        te = threading.Thread(target=lambda: err.append(p.stderr.read().decode()))
        to = threading.Thread(target=lambda: out.append(p.stdout.read().decode()))
        te.start(), to.start()
        try:
            p.stdin.write("".join(rows[:20001]).encode())  # half, evaluated on the vm meanwhile
            p.stdin.flush()
            self.assertTrue(wait_for(lambda: os.path.isdir(os.path.join(self.cache, "plugins")) and any(
                n.endswith(".so") for n in os.listdir(os.path.join(self.cache, "plugins")))))
            time.sleep(0.5)  # past the load and the switch
            p.stdin.write("".join(rows[20001:]).encode())
            p.stdin.close()
            self.assertEqual(p.wait(timeout=TIMEOUT), 0)
        finally:
            p.kill()
            p.wait()
            te.join(), to.join()
        self.assertIn("switching to the jit", err[0])
        self.assertEqual(out[0], want[1])

    def signal_during_build(self, sig, args, stdin=None):
        big = " + ".join(f"sin(a*{i}.25)" for i in range(300))
        p = subprocess.Popen([EXE, *args, "--var", "a=1", big] if stdin is None else [EXE, *args],
                             stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)
        try:
            if stdin is not None:
                p.stdin.write(stdin.replace("BIG", big).encode())
                p.stdin.flush()  # and kept open: the expression stays alive, its build running
            self.assertTrue(wait_for(lambda: live_builds(self.cache) > 0), "no go build started")
            p.send_signal(sig)
            code = p.wait(timeout=60)
        finally:
            p.kill()
            p.wait()
            for f in (p.stdin, p.stdout, p.stderr):
                if f:
                    f.close()
        self.assertEqual(code, -sig)  # the signal's own status (130 or 143 in a shell)
        self.assertEqual(live_builds(self.cache), 0)
        self.assertEqual(build_dirs(self.cache), [])

    def test_sigterm_during_a_jit_build_leaves_nothing_behind(self):
        self.signal_during_build(signal.SIGTERM, ["--backend=jit"])

    def test_sigint_during_a_jit_build_leaves_nothing_behind(self):
        self.signal_during_build(signal.SIGINT, ["--backend=jit"])

    def test_sigterm_during_a_background_build_leaves_nothing_behind(self):
        # A --csv run reading rows from a pipe still open: its expression is alive, and its
        # build runs in the background while the vm evaluates the rows so far.
        big = " + ".join(f"sin(a*{i}.25)" for i in range(300))
        self.signal_during_build(signal.SIGTERM, ["--backend=auto", "--tier=at-once", "--csv", "-", big],
                                 stdin="a\n1\n2\n")

    def test_a_build_timing_out_leaves_the_vm_answering_with_a_note(self):
        code, out, err = self.run_("--backend=auto", "--tier=wait", "--verbose", "--build-timeout=0.05",
                                   "sin(1.25) * 3", "2^10")
        self.assertEqual((code, out), (0, "2.8469538580667586\n1024\n"), err)
        self.assertIn("auto: the jit failed", err)
        self.assertIn("did not finish within 0.05 s", err)
        self.assertEqual(live_builds(self.cache), 0)
        self.assertEqual(build_dirs(self.cache), [])

    def test_a_failing_build_leaves_the_vm_answering_with_a_note(self):
        code, out, err = self.run_("--backend=auto", "--tier=wait", "--verbose", "--go=/nonexistent/go",
                                   "1+1.2-5", "2^10")
        self.assertEqual((code, out), (0, "-2.8\n1024\n"), err)
        self.assertIn("auto: the jit failed", err)


if __name__ == "__main__":
    EXE = sys.argv.pop(1)
    unittest.main(verbosity=2)
