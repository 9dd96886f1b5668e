# SPDX-License-Identifier: GPL-2.0
"""The results of one run as they come, and its closing line."""


class Report:
    def __init__(self):
        self.counts = {"pass": 0, "fail": 0, "skip": 0}
        self.results = []   # (name, status, detail)

    def add(self, name, status, detail="", diag=()):
        self.counts[status] += 1
        self.results.append((name, status, detail))
        print(f"{status.upper():4} {name}" + (f": {detail}" if detail else ""),
              flush=True)
        if status == "fail":
            for line in list(diag)[-60:]:
                print(f"     | {line}")

    def summary(self):
        c = self.counts
        return f"{c['pass']} passed, {c['fail']} failed, {c['skip']} skipped"


class Collected:
    """Results of a stage that runs beside another: kept, not printed, until
    replay() hands them to the run's Report in the order they came."""

    def __init__(self):
        self.results = []

    def add(self, name, status, detail="", diag=()):
        self.results.append((name, status, detail, list(diag)))

    def replay(self, report):
        for name, status, detail, diag in self.results:
            report.add(name, status, detail, diag)
