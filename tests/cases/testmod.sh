#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test module's control interface: mappings of the block path (1..64
# pages) and of the large path (>64) appear in its maps file with the right
# sizes and distinct seeds, inside ranges the kernel's /proc/vmallocinfo
# calls vm_map_ram; bad commands get the documented errno; unmap, unmap_all
# and unmap_aliases work.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
sizes="1 2 3 4 16 33 64 65 300"
for n in $sizes; do
	tctl map "m$n" "$n"
done

maps=$(cat "$VMVT_DEBUGFS/maps")
echo "$maps"
expect_eq "mappings" "$(echo "$maps" | wc -l)" "$(echo $sizes | wc -w)"
expect_eq "distinct seeds" "$(echo "$maps" | sed 's/.*seed=//' | sort -u | wc -l)" \
	"$(echo $sizes | wc -w)"

# vm_map_ram ranges of the kernel's own view: whole blocks and large areas.
# With kptr_restrict=0, %pK prints hashed pointers; 1 shows them to root.
echo 1 >/proc/sys/kernel/kptr_restrict
ranges=$(awk '$3 == "vm_map_ram" { split($1, r, "-"); print r[1], r[2] }' /proc/vmallocinfo)
for n in $sizes; do
	line=$(echo "$maps" | grep " m$n ") || fail "m$n missing from maps"
	range=${line%% *}
	start=$((${range%-*}))
	end=$((${range#*-}))
	expect_eq "m$n size" "$((end - start))" "$((n * 4096))"
	expect_eq "m$n pages" "$(echo "$line" | sed 's/.*pages=\([0-9]*\).*/\1/')" "$n"
	inside=no
	while read -r lo hi; do
		if [ "$start" -ge $((lo)) ] && [ "$end" -le $((hi)) ]; then
			inside=yes
			break
		fi
	done <<<"$ranges"
	expect_eq "m$n inside a vm_map_ram range of /proc/vmallocinfo" "$inside" yes
done

expect_eq "bad name" "$(tctl_errno map 'bad!' 1)" "Invalid argument"
expect_eq "zero pages" "$(tctl_errno map z 0)" "Invalid argument"
expect_eq "too many pages" "$(tctl_errno map z 4097)" "Invalid argument"
expect_eq "junk count" "$(tctl_errno map z 1x)" "Invalid argument"
expect_eq "duplicate" "$(tctl_errno map m1 1)" "File exists"
expect_eq "unknown unmap" "$(tctl_errno unmap nosuch)" "No such file or directory"
expect_eq "unknown command" "$(tctl_errno frobnicate)" "Invalid argument"
expect_eq "extra argument" "$(tctl_errno unmap m1 m2)" "Invalid argument"
expect_eq "long command" "$(tctl_errno "map $(printf 'x%.0s' {1..80}) 1")" "Invalid argument"
expect_eq "read of write-only ctl" "$( (cat "$VMVT_DEBUGFS/ctl") 2>&1 >/dev/null | sed 's/.*: //')" \
	"Invalid argument"

tctl unmap m4
grep -q " m4 " "$VMVT_DEBUGFS/maps" && fail "m4 still listed after unmap"
tctl unmap_aliases
tctl unmap_all
expect_eq "mappings after unmap_all" "$(wc -l <"$VMVT_DEBUGFS/maps")" 0
echo "control interface ok"
