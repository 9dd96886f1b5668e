#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runner self-test: a module that hits WARN_ON(1) at load, from a test that
# itself exits 0. The runner must report the kernel warning as a failure.
insmod "$VMAPVIEW_KMOD/vmapview_warn.ko" || exit 1
echo "loaded vmapview_warn"
