# SPDX-License-Identifier: GPL-2.0
"""Host side of the vmapview test runner (see tests/run)."""
