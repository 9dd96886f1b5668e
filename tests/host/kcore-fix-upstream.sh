#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-kernels: 7.3
# The patch series in upstream/ is ready to mail and is what the suite
# tests: it applies with `git am` to mm/vmalloc.c of the newest mainline
# tree in Debian's archive (linux-source-7.3); the patched file compiles
# there (W=1, no warning), against that kernel's headers, with its gcc;
# checkpatch.pl --strict of that tree finds nothing; and the patched
# vmap_ram_vread_iter() is, token for token, the one vmapview_kcore runs
# (module/kcore_vread.c), so the kcore-fix guest tests test the patch.
set -u
. "$VMAPVIEW_SRC/tests/host/lib.sh"

tarball=$(ls "$VMAPVIEW_CHROOT"/usr/src/linux-source-7.3.tar.* 2>/dev/null | head -1)
[ -n "$tarball" ] || { echo "no linux-source-7.3 in $VMAPVIEW_CHROOT: run make setup"; exit 1; }
tmp=$(ktmp)
trap 'rm -rf "$tmp"' EXIT
tar -xf "$tarball" -C "$tmp" --strip-components=1 --wildcards \
	'*/mm/vmalloc.c' '*/mm/*.h' '*/scripts/checkpatch.pl' \
	'*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch' ||
	{ echo "cannot extract from $tarball"; exit 1; }

status=0
# The series applies as a maintainer applies it.
(cd "$tmp" && git init -q && git add mm && git -c user.name=t -c user.email=t@t commit -q -m base) ||
	{ echo "git init failed"; exit 1; }
patches=("$VMAPVIEW_SRC"/upstream/0[0-9][0-9][1-9]-*.patch)	# not the cover letter
if ! (cd "$tmp" && git -c user.name=t -c user.email=t@t am -q "${patches[@]}"); then
	echo "the series does not apply to linux-source-7.3"
	exit 1
fi
echo "applied ${#patches[@]} patches to $(basename "$tarball")"

# checkpatch.pl --strict of 7.3. UNKNOWN_COMMIT_ID is left out: it needs
# the kernel's git history, which the source package lacks (the Fixes: id
# and subject are those of the 6.3 series, ../shared/seeds).
out=$(cd "$tmp/mm" && "$tmp/scripts/checkpatch.pl" --strict --no-tree --ignore UNKNOWN_COMMIT_ID \
	"$VMAPVIEW_SRC"/upstream/0*.patch 2>&1)
echo "$out" | grep -E '^(total|WARNING|ERROR|CHECK)'
echo "$out" | grep -qE '^(WARNING|ERROR|CHECK)' && { echo "checkpatch complains"; status=1; }

# The patched file compiles in the tree it is for: as built-in code, with
# mm/'s private headers next to it.
printf 'obj-y := vmalloc.o\n' >"$tmp/mm/Kbuild"
cc=$(in_root make -C "/lib/modules/$VMAPVIEW_KVER/build" M="$(root_path "$tmp/mm")" W=1 vmalloc.o 2>&1)
if [ ! -s "$tmp/mm/vmalloc.o" ] || echo "$cc" | grep -qE 'warning:|error:'; then
	echo "$cc" | tail -20
	echo "the patched mm/vmalloc.c does not compile cleanly against $VMAPVIEW_KVER"
	status=1
else
	echo "patched mm/vmalloc.c compiles at W=1 against $VMAPVIEW_KVER"
fi

# The module runs the same function: compared token for token (whitespace
# aside: the module's copy passes checkpatch -f, the kernel's file did not).
func() {
	sed -n "$2" "$1" | tr -d ' \t\n'
}
mine=$(func "$VMAPVIEW_SRC/module/kcore_vread.c" \
	'/vmapview: begin upstream vmap_ram_vread_iter/,/vmapview: end upstream/{/vmapview: /d;p}')
theirs=$(func "$tmp/mm/vmalloc.c" '/^static size_t vmap_ram_vread_iter(/,/^}/p')
if [ -z "$mine" ] || [ "$mine" != "$theirs" ]; then
	echo "module/kcore_vread.c's vmap_ram_vread_iter() is not the patched one:"
	diff <(sed -n '/vmapview: begin upstream/,/vmapview: end upstream/p' "$VMAPVIEW_SRC/module/kcore_vread.c") \
		<(sed -n '/^static size_t vmap_ram_vread_iter(/,/^}/p' "$tmp/mm/vmalloc.c") | head -30
	status=1
else
	echo "module/kcore_vread.c runs the patched vmap_ram_vread_iter() (${#mine} characters)"
fi
exit $status
