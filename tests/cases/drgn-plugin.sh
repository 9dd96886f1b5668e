#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 900
# vmapview's drgn plugin (drgn 0.0.31+), registered as the package registers
# it (the drgn.plugins entry point of tools/pyproject.toml, in a dist-info
# here on PYTHONPATH):
# - with vmapview loaded, plain drgn, with no vmapview code of the user's,
#   reads the test module's vm_map_ram() block mapping and large mapping as
#   their pages hold them: drgn.program_from_kernel() and drgn -e alike; a
#   mapping made after the program was set up reads right too, and vmalloc()
#   memory (read through /proc/kcore by the plugin) as well, also at an
#   address a vm_map_ram() mapping held before;
# - on kernels where mem reads BPF arenas (6.9 to 6.x), plain drgn reads
#   an arena's pages as written through its user mapping;
# - with DRGN_DISABLE_PLUGINS=vmapview the plugin stays off and drgn reads
#   as the kernel's /proc/kcore does (zeros before 6.3);
# - without vmapview loaded, drgn with the plugin registered prints nothing
#   of it (no traceback, no warning naming it).
. "$VMAPVIEW_SRC/tests/guest/lib.sh"
need_drgn
drgn_version=$(python3 -c 'import drgn; print(drgn.__version__)')
python3 -c 'import _drgn_util.plugins' 2>/dev/null ||
	skip "drgn $drgn_version has no plugins (they came with 0.0.31, adf64729095b \"Add plugin system\"); there vmapview.plugin.enable(prog) does it (drgn-read)"
echo "drgn $drgn_version"

# The plugin as vmapview-tools installs it: the entry points of
# tools/pyproject.toml in a dist-info (pybuild writes the package's from the
# same file).
plug=/tmp/drgn-plugin
rm -rf "$plug"
mkdir -p "$plug/vmapview-0.dist-info" || fail "mkdir $plug"
printf 'Metadata-Version: 2.1\nName: vmapview\nVersion: 0\n' >"$plug/vmapview-0.dist-info/METADATA"
python3 - "$VMAPVIEW_SRC/tools/pyproject.toml" "$plug/vmapview-0.dist-info/entry_points.txt" <<'PY' ||
import sys
import tomllib
with open(sys.argv[1], "rb") as f:
    groups = tomllib.load(f)["project"]["entry-points"]
with open(sys.argv[2], "w") as f:
    for group, eps in groups.items():
        f.write(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()))
PY
	fail "no entry points from tools/pyproject.toml"
cat "$plug/vmapview-0.dist-info/entry_points.txt"
export PYTHONPATH=$plug:$VMAPVIEW_SRC/tools
unset DRGN_PLUGINS DRGN_DISABLE_PLUGINS

# noise FILE WHAT: FILE (the stderr of a drgn run, at drgn's default log
# level) has no traceback and nothing of the plugin: neither its own log
# lines nor drgn's about a plugin that failed to load or raised. (Module
# names may appear where drgn lists modules without debug info.)
noise() {
	if grep -E 'Traceback|vmapview\.plugin|vmapview plugin|drgn_prog_set|failed to load' "$1"; then
		cat "$1"
		fail "$2: drgn's stderr has a traceback or a word of the plugin"
	fi
}

load_testmod
load_vmapview
tctl map blk 3
tctl map big 80
tctl vmalloc vm 4

# The reader: plain drgn; only the test's own bookkeeping around it. MODE:
# "library" (drgn.program_from_kernel()), "set_kernel" (Program() and
# set_kernel(): no debug info needed to read). Writes OUT/NAME with the
# bytes of each test mapping; in "late" runs it also maps, reads, unmaps and
# reuses after the program is set up.
cat >/tmp/plugin-read.py <<'PY'
import os, struct, sys
import drgn

mode, out, late = sys.argv[1], sys.argv[2], sys.argv[3] == "late"
T = "/sys/kernel/debug/vmapview_test/"
if mode == "library":
    prog = drgn.program_from_kernel()
else:
    prog = drgn.Program()
    prog.set_kernel()
enabled = "vmapview.plugin" in sys.modules and sys.modules["vmapview.plugin"].enabled(prog)
print(f"{mode}: the plugin is {'on' if enabled else 'off'}")


def maps():
    out = {}
    with open(T + "maps") as f:
        for line in f:
            w = line.split()
            start, end = (int(x, 16) for x in w[0].split("-"))
            out[w[1]] = (start, end, int(w[3].split("=")[1]), w[4].split("=")[1])
    return out


def ctl(cmd):
    with open(T + "ctl", "w") as f:
        f.write(cmd)


def pattern(seed, n):
    return struct.pack(f"<{n // 8}Q", *(0x5654 << 48 | seed << 32 | 8 * i for i in range(n // 8)))


def dump(name):
    start, end, seed, kind = maps()[name]
    data = prog.read(start, end - start)
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    what = "pattern" if data == pattern(seed, end - start) else \
        "zeros" if data == bytes(end - start) else "other bytes"
    print(f"{name} ({kind}, {start:#x}): {what}")
    return start, what


bad = 0
for name in ("blk", "big", "vm"):
    _, what = dump(name)
    # vmalloc() memory: the plugin reads it through /proc/kcore, right.
    if name == "vm" and what != "pattern":
        bad += 1
if late:
    # Mapped after the program was set up: read right all the same.
    ctl("map late 80")
    start, what = dump("late")
    bad += what != "pattern"
    # Given back, and its address space to vmalloc() once purged: what
    # lands there reads as what it is now, never as the old mapping.
    ctl("unmap late")
    ctl("unmap_aliases")
    ctl("vmalloc reuse 80")
    rstart, what = dump("reuse")
    print(f"reuse: {'at' if rstart == start else 'not at'} the late mapping's address")
    bad += what != "pattern"
sys.exit(1 if bad else 0)
PY

# read_ok DIR NAME...: each mapping NAME, as read into DIR/NAME, is what
# its pages hold.
read_ok() {
	local dir=$1 name lo

	shift
	for name in "$@"; do
		lo=$(vmv addr "$name") || fail "no mapping $name"
		vmv expect "$lo" "$(printf '0x%x' $((lo + $(stat -c %s "$dir/$name"))))" "$dir/$name" ||
			fail "$name does not read as its pages hold"
	done
}

# 1. With vmapview loaded: the library's program.
mkdir -p /tmp/p1 /tmp/p2 /tmp/p3
out=$(python3 /tmp/plugin-read.py library /tmp/p1 late 2>/tmp/p1.err) ||
	{ echo "$out"; cat /tmp/p1.err; fail "reading through the plugin (drgn.program_from_kernel())"; }
echo "$out"
echo "$out" | grep -q '^library: the plugin is on' || fail "the plugin did not turn itself on"
noise /tmp/p1.err "program_from_kernel() with vmapview loaded"
read_ok /tmp/p1 blk big
echo "$out" | grep -q '^late (vm_map_ram, .*): pattern' ||
	fail "a mapping made after the program was set up does not read right"

# 2. DRGN_DISABLE_PLUGINS=vmapview: the kernel's own /proc/kcore.
out=$(DRGN_DISABLE_PLUGINS=vmapview python3 /tmp/plugin-read.py set_kernel /tmp/p2 - 2>/tmp/p2.err) ||
	{ echo "$out"; cat /tmp/p2.err; fail "drgn with the plugin disabled"; }
echo "$out"
echo "$out" | grep -q '^set_kernel: the plugin is off' || fail "DRGN_DISABLE_PLUGINS=vmapview left the plugin on"
noise /tmp/p2.err "DRGN_DISABLE_PLUGINS=vmapview"
if [ "$(kcore_bug)" = zeros ]; then
	for name in blk big; do
		echo "$out" | grep -q "^$name (vm_map_ram, .*): zeros" ||
			fail "$name: drgn read it without the plugin before 6.3: a fixed kernel?"
	done
fi

# 3. The CLI: drgn -e, no code of vmapview's.
A=$(vmv addr blk)
drgn -e "import sys
sys.stdout.buffer.write(prog.read($A, 3 * 4096))" >/tmp/p3/blk 2>/tmp/p3.err || {
	cat /tmp/p3.err
	fail "drgn -e"
}
noise /tmp/p3.err "drgn -e with vmapview loaded"
read_ok /tmp/p3 blk
echo "drgn -e: blk reads as its pages hold"

# 3b. A BPF arena, where vmapview's mem reads it (reader=mem: 6.9 on):
# plain drgn reads the pages written through the user mapping, and zeros
# at a page never touched.
if kernel_at_least 6 9; then
	out=$(PYTHONPATH=$PYTHONPATH:$VMAPVIEW_SRC/tests/guest python3 -c 'import drgn, sys, vmv
a = vmv.Arena(8, [1, 2, 6], 0x77)
print(a.record.line)
prog = drgn.program_from_kernel()
bad = [i for i in range(8) if prog.read(a.kaddr(i), 4096) != a.truth(i)]
print("arena through drgn:", "pages", bad, "wrong" if bad else "all as written (3 of 8)")
a.close()
sys.exit(1 if bad else 0)' 2>/tmp/p3b.err) || { echo "$out"; cat /tmp/p3b.err; fail "drgn does not read the arena as written"; }
	echo "$out"
	noise /tmp/p3b.err "drgn reading an arena"
else
	echo "# no arena read: no VM_SPARSE areas (BPF arenas) before 6.9 (compat.h, VMV_MEM_READS_SPARSE)"
fi

# 4. vmapview not loaded: the plugin says nothing.
rmmod vmapview || fail "rmmod vmapview"
drgn -e 'print(len(prog.read(prog["init_task"].address_, 8)))' >/tmp/p4.out 2>/tmp/p4.err ||
	{ cat /tmp/p4.err; fail "drgn -e without vmapview"; }
noise /tmp/p4.err "drgn -e without vmapview"
echo "without vmapview: drgn -e printed $(cat /tmp/p4.out), its stderr nothing of the plugin"
out=$(python3 -c 'import drgn, sys
prog = drgn.Program()
prog.set_kernel()
m = sys.modules.get("vmapview.plugin")
print("plugin", "loaded" if m else "not loaded", "on" if m and m.enabled(prog) else "off")' 2>/tmp/p5.err) ||
	{ cat /tmp/p5.err; fail "set_kernel() without vmapview"; }
noise /tmp/p5.err "set_kernel() without vmapview"
echo "without vmapview, set_kernel(): $out"
expect_eq "the plugin without vmapview" "$out" "plugin loaded off"
