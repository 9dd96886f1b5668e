# SPDX-License-Identifier: GPL-2.0
"""What the host and the guest agree on, written down here only.

The guest side learns it from two files the host writes, both lines of
shell assignments quoted with shlex.quote: INIT_ENV in the initramfs,
for tests/guest/init.sh, which must find the results share before it can
read anything in it; and the job file in that share, which init runs and
whose exports reach tests/guest/harness.sh, demo.sh and bench.sh.
"""

import os
import re
import shlex

from . import cases
from .paths import SRC

# The guest's view of the host's 9p shares: QEMU's mount tags, and where
# init mounts them in the guest's root (the root itself at /).
ROOT_TAG = "/dev/root"
SRC_TAG, GUEST_SRC = "src", "/tmp/vmapview-src"     # the project tree, read-only
OUT_TAG, GUEST_OUT = "out", "/tmp/vmapview-out"     # the results share, writable

# Files in the results share.
JOB = "job.sh"                  # host -> init: the job's environment and command
KMOD = "kmod"                   # host -> tests: the test modules (VMAPVIEW_KMOD)
STATUS = "status"               # init -> host: the job's exit status, and ...
PORT_REFUSED = "port-refused"   # ... this line under it when /dev/port was closed
KTAP = "ktap.txt"               # harness -> host: the results
LOG_EXT = ".log"                # harness -> host: NAME.log, a guest test's output


def job_report(job):
    """What tests/guest/JOB.sh (demo, bench) writes for the host to print."""
    return job + ".txt"


# isa-debug-exit: init writes the job's status S to this I/O port and QEMU
# exits with S*2+1.
EXIT_PORT = 0xf4


def qemu_exit_code(status):
    return status << 1 | 1


GUEST_PASSED = qemu_exit_code(0)
GUEST_FAILED = qemu_exit_code(1)

# Kernel log lines a healthy run never has. The harness fails the test
# whose dmesg has one; the host scans the whole console for them as well.
# Lockdep's reports start with WARNING: or BUG:; "lockdep" alone is also in
# the boot log of a kernel that has it ("RCU lockdep checking is enabled").
# Plain words and | only: the same text is a Python and a grep -E pattern.
TROUBLE = ("BUG:|WARNING:|Oops|Call Trace|KASAN:|DEBUG_LOCKS_WARN_ON"
           "|lockdep is turned off|hung task"
           "|blocked for more than|general protection fault")
# A panic stops the guest before the harness can read dmesg: only the
# console can show it.
CONSOLE_TROUBLE = re.compile(TROUBLE + "|Kernel panic")

# Time limits, in seconds. A test's "# vmapview-timeout: SECONDS" header
# (tests/runner/cases.py reads it) raises or sets its own.
HOST_TEST_LIMIT = 1800      # a host test without the header
GUEST_TEST_LIMIT = 600      # the least a guest test gets inside the guest
GUEST_TEST_SHARE = 120      # what a guest test without the header adds to its boot's limit
BOOT_SLACK = 240            # a boot's limit beyond its tests' (booting, loading)
JOB_LIMIT = 1200            # the demo's or the benchmarks' boot


def host_test_limit(path):
    declared = cases.timeout(path)
    return HOST_TEST_LIMIT if declared is None else declared


def guest_test_limit(path):
    """The test's limit inside the guest: its header's when longer than
    GUEST_TEST_LIMIT (a shorter header shortens only its boot's limit)."""
    return max(cases.timeout(path) or 0, GUEST_TEST_LIMIT)


def boot_limit(paths):
    """The host's limit for a guest that runs the tests at paths."""
    declared = [cases.timeout(p) for p in paths]
    return BOOT_SLACK + sum(GUEST_TEST_SHARE if d is None else d for d in declared)


# The initramfs file with init's part of the contract (init.sh reads it
# by this name).
INIT_ENV = "/contract.env"


def _assignments(env, prefix=""):
    return "".join(f"{prefix}{name}={shlex.quote(str(value))}\n"
                   for name, value in env.items())


def init_env():
    """INIT_ENV's text."""
    return "# SPDX-License-Identifier: GPL-2.0\n" + _assignments({
        "VMAPVIEW_ROOT_TAG": ROOT_TAG,
        "VMAPVIEW_SRC_TAG": SRC_TAG,
        "VMAPVIEW_OUT_TAG": OUT_TAG,
        "VMAPVIEW_SRC": GUEST_SRC,
        "VMAPVIEW_OUT": GUEST_OUT,
        "VMAPVIEW_JOB": os.path.join(GUEST_OUT, JOB),
        "VMAPVIEW_STATUS": os.path.join(GUEST_OUT, STATUS),
        "VMAPVIEW_PORT_REFUSED": PORT_REFUSED,
        "VMAPVIEW_EXIT_PORT": EXIT_PORT,
    })


def guest_path(host_path):
    """Where the guest sees a file of the project tree."""
    return os.path.join(GUEST_SRC, os.path.relpath(host_path, SRC))


def harness_job(tests):
    """The job's command and environment that run the guest tests at tests
    (host paths) under tests/guest/harness.sh."""
    argv = ["bash", os.path.join(GUEST_SRC, "tests/guest/harness.sh")]
    env = {"VMAPVIEW_KTAP": os.path.join(GUEST_OUT, KTAP),
           "VMAPVIEW_LOG_EXT": LOG_EXT,
           "VMAPVIEW_TROUBLE": TROUBLE,
           "VMAPVIEW_TEST_LIMITS": " ".join(f"{cases.name(t)}={guest_test_limit(t)}"
                                            for t in tests)}
    return argv + [guest_path(t) for t in tests], env


# How the benchmarks' guest clock runs (VMAPVIEW_BENCH_CLOCK): "instructions"
# under QEMU's -icount shift=0 (1 ns of guest time per instruction, the same
# count for the same work in every run), "wall" as in every other boot.
BENCH_CLOCKS = ("instructions", "wall")


def script_job(name, **extra):
    """The job's command and environment that run tests/guest/NAME.sh;
    extra: more of its environment."""
    return (["bash", os.path.join(GUEST_SRC, f"tests/guest/{name}.sh")],
            {"VMAPVIEW_REPORT": os.path.join(GUEST_OUT, job_report(name)), **extra})


def write_job(out, kernel, argv, env, tools):
    """Writes the job file into the results share (host dir out): the
    guest's environment, then exec argv.
    tools: whether tests run their drgn audits (VMAPVIEW_TOOLS)."""
    common = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": "/root", "LANG": "C.UTF-8", "TERM": "dumb",
        "VMAPVIEW_SRC": GUEST_SRC, "VMAPVIEW_KVER": kernel.release,
        "VMAPVIEW_KERNEL": kernel.profile,
        "VMAPVIEW_OUT": GUEST_OUT, "VMAPVIEW_KMOD": os.path.join(GUEST_OUT, KMOD),
        "VMAPVIEW_TOOLS": 1 if tools else 0,
    }
    with open(os.path.join(out, JOB), "w") as f:
        f.write("# SPDX-License-Identifier: GPL-2.0\n"
                "# Written by tests/runner/contract.py; run by tests/guest/init.sh.\n"
                + _assignments({**common, **env}, "export ")
                + "exec " + shlex.join(argv) + "\n")


def refused_status(out):
    """The job's exit status when init could not pass it to QEMU (lockdown
    closes /dev/port) and left it, marked so, in the results share (host
    dir out) only; else None."""
    try:
        with open(os.path.join(out, STATUS)) as f:
            words = f.read().split()
    except OSError:
        return None
    return int(words[0]) if words[1:] == [PORT_REFUSED] else None
