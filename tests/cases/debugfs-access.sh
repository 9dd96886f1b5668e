#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-debug: referee
# The debugfs files are root-only and read-only, answer writes with an
# error, and follow kptr_restrict: 2 hides addresses, 1 shows them to root
# (CAP_SYSLOG), 0 shows them.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
load_vmapview
tctl map a 3
tctl map big 80
A=$(vmv addr a)

for f in blocks areas stats vmalloc; do
	expect_eq "$f mode" "$(stat -c '%a %U' "$VMV_DEBUGFS/$f")" "400 root"
	err=$( (echo x >"$VMV_DEBUGFS/$f") 2>&1) && fail "write to $f succeeded"
	echo "write to $f: ${err##*: }"
	[ -n "${err##*: }" ] || fail "write to $f: no error text"
done
err=$(su nobody -s /bin/sh -c "cat $VMV_DEBUGFS/stats" 2>&1) &&
	fail "non-root read stats"
echo "non-root: ${err##*: }"

for level in 0 1; do
	echo $level >/proc/sys/kernel/kptr_restrict
	vmv block "$A" >/dev/null || fail "kptr_restrict=$level: block of a not shown"
	vmv area "$A" >/dev/null || fail "kptr_restrict=$level: area a not shown"
	[ "$(vmv stat vmalloc_start)" != 0x0 ] || fail "kptr_restrict=$level: vmalloc_start hidden"
done
echo 2 >/proc/sys/kernel/kptr_restrict
grep -v '^#' "$VMV_DEBUGFS/blocks" | grep -vq '^0x0-0x0 ' && fail "kptr_restrict=2: block address shown"
grep -vq '^0x0-0x0 ' "$VMV_DEBUGFS/areas" && fail "kptr_restrict=2: area address shown"
grep -vq '^0x0-0x0 ' "$VMV_DEBUGFS/vmalloc" && fail "kptr_restrict=2: vmalloc address shown"
grep -q ' kind=vm_map_ram mapped=80 ' "$VMV_DEBUGFS/vmalloc" || fail "kptr_restrict=2: vmalloc records missing"
expect_eq "kptr_restrict=2: vmalloc_start" "$(vmv stat vmalloc_start)" 0x0
grep -q 'pages=80 type=area' "$VMV_DEBUGFS/areas" || fail "kptr_restrict=2: records missing"
echo 1 >/proc/sys/kernel/kptr_restrict
echo "access checks ok"
