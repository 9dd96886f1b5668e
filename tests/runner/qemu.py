# SPDX-License-Identifier: GPL-2.0
"""Boots one TCG guest, streams its console to a file, returns how it ended."""

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from . import contract
from .contract import GUEST_FAILED, GUEST_PASSED

# Multi-threaded TCG (QEMU 7.2) corrupts a vCPU's control flow when the kernel
# patches code that the other vCPU is running: arming and disarming a
# kretprobe on vm_map_ram() while it is called in a loop on both vCPUs made
# the caller return to address 0, with tracefs kprobes alone and vmapview
# not loaded. With one TCG thread it never happened. Kprobes are the heart
# of vmapview, so guests run single-threaded (set VMAPVIEW_ACCEL to
# override).
ACCEL = "tcg,thread=single"


@dataclass
class Boot:
    exit_code: int
    timed_out: bool
    seconds: float
    console: str        # path of the console log
    trouble: list       # console lines matching contract.CONSOLE_TROUBLE

    def verdict(self):
        """None when the guest ran its job to the end; else why not."""
        if self.timed_out:
            return f"guest timed out after {self.seconds:.0f}s"
        if self.exit_code in (GUEST_PASSED, GUEST_FAILED):
            return None
        if self.exit_code == 0:
            return "guest panicked or powered off before reporting"
        if self.exit_code % 2 == 1:
            return f"guest init failed (status {self.exit_code >> 1})"
        return f"qemu failed with exit code {self.exit_code}"


# The debug kernel's CPU has no LA57 (5-level paging). With it, 6.12's
# identify_cpu() clears the boot CPU's feature bits and detects them again;
# an interrupt in that window runs KASAN-instrumented code while
# pgtable_l5_enabled() reads false, and KASAN takes the per-CPU data in the
# 5-level direct map (0xff11...) for a wild address: "BUG: KASAN:
# wild-memory-access in rcu_is_watching" from start_kernel(), before any
# module loads (seen in a CI run and, here, in the first lockdown boot; with
# la57=off not in the three that followed).
DEBUG_CPU = "max,la57=off"


# tsc=reliable: the TCG vCPUs, run in turn by one host thread, read clocks
# that drift apart by tens of milliseconds when the host is busy, and the
# clocksource watchdog then marks the TSC unstable. On the debug kernel
# that switch (sched_clock unstable, a static key flipped by a kworker)
# starved every task but the torture's churn threads for over 15 minutes:
# RCU stalls, then the OOM killer (a CI run of 2026-12-05). The guests
# test vmapview, not the emulator's clocks.
CLOCK = "tsc=reliable"


# Counted, not timed: with -icount shift=0 the guest clock advances 1 ns per
# instruction executed (sleep=off: not while idle either), so a loop's
# "time" is its instruction count, the same in every run on any host.
# Needs single-threaded TCG, which the guests use anyway. One vCPU: with
# two, every kernel tried (6.1, 7.3; shift=0 or auto, sleep on or off, cpu
# max or qemu64) hangs bringing up CPU 1 (calibrate_delay_direct fails,
# then nothing), on this machine's QEMU 7.2.
ICOUNT = ["-icount", "shift=0,sleep=off,align=off"]


def command(kernel, initrd, out_dir, src_dir, append, memory="3G", cpu="max",
            icount=False):
    return [os.environ.get("VMAPVIEW_QEMU", "qemu-system-x86_64")] + (ICOUNT if icount else []) + [
        "-machine", "q35", "-cpu", cpu, "-smp", "1" if icount else "2",
        "-m", memory, "-accel", os.environ.get("VMAPVIEW_ACCEL", ACCEL),
        "-nodefaults", "-display", "none", "-no-reboot",
        "-serial", "stdio",
        "-kernel", kernel.vmlinuz, "-initrd", initrd,
        "-append", f"console=ttyS0 panic=-1 oops=panic {CLOCK} " + append,
        "-fsdev", f"local,id=root,path={kernel.root},readonly=on,"
                  "security_model=none,multidevs=remap",
        "-device", f"virtio-9p-pci,fsdev=root,mount_tag={contract.ROOT_TAG}",
        "-fsdev", f"local,id=out,path={out_dir},security_model=none",
        "-device", f"virtio-9p-pci,fsdev=out,mount_tag={contract.OUT_TAG}",
        "-fsdev", f"local,id=src,path={src_dir},readonly=on,security_model=none",
        "-device", f"virtio-9p-pci,fsdev=src,mount_tag={contract.SRC_TAG}",
        "-device", f"isa-debug-exit,iobase={contract.EXIT_PORT:#x},iosize=0x04",
    ]


def boot(cmd, console_path, timeout, echo=False):
    start = time.monotonic()
    trouble = []
    with open(console_path, "wb") as console:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

        def pump():
            for raw in proc.stdout:
                console.write(raw)
                console.flush()
                line = raw.decode(errors="replace").rstrip("\r\n")
                if contract.CONSOLE_TROUBLE.search(line):
                    trouble.append(line)
                if echo:
                    sys.stdout.write(line + "\n")
                    sys.stdout.flush()

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.kill()
            proc.wait()
        reader.join(timeout=10)
    return Boot(proc.returncode, timed_out, time.monotonic() - start,
                console_path, trouble)
