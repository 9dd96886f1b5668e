# SPDX-License-Identifier: GPL-2.0
"""The tests: which there are, what their header lines say, which run where.

A test script's first 30 lines may hold "# vmapview-KEY: VALUE" headers:
  kernels  the profiles it runs on (default: all)
  boot     the guest boot it runs in (default: main)
  timeout  its time limit in seconds (see tests/runner/contract.py)
  debug    "referee": it runs on the debug kernel in make check too
  guest    (host tests) "boots": it boots a guest of its own, so it runs
           alone; the other host tests run beside the kernel's guest boots
"""

import fnmatch
import glob
import os
import re

from . import kernels
from .paths import SRC


def header(path, key, default):
    with open(path) as f:
        for line in f.readlines()[:30]:
            m = re.match(rf"#\s*vmapview-{key}:\s*(.+)", line)
            if m:
                return m.group(1).strip()
    return default


def timeout(path):
    """The test's own time limit, or None."""
    value = header(path, "timeout", None)
    return None if value is None else int(value)


def boots_guest(path):
    """Whether a host test boots a guest (never two guests at once)."""
    return header(path, "guest", "") == "boots"


def name(path):
    return os.path.basename(path)[:-3]


def selected(name, patterns):
    if not patterns:
        return True
    base = name.split("/", 1)[-1]
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(base, p) or p in name
               for p in patterns)


def discover(selftest=None, case=None, patterns=()):
    """(host tests, guest tests): paths, sorted, that the command line asks
    for. A --selftest or a --case replaces the guest tests and drops the
    host tests; --test patterns filter both."""
    host_tests = sorted(t for t in glob.glob(os.path.join(SRC, "tests", "host", "*.sh"))
                        if os.path.basename(t) != "lib.sh")
    cases = sorted(glob.glob(os.path.join(SRC, "tests", "cases", "*.sh")))
    if selftest:
        cases = [os.path.join(SRC, "tests", "selftest", selftest + ".sh")]
        host_tests = []
    if case:
        cases = [os.path.abspath(case)]
        host_tests = []
    return ([t for t in host_tests if selected("host/" + name(t), patterns)],
            [c for c in cases if selected("guest/" + name(c), patterns)])


def listing(host_tests, cases):
    """The lines of tests/run --list: kernels (installed?), then tests."""
    yield "kernels:"
    for p in kernels.profiles():
        try:
            where = kernels.resolve(p.name).release
        except kernels.KernelUnavailable:
            where = "not installed (make setup KERNEL=%s)" % p.name
        yield f"  {p.name:11} {p.group:8} {where}"
    for t in host_tests:
        yield f"host/{name(t)} (kernels {header(t, 'kernels', 'all')})"
    for c in cases:
        yield (f"guest/{name(c)} (boot {header(c, 'boot', 'main')}, "
               f"kernels {header(c, 'kernels', 'all')})")


def for_kernel(path, profile):
    return profile in header(path, "kernels", profile).split()


def referee_only(kernel, named):
    """Whether kernel runs only the referee tests (and no drgn audits).
    named: the --kernel arguments.

    The debug kernel runs the whole suite only when asked for by name
    (make check KERNEL=debug: over an hour under TCG, KASAN and lockdep);
    in make check it runs the tests that churn, race and misuse (header
    "vmapview-debug: referee"), what KASAN and lockdep are there for, and
    the others skip, saying so. The drgn audits inside tests are left out
    there too (VMAPVIEW_TOOLS=0). VMAPVIEW_DEBUG_ALL=0/1 says otherwise."""
    asked = any(n in ("debug", kernel.profile, kernel.release) for n in named or [])
    asked = os.environ.get("VMAPVIEW_DEBUG_ALL", "1" if asked else "0") == "1"
    return kernels.group_of(kernel.profile) == "debug" and not asked


REFEREE_SKIP = ("debug kernel: in make check KERNEL=debug (make check "
                "runs the churn and misuse tests there)")


def for_guest(cases, kernel, referees_only):
    """(tests to run, tests to skip with REFEREE_SKIP) of cases on kernel."""
    mine = [c for c in cases if for_kernel(c, kernel.profile)]
    if not referees_only:
        return mine, []
    run = [c for c in mine if header(c, "debug", "") == "referee"]
    return run, [c for c in mine if c not in run]


def boots(cases, selftest=None):
    """{boot name: its tests}, in the order of cases. A self-test boots
    on its own, as selftest-NAME."""
    out = {}
    for c in cases:
        boot = "selftest-" + selftest if selftest else header(c, "boot", "main")
        out.setdefault(boot, []).append(c)
    return out
