#!/usr/bin/env python3
"""Runs the jit fault tests that need tmpfs mounts (the doctest suite "mount namespace" of
test_gojit) as a meson test of their own, so that a machine where they cannot run reports
SKIP (exit status 77) instead of a pass.

Usage: mount_tests.py PATH/TO/test_gojit

They run as root in a private mount namespace (`unshare -m`): "read-only" and "full" are
tmpfs mounts there.  The check below makes one, fills it and remounts it read-only, as the
tests do.
"""
import os
import shutil
import subprocess
import sys
import tempfile

exe = sys.argv[1]
unshare = shutil.which("unshare")
if unshare is None:
    print("SKIP: no unshare (util-linux)")
    sys.exit(77)
probe = tempfile.mkdtemp(prefix="mountprobe-")
try:
    r = subprocess.run([unshare, "-m", "sh", "-c",
                        'mount -t tmpfs -o size=16k none "$1" && touch "$1/x" && '
                        'mount -o remount,ro "$1" && ! touch "$1/y" 2>/dev/null', "sh", probe],
                       capture_output=True, text=True, timeout=60)
finally:
    shutil.rmtree(probe, ignore_errors=True)
if r.returncode != 0:
    print(f"SKIP: this process may not make a read-only tmpfs in a mount namespace of its own "
          f"(euid {os.geteuid()}): {r.stderr.strip()}")
    sys.exit(77)
os.execv(exe, [exe, "--test-suite=mount namespace"])
