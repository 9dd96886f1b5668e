# SPDX-License-Identifier: GPL-2.0
"""Reads the KTAP the guest harness prints (top level only)."""

import re

_RESULT = re.compile(r"^(not ok|ok) (\d+) (\S+)(?: # (.*))?$")


def parse(text):
    """Returns {test name: (status, detail, diagnostics)}, status pass/fail/skip."""
    results = {}
    diag = []
    for line in text.splitlines():
        if line.startswith("# "):
            diag.append(line[2:])
            continue
        m = _RESULT.match(line)
        if not m:
            continue
        verdict, _, name, directive = m.groups()
        directive = directive or ""
        if verdict == "ok" and directive.upper().startswith("SKIP"):
            status, detail = "skip", directive[4:].strip()
        elif verdict == "ok":
            status, detail = "pass", ""
        else:
            status, detail = "fail", directive
        results[name] = (status, detail, diag)
        diag = []
    return results
