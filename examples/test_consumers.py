#!/usr/bin/env python3
"""Installs exprjit into a temporary directory (meson install --destdir) and builds the two
consumer projects against it through pkg-config: examples/consumer-meson (shared and
static) and examples/consumer-cmake.  Offline; runs the built programs.

Usage: test_consumers.py BUILD_ROOT SOURCE_ROOT MESON CMAKE
"""
import os
import subprocess
import sys
import tempfile

build_root, source_root, meson, cmake = sys.argv[1:5]


def run(cmd, env=None, cwd=None):
    print("$", " ".join(cmd), flush=True)
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    sys.stdout.write(p.stdout[-4000:])
    sys.stdout.write(p.stderr[-4000:])
    if p.returncode != 0:
        sys.exit(f"failed with exit status {p.returncode}: {' '.join(cmd)}")
    return p.stdout


with tempfile.TemporaryDirectory(prefix="exprjit-install-") as tmp:
    root = os.path.join(tmp, "root")
    run([meson, "install", "-C", build_root, "--no-rebuild", "--quiet", "--destdir", root])

    pcs = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f == "exprjit.pc"]
    libs = [d for d, _, fs in os.walk(root) for f in fs if f.startswith("libexprjit.so")]
    headers = [d for d, _, fs in os.walk(root) for f in fs if f == "exprjit.hpp"]
    if len(pcs) != 1 or not libs or not headers:
        sys.exit(f"install is missing pieces: pc={pcs} libs={libs} headers={headers}")
    print("installed:", pcs[0], libs[0], headers[0])

    # The .pc names the configured prefix (/usr/local); the files are under root.  A copy
    # with prefix= pointing there stands for an install in that prefix.  (Not
    # PKG_CONFIG_SYSROOT_DIR: it would also move the paths of the system packages that
    # exprjit.pc requires, such as libcrypto's.)
    with open(pcs[0]) as f:
        pc = f.read()
    prefix = next(l.split("=", 1)[1] for l in pc.splitlines() if l.startswith("prefix="))
    pcdir = os.path.join(tmp, "pkgconfig")
    os.mkdir(pcdir)
    with open(os.path.join(pcdir, "exprjit.pc"), "w") as f:
        f.write(pc.replace("prefix=" + prefix, "prefix=" + root + prefix, 1))

    env = dict(os.environ)
    env["PKG_CONFIG_PATH"] = pcdir
    env["LD_LIBRARY_PATH"] = libs[0]
    env.pop("CXXFLAGS", None)
    env.pop("LDFLAGS", None)

    # A Meson project.
    mbuild = os.path.join(tmp, "meson-build")
    run([meson, "setup", mbuild, os.path.join(source_root, "examples", "consumer-meson")], env=env)
    run(["ninja", "-C", mbuild], env=env)
    run([os.path.join(mbuild, "consumer")], env=env)
    run([os.path.join(mbuild, "consumer-static")], env=env)
    # The static program must not need libexprjit.so at run time.
    needed = subprocess.run(["readelf", "-d", os.path.join(mbuild, "consumer-static")],
                            capture_output=True, text=True, check=True).stdout
    if "libexprjit" in needed:
        sys.exit("consumer-static depends on the shared libexprjit")

    # A CMake project.
    cbuild = os.path.join(tmp, "cmake-build")
    run([cmake, "-S", os.path.join(source_root, "examples", "consumer-cmake"), "-B", cbuild, "-G", "Ninja"], env=env)
    run([cmake, "--build", cbuild], env=env)
    run([os.path.join(cbuild, "consumer")], env=env)
print("both consumers built and ran against the installed library")
