#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-boot: lockdown
# Booted with lockdown=confidentiality: /proc/kcore refuses to open, and the
# kernel refuses unsigned modules (its integrity part), so vmapview cannot
# even load unless it is signed with a key the kernel trusts.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
level=$(cat /sys/kernel/security/lockdown)
echo "lockdown: $level"
case $level in *"[confidentiality]"*) ;; *) fail "not booted in confidentiality lockdown" ;; esac
head -c1 /proc/kcore >/dev/null 2>&1 && fail "/proc/kcore readable under lockdown"
err=$(modprobe vmapview 2>&1) && fail "unsigned vmapview loaded under lockdown"
echo "modprobe: $err"
