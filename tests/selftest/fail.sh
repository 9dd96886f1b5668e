#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runner self-test: a guest test that fails. The runner must report it.
echo "failing on purpose"
exit 1
