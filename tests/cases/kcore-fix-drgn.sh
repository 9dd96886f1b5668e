#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 300
# The opt-in /proc/kcore fix, read by drgn's own prog.read() on the live
# kernel (no vmapview code in the reader): the kernel's bug without the fix,
# the pages' real contents with it, the bug again once it is off.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

need_drgn
drgn_read() {
	vmv drgn-read "$@"
}

kcore_fix_readers drgn drgn_read
