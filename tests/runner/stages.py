# SPDX-License-Identifier: GPL-2.0
"""A kernel's stages: build, host tests and guest boots, each adding its
results to the run's Report; the guest jobs (demo, bench); and the wait
for a kernel that a make setup still holds."""

import fcntl
import os
import shutil
import subprocess
import sys
import threading
import time

from . import build, cases, contract, initramfs, kernels, ktap, qemu
from .paths import RUN, SRC, WORK
from .report import Collected

# Kernel command lines of the boots that guest tests can ask for. A test
# that changes the kernel for good (lockdown) gets a boot of its own.
BOOTS = {"main": "", "lockdown": "lockdown=confidentiality", "lockdown-late": ""}


def tail(path, n=40):
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()[-n:]
    except OSError:
        return []


def timed(label, stage, *args):
    """Runs stage(*args) and prints how long it took."""
    start = time.monotonic()
    stage(*args)
    print(f"== stage {label}: {time.monotonic() - start:.1f}s", flush=True)


def kmod_dir(k):
    """Where the test modules are built (inside the root of a chrooted kernel)."""
    if k.chroot:
        return k.path(os.path.join("/var/cache/vmapview-build", k.release, "kmod"))
    return os.path.join(WORK, "build", k.release, "kmod")


def stage_build(k, report, logdir):
    """DKMS-installs vmapview and builds the test modules."""
    os.makedirs(logdir, exist_ok=True)
    log_path = os.path.join(logdir, "dkms.log")
    with open(log_path, "w") as log:
        err = build.dkms_install(k, SRC, log)
    report.add(f"{k.profile} build/dkms-install", "fail" if err else "pass",
               err or "", tail(log_path))
    log_path = os.path.join(logdir, "kmod.log")
    with open(log_path, "w") as log:
        err = build.build_testmods(k, SRC, kmod_dir(k), log)
    report.add(f"{k.profile} build/test-modules", "fail" if err else "pass",
               err or "", tail(log_path))


def run_dir(k, boot_name):
    """Where a boot's console, KTAP and test logs go (host side)."""
    return os.path.join(WORK, "runs", f"{k.release}-{boot_name}")


def host_env(k):
    """A host test's environment. VMAPVIEW_MAIN_KTAP: the KTAP of a main boot
    of this kernel, which a host test that boots one (tests/run --case) reads."""
    return dict(os.environ, VMAPVIEW_SRC=SRC, VMAPVIEW_WORK=WORK,
                VMAPVIEW_KERNEL=k.profile, VMAPVIEW_KVER=k.release,
                VMAPVIEW_KDIR=k.kdir, VMAPVIEW_KMOD=kmod_dir(k),
                VMAPVIEW_CHROOT=k.chroot, VMAPVIEW_RUN=RUN,
                VMAPVIEW_MAIN_KTAP=os.path.join(run_dir(k, "main"), contract.KTAP))


def stage_host(k, tests, report, logdir):
    for path in tests:
        name = "host/" + cases.name(path)
        log_path = os.path.join(logdir, cases.name(path) + ".log")
        timeout = contract.host_test_limit(path)
        start = time.monotonic()
        with open(log_path, "w") as log:
            try:
                rc = subprocess.run(["bash", path], cwd=SRC, env=host_env(k),
                                    stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, timeout=timeout).returncode
            except subprocess.TimeoutExpired:
                rc = 124
        secs = time.monotonic() - start
        lines = tail(log_path, 200)
        if rc == 0:
            report.add(f"{k.profile} {name}", "pass", f"{secs:.1f}s")
        elif rc == 77:
            why = [ln[6:] for ln in lines if ln.startswith("SKIP: ")]
            report.add(f"{k.profile} {name}", "skip", why[-1] if why else "no reason")
        else:
            report.add(f"{k.profile} {name}", "fail",
                       "timed out" if rc == 124 else f"exit status {rc}", lines)


class Beside:
    """Host tests that run while the kernel's guests boot, one at a time: a
    guest is one TCG thread, so the second core is free for them (make
    without -j). Their results are reported once the guests are done. Host
    tests that boot a guest themselves ("# vmapview-guest: boots") run
    before, alone: never two guests at once."""

    def __init__(self, k, tests, logdir):
        self.results = Collected()
        self.tests = tests
        self.seconds = 0.0
        self.thread = threading.Thread(target=self._run, args=(k, logdir), daemon=True)
        self.thread.start()

    def _run(self, k, logdir):
        start = time.monotonic()
        try:
            stage_host(k, self.tests, self.results, logdir)
        except Exception as e:  # reported, not lost with the thread
            self.results.add(f"{k.profile} host tests", "fail", f"runner error: {e!r}")
        self.seconds = time.monotonic() - start

    def finish(self, report):
        self.thread.join()
        if self.tests:
            print(f"== stage host tests beside the guests: {self.seconds:.1f}s", flush=True)
        self.results.replay(report)


def run_guest(k, boot_name, job, timeout, echo, kmods=None, tools=True, icount=False):
    """Boots one guest that runs job, (argv, env) from contract; returns
    (Boot, host out dir).
    kmods: where the test modules are, when not in the kernel's root.
    tools: whether tests run their drgn audits (VMAPVIEW_TOOLS).
    icount: the guest clock counts instructions (qemu.ICOUNT)."""
    out = run_dir(k, boot_name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    if os.path.isdir(kmods or kmod_dir(k)):
        shutil.copytree(kmods or kmod_dir(k), os.path.join(out, contract.KMOD),
                        ignore=shutil.ignore_patterns("*.o", ".*", "*.mod*"))
    contract.write_job(out, k, *job, tools)
    initrd = initramfs.build(k, os.path.join(SRC, "tests", "guest", "init.sh"),
                             os.path.join(WORK, "initramfs", k.release + ".cpio.gz"))
    debug = kernels.group_of(k.profile) == "debug"
    cmd = qemu.command(k, initrd, out, SRC, BOOTS.get(boot_name, ""),
                       cpu=qemu.DEBUG_CPU if debug else "max", icount=icount)
    b = qemu.boot(cmd, os.path.join(out, "console.log"), timeout, echo)
    if b.exit_code == 0:
        status = contract.refused_status(out)
        if status is not None:
            b.exit_code = contract.qemu_exit_code(status)
            print(f"     {boot_name}: isa-debug-exit refused (lockdown); status from the share")
    return b, out


def stage_guest(k, boot_name, tests, report, args, tools):
    timeout = args.timeout or contract.boot_limit(tests)
    b, out = run_guest(k, boot_name, contract.harness_job(tests), timeout,
                       args.verbose, args.kmods, tools)
    try:
        with open(os.path.join(out, contract.KTAP), errors="replace") as f:
            results = ktap.parse(f.read())
    except OSError:
        results = {}
    verdict = b.verdict()
    for c in tests:
        name = cases.name(c)
        status, detail, diag = results.get(
            name, ("fail", f"no result ({verdict or 'guest harness did not report it'})",
                   tail(os.path.join(out, name + contract.LOG_EXT))))
        report.add(f"{k.profile} guest/{name}", status, detail, diag)
    problems = []
    if verdict:
        problems.append(verdict)
    if b.trouble:
        problems.append("kernel trouble on the console: " + b.trouble[0].strip())
    any_failed = any(r[0] == "fail" for r in results.values())
    if not verdict and (b.exit_code == contract.GUEST_FAILED) != any_failed:
        problems.append(f"guest exit code {b.exit_code} disagrees with its KTAP")
    report.add(f"{k.profile} boot/{boot_name}", "fail" if problems else "pass",
               "; ".join(problems) or f"{b.seconds:.1f}s",
               b.trouble + tail(b.console, 30) if problems else ())
    print(f"     console: {b.console}")


def run_job(k, name, args):
    """Runs tests/guest/NAME.sh (demo, bench) and prints what it wrote. The
    benchmarks run twice: counted (instructions, qemu.ICOUNT), then timed."""
    if name != "bench":
        return _run_job(k, name, name, contract.script_job(name), args)
    rc = 0
    # For a quick loop: VMAPVIEW_BENCH_CLOCKS=instructions VMAPVIEW_BENCH=events
    clocks = os.environ.get("VMAPVIEW_BENCH_CLOCKS", "").split() or contract.BENCH_CLOCKS
    for clock in clocks:
        print(f"### make bench, guest clock: {clock}", flush=True)
        rc |= _run_job(k, f"bench-{clock}", name,
                       contract.script_job(name, VMAPVIEW_BENCH_CLOCK=clock,
                                           VMAPVIEW_BENCH=os.environ.get("VMAPVIEW_BENCH", ""),
                                           VMAPVIEW_BENCH_ARGS=os.environ.get(
                                               "VMAPVIEW_BENCH_ARGS", "")),
                       args, icount=clock == "instructions")
    return rc


def _run_job(k, boot_name, name, job, args, icount=False):
    b, out = run_guest(k, boot_name, job, args.timeout or contract.JOB_LIMIT,
                       args.verbose, icount=icount)
    output = os.path.join(out, contract.job_report(name))
    if os.path.exists(output):
        with open(output, errors="replace") as f:
            sys.stdout.write(f.read())
    problem = b.verdict() or (b.exit_code != contract.GUEST_PASSED and f"{name} failed")
    if b.trouble:
        problem = "kernel trouble on the console: " + b.trouble[0]
    print(f"\n{boot_name} on {k.release}: {problem or 'ok'} ({b.seconds:.0f}s); "
          f"console: {b.console}", flush=True)
    return 1 if problem else 0


def wait_for_setup(name):
    """Waits while a make setup that is still running holds the kernel's
    lock (tests/setup.sh): CI builds the debug kernel while the generic
    kernels' suites run."""
    path = os.path.join(WORK, "locks", name + ".lock")
    if not os.path.exists(path):
        return
    with open(path) as f:
        try:
            fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"== kernel {name}: waiting for make setup to finish it", flush=True)
            start = time.monotonic()
            fcntl.flock(f, fcntl.LOCK_SH)
            print(f"== kernel {name}: ready after {time.monotonic() - start:.0f}s of waiting",
                  flush=True)
