#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-boot: lockdown-late
# mem refuses reads the way /proc/kcore does once the kernel is locked down
# for confidentiality (raised at run time: see mem-lockdown-boot for why).
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
load_vmapview
tctl map a 4
head -c1 "$VMV_DEBUGFS/mem" >/dev/null || fail "mem unreadable before lockdown"
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
echo confidentiality >/sys/kernel/security/lockdown || fail "cannot raise lockdown"
cat /sys/kernel/security/lockdown
err=$(head -c1 /proc/kcore 2>&1 >/dev/null) && fail "/proc/kcore readable under lockdown"
echo "kcore: ${err##*: }"
err=$(head -c1 "$VMV_DEBUGFS/mem" 2>&1 >/dev/null) && fail "mem readable under lockdown"
echo "mem: ${err##*: }"
case $err in
*"Operation not permitted"*) ;;
*) fail "mem under lockdown: want EPERM, got $err" ;;
esac
