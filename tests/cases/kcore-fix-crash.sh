#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 600
# The opt-in /proc/kcore fix, read by crash's "rd" (crash --minimal on the
# live kernel through /proc/kcore, the release's own crash): the kernel's
# bug without the fix, the pages' real contents with it, the bug again once
# it is unloaded.
#
# crash takes one to three minutes to start under TCG (its gdb reads the
# vmlinux's DWARF), so one session serves all three phases, its commands
# sent through a FIFO. crash reads /proc/kcore afresh on every "rd".
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

command -v crash >/dev/null || skip "crash is not installed in this root"
vmlinux=/usr/lib/debug/boot/vmlinux-$(uname -r)
[ -s "$vmlinux" ] || skip "no debug vmlinux for $(uname -r)"
crash_out=/tmp/crash.$$
crash_n=0

# crash_start: crash on the live kernel, reading commands from fd 3, and
# writing each command's end marker to fd 4. Both FIFOs are held open
# read-write here: a crash that has exited never blocks or kills a writer.
crash_start() {
	local t=$SECONDS

	# One sequential read puts the vmlinux in the page cache: crash's own
	# reads of a cold one over 9p take minutes longer.
	cat "$vmlinux" >/dev/null || fail "cannot read $vmlinux"
	echo "crash: $vmlinux read in $((SECONDS - t)) s"
	mkfifo "$crash_out.in" "$crash_out.done" || fail "mkfifo"
	exec 3<>"$crash_out.in" 4<>"$crash_out.done"
	crash_t0=$SECONDS
	crash --minimal -s "$vmlinux" /proc/kcore <"$crash_out.in" >"$crash_out" 2>&1 3>&- 4>&- &
	crash_pid=$!
}

# crash_wait N: waits, 500 s at most, for "decimal: N" on the marker FIFO.
# A crash gone before its first answer did not start: skip, saying why.
crash_wait() {
	local line _

	for _ in $(seq 100); do
		while read -t 5 -u 4 -r line; do
			[[ $line =~ ^decimal:\ $1( |$) ]] && return 0
		done
		kill -0 "$crash_pid" 2>/dev/null && continue
		[ "$1" = 1 ] && skip "crash $(crash --version 2>/dev/null | awk 'NR == 1 { print $2 }') does not start on $(uname -r): $(grep -m1 -iE 'crash:|error' "$crash_out")"
		tail -5 "$crash_out"
		fail "crash exited in the middle of the session"
	done
	tail -5 "$crash_out"
	fail "crash: no answer in 500 s"
}

# crash_read LO HI FILE: "rd -r" (raw, in 1500-byte reads: "rd -64" reads
# /proc/kcore 8 bytes at a time) of [LO, HI) into FILE. An "eval N" into the
# marker FIFO follows it: crash closes a command's files before it reads
# the next command, so "decimal: N" there means the rd is done.
crash_read() {
	local n=$((++crash_n))

	rm -f "$3"
	echo "rd -r $3 $1 $(($2 - $1))" >&3
	echo "eval $n > $crash_out.done" >&3
	crash_wait "$n"
	echo "crash: rd -r $1 answered at $((SECONDS - crash_t0)) s"
	[ "$(stat -c %s "$3" 2>/dev/null)" = $(($2 - $1)) ] ||
		{ tail -5 "$crash_out"; fail "crash: rd -r $1 wrote $(stat -c %s "$3" 2>/dev/null) bytes"; }
}

crash_start
kcore_fix_readers crash crash_read
echo q >&3
exec 3>&- 4>&-
wait "$crash_pid" || echo "crash exited with $?"
rm -f "$crash_out" "$crash_out".*
