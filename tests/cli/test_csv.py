#!/usr/bin/env python3
"""End-to-end tests of `exprjit --csv FILE EXPR`: pass-through of every byte of the input
rows, the result column, errors with FILE:LINE that keep the rows already written, block
and read-buffer boundaries, bounded memory, the progress bar, and every backend.

Usage: test_csv.py PATH/TO/exprjit   (meson passes the built binary)
"""
import math
import os
import pty
import random
import re
import subprocess
import sys
import tempfile
import unittest

EXE = None
TMP = None


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path


def run(*args, stdin=None):
    p = subprocess.run([EXE, *args], input=stdin, capture_output=True, timeout=120,
                       stdin=None if stdin is not None else subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def csv_run(data, expr, *args):
    return run("--csv", write("in.csv", data), expr, *args)


def backends():
    _, _, err = run("--backend=nope", "1")
    m = re.search(r"valid backends: ([\w, ]+)", err)
    assert m, err
    return [b.strip() for b in m.group(1).split(",")]


class Basics(unittest.TestCase):
    def test_result_column_appended(self):
        code, out, err = csv_run("x,y\n1,2\n3,4\n", "x*y + 1")
        self.assertEqual((code, out, err), (0, "x,y,result\n1,2,3\n3,4,13\n", ""))

    def test_as_names_the_column_and_is_quoted_when_needed(self):
        self.assertEqual(csv_run("x\n2\n", "x^2", "--as", "square")[1], "x,square\n2,4\n")
        self.assertEqual(csv_run("x\n2\n", "x^2", "--as", 'a,"b"')[1], 'x,"a,""b"""\n2,4\n')

    def test_extra_columns_pass_through_byte_for_byte(self):
        data = ('id, x ,note,y\n'
                '1, 1.5 ,"a, quoted ""field""",2\n'
                '2,-0,"spans\r\ntwo lines",3\n'
                '3,+7,plain text ,1e3\n'
                '4,\t8\t, ,"4"\n')
        code, out, err = csv_run(data, "x*y")
        self.assertEqual(err, "")
        self.assertEqual(code, 0)
        self.assertEqual(out, ('id, x ,note,y,result\n'
                               '1, 1.5 ,"a, quoted ""field""",2,3\n'
                               '2,-0,"spans\r\ntwo lines",3,-0\n'
                               '3,+7,plain text ,1e3,7000\n'
                               '4,\t8\t, ,"4",32\n'))

    def test_line_endings_kept(self):
        self.assertEqual(csv_run("x\r\n1\r\n2\r\n", "x+1")[1], "x,result\r\n1,2\r\n2,3\r\n")
        self.assertEqual(csv_run("x\n1\n2", "x+1")[1], "x,result\n1,2\n2,3\n")  # no final newline
        self.assertEqual(csv_run("x\r\n1\r\n2", "x+1")[1], "x,result\r\n1,2\r\n2,3\r\n")

    def test_blank_lines_are_skipped(self):
        self.assertEqual(csv_run("\nx\n1\n\n2\n\n", "x")[1], "x,result\n1,1\n2,2\n")

    def test_numbers_in_the_spec_format(self):
        data = "x,y\n0.1,0.2\n0,-1\n1,0\n0,0\n1e20,1e20\ninf,-inf\nnan,1\n1e400,1e-320\n-0,0\n"
        code, out, _ = csv_run(data, "x+y")
        self.assertEqual(code, 0)
        self.assertEqual([l.rsplit(",", 1)[1] for l in out.splitlines()[1:]],
                         ["0.30000000000000004", "-1", "1", "0", "2e+20", "nan", "nan", "inf", "0"])
        self.assertEqual(csv_run("x\n0\n", "x*-1")[1], "x,result\n0,-0\n")

    def test_header_only_and_constant_expressions(self):
        self.assertEqual(csv_run("x,y\n", "x+y"), (0, "x,y,result\n", ""))
        self.assertEqual(csv_run("a,b\nfoo,bar\n", "pi")[1], "a,b,result\nfoo,bar,3.141592653589793\n")

    def test_unused_columns_are_never_parsed(self):
        self.assertEqual(csv_run("x,junk\n1,not a number\n", "x")[0], 0)

    def test_var_adds_constants(self):
        code, out, _ = csv_run("x\n1\n2\n", "x*k + m", "--var", "k=10", "--var", "m=0.5")
        self.assertEqual((code, out), (0, "x,result\n1,10.5\n2,20.5\n"))

    def test_stdin(self):
        code, out, _ = run("--csv", "-", "a-b", stdin=b"a,b\n5,3\n")
        self.assertEqual((code, out), (0, "a,b,result\n5,3,2\n"))

    def test_utf8_bom_header(self):
        code, out, _ = csv_run(b"\xef\xbb\xbfx,y\n1,2\n", "x+y")
        self.assertEqual((code, out), (0, "\ufeffx,y,result\n1,2,3\n"))


class Errors(unittest.TestCase):
    def test_bad_value_keeps_rows_before(self):
        code, out, err = csv_run("x,y\n1,2\n3,4\n5,oops\n7,8\n", "x+y")
        self.assertEqual(code, 1)
        self.assertEqual(out, "x,y,result\n1,2,3\n3,4,7\n")
        path = os.path.join(TMP, "in.csv")
        self.assertEqual(err, f"{path}:4: error: column 'y': 'oops' is not a number\n")

    def test_line_numbers_count_newlines_inside_quotes(self):
        code, out, err = csv_run('n,x\n"a\nb\nc",1\n"d",\n', "x")
        self.assertEqual(code, 1)
        self.assertEqual(out, 'n,x,result\n"a\nb\nc",1,1\n')
        self.assertRegex(err, r"in\.csv:5: error: column 'x': empty value\n$")

    def test_field_count(self):
        code, out, err = csv_run("x,y\n1,2\n3\n", "x")
        self.assertEqual((code, out), (1, "x,y,result\n1,2,1\n"))
        self.assertRegex(err, r"in\.csv:3: error: expected 2 fields \(as the header\), found 1")
        self.assertEqual(csv_run("x,y\n1,2,3\n", "x")[0], 1)

    def test_unterminated_quote(self):
        code, out, err = csv_run('x,y\n1,2\n3,"4\n5,6\n', "x")
        self.assertEqual((code, out), (1, "x,y,result\n1,2,1\n"))
        self.assertRegex(err, r"in\.csv:3: error: unterminated quoted field")

    def test_unknown_column_is_a_compile_error_with_the_columns_listed(self):
        code, out, err = csv_run("x,y\n1,2\n", "x+q")
        self.assertEqual((code, out), (1, ""))
        self.assertEqual(err, "<expr>:1:3: error: unknown variable 'q'\nx+q\n  ^\n"
                              f"note: the columns of {os.path.join(TMP, 'in.csv')} are: x, y\n")

    def test_ambiguous_names(self):
        code, _, err = csv_run("e,x\n1,2\n", "e*x")  # the constant e, or the column?
        self.assertEqual(code, 1)
        self.assertIn("the column 'e' has the name of the constant e", err)
        self.assertEqual(csv_run("e,x\n1,2\n", "x*2")[:2], (0, "e,x,result\n1,2,4\n"))
        code, _, err = csv_run("x,x\n1,2\n", "x")
        self.assertIn(":1: error: the column 'x' appears twice in the header", err)
        self.assertEqual(code, 1)
        self.assertEqual(csv_run("x,x,y\n1,2,3\n", "y")[0], 0)  # not read: no ambiguity
        code, _, err = csv_run("x\n1\n", "x", "--var", "x=2")
        self.assertIn("'x' is both a column and a --var", err)

    def test_empty_and_missing_input(self):
        code, out, err = csv_run("", "1")
        self.assertEqual((code, out), (1, ""))
        self.assertIn("error: no header row", err)
        code, _, err = run("--csv", "/nonexistent/data.csv", "x")
        self.assertEqual(code, 1)
        self.assertIn("error: cannot read '/nonexistent/data.csv'", err)

    def test_usage_errors(self):
        f = write("u.csv", "x\n1\n")
        for args in (["--csv", f], ["--csv", f, "-f", f],
                     ["--csv", f, "--emit=ast", "x"], ["--as", "r", "x"]):
            with self.subTest(args=args):
                code, out, err = run(*args)
                self.assertEqual((code, out), (2, ""))
                self.assertTrue(err.startswith("error: "), err)

    def test_odd_bytes_never_crash(self):
        code, out, _ = csv_run(b"x,y\n1,\x00\xff\n", "x")
        self.assertEqual(code, 0)
        self.assertEqual(out.encode("utf-8", "replace").count(b"\n"), 2)
        code, _, err = csv_run(b"x,y\n1,\x00\xff\n", "y")
        self.assertEqual(code, 1)
        self.assertIn("column 'y': '\\x00\\xff' is not a number", err)  # bytes that are not UTF-8 escaped too

    def test_several_expressions_are_several_columns(self):
        f = write("m.csv", "x\n1\n2\n")
        self.assertEqual(run("--csv", f, "x*2", "x+1")[:2], (0, "x,result1,result2\n1,2,2\n2,4,3\n"))
        self.assertEqual(run("--csv", f, "x*2", "x+1", "--as", "d", "--as", "s")[:2], (0, "x,d,s\n1,2,2\n2,4,3\n"))
        code, out, err = run("--csv", f, "x*2", "x+1", "--as", "d")
        self.assertEqual((code, out), (2, ""))
        self.assertIn("--as", err)


def peak_rss(args):
    """Peak RSS in bytes of one exprjit run.  Linux keeps the peak RSS across fork+exec, so a
    child of this (large) Python would report this process's size: a fresh small Python
    forks exprjit and reports what wait4 says."""
    launcher = ("import os, sys\n"
                "pid = os.fork()\n"
                "if pid == 0:\n"
                "    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)\n"
                "    os.execv(sys.argv[1], sys.argv[1:])\n"
                "_, status, ru = os.wait4(pid, 0)\n"
                "print(os.waitstatus_to_exitcode(status), ru.ru_maxrss)\n")
    env = dict(os.environ)
    # Under AddressSanitizer, freed memory sits in a quarantine that grows with the work done.
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=0"
    p = subprocess.run([sys.executable, "-c", launcher, EXE, *args], capture_output=True, text=True,
                       timeout=120, env=env)
    status, kib = map(int, p.stdout.split())
    assert status == 0, p.stderr
    return kib * 1024


def numbers_file(rows, seed=5, bad_at=None):
    """A CSV of rows with columns id,x,y,tag; x*y+z style values; row bad_at (1-based) broken."""
    rnd = random.Random(seed)
    lines = ["id,x,y,tag"]
    xs, ys = [], []
    for i in range(1, rows + 1):
        x, y = round(rnd.uniform(-1000, 1000), 3), round(rnd.uniform(-50, 50), 5)
        xs.append(x)
        ys.append(y)
        tag = f'"t{i % 13}, ""q"""' if i % 3 == 0 else f"t{i % 7}"
        lines.append(f"{i},{'bad' if i == bad_at else repr(x)},{repr(y)},{tag}")
    return "\n".join(lines) + "\n", xs, ys


class Streaming(unittest.TestCase):
    def test_many_blocks_and_read_boundaries(self):
        # ~3.5 MB: several 1 MiB reads, many 4096-row blocks, a ragged last block.
        data, xs, ys = numbers_file(100_003)
        path = write("big.csv", data)
        code, out, err = run("--csv", path, "x*y - x/3 + (x < y ? x : y)")
        self.assertEqual((code, err), (0, ""))
        out_lines = out.split("\n")
        in_lines = data.split("\n")
        self.assertEqual(len(out_lines), len(in_lines))
        for i, (a, b) in enumerate(zip(in_lines[1:-1], out_lines[1:-1])):
            self.assertTrue(b.startswith(a + ","), (i, a, b))
            x, y = xs[i], ys[i]
            want = x * y - x / 3 + (x if x < y else y)  # Python floats are IEEE doubles too
            self.assertEqual(float(b[len(a) + 1:]), want, (i, a, b))

    def test_error_deep_in_the_file_keeps_every_row_before(self):
        data, _, _ = numbers_file(50_000, bad_at=45_001)
        code, out, err = run("--csv", write("bad.csv", data), "x+y")
        self.assertEqual(code, 1)
        self.assertRegex(err, r"bad\.csv:45002: error: column 'x': 'bad' is not a number")
        lines = out.split("\n")
        self.assertEqual(len(lines), 1 + 45_000 + 1)  # header, the good rows, "" after the last \n
        self.assertTrue(lines[45_000].startswith("45000,"))

    def test_a_record_longer_than_a_read(self):
        note = "n" * (3 << 20)  # 3 MiB field: the buffer has to grow past one read
        code, out, _ = csv_run(f'note,x\n"{note}",2\nshort,3\n', "x*x")
        self.assertEqual(code, 0)
        self.assertEqual(out, f'note,x,result\n"{note}",2,4\nshort,3,9\n')

    def test_memory_stays_bounded(self):
        # The peak RSS must not grow with the input: 1 MB and 46 MB inputs need the same.
        line = "12345,-123.456789,98.7654321,some text that passes through\n"
        peaks = {}
        for size in (1_000_000, 48_000_000):
            path = os.path.join(TMP, f"mem{size}.csv")
            with open(path, "w") as f:
                f.write("id,x,y,t\n")
                f.write(line * (size // len(line)))
            peaks[size] = peak_rss(["--csv", path, "x*y"])
            os.unlink(path)
        small, big = peaks[1_000_000], peaks[48_000_000]
        print(f"\npeak RSS {small / 2**20:.1f} MiB for a 1 MB input, {big / 2**20:.1f} MiB for 46 MiB",
              file=sys.stderr)
        self.assertLess(big - small, 8 << 20)
        if os.environ.get("EXPRJIT_B_SANITIZE", "none") == "none":  # sanitizers add their own
            self.assertLess(big, 32 << 20)

    def test_every_backend_writes_the_same_bytes(self):
        data, _, _ = numbers_file(9_000, seed=11)
        path = write("b.csv", data)
        outs = {}
        for b in backends():
            code, out, err = run("--csv", path, "max(x, y) % 7 - (x >= 0 && y < 0) * x / y", "--backend", b)
            self.assertEqual(code, 0, (b, err))
            outs[b] = out
        self.assertGreaterEqual(len(outs), 2)
        first = next(iter(outs.values()))
        for b, out in outs.items():
            self.assertEqual(out, first, b)


def run_with_tty_stderr(args):
    """Runs exprjit with stdout to a pipe and stderr to a pseudo-terminal."""
    master, slave = pty.openpty()
    out_file = tempfile.TemporaryFile(dir=TMP)  # not a pipe: nobody reads it while stderr is drained
    p = subprocess.Popen([EXE, *args], stdout=out_file, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        err += chunk
    p.wait(timeout=120)
    os.close(master)
    out_file.seek(0)
    out = out_file.read()
    out_file.close()
    return p.returncode, out.decode(), err.decode("utf-8", "replace")


class Parallel(unittest.TestCase):
    """Blocks are parsed, evaluated and formatted on worker threads (--threads) and written
    in input order: the bytes must not depend on the thread count, and an error must keep
    exactly the rows before it whichever thread found it."""

    EXPRS = ("x*y - x/3", "x < y ? sin(x) : y^3", "max(x, y, 0.5)")

    def test_same_bytes_whatever_the_thread_count(self):
        # Quoted tags, CRLF and blank lines mixed in, 25 blocks and a ragged last one.
        data, _, _ = numbers_file(101_111, seed=23)
        lines = data.split("\n")
        for i in range(7, len(lines) - 1, 5003):
            lines[i] += "\r"
        for i in range(11, len(lines) - 1, 7919):
            lines[i] = lines[i] + "\n"  # a blank line after it
        path = write("par.csv", "\n".join(lines))
        outs = {}
        for t in ("1", "2", "3", "8"):
            code, out, err = run("--threads", t, "--csv", path, *self.EXPRS)
            self.assertEqual((code, err), (0, ""), t)
            outs[t] = out
        self.assertEqual(len(outs["1"].split("\n")), len(data.split("\n")) + 0)
        for t in ("2", "3", "8"):
            self.assertTrue(outs[t] == outs["1"], f"--threads={t} wrote other bytes than --threads=1")

    def test_a_bad_value_keeps_every_row_before_on_any_thread_count(self):
        # The bad row sits in the middle of a block that is not the first in flight.
        data, _, _ = numbers_file(60_000, bad_at=41_000)
        path = write("parbad.csv", data)
        for t in ("1", "2", "4"):
            code, out, err = run("--threads", t, "--csv", path, *self.EXPRS)
            self.assertEqual(code, 1, t)
            self.assertEqual(err, f"{path}:41001: error: column 'x': 'bad' is not a number\n", t)
            lines = out.split("\n")
            self.assertEqual(len(lines), 1 + 40_999 + 1, t)  # header, the good rows, ""
            self.assertTrue(lines[40_999].startswith("40999,"), t)

    def stops_at(self, name, data, line, message):
        """On 1, 2 and 4 threads: exit 1, exactly `message` at `line`, the rows before it."""
        path = write(name, data)
        for t in ("1", "2", "4"):
            code, out, err = run("--threads", t, "--csv", path, "x+y")
            self.assertEqual((code, err), (1, f"{path}:{line}: error: {message}\n"), t)
            self.assertEqual(len(out.split("\n")), 1 + (line - 2) + 1, t)  # header, the rows, ""

    def test_the_first_error_in_the_file_is_the_one_reported(self):
        # A bad value (found by a worker) at row 20,000 and a short record (found by the
        # reading thread, later in time than the worker may look) at row 30,000.
        lines = numbers_file(40_000, bad_at=20_000)[0].split("\n")
        lines[30_000] = "30000,1.5"
        self.stops_at("twobad.csv", "\n".join(lines), 20_001, "column 'x': 'bad' is not a number")
        # The short record alone: every row before it, whatever the thread count.
        lines = numbers_file(40_000)[0].split("\n")
        lines[30_000] = "30000,1.5"
        self.stops_at("short.csv", "\n".join(lines), 30_001, "expected 4 fields (as the header), found 2")

    def test_long_records_do_not_multiply_the_memory(self):
        # 300 records of 200 kB (60 MB): a block is full by its bytes long before 4096
        # records, so the ring of blocks in flight holds a few MB, not the file.
        path = os.path.join(TMP, "long.csv")
        with open(path, "w") as f:
            f.write("note,x\n")
            for i in range(300):
                f.write('"' + "n" * 200_000 + f'",{i}\n')
        peak = peak_rss(["--threads", "2", "--csv", path, "x*2"])
        code, out, err = run("--threads", "2", "--csv", path, "x*2")
        os.unlink(path)
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(out.count("\n"), 301)
        self.assertTrue(out.endswith(f'",299,598\n'))
        print(f"\npeak RSS {peak / 2**20:.1f} MiB for 60 MB of 200 kB records", file=sys.stderr)
        if os.environ.get("EXPRJIT_B_SANITIZE", "none") == "none":  # sanitizers add their own
            self.assertLess(peak, 40 << 20)

    def test_a_write_error_is_an_error_on_several_threads(self):
        data, _, _ = numbers_file(30_000)
        path = write("full.csv", data)
        with open("/dev/full", "wb") as full:
            p = subprocess.run([EXE, "--threads", "2", "--csv", path, "x+y"], stdout=full,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=120)
        self.assertEqual(p.returncode, 1)
        self.assertIn("error: cannot write the output", p.stderr.decode())


class Progress(unittest.TestCase):
    def test_bar_only_on_a_terminal_and_a_large_input(self):
        line = "1.5,2.5\n"
        path = os.path.join(TMP, "progress.csv")
        with open(path, "w") as f:
            f.write("x,y\n" + line * ((20 << 20) // len(line)))  # 20 MiB: above the threshold
        code, out, err = run_with_tty_stderr(["--csv", path, "x*y"])
        self.assertEqual(code, 0)
        self.assertTrue(out.startswith("x,y,result\n1.5,2.5,3.75\n"))
        self.assertRegex(err, r"\[[#.]+\] +\d+%  [\d.]+ MiB of 20.0 MiB, \d+ rows")
        self.assertTrue(err.endswith("\r\x1b[K"), repr(err[-40:]))  # the bar is erased at the end
        # Same input, stderr not a terminal: nothing on stderr.
        code, out2, err = run("--csv", path, "x*y")
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(out2, out)
        # A terminal but a small input: no bar.
        code, _, err = run_with_tty_stderr(["--csv", write("small.csv", "x,y\n1,2\n"), "x*y"])
        self.assertEqual((code, err), (0, ""))
        os.unlink(path)


if __name__ == "__main__":
    EXE = sys.argv.pop(1)
    with tempfile.TemporaryDirectory(prefix="exprjit-csv-") as TMP:
        unittest.main(verbosity=2)
