#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 300
# The opt-in /proc/kcore fix changes nothing but vm_map_ram() memory: the
# areas of /proc/vmallocinfo (vmalloc, ioremap, vmap, ...) and the holes
# between them, the module area and kernel text read through /proc/kcore
# byte for byte as without it (ranges whose contents changed between two
# reads without the fix are live data, and are left out).
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

# /proc/vmallocinfo shows addresses to CAP_SYSLOG at 1, hashes them at 0.
kptr=$(cat /proc/sys/kernel/kptr_restrict)
trap 'echo $kptr >/proc/sys/kernel/kptr_restrict' EXIT
echo 1 >/proc/sys/kernel/kptr_restrict
load_testmod
load_vmapview
tctl vmalloc vm1 4
tctl map a 2
snap=/tmp/kcore-others.$$
vmv kcore-others save $snap || fail "saving the ranges"
vmv kcore-others save $snap || fail "saving the ranges again"
kcore_fix_on
vmv kcore-others same $snap || fail "the fix changed what /proc/kcore reads outside vm_map_ram()"
kcore_fix_off || fail "turning the fix off"
vmv kcore-others same $snap || fail "turning the fix off changed what /proc/kcore reads"
rm -f $snap
