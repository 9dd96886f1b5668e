#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 400
# vmapview-check fails, naming the block and page, when vmapview's
# mirror is wrong: the test build's debugfs "inject" flips one used bit.
# Flipped back, the check passes again. The same for the vmalloc file:
# "misjudge" makes it give the test module's vmalloc() buffer a wrong kind,
# which the check's own walk of the kernel's busy areas must catch.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"
need_drgn

load_testmod
load_vmapview_testing
tctl map a 4
tctl map b 16
tctl vmalloc v 4
B=$(vmv addr b)
page=$(printf '0x%x' $((B + 2 * 4096)))
echo "flip $page" >"$VMV_DEBUGFS/inject" || fail "inject"
grep -q '^0x' "$VMV_DEBUGFS/blocks" || fail "no blocks"
out=$(vmapview_check 2>/dev/null) && fail "check passed on a corrupt mirror: $out"
echo "$out"
block=$(vmv block "$page" | cut -d- -f1)
off=$(((B + 2 * 4096 - block) / 4096))
echo "$out" | grep -q "block $block: page $off: PTE present, vmapview says '.'" ||
	fail "no line names block $block page $off"
echo "$out" | grep -q "block $block: used=" || fail "no used-count line for $block"
echo "$out" | tail -1 | grep -q "mismatches$" || fail "no summary line"
echo "flip $page" >"$VMV_DEBUGFS/inject" || fail "inject back"
echo "$out" | grep -q "vmalloc file compared on [1-9]" || fail "the vmalloc file was not compared"
V=$(vmv addr v)
echo "misjudge $V" >"$VMV_DEBUGFS/inject" || fail "inject misjudge"
out=$(vmapview_check 2>/dev/null) && fail "check passed on a wrong vmalloc kind: $out"
echo "$out" | grep "vmalloc area"
echo "$out" | grep -q "vmalloc area $V-0x[0-9a-f]*: kind=other, kernel vmalloc" ||
	fail "no line names the vmalloc area $V"
echo "misjudge 0" >"$VMV_DEBUGFS/inject" || fail "inject misjudge 0"
vmapview_check 2>/dev/null || fail "check fails with the right kind back"
