#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runner self-test: a guest that never finishes. The runner's time limit must
# stop it and report it.
echo "hanging on purpose"
sleep 100000
