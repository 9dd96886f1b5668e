#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The build stage ran the README's `dkms add . && dkms build && dkms install`
# on a clean copy of this tree; check what it left: DKMS calls it installed,
# the module sits in updates/dkms with this kernel's vermagic and this tree's
# version. (Warnings are build-w1.sh's business: DKMS deletes its build log
# after a successful build.)
set -u
cd "$VMAPVIEW_SRC"
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
ko=/lib/modules/$VMAPVIEW_KVER/updates/dkms/vmapview.ko
status=0

st=$(dkms status -m vmapview -v "$version" -k "$VMAPVIEW_KVER")
echo "dkms status: $st"
echo "$st" | grep -q ": installed" || { echo "not installed"; status=1; }
[ -f "$ko" ] || { echo "$ko missing"; exit 1; }
vermagic=$(modinfo -F vermagic "$ko")
case $vermagic in
"$VMAPVIEW_KVER "*) ;;
*) echo "vermagic '$vermagic' is not for $VMAPVIEW_KVER"; status=1 ;;
esac
got=$(modinfo -F version "$ko")
[ "$got" = "$version" ] || { echo "module version '$got', want '$version'"; status=1; }
exit $status
