#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 300
# With the opt-in /proc/kcore fix on, a page is copied only while it cannot
# be unmapped and freed. The test module maps fresh pages filled with 0x5a
# (4 pages in a block, then 80 in a large area, in turn), unmaps them,
# writes 0xde over them and frees them; a kprobe in the reader's copy holds
# the first reader of each mapping until the pages are freed (or 3 ms).
# dd reads the live mapping through /proc/kcore: every byte must be 0x5a or
# zero, never the freed pages' 0xde (nor other bytes, while the mapping
# outlives the read), no reader may copy a page freed while it was held,
# and enough reads must catch the mapping live.
# The copy probed: vmv_kcore_copy_page() of vmapview_kcore before 6.3 (the
# fix's own vread(), under the mirror's lock), copy_page_to_iter_nofault()
# from 6.4 (vread_iter(), under the kernel's vb->lock and busy-list lock).
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs: the mapping thread runs beside the readers"
LT=$VMVT_DEBUGFS/lifetime
out=/tmp/kcore-lifetime.$$

load_testmod
load_vmapview
kcore_fix_on
if kernel_at_least 6 4; then
	tctl delay copy_page_to_iter_nofault 0 3000
else
	tctl delay vmv_kcore_copy_page 1 3000
fi
# Readers on CPU 0; the thread runs on the last CPU.
taskset -pc 0 $$ >/dev/null || fail "taskset"
tctl lifetime 4 80

base=
for _ in $(seq 100); do
	read -r addr pages _ <"$LT"
	[ "$addr" != 0x0 ] && base=$addr && break
	sleep 0.1
done
[ -n "$base" ] || fail "the lifetime thread published no mapping"
base_off=$(vmv kcore-offset "$base") || fail "no kcore offset for $base"

reads=0 live=0 bad=0
end=$((SECONDS + 40))
while [ $SECONDS -lt $end ] && [ $live -lt 20 ]; do
	read -r addr pages rounds _ <"$LT"
	[ "$addr" = 0x0 ] && continue
	dd if=/proc/kcore of="$out" iflag=skip_bytes,count_bytes \
		skip=$((addr - base + base_off)) count=$((pages * 4096)) bs=64K \
		status=none || fail "dd at $addr"
	read -r _ _ rounds2 _ <"$LT"
	reads=$((reads + 1))
	# The freed pages' marker fails always. Other bytes only where the
	# mapping outlived the read: once unmapped, its addresses may go to
	# other users (vmalloc()'d stacks of the very dd processes).
	if [ "$(tr -cd '\336' <"$out" | wc -c)" != 0 ] ||
		{ [ "$rounds" = "$rounds2" ] && [ "$(tr -d '\000\132' <"$out" | wc -c)" != 0 ]; }; then
		bad=$((bad + 1))
		echo "$addr ($pages pages): bytes other than 0x5a and zero:"
		od -A x -t x1 "$out" | grep -v ' 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a$\| 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00$' | head -4
		[ "$(tr -cd '\336' <"$out" | wc -c)" != 0 ] && echo "  (0xde: the pages were read after they were freed)"
		[ $bad -ge 3 ] && break
	fi
	[ "$(tr -cd '\132' <"$out" | wc -c)" != 0 ] && live=$((live + 1))
done
stats=$(cat "$LT")
tctl lifetime 0 0
tctl nodelay
rm -f "$out"
echo "reads=$reads live=$live bad=$bad; lifetime: $stats"
[ $bad = 0 ] || fail "/proc/kcore returned bytes of freed pages (or other bytes) in $bad reads"
windows=$(echo "$stats" | sed -n 's/.* windows=\([0-9]*\).*/\1/p')
raced=$(echo "$stats" | sed -n 's/.* raced=\([0-9]*\).*/\1/p')
expect_eq "readers whose page was freed while they copied it" "$raced" 0
[ $live -ge 15 ] || fail "only $live of $reads reads caught a live mapping (want 15)"
[ "$windows" -ge 15 ] || fail "only $windows readers were held in the copy (want 15)"
kcore_fix_off || fail "turning the fix off"
