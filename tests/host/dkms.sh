#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The build stage ran the README's `dkms add . && dkms build && dkms install`
# on a clean copy of this tree; check what it left: DKMS calls it installed,
# the module sits in updates/dkms with this kernel's vermagic and this tree's
# version. (Warnings are build-w1.sh's business: DKMS deletes its build log
# after a successful build.)
set -u
. "$VMAPVIEW_SRC/tests/host/lib.sh"
cd "$VMAPVIEW_SRC"
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
status=0

st=$(in_root dkms status -m vmapview -v "$version" -k "$VMAPVIEW_KVER")
echo "dkms status: $st"
echo "$st" | grep -q ": installed" || { echo "not installed"; status=1; }
# Debian 13's DKMS compresses modules as its kernel's are (.ko.xz).
ko=$(ls "${VMAPVIEW_CHROOT:-}/lib/modules/$VMAPVIEW_KVER/updates/dkms/vmapview.ko"* 2>/dev/null | head -1)
[ -n "$ko" ] || { echo "no vmapview.ko* in updates/dkms"; exit 1; }
echo "installed: $ko"
ko=$(root_path "$ko")
vermagic=$(in_root modinfo -F vermagic "$ko")
case $vermagic in
"$VMAPVIEW_KVER "*) ;;
*) echo "vermagic '$vermagic' is not for $VMAPVIEW_KVER"; status=1 ;;
esac
got=$(in_root modinfo -F version "$ko")
[ "$got" = "$version" ] || { echo "module version '$got', want '$version'"; status=1; }
exit $status
