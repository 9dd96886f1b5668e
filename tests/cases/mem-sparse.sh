#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mem is a sparse file: SEEK_DATA and SEEK_HOLE give exactly the mirror's
# used pages (block pages marked U, large areas), every test mapping
# inside them; reading all of mem's data that way takes seconds; a hole
# reads as zeros; bad seeks get ENXIO or EINVAL.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
load_vmapview
tctl map a 3
tctl map b 17
tctl map big 80
tctl vmalloc v 8
vmv check-sparse || fail "data ranges differ from the mirror"
out=$(vmv walk-mem) || fail "walk-mem"
echo "$out"
secs=$(echo "$out" | sed -n 's/.* in \([0-9]*\)\..*/\1/p')
[ -n "$secs" ] && [ "$secs" -lt 30 ] || fail "reading mem's data took ${secs}s"
python3 - "$VMV_DEBUGFS/mem" <<'PY' || fail "seek checks"
import errno, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
size = os.fstat(fd).st_size
for off, whence, err in ((size, os.SEEK_DATA, errno.ENXIO),
                         (size + 4096, os.SEEK_HOLE, errno.ENXIO),
                         (0, 5, errno.EINVAL)):
    try:
        os.lseek(fd, off, whence)
        sys.exit(f"lseek({off:#x}, {whence}) succeeded")
    except OSError as e:
        if e.errno != err:
            sys.exit(f"lseek({off:#x}, {whence}): {e}, want {errno.errorcode[err]}")
# A hole: the first page, below any vm_map_ram() memory, reads as zeros,
# and a megabyte of hole reads in one call.
hole = os.lseek(fd, 0, os.SEEK_HOLE)
assert os.pread(fd, 1 << 20, hole) == bytes(1 << 20), "hole not zeros"
print("seeks and holes ok")
PY
tctl unmap b
vmv check-sparse || fail "data ranges differ after an unmap"
tctl unmap_all
vmv check-sparse || fail "data ranges differ after unmap_all"
