#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-debug: referee
# mem answers bad use clearly: EACCES for non-root, EPERM for an open for
# writing, EBADF for write() on a read-only descriptor, EOF at and beyond the
# end of the vmalloc range, lseek within its size, a huge read clamped at
# the end without a huge buffer, and a signal ends a huge read early.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_vmapview
err=$(su nobody -s /bin/sh -c "head -c1 $VMV_DEBUGFS/mem" 2>&1) && fail "non-root read"
echo "non-root: ${err##*: }"
case $err in *"Permission denied"*) ;; *) fail "non-root: want EACCES" ;; esac

python3 - "$VMV_DEBUGFS/mem" <<'PY' || fail "mem access checks"
import ctypes, ctypes.util, errno, mmap, os, signal, sys, threading, time

path = sys.argv[1]
size = os.stat(path).st_size
print(f"size {size:#x}")
assert size > 0 and size % 4096 == 0, "size is not whole pages"
for flags in (os.O_WRONLY, os.O_RDWR):
    try:
        os.open(path, flags)
        raise SystemExit(f"open with {flags:#o} succeeded")
    except PermissionError as e:
        assert e.errno == errno.EPERM, e
fd = os.open(path, os.O_RDONLY)
try:
    os.write(fd, b"x")
    raise SystemExit("write succeeded")
except OSError as e:
    assert e.errno == errno.EBADF, e
assert os.lseek(fd, 0, os.SEEK_END) == size, "SEEK_END"
assert os.lseek(fd, -4096, os.SEEK_END) == size - 4096, "SEEK_END - 4096"
try:
    os.lseek(fd, -1, os.SEEK_SET)
    raise SystemExit("negative seek succeeded")
except OSError as e:
    assert e.errno == errno.EINVAL, e
assert os.pread(fd, 4096, size) == b"", "read at the end is not EOF"
assert os.pread(fd, 4096, size + (1 << 30)) == b"", "read beyond the end is not EOF"
assert os.pread(fd, 8192, size - 4096) == bytes(4096), "read across the end"

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.pread.restype = ctypes.c_ssize_t
libc.pread.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_long]
buf = mmap.mmap(-1, 1 << 20)
addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
# A read of up to 2^40 bytes into a 1 MiB buffer: the kernel clamps it at
# the end of the range and copies to user page by page (no huge kernel
# buffer). The count stays below the end of 4-level user space, which
# 5.10's access_ok() checks before vmapview is called.
huge = min(1 << 40, (1 << 47) - 4096 - addr)
n = libc.pread(fd, addr, huge, size - (1 << 20))
assert n == 1 << 20, f"read of {huge:#x} bytes near the end returned {n} " \
    f"({os.strerror(ctypes.get_errno())})"

# A signal ends a long read early: a 1 GiB read of holes, SIGALRM at 0.2 s.
MAP_NORESERVE = 0x4000  # x86; not in Python 3.11's mmap module
big = mmap.mmap(-1, 1 << 30, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | MAP_NORESERVE)
big_addr = ctypes.addressof(ctypes.c_char.from_buffer(big))
signal.signal(signal.SIGALRM, lambda *a: None)
signal.siginterrupt(signal.SIGALRM, True)
signal.setitimer(signal.ITIMER_REAL, 0.2)
t = time.monotonic()
n = libc.pread(fd, big_addr, 1 << 30, 0)
t = time.monotonic() - t
err = ctypes.get_errno()
print(f"1 GiB read with SIGALRM at 0.2 s: returned {n} after {t:.2f} s")
assert (0 < n < 1 << 30) or (n == -1 and err == errno.EINTR), "signal did not end the read"
print("access checks ok")
PY
