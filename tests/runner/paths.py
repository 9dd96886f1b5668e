# SPDX-License-Identifier: GPL-2.0
"""Where the runner finds the project tree and keeps its work."""

import os

# The project tree: the runner package is its tests/runner.
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Kernel roots, builds, guest runs, logs and results (make setup's too).
WORK = os.environ.get("VMAPVIEW_WORK", "/var/cache/vmapview")
# The runner itself, for host tests that run it (VMAPVIEW_RUN).
RUN = os.path.join(SRC, "tests", "run")
