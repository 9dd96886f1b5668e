#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-debug: referee
# mem asks what /proc/kcore asks: CAP_SYS_RAWIO. A root process that keeps
# CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, which the file's mode 0400 does
# not stop, but has dropped CAP_SYS_RAWIO is refused by both, with EPERM;
# the same process with the capability reads the mapping's pattern.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
load_vmapview
tctl map a 4
A=$(vmv addr a)
off=$((A - $(vmv stat vmalloc_start)))

# The mapping's first word through mem, as root with every capability:
# the test module's pattern makes every word non-zero.
word=$(dd if="$VMV_DEBUGFS/mem" bs=8 skip=$((off / 8)) count=1 status=none | od -An -tx8 | tr -d ' ')
echo "with CAP_SYS_RAWIO: mem reads 0x$word at a"
[ -n "$word" ] && [ "$((16#$word))" != 0 ] || fail "mem with CAP_SYS_RAWIO: a reads 0x$word"

for f in /proc/kcore "$VMV_DEBUGFS/mem"; do
	err=$(setpriv --inh-caps=-sys_rawio --bounding-set=-sys_rawio -- \
		dd if="$f" of=/dev/null bs=1 count=1 status=none 2>&1) &&
		fail "$f readable without CAP_SYS_RAWIO"
	echo "$f without CAP_SYS_RAWIO: ${err##*: }"
	case $err in
	*"Operation not permitted"*) ;;
	*) fail "$f without CAP_SYS_RAWIO: want EPERM, got: $err" ;;
	esac
done
