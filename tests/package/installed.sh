#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 600
# The guest half of tests/host/package-install.sh: booted from a copy of the
# kernel's root where apt installed vmapview-dkms and vmapview-tools.
# modprobe loads the module DKMS built, the tools run from PATH, and where
# drgn has plugins (0.0.27+), plain drgn reads vm_map_ram memory right with
# no user code.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

path=$(modinfo -n vmapview) || fail "modinfo finds no vmapview"
echo "modinfo: $path"
case $path in
*/updates/dkms/vmapview.ko*) ;;
*) fail "vmapview comes from $path, not from DKMS" ;;
esac
for t in vmapview-read vmapview-check; do
	[ "$(command -v $t)" = /usr/bin/$t ] || fail "$t is not /usr/bin/$t"
done
[ -f /usr/share/man/man4/vmapview.4.gz ] || fail "no vmapview(4) man page"

load_testmod
load_vmapview
tctl map a 3
A=$(vmv addr a)
seed=$(sed -n 's/.* a pages=3 seed=\([0-9]*\).*/\1/p' "$VMVT_DEBUGFS/maps")
# From here on the installed package alone: lib.sh puts the checkout's
# tools on PYTHONPATH for the other tests.
unset PYTHONPATH
pkg=$(python3 -c 'import vmapview; print(vmapview.__file__)') || fail "no installed vmapview package"
[ "$pkg" = /usr/lib/python3/dist-packages/vmapview/__init__.py ] ||
	fail "python3 imports vmapview from $pkg, not from vmapview-tools"
# The test module's pattern: word i of a mapping is 0x5654 << 48 | seed << 32 | 8i.
python3 - "$A" "$seed" <<'PY' || fail "vmapview-read from PATH"
import struct, subprocess, sys
addr, seed = int(sys.argv[1], 16), int(sys.argv[2])
want = struct.pack("<1536Q", *(0x5654 << 48 | seed << 32 | 8 * i for i in range(1536)))
got = subprocess.run(["vmapview-read", "--raw", hex(addr), "12288"], check=True,
                     capture_output=True).stdout
assert got == want, "vmapview-read returned other bytes than the pattern"
print("vmapview-read: 12288 bytes of the pattern")
PY

if ! command -v drgn >/dev/null || [ ! -e /usr/lib/debug/boot/vmlinux-"$(uname -r)" ]; then
	echo "no drgn or no debug vmlinux: vmapview-check and the plugin not run"
	exit 0
fi
vmapview-check 2>/tmp/check.err || {
	cat /tmp/check.err
	fail "vmapview-check from PATH failed"
}
grep -q Traceback /tmp/check.err && fail "vmapview-check printed a traceback"
# Plugins came with drgn 0.0.31 (adf64729095b "Add plugin system").
if python3 -c 'import _drgn_util.plugins' 2>/dev/null; then
	# Plain drgn, no user code: the installed plugin makes it read through mem.
	drgn -q -e "import sys
d = prog.read($A, 12288)
sys.stdout.buffer.write(d)" >/tmp/drgn.out 2>/tmp/drgn.err || {
		cat /tmp/drgn.err
		fail "drgn -e failed"
	}
	python3 - "$seed" <<'PY' || fail "plain drgn does not read the mapping right"
import struct, sys
seed = int(sys.argv[1])
want = struct.pack("<1536Q", *(0x5654 << 48 | seed << 32 | 8 * i for i in range(1536)))
got = open("/tmp/drgn.out", "rb").read()
assert got == want, f"drgn read {len(got)} bytes, not the pattern"
print("plain drgn: the pattern, through the installed plugin")
PY
else
	echo "drgn $(python3 -c 'import drgn; print(drgn.__version__)') has no plugins: vmapview.plugin.enable(prog) is the way there"
fi
